// Scheduling policies and nice values (src/process/syscalls/sched.ts): Linux's results and
// errnos for the whole input space, inheritance on fork (SCHED_RESET_ON_FORK) and exec, and
// no effect at all on the simulated schedule: the strategy alone decides who runs.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERRNO } from '../../../src/process/errno.ts';
import { procPidStat } from '../../../src/process/procfs.ts';
import type { Process } from '../../../src/process/process.ts';
import { SIGCHLD } from '../../../src/process/signals.ts';
import { parseStrategy } from '../../../src/sim/strategies/index.ts';
import { simulateTarget } from '../../../src/sim/target.ts';
import { program, text } from '../../sim/support.ts';
import { BUF, DATA_ADDR, enc, Prog, PUPPET_PATH, SYS, World } from './harness.ts';

const OTHER = 0, FIFO = 1, RR = 2, BATCH = 3, IDLE = 5, DEADLINE = 6;
const RESET_ON_FORK = 0x40000000;
const PRIO_PROCESS = 0, PRIO_PGRP = 1, PRIO_USER = 2;
const PARAM = BUF;
const TS = BUF + 0x100;

const clampNice = (n: number) => Math.min(19, Math.max(-20, n));

function setsched(w: World, p: Process, pid: number, policy: number, prio: number) {
  w.putU64(p, PARAM, BigInt.asUintN(32, BigInt(prio)));
  return w.sys(p, SYS.sched_setscheduler, pid, policy, PARAM);
}
function getparam(w: World, p: Process, pid: number) {
  const r = w.sys(p, SYS.sched_getparam, pid, PARAM);
  return r === 0 ? w.i32(p, PARAM) : r;
}
const getnice = (w: World, p: Process, pid = 0) => 20 - (w.sys(p, SYS.getpriority, PRIO_PROCESS, pid) as number);
const setnice = (w: World, p: Process, n: number, pid = 0) => w.sys(p, SYS.setpriority, PRIO_PROCESS, pid, n);

/** What Linux's sched_setscheduler answers for a policy and priority (on an existing task). */
function linuxSetscheduler(policy: number, prio: number): number {
  if (policy < 0) return -ERRNO.EINVAL;
  const pol = policy & ~RESET_ON_FORK;
  if (![OTHER, FIFO, RR, BATCH, IDLE, DEADLINE].includes(pol)) return -ERRNO.EINVAL;
  const p = prio >>> 0;
  if (p > 99 || pol === DEADLINE) return -ERRNO.EINVAL;
  return (pol === FIFO || pol === RR) === (p !== 0) ? 0 : -ERRNO.EINVAL;
}

describe('setpriority and getpriority', () => {
  it('round-trip any int as 20 - nice, clamped to -20..19, through any target form', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.constantFrom('self', 'pid', 'pgrp', 'user'), (n, how) => {
        const w = new World();
        const p = w.init;
        const [which, who] = { self: [PRIO_PROCESS, 0], pid: [PRIO_PROCESS, p.pid], pgrp: [PRIO_PGRP, 0], user: [PRIO_USER, 0] }[how];
        expect(w.sys(p, SYS.setpriority, which, who, n)).toBe(0);
        expect(w.sys(p, SYS.getpriority, which, who)).toBe(20 - clampNice(n));
        expect(p.nice).toBe(clampNice(n));
      }),
      { numRuns: 200 },
    );
  });

  it('a group or a user reports its best member and sets every one; bad which is EINVAL, no target ESRCH', () => {
    const w = new World();
    const p = w.init;
    const a = w.fork(p);
    const b = w.fork(p);
    expect(w.sys(b, SYS.setpgid, 0, 0)).toBe(0);
    expect(setnice(w, a, 7)).toBe(0);
    expect(setnice(w, p, 3)).toBe(0);
    expect(w.sys(a, SYS.getpriority, PRIO_PGRP, 0)).toBe(20 - 3); // p and a: the lower nice wins
    expect(w.sys(a, SYS.getpriority, PRIO_PGRP, b.pid)).toBe(20);
    expect(w.sys(p, SYS.setpriority, PRIO_PGRP, p.pid, 10)).toBe(0);
    expect([p.nice, a.nice, b.nice]).toEqual([10, 10, 0]);
    expect(w.sys(p, SYS.setpriority, PRIO_USER, 0, 12)).toBe(0); // uid 0: everyone
    expect([p.nice, a.nice, b.nice]).toEqual([12, 12, 12]);
    expect(w.sys(p, SYS.getpriority, PRIO_USER, 1000)).toBe(-ERRNO.ESRCH); // nobody runs as uid 1000
    expect(w.sys(p, SYS.setpriority, PRIO_USER, 1000, 0)).toBe(-ERRNO.ESRCH);
    for (const which of [-1, 3, 2 ** 31]) {
      expect(w.sys(p, SYS.getpriority, which, 0)).toBe(-ERRNO.EINVAL);
      expect(w.sys(p, SYS.setpriority, which, 0, 0)).toBe(-ERRNO.EINVAL);
    }
    expect(w.sys(p, SYS.getpriority, PRIO_PROCESS, -1)).toBe(-ERRNO.ESRCH);
    expect(w.sys(p, SYS.getpriority, PRIO_PROCESS, 999)).toBe(-ERRNO.ESRCH);
    expect(w.sys(p, SYS.setpriority, PRIO_PGRP, 999, 0)).toBe(-ERRNO.ESRCH);
    expect(w.sys(p, SYS.getpriority, PRIO_PGRP, -1)).toBe(-ERRNO.ESRCH);
  });

  it('a zombie still answers; a reaped pid is gone', () => {
    const w = new World();
    const p = w.init;
    const c = w.fork(p);
    setnice(w, c, 4);
    w.sys(c, SYS.exit, 0);
    expect(c.state).toBe('zombie');
    expect(getnice(w, p, c.pid)).toBe(4);
    expect(w.sys(p, SYS.sched_getscheduler, c.pid)).toBe(OTHER);
    expect(w.sys(p, SYS.wait4, c.pid, 0, 0, 0)).toBe(c.pid);
    expect(w.sys(p, SYS.getpriority, PRIO_PROCESS, c.pid)).toBe(-ERRNO.ESRCH);
    expect(w.sys(p, SYS.sched_getscheduler, c.pid)).toBe(-ERRNO.ESRCH);
  });
});

describe('sched_setscheduler and friends', () => {
  it('accept exactly what Linux accepts, and report it back', () => {
    const policy = fc.oneof(fc.constantFrom(OTHER, FIFO, RR, BATCH, 4, IDLE, DEADLINE, 7, -1), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
    const reset = fc.boolean();
    const prio = fc.oneof(fc.integer({ min: -2, max: 101 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
    fc.assert(
      fc.property(policy, reset, prio, (pol0, r, pr) => {
        const pol = r && pol0 >= 0 ? pol0 | RESET_ON_FORK : pol0;
        const w = new World();
        const p = w.init;
        const want = linuxSetscheduler(pol, pr);
        expect(setsched(w, p, 0, pol, pr)).toBe(want);
        const base = want === 0 ? pol & ~RESET_ON_FORK : OTHER;
        expect(w.sys(p, SYS.sched_getscheduler, 0)).toBe(want === 0 ? pol : OTHER);
        expect(getparam(w, p, 0)).toBe(want === 0 ? pr : 0);
        // setparam keeps the policy and the flag, and checks the priority against it.
        w.putU64(p, PARAM, BigInt.asUintN(32, BigInt(pr)));
        expect(w.sys(p, SYS.sched_setparam, 0, PARAM)).toBe(linuxSetscheduler(base, pr));
        expect(w.sys(p, SYS.sched_getscheduler, 0)).toBe(want === 0 ? pol : OTHER);
      }),
      { numRuns: 300 },
    );
  });

  it('priority ranges, errnos of bad arguments, and the round-robin interval of each policy', () => {
    const w = new World();
    const p = w.init;
    const range = (pol: number) => [w.sys(p, SYS.sched_get_priority_min, pol), w.sys(p, SYS.sched_get_priority_max, pol)];
    expect([OTHER, FIFO, RR, BATCH, IDLE, DEADLINE].map(range)).toEqual([[0, 0], [1, 99], [1, 99], [0, 0], [0, 0], [0, 0]]);
    for (const bad of [4, 7, -1, FIFO | RESET_ON_FORK]) expect(range(bad)).toEqual([-ERRNO.EINVAL, -ERRNO.EINVAL]);
    expect(w.sys(p, SYS.sched_setscheduler, 0, OTHER, 0)).toBe(-ERRNO.EINVAL); // NULL before anything
    expect(w.sys(p, SYS.sched_setscheduler, -1, OTHER, PARAM)).toBe(-ERRNO.EINVAL);
    expect(w.sys(p, SYS.sched_setscheduler, 0, OTHER, 8)).toBe(-ERRNO.EFAULT);
    expect(w.sys(p, SYS.sched_setscheduler, 999, 4, 8)).toBe(-ERRNO.EFAULT); // copied before the lookup
    expect(setsched(w, p, 999, 4, 0)).toBe(-ERRNO.ESRCH); // looked up before the policy is checked
    expect(w.sys(p, SYS.sched_getparam, 0, 0)).toBe(-ERRNO.EINVAL);
    expect(w.sys(p, SYS.sched_getparam, 999, 8)).toBe(-ERRNO.ESRCH); // looked up before the copy
    expect(w.sys(p, SYS.sched_getparam, 0, 8)).toBe(-ERRNO.EFAULT);
    expect(w.sys(p, SYS.sched_getscheduler, -1)).toBe(-ERRNO.EINVAL);
    expect(w.sys(p, SYS.sched_rr_get_interval, -1, TS)).toBe(-ERRNO.EINVAL);
    expect(w.sys(p, SYS.sched_rr_get_interval, 0, 8)).toBe(-ERRNO.EFAULT);
    const interval = () => {
      expect(w.sys(p, SYS.sched_rr_get_interval, 0, TS)).toBe(0);
      return [w.u64(p, TS), w.u64(p, TS + 8)];
    };
    expect(interval()).toEqual([0n, 4_000_000n]);
    setsched(w, p, 0, RR, 1);
    expect(interval()).toEqual([0n, 100_000_000n]);
    setsched(w, p, 0, FIFO, 1);
    expect(interval()).toEqual([0n, 0n]);
  });

  it('/proc/<pid>/stat shows priority, nice, rt_priority and policy', () => {
    const w = new World();
    const p = w.init;
    const fields = () => procPidStat(p).trim().split(' ');
    const pick = (f: string[]) => [f[17], f[18], f[39], f[40]];
    expect(pick(fields())).toEqual(['20', '0', '0', '0']);
    setnice(w, p, -5);
    expect(pick(fields())).toEqual(['15', '-5', '0', '0']);
    setsched(w, p, 0, RR, 30);
    expect(pick(fields())).toEqual(['-31', '-5', '30', '2']);
  });
});

describe('inheritance', () => {
  it('a fork child gets the policy, priority and nice value; SCHED_RESET_ON_FORK drops RT and negative nice once', () => {
    const cases: { policy: number; prio: number; nice: number; child: [number, number, number] }[] = [
      { policy: FIFO, prio: 50, nice: -3, child: [FIFO, 50, -3] },
      { policy: FIFO | RESET_ON_FORK, prio: 50, nice: 5, child: [OTHER, 0, 0] },
      { policy: BATCH | RESET_ON_FORK, prio: 0, nice: -7, child: [BATCH, 0, 0] },
      { policy: IDLE | RESET_ON_FORK, prio: 0, nice: 6, child: [IDLE, 0, 6] },
    ];
    for (const c of cases) {
      const w = new World();
      const p = w.init;
      expect(setsched(w, p, 0, c.policy, c.prio)).toBe(0);
      expect(setnice(w, p, c.nice)).toBe(0);
      const k = w.fork(p);
      expect([w.sys(k, SYS.sched_getscheduler, 0), getparam(w, k, 0), getnice(w, k)], JSON.stringify(c)).toEqual(c.child);
      expect(w.sys(p, SYS.sched_getscheduler, 0)).toBe(c.policy); // the parent keeps its flag
      const g = w.fork(k); // the flag was not passed on: a grandchild copies the child as is
      expect([w.sys(g, SYS.sched_getscheduler, 0), getparam(w, g, 0), getnice(w, g)]).toEqual(c.child);
    }
  });

  it('execve keeps them', () => {
    const w = new World();
    const p = w.init;
    setsched(w, p, 0, RR | RESET_ON_FORK, 9);
    setnice(w, p, 11);
    w.poke(p, BUF + 0x200, enc(`${PUPPET_PATH}\0`));
    w.putU64(p, BUF + 0x300, 0);
    expect(w.sys(p, SYS.execve, BUF + 0x200, BUF + 0x300, BUF + 0x300)).toBe(0);
    expect([w.sys(p, SYS.sched_getscheduler, 0), getparam(w, p, 0), getnice(w, p)]).toEqual([RR | RESET_ON_FORK, 9, 11]);
  });
});

// ---- the schedule ------------------------------------------------------------------------------

interface Child {
  nice: number;
  policy: number;
  prio: number;
}

const NCHILD_PARAM = DATA_ADDR; // one sched_param (4 bytes) per child
const OUT_BYTES = DATA_ADDR + 0x100; // two bytes per child to write

/** A parent forks children that renice themselves, take a policy, write twice and exit; it reaps them. */
function reniceProgram(children: Child[]): Uint8Array {
  const data = new Uint8Array(0x200);
  const dv = new DataView(data.buffer);
  children.forEach((c, i) => {
    dv.setInt32(4 * i, c.prio, true);
    data[0x100 + 2 * i] = 0x61 + i;
    data[0x101 + 2 * i] = 0x41 + i;
  });
  const p = new Prog();
  children.forEach((c, i) => {
    p.sys(SYS.clone, SIGCHLD, 0, 0, 0, 0).b('bne', 10, 0, `next${i}`)
      .sys(SYS.setpriority, PRIO_PROCESS, 0, c.nice)
      .sys(SYS.sched_setscheduler, 0, c.policy, NCHILD_PARAM + 4 * i)
      .sys(SYS.write, 1, OUT_BYTES + 2 * i, 1)
      .sys(SYS.sched_yield)
      .sys(SYS.write, 1, OUT_BYTES + 2 * i + 1, 1)
      .sys(SYS.exit, 0)
      .label(`next${i}`);
  });
  children.forEach(() => p.sys(SYS.wait4, -1, 0, 0, 0));
  p.sys(SYS.exit, 0);
  return p.elf(data);
}

describe('the schedule', () => {
  it('is the same whatever nice values and policies the processes ask for', () => {
    const child = fc.oneof(
      fc.record({ nice: fc.integer({ min: -25, max: 25 }), policy: fc.constantFrom(OTHER, BATCH, IDLE), prio: fc.constant(0) }),
      fc.record({ nice: fc.integer({ min: -25, max: 25 }), policy: fc.constantFrom(FIFO, RR, FIFO | RESET_ON_FORK), prio: fc.integer({ min: 1, max: 99 }) }),
    );
    fc.assert(
      fc.property(fc.array(child, { minLength: 1, maxLength: 4 }), fc.nat(), fc.constantFrom('random', 'pct', 'rr'), (kids, seed, strategy) => {
        const plain = kids.map(() => ({ nice: 0, policy: OTHER, prio: 0 }));
        const run = (cs: Child[]) => simulateTarget(program(reniceProgram(cs)), { seed, strategy: parseStrategy(strategy) });
        const a = run(kids);
        const b = run(plain);
        expect(a.verdict).toEqual({ kind: 'exit', status: 0 });
        expect(text(a.stdout)).toBe(text(b.stdout));
        expect(a.schedule).toBe(b.schedule);
        expect(a.steps).toBe(b.steps);
      }),
      { numRuns: 60 },
    );
  });
});
