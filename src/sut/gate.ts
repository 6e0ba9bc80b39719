// procsim gate --sut: the phase-0 gates P0.1-P0.4 on an external emulator, black-box. Each
// generated program runs on the SUT --sut-runs times (its scheduling is its own); each run's
// marked observations are judged by the gate's predicate and their outcome looked up in the
// reference kernel's outcome set. Programs are first run in parallel (--workers); the first
// failing one is then shrunk by fast-check from the same seed, a shrink candidate counting as
// failing if one of up to --sut-runs runs fails.

import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { CHECK_PARAMS } from '../sim/contracts/property.ts';
import type { Gate, GateResult } from '../sim/gates/gate.ts';
import type { Verdict } from '../sim/predicates.ts';
import { programArb } from '../sim/programs/arbitrary.ts';
import { encodeProgram, type Program } from '../sim/programs/program.ts';
import { SUT_INTERP_ARG } from '../sim/programs/run.ts';
import { judgeObserved, type Membership, type SutGateId } from '../sim/sut/judge.ts';
import { markedLines, ObservationError } from '../sim/sut/observed.ts';
import { DEFAULT_REFERENCE_BUDGET, referenceOutcomes } from '../sim/sut/reference.ts';
import { pool, runSut, shellQuote, type SutCommand, sutArgv, type SutRun } from './command.ts';

export const DEFAULT_SUT_RUNS = 3;
export const DEFAULT_SUT_TIMEOUT_S = 10;
export const DEFAULT_SUT_WORKERS = 2;
/** Most bytes kept of each of stdout and stderr per run. */
export const SUT_MAX_OUTPUT = 1 << 20;

export interface SutOptions {
  cmd: SutCommand;
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
  id: SutGateId;
  name: string;
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
];

/** Why each gate that is not one of SUT_GATES cannot be judged from outside. */
export function notJudgedWhy(id: string, phase: number): string {
  if (id === 'P0.5') return 'busybox sh on a root filesystem: a {rootfs} for the SUT is not supported yet';
  if (id === 'P0.6') return 'it compares procsim\'s own kernel with real Linux syscall by syscall';
  if (phase === 1) return 'it needs the SUT\'s process events ({events}: not supported yet)';
  if (phase === 2) return 'it needs schedules that procsim chooses';
  return 'it measures procsim\'s own fork cost';
}

/** The guest for one gate run: a copy in a scratch directory any user can read (the SUT may drop privileges). */
export function stageGuest(): { elf: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'procsim-sut-'));
  chmodSync(dir, 0o755);
  const elf = join(dir, 'interp-sut');
  copyFileSync(fileURLToPath(new URL(`../../${SUT_INTERP_ARG}`, import.meta.url)), elf);
  chmodSync(elf, 0o755);
  return { elf, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The command that runs `text` on the SUT as a user types it (with the committed guest). */
export function reproduceCommand(cmd: SutCommand, text: string): string {
  const elf = resolve(fileURLToPath(new URL(`../../${SUT_INTERP_ARG}`, import.meta.url)));
  return sutArgv(cmd, elf, [text]).map(shellQuote).join(' ');
}

/** What one SUT run comes to on a gate. */
interface RunJudgement {
  verdict: Verdict;
  membership?: Membership;
}

const firstLine = (s: string): string => JSON.stringify(s.split('\n').find((l) => l.trim() !== '')?.slice(0, 200) ?? '');

export function judgeSutRun(gate: SutGateId, program: Program, run: SutRun, budget: number, timeoutMs: number): RunJudgement {
  const no = (message: string): RunJudgement => ({ verdict: { ok: false, message } });
  if (run.kind === 'spawn-error') return no(`the SUT command could not be started: ${run.message}`);
  if (run.kind === 'timeout') return no(`timed out: the SUT ran for more than ${timeoutMs / 1000} s (programs under --sut cannot block for ever)`);
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

interface Tally {
  runs: number;
  judged: number;
  unconfirmed: number;
  notJudged?: string;
}

/** Run a program on the SUT up to `times` times (in parallel), judging each; the first failing judgement, if any. */
async function tryProgram(g: SutGateSpec, program: Program, times: number, o: SutOptions, elf: string, tally: Tally): Promise<{ run: SutRun; judged: RunJudgement } | undefined> {
  const argv = sutArgv(o.cmd, elf, [encodeProgram(program)]);
  const budget = o.referenceBudget ?? DEFAULT_REFERENCE_BUDGET;
  const runs = await pool(Array.from({ length: times }, () => () => runSut(argv, { timeoutMs: o.timeoutMs, maxOutput: SUT_MAX_OUTPUT, cwd: dirname(elf) })), o.workers);
  for (const run of runs) {
    tally.runs++;
    const judged = judgeSutRun(g.id, program, run, budget, o.timeoutMs);
    if (!judged.verdict.ok) return { run, judged };
    const m = judged.membership;
    if (m?.kind === 'member') tally.judged++;
    if (m?.kind === 'unconfirmed') tally.unconfirmed++;
    if (m?.kind === 'not judged') tally.notJudged = m.note;
  }
  return undefined;
}

export async function evaluateSutGate(g: SutGateSpec, o: SutOptions): Promise<GateResult> {
  const staged = stageGuest();
  try {
    return await evaluateStaged(g, o, staged.elf);
  } finally {
    staged.dispose();
  }
}

async function evaluateStaged(g: SutGateSpec, o: SutOptions, elf: string): Promise<GateResult> {
  const params = { ...CHECK_PARAMS, numRuns: o.runs, seed: o.seed };
  const cases = fc.sample(g.programs, params);
  const tally: Tally = { runs: 0, judged: 0, unconfirmed: 0 };
  // Every program once, --sut-runs runs each, --workers at a time; stop at the first failure.
  let failedAt = -1;
  let first: RunJudgement | undefined;
  await pool(
    cases.map((p, i) => async () => {
      if (failedAt >= 0 && failedAt < i) return;
      const f = await tryProgram(g, p, o.sutRuns, { ...o, workers: 1 }, elf, tally);
      if (f !== undefined && (failedAt < 0 || i < failedAt)) {
        failedAt = i;
        first = f.judged;
      }
    }),
    o.workers,
  );
  const sut = `SUT ${o.cmd.text}`;
  const membership = tally.notJudged !== undefined ? `outcome membership not judged: ${tally.notJudged}` : `outcome membership: ${tally.judged} runs in the reference kernel's outcome set${tally.unconfirmed > 0 ? `, ${tally.unconfirmed} not among the outcomes a bounded search found (not counted as failures)` : ''}`;
  if (failedAt < 0) {
    return { pass: true, runs: cases.length, detail: `${g.statement} (${cases.length} generated programs, ${tally.runs} runs on the ${sut}; ${membership})` };
  }
  // Shrink from the failing case: the same seed and generator, straight to its index.
  let last: { program: Program; run: SutRun; judged: RunJudgement } | undefined;
  const out = await fc.check(
    fc.asyncProperty(g.programs, async (p) => {
      const f = await tryProgram(g, p, o.sutRuns, o, elf, { runs: 0, judged: 0, unconfirmed: 0 });
      if (f !== undefined) last = { program: p, ...f };
      return f === undefined;
    }),
    { ...params, path: String(failedAt) },
  );
  const found = out.failed && out.counterexample !== null ? last : undefined;
  const shrinks = out.failed ? out.numShrinks : 0;
  const failing = found ?? (await refind(g, cases[failedAt], o, elf, first!));
  const text = encodeProgram(failing.program);
  const why = failing.judged.verdict.ok ? 'failed' : failing.judged.verdict.message;
  const status = failing.run?.kind === 'exit' ? ` (the SUT ${failing.run.status})` : '';
  const summary = `${g.id} ${g.name} fails on ${sut} for program ${text === '' ? "''" : text} (after ${shrinks} shrinks${found === undefined ? '; the shrunk failure did not recur' : ''})${status}: ${why}\nscheduling is the SUT's: the command below may need a few runs to fail again; "steps" are the SUT's observation lines`;
  return { pass: false, runs: failedAt + 1, detail: g.statement, counterexample: { summary, replay: reproduceCommand(o.cmd, text) } };
}

/** The failing run of the unshrunk case again (when shrinking could not make it recur). */
async function refind(g: SutGateSpec, program: Program, o: SutOptions, elf: string, first: RunJudgement): Promise<{ program: Program; run?: SutRun; judged: RunJudgement }> {
  const again = 5;
  for (let k = 0; k < again; k++) {
    const f = await tryProgram(g, program, o.sutRuns, o, elf, { runs: 0, judged: 0, unconfirmed: 0 });
    if (f !== undefined) return { program, ...f };
  }
  // The first failure's own words, so a failure that does not come back still says what it was.
  const why = first.verdict.ok ? 'failed' : first.verdict.message;
  const v: Verdict = { ok: false, message: `${why} (seen once in ${o.sutRuns} runs and not again in ${again * o.sutRuns} more: a rare interleaving of the SUT's)` };
  return { program, judged: { verdict: v } };
}

/** The SUT gates as gates of the registry's shape (their options come from the closure). */
export function sutGates(o: SutOptions): Gate[] {
  return SUT_GATES.map((g) => ({ id: g.id, name: g.name, phase: 0, evaluate: () => evaluateSutGate(g, o) }));
}
