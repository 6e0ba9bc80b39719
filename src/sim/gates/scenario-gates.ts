// The gates built on scenarios, guests and the emulator's structures: shell smoke on busybox
// (P0.5), no regression of the non-fork syscalls (P0.6), fork cost in pages (P3.1) and code
// shared across fork (P3.2). The gate registry (src/sim/gates/index.ts) lists these.

import { CODE_SHARING_GATE } from './code-sharing.ts';
import { FORK_COST_GATE } from './fork-cost.ts';
import type { Gate } from './gate.ts';
import { REGRESSION_GATE } from './regression.ts';
import { SHELL_SMOKE_GATE } from './shell-smoke.ts';

export const SCENARIO_GATES: Gate[] = [SHELL_SMOKE_GATE, REGRESSION_GATE, FORK_COST_GATE, CODE_SHARING_GATE];
