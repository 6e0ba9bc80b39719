// The run loop of the simulator. At every decision point each runnable process is first
// brought to its next syscall (in creation order; computing touches nothing shared, so the
// order only moves the virtual clock); then the strategy picks one of the processes at a
// syscall and the kernel executes that step. Time is virtual: when nothing can run, the
// clock jumps to the next timeout; with nothing to wake either, the run is a deadlock. The
// run ends when p1 exits, or with a verdict: deadlock, a spent budget, a schedule that does
// not fit, or a crash of the simulator itself (a bug, reported instead of thrown).

import { brokenInvariant } from '../process/invariants.ts';
import type { Kernel } from '../process/kernel.ts';
import type { Process } from '../process/process.ts';
import type { Json } from './decode.ts';
import { waitStatusText } from './decode.ts';
import { type Fault, FaultInjector, type FaultPolicy } from './faults.ts';
import { stepFootprint } from './footprint.ts';
import { ProcNames } from './names.ts';
import { encodeSchedule } from './schedule.ts';
import { type ProcRef, ScheduleDivergence, type Strategy } from './strategy.ts';
import { EventLogWriter } from './events-log/writer.ts';
import { type Trace, TraceRecorder, type TraceSink, TRACE_VERSION } from './trace.ts';

/** Default budgets of one simulated run. */
export const DEFAULT_SIM_MAX_INSNS = 10_000_000_000;
export const DEFAULT_SIM_MAX_STEPS = 1_000_000;

export type Verdict =
  | { kind: 'exit'; status: number }
  | { kind: 'deadlock'; blocked: { proc: string; reason: string }[] }
  | { kind: 'budget'; budget: 'instructions' | 'steps'; limit: number }
  | { kind: 'divergence'; message: string }
  | { kind: 'invariant'; step: number; message: string }
  | { kind: 'crash'; message: string };

export interface ProcOutcome {
  /** Canonical name (p1, p2, ...). */
  name: string;
  pid: number;
  /** "exited 3", "killed SIGPIPE", or where it still was: "running", "blocked in read". */
  status: string;
}

export interface StepInfo {
  step: number;
  ready: readonly ProcRef[];
  chosen: ProcRef;
}

export interface SimOptions {
  kernel: Kernel;
  /** The first process (p1): the run ends when it exits. */
  init: Process;
  strategy: Strategy;
  maxInsns?: number;
  maxSteps?: number;
  /** Record a trace; these fields go into its header (target, argv, ...); with a sink, it streams there. */
  trace?: { header?: { [k: string]: Json }; sink?: TraceSink };
  /** Write the process-event log (src/sim/EVENTS.md); these fields go into its header; with a sink, it streams there. */
  events?: { header?: { [k: string]: Json }; sink?: (line: string) => void };
  /** Called after each step. */
  onStep?: (info: StepInfo) => void;
  /** Inject faults (faults.ts) where this says. */
  faults?: FaultPolicy;
  /** Check the kernel's bookkeeping (src/process/invariants.ts) after every step and at the end. */
  invariants?: boolean;
}

export interface SimResult {
  verdict: Verdict;
  seed: number;
  /** The strategy as `--strategy` spells it, for this run. */
  strategy: string;
  /** Process chosen at each decision point (two or more ready), by canonical number. */
  choices: number[];
  /** Faults injected, in the order they happened. */
  faults: Fault[];
  /** The choices and faults as a schedule string (`s1:...`). */
  schedule: string;
  steps: number;
  instructions: number;
  /** Every process of the run, in creation order. */
  procs: ProcOutcome[];
  trace?: Trace;
  /** The kernel's drained process events, when asked for. */
  eventLog?: EventLogWriter;
}

/** One line describing a verdict. */
export function verdictText(v: Verdict): string {
  switch (v.kind) {
    case 'exit':
      return `p1 ${waitStatusText(v.status)}`;
    case 'deadlock':
      return `deadlock: every process is blocked (${v.blocked.map((b) => `${b.proc}: ${b.reason}`).join('; ')})`;
    case 'budget':
      return `${v.budget} budget of ${v.limit} exhausted`;
    case 'divergence':
      return `schedule does not fit: ${v.message}`;
    case 'invariant':
      return `kernel invariant broken after step ${v.step}: ${v.message}`;
    case 'crash':
      return `simulator crashed: ${v.message}`;
  }
}

function verdictLine(v: Verdict): { [k: string]: Json } {
  switch (v.kind) {
    case 'exit':
      return { end: 'exit', status: waitStatusText(v.status) };
    case 'deadlock':
      return { end: 'deadlock', blocked: Object.fromEntries(v.blocked.map((b) => [b.proc, b.reason])) };
    case 'budget':
      return { end: 'budget', budget: v.budget, limit: v.limit };
    case 'invariant':
      return { end: v.kind, step: v.step, message: v.message };
    case 'divergence':
    case 'crash':
      return { end: v.kind, message: v.message };
  }
}

export function simulate(opts: SimOptions): SimResult {
  const { kernel: k, init, strategy } = opts;
  const maxInsns = opts.maxInsns ?? DEFAULT_SIM_MAX_INSNS;
  const maxSteps = opts.maxSteps ?? DEFAULT_SIM_MAX_STEPS;
  // Processes are created only by syscalls: names are synced here and after each step.
  const names = new ProcNames();
  names.sync(k);
  // Nothing of the strategy goes into the file: same seed, kernel, target and schedule give
  // the same bytes, whichever strategy made the choices.
  const header = { 'procsim-trace': TRACE_VERSION, seed: k.seed, kernel: k.variant.name, ...opts.trace?.header };
  const rec = opts.trace !== undefined ? new TraceRecorder(k, names, header, opts.trace.sink ?? null) : null;
  const log = opts.events !== undefined ? new EventLogWriter(init.pid, { kernel: k.variant.name, ...opts.events.header }, opts.events.sink) : null;
  /** Drain the kernel's events (only when someone takes them) after step `steps`. */
  const drain = (): void => {
    if (rec === null && log === null) return;
    const d = k.events.drain();
    rec?.events(steps, d);
    log?.drain(d);
  };
  const faults = opts.faults !== undefined ? new FaultInjector(opts.faults) : null;
  if (opts.invariants) k.checkFailedCalls = true;
  faults?.attach(k, names);
  strategy.begin(k.seed);
  const spec = strategy.spec;
  const choices: number[] = [];
  let steps = 0;
  let verdict: Verdict | undefined;

  /** Bring every runnable process to its next syscall; a verdict if the budget runs out. */
  const advanceAll = (): Verdict | undefined => {
    for (const p of k.runnable()) {
      while (p.state === 'running' && !p.atSyscall) {
        if (k.instructions >= maxInsns) return { kind: 'budget', budget: 'instructions', limit: maxInsns };
        k.advance(p, maxInsns - k.instructions);
      }
    }
    return undefined;
  };

  const fireTimers = (skip: boolean): boolean => {
    const before = rec?.timersBefore() ?? [];
    const fired = skip ? k.skipToNextDeadline() : k.fireTimers() > 0;
    rec?.timersFired(steps, before);
    return fired;
  };

  try {
    for (;;) {
      drain();
      if (!init.alive) {
        verdict = { kind: 'exit', status: init.waitStatus };
        break;
      }
      if (k.nextDeadline() <= k.timeNs) fireTimers(false);
      verdict = advanceAll();
      drain();
      if (verdict !== undefined) break;
      if (!init.alive) continue;
      const ready = k.runnable();
      if (ready.length === 0) {
        if (fireTimers(true)) continue;
        const blocked = names.procs
          .filter((q) => q.state === 'blocked' || q.state === 'stopped')
          .map((q) => ({ proc: names.name(q), reason: q.state === 'stopped' ? 'stopped' : q.blockReason }));
        verdict = { kind: 'deadlock', blocked };
        break;
      }
      if (steps >= maxSteps) {
        verdict = { kind: 'budget', budget: 'steps', limit: maxSteps };
        break;
      }
      const refs = ready.map((p): ProcRef => ({ id: names.id(p), name: names.name(p), nr: k.syscallNr(p) }));
      const i = strategy.choose(refs, { step: steps, decision: choices.length, footprint: (j) => stepFootprint(k, ready[j]) });
      if (!(Number.isInteger(i) && i >= 0 && i < refs.length)) throw new Error(`strategy ${spec} chose ${i} of ${refs.length} ready processes`);
      if (refs.length > 1) choices.push(refs[i].id);
      const p = ready[i];
      steps++;
      rec?.beforeStep(steps, p);
      k.execute(p);
      if (faults !== null) {
        faults.afterStep(k, p, names);
        if (faults.stepFault !== null) rec?.markFault(faults.stepFault);
        faults.stepFault = null;
      }
      names.sync(k);
      rec?.afterStep();
      opts.onStep?.({ step: steps, ready: refs, chosen: refs[i] });
      if (opts.invariants) {
        const broken = brokenInvariant(k);
        if (broken !== null) {
          verdict = { kind: 'invariant', step: steps, message: broken };
          break;
        }
      }
    }
    if (opts.invariants && verdict?.kind !== 'invariant') {
      const broken = brokenInvariant(k);
      if (broken !== null) verdict = { kind: 'invariant', step: steps, message: `at the end: ${broken}` };
    }
    // A replay whose run ended before its schedule did does not fit either.
    const misfit = strategy.end?.(choices.length);
    if (misfit !== undefined) verdict = { kind: 'divergence', message: misfit };
  } catch (e) {
    if (e instanceof ScheduleDivergence) verdict = { kind: 'divergence', message: e.message };
    else verdict = { kind: 'crash', message: e instanceof Error ? e.message : String(e) };
  }
  // What a crashed step left in the ring goes to the log; the trace keeps its bytes as they were.
  if (log !== null && k.events.length > 0) log.drain(k.events.drain());
  rec?.detach();
  faults?.detach(k);

  const injected = faults?.injected ?? [];
  const schedule = encodeSchedule(choices, injected);
  const result: SimResult = {
    verdict,
    seed: k.seed,
    strategy: spec,
    choices,
    faults: injected,
    schedule,
    steps,
    instructions: k.instructions,
    procs: names.procs.map((p) => ({ name: names.name(p), pid: p.pid, status: procStatus(p) })),
  };
  if (log !== null) result.eventLog = log;
  if (rec !== null) {
    result.trace = rec.finish(verdictLine(verdict), { schedule, steps, choices: choices.length, instructions: k.instructions });
  }
  return result;
}

function procStatus(p: Process): string {
  if (p.state === 'zombie' || p.state === 'reaped') return waitStatusText(p.waitStatus);
  return p.state === 'blocked' ? `blocked in ${p.blockReason}` : 'running';
}
