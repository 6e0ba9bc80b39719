// Virtual time: clocks read the kernel's instruction-driven clock; sleeps advance it.

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

/** Nanoseconds on clock clk, or -1 for an unknown clock. */
function clockNs(k: Kernel, p: Process, clk: number): number {
  switch (clk) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_TAI:
      return EPOCH_SEC * 1e9 + k.nowNs;
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

function timespec(ns: number): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setBigInt64(0, BigInt(Math.floor(ns / 1e9)), true);
  dv.setBigInt64(8, BigInt(ns % 1e9), true);
  return b;
}

/** A guest struct timespec in ns; EINVAL when out of range. */
function readTimespec(p: Process, addr: number): number {
  const b = p.mem.read(addr, 16);
  const dv = new DataView(b.buffer);
  const sec = Number(dv.getBigInt64(0, true));
  const nsec = Number(dv.getBigInt64(8, true));
  if (sec < 0 || nsec < 0 || nsec >= 1e9) return -1;
  return sec * 1e9 + nsec;
}

export const clock_gettime: Handler = (k, p, a) => {
  const ns = clockNs(k, p, a[0] | 0);
  if (ns < 0) return -ERRNO.EINVAL;
  p.mem.write(a[1], timespec(ns));
  return 0;
};

export const clock_getres: Handler = (k, p, a) => {
  if (clockNs(k, p, a[0] | 0) < 0) return -ERRNO.EINVAL;
  if (a[1] !== 0) p.mem.write(a[1], timespec(1));
  return 0;
};

export const gettimeofday: Handler = (k, p, a) => {
  if (a[0] !== 0) {
    const ns = EPOCH_SEC * 1e9 + k.nowNs;
    const b = new Uint8Array(16);
    const dv = new DataView(b.buffer);
    dv.setBigInt64(0, BigInt(Math.floor(ns / 1e9)), true);
    dv.setBigInt64(8, BigInt(Math.floor((ns % 1e9) / 1000)), true);
    p.mem.write(a[0], b);
  }
  return 0;
};

/**
 * Sleep until virtual time `deadline` (ns since boot; a resumed sleep keeps its first
 * deadline). The sleeper blocks and the driver moves time forward when nothing else can run.
 */
function sleepUntil(k: Kernel, p: Process, deadline: number): number {
  const until = k.resumed(p) ? p.deadline : deadline;
  return k.nowNs >= until ? 0 : k.block(p, 'sleep', [], until);
}

export const nanosleep: Handler = (k, p, a) => {
  if (k.resumed(p)) return sleepUntil(k, p, 0);
  const ns = readTimespec(p, a[0]);
  if (ns < 0) return -ERRNO.EINVAL;
  return sleepUntil(k, p, k.nowNs + ns);
};

export const clock_nanosleep: Handler = (k, p, a) => {
  if (k.resumed(p)) return sleepUntil(k, p, 0);
  const [clk, flags] = [a[0] | 0, a[1] | 0];
  const now = clockNs(k, p, clk);
  if (now < 0 || clk === CLOCK_THREAD_CPUTIME_ID) return -ERRNO.EINVAL;
  const ns = readTimespec(p, a[2]);
  if (ns < 0) return -ERRNO.EINVAL;
  const delta = flags & TIMER_ABSTIME ? ns - now : ns;
  return delta > 0 ? sleepUntil(k, p, k.nowNs + delta) : 0;
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
