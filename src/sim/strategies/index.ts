// Strategies by name, as the CLI and printed replay commands spell them.

import type { Strategy } from '../strategy.ts';
import { PctStrategy } from './pct.ts';
import { RandomStrategy } from './random.ts';
import { RoundRobinStrategy } from './round-robin.ts';

export const STRATEGY_HELP = 'random | rr | pct[:DEPTH[:BOUND]]';

/** A fresh strategy from its spec; a RangeError names the valid forms. */
export function parseStrategy(spec: string): Strategy {
  if (spec === 'random') return new RandomStrategy();
  if (spec === 'rr' || spec === 'round-robin') return new RoundRobinStrategy();
  const pct = /^pct(?::(\d+)(?::(\d+))?)?$/.exec(spec);
  if (pct !== null) {
    const depth = pct[1] === undefined ? undefined : Number(pct[1]);
    const bound = pct[2] === undefined ? undefined : Number(pct[2]);
    return new PctStrategy(depth, bound);
  }
  throw new RangeError(`unknown strategy ${JSON.stringify(spec)} (one of: ${STRATEGY_HELP})`);
}
