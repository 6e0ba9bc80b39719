// Confirmed divergences from Linux in the kernel, one test each, written as Linux behaves
// and marked it.fails until the kernel is fixed (a fixed bug makes its test "unexpectedly
// pass": move it to linux-edges.test.ts then). Every Linux behaviour here was checked with a
// native C probe on Linux 6.x.

import { describe, expect, it } from 'vitest';
import { ERRNO } from '../../../src/process/errno.ts';
import { SIGUSR1 } from '../../../src/process/signals.ts';
import { BUF, HANDLER, SYS, World } from './harness.ts';

const SA_ONSTACK = 0x08000000;
const SS_DISABLE = 2;
const SS_AUTODISARM = 0x80000000;

describe('known kernel bugs (Linux behaviour expected)', () => {
  // SS_AUTODISARM is accepted but not honoured (signal-delivery.ts enterHandler). Linux
  // disarms the alternate stack while a handler runs on it: inside, sigaltstack reports
  // SS_DISABLE and a new stack may be installed; procsim says SS_ONSTACK and EPERM.
  it.fails('SS_AUTODISARM: inside the handler the alternate stack is disarmed', () => {
    const w = new World();
    const p = w.init;
    w.putU64(p, BUF, BUF + 0x10000, SS_AUTODISARM, 0x8000);
    expect(w.sys(p, SYS.sigaltstack, BUF, 0)).toBe(0);
    w.sigaction(p, SIGUSR1, HANDLER, SA_ONSTACK);
    expect(w.sys(p, SYS.kill, 1, SIGUSR1)).toBe(SIGUSR1);
    expect(w.sys(p, SYS.sigaltstack, 0, BUF + 64)).toBe(0);
    expect(w.i32(p, BUF + 72)).toBe(SS_DISABLE);
    w.putU64(p, BUF, BUF + 0x18000, 0, 0x4000);
    expect(w.sys(p, SYS.sigaltstack, BUF, 0)).toBe(0);
  });

  // time.ts nanosleep ignores its rem argument. Linux writes the time left to *rem when a
  // handler interrupts the sleep (EINTR).
  it.fails('nanosleep interrupted by a handler writes the remaining time', () => {
    const w = new World();
    const p = w.init;
    w.sigaction(p, SIGUSR1, HANDLER);
    const c = w.fork(p);
    w.putU64(p, BUF, 5, 0); // 5 s
    w.putU64(p, BUF + 16, 0, 0);
    expect(w.sys(p, SYS.nanosleep, BUF, BUF + 16)).toBe('blocked');
    expect(w.sys(c, SYS.kill, 1, SIGUSR1)).toBe(0);
    expect(w.step(p)).toBe(SIGUSR1);
    expect(w.sys(p, SYS.rt_sigreturn)).toBe(-ERRNO.EINTR);
    expect(w.u64(p, BUF + 16)).toBe(4n); // about 5 s left: procsim leaves 0
  });
});
