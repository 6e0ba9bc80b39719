// Every gate procsim knows: the contract properties over generated programs (P0.1-P0.4,
// P1.x, P2.x) and the scenario, oracle and cost gates (P0.5, P0.6, P3.x).

import { CONTRACT_GATES } from '../contracts/index.ts';
import type { Gate } from './gate.ts';
import { SCENARIO_GATES } from './scenario-gates.ts';

export const ALL_GATES: readonly Gate[] = [...CONTRACT_GATES, ...SCENARIO_GATES];
