// Phase 2 contracts: the parent runs on after fork; wait queues and wakeups, no shortcut.
import { describe } from 'vitest';
import { P2_1, P2_2, P2_3 } from '../src/sim/contracts/phase2.ts';
import { contractTest } from './contract.ts';

describe('phase 2: scheduler and wait queues', () => {
  contractTest(P2_1, 'some schedule lets the parent step between its fork and the child\'s exit');
  contractTest(P2_2, 'blocked waits resume only when woken; some schedule shows the child\'s exit waking the wait');
  contractTest(P2_3, 'wait4 blocks while matching children run; some schedule collects a child the wait preceded');
});
