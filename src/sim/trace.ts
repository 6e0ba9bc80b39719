// The trace of a run as JSONL (format in TRACE.md): a header line, one line per kernel step,
// lines for process events and timer wakeups, an end line, and a footer. Processes appear by
// canonical name only. The body (steps, events, timers, end) is the canonical form: it says
// what the processes did and nothing about how the run was set up or chosen, and its SHA-256
// is the trace hash.

import { createHash } from 'node:crypto';
import { BLOCKED, KEEP_REGS, type Kernel, readSyscallArgs } from '../process/kernel.ts';
import type { Drained, ProcessEvent } from '../process/events.ts';
import type { Process } from '../process/process.ts';
import { signalName } from '../process/signals.ts';
import { decodeCall, decodeResult, type Json, sigNames, waitStatusText } from './decode.ts';
import type { ProcNames } from './names.ts';

export const TRACE_VERSION = 1;

type Line = { [k: string]: Json };

/** One JSON line, kept ASCII: characters above 0x7e (bytes of guest data) as \u00XX. */
function jsonLine(v: Line): string {
  const s = JSON.stringify(v);
  return /[^\x00-\x7e]/.test(s) ? s.replace(/[^\x00-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : s;
}

export interface Trace {
  header: string;
  /** The canonical body, one JSON object per line (empty when the trace was streamed). */
  lines: string[];
  /** The lines went to a TraceSink as they were made: only the file has them. */
  streamed?: boolean;
  footer: string;
  /** `sha256:` and the hex digest of the body (each line followed by a newline). */
  hash: string;
  /** The whole file: header, body, footer, each line ending in a newline. */
  text(): string;
}

/**
 * Where a streamed trace goes, line by line (no newline), as the run makes it: a run of any
 * length then holds none of its trace in memory.
 */
export type TraceSink = (line: string) => void;

/** What a step looked like before it ran. */
interface Pending {
  p: Process;
  line: Line;
  pending: bigint;
  /** Its syscall had blocked and runs again (or is interrupted) now. */
  retry: boolean;
  blocked: Process[];
  /** Pending signals when the syscall returned (set once it ran). */
  pendingAfterCall?: bigint;
}

export class TraceRecorder {
  readonly lines: string[] = [];
  private cur: Pending | null = null;
  private readonly body = createHash('sha256');
  private readonly header: string;

  /** With a sink, the header goes out now and every line as it is made; else lines keeps them. */
  constructor(
    private readonly k: Kernel,
    private readonly names: ProcNames,
    header: Line,
    private readonly sink: TraceSink | null = null,
  ) {
    this.header = jsonLine(header);
    sink?.(this.header);
    k.syscallObserver = (p, nr, a, ret) => this.onSyscall(p, nr, a, ret);
  }

  /** Stop watching the kernel. */
  detach(): void {
    this.k.syscallObserver = null;
  }

  private push(line: Line): void {
    const s = jsonLine(line);
    this.body.update(`${s}\n`);
    if (this.sink !== null) this.sink(s);
    else this.lines.push(s);
  }

  private blockedNow(): Process[] {
    const out: Process[] = [];
    for (const q of this.k.procs.values()) if (q.state === 'blocked') out.push(q);
    return out;
  }

  private woken(before: Process[]): Json[] {
    return before.filter((q) => q.state === 'running').map((q) => this.names.name(q));
  }

  /** Step `step` is about to execute p's pending syscall (or deliver it a signal). */
  beforeStep(step: number, p: Process): void {
    const nr = this.k.syscallNr(p);
    const a = new Float64Array(6);
    readSyscallArgs(p, a);
    const call = decodeCall(nr, a, p, this.names);
    const line: Line = { step, proc: this.names.name(p), sys: call.sys, args: call.args };
    const retry = p.blockedIn >= 0;
    if (retry) line.retry = true;
    this.cur = { p, line, pending: p.pending, retry, blocked: this.blockedNow() };
  }

  private onSyscall(p: Process, nr: number, a: ArrayLike<number>, ret: number): void {
    const cur = this.cur;
    if (cur === null || cur.p !== p) return;
    cur.pendingAfterCall = p.pending;
    this.names.sync(this.k); // a clone's result names the child
    if (ret === BLOCKED) cur.line.block = p.blockReason;
    else if (ret !== KEEP_REGS) decodeResult(nr, a, ret, p, this.names, cur.line);
  }

  /** The current step had a fault injected (faults.ts): its line says which. */
  markFault(what: string): void {
    if (this.cur !== null) this.cur.line.fault = what;
  }

  /** The step ran (names of new processes already synced). */
  afterStep(): void {
    const cur = this.cur;
    if (cur === null) return;
    this.cur = null;
    const { p } = cur;
    let line = cur.line;
    let taken: bigint;
    if (cur.pendingAfterCall === undefined) {
      // No syscall ran: the step delivered a pending signal instead (interrupting a blocked call).
      line = { step: line.step, proc: line.proc };
      if (cur.retry) line.interrupts = cur.line.sys;
      taken = cur.pending & ~p.pending;
    } else taken = cur.pendingAfterCall & ~p.pending;
    if (!p.alive && (p.waitStatus & 0x7f) !== 0) line.killed = signalName(p.waitStatus & 0x7f);
    else if (taken !== 0n) line.delivered = sigNames(taken);
    const woke = this.woken(cur.blocked);
    if (woke.length > 0) line.wakes = woke;
    this.push(line);
  }

  /** Process events of one drain (since the last), after step `step`. */
  events(step: number, { events, dropped }: Drained): void {
    if (dropped > 0) this.push({ step, event: 'dropped', count: dropped });
    for (const e of events) this.push(this.eventLine(step, e));
  }

  private eventLine(step: number, e: ProcessEvent): Line {
    const name = (pid: number): Json => (pid === 0 ? null : (this.names.pidName(pid) ?? pid));
    const line: Line = { step, event: e.kind, proc: name(e.pid) };
    switch (e.kind) {
      case 'spawn':
      case 'wait-wakeup':
        line.parent = name(e.ppid ?? 0);
        break;
      case 'reap':
        line.parent = name(e.ppid ?? 0);
        line.status = waitStatusText(e.status ?? 0);
        break;
      case 'exec':
        line.path = e.path ?? null;
        break;
      case 'exit':
        line.status = waitStatusText(e.status ?? 0);
        break;
      case 'signal':
        line.sig = signalName(e.sig ?? 0);
        line.from = e.from === 0 || e.from === undefined ? 'kernel' : name(e.from);
        break;
    }
    return line;
  }

  /** Blocked processes before timers fire (see timersFired). */
  timersBefore(): Process[] {
    return this.blockedNow();
  }

  /** Timeouts woke some of `before`. */
  timersFired(step: number, before: Process[]): void {
    const woke = this.woken(before);
    if (woke.length > 0) this.push({ step, timeout: woke });
  }

  /** The body's last line, then the footer (with the body's hash): the whole trace. */
  finish(end: Line, footer: Line): Trace {
    this.push(end);
    const hash = `sha256:${this.body.digest('hex')}`;
    const f = jsonLine({ ...footer, hash });
    const h = this.header;
    if (this.sink === null) return { header: h, lines: this.lines, footer: f, hash, text: () => `${[h, ...this.lines, f].join('\n')}\n` };
    this.sink(f);
    return {
      header: h,
      lines: [],
      footer: f,
      hash,
      streamed: true,
      text: () => {
        throw new Error('a streamed trace is in its file only');
      },
    };
  }
}
