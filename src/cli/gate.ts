// procsim gate: evaluate every gate of phases 0..N against a kernel, print the table, write
// JSON / JUnit reports, and exit 0 only if every gate passes. With no flags it gates phase 0
// on the reference kernel: the main job of the README.

import { DEFAULT_KERNEL_VARIANT, KERNEL_VARIANTS, parseKernelVariant } from '../process/variants/index.ts';
import { evaluateGate, gatesUpTo, selectGates } from '../sim/gates/evaluate.ts';
import type { Gate } from '../sim/gates/gate.ts';
import { gateEntry, makeReport, reportJson, reportJunit, reportText } from '../sim/gates/report.ts';
import { checkOutputDir, checkOutputFile, checkSeedRange, type FlagSpec, intFlag, parseArgs, shardFlag, UsageError, writeOutput } from './args.ts';

export const DEFAULT_GATE_RUNS = 100;
export const DEFAULT_GATE_SEED = 1;
const DEFAULT_OUT = 'procsim-gate-out';

const GATE_FLAGS: Record<string, FlagSpec> = {
  phase: { value: true },
  kernel: { value: true },
  runs: { value: true },
  seed: { value: true },
  json: { value: true },
  junit: { value: true },
  gate: { value: true, repeat: true },
  out: { value: true },
  shard: { value: true },
};

export const GATE_HELP = `procsim gate [--phase N] [--kernel K] [--runs N] [--seed S] [--json FILE] [--junit FILE]
  Evaluate every gate of phases 0..N of the migration plan (properties over generated
  programs and schedules, named scenarios, real-Linux comparisons, fork cost) against a
  kernel; print a table and each failure's shrunk counterexample with its replay command.
  --phase N        0..3: gates of phases 0 through N (default 0)
  --kernel K       ${KERNEL_VARIANTS.join(' | ')} (default ${DEFAULT_KERNEL_VARIANT})
  --runs N         cases per property; scales every gate (default ${DEFAULT_GATE_RUNS}; deep soak: 20000)
  --seed S         generator seed: the same seed gives the same verdicts (default ${DEFAULT_GATE_SEED})
  --gate ID        only this gate (repeatable: --gate P0.1 --gate P2.1)
  --json FILE      write the report as JSON (pass, gates[] with id, name, phase, pass, runs, counterexample)
  --junit FILE     write the report as JUnit XML, one testcase per gate
  --shard I/N      evaluate only every N-th gate, starting at the I-th (a CI matrix of N jobs
                   covers every gate once; each job writes its own --junit file)
  --out DIR        where failing runs' traces are saved (default ${DEFAULT_OUT})
  Exit code: 0 when every gate passes, 1 when one fails, 2 for a usage error.`;

/** Run the gate command over `registry` (all known gates). */
export async function gateCommand(argv: string[], registry: readonly Gate[]): Promise<number> {
  const args = parseArgs(argv, GATE_FLAGS);
  if (args.positionals.length > 0) throw new UsageError(`gate takes no arguments, got ${JSON.stringify(args.positionals[0])} (see --help)`);
  const phase = intFlag(args, 'phase', 0);
  if (phase > 3) throw new UsageError(`--phase must be 0, 1, 2 or 3, got ${phase}`);
  const runs = intFlag(args, 'runs', DEFAULT_GATE_RUNS);
  if (runs < 1) throw new UsageError('--runs must be at least 1');
  const seed = intFlag(args, 'seed', DEFAULT_GATE_SEED);
  // A gate runs seeds S .. S+runs-1 (at least one per case of its own: a few) and prints
  // replay commands with them.
  checkSeedRange(seed, Math.max(runs, 64));
  let kernel;
  try {
    kernel = parseKernelVariant(args.flags.get('kernel')?.[0] ?? DEFAULT_KERNEL_VARIANT);
  } catch (e) {
    throw new UsageError(`--kernel: ${(e as Error).message}`);
  }
  let gates = gatesUpTo(registry, phase);
  const only = args.flags.get('gate');
  if (only !== undefined) {
    try {
      gates = selectGates(gates, only);
    } catch (e) {
      throw new UsageError(`--gate: ${(e as Error).message} of phases 0..${phase}`);
    }
  }
  const shardSpec = shardFlag(args);
  const shard = shardSpec === undefined ? undefined : `${shardSpec.index}/${shardSpec.count}`;
  if (shardSpec !== undefined) gates = gates.filter((_, i) => i % shardSpec.count === shardSpec.index - 1);
  const outDir = args.flags.get('out')?.[0] ?? DEFAULT_OUT;
  // Every output place is checked before the gates run (minutes), not after.
  checkOutputDir('out', outDir);
  for (const f of ['json', 'junit']) {
    const path = args.flags.get(f)?.[0];
    if (path !== undefined) checkOutputFile(f, path);
  }

  const tty = process.stderr.isTTY === true;
  const entries = [];
  for (const [i, g] of gates.entries()) {
    if (tty) process.stderr.write(`\r\x1b[K[${i + 1}/${gates.length}] ${g.id} ${g.name} ...`);
    const start = performance.now();
    const r = await evaluateGate(g, { kernel, runs, seed, outDir });
    entries.push(gateEntry(g, r, (performance.now() - start) / 1000));
  }
  if (tty) process.stderr.write('\r\x1b[K');
  const report = makeReport({ phase, kernel, runs, seed, ...(shard !== undefined ? { shard } : {}) }, entries);
  process.stdout.write(reportText(report));
  const json = args.flags.get('json')?.[0];
  if (json !== undefined) writeOutput('json', json, reportJson(report));
  const junit = args.flags.get('junit')?.[0];
  if (junit !== undefined) writeOutput('junit', junit, reportJunit(report));
  return report.pass ? 0 : 1;
}
