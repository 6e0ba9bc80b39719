// The dfs strategy as the command line spells it: `dfs` (unbounded, with partial-order
// reduction) or `dfs:PB` (every schedule with at most PB preemptions).

import type { DfsOptions } from './explorer.ts';

export const DFS_SPEC_HELP = 'dfs | dfs:PREEMPTION_BOUND';

/** Options for a dfs spec; undefined if `spec` is not one; a RangeError for a malformed bound. */
export function parseDfsSpec(spec: string): DfsOptions | undefined {
  if (spec === 'dfs') return {};
  if (!spec.startsWith('dfs:')) return undefined;
  const bound = spec.slice(4);
  if (!/^(0|[1-9][0-9]{0,5})$/.test(bound)) throw new RangeError(`bad dfs spec ${JSON.stringify(spec)}: expected ${DFS_SPEC_HELP} with a preemption bound from 0 to 999999`);
  return { preemptionBound: Number(bound) };
}
