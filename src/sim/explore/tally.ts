// Counting runs: distinct outcomes and failure classes, each with the first run (lowest run
// number) that produced it. Tallies of disjoint sets of runs merge by summing counts and
// keeping the lowest first run, so any split of a sweep (worker threads, shards) merges to
// exactly the tally of the whole sweep, ordered by first run.

import type { Fault } from '../faults.ts';
import type { Trace } from '../trace.ts';
import { addTrace, type Coverage, emptyCoverage, mergeCoverage, sorted } from './coverage.ts';
import type { Failure, Outcome } from './outcome.ts';

/** Where an entry was first seen: run number r of the sweep, its seed, its choices and faults. */
export interface FirstRun {
  firstRun: number;
  seed: number;
  choices: number[];
  faults?: Fault[];
}

export type OutcomeTally = Outcome & FirstRun & { count: number };
export type FailureTally = Failure & FirstRun & { count: number };

export interface Tally {
  runs: number;
  outcomes: OutcomeTally[];
  failures: FailureTally[];
  /** With --coverage: what the runs exercised. */
  coverage?: Coverage;
}

/**
 * Entries of several disjoint parts joined by `key`: counts summed, the entry of the lowest
 * first run kept, ordered by first run.
 */
export function mergeEntries<T extends { count: number; firstRun: number }>(parts: readonly (readonly T[])[], key: (e: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const part of parts) {
    for (const e of part) {
      const k = key(e);
      const have = byKey.get(k);
      if (have === undefined) byKey.set(k, { ...e });
      else {
        const count = have.count + e.count;
        byKey.set(k, { ...(e.firstRun < have.firstRun ? e : have), count });
      }
    }
  }
  return [...byKey.values()].sort((a, b) => a.firstRun - b.firstRun);
}

/** A tally built run by run, in increasing run numbers: memory grows with distinct entries only. */
export class TallyBuilder {
  private runs = 0;
  private readonly outcomes = new Map<string, OutcomeTally>();
  private readonly failures = new Map<string, FailureTally>();
  private readonly coverage: Coverage | null;

  constructor(coverage = false) {
    this.coverage = coverage ? emptyCoverage() : null;
  }

  /** Count what a run's trace exercised (when the tally keeps coverage). */
  cover(trace: Trace | undefined): void {
    if (this.coverage !== null && trace !== undefined) addTrace(this.coverage, trace);
  }

  add(run: FirstRun, outcome: Outcome, failure: Failure | undefined): void {
    this.runs++;
    count(this.outcomes, outcomeTallyKey(outcome), () => ({ ...outcome, ...run, count: 0 }));
    if (failure !== undefined) count(this.failures, failureTallyKey(failure), () => ({ ...failure, ...run, count: 0 }));
  }

  tally(): Tally {
    const t: Tally = { runs: this.runs, outcomes: [...this.outcomes.values()], failures: [...this.failures.values()] };
    if (this.coverage !== null) t.coverage = sorted(this.coverage);
    return t;
  }
}

function count<T extends { count: number }>(map: Map<string, T>, key: string, first: () => T): void {
  let e = map.get(key);
  if (e === undefined) map.set(key, (e = first()));
  e.count++;
}

export const outcomeTallyKey = (o: Outcome): string => JSON.stringify([o.stdout, o.stderr, o.verdict, o.procs]);
export const failureTallyKey = (f: Failure): string => f.class;

export function mergeTallies(parts: readonly Tally[]): Tally {
  const t: Tally = {
    runs: parts.reduce((n, t) => n + t.runs, 0),
    outcomes: mergeEntries(parts.map((t) => t.outcomes), outcomeTallyKey),
    failures: mergeEntries(parts.map((t) => t.failures), failureTallyKey),
  };
  const covered = parts.flatMap((p) => (p.coverage !== undefined ? [p.coverage] : []));
  if (covered.length > 0) t.coverage = mergeCoverage(covered);
  return t;
}
