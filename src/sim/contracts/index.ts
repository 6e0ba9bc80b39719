// Every contract gate of phases 0-2 built from generated programs (the shell smoke, the
// regression and the phase-3 gates live elsewhere).

import type { Gate } from '../gates/gate.ts';
import { PHASE0 } from './phase0.ts';
import { PHASE1 } from './phase1.ts';
import { PHASE2 } from './phase2.ts';
import { type ContractProperty, gateOf } from './property.ts';

export const CONTRACT_PROPERTIES: ContractProperty[] = [...PHASE0, ...PHASE1, ...PHASE2];

export const CONTRACT_GATES: Gate[] = CONTRACT_PROPERTIES.map(gateOf);
