// procsim gate --sut: the phase-0 gates P0.1-P0.4 on an external emulator, black-box. Each
// generated program runs on the SUT --sut-runs times (its scheduling is its own); each run's
// marked observations are judged by the gate's predicate and their outcome looked up in the
// reference kernel's outcome set. Programs are first run in parallel (--workers); the first
// failing one is then shrunk by fast-check from the same seed, a shrink candidate counting as
// failing if one of up to --sut-runs runs fails.

import fc from 'fast-check';
import { CHECK_PARAMS } from '../sim/contracts/property.ts';
import type { Gate, GateResult } from '../sim/gates/gate.ts';
import { OK, type Verdict } from '../sim/predicates.ts';
import { forkingProgramArb, programArb } from '../sim/programs/arbitrary.ts';
import { encodeProgram, type Program } from '../sim/programs/program.ts';
import { judgeObserved, type Membership, parentStepsAfterFork, type SutGateId } from '../sim/sut/judge.ts';
import { type EventGateId, judgeEvents } from '../sim/sut/events.ts';
import { type MarkedLine, markedLines, ObservationError } from '../sim/sut/observed.ts';
import { BLOCKED_END, DEFAULT_REFERENCE_BUDGET, referenceOutcomes } from '../sim/sut/reference.ts';
import { pool, type SutRun } from './command.ts';
import { SUT_MAX_OUTPUT, type SystemUnderTest } from './system.ts';

export const DEFAULT_SUT_RUNS = 3;
export const DEFAULT_SUT_TIMEOUT_S = 10;
export const DEFAULT_SUT_WORKERS = 2;
export interface SutOptions {
  sut: SystemUnderTest;
  /** Generated programs per gate. */
  runs: number;
  seed: number;
  /** Runs of each program on the SUT. */
  sutRuns: number;
  timeoutMs: number;
  workers: number;
  /** Executions of the reference search per program. */
  referenceBudget?: number;
}

interface SutGateSpec {
  id: SutGateId | EventGateId;
  name: string;
  phase: 0 | 1;
  statement: string;
  programs: fc.Arbitrary<Program>;
}

// No reads (a real emulator cannot report a deadlock: it would hang until the timeout), and
// no execve outside P0.4 (an emulator that cannot exec would fail every gate on it).
const programs = programArb({ reads: false, exec: false });
const fdPrograms = programArb({ pipeWeight: 3, imageWeight: 2, reads: false });

export const SUT_GATES: readonly SutGateSpec[] = [
  { id: 'P0.1', name: 'identity', statement: 'getpid (each line\'s @pid too), gettid, getppid, getpgid, getsid relate as fork returned them: own pid, parent (or the reaper once it may have exited), groups and sessions', programs },
  { id: 'P0.2', name: 'fork return values and next instruction', statement: 'fork returns the child pid to the parent and 0 to the child as its first observation; memory is private to each side', programs },
  { id: 'P0.3', name: 'wait status and exactly-once resume', statement: 'wait4 returns a child that may match and has exited, with its status, once; 0 only under WNOHANG, ECHILD only with no matching child', programs },
  { id: 'P0.4', name: 'exec isolation', statement: 'execve of the program succeeds, keeps pid and plain fds, closes O_CLOEXEC ones, leaves other processes intact; a failed execve returns ENOENT', programs: fdPrograms },
].map((g) => ({ ...g, id: g.id as SutGateId, phase: 0 as const }));

/** The phase-1 gates a SUT's process-event log decides ({events}, or a module result's events). */
export const SUT_EVENT_GATES: readonly SutGateSpec[] = [
  { id: 'P1.1', name: 'identity from the table', statement: 'the event log passes check-events\' P1.1 (one spawn per pid, a known parent, exits and reaps of live pids), and every pid that wrote an observation was spawned in it', programs },
  { id: 'P1.2', name: 'event stream order and drain', statement: 'the event log passes check-events\' P1.2: sequence numbers in order, every event there or counted as dropped', programs },
  { id: 'P1.4', name: 'wakeup emitted and reaped once', statement: 'the event log passes check-events\' P1.4: each child reaped once, after its exit, its parent\'s wakeup emitted', programs },
].map((g) => ({ ...g, id: g.id as EventGateId, phase: 1 as const }));

/**
 * P2.1 from outside: the SUT's scheduling is its own, so what can be asked is whether any run
 * shows the parent going on after fork while the child lives (the lines' order shows it: the
 * parent's fork line is written once fork returned in it, the child's exit report before it
 * exits). No run at all showing it is a rollback fork's signature.
 */
export const SUT_P21 = {
  id: 'P2.1',
  name: 'the parent continues right after fork',
  phase: 2 as const,
  statement: 'some run on the SUT shows p1 writing after its first fork while the child lives (its fork line before the child\'s exit report, in the order the lines were written)',
  programs: forkingProgramArb({ reads: false, exec: false, pipeWeight: 0 }),
} as const;

/** Why each gate that is not one of SUT_GATES cannot be judged from outside. */
export function notJudgedWhy(id: string, phase: number): string {
  if (id === 'P0.5') return 'busybox sh on a root filesystem: a {rootfs} for the SUT is not supported yet';
  if (id === 'P1.3') return 'it is decided on wait4 results against the table, which an event log does not have (from outside, P0.3 judges WNOHANG\'s 0)';
  if (id === 'P0.6') return 'it compares procsim\'s own kernel with real Linux syscall by syscall';
  if (phase === 1) return 'it needs the SUT\'s process events';
  if (phase === 2) return 'it needs schedules that procsim chooses (from outside, only P2.1 is judged)';
  return 'it measures procsim\'s own fork cost';
}

/** What one SUT run comes to on a gate. */
interface RunJudgement {
  verdict: Verdict;
  membership?: Membership;
  /** On a phase-1 gate: whether the run's event log decided it. */
  events?: 'judged' | 'undecidable' | 'none';
}

const firstLine = (s: string): string => JSON.stringify(s.split('\n').find((l) => l.trim() !== '')?.slice(0, 200) ?? '');

export function judgeSutRun(gate: SutGateId | EventGateId, program: Program, run: SutRun, budget: number, timeoutMs: number): RunJudgement {
  const no = (message: string): RunJudgement => ({ verdict: { ok: false, message } });
  if (run.kind === 'spawn-error') return no(`the SUT command could not be started: ${run.message}`);
  if (run.kind === 'sut-error') return no(run.message);
  if (isEventGate(gate)) return judgeEventsOf(gate, run);
  if (run.kind === 'timeout') return judgeTimeout(gate, program, run, budget, timeoutMs);
  if (run.kind === 'too-large') return no(`output too large: more than ${SUT_MAX_OUTPUT} bytes on stdout or stderr`);
  let lines;
  try {
    lines = markedLines(run.stdout, run.stderr);
  } catch (e) {
    if (e instanceof ObservationError) return no(`unreadable output (${run.status}): ${e.message}`);
    throw e;
  }
  if (lines.length === 0) {
    return no(`no observations: the SUT ${run.status} without running the guest (stderr: ${firstLine(run.stderr)}, stdout: ${firstLine(run.stdout)})`);
  }
  return judgeObserved(gate, program, lines, run.status, () => referenceOutcomes(program, budget));
}

const isEventGate = (id: string): id is EventGateId => id === 'P1.1' || id === 'P1.2' || id === 'P1.4';

/** A phase-1 gate on one run: its event log (a run without one, or one that did not end, says nothing). */
function judgeEventsOf(gate: EventGateId, run: SutRun): RunJudgement {
  if (run.kind !== 'exit' || run.events === undefined) return { verdict: OK, events: 'none' };
  let lines: MarkedLine[];
  try {
    lines = markedLines(run.stdout, run.stderr);
  } catch (e) {
    if (!(e instanceof ObservationError)) throw e;
    lines = [];
  }
  const j = judgeEvents(gate, run.events, lines);
  return { verdict: j.verdict, events: j.decided };
}

/**
 * A run that did not end: right if the reference kernel can block for ever on the program
 * with what the SUT printed until then (an outcome ending BLOCKED_END), else a hang.
 */
function judgeTimeout(gate: SutGateId, program: Program, run: SutRun & { kind: 'timeout' }, budget: number, timeoutMs: number): RunJudgement {
  const hang = run.blocked !== undefined ? `the SUT reports that the run blocks for ever (${run.blocked})` : `timed out: the SUT ran for more than ${timeoutMs / 1000} s`;
  let lines: MarkedLine[] = [];
  try {
    lines = markedLines(run.stdout, run.stderr);
  } catch (e) {
    if (!(e instanceof ObservationError)) throw e; // unreadable: judged as printing nothing
  }
  const ref = referenceOutcomes(program, budget);
  if (lines.length === 0 || lines[0].pid !== 1) {
    if (!ref.blocks) return { verdict: { ok: false, message: hang } };
    const why = lines.length === 0 ? 'printed nothing' : 'is not pid 1 of a pid namespace';
    return { verdict: { ok: false, message: `${hang} (the reference kernel too can block for ever on this program, but p1 ${why}, so the two cannot be compared)` } };
  }
  if (!ref.blocks) {
    if (!ref.complete) return { verdict: { ok: true }, membership: { kind: 'unconfirmed', outcome: BLOCKED_END, note: `${hang}; the reference kernel blocked in none of ${ref.executions} executions of a bounded search` } };
    return { verdict: { ok: false, message: `${hang}, and the reference kernel never blocks on this program (an exhaustive search of ${ref.executions} executions)` } };
  }
  const judged = judgeObserved(gate, program, lines, BLOCKED_END, () => ref, true);
  if (!judged.verdict.ok) return { verdict: { ok: false, message: `${hang}: ${judged.verdict.message}` }, membership: judged.membership };
  return judged;
}

interface Tally {
  runs: number;
  judged: number;
  unconfirmed: number;
  notJudged?: string;
  /** Phase-1 gates: runs whose log decided the contract, could not (drops), or that had none. */
  logs?: { judged: number; undecidable: number; none: number };
}

/**
 * The seed offered to the SUT for run `k` of a program: from the gate's seed and the program's
 * text, so that the same program gets the same seeds while it is shrunk and tried again (a SUT
 * that schedules from the seed then fails the same way); `salt` gives fresh ones.
 */
function runSeed(seed: number, text: string, salt: number, k: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ salt;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h + Math.imul(k, 0xc2b2ae35)) >>> 0;
}

interface Failure {
  run: SutRun;
  judged: RunJudgement;
  /** The seed the failing run was offered. */
  seed: number;
}

/** Run a program on the SUT up to `times` times (in parallel), judging each; the first failing judgement, if any. */
async function tryProgram(g: SutGateSpec, program: Program, times: number, o: SutOptions, tally: Tally, salt = 0): Promise<Failure | undefined> {
  const text = encodeProgram(program);
  const budget = o.referenceBudget ?? DEFAULT_REFERENCE_BUDGET;
  const seeds = Array.from({ length: times }, (_, k) => runSeed(o.seed, text, salt, k));
  const runs = await pool(seeds.map((seed) => () => o.sut.run(text, seed, o.timeoutMs)), o.workers);
  for (const [k, run] of runs.entries()) {
    tally.runs++;
    const judged = judgeSutRun(g.id, program, run, budget, o.timeoutMs);
    if (!judged.verdict.ok) return { run, judged, seed: seeds[k] };
    const m = judged.membership;
    if (m?.kind === 'member') tally.judged++;
    if (m?.kind === 'unconfirmed') tally.unconfirmed++;
    if (m?.kind === 'not judged') tally.notJudged = m.note;
    if (judged.events !== undefined) {
      tally.logs ??= { judged: 0, undecidable: 0, none: 0 };
      tally.logs[judged.events]++;
    }
  }
  return undefined;
}

/** Why a phase-1 gate cannot be judged on this SUT, when it cannot. */
const NO_EVENTS = 'the SUT wrote no process-event log (a command gets one with {events}, a module returns it as result.events: src/sim/EVENTS.md)';

export async function evaluateSutGate(g: SutGateSpec, o: SutOptions): Promise<GateResult> {
  if (g.phase === 1 && o.sut.events === 'no') return { pass: false, runs: 0, notJudged: NO_EVENTS };
  const params = { ...CHECK_PARAMS, numRuns: o.runs, seed: o.seed };
  const cases = fc.sample(g.programs, params);
  const tally: Tally = { runs: 0, judged: 0, unconfirmed: 0 };
  // Every program once, --sut-runs runs each, --workers at a time; stop at the first failure.
  let failedAt = -1;
  let first: RunJudgement | undefined;
  await pool(
    cases.map((p, i) => async () => {
      if (failedAt >= 0 && failedAt < i) return;
      const f = await tryProgram(g, p, o.sutRuns, { ...o, workers: 1 }, tally);
      if (f !== undefined && (failedAt < 0 || i < failedAt)) {
        failedAt = i;
        first = f.judged;
      }
    }),
    o.workers,
  );
  const sut = o.sut.label;
  const membership = tally.notJudged !== undefined ? `outcome membership not judged: ${tally.notJudged}` : `outcome membership: ${tally.judged} runs in the reference kernel's outcome set${tally.unconfirmed > 0 ? `, ${tally.unconfirmed} not among the outcomes a bounded search found (not counted as failures)` : ''}`;
  const logs = tally.logs;
  if (failedAt < 0 && g.phase === 1) {
    if (logs === undefined || logs.judged + logs.undecidable === 0) return { pass: false, runs: cases.length, notJudged: NO_EVENTS };
    const counts = `${logs.judged} runs' event logs judged${logs.undecidable > 0 ? `, ${logs.undecidable} undecidable (events dropped)` : ''}${logs.none > 0 ? `, ${logs.none} runs without a log` : ''}`;
    return { pass: true, runs: cases.length, detail: `${g.statement} (${cases.length} generated programs, ${tally.runs} runs on the ${sut}; ${counts})` };
  }
  if (failedAt < 0) {
    return { pass: true, runs: cases.length, detail: `${g.statement} (${cases.length} generated programs, ${tally.runs} runs on the ${sut}; ${membership})` };
  }
  // Shrink from the failing case: the same seed and generator, straight to its index.
  let last: ({ program: Program } & Failure) | undefined;
  const out = await fc.check(
    fc.asyncProperty(g.programs, async (p) => {
      const f = await tryProgram(g, p, o.sutRuns, o, { runs: 0, judged: 0, unconfirmed: 0 });
      if (f !== undefined) last = { program: p, ...f };
      return f === undefined;
    }),
    { ...params, path: String(failedAt) },
  );
  const found = out.failed && out.counterexample !== null ? last : undefined;
  const shrinks = out.failed ? out.numShrinks : 0;
  const failing = found ?? (await refind(g, cases[failedAt], o, first!));
  const text = encodeProgram(failing.program);
  const why = failing.judged.verdict.ok ? 'failed' : failing.judged.verdict.message;
  const status = failing.run?.kind === 'exit' ? ` (the SUT ${failing.run.status})` : '';
  const summary = `${g.id} ${g.name} fails on ${sut} for program ${text === '' ? "''" : text} (after ${shrinks} shrinks${found === undefined ? '; the shrunk failure did not recur' : ''})${status}: ${why}\nscheduling is the SUT's: the command below may need a few runs to fail again; "steps" are the SUT's observation lines`;
  return { pass: false, runs: failedAt + 1, detail: g.statement, counterexample: { summary, replay: o.sut.reproduce(text, failing.seed ?? runSeed(o.seed, text, 0, 0), g.id) } };
}

/** The failing run of the unshrunk case again (when shrinking could not make it recur). */
async function refind(g: SutGateSpec, program: Program, o: SutOptions, first: RunJudgement): Promise<{ program: Program; run?: SutRun; judged: RunJudgement; seed?: number }> {
  const again = 5;
  for (let k = 1; k <= again; k++) {
    const f = await tryProgram(g, program, o.sutRuns, o, { runs: 0, judged: 0, unconfirmed: 0 }, k);
    if (f !== undefined) return { program, ...f };
  }
  // The first failure's own words, so a failure that does not come back still says what it was.
  const why = first.verdict.ok ? 'failed' : first.verdict.message;
  const v: Verdict = { ok: false, message: `${why} (seen once in ${o.sutRuns} runs and not again in ${again * o.sutRuns} more: a rare interleaving of the SUT's)` };
  return { program, judged: { verdict: v } };
}

/** Whether one run shows P2.1's witness, or why it cannot say. */
export function p21Shown(program: Program, run: SutRun): boolean | string {
  if (run.kind !== 'exit') return run.kind === 'timeout' ? 'timed out' : run.kind;
  try {
    return parentStepsAfterFork(program, markedLines(run.stdout, run.stderr)) ?? 'no fork of p1 with its child\'s exit report';
  } catch (e) {
    if (!(e instanceof ObservationError)) throw e;
    return 'unreadable output';
  }
}

/** P2.1 on the SUT: every program --sut-runs times; it passes when some run showed the parent going on. */
export async function evaluateSutP21(o: SutOptions): Promise<GateResult> {
  const cases = fc.sample(SUT_P21.programs, { ...CHECK_PARAMS, numRuns: o.runs, seed: o.seed });
  let showed = 0;
  let judged = 0;
  const unjudged = new Map<string, number>();
  const skip = (why: string): void => void unjudged.set(why, (unjudged.get(why) ?? 0) + 1);
  const texts = cases.map(encodeProgram);
  const tasks = cases.flatMap((program, i) =>
    Array.from({ length: o.sutRuns }, (_, k) => async () => {
      const shown = p21Shown(program, await o.sut.run(texts[i], runSeed(o.seed, texts[i], 0, k), o.timeoutMs));
      if (typeof shown === 'string') return skip(shown);
      judged++;
      if (shown) showed++;
    }),
  );
  await pool(tasks, o.workers);
  const runs = cases.length * o.sutRuns;
  const notes = [...unjudged].map(([why, n]) => `${n} ${why}`).join(', ');
  const counted = (on: string): string => `${showed} of ${judged} judged runs showed it (${cases.length} generated programs, ${runs} runs${on}${notes !== '' ? `; not judged: ${notes}` : ''})`;
  if (showed > 0) return { pass: true, runs: cases.length, detail: `${SUT_P21.statement}: ${counted(` on the ${o.sut.label}`)}` };
  // The shortest program stands for them all: every run of every program showed the same.
  const shortest = texts.reduce((a, b) => (b.length < a.length ? b : a));
  const why = judged === 0 ? 'no run could be judged' : 'in every run the child ran to its exit report before its parent wrote again, as under a rollback fork';
  return {
    pass: false,
    runs: cases.length,
    detail: SUT_P21.statement,
    counterexample: { summary: `P2.1 ${SUT_P21.name} fails on ${o.sut.label}: ${counted('')}: ${why}`, replay: o.sut.reproduce(shortest, runSeed(o.seed, shortest, 0, 0), SUT_P21.id) },
  };
}

/** The SUT gates as gates of the registry's shape (their options come from the closure). */
export function sutGates(o: SutOptions): Gate[] {
  return [
    ...[...SUT_GATES, ...SUT_EVENT_GATES].map((g): Gate => ({ id: g.id, name: g.name, phase: g.phase, evaluate: () => evaluateSutGate(g, o) })),
    { id: SUT_P21.id, name: SUT_P21.name, phase: SUT_P21.phase, evaluate: () => evaluateSutP21(o) },
  ];
}
