// Exploration: a sweep of many runs of one target (sweep.ts), split over worker threads and
// shards, its distinct outcomes and failures counted (tally.ts), and the first run of each
// failure class shrunk to a minimal schedule (../shrink.ts).
//
// Run r of a sweep with seed S uses seed S + r. Shard I/N takes the runs r with
// r % N == I - 1; K workers take every K-th run of those. Tallies of disjoint runs merge to
// the tally of their union, so the result does not depend on K, and the shards of a sweep
// merge to the unsharded report (report.ts). Shrinking is a function of the failing run
// alone, so it is the same wherever the run was found. Exhaustive search (dfs.ts) is one
// sequence of executions: it runs whole in one thread, in shard 1.

import { Worker } from 'node:worker_threads';
import { parseDfsSpec } from '../dfs/index.ts';
import { type Fault, type FaultSpec, faultSpecText, PlannedFaults } from '../faults.ts';
import { shrinkFaults, type Shrunk, shrinkSchedule, type ShrinkOptions } from '../shrink.ts';
import { GuidedStrategy } from '../strategies/guided.ts';
import { ReplayStrategy } from '../strategies/replay.ts';
import { simulateTarget, type Target, type TargetRun } from '../target.ts';
import { runDfs } from './dfs.ts';
import { failureOf, type RunCheck } from './outcome.ts';
import { checksInvariants, fixedStrategy, runLimits, runSweep, type SweepSpec, sweepChecks, tracedRuns } from './sweep.ts';
import { type FailureTally, mergeTallies, type Tally } from './tally.ts';
import type { WorkerJob, WorkerMessage } from './worker-main.ts';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export interface Progress {
  done: number;
  total: number;
  outcomes: number;
  failures: number;
}

export interface ExploreOptions {
  target: Target;
  /** As the user spelled it: random, rr, pct, pct:D, pct:D:K. */
  strategy: string;
  seed: number;
  /** Runs of the whole sweep (all shards). */
  runs: number;
  shard?: Shard;
  /** Worker threads (default 1: this thread). */
  workers?: number;
  checkDeterminism?: boolean;
  /** Judge every run by the run-level contract properties; a violation is a failure `property P1.2`. */
  contracts?: boolean;
  /** Inject faults (faults.ts), drawn from each run's seed; not with dfs. */
  faults?: FaultSpec;
  /** Check the kernel's bookkeeping after every step (on with faults); a breach is failure `invariant`. */
  invariants?: boolean;
  /** Count what the runs exercised: each syscall's results, the faults injected. */
  coverage?: boolean;
  maxSteps?: number;
  maxInsns?: number;
  /** Properties checked on every run; functions stay in this thread, so only with one worker. */
  checks?: RunCheck[];
  /** Shrinking budget, or false to skip shrinking. */
  shrink?: ShrinkOptions | false;
  onProgress?: (p: Progress) => void;
}

export interface ShrunkFailure {
  /** The minimal run, replayed from its schedule with a trace. */
  run: TargetRun;
  switches: number;
  tried: number;
  fixpoint: boolean;
}

export interface ExploreResult {
  /** The strategy as the runs used it (PCT with its bound fixed). */
  strategy: string;
  /** The faults injected, as --faults spells them. */
  faults?: string;
  seed: number;
  plannedRuns: number;
  shard?: Shard;
  tally: Tally;
  /** By failure class; absent for classes that cannot be shrunk (nondeterministic). */
  shrunk: Map<string, ShrunkFailure>;
  /** Exhaustive search only: the whole space was searched. */
  complete: boolean;
  /** How the sweep ran where that differs from what was asked (dfs in one worker). */
  notes: string[];
}

/** The run numbers of a shard of a sweep of `runs` runs. */
export function shardRuns(runs: number, shard?: Shard): number[] {
  const out: number[] = [];
  const n = shard?.count ?? 1;
  for (let r = (shard?.index ?? 1) - 1; r < runs; r += n) out.push(r);
  return out;
}

export async function explore(opts: ExploreOptions): Promise<ExploreResult> {
  const workers = opts.workers ?? 1;
  if (!Number.isSafeInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer, got ${workers}`);
  if (opts.shard !== undefined && !(opts.shard.index >= 1 && opts.shard.index <= opts.shard.count)) {
    throw new RangeError(`shard ${opts.shard.index}/${opts.shard.count}: I must be from 1 to N`);
  }
  const base: Omit<SweepSpec, 'strategy'> = {
    target: opts.target,
    seed: opts.seed,
    ...(opts.maxSteps !== undefined ? { maxSteps: opts.maxSteps } : {}),
    ...(opts.maxInsns !== undefined ? { maxInsns: opts.maxInsns } : {}),
    ...(opts.checkDeterminism ? { checkDeterminism: true } : {}),
    ...(opts.contracts ? { contracts: true } : {}),
    ...(opts.faults !== undefined ? { faults: opts.faults } : {}),
    ...(opts.invariants ? { invariants: true } : {}),
    ...(opts.coverage ? { coverage: true } : {}),
  };
  const dfs = parseDfsSpec(opts.strategy);
  if (dfs !== undefined && opts.faults !== undefined) throw new RangeError('--faults works with the random, rr and pct strategies, not dfs (it searches schedules, not faults)');
  const spec: SweepSpec = { ...base, strategy: dfs !== undefined ? opts.strategy : fixedStrategy(base, opts.strategy) };
  const runs = shardRuns(opts.runs, opts.shard);
  const notes: string[] = [];

  const keys = new Set<string>();
  let done = 0;
  let failures = 0;
  const onRun = (failed: boolean, key: string, total = runs.length): void => {
    done++;
    if (failed) failures++;
    keys.add(key);
    opts.onProgress?.({ done, total, outcomes: keys.size, failures });
  };
  let tally: Tally;
  let complete = false;
  if (dfs !== undefined) {
    // One search, one thread: shard 1 runs it whole, the other shards have nothing to do.
    if (workers > 1) notes.push(`dfs: the search runs in one thread (--workers ${workers} not used)`);
    const mine = (opts.shard?.index ?? 1) === 1;
    if (!mine) notes.push(`dfs: shard 1/${opts.shard!.count} runs the whole search; this shard runs nothing`);
    const total = mine ? opts.runs : 0;
    ({ tally, complete } = runDfs(spec, dfs, total, opts.checks ?? [], (failed, key) => onRun(failed, key, total)));
  } else {
    const k = Math.max(1, Math.min(workers, runs.length));
    if (k > 1 && (opts.checks?.length ?? 0) > 0) throw new RangeError('run checks need a single worker');
    tally = k === 1 ? runSweep(spec, runs, opts.checks, onRun) : await inWorkers(spec, runs, k, onRun);
  }

  const shrunk = new Map<string, ShrunkFailure>();
  if (opts.shrink !== false) {
    for (const f of tally.failures) {
      if (f.class === 'nondeterministic') continue;
      shrunk.set(f.class, shrinkFailure(spec, f, opts.checks ?? [], opts.shrink ?? {}));
    }
  }
  return { strategy: spec.strategy, ...(opts.faults !== undefined ? { faults: faultSpecText(opts.faults) } : {}), seed: opts.seed, plannedRuns: opts.runs, ...(opts.shard ? { shard: opts.shard } : {}), tally, shrunk, complete, notes };
}

/** Worker w of k takes the runs at positions w, w + k, ... */
async function inWorkers(spec: SweepSpec, runs: number[], k: number, onRun: (failed: boolean, key: string) => void): Promise<Tally> {
  const parts = Array.from({ length: k }, (_, w) => runs.filter((_, i) => i % k === w));
  const tallies = await Promise.all(
    parts.map(
      (part) =>
        new Promise<Tally>((resolve, reject) => {
          const job: WorkerJob = { spec, runs: part };
          const worker = new Worker(new URL('./worker.mjs', import.meta.url), { workerData: job });
          let result: Tally | undefined;
          worker.on('message', (m: WorkerMessage) => {
            if (m.kind === 'run') onRun(m.failed, m.outcome);
            else result = m.tally;
          });
          worker.on('error', reject);
          worker.on('exit', (code) => (result !== undefined ? resolve(result) : reject(new Error(`exploration worker exited with code ${code} before its report`))));
        }),
    ),
  );
  return mergeTallies(tallies);
}

/**
 * Shrink the first run of a failure class; the result replays from its schedule. Faults go
 * first (shrinkFaults), then the schedule shrinks with the faults that are left.
 */
function shrinkFailure(spec: SweepSpec, f: FailureTally, checks: readonly RunCheck[], opts: ShrinkOptions): ShrunkFailure {
  const limits = runLimits(spec);
  const planned = (faults: readonly Fault[]): { faults?: PlannedFaults } => (faults.length > 0 ? { faults: new PlannedFaults(faults) } : {});
  const invariants = checksInvariants(spec);
  const guided = (choices: number[], faults: readonly Fault[]): TargetRun =>
    simulateTarget(spec.target, { ...limits, seed: f.seed, strategy: new GuidedStrategy(choices, 'id'), trace: tracedRuns(spec), invariants, ...planned(faults) });
  const all = sweepChecks(spec, checks);
  const same = (r: TargetRun): boolean => failureOf(r, all)?.class === f.class;
  const few = shrinkFaults(guided(f.choices, f.faults ?? []), guided, same);
  const s: Shrunk<TargetRun> = shrinkSchedule(few.run, (c) => guided(c, few.run.faults), same, opts);
  const run = simulateTarget(spec.target, { ...limits, seed: f.seed, strategy: new ReplayStrategy(s.run.choices), trace: true, invariants, ...planned(s.run.faults) });
  return { run, switches: s.switches, tried: s.tried + few.tried + 1, fixpoint: s.fixpoint };
}
