// Exhaustive search as an exploration (procsim explore --strategy dfs[:PB]): the executions
// of DfsExplorer (../dfs), counted like the runs of a sweep. Every execution uses the sweep
// seed; execution r is "run" r of the tally. The search is one sequence of executions, each
// depending on the ones before, so it runs in one thread, whole.

import { DfsDivergence, DfsExplorer, type DfsOptions } from '../dfs/index.ts';
import { ReplayStrategy } from '../strategies/replay.ts';
import { simulateTarget } from '../target.ts';
import { failureOf, outcomeOf, type Failure, type RunCheck } from './outcome.ts';
import { checksInvariants, type RunListener, runLimits, type SweepSpec, sweepChecks, tracedRuns } from './sweep.ts';
import { outcomeTallyKey, type Tally, TallyBuilder } from './tally.ts';

export interface DfsSearch {
  tally: Tally;
  /** The whole space was searched. */
  complete: boolean;
}

export function runDfs(spec: SweepSpec, opts: DfsOptions, maxExecutions: number, extra: readonly RunCheck[], onRun?: RunListener): DfsSearch {
  const checks = sweepChecks(spec, extra);
  const tally = new TallyBuilder(spec.coverage === true);
  if (maxExecutions === 0) return { tally: tally.tally(), complete: false };
  const dfs = new DfsExplorer({ ...opts, maxExecutions });
  const limits = runLimits(spec);
  for (let strategy = dfs.next(); strategy !== undefined; strategy = dfs.next()) {
    const r = dfs.executions;
    const run = simulateTarget(spec.target, { ...limits, seed: spec.seed, strategy, trace: tracedRuns(spec), invariants: checksInvariants(spec) });
    let failure: Failure | undefined;
    try {
      dfs.done(run);
      failure = failureOf(run, checks);
    } catch (e) {
      if (!(e instanceof DfsDivergence)) throw e;
      failure = { class: 'nondeterministic', message: e.message };
    }
    if (spec.checkDeterminism && failure?.class !== 'nondeterministic') {
      const again = simulateTarget(spec.target, { ...limits, seed: spec.seed, strategy: new ReplayStrategy(run.choices), trace: true });
      if (again.trace!.hash !== run.trace!.hash) {
        failure = { class: 'nondeterministic', message: `execution ${r + 1}: its replay gave trace ${again.trace!.hash}, not ${run.trace!.hash}` };
      }
    }
    const outcome = outcomeOf(run);
    tally.add({ firstRun: r, seed: spec.seed, choices: run.choices }, outcome, failure);
    tally.cover(run.trace);
    onRun?.(failure !== undefined, outcomeTallyKey(outcome));
    // A search that no longer fits the program cannot go on.
    if (failure?.class === 'nondeterministic') break;
  }
  return { tally: tally.tally(), complete: dfs.complete };
}
