// Numbers a guest chooses (signal numbers, exit signals, wait options, commands, resource
// numbers, clock ids, times) never index a host table out of range nor break the host:
// any 64-bit value gets a Linux errno or a result, in the call itself and in everything
// that happens later (a child's exit, a delivery, a timer).

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ERRNO } from '../../../src/process/errno.ts';
import { EPOCH_SEC, type Kernel } from '../../../src/process/kernel.ts';
import type { Process } from '../../../src/process/process.ts';
import { SIGKILL } from '../../../src/process/signals.ts';
import { A0, A7, BUF, SYS, World } from './harness.ts';

const WNOHANG = 1;
const CLOCK_MONOTONIC = 1;
const __WALL = 0x40000000;

/** Run every process that is between syscalls to its next one (or its death). */
function settle(k: Kernel): void {
  for (const q of [...k.procs.values()]) {
    for (let n = 0; n < 20 && q.state === 'running' && !q.atSyscall; n++) k.advance(q, 10_000);
  }
}

/** Issue syscall nr with raw 64-bit arguments straight to the kernel (no harness in between). */
function raw(k: Kernel, p: Process, nr: number, args: readonly bigint[]): void {
  p.cpu.setX(A7, BigInt(nr));
  args.forEach((v, i) => p.cpu.setX(A0 + i, BigInt.asUintN(64, v)));
  k.execute(p);
  settle(k);
}

const atSyscall = (k: Kernel): Process[] => [...k.procs.values()].filter((q) => q.state === 'running' && q.atSyscall);

/** Every process but pid 1 exits (or is killed when it cannot), then pid 1 collects them. */
function windDown(w: World): void {
  const k = w.k;
  for (let round = 0; round < 4; round++) {
    for (const q of [...k.procs.values()]) {
      if (q === w.init || !q.alive) continue;
      if (q.state === 'running' && q.atSyscall) raw(k, q, SYS.exit, [3n]);
      else k.sendSignal(q, SIGKILL, { code: 0, pid: 0 });
    }
    settle(k);
    for (const q of atSyscall(k)) if (q !== w.init && q.blockedIn >= 0) raw(k, q, q.blockedIn, []);
    if (!w.init.alive) return;
    if (w.init.state === 'running' && w.init.atSyscall) raw(k, w.init, SYS.wait4, [-1n, 0n, BigInt(WNOHANG | __WALL), 0n]);
  }
}

const SIGNAL_CALLS = [
  SYS.clone, SYS.kill, SYS.tkill, SYS.tgkill, SYS.rt_sigaction, SYS.rt_sigprocmask, SYS.rt_sigpending,
  SYS.rt_sigsuspend, SYS.sigaltstack, SYS.wait4, SYS.waitid, SYS.prctl, SYS.getrlimit, SYS.setrlimit,
  SYS.prlimit64, SYS.getrusage, SYS.clock_gettime, SYS.clock_getres, SYS.clock_nanosleep, SYS.nanosleep,
  SYS.gettimeofday, SYS.times, SYS.sysinfo, SYS.setpgid, SYS.getpgid, SYS.getsid, SYS.setsid, SYS.pipe2,
  SYS.ppoll, SYS.pselect6, SYS.futex, SYS.fcntl, SYS.umask, SYS.exit,
].filter((nr) => nr !== undefined);

const interesting = fc.constantFrom(
  0n, 1n, 2n, 9n, 17n, 19n, 31n, 32n, 63n, 64n, 65n, 127n, 128n, 255n, 256n, 0x11n, 0x100n + 65n, 0x4000n + 255n,
  -1n, -2n, -64n, -65n, 2n ** 31n - 1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n + 65n, 2n ** 53n - 1n, 2n ** 53n + 1n,
  2n ** 62n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n,
  BigInt(BUF), BigInt(BUF + 16), BigInt(BUF + 64),
);
const word = fc.oneof(interesting, fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 300n }));
const call = fc.record({
  who: fc.nat(),
  nr: fc.constantFrom(...SIGNAL_CALLS),
  args: fc.array(word, { minLength: 6, maxLength: 6 }),
  /** What the guest's buffer holds: the structs the call reads (sigaction, rlimit, timespec, sets). */
  buf: fc.array(word, { minLength: 8, maxLength: 8 }),
});

describe('guest-chosen numbers', () => {
  it('clone with an exit signal above 64 (low byte 65 or 255): accepted as Linux does, never sent, the child is collected', () => {
    for (const low of [65, 255]) {
      const w = new World();
      const pid = w.sys(w.init, SYS.clone, low, 0, 0, 0, 0);
      expect(pid).toBeGreaterThan(1);
      const c = w.k.procs.get(pid as number)!;
      w.k.advance(c, 100);
      expect(w.sys(c, SYS.exit, 7)).toBe('dead');
      expect(w.init.pending).toBe(0n); // no signal 65 was made pending (nor anything else)
      // A "clone" child (exit signal not SIGCHLD) is waited for with __WALL or __WCLONE.
      expect(w.sys(w.init, SYS.wait4, -1, 0, WNOHANG, 0)).toBe(-ERRNO.ECHILD);
      expect(w.sys(w.init, SYS.wait4, -1, BUF, __WALL, 0)).toBe(pid);
      expect(w.i32(w.init, BUF)).toBe(7 << 8);
    }
  });

  /** clock_gettime(clk) from the puppet, in exact ns. */
  function clock(w: World, clk = CLOCK_MONOTONIC): bigint {
    expect(w.sys(w.init, SYS.clock_gettime, clk, BUF)).toBe(0);
    return w.u64(w.init, BUF) * 1_000_000_000n + w.u64(w.init, BUF + 8);
  }

  /** nanosleep(sec, nsec) from the puppet, run to its end. */
  function sleep(w: World, sec: bigint, nsec = 0n): void {
    w.putU64(w.init, BUF, sec, nsec);
    expect(w.sys(w.init, SYS.nanosleep, BUF, 0)).toBe('blocked');
    expect(w.k.skipToNextDeadline()).toBe(true);
    expect(w.step(w.init)).toBe(0);
  }

  it('time stays exact past 2^53 ns: a 1 s sleep after 2^54 ns moves the clock by 1 s and the instructions run, no more, no less', () => {
    const w = new World();
    sleep(w, 2n ** 54n / 1_000_000_000n);
    expect(w.k.timeNs > 2n ** 54n / 1_000_000_000n * 1_000_000_000n).toBe(true);
    const a = clock(w);
    const i0 = w.k.instructions;
    sleep(w, 1n, 1n);
    const b = clock(w);
    expect(b - a).toBe(1_000_000_001n + BigInt(w.k.instructions - i0));
  });

  it('nanosleep of 2^62 s: the timer saturates at KTIME_MAX as on Linux, and the clock still advances, exactly', () => {
    const w = new World();
    sleep(w, 2n ** 62n);
    const KTIME_MAX = 2n ** 63n - 1n;
    expect(w.k.timeNs >= KTIME_MAX && w.k.timeNs < KTIME_MAX + 1000n).toBe(true);
    const a = clock(w);
    const i0 = w.k.instructions;
    const b = clock(w);
    expect(b - a).toBe(BigInt(w.k.instructions - i0));
    expect(b > a).toBe(true);
    // The wall clock too: the epoch plus 292 years, to the nanosecond.
    const i1 = w.k.instructions;
    const wall = clock(w, 0);
    expect(wall - b).toBe(BigInt(EPOCH_SEC) * 1_000_000_000n + BigInt(w.k.instructions - i1));
    // A later sleep expires at once (its expiry saturates below now), as Linux's would.
    w.putU64(w.init, BUF, 5n, 0n);
    expect(w.sys(w.init, SYS.nanosleep, BUF, 0)).toBe(0);
  });

  it('any 64-bit arguments to the signal, wait, limit, clock and process calls: a result or an errno, then and later (property)', () => {
    fc.assert(
      fc.property(fc.array(call, { minLength: 1, maxLength: 6 }), (calls) => {
        const w = new World();
        const k = w.k;
        for (const { who, nr, args, buf } of calls) {
          let ready = atSyscall(k);
          if (ready.length === 0 && k.skipToNextDeadline()) {
            settle(k);
            ready = atSyscall(k);
          }
          if (ready.length === 0) break;
          const p = ready[who % ready.length];
          w.putU64(p, BUF, ...buf);
          raw(k, p, nr, args);
          const r = p.alive && !p.atSyscall ? w.a0(p) : 0;
          expect(r).toBeGreaterThanOrEqual(-4095 - 2 ** 53); // a number, never NaN
        }
        windDown(w);
        // The clock still moves after whatever sleeps and timers ran.
        if (w.init.alive && w.init.state === 'running' && w.init.atSyscall) {
          const t0 = k.timeNs;
          raw(k, w.init, SYS.getpid, []);
          expect(k.timeNs > t0).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
