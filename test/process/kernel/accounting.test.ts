// CPU-time accounting (src/process/accounting.ts): a process's time is its own instructions
// since its creation (a fork child starts at 0); a wait that reaps a child adds the child's
// time and its reaped descendants' to the parent's children totals, an automatic reap adds
// nothing; wait4, waitid, getrusage, times, SIGCHLD and /proc/<pid>/stat report the same.
// "Work" here is instructions a process is credited with (cpu.instret moved forward), as if
// it had computed that long between two syscalls.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ERRNO } from '../../../src/process/errno.ts';
import { procPidStat } from '../../../src/process/procfs.ts';
import type { Process } from '../../../src/process/process.ts';
import { SIGCHLD } from '../../../src/process/signals.ts';
import { BUF, HANDLER, SYS, World } from './harness.ts';

const RUSAGE_SELF = 0;
const RUSAGE_CHILDREN = -1;
const RUSAGE_THREAD = 1;
const WEXITED = 4;
const WNOWAIT = 0x01000000;
const P_PID = 1;
const SA_SIGINFO = 4;
const SIG_IGN = 1;
const TICK = 10_000_000; // ns per clock tick (USER_HZ 100)
const RU = BUF + 0x2000;
const TMS = BUF + 0x2100;

const work = (p: Process, ns: number): void => {
  p.cpu.instret += ns;
};

/** ru_utime + ru_stime of a struct rusage at addr, in microseconds, and ru_maxrss. */
function rusage(w: World, p: Process, addr = RU): { us: bigint; maxrss: bigint } {
  const t = (off: number) => w.u64(p, addr + off) * 1_000_000n + w.u64(p, addr + off + 8);
  return { us: t(0) + t(16), maxrss: w.u64(p, addr + 32) };
}

function getrusage(w: World, p: Process, who: number) {
  expect(w.sys(p, SYS.getrusage, who, RU)).toBe(0);
  return rusage(w, p);
}

/** times(): [utime, stime, cutime, cstime] in ticks. */
function times(w: World, p: Process): bigint[] {
  expect(w.sys(p, SYS.times, TMS)).toBeGreaterThanOrEqual(0);
  return [0, 8, 16, 24].map((o) => w.u64(p, TMS + o));
}

/** Exact ns of clock_gettime(CLOCK_PROCESS_CPUTIME_ID). */
function cputime(w: World, p: Process): bigint {
  expect(w.sys(p, SYS.clock_gettime, 2, BUF)).toBe(0);
  return w.u64(p, BUF) * 1_000_000_000n + w.u64(p, BUF + 8);
}

describe('CPU time', () => {
  it('counts the process own instructions; a fork child starts at 0, exec keeps it', () => {
    const w = new World();
    const p = w.init;
    work(p, 5 * TICK);
    const before = cputime(w, p);
    expect(before).toBeGreaterThanOrEqual(BigInt(5 * TICK));
    const c = w.fork(p);
    expect(cputime(w, c)).toBeLessThan(1000n);
    expect(times(w, c)[0]).toBe(0n);
    expect(cputime(w, p) - before).toBeLessThan(1000n); // the child's instructions are not ours
    expect(times(w, p)).toEqual([5n, 0n, 0n, 0n]);
    expect(getrusage(w, p, RUSAGE_SELF).us / 1000n).toBe(50n);
    expect(getrusage(w, p, RUSAGE_THREAD).us / 1000n).toBe(50n);
    expect(getrusage(w, p, RUSAGE_SELF).maxrss).toBeGreaterThan(0n);
    expect(getrusage(w, p, RUSAGE_CHILDREN)).toEqual({ us: 0n, maxrss: 0n });
    expect(w.sys(p, SYS.getrusage, 2, RU)).toBe(-ERRNO.EINVAL);
    expect(w.sys(p, SYS.getrusage, -2, RU)).toBe(-ERRNO.EINVAL); // RUSAGE_BOTH is the kernel's own
  });

  it('children totals: what waits reaped, with their own reaped descendants; automatic reaps do not count (property)', () => {
    // Per child: its work, its children's (each reaped by it or not), and whether the parent
    // ignores SIGCHLD when it exits.
    const child = fc.record({
      work: fc.integer({ min: 0, max: 40 }),
      kids: fc.array(fc.record({ work: fc.integer({ min: 0, max: 40 }), reaped: fc.boolean() }), { maxLength: 3 }),
      ignored: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(child, { maxLength: 5 }), (children) => {
        const w = new World();
        const p = w.init;
        let expected = 0;
        for (const spec of children) {
          w.putU64(p, BUF, spec.ignored ? SIG_IGN : 0, 0, 0);
          expect(w.sys(p, SYS.rt_sigaction, SIGCHLD, BUF, 0, 8)).toBe(0);
          const c = w.fork(p);
          w.putU64(c, BUF, 0, 0, 0); // SIGCHLD back to SIG_DFL: the child waits for its own
          expect(w.sys(c, SYS.rt_sigaction, SIGCHLD, BUF, 0, 8)).toBe(0);
          let own = spec.work;
          for (const g of spec.kids) {
            const gc = w.fork(c);
            work(gc, g.work * TICK);
            expect(w.sys(gc, SYS.exit, 0)).toBe('dead');
            if (g.reaped) {
              expect(w.sys(c, SYS.wait4, gc.pid, 0, 0, RU)).toBe(gc.pid);
              expect(rusage(w, c).us / 10_000n).toBe(BigInt(g.work));
              own += g.work;
            }
          }
          work(c, spec.work * TICK);
          expect(w.sys(c, SYS.exit, 0)).toBe('dead');
          if (spec.ignored) {
            expect(w.sys(p, SYS.wait4, c.pid, 0, 0, RU)).toBe(-ERRNO.ECHILD);
          } else {
            expect(w.sys(p, SYS.wait4, c.pid, 0, 0, RU)).toBe(c.pid);
            expect(rusage(w, p).us / 10_000n).toBe(BigInt(own)); // the child and what it reaped
            expected += own;
          }
        }
        const [, , cutime, cstime] = times(w, p);
        expect([cutime, cstime]).toEqual([BigInt(expected), 0n]);
        expect(getrusage(w, p, RUSAGE_CHILDREN).us / 10_000n).toBe(BigInt(expected));
        const stat = procPidStat(p).split(' ');
        expect(stat.slice(15, 17)).toEqual([String(expected), '0']); // cutime, cstime
      }),
      { numRuns: 40 },
    );
  });

  it('waitid: WNOWAIT reports without counting; the reap counts once; rusage of the child either way', () => {
    const w = new World();
    const p = w.init;
    const c = w.fork(p);
    work(c, 3 * TICK);
    w.putU64(c, BUF + 0x8000, 1); // a page of its own: resident
    expect(w.sys(c, SYS.exit, 0)).toBe('dead');
    expect(w.sys(p, SYS.waitid, P_PID, c.pid, BUF, WEXITED | WNOWAIT, RU)).toBe(0);
    expect(rusage(w, p).us / 10_000n).toBe(3n);
    expect(times(w, p)[2]).toBe(0n);
    expect(w.sys(p, SYS.waitid, P_PID, c.pid, BUF, WEXITED, RU)).toBe(0);
    expect(rusage(w, p).us / 10_000n).toBe(3n);
    expect(rusage(w, p).maxrss).toBeGreaterThan(0n);
    expect(times(w, p)[2]).toBe(3n);
  });

  it("SIGCHLD's siginfo carries the child's si_utime and si_stime in ticks", () => {
    const w = new World();
    const p = w.init;
    w.sigaction(p, SIGCHLD, HANDLER, SA_SIGINFO);
    const c = w.fork(p);
    work(c, 7 * TICK + 5);
    expect(w.sys(c, SYS.exit, 0)).toBe('dead');
    expect(w.sys(p, SYS.getpid)).toBe(SIGCHLD);
    const info = Number(p.cpu.getX(11));
    expect([w.u64(p, info + 32), w.u64(p, info + 40)]).toEqual([7n, 0n]);
  });
});
