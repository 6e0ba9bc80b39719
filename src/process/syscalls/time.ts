// Virtual time: clocks read the kernel's instruction-driven clock; sleeps advance it.

import { MemFault } from '../../emu/memory.ts';
import { ERRNO } from '../errno.ts';
import { EPOCH_SEC, type Kernel } from '../kernel.ts';
import { expiry, NS_PER_SEC, type Process } from '../process.ts';
import type { Handler } from './table.ts';

const CLOCK_REALTIME = 0;
const CLOCK_PROCESS_CPUTIME_ID = 2;
const CLOCK_THREAD_CPUTIME_ID = 3;
const CLOCK_REALTIME_COARSE = 5;
const CLOCK_TAI = 11;
const TIMER_ABSTIME = 1;

/** Wall clocks count from the epoch: their seconds get EPOCH_SEC added when shown. */
function isWallClock(clk: number): boolean {
  return clk === CLOCK_REALTIME || clk === CLOCK_REALTIME_COARSE || clk === CLOCK_TAI;
}

/**
 * Exact nanoseconds on clock clk, not counting a wall clock's epoch seconds, or null for an
 * unknown clock.
 */
function clockNs(k: Kernel, p: Process, clk: number): bigint | null {
  switch (clk) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_TAI:
      return k.timeNs;
    case CLOCK_PROCESS_CPUTIME_ID:
    case CLOCK_THREAD_CPUTIME_ID:
      return BigInt(p.cpu.instret);
    case 1: // MONOTONIC
    case 4: // MONOTONIC_RAW
    case 6: // MONOTONIC_COARSE
    case 7: // BOOTTIME
      return k.timeNs;
    default:
      return null;
  }
}

function timespec(ns: bigint, baseSec = 0): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setBigInt64(0, BigInt.asIntN(64, BigInt(baseSec) + ns / NS_PER_SEC), true);
  dv.setBigInt64(8, ns % NS_PER_SEC, true);
  return b;
}

/** A guest struct timespec in exact ns (less baseSec seconds); null when out of range (EINVAL). */
function readTimespec(p: Process, addr: number, baseSec = 0): bigint | null {
  const b = p.mem.read(addr, 16);
  const dv = new DataView(b.buffer);
  const sec = dv.getBigInt64(0, true);
  const nsec = dv.getBigInt64(8, true);
  if (sec < 0n || nsec < 0n || nsec >= NS_PER_SEC) return null;
  return (sec - BigInt(baseSec)) * NS_PER_SEC + nsec;
}

export const clock_gettime: Handler = (k, p, a) => {
  const clk = a[0] | 0;
  const ns = clockNs(k, p, clk);
  if (ns === null) return -ERRNO.EINVAL;
  p.mem.write(a[1], timespec(ns, isWallClock(clk) ? EPOCH_SEC : 0));
  return 0;
};

export const clock_getres: Handler = (k, p, a) => {
  if (clockNs(k, p, a[0] | 0) === null) return -ERRNO.EINVAL;
  if (a[1] !== 0) p.mem.write(a[1], timespec(1n));
  return 0;
};

export const gettimeofday: Handler = (k, p, a) => {
  if (a[0] !== 0) {
    const ns = k.timeNs;
    const b = new Uint8Array(16);
    const dv = new DataView(b.buffer);
    dv.setBigInt64(0, BigInt(EPOCH_SEC) + ns / NS_PER_SEC, true);
    dv.setBigInt64(8, (ns % NS_PER_SEC) / 1000n, true);
    p.mem.write(a[0], b);
  }
  return 0;
};

/**
 * Sleep until virtual time `deadline` (ns since boot; a resumed sleep keeps its first
 * deadline). The sleeper blocks and the driver moves time forward when nothing else can run.
 */
function sleepUntil(k: Kernel, p: Process, deadline: bigint, rem = 0): number {
  const until = k.resumed(p) ? p.deadline : deadline;
  if (k.timeNs >= until) return 0;
  // Cut short by a handler, a relative sleep writes the time left to *rem (EFAULT if it cannot).
  if (rem !== 0 && !k.resumed(p)) p.interrupted = () => writeTimespec(p, rem, p.deadline > k.timeNs ? p.deadline - k.timeNs : 0n);
  return k.block(p, 'sleep', [], until);
}

/** EINTR after writing ns as a timespec at addr, or EFAULT. */
function writeTimespec(p: Process, addr: number, ns: bigint): number {
  try {
    p.mem.write(addr, timespec(ns));
  } catch (e) {
    if (e instanceof MemFault) return -ERRNO.EFAULT;
    throw e;
  }
  return -ERRNO.EINTR;
}

export const nanosleep: Handler = (k, p, a) => {
  if (k.resumed(p)) return sleepUntil(k, p, 0n);
  const ns = readTimespec(p, a[0]);
  if (ns === null) return -ERRNO.EINVAL;
  // As Linux, the expiry saturates at KTIME_MAX (292 years): time stays exact up to there.
  return sleepUntil(k, p, expiry(k.timeNs, ns), a[1]);
};

export const clock_nanosleep: Handler = (k, p, a) => {
  if (k.resumed(p)) return sleepUntil(k, p, 0n);
  const [clk, flags] = [a[0] | 0, a[1] | 0];
  const now = clockNs(k, p, clk);
  if (now === null || clk === CLOCK_THREAD_CPUTIME_ID) return -ERRNO.EINVAL;
  const abs = (flags & TIMER_ABSTIME) !== 0;
  const ns = readTimespec(p, a[2], abs && isWallClock(clk) ? EPOCH_SEC : 0);
  if (ns === null) return -ERRNO.EINVAL;
  const delta = abs ? ns - now : ns;
  return delta > 0n ? sleepUntil(k, p, expiry(k.timeNs, delta), abs ? 0 : a[3]) : 0;
};

export const times: Handler = (k, p, a) => {
  const ticks = Math.floor(p.cpu.instret / 1e7); // USER_HZ = 100: 10 ms per tick of virtual time
  if (a[0] !== 0) {
    const b = new Uint8Array(32);
    new DataView(b.buffer).setBigInt64(0, BigInt(ticks), true);
    p.mem.write(a[0], b);
  }
  return Number(k.timeNs / 10_000_000n);
};
