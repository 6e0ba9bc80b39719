// Every contract gate of phases 0-2 built from generated programs (the shell smoke, the
// regression and the phase-3 gates live elsewhere).

import type { Gate } from '../gates/gate.ts';
import type { Verdict } from '../predicates.ts';
import { parseRun } from '../programs/observations.ts';
import type { TargetRun } from '../target.ts';
import { identityHolds, PHASE0, waitHolds } from './phase0.ts';
import { eventOrderHolds, nohangHolds, PHASE1, tableIdentityHolds, wakeupReapHolds } from './phase1.ts';
import { noShortcut, PHASE2, wakeupsHold } from './phase2.ts';
import { type ContractProperty, gateOf } from './property.ts';
import { World } from './world.ts';

export const CONTRACT_PROPERTIES: ContractProperty[] = [...PHASE0, ...PHASE1, ...PHASE2];

export const CONTRACT_GATES: Gate[] = CONTRACT_PROPERTIES.map(gateOf);

/**
 * The contract checks that judge the run of any program, not only a generated one: what they
 * say follows from the trace alone (a generated program's observations add to P0.1 and P0.3;
 * P0.2 and P0.4 are about those observations and stay with generated programs).
 */
const RUN_CHECKS: readonly (readonly [string, (w: World) => Verdict])[] = [
  ['P0.1', identityHolds],
  ['P0.3', waitHolds],
  ['P1.1', tableIdentityHolds],
  ['P1.2', eventOrderHolds],
  ['P1.3', nohangHolds],
  ['P1.4', wakeupReapHolds],
  ['P2.2', wakeupsHold],
  ['P2.3', noShortcut],
];

/** Worlds of traced runs, built once per run however many checks read them. */
const worlds = new WeakMap<TargetRun, World>();

function worldOf(result: TargetRun): World {
  let w = worlds.get(result);
  if (w === undefined) {
    w = new World({ ...parseRun(result, false), program: [] });
    worlds.set(result, w);
  }
  return w;
}

/** The run-level contracts as named checks of a traced run: what breaks one, or undefined. */
export const RUN_CONTRACTS: readonly { name: string; check: (run: TargetRun) => string | undefined }[] = RUN_CHECKS.map(([id, check]) => ({
  name: id,
  check: (run) => {
    const v = check(worldOf(run));
    return v.ok ? undefined : v.message;
  },
}));

/** What the run-level contracts find wrong with a traced run of any program on the reference kernel. */
export function runContractViolations(result: TargetRun): string[] {
  return RUN_CONTRACTS.flatMap((c) => {
    const message = c.check(result);
    return message === undefined ? [] : [`${c.name}: ${message}`];
  });
}
