// Phase 1 contracts: the process table and its event stream.
import { describe } from 'vitest';
import { P1_1, P1_2, P1_3, P1_4 } from '../src/sim/contracts/phase1.ts';
import { contractTest } from './contract.ts';

describe('phase 1: process table and events', () => {
  contractTest(P1_1, 'one spawn event per process; getpid/getppid answer from the table');
  contractTest(P1_2, 'spawn, exit, wait-wakeup, reap come once each, in lifecycle order, at their step, none dropped');
  contractTest(P1_3, 'wait4(WNOHANG) is 0 exactly while matching children run');
  contractTest(P1_4, 'a collected child is reaped once at the wait\'s step, after a wakeup');
});
