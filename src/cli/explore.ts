// procsim explore: run a program under many schedules (a seeded sweep), count its distinct
// outcomes, and shrink each kind of failure to a minimal schedule, with replay commands.

import { availableParallelism } from 'node:os';
import { CapturedConsole } from '../process/console.ts';
import { boot } from '../process/run.ts';
import { DEFAULT_SIM_MAX_INSNS, DEFAULT_SIM_MAX_STEPS } from '../sim/engine.ts';
import { explore, type Progress } from '../sim/explore/explore.ts';
import { PCT_CALIBRATION_RUNS } from '../sim/explore/sweep.ts';
import { coverageLines } from '../sim/explore/coverage.ts';
import { buildReport, type Report } from '../sim/explore/report.ts';
import { DFS_SPEC_HELP, parseDfsSpec } from '../sim/dfs/index.ts';
import { parseStrategy, STRATEGY_HELP } from '../sim/strategies/index.ts';
import { DEFAULT_FAULT_RATE, type FaultSpec, parseFaultSpec } from '../sim/faults.ts';
import { scheduleRun } from '../sim/strategies/replay.ts';
import { simulateTarget } from '../sim/target.ts';
import { checkOutputFile, checkSeedRange, type FlagSpec, intFlag, parseArgs, shardFlag, UsageError, writeOutput } from './args.ts';
import { hermeticTarget, replayedTargetArgs, startOrFail, TARGET_FLAGS } from './target.ts';

const EXPLORE_FLAGS: Record<string, FlagSpec> = {
  ...TARGET_FLAGS,
  strategy: { value: true },
  runs: { value: true },
  workers: { value: true },
  shard: { value: true },
  json: { value: true },
  trace: { value: true },
  stdin: { value: true },
  'max-steps': { value: true },
  'shrink-runs': { value: true },
  'check-determinism': {},
  contracts: {},
  faults: { value: true },
  invariants: {},
  coverage: {},
  swarm: {},
};

const DEFAULT_RUNS = 100;
/** dfs's default bound: a search is asked for to be complete, so only a runaway one stops early. */
const DEFAULT_DFS_RUNS = 100_000;
const DEFAULT_SHRINK_RUNS = 500;

export const EXPLORE_HELP = `procsim explore [flags] ELF [ARGS...] | SCENARIO
  Run a program, or a named scenario (scenarios/NAME.json), under many schedules: run r of
  the sweep uses seed S+r. Prints each distinct outcome (stdout, stderr, how the run ended,
  the status of every process) with its count and a replay command, and each kind of
  failure with the command that replays its first run and the same failure shrunk to the
  fewest context switches, then choices.
  Failures: deadlock, a spent budget, a simulator crash, a process killed by SIGSEGV,
  SIGILL, SIGBUS, SIGFPE or SIGABRT, with --check-determinism two runs of one seed with
  different traces, and with --contracts a run that breaks a contract property.
  --strategy S       ${STRATEGY_HELP} | ${DFS_SPEC_HELP}
                     (default random). A PCT bound left out is fixed to the most choices
                     of 8 PCT runs (seeds S..S+7), so that runs do not depend on each
                     other. dfs searches every schedule (up to reordering independent
                     steps; dfs:PB: every schedule with at most PB preemptions), all with
                     seed S, in one thread (shard 1 runs it whole, the other shards
                     nothing), and says whether it finished.
  --runs N           runs of the whole sweep (default ${DEFAULT_RUNS}); dfs: most executions
                     (default ${DEFAULT_DFS_RUNS}: to completion)
  --seed S           seed of run 0 (default 0)
  --workers K        worker threads, at most the machine's cores (os.availableParallelism;
                     more are capped, with a note on stderr); the report is the same for
                     any K (default 1)
  --shard I/N        only runs r with r % N = I-1, for a CI matrix: procsim merge joins
                     the --json reports of all N shards into the unsharded report
  --json FILE        write the report as JSON (fields: runs, complete, outcomes[], failures[])
  --trace FILE       write the trace of the first failure's shrunk run (unshrunk with
                     --shrink-runs 0), or with no failure of the first run (JSONL, TRACE.md)
  --check-determinism  run every seed twice and compare the trace hashes
  --contracts        judge every run by the contract properties that apply to any program
                     (P0.1, P0.3, P1.1-P1.4, P2.2, P2.3); a violation is a failure
                     "property P1.2", shrunk like the others
  --faults LIST[:RATE]  inject faults Linux may give, each point faulted with chance RATE
                     (default ${DEFAULT_FAULT_RATE}), drawn from the run's seed: fork (fork and clone fail
                     with EAGAIN), mem (mmap, mremap, a growing brk fail with ENOMEM),
                     signal (a handled signal arrives when a syscall blocks: EINTR, or a
                     restart under SA_RESTART), fd (a call that makes a descriptor fails
                     with EMFILE), io (a write to a regular file fails with ENOSPC, fsync
                     with EIO). Faults are in the schedule string (.fb2:
                     p2's 2nd fork failed), replay from it, and a shrunk failure keeps only
                     the faults it needs. Not with dfs. Implies --invariants.
  --swarm            with --faults: each run injects only a subset of the kinds (each on
                     with chance 1/2, at least one), drawn from its seed (swarm testing)
  --invariants       check the kernel's bookkeeping after every step and at the end
                     (descriptors and their counts, pipe ends, wait queues, the process
                     tree, what dead processes hold, locks): a breach is failure
                     "invariant", shrunk like the others (replay always checks)
  --coverage         count what the runs exercised: each syscall's results (ok, blocked,
                     interrupted, each errno) and the faults injected (in the report and
                     its JSON)
  --shrink-runs N    candidate runs per failure when shrinking (default ${DEFAULT_SHRINK_RUNS}; 0: no shrinking)
  --stdin FILE, --max-steps N, --rootfs, --env, --cwd, --kernel, --max-procs, --event-capacity,
  --memory-limit, --max-insns:
                     as for replay (hermetic target, /bin/NAME without --rootfs)
  A progress bar on stderr when it is a terminal.
  Exit code: 0 no failure, 1 failures found, 2 usage error, 126/127 program cannot start.`;

/** A progress bar on stderr when it is a terminal, redrawn at most every 100 ms. */
function progressBar(): { update: (p: Progress) => void; clear: () => void } {
  if (!process.stderr.isTTY) return { update: () => {}, clear: () => {} };
  const start = Date.now();
  let drawn = 0;
  return {
    update(p) {
      const now = Date.now();
      if (now - drawn < 100 && p.done < p.total) return;
      drawn = now;
      const width = 24;
      const filled = p.total === 0 ? width : Math.round((p.done / p.total) * width);
      const rate = p.done / Math.max(0.001, (now - start) / 1000);
      process.stderr.write(
        `\r\x1b[K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total} runs  ${p.outcomes} outcomes  ${p.failures} failures  ${rate.toFixed(0)} runs/s`,
      );
    },
    clear: () => process.stderr.write('\r\x1b[K'),
  };
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** Most lines of an output shown per outcome; the JSON report has all of it. */
const SHOWN_LINES = 16;

/** An output as indented lines after `label`, control bytes escaped, long outputs cut. */
function outputLines(label: string, text: string, out: (line: string) => void): void {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const shown = lines.slice(0, SHOWN_LINES).map((l) => JSON.stringify(l).slice(1, -1));
  if (lines.length > SHOWN_LINES) shown.push(`... ${lines.length - SHOWN_LINES} more lines (in --json)`);
  shown.forEach((l, i) => out(`${i === 0 ? `      ${label}:`.padEnd(14) : ' '.repeat(14)}| ${l}`));
}

/** The report for people. */
export function printReport(r: Report, out: (line: string) => void): void {
  const shard = r.shard === undefined ? '' : `, shards ${r.shard.indexes.join(',')} of ${r.shard.count}`;
  const space = r.strategy.startsWith('dfs') ? `seed ${r.seed} (at most ${r.plannedRuns} executions${shard})` : `seeds from ${r.seed} (sweep of ${r.plannedRuns}${shard})`;
  out(`${plural(r.runs, 'run')} of ${r.target.join(' ')}: strategy ${r.strategy}${r.faults !== undefined ? `, faults ${r.faults}` : ''}, ${space}`);
  out(`${plural(r.outcomes.length, 'distinct outcome')}:`);
  r.outcomes.forEach((o, i) => {
    out(`  #${i + 1}  ${plural(o.count, 'run')} (first: seed ${o.seed})  ${o.verdict}`);
    out(`      procs:  ${o.procs.join(', ')}`);
    if (o.stdout !== '') outputLines('stdout', o.stdout, out);
    if (o.stderr !== '') outputLines('stderr', o.stderr, out);
    out(`      replay: ${o.replay}`);
  });
  if (r.failures.length === 0) out('no failures');
  else out(`${plural(r.failures.length, 'kind')} of failure:`);
  for (const f of r.failures) {
    out(`  ${f.class}: ${plural(f.count, 'run')}, first seed ${f.seed}: ${f.message}`);
    out(`    replay: ${f.replay}`);
    if (f.shrunk !== undefined) {
      const s = f.shrunk;
      out(
        `    shrunk to ${plural(s.switches, 'context switch', 'context switches')}, ${plural(s.choices, 'choice')} ` +
          `(${plural(s.tried, 'candidate run')}${s.fixpoint ? '' : ', budget spent before a fixpoint'}): ${s.schedule}`,
      );
      out(`    trace ${s.trace}`);
      out(`    replay: ${s.replay}`);
    }
  }
  if (r.coverage !== undefined) for (const line of coverageLines(r.coverage)) out(line);
  const searched = r.complete ? 'yes' : r.strategy.startsWith('dfs') ? `no (stopped at ${r.plannedRuns} executions)` : 'no (sampled)';
  out(`executions: ${r.runs}; searched to completion: ${searched}${r.checkDeterminism ? '; every run checked twice, traces compared' : ''}`);
}

export async function exploreCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, EXPLORE_FLAGS);
  const seed = intFlag(args, 'seed', 0);
  const strategy = args.flags.get('strategy')?.[0] ?? 'random';
  const runs = intFlag(args, 'runs', strategy.startsWith('dfs') ? DEFAULT_DFS_RUNS : DEFAULT_RUNS);
  const asked = intFlag(args, 'workers', 1);
  if (asked < 1) throw new UsageError('--workers must be at least 1');
  // Each worker is a thread with its own heap: more of them than cores only costs memory
  // (1000 took 8 GB). The report is the same for any number, so capping changes nothing else.
  const workers = Math.min(asked, availableParallelism());
  if (workers < asked) process.stderr.write(`procsim: --workers ${asked} capped to ${workers}, the cores this machine has\n`);
  const maxInsns = intFlag(args, 'max-insns', DEFAULT_SIM_MAX_INSNS);
  const maxSteps = intFlag(args, 'max-steps', DEFAULT_SIM_MAX_STEPS);
  const shrinkRuns = intFlag(args, 'shrink-runs', DEFAULT_SHRINK_RUNS);
  try {
    if (parseDfsSpec(strategy) === undefined) parseStrategy(strategy);
  } catch (e) {
    throw new UsageError(`--strategy: ${(e as Error).message}`);
  }
  // Run r uses seed S+r (a PCT bound is fixed from seeds S..S+7); dfs runs all use seed S.
  if (parseDfsSpec(strategy) === undefined) checkSeedRange(seed, Math.max(runs, PCT_CALIBRATION_RUNS));
  const shard = shardFlag(args);
  const target = hermeticTarget(args, 'explore');
  const checkDeterminism = args.flags.has('check-determinism');
  const contracts = args.flags.has('contracts');
  const faultsArg = args.flags.get('faults')?.[0];
  let faults: FaultSpec | undefined;
  try {
    faults = faultsArg !== undefined ? parseFaultSpec(faultsArg) : undefined;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (faults !== undefined && parseDfsSpec(strategy) !== undefined) throw new UsageError('--faults works with the random, rr and pct strategies, not dfs');
  if (args.flags.has('swarm')) {
    if (faults === undefined) throw new UsageError('--swarm picks subsets of the --faults kinds: give --faults too');
    faults.swarm = true;
  }
  for (const f of ['json', 'trace']) {
    const path = args.flags.get(f)?.[0];
    if (path !== undefined) checkOutputFile(f, path);
  }
  const booted = startOrFail(target.argv[0], () => boot(target, seed, new CapturedConsole()));
  if (typeof booted === 'number') return booted;

  const bar = progressBar();
  const result = await explore({
    target,
    strategy,
    seed,
    runs,
    workers,
    maxInsns,
    maxSteps,
    checkDeterminism,
    contracts,
    ...(faults !== undefined ? { faults } : {}),
    ...(args.flags.has('invariants') ? { invariants: true } : {}),
    ...(args.flags.has('coverage') ? { coverage: true } : {}),
    shrink: shrinkRuns === 0 ? false : { maxRuns: shrinkRuns },
    onProgress: bar.update,
    ...(shard !== undefined ? { shard } : {}),
  });
  bar.clear();
  const report = buildReport(result, replayedTargetArgs(args), checkDeterminism);
  printReport(report, (line) => process.stdout.write(`${line}\n`));
  for (const note of result.notes) process.stdout.write(`note: ${note}\n`);

  const jsonPath = args.flags.get('json')?.[0];
  if (jsonPath !== undefined) writeOutput('json', jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  const tracePath = args.flags.get('trace')?.[0];
  if (tracePath !== undefined) {
    const shrunk = result.shrunk.get(report.failures[0]?.class ?? '');
    const first = report.failures[0] ?? report.outcomes[0];
    const trace =
      shrunk?.run.trace ??
      (first === undefined
        ? undefined
        : simulateTarget(target, { seed: first.seed, maxInsns, maxSteps, trace: true, ...scheduleRun(first.schedule) }).trace);
    if (trace !== undefined) writeOutput('trace', tracePath, trace.text());
  }
  return report.failures.length > 0 ? 1 : 0;
}
