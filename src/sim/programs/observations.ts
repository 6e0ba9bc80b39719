// What a generated run shows: its trace body as parsed events, and the observations the
// interp guest wrote on fd 3 ("n7 pid 5"), each tied to the process that wrote it (from the
// trace, so no guest-reported identity is trusted) and to the syscall it reports on (that
// process's previous step).

import type { Json } from '../decode.ts';
import type { SimResult } from '../engine.ts';

/** A trace body line, parsed, with its position in the body. */
export interface TraceEvent {
  /** Index in the trace body. */
  i: number;
  step?: number;
  proc?: string;
  sys?: string;
  args?: { [k: string]: Json };
  ret?: Json;
  errno?: string;
  block?: string;
  retry?: boolean;
  event?: string;
  parent?: Json;
  status?: string;
  killed?: string;
  wakes?: string[];
  end?: string;
  [k: string]: Json | undefined;
}

export interface Observation {
  /** Index of the write in the trace body. */
  i: number;
  proc: string;
  node: number;
  /** pid, ppid, fork, wait, ... as interp.c writes them. */
  tag: string;
  /** The rest of the line, split at spaces. */
  vals: string[];
  text: string;
  /** The step that made the call observed: the writer's previous step (none for `set`/`var`/`fd`). */
  call?: TraceEvent;
}

export interface RunView {
  events: TraceEvent[];
  obs: Observation[];
  /** Pid of each process by canonical name. */
  pids: Map<string, number>;
  verdict: SimResult['verdict'];
}

/** The interp guest's observation channel. */
export const OBS_FD = 3;

const OBS_LINE = /^n([0-9]+) ([a-z0-9]+)((?: [^ ]+)*)\n$/;

/** Tags that report on the syscall just before them (the others report no syscall of their own). */
const NO_CALL = new Set(['set', 'var', 'fd']);

/**
 * A traced run as events and the interp guest's observations; with `observations` false
 * (any other program) fd 3 is an ordinary descriptor and there are none.
 */
export function parseRun(r: SimResult, observations = true): RunView {
  if (r.trace === undefined) throw new Error('parseRun: the run was not traced');
  const events = r.trace.lines.map((l, i): TraceEvent => ({ ...(JSON.parse(l) as object), i }));
  const last = new Map<string, TraceEvent>();
  const obs: Observation[] = [];
  for (const e of events) {
    if (e.sys === undefined || e.proc === undefined) continue;
    const buf = e.args?.buf;
    if (observations && e.sys === 'write' && e.args?.fd === OBS_FD && typeof buf === 'string') {
      const m = OBS_LINE.exec(buf);
      if (m === null) throw new Error(`unreadable observation ${JSON.stringify(buf)} at step ${e.step}`);
      const tag = m[2];
      const o: Observation = { i: e.i, proc: e.proc, node: Number(m[1]), tag, vals: m[3].trim() === '' ? [] : m[3].trim().split(' '), text: buf.trimEnd() };
      if (!NO_CALL.has(tag)) o.call = last.get(e.proc);
      obs.push(o);
    } else last.set(e.proc, e);
  }
  return { events, obs, pids: new Map(r.procs.map((p) => [p.name, p.pid])), verdict: r.verdict };
}

/** One line describing an event for failure messages: `step 14 p1 wait4(...) = p2`. */
export function describeEvent(e: TraceEvent): string {
  if (e.event !== undefined) return `step ${e.step} event ${e.event} ${e.proc ?? ''}${e.status !== undefined ? ` (${e.status})` : ''}`.trimEnd();
  if (e.end !== undefined) return `end of run (${e.end}${e.status !== undefined ? `, ${e.status}` : ''})`;
  if (e.sys === undefined) return `step ${e.step} ${e.proc ?? ''} ${JSON.stringify(e)}`;
  const buf = e.args?.buf;
  const what = e.sys === 'write' && e.args?.fd === OBS_FD && typeof buf === 'string' ? `observes "${buf.trimEnd()}"` : `${e.sys}${e.retry ? ' (retry)' : ''}`;
  const out = e.ret !== undefined ? ` = ${JSON.stringify(e.ret)}` : e.errno !== undefined ? ` = ${e.errno}` : e.block !== undefined ? ` blocks (${e.block})` : '';
  return `step ${e.step} ${e.proc} ${what}${out}${e.status !== undefined ? ` [${e.status}]` : ''}${e.killed !== undefined ? ` killed by ${e.killed}` : ''}`;
}
