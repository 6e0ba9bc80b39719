// procsim golden: compare the golden traces and outcome sets (golden/SCENARIO/KERNEL.*) with
// what the code produces now, or rewrite them with --update.

import { KERNEL_VARIANTS, type KernelVariantName, parseKernelVariant } from '../process/variants/index.ts';
import { GoldenError, type GoldenCheck, checkGoldenOutcomes, checkGoldenTrace, writeGolden } from '../sim/golden/golden.ts';
import { findScenario, listScenarios, type Scenario, ScenarioError, scenarioNames } from '../sim/scenarios.ts';
import { parseArgs, UsageError } from './args.ts';

export const GOLDEN_HELP = `procsim golden [--update] [--scenario NAME] [--kernel K]
  Compare the golden files of every scenario (scenarios/*.json) on every kernel with a run
  now: golden/SCENARIO/KERNEL.trace.jsonl (a round-robin run, fixed seed) and
  KERNEL.outcomes.json (the distinct outcomes of the scenario's bounded exhaustive search).
  Prints the first difference of each file that changed. --update rewrites them instead.
  --scenario NAME, --kernel K: only these (repeatable).
  Exit code: 0 when every file matches (or was written), 1 otherwise, 2 for a usage error.`;

function selectedScenarios(names: string[]): Scenario[] {
  if (names.length === 0) return listScenarios();
  return names.map((n) => {
    const s = findScenario(n);
    if (s === undefined) throw new UsageError(`--scenario: no scenario ${JSON.stringify(n)} (scenarios: ${scenarioNames().join(', ')})`);
    return s;
  });
}

function selectedKernels(names: string[]): KernelVariantName[] {
  if (names.length === 0) return [...KERNEL_VARIANTS];
  return names.map((n) => {
    try {
      return parseKernelVariant(n);
    } catch (e) {
      throw new UsageError(`--kernel: ${(e as Error).message}`);
    }
  });
}

export function goldenCommand(argv: string[]): number {
  const args = parseArgs(argv, { update: {}, scenario: { value: true, repeat: true }, kernel: { value: true, repeat: true } });
  if (args.positionals.length > 0) throw new UsageError(`golden takes no arguments, got ${JSON.stringify(args.positionals[0])}`);
  const update = args.flags.has('update');
  let scenarios: Scenario[];
  try {
    scenarios = selectedScenarios(args.flags.get('scenario') ?? []);
  } catch (e) {
    if (e instanceof ScenarioError) {
      process.stderr.write(`procsim: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const kernels = selectedKernels(args.flags.get('kernel') ?? []);
  let failed = 0;
  let files = 0;
  for (const s of scenarios) {
    for (const k of kernels) {
      let checks: GoldenCheck[];
      try {
        checks = [checkGoldenTrace(s, k, { update }), checkGoldenOutcomes(s, k, { update })];
      } catch (e) {
        if (!(e instanceof GoldenError || e instanceof ScenarioError)) throw e;
        process.stderr.write(`procsim: ${e.message}\n`);
        failed++;
        continue;
      }
      for (const c of checks) {
        files++;
        for (const v of c.violations) {
          process.stdout.write(`${c.file}: breaks a contract: ${v}\n`);
          failed++;
        }
        if (update) {
          try {
            if (writeGolden(c)) process.stdout.write(`wrote ${c.file}\n`);
          } catch (e) {
            if (!(e instanceof GoldenError)) throw e;
            process.stderr.write(`procsim: ${e.message}\n`);
            failed++;
          }
        } else if (c.state !== 'same') {
          failed++;
          process.stdout.write(c.state === 'missing' ? `${c.file}: missing (create it with procsim golden --update)\n` : `${c.file}: differs\n${c.diff}\n`);
        }
      }
    }
  }
  process.stdout.write(`procsim golden: ${files} file(s), ${failed} problem(s)${update ? ', updated' : ''}\n`);
  return failed === 0 ? 0 : 1;
}
