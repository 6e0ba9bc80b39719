// Phase 0 behavioural contracts over generated programs and schedules (plan gates 1-4).
import { describe } from 'vitest';
import { P0_1, P0_2, P0_3, P0_4 } from '../src/sim/contracts/phase0.ts';
import { contractTest } from './contract.ts';

describe('phase 0: identity and lifecycle', () => {
  contractTest(P0_1, 'getpid/getppid/getpgid/getsid are the caller\'s, its parent\'s (or the reaper\'s), its group\'s and session\'s');
  contractTest(P0_2, 'the parent gets the child\'s pid, the child gets 0 as its first step, memory is private');
  contractTest(P0_3, 'wait4 returns an exited matching child with its status, once; 0 and ECHILD as Linux; one completion per call');
  contractTest(P0_4, 'execve in one process leaves the others\' fds and memory alone; plain fds kept, O_CLOEXEC closed');
});
