// The exploration report: what `procsim explore --json` writes and `procsim merge` joins.
// Everything in it is a function of the sweep (target, strategy, seed, runs, shard), never
// of how it ran (workers, timing), so equal sweeps give equal reports and the reports of
// the shards of a sweep merge to the report of the whole sweep.

import type { Fault } from '../faults.ts';
import { encodeSchedule } from '../schedule.ts';
import type { ExploreResult, Shard } from './explore.ts';
import type { Outcome } from './outcome.ts';
import { badCoverage, type Coverage, mergeCoverage } from './coverage.ts';
import { failureTallyKey, mergeEntries, outcomeTallyKey } from './tally.ts';
import { replayCommandLine } from '../replay-command.ts';

export const REPORT_FORMAT = 'procsim-explore/1';

/** Where an entry was first seen, and the command that replays that run. */
interface Seen {
  count: number;
  firstRun: number;
  seed: number;
  schedule: string;
  /** `procsim replay --seed S --schedule s1:... TARGET ...`: replays the run exactly. */
  replay: string;
}

export type OutcomeEntry = Outcome & Seen;

export interface ShrunkEntry {
  schedule: string;
  switches: number;
  choices: number;
  /** Candidate runs tried, and whether no candidate improved on the result. */
  tried: number;
  fixpoint: boolean;
  /** Trace hash of the shrunk run. */
  trace: string;
  replay: string;
}

export interface FailureEntry extends Seen {
  class: string;
  message: string;
  shrunk?: ShrunkEntry;
}

export interface Report {
  format: typeof REPORT_FORMAT;
  /** The target part of a replay command (target flags, program, arguments). */
  target: string[];
  strategy: string;
  /** The faults the sweep injected, as --faults spells them. */
  faults?: string;
  /** With --coverage: each syscall's results, the faults injected. */
  coverage?: Coverage;
  seed: number;
  /** Runs of the whole sweep; `runs` counts the ones this report covers. */
  plannedRuns: number;
  /** Shards covered, when not all of them. */
  shard?: { count: number; indexes: number[] };
  runs: number;
  /** Whether the schedule space was searched to completion (exhaustive search only). */
  complete: boolean;
  checkDeterminism: boolean;
  outcomes: OutcomeEntry[];
  failures: FailureEntry[];
}

/** The command that replays the run of `seed` along `schedule`. */
const replayLine = (target: readonly string[], seed: number, schedule: string): string =>
  replayCommandLine(['--seed', String(seed), '--schedule', schedule, ...target]);

export function buildReport(r: ExploreResult, target: string[], checkDeterminism: boolean): Report {
  const seen = (e: { count: number; firstRun: number; seed: number; choices: number[]; faults?: Fault[] }): Seen => {
    const schedule = encodeSchedule(e.choices, e.faults);
    return { count: e.count, firstRun: e.firstRun, seed: e.seed, schedule, replay: replayLine(target, e.seed, schedule) };
  };
  return {
    format: REPORT_FORMAT,
    target,
    strategy: r.strategy,
    ...(r.faults !== undefined ? { faults: r.faults } : {}),
    seed: r.seed,
    plannedRuns: r.plannedRuns,
    ...(r.shard !== undefined && r.shard.count > 1 ? { shard: { count: r.shard.count, indexes: [r.shard.index] } } : {}),
    runs: r.tally.runs,
    complete: r.complete,
    checkDeterminism,
    outcomes: r.tally.outcomes.map(({ stdout, stderr, verdict, procs, ...e }) => ({ stdout, stderr, verdict, procs, ...seen(e) })),
    failures: r.tally.failures.map((f) => {
      const s = r.shrunk.get(f.class);
      const entry: FailureEntry = { class: f.class, message: f.message, ...seen(f) };
      if (s !== undefined) {
        entry.shrunk = {
          schedule: s.run.schedule,
          switches: s.switches,
          choices: s.run.choices.length,
          tried: s.tried,
          fixpoint: s.fixpoint,
          trace: s.run.trace!.hash,
          replay: replayLine(target, f.seed, s.run.schedule),
        };
      }
      return entry;
    }),
    ...(r.tally.coverage !== undefined ? { coverage: r.tally.coverage } : {}),
  };
}

export class MergeError extends Error {}

/** The shards a report covers. */
const shardsOf = (r: Report): Shard[] =>
  r.shard === undefined ? [] : r.shard.indexes.map((index) => ({ index, count: r.shard!.count }));

/** Reports of disjoint shards of one sweep joined into one; all of them: the unsharded report. */
export function mergeReports(reports: readonly Report[]): Report {
  if (reports.length === 0) throw new MergeError('nothing to merge');
  const [first] = reports;
  const sweep = (r: Report) => JSON.stringify([r.format, r.target, r.strategy, r.faults ?? null, r.seed, r.plannedRuns, r.checkDeterminism, r.coverage !== undefined]);
  const indexes = new Set<number>();
  for (const [i, r] of reports.entries()) {
    if (r.format !== REPORT_FORMAT) throw new MergeError(`report ${i + 1}: not a ${REPORT_FORMAT} report`);
    if (sweep(r) !== sweep(first)) throw new MergeError(`report ${i + 1} is of another sweep (target, strategy, faults, seed, runs, --check-determinism or --coverage differ)`);
    const shards = shardsOf(r);
    if (shards.length === 0) throw new MergeError(`report ${i + 1} covers the whole sweep: nothing to merge it with`);
    for (const s of shards) {
      if (s.count !== first.shard!.count) throw new MergeError(`report ${i + 1}: shard ${s.index}/${s.count}, but report 1 has N = ${first.shard!.count}`);
      if (indexes.has(s.index)) throw new MergeError(`shard ${s.index}/${s.count} appears twice`);
      indexes.add(s.index);
    }
  }
  const count = first.shard!.count;
  const all = indexes.size === count;
  return {
    format: REPORT_FORMAT,
    target: first.target,
    strategy: first.strategy,
    ...(first.faults !== undefined ? { faults: first.faults } : {}),
    seed: first.seed,
    plannedRuns: first.plannedRuns,
    ...(all ? {} : { shard: { count, indexes: [...indexes].sort((a, b) => a - b) } }),
    runs: reports.reduce((n, r) => n + r.runs, 0),
    complete: reports.some((r) => r.complete),
    checkDeterminism: first.checkDeterminism,
    outcomes: mergeEntries(reports.map((r) => r.outcomes), outcomeTallyKey),
    failures: mergeEntries(reports.map((r) => r.failures), failureTallyKey),
    ...(first.coverage !== undefined ? { coverage: mergeCoverage(reports.map((r) => r.coverage!)) } : {}),
  };
}

/** The fields of a report and of its entries: anything else (`__proto__` too) is refused. */
const REPORT_FIELDS = ['format', 'target', 'strategy', 'faults', 'seed', 'plannedRuns', 'shard', 'runs', 'complete', 'checkDeterminism', 'outcomes', 'failures', 'coverage'];
const SEEN_FIELDS = ['count', 'firstRun', 'seed', 'schedule', 'replay'];
const OUTCOME_FIELDS = ['stdout', 'stderr', 'verdict', 'procs', ...SEEN_FIELDS];
const FAILURE_FIELDS = ['class', 'message', 'shrunk', ...SEEN_FIELDS];
const SHRUNK_FIELDS = ['schedule', 'switches', 'choices', 'tried', 'fixpoint', 'trace', 'replay'];

/**
 * A report read back from JSON, every field checked (types, ranges, no unknown keys, counts
 * that add up), so that merging it cannot go wrong silently.
 */
export function parseReport(text: string, name: string): Report {
  let r: unknown;
  try {
    r = JSON.parse(text);
  } catch (e) {
    throw new MergeError(`${name}: not JSON (${(e as Error).message})`);
  }
  const bad = (why: string): never => {
    throw new MergeError(`${name}: not a ${REPORT_FORMAT} report: ${why}`);
  };
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const onlyFields = (v: Record<string, unknown>, allowed: readonly string[], what: string): void => {
    for (const k of Object.keys(v)) if (!allowed.includes(k)) bad(`${what} has an unknown field ${JSON.stringify(k)}`);
  };
  const nat = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
  const strings = (v: unknown): boolean => Array.isArray(v) && v.every((a) => typeof a === 'string');
  if (!isObject(r)) return bad('not an object');
  const o = r;
  onlyFields(o, REPORT_FIELDS, 'the report');
  if (o.format !== REPORT_FORMAT) bad(`format is ${JSON.stringify(o.format)}`);
  for (const k of ['seed', 'plannedRuns', 'runs']) {
    if (!Number.isSafeInteger(o[k])) bad(`${k} is not an integer`);
    if (!nat(o[k])) bad(`${k} is negative`);
  }
  const runs = o.runs as number;
  if (runs > (o.plannedRuns as number) && !String(o.strategy).startsWith('dfs')) bad(`runs (${runs}) exceeds plannedRuns (${o.plannedRuns})`);
  if (typeof o.strategy !== 'string') bad('strategy is not a string');
  if (o.faults !== undefined && typeof o.faults !== 'string') bad('faults is not a string');
  if (o.coverage !== undefined) {
    const why = badCoverage(o.coverage);
    if (why !== null) bad(why);
  }
  if (!strings(o.target) || (o.target as string[]).length === 0) bad('target is not a list of strings');
  if (typeof o.complete !== 'boolean' || typeof o.checkDeterminism !== 'boolean') bad('complete or checkDeterminism is not a boolean');
  const entries = (k: string, fields: string[], strs: string[], check: (x: Record<string, unknown>) => void): number => {
    if (!Array.isArray(o[k])) bad(`${k} is not a list`);
    let total = 0;
    for (const e of o[k] as unknown[]) {
      if (!isObject(e) || !Number.isSafeInteger(e.count) || !Number.isSafeInteger(e.firstRun)) return bad(`an entry of ${k} lacks count or firstRun`);
      onlyFields(e, fields, `an entry of ${k}`);
      if ((e.count as number) < 1 || (e.count as number) > runs) bad(`an entry of ${k} has count ${e.count} (want 1..${runs})`);
      if (!nat(e.firstRun) || !nat(e.seed)) bad(`an entry of ${k} has a negative or missing firstRun or seed`);
      for (const f of strs) if (typeof e[f] !== 'string') bad(`an entry of ${k} lacks ${f}`);
      check(e);
      total += e.count as number;
    }
    return total;
  };
  const counted = entries('outcomes', OUTCOME_FIELDS, ['stdout', 'stderr', 'verdict', 'schedule', 'replay'], (e) => {
    if (!strings(e.procs)) bad('an entry of outcomes lacks procs (a list of strings)');
  });
  // Every run has exactly one outcome.
  if (counted !== runs) bad(`the outcome counts add up to ${counted}, not to runs (${runs})`);
  entries('failures', FAILURE_FIELDS, ['class', 'message', 'schedule', 'replay'], (e) => {
    if (e.shrunk === undefined) return;
    const sh = e.shrunk;
    if (!isObject(sh)) return bad('a shrunk entry is not an object');
    onlyFields(sh, SHRUNK_FIELDS, 'a shrunk entry');
    for (const f of ['switches', 'choices', 'tried']) if (!nat(sh[f])) bad(`a shrunk entry has a bad ${f}`);
    for (const f of ['schedule', 'trace', 'replay']) if (typeof sh[f] !== 'string') bad(`a shrunk entry lacks ${f}`);
    if (typeof sh.fixpoint !== 'boolean') bad('a shrunk entry lacks fixpoint');
  });
  if (o.shard !== undefined) {
    const sh = o.shard;
    if (!isObject(sh)) return bad('shard is malformed');
    onlyFields(sh, ['count', 'indexes'], 'shard');
    const count = sh.count;
    const indexes = sh.indexes;
    if (!Number.isSafeInteger(count) || (count as number) < 1 || !Array.isArray(indexes) || indexes.length === 0) bad('shard is malformed');
    const arr = indexes as unknown[];
    if (!arr.every((i) => Number.isSafeInteger(i) && (i as number) >= 1 && (i as number) <= (count as number))) bad(`shard indexes must be integers from 1 to ${count}`);
    if (new Set(arr).size !== arr.length) bad('shard indexes repeat');
  }
  return r as unknown as Report;
}
