// What a run of a scenario produced, as a kernel-independent outcome (stdout, stderr, how p1
// ended, how every process ended), and the set of them over an exhaustive search. Output is
// kept as lines (each with its newline) so that a golden file reads like the program's output.

import type { KernelVariantName } from '../../process/variants/index.ts';
import { type Verdict, verdictText } from '../engine.ts';
import { waitStatusText } from '../decode.ts';
import type { Expect, Scenario } from '../scenarios.ts';
import { simulateTarget, type Target, type TargetRun } from '../target.ts';
import { DfsExplorer } from '../dfs/index.ts';

/** The fixed seed of golden runs: kernel randomness (auxv bytes, getrandom) and strategies. */
export const GOLDEN_SEED = 1;
/** Budgets of one golden run: far above what any scenario needs. */
export const GOLDEN_MAX_INSNS = 400_000_000;
export const GOLDEN_MAX_STEPS = 1_500;

export interface Outcome {
  /** p1's end: "exited 0", "killed SIGSEGV", or a verdict line (deadlock, budget, ...). */
  status: string;
  /** Every process's end, by canonical name. */
  procs: Record<string, string>;
  stdout: string[];
  stderr: string[];
  /** A schedule that produced it (the first one the search ran). */
  schedule: string;
}

/** Bytes as lines, each keeping its newline (the last may lack one); latin1, so exact. */
export function outputLines(b: Uint8Array): string[] {
  return Buffer.from(b).toString('latin1').match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

export function statusText(v: Verdict): string {
  return v.kind === 'exit' ? waitStatusText(v.status) : verdictText(v);
}

export function outcomeOf(r: TargetRun): Outcome {
  return {
    status: statusText(r.verdict),
    procs: Object.fromEntries(r.procs.map((p) => [p.name, p.status])),
    stdout: outputLines(r.stdout),
    stderr: outputLines(r.stderr),
    schedule: r.schedule,
  };
}

/** Identity of an outcome: everything but the schedule that found it. */
export function outcomeKey(o: Omit<Outcome, 'schedule'>): string {
  return JSON.stringify([o.status, o.procs, o.stdout, o.stderr]);
}

export interface OutcomeSet {
  scenario: string;
  kernel: KernelVariantName;
  seed: number;
  /** The search (src/sim/dfs): its reduction, preemption bound if any, and execution cap. */
  search: { explorer: 'dfs'; reduction: string; preemptionBound?: number; maxExecutions: number };
  executions: number;
  /** Every schedule within the bounds was run. */
  complete: boolean;
  /** Distinct outcomes, sorted by key. */
  outcomes: Outcome[];
}

/** One run of `target` under `strategy`, with the golden seed and budgets (a scenario may raise the steps). */
export function goldenRun(
  target: Target,
  strategy: Parameters<typeof simulateTarget>[1]['strategy'],
  trace = false,
  maxSteps = GOLDEN_MAX_STEPS,
): TargetRun {
  return simulateTarget(target, { seed: GOLDEN_SEED, strategy, trace, maxInsns: GOLDEN_MAX_INSNS, maxSteps });
}

/**
 * The distinct outcomes of the scenario's exhaustive search: every schedule within its
 * preemption bound, or every one up to partial-order reduction; at most maxExecutions runs.
 */
export function exploreOutcomes(s: Scenario, kernel: KernelVariantName, target: Target): OutcomeSet {
  const explorer = new DfsExplorer(s.search);
  const seen = new Map<string, Outcome>();
  for (let strategy = explorer.next(); strategy !== undefined; strategy = explorer.next()) {
    const r = goldenRun(target, strategy, false, s.search.maxSteps);
    explorer.done(r);
    const o = outcomeOf(r);
    const key = outcomeKey(o);
    if (!seen.has(key)) seen.set(key, o);
  }
  const keys = [...seen.keys()].sort();
  return {
    scenario: s.name,
    kernel,
    seed: GOLDEN_SEED,
    search: { explorer: 'dfs', reduction: explorer.reduction, ...s.search },
    executions: explorer.executions,
    complete: explorer.complete,
    outcomes: keys.map((k) => seen.get(k)!),
  };
}

/** Why an outcome breaks the scenario's Linux-semantics expectations, or undefined. */
export function expectViolation(o: Pick<Outcome, 'status' | 'stdout' | 'stderr'>, e: Expect): string | undefined {
  if (o.status !== e.status) return `p1 ${o.status}, expected ${e.status}`;
  const out = o.stdout.join('');
  if (e.stdout !== undefined && out !== e.stdout) return `stdout ${JSON.stringify(out)}, expected ${JSON.stringify(e.stdout)}`;
  if (e.stdoutLines !== undefined) {
    const got = out.split('\n');
    if (got.at(-1) === '') got.pop();
    const want = [...e.stdoutLines].sort();
    if (JSON.stringify([...got].sort()) !== JSON.stringify(want)) {
      return `stdout lines ${JSON.stringify(got)} are not, in some order, ${JSON.stringify(e.stdoutLines)}`;
    }
  }
  const err = o.stderr.join('');
  if (e.stderr !== undefined && err !== e.stderr) return `stderr ${JSON.stringify(err)}, expected ${JSON.stringify(e.stderr)}`;
  return undefined;
}
