// Virtual time: clocks read the kernel's instruction-driven clock; sleeps advance it.

import { MemFault } from '../../emu/memory.ts';
import { ERRNO } from '../errno.ts';
import { EPOCH_SEC, type Kernel } from '../kernel.ts';
import type { Process } from '../process.ts';
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
 * Nanoseconds on clock clk, not counting a wall clock's epoch seconds (so the value stays an
 * exact integer: epoch nanoseconds would pass 2^53), or -1 for an unknown clock.
 */
function clockNs(k: Kernel, p: Process, clk: number): number {
  switch (clk) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_TAI:
      return k.nowNs;
    case CLOCK_PROCESS_CPUTIME_ID:
    case CLOCK_THREAD_CPUTIME_ID:
      return p.cpu.instret;
    case 1: // MONOTONIC
    case 4: // MONOTONIC_RAW
    case 6: // MONOTONIC_COARSE
    case 7: // BOOTTIME
      return k.nowNs;
    default:
      return -1;
  }
}

function timespec(ns: number, baseSec = 0): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setBigInt64(0, BigInt(baseSec + Math.floor(ns / 1e9)), true);
  dv.setBigInt64(8, BigInt(ns % 1e9), true);
  return b;
}

/** A guest struct timespec in ns (less baseSec seconds); NaN when out of range (EINVAL). */
function readTimespec(p: Process, addr: number, baseSec = 0): number {
  const b = p.mem.read(addr, 16);
  const dv = new DataView(b.buffer);
  const sec = Number(dv.getBigInt64(0, true));
  const nsec = Number(dv.getBigInt64(8, true));
  if (sec < 0 || nsec < 0 || nsec >= 1e9) return NaN;
  return (sec - baseSec) * 1e9 + nsec;
}

export const clock_gettime: Handler = (k, p, a) => {
  const clk = a[0] | 0;
  const ns = clockNs(k, p, clk);
  if (ns < 0) return -ERRNO.EINVAL;
  p.mem.write(a[1], timespec(ns, isWallClock(clk) ? EPOCH_SEC : 0));
  return 0;
};

export const clock_getres: Handler = (k, p, a) => {
  if (clockNs(k, p, a[0] | 0) < 0) return -ERRNO.EINVAL;
  if (a[1] !== 0) p.mem.write(a[1], timespec(1));
  return 0;
};

export const gettimeofday: Handler = (k, p, a) => {
  if (a[0] !== 0) {
    const ns = k.nowNs;
    const b = new Uint8Array(16);
    const dv = new DataView(b.buffer);
    dv.setBigInt64(0, BigInt(EPOCH_SEC + Math.floor(ns / 1e9)), true);
    dv.setBigInt64(8, BigInt(Math.floor((ns % 1e9) / 1000)), true);
    p.mem.write(a[0], b);
  }
  return 0;
};

/**
 * Sleep until virtual time `deadline` (ns since boot; a resumed sleep keeps its first
 * deadline). The sleeper blocks and the driver moves time forward when nothing else can run.
 */
function sleepUntil(k: Kernel, p: Process, deadline: number, rem = 0): number {
  const until = k.resumed(p) ? p.deadline : deadline;
  if (k.nowNs >= until) return 0;
  // Cut short by a handler, a relative sleep writes the time left to *rem (EFAULT if it cannot).
  if (rem !== 0 && !k.resumed(p)) p.interrupted = () => writeTimespec(p, rem, Math.max(0, p.deadline - k.nowNs));
  return k.block(p, 'sleep', [], until);
}

/** EINTR after writing ns as a timespec at addr, or EFAULT. */
function writeTimespec(p: Process, addr: number, ns: number): number {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setBigInt64(0, BigInt(Math.floor(ns / 1e9)), true);
  dv.setBigInt64(8, BigInt(ns % 1e9), true);
  try {
    p.mem.write(addr, b);
  } catch (e) {
    if (e instanceof MemFault) return -ERRNO.EFAULT;
    throw e;
  }
  return -ERRNO.EINTR;
}

export const nanosleep: Handler = (k, p, a) => {
  if (k.resumed(p)) return sleepUntil(k, p, 0);
  const ns = readTimespec(p, a[0]);
  if (Number.isNaN(ns)) return -ERRNO.EINVAL;
  return sleepUntil(k, p, k.nowNs + ns, a[1]);
};

export const clock_nanosleep: Handler = (k, p, a) => {
  if (k.resumed(p)) return sleepUntil(k, p, 0);
  const [clk, flags] = [a[0] | 0, a[1] | 0];
  const now = clockNs(k, p, clk);
  if (now < 0 || clk === CLOCK_THREAD_CPUTIME_ID) return -ERRNO.EINVAL;
  const abs = (flags & TIMER_ABSTIME) !== 0;
  const ns = readTimespec(p, a[2], abs && isWallClock(clk) ? EPOCH_SEC : 0);
  if (Number.isNaN(ns)) return -ERRNO.EINVAL;
  const delta = abs ? ns - now : ns;
  return delta > 0 ? sleepUntil(k, p, k.nowNs + delta, abs ? 0 : a[3]) : 0;
};

export const times: Handler = (k, p, a) => {
  const ticks = Math.floor(p.cpu.instret / 1e7); // USER_HZ = 100: 10 ms per tick of virtual time
  if (a[0] !== 0) {
    const b = new Uint8Array(32);
    new DataView(b.buffer).setBigInt64(0, BigInt(ticks), true);
    p.mem.write(a[0], b);
  }
  return Math.floor(k.nowNs / 1e7);
};
