// The vitest face of a contract property: the same ContractProperty the gate evaluates,
// run with @fast-check/vitest on the reference kernel. A failure message carries the
// judgement (which steps broke which predicate) and the command that replays the run.
import { test } from '@fast-check/vitest';
import type { KernelVariantName } from '../src/process/variants/index.ts';
import { CHECK_PARAMS, type ContractProperty } from '../src/sim/contracts/property.ts';

/** Generated cases per property in `npm test` (a deep soak is `procsim gate --runs N`). */
export const TEST_RUNS = 200;

export function contractTest(p: ContractProperty, title: string, kernel: KernelVariantName = 'reference'): void {
  test.prop([p.cases], { ...CHECK_PARAMS, numRuns: TEST_RUNS })(`${p.id} ${p.name}: ${title}`, (c) => {
    const { verdict, run } = p.judge(kernel, c);
    if (!verdict.ok) throw new Error(`${verdict.message}\n  program ${run.text}\n  replay: ${run.replay}`);
  });
}

