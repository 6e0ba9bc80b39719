// POSIX timers on virtual time, exactly: a periodic timer whose signal stays blocked sends
// it once, and when it is taken the periods missed meanwhile are its overrun (the timer
// then runs on in phase); a one-shot timer sends once; SIGEV_NONE counts down silently; a
// CPU-time timer only counts the process's own instructions.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SI_TIMER } from '../../../src/process/posix-timers.ts';
import { SIGUSR1 } from '../../../src/process/signals.ts';
import { BUF, COUNTER, SYS, World } from './harness.ts';

const CLOCK_MONOTONIC = 1;
const CLOCK_PROCESS_CPUTIME_ID = 2;
const SIGEV_NONE = 1;
const SIG_BLOCK = 0;
const SIG_UNBLOCK = 1;
const SIGEV = BUF;
const ID = BUF + 64;
const SPEC = BUF + 128;
const SET = BUF + 192;

function create(w: World, clock: number, notify = 0, value = 77n): number {
  w.putU64(w.init, SIGEV, value, BigInt(SIGUSR1) | (BigInt(notify) << 32n));
  expect(w.sys(w.init, SYS.timer_create, clock, SIGEV, ID)).toBe(0);
  return w.i32(w.init, ID);
}

function arm(w: World, id: number, value: bigint, interval: bigint): void {
  const s = 1_000_000_000n;
  w.putU64(w.init, SPEC, interval / s, interval % s, value / s, value % s);
  expect(w.sys(w.init, SYS.timer_settime, id, 0, SPEC, 0)).toBe(0);
}

/** timer_gettime: [interval, value] in ns. */
function get(w: World, id: number): [bigint, bigint] {
  expect(w.sys(w.init, SYS.timer_gettime, id, SPEC)).toBe(0);
  const [is, ins, vs, vns] = [0, 8, 16, 24].map((o) => w.u64(w.init, SPEC + o));
  return [is * 1_000_000_000n + ins, vs * 1_000_000_000n + vns];
}

function mask(w: World, how: number): void {
  w.putU64(w.init, SET, 1n << BigInt(SIGUSR1 - 1));
  expect(w.sys(w.init, SYS.rt_sigprocmask, how, SET, 0, 8)).toBe(0);
}

/** Let `ns` of virtual time pass with p idle, firing what expires. */
function pass(w: World, ns: bigint): void {
  w.k.timeNs += ns;
  w.k.fireTimers();
}

describe('POSIX timers', () => {
  // Periods of 100 us and up: a period shorter than the handler's run would keep it in the
  // handler for good, on Linux as here.
  it('a blocked periodic timer sends one signal; taking it counts the periods missed, and the timer keeps its phase', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1000n, max: 1n << 30n }), fc.bigInt({ min: 100_000n, max: 1n << 24n }), fc.bigInt({ min: 0n, max: 1n << 32n }), (value, interval, late) => {
        const w = new World();
        w.sigaction(w.init, SIGUSR1, COUNTER);
        const id = create(w, CLOCK_MONOTONIC);
        mask(w, SIG_BLOCK);
        arm(w, id, value, interval);
        const start = w.k.timeNs - 0n;
        const at = (): bigint => w.k.timeNs - start;
        pass(w, value - at() + late); // the first expiry, then `late` more
        expect(w.count(w.init, SIGUSR1)).toBe(0);
        const elapsed = at();
        mask(w, SIG_UNBLOCK);
        expect(w.count(w.init, SIGUSR1)).toBe(1);
        // Taken a few instructions after `elapsed`: the missed periods as of then.
        const taken = at();
        const over = (taken - value) / interval;
        expect(BigInt(w.sys(w.init, SYS.timer_getoverrun, id) as number)).toBe(over > 0x7fffffffn ? 0x7fffffffn : over);
        expect(elapsed >= value).toBe(true);
        const [iv, left] = get(w, id);
        expect(iv).toBe(interval);
        const next = at() + left; // the next expiry, relative to arming: in phase
        expect((next - value) % interval).toBe(0n);
        expect(left > 0n && left <= interval).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('a one-shot timer sends once, with SI_TIMER and its value, and is then disarmed', () => {
    const w = new World();
    const id = create(w, CLOCK_MONOTONIC, 0, 0x1234n);
    mask(w, SIG_BLOCK);
    arm(w, id, 5000n, 0n);
    pass(w, 10_000n);
    pass(w, 10_000n);
    const q = w.init.sigqueue.filter((e) => e.sig === SIGUSR1);
    expect(q).toHaveLength(1);
    const dv = new DataView(q[0].info.raw!.buffer);
    expect([q[0].info.code, dv.getInt32(8, true), dv.getInt32(16, true), dv.getBigUint64(24, true)]).toEqual([SI_TIMER, SI_TIMER, id, 0x1234n]);
    expect(get(w, id)).toEqual([0n, 0n]);
  });

  it('SIGEV_NONE sends nothing and counts down; a CPU-time timer does not count idle time', () => {
    const w = new World();
    const none = create(w, CLOCK_MONOTONIC, SIGEV_NONE);
    arm(w, none, 50_000n, 0n);
    pass(w, 20_000n);
    const left = get(w, none)[1];
    expect(left > 29_000n && left <= 30_000n).toBe(true);
    pass(w, 40_000n);
    expect(get(w, none)[1]).toBe(0n);
    expect(w.init.pending).toBe(0n);
    const cpu = create(w, CLOCK_PROCESS_CPUTIME_ID);
    arm(w, cpu, 50_000n, 0n);
    pass(w, 1_000_000n);
    const cpuLeft = get(w, cpu)[1];
    expect(cpuLeft > 49_000n && cpuLeft <= 50_000n).toBe(true);
    expect(w.init.pending).toBe(0n);
  });
});
