// A sweep: runs r = 0 .. runs-1 of one target under one strategy, run r with seed S + r.
// Runs are independent of each other (each strategy starts afresh from its seed, with a
// fixed PCT bound), so any subset of run numbers can go to a worker or a shard and the
// parts merge to the whole (tally.ts).

import { type FaultPolicy, type FaultSpec, RandomFaults } from '../faults.ts';
import { parseStrategy } from '../strategies/index.ts';
import { PctStrategy } from '../strategies/pct.ts';
import { type Target, simulateTarget, type TargetRun } from '../target.ts';
import { RUN_CONTRACTS } from '../contracts/index.ts';
import { failureOf, outcomeOf, type RunCheck } from './outcome.ts';
import { outcomeTallyKey, type Tally, TallyBuilder } from './tally.ts';

/** Everything a worker needs to run its part of a sweep (structured-cloneable). */
export interface SweepSpec {
  target: Target;
  /** A strategy spec whose runs do not depend on earlier runs (see fixedStrategy). */
  strategy: string;
  /** Seed of run 0. */
  seed: number;
  maxSteps?: number;
  maxInsns?: number;
  /** Run each seed twice and compare trace hashes. */
  checkDeterminism?: boolean;
  /** Judge every run by the run-level contract properties (src/sim/contracts RUN_CONTRACTS). */
  contracts?: boolean;
  /** Inject these faults, drawn from each run's seed (faults.ts). */
  faults?: FaultSpec;
  /** Check the kernel's bookkeeping after every step (src/process/invariants.ts); on with faults. */
  invariants?: boolean;
  /** Count what the runs exercised (coverage.ts): every run is traced for it. */
  coverage?: boolean;
}

/** Whether a sweep's runs check the kernel's invariants: asked for, or faults are injected. */
export const checksInvariants = (spec: Omit<SweepSpec, 'strategy'>): boolean => spec.invariants === true || spec.faults !== undefined;

/** The fault policy of the run with `seed`, if the sweep injects faults. */
const runFaults = (spec: Omit<SweepSpec, 'strategy'>, seed: number): { faults?: FaultPolicy } =>
  spec.faults !== undefined ? { faults: new RandomFaults(spec.faults, seed) } : {};

/** The checks a sweep's runs get: the contracts if asked for, then the caller's. */
export const sweepChecks = (spec: Omit<SweepSpec, 'strategy'>, extra: readonly RunCheck[] = []): RunCheck[] => [...(spec.contracts ? RUN_CONTRACTS : []), ...extra];

/** Whether a sweep's runs are traced: to compare hashes, or for the contracts to read. */
export const tracedRuns = (spec: Omit<SweepSpec, 'strategy'>): boolean => spec.checkDeterminism === true || spec.contracts === true || spec.coverage === true;

/** The seed of run r. */
export const runSeed = (base: number, r: number): number => base + r;

/** Runs of a learning PCT that fix the bound of a sweep's PCT (fixedStrategy). */
export const PCT_CALIBRATION_RUNS = 8;

/**
 * The strategy spec a sweep uses. PCT without an explicit step bound learns it from earlier
 * runs, which would tie each run to the ones before it; the bound is fixed instead to the
 * most choices any of the first runs of PCT (seeds S .. S+7) made.
 */
export function fixedStrategy(base: Omit<SweepSpec, 'strategy'>, spec: string): string {
  const s = parseStrategy(spec); // throws RangeError on a bad spec
  if (!(s instanceof PctStrategy) || /^pct:\d+:\d+$/.test(spec)) return s.spec;
  let k = 1;
  for (let r = 0; r < PCT_CALIBRATION_RUNS; r++) {
    k = Math.max(k, simulateTarget(base.target, { ...runLimits(base), seed: runSeed(base.seed, r), strategy: s }).choices.length);
  }
  return `pct:${s.depth}:${k}`;
}

/**
 * Bytes of each of stdout and stderr an outcome keeps: a sweep holds every distinct outcome,
 * so a guest writing gigabytes must not be held whole; past this, an outcome keeps the count
 * and a digest of the rest (two runs that differ only there are still two outcomes).
 */
export const OUTCOME_OUTPUT_KEEP = 64 * 1024;

/** The budgets of a sweep's runs, as simulateTarget takes them. */
export const runLimits = (spec: Omit<SweepSpec, 'strategy'>): { maxSteps?: number; maxInsns?: number; keepOutput: number } => ({
  ...(spec.maxSteps !== undefined ? { maxSteps: spec.maxSteps } : {}),
  ...(spec.maxInsns !== undefined ? { maxInsns: spec.maxInsns } : {}),
  keepOutput: OUTCOME_OUTPUT_KEEP,
});

/** Told after each run: whether it failed, and its outcome key. */
export type RunListener = (failed: boolean, outcomeKey: string) => void;

/** Run `runs` (run numbers) of the sweep in this thread. */
export function runSweep(spec: SweepSpec, runs: readonly number[], extra: readonly RunCheck[] = [], onRun?: RunListener): Tally {
  const strategy = parseStrategy(spec.strategy);
  const tally = new TallyBuilder(spec.coverage === true);
  const checks = sweepChecks(spec, extra);
  const once = (seed: number): TargetRun => simulateTarget(spec.target, { ...runLimits(spec), seed, strategy, trace: tracedRuns(spec), invariants: checksInvariants(spec), ...runFaults(spec, seed) });
  for (const r of runs) {
    const seed = runSeed(spec.seed, r);
    const run = once(seed);
    let failure = failureOf(run, checks);
    if (spec.checkDeterminism) {
      const again = once(seed);
      if (again.trace!.hash !== run.trace!.hash) {
        failure = { class: 'nondeterministic', message: `seed ${seed}: two runs gave trace ${run.trace!.hash} and ${again.trace!.hash}` };
      }
    }
    const outcome = outcomeOf(run);
    tally.add({ firstRun: r, seed, choices: run.choices, ...(run.faults.length > 0 ? { faults: run.faults } : {}) }, outcome, failure);
    tally.cover(run.trace);
    onRun?.(failure !== undefined, outcomeTallyKey(outcome));
  }
  return tally.tally();
}
