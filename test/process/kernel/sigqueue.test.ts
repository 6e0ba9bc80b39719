// Queued signals (rt_sigqueueinfo, rt_tgsigqueueinfo) and taking them synchronously
// (rt_sigtimedwait), as Linux 6.1: real-time signals queue with their siginfo, standard ones
// do not; RLIMIT_SIGPENDING bounds the queue; a waiter takes signals of its set instead of
// their handlers, times out on the virtual clock, and is interrupted by other handled signals.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ERRNO } from '../../../src/process/errno.ts';
import type { Process } from '../../../src/process/process.ts';
import { SIGRTMIN } from '../../../src/process/sigqueue.ts';
import { sigbit, SIGCHLD, SIGHUP, SIGKILL, SIGSEGV, SIGTERM, SIGUSR1, SIGUSR2 } from '../../../src/process/signals.ts';
import { BUF, COUNTER, SYS, World } from './harness.ts';

const SI_USER = 0;
const SI_QUEUE = -1;
const SI_TKILL = -6;
const SIG_BLOCK = 0;
const SIG_SETMASK = 2;
const SIG_IGN = 1;
const RLIMIT_SIGPENDING = 11;

const INFO = BUF + 0x4000; // siginfo argument of rt_sigqueueinfo
const OUT = BUF + 0x4100; // siginfo written by rt_sigtimedwait
const SET = BUF + 0x4200;
const TS = BUF + 0x4300;
const ALL = (1n << 64n) - 1n & ~(sigbit(SIGKILL) | sigbit(19));

function block(w: World, p: Process, set: bigint): void {
  w.putU64(p, SET, set);
  expect(w.sys(p, SYS.rt_sigprocmask, SIG_BLOCK, SET, 0, 8)).toBe(0);
}

/** sigqueue(3) from p as glibc builds it: SI_QUEUE, the sender's pid and uid, si_value. */
function sigqueue(w: World, p: Process, pid: number, sig: number, value: bigint, code = SI_QUEUE) {
  const b = new Uint8Array(128);
  const dv = new DataView(b.buffer);
  dv.setInt32(0, sig, true);
  dv.setInt32(8, code, true);
  dv.setInt32(16, p.pid, true);
  dv.setBigUint64(24, value, true);
  w.poke(p, INFO, b);
  return w.sys(p, SYS.rt_sigqueueinfo, pid, sig, INFO);
}

/** rt_sigtimedwait on `set` (timeout in ns, or none). */
function timedwait(w: World, p: Process, set: bigint, timeoutNs?: bigint) {
  w.putU64(p, SET, set);
  if (timeoutNs !== undefined) w.putU64(p, TS, timeoutNs / 1_000_000_000n, timeoutNs % 1_000_000_000n);
  return w.sys(p, SYS.rt_sigtimedwait, SET, OUT, timeoutNs === undefined ? 0 : TS, 8);
}

/** si_signo, si_code, si_pid, si_value of the siginfo rt_sigtimedwait wrote. */
function taken(w: World, p: Process): [number, number, number, bigint] {
  return [w.i32(p, OUT), w.i32(p, OUT + 8), w.i32(p, OUT + 16), w.u64(p, OUT + 24)];
}

function setrlimit(w: World, p: Process, res: number, v: bigint): void {
  w.putU64(p, BUF, v, v);
  expect(w.sys(p, SYS.setrlimit, res, BUF)).toBe(0);
}

describe('queued signals', () => {
  // The model: one instance of a standard signal (the first one's siginfo); every instance of
  // a real-time one, in order; taken faults first, then by number.
  const SIGS = [SIGHUP, SIGUSR1, SIGSEGV, SIGTERM, SIGRTMIN, SIGRTMIN + 2, SIGRTMIN + 3, 50, 64];
  it('standard signals coalesce, real-time ones queue with their si_value, taken lowest first (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...SIGS), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })), { maxLength: 30 }), (sends) => {
        const w = new World();
        const p = w.init;
        block(w, p, ALL);
        for (const [sig, v] of sends) expect(sigqueue(w, p, p.pid, sig, v)).toBe(0);
        const expected: [number, bigint][] = [];
        const byNumber = [...new Set(sends.map(([s]) => s))].sort((a, b) => (a === SIGSEGV ? -1 : b === SIGSEGV ? 1 : a - b));
        for (const sig of byNumber) {
          const all = sends.filter(([s]) => s === sig);
          expected.push(...(sig < SIGRTMIN ? all.slice(0, 1) : all));
        }
        const got: [number, bigint][] = [];
        for (;;) {
          const r = timedwait(w, p, ALL, 0n);
          if (r === -ERRNO.EAGAIN) break;
          const [signo, code, pid, value] = taken(w, p);
          expect([r, code, pid]).toEqual([signo, SI_QUEUE, p.pid]);
          got.push([signo, value]);
        }
        expect(got).toEqual(expected);
        expect(w.k.sigqueued).toBe(0);
      }),
      { numRuns: 60 },
    );
  });

  it('each queued instance runs its handler once when unblocked (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(SIGUSR1, SIGUSR2, SIGRTMIN + 1, SIGRTMIN + 5, 63), { maxLength: 20 }), (sends) => {
        const w = new World();
        const p = w.init;
        for (const s of new Set(sends)) w.sigaction(p, s, COUNTER);
        block(w, p, ALL);
        for (const s of sends) expect(sigqueue(w, p, p.pid, s, 7n)).toBe(0);
        w.putU64(p, SET, 0n);
        expect(w.sys(p, SYS.rt_sigprocmask, SIG_SETMASK, SET, 0, 8)).toBe(0);
        for (const s of new Set(sends)) {
          const n = sends.filter((x) => x === s).length;
          expect(w.count(p, s)).toBe(s < SIGRTMIN ? 1 : n);
        }
        expect(p.pending).toBe(0n);
      }),
      { numRuns: 40 },
    );
  });

  it("the thread's own set is taken before the process's; a standard signal may be pending in both", () => {
    const w = new World();
    const p = w.init;
    block(w, p, ALL);
    expect(sigqueue(w, p, p.pid, SIGHUP, 1n)).toBe(0);
    expect(w.sys(p, SYS.kill, p.pid, SIGUSR1)).toBe(0);
    expect(w.sys(p, SYS.tgkill, p.pid, p.pid, SIGUSR2)).toBe(0);
    expect(w.sys(p, SYS.tkill, p.pid, SIGUSR1)).toBe(0);
    expect([p.threadPending, p.sharedPending]).toEqual([sigbit(SIGUSR1) | sigbit(SIGUSR2), sigbit(SIGHUP) | sigbit(SIGUSR1)]);
    const order: [number, number][] = [];
    for (let r; (r = timedwait(w, p, ALL, 0n)) !== -ERRNO.EAGAIN; ) order.push([r as number, taken(w, p)[1]]);
    expect(order).toEqual([[SIGUSR1, SI_TKILL], [SIGUSR2, SI_TKILL], [SIGHUP, SI_QUEUE], [SIGUSR1, SI_USER]]);
  });

  it('the handler of a queued signal gets si_code SI_QUEUE, the sender pid and si_value', () => {
    const w = new World();
    const p = w.init;
    const c = w.fork(p);
    w.sigaction(p, SIGRTMIN + 4, COUNTER, 0x4);
    block(w, p, sigbit(SIGRTMIN + 4));
    expect(sigqueue(w, c, p.pid, SIGRTMIN + 4, 0x1234_5678_9abc_def0n)).toBe(0);
    expect(p.sigqueue.map((e) => [e.sig, e.info.code, e.info.pid])).toEqual([[SIGRTMIN + 4, SI_QUEUE, c.pid]]);
    expect(timedwait(w, p, sigbit(SIGRTMIN + 4), 0n)).toBe(SIGRTMIN + 4);
    expect(taken(w, p)).toEqual([SIGRTMIN + 4, SI_QUEUE, c.pid, 0x1234_5678_9abc_def0n]);
    expect(w.count(p, SIGRTMIN + 4)).toBe(0);
  });

  it('kill() queues real-time signals too, with SI_USER and the sender pid', () => {
    const w = new World();
    const p = w.init;
    const c = w.fork(p);
    block(w, p, ALL);
    for (let i = 0; i < 3; i++) expect(w.sys(c, SYS.kill, p.pid, SIGRTMIN + 1)).toBe(0);
    for (let i = 0; i < 3; i++) {
      expect(timedwait(w, p, ALL, 0n)).toBe(SIGRTMIN + 1);
      expect(taken(w, p).slice(0, 3)).toEqual([SIGRTMIN + 1, SI_USER, c.pid]);
    }
    expect(timedwait(w, p, ALL, 0n)).toBe(-ERRNO.EAGAIN);
  });

  it('RLIMIT_SIGPENDING: sigqueue past it fails with EAGAIN; kill and standard signals lose only the siginfo', () => {
    const w = new World();
    const p = w.init;
    w.putU64(p, BUF, 0n, 0n);
    expect(w.sys(p, SYS.getrlimit, RLIMIT_SIGPENDING, BUF)).toBe(0);
    expect([w.u64(p, BUF), w.u64(p, BUF + 8)]).toEqual([15633n, 15633n]);
    setrlimit(w, p, RLIMIT_SIGPENDING, 2n);
    block(w, p, ALL);
    expect(sigqueue(w, p, p.pid, 40, 1n)).toBe(0);
    expect(sigqueue(w, p, p.pid, 40, 2n)).toBe(0);
    expect(sigqueue(w, p, p.pid, 41, 3n)).toBe(-ERRNO.EAGAIN);
    expect(p.pending & sigbit(41)).toBe(0n);
    expect(w.sys(p, SYS.kill, p.pid, 41)).toBe(0); // pending, its siginfo lost
    expect(sigqueue(w, p, p.pid, SIGUSR1, 4n)).toBe(0); // a standard signal: the same
    expect(w.sys(p, SYS.kill, p.pid, SIGUSR2)).toBe(0); // si_code >= 0: exempt from the bound
    expect(w.k.sigqueued).toBe(3);
    expect(timedwait(w, p, ALL, 0n)).toBe(SIGUSR1);
    expect(taken(w, p)).toEqual([SIGUSR1, SI_USER, 0, 0n]);
    expect(timedwait(w, p, ALL, 0n)).toBe(SIGUSR2);
    expect(taken(w, p).slice(0, 3)).toEqual([SIGUSR2, SI_USER, p.pid]);
    expect(timedwait(w, p, ALL, 0n)).toBe(40);
    expect(sigqueue(w, p, p.pid, 42, 5n)).toBe(0); // room again
    expect(timedwait(w, p, ALL, 0n)).toBe(40);
    expect(timedwait(w, p, ALL, 0n)).toBe(41);
    expect(taken(w, p)).toEqual([41, SI_USER, 0, 0n]);
    expect(timedwait(w, p, ALL, 0n)).toBe(42);
    expect(w.k.sigqueued).toBe(0);
  });

  it('the queue is one count for all processes (all root); an exit or SIG_IGN gives its entries back', () => {
    const w = new World();
    const p = w.init;
    setrlimit(w, p, RLIMIT_SIGPENDING, 3n);
    const c = w.fork(p);
    block(w, c, ALL);
    expect(sigqueue(w, p, c.pid, 40, 0n)).toBe(0);
    expect(sigqueue(w, p, c.pid, 40, 0n)).toBe(0);
    expect(sigqueue(w, p, c.pid, 45, 0n)).toBe(0);
    block(w, p, ALL);
    expect(sigqueue(w, p, p.pid, 40, 0n)).toBe(-ERRNO.EAGAIN);
    w.putU64(c, BUF, SIG_IGN, 0, 0);
    expect(w.sys(c, SYS.rt_sigaction, 40, BUF, 0, 8)).toBe(0);
    expect([c.pending, w.k.sigqueued]).toEqual([sigbit(45), 1]);
    expect(w.sys(c, SYS.exit, 0)).toBe('dead');
    expect(p.sigqueue.map((e) => e.sig)).toEqual([SIGCHLD]); // the kernel's SIGCHLD counts too
    expect(w.k.sigqueued).toBe(1);
    expect(sigqueue(w, p, p.pid, 40, 0n)).toBe(0);
  });

  it('rt_sigqueueinfo and rt_tgsigqueueinfo: their errnos, in Linux order', () => {
    const w = new World();
    const p = w.init;
    const c = w.fork(p);
    expect(sigqueue(w, p, c.pid, SIGUSR1, 0n, SI_USER)).toBe(-ERRNO.EPERM); // only toward oneself
    expect(sigqueue(w, p, c.pid, SIGUSR1, 0n, SI_TKILL)).toBe(-ERRNO.EPERM);
    expect(sigqueue(w, p, c.pid, SIGUSR1, 0n, 0x80)).toBe(-ERRNO.EPERM); // SI_KERNEL
    expect(sigqueue(w, p, 999, 65, 0n)).toBe(-ERRNO.ESRCH); // the pid is looked up first
    expect(sigqueue(w, p, 0, SIGUSR1, 0n)).toBe(-ERRNO.ESRCH);
    expect(sigqueue(w, p, -1, SIGUSR1, 0n)).toBe(-ERRNO.ESRCH);
    expect(sigqueue(w, p, c.pid, 65, 0n)).toBe(-ERRNO.EINVAL);
    expect(sigqueue(w, p, c.pid, 0, 0n)).toBe(0);
    expect(w.sys(p, SYS.rt_sigqueueinfo, c.pid, SIGUSR1, 0)).toBe(-ERRNO.EFAULT);
    block(w, p, ALL);
    expect(sigqueue(w, p, p.pid, SIGUSR1, 0n, SI_USER)).toBe(0); // to oneself, anything goes
    const tg = (tgid: number, tid: number, sig: number) => w.sys(p, SYS.rt_tgsigqueueinfo, tgid, tid, sig, INFO);
    sigqueue(w, p, c.pid, 0, 0n); // INFO holds SI_QUEUE again
    expect(tg(c.pid, 0, SIGUSR1)).toBe(-ERRNO.EINVAL);
    expect(tg(0, c.pid, SIGUSR1)).toBe(-ERRNO.EINVAL);
    expect(tg(p.pid, c.pid, SIGUSR1)).toBe(-ERRNO.ESRCH);
    expect(tg(c.pid, c.pid, 65)).toBe(-ERRNO.EINVAL);
    expect(w.sys(p, SYS.rt_tgsigqueueinfo, c.pid, c.pid, SIGUSR1, 0)).toBe(-ERRNO.EFAULT);
    block(w, c, ALL);
    expect(tg(c.pid, c.pid, SIGRTMIN)).toBe(0);
    expect(c.sigqueue.map((e) => [e.sig, e.info.code])).toEqual([[SIGRTMIN, SI_QUEUE]]);
    expect(w.sys(c, SYS.exit, 0)).toBe('dead');
    expect(tg(c.pid, c.pid, SIGRTMIN)).toBe(0); // a zombie: found, the signal dropped
  });
});

describe('rt_sigtimedwait', () => {
  it('blocks until a signal of the set comes, takes it instead of its handler, and leaves others pending', () => {
    const w = new World();
    const p = w.init;
    const c = w.fork(p);
    w.sigaction(p, SIGUSR1, COUNTER);
    w.sigaction(p, SIGRTMIN + 2, COUNTER);
    block(w, p, sigbit(SIGUSR2));
    expect(timedwait(w, p, sigbit(SIGUSR1) | sigbit(SIGRTMIN + 2))).toBe('blocked');
    expect(w.sys(c, SYS.kill, p.pid, SIGUSR2)).toBe(0); // blocked, not waited for: no wakeup
    expect(p.state).toBe('blocked');
    expect(sigqueue(w, c, p.pid, SIGRTMIN + 2, 99n)).toBe(0); // unblocked, with a handler: still taken here
    expect(w.step(p)).toBe(SIGRTMIN + 2);
    expect(taken(w, p)).toEqual([SIGRTMIN + 2, SI_QUEUE, c.pid, 99n]);
    expect(w.count(p, SIGRTMIN + 2)).toBe(0);
    expect(p.pending).toBe(sigbit(SIGUSR2));
  });

  it('times out on the virtual clock with EAGAIN; a zero timeout only polls', () => {
    const w = new World();
    const p = w.init;
    block(w, p, sigbit(SIGUSR1));
    const t0 = w.k.timeNs;
    expect(timedwait(w, p, sigbit(SIGUSR1), 0n)).toBe(-ERRNO.EAGAIN);
    expect(timedwait(w, p, sigbit(SIGUSR1), 2_500_000_000n)).toBe('blocked');
    expect(w.k.skipToNextDeadline()).toBe(true);
    expect(w.step(p)).toBe(-ERRNO.EAGAIN);
    expect(w.k.timeNs - t0).toBeGreaterThanOrEqual(2_500_000_000n);
    expect(w.k.timeNs - t0).toBeLessThan(2_500_100_000n);
  });

  it('a handled signal outside the set interrupts it with EINTR, SA_RESTART or not; a default-action one kills', () => {
    for (const flags of [0, 0x10000000]) {
      const w = new World();
      const p = w.init;
      const c = w.fork(p);
      w.sigaction(p, SIGUSR2, COUNTER, flags);
      block(w, p, sigbit(SIGUSR1));
      expect(timedwait(w, p, sigbit(SIGUSR1), 10_000_000_000n)).toBe('blocked');
      expect(w.sys(c, SYS.kill, p.pid, SIGUSR2)).toBe(0);
      expect(w.step(p)).toBe(-ERRNO.EINTR);
      expect(w.count(p, SIGUSR2)).toBe(1);
    }
    const w = new World();
    const c = w.fork(w.init);
    expect(timedwait(w, c, sigbit(SIGUSR1))).toBe('blocked');
    expect(w.sys(w.init, SYS.kill, c.pid, SIGTERM)).toBe(0);
    expect(w.step(c)).toBe('dead');
    expect(c.waitStatus).toBe(SIGTERM);
  });

  it('an unblocked signal of the set that is ignored is discarded, a blocked one is kept for the waiter', () => {
    const w = new World();
    const p = w.init;
    const c = w.fork(p);
    expect(timedwait(w, p, sigbit(SIGCHLD) | sigbit(SIGUSR1), 10n ** 9n)).toBe('blocked');
    expect(w.sys(c, SYS.kill, p.pid, SIGCHLD)).toBe(0); // SIG_DFL ignores it
    expect(p.state).toBe('blocked');
    w.k.skipToNextDeadline();
    expect(w.step(p)).toBe(-ERRNO.EAGAIN);
    block(w, p, sigbit(SIGCHLD));
    expect(timedwait(w, p, sigbit(SIGCHLD))).toBe('blocked');
    expect(w.sys(c, SYS.kill, p.pid, SIGCHLD)).toBe(0);
    expect(w.step(p)).toBe(SIGCHLD);
  });

  it('bad arguments: sigset size, timespec range, unreadable set; SIGKILL is never taken', () => {
    const w = new World();
    const p = w.init;
    w.putU64(p, SET, sigbit(SIGUSR1));
    expect(w.sys(p, SYS.rt_sigtimedwait, SET, 0, 0, 16)).toBe(-ERRNO.EINVAL);
    w.putU64(p, TS, 0n, 1_000_000_000n);
    expect(w.sys(p, SYS.rt_sigtimedwait, SET, 0, TS, 8)).toBe(-ERRNO.EINVAL);
    w.putU64(p, TS, -1n, 0n);
    expect(w.sys(p, SYS.rt_sigtimedwait, SET, 0, TS, 8)).toBe(-ERRNO.EINVAL);
    expect(w.sys(p, SYS.rt_sigtimedwait, 8, 0, 0, 8)).toBe(-ERRNO.EFAULT);
    block(w, p, sigbit(SIGUSR1));
    expect(w.sys(p, SYS.kill, p.pid, SIGUSR1)).toBe(0);
    expect(w.sys(p, SYS.rt_sigtimedwait, SET, 8, 0, 8)).toBe(-ERRNO.EFAULT); // taken, then the write faults
    expect(p.pending).toBe(0n);
    const c = w.fork(p);
    expect(timedwait(w, c, sigbit(SIGKILL))).toBe('blocked');
    expect(w.sys(p, SYS.kill, c.pid, SIGKILL)).toBe(0);
    expect(w.step(c)).toBe('dead');
    expect(c.waitStatus).toBe(SIGKILL);
  });
});
