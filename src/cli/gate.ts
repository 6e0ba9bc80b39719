// procsim gate: evaluate every gate of phases 0..N against a kernel, print the table, write
// JSON / JUnit reports, and exit 0 only if every gate passes. With no flags it gates phase 0
// on the reference kernel: the main job of the README.

import { DEFAULT_KERNEL_VARIANT, KERNEL_VARIANTS, type KernelVariantName, parseKernelVariant } from '../process/variants/index.ts';
import { evaluateGate, gatesUpTo, selectGates } from '../sim/gates/evaluate.ts';
import type { Gate } from '../sim/gates/gate.ts';
import { gateEntry, makeReport, reportJson, reportJunit, reportText } from '../sim/gates/report.ts';
import { DEFAULT_SUT_RUNS, notJudgedWhy, type SutOptions, sutGates } from '../sut/gate.ts';
import { openSystem, SUT_FLAGS, SUT_HELP } from './sut-flags.ts';
import { checkOutputDir, checkOutputFile, checkSeedRange, type FlagSpec, intFlag, type Parsed, parseArgs, shardFlag, UsageError, writeOutput } from './args.ts';

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
  gates: { value: true, repeat: true },
  out: { value: true },
  shard: { value: true },
  ...SUT_FLAGS,
  'sut-runs': { value: true },
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
  --gates LIST     only these gates, comma-separated (--gates P0.1,P0.3)
  --json FILE      write the report as JSON (pass, gates[] with id, name, phase, pass, runs, counterexample)
  --junit FILE     write the report as JUnit XML, one testcase per gate
  --shard I/N      evaluate only every N-th gate, starting at the I-th (a CI matrix of N jobs
                   covers every gate once; each job writes its own --junit file)
  --out DIR        where failing runs' traces are saved (default ${DEFAULT_OUT})
${SUT_HELP}
                   Under a SUT, P0.1-P0.4 are judged on what the guest observes and on the
                   reference kernel's outcome set, the other gates are listed as not judged.
  --sut-runs N     runs of each program on the SUT (default ${DEFAULT_SUT_RUNS}; its scheduling is its own)
  Exit code: 0 when every gate passes (under --sut: every judged one), 1 when one fails,
  2 for a usage error.`;

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
  const sutRuns = intFlag(args, 'sut-runs', DEFAULT_SUT_RUNS);
  if (sutRuns < 1) throw new UsageError('--sut-runs must be at least 1');
  if (args.flags.has('sut-runs') && !args.flags.has('sut') && !args.flags.has('sut-module')) throw new UsageError('--sut-runs goes with --sut or --sut-module');
  if (args.flags.has('kernel') && (args.flags.has('sut') || args.flags.has('sut-module'))) {
    throw new UsageError('--kernel and --sut exclude each other: under --sut the SUT is what is gated (its outcomes are compared with the reference kernel\'s)');
  }
  let kernel;
  try {
    kernel = parseKernelVariant(args.flags.get('kernel')?.[0] ?? DEFAULT_KERNEL_VARIANT);
  } catch (e) {
    throw new UsageError(`--kernel: ${(e as Error).message}`);
  }
  let gates = gatesUpTo(registry, phase);
  const only = [...(args.flags.get('gate') ?? []), ...(args.flags.get('gates') ?? []).flatMap((l) => l.split(',').map((x) => x.trim()).filter((x) => x !== ''))];
  if (only.length > 0) {
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

  // Opened last: a module loads in a worker thread, which must be closed whatever happens next.
  const opened = await openSystem(args);
  try {
    const sut: SutOptions | undefined = opened === undefined ? undefined : { sut: opened.system, runs, seed, sutRuns, workers: opened.workers, timeoutMs: opened.timeoutMs };
    return await gateOn(gates, sut, { phase, kernel, runs, seed, outDir, shard, args });
  } finally {
    await opened?.system.close();
  }
}

interface GateRun {
  phase: number;
  kernel: KernelVariantName;
  runs: number;
  seed: number;
  outDir: string;
  shard: string | undefined;
  args: Parsed;
}

async function gateOn(gates: readonly Gate[], sut: SutOptions | undefined, o: GateRun): Promise<number> {
  const { phase, kernel, runs, seed, outDir, shard, args } = o;
  const tty = process.stderr.isTTY === true;
  const onSut = sut === undefined ? undefined : new Map(sutGates(sut).map((g) => [g.id, g]));
  const entries = [];
  for (const [i, g] of gates.entries()) {
    if (onSut !== undefined && !onSut.has(g.id)) {
      entries.push(gateEntry(g, { pass: false, runs: 0, notJudged: notJudgedWhy(g.id, g.phase) }, 0));
      continue;
    }
    if (tty) process.stderr.write(`\r\x1b[K[${i + 1}/${gates.length}] ${g.id} ${g.name} ...`);
    const start = performance.now();
    const r = await evaluateGate(onSut?.get(g.id) ?? g, { kernel, runs, seed, outDir });
    entries.push(gateEntry(g, r, (performance.now() - start) / 1000));
  }
  if (tty) process.stderr.write('\r\x1b[K');
  const sutMeta = sut === undefined ? {} : { sut: { label: sut.sut.label, ...sut.sut.describe, sutRuns: sut.sutRuns, timeoutSeconds: sut.timeoutMs / 1000 } };
  const report = makeReport({ phase, kernel, runs, seed, ...sutMeta, ...(shard !== undefined ? { shard } : {}) }, entries);
  process.stdout.write(reportText(report));
  const json = args.flags.get('json')?.[0];
  if (json !== undefined) writeOutput('json', json, reportJson(report));
  const junit = args.flags.get('junit')?.[0];
  if (junit !== undefined) writeOutput('junit', junit, reportJunit(report));
  return report.pass ? 0 : 1;
}
