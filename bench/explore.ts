// Exploration benchmarks: schedules per second (whole simulated runs under the random walk,
// as procsim explore runs them, in one thread) beside how many times per second
// qemu-riscv64 runs the same program for real; and how many runs PCT and the random walk
// need to find a planted ordering bug of depth 2; and how many executions exhaustive search
// takes against the distinct outcomes it finds.

import { readFileSync } from 'node:fs';
import { parseDfsSpec } from '../src/sim/dfs/index.ts';
import { runDfs } from '../src/sim/explore/dfs.ts';
import { fixedStrategy, runSweep, type SweepSpec } from '../src/sim/explore/sweep.ts';
import type { Target } from '../src/sim/target.ts';
import { findScenario, scenarioTarget } from '../src/sim/scenarios.ts';
import { requireBusybox } from '../test/support/busybox.ts';
import { guestPath } from '../test/support/guests.ts';
import { qemuPipelinePerSecond, PIPELINE_SCRIPT } from './busybox.ts';
import { duration, haveQemu, median, nowMs, progress, progressDone, rate, REPS, speedup } from './common.ts';
import { qemu } from './runners.ts';

/** The bar of the issue: schedules per second on the glibc fork+wait scenario. */
const FORK_WAIT_BAR = 100;

/** Schedules per second: median over REPS sweeps of `runs` random-walk runs, after a warm-up. */
function schedulesPerSecond(target: Target, runs: number, maxInsns?: number): { rate: number; outcomes: number } {
  const spec: SweepSpec = { target, strategy: 'random', seed: 0, ...(maxInsns !== undefined ? { maxInsns } : {}) };
  const numbers = (from: number) => Array.from({ length: runs }, (_, i) => from + i);
  runSweep(spec, numbers(0).slice(0, Math.max(1, runs >> 2))); // warm the JIT
  const rates: number[] = [];
  let outcomes = 0;
  for (let i = 0; i < REPS; i++) {
    const t = nowMs();
    const tally = runSweep(spec, numbers(runs * (i + 1)));
    rates.push((runs * 1000) / (nowMs() - t));
    outcomes = Math.max(outcomes, tally.outcomes.length);
  }
  return { rate: median(rates), outcomes };
}

/** A named scenario (scenarios/NAME.json) as a target. */
function scenario(name: string): Target {
  const s = findScenario(name);
  if (s === undefined) throw new Error(`no scenario ${name}`);
  return scenarioTarget(s);
}

export function schedulesForkWait(): void {
  const bin = guestPath('fork-wait');
  const target = scenario('fork-wait');
  console.log('\nexploration, schedules per second on named scenarios (random walk, one thread, whole runs):');
  progress('fork-wait schedules on procsim');
  const ours = schedulesPerSecond(target, 200);
  progressDone();
  const met = ours.rate >= FORK_WAIT_BAR ? 'bar met' : 'BAR NOT MET';
  let line = `  fork-wait (glibc fork+wait, 3 children)   procsim ${rate(ours.rate).padStart(6)} schedules/s (distinct outcomes: ${ours.outcomes}; bar ${FORK_WAIT_BAR}/s: ${met})`;
  if (haveQemu) {
    progress('fork-wait on qemu-riscv64');
    qemu(bin, []);
    const q = 1000 / median(Array.from({ length: 4 * REPS }, () => qemu(bin, []).ms));
    progressDone();
    line += `\n${' '.repeat(45)}qemu-riscv64 ${rate(q).padStart(6)} runs/s   ${speedup(ours.rate, q)}`;
  }
  console.log(line);
}

export function schedulesBusybox(): void {
  const missing = requireBusybox('busybox pipeline schedules: skipped');
  if (missing !== null) return console.log(`  ${missing}`);
  const target = scenario('pipeline');
  // Beside qemu running the same script (bench/busybox.ts).
  if (target.argv.at(-1) !== PIPELINE_SCRIPT) throw new Error(`scenario pipeline runs ${JSON.stringify(target.argv)}, not ${PIPELINE_SCRIPT}`);
  progress('busybox pipeline schedules on procsim');
  const ours = schedulesPerSecond(target, 20, 300_000_000);
  progressDone();
  let line = `  pipeline (busybox sh -c '${PIPELINE_SCRIPT}') procsim ${rate(ours.rate).padStart(6)} schedules/s (distinct outcomes: ${ours.outcomes})`;
  const q = qemuPipelinePerSecond();
  if (typeof q === 'number') line += `\n${' '.repeat(45)}qemu-riscv64 ${rate(q).padStart(6)} runs/s   ${speedup(ours.rate, q)}`;
  else line += `\n  ${q}`;
  console.log(line);
}

/** Most executions of one exhaustive search in the bench. */
const DFS_MAX = 20_000;

/** Runs per sweep in the PCT-vs-random comparison. */
const FIND_RUNS = 1000;

/** planted-order N: runs until the first failure and failing runs, per strategy. */
export function pctVersusRandom(): void {
  const elf = new Uint8Array(readFileSync(guestPath('planted-order')));
  const strategies = ['random', 'pct:2', 'pct:3'];
  console.log(
    `\nplanted depth-2 ordering bug (scenarios/guests/planted-order.c N: child A makes N steps first),` +
      `\n${FIND_RUNS} runs from seed 0 per cell: runs until the first failure, and failing runs:`,
  );
  console.log(`  ${'N'.padStart(4)}${strategies.map((s) => s.padStart(22)).join('')}`);
  for (const n of [1, 2, 4, 8, 20]) {
    const base = { target: { path: '/bin/planted-order', elf, argv: ['planted-order', String(n)] }, seed: 0 };
    const cells = strategies.map((strategy) => {
      progress(`planted-order ${n}: ${strategy}`);
      let runs = 0;
      let first = 0;
      let failing = 0;
      runSweep({ ...base, strategy: fixedStrategy(base, strategy) }, Array.from({ length: FIND_RUNS }, (_, r) => r), [], (failed) => {
        runs++;
        if (failed && failing++ === 0) first = runs;
      });
      return failing === 0 ? `not found (0/${FIND_RUNS})` : `${first} (${failing}/${FIND_RUNS})`;
    });
    progressDone();
    console.log(`  ${String(n).padStart(4)}${cells.map((c) => c.padStart(22)).join('')}`);
  }
}

/** dfs on the 3-child race (scenario fork-wait): executions against distinct outcomes, per bound. */
export function dfsForkWait(): void {
  const target = scenario('fork-wait');
  console.log('\nexhaustive search on the 3-child race (scenario fork-wait), executions against distinct outcomes:');
  console.log(`  ${'strategy'.padEnd(10)}${'executions'.padStart(12)}${'outcomes'.padStart(10)}${'complete'.padStart(10)}${'time'.padStart(12)}`);
  for (const strategy of ['dfs', 'dfs:0', 'dfs:1', 'dfs:2']) {
    progress(`fork-wait: ${strategy}`);
    const t = nowMs();
    const r = runDfs({ target, strategy, seed: 0 }, parseDfsSpec(strategy)!, DFS_MAX, []);
    const ms = nowMs() - t;
    progressDone();
    console.log(
      `  ${strategy.padEnd(10)}${String(r.tally.runs).padStart(12)}${String(r.tally.outcomes.length).padStart(10)}${(r.complete ? 'yes' : 'no').padStart(10)}${duration(ms).padStart(12)}`,
    );
  }
  console.log('  (dfs: source-DPOR with sleep sets; dfs:PB: every schedule with at most PB preemptions, no reduction)');
}
