// Virtual time: clocks read the kernel's instruction-driven clock; sleeps advance it.

import { MemFault } from '../../emu/memory.ts';
import { ERRNO } from '../errno.ts';
import { EPOCH_SEC, type Kernel } from '../kernel.ts';
import { clockTicks, cpuTimeNs, selfTimes, setTimeval } from '../accounting.ts';
import { ITIMER_PROF, ITIMER_REAL } from '../itimers.ts';
import { expiry, NS_PER_SEC, type Process } from '../process.ts';
import type { Handler } from './table.ts';

const CLOCK_REALTIME = 0;
const CLOCK_PROCESS_CPUTIME_ID = 2;
const CLOCK_THREAD_CPUTIME_ID = 3;
const CLOCK_REALTIME_COARSE = 5;
const CLOCK_TAI = 11;
export const TIMER_ABSTIME = 1;

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
      return cpuTimeNs(p);
    case 1: // MONOTONIC
    case 4: // MONOTONIC_RAW
    case 6: // MONOTONIC_COARSE
    case 7: // BOOTTIME
      return k.timeNs;
    default:
      return null;
  }
}

export function timespec(ns: bigint, baseSec = 0): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setBigInt64(0, BigInt.asIntN(64, BigInt(baseSec) + ns / NS_PER_SEC), true);
  dv.setBigInt64(8, ns % NS_PER_SEC, true);
  return b;
}

/** A guest struct timespec in exact ns (less baseSec seconds); null when out of range (EINVAL). */
export function readTimespec(p: Process, addr: number, baseSec = 0): bigint | null {
  return timespecAt(new DataView(p.mem.read(addr, 16).buffer), 0, baseSec);
}

/** The struct timespec at byte off of dv, as readTimespec reads one (timespec64_valid). */
export function timespecAt(dv: DataView, off: number, baseSec = 0): bigint | null {
  const sec = dv.getBigInt64(off, true);
  const nsec = dv.getBigInt64(off + 8, true);
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

/** struct tms: utime, stime, then the reaped children's cutime, cstime, in clock ticks. */
export const times: Handler = (k, p, a) => {
  if (a[0] !== 0) {
    const b = new Uint8Array(32);
    const dv = new DataView(b.buffer);
    const self = selfTimes(p);
    [self.utime, self.stime, p.childUsage.utime, p.childUsage.stime].forEach((ns, i) => dv.setBigInt64(8 * i, clockTicks(ns), true));
    p.mem.write(a[0], b);
  }
  return Number(clockTicks(k.timeNs));
};

const NS_PER_USEC = 1000n;
const USEC_PER_SEC = 1_000_000n;

/** struct itimerval: it_interval, then it_value, each a struct timeval (sec, usec). */
function itimerval(interval: bigint, value: bigint): Uint8Array {
  const b = new Uint8Array(32);
  const dv = new DataView(b.buffer);
  setTimeval(dv, 0, interval);
  setTimeval(dv, 16, value);
  return b;
}

/** A guest itimerval in ns, or null when a timeval is out of range (EINVAL). */
function readItimerval(p: Process, addr: number): { interval: bigint; value: bigint } | null {
  const dv = new DataView(p.mem.read(addr, 32).buffer);
  const ns: bigint[] = [];
  for (const off of [0, 16]) {
    const [sec, usec] = [dv.getBigInt64(off, true), dv.getBigInt64(off + 8, true)];
    if (sec < 0n || usec < 0n || usec >= USEC_PER_SEC) return null;
    ns.push(sec * NS_PER_SEC + usec * NS_PER_USEC);
  }
  return { interval: ns[0], value: ns[1] };
}

/** Now on a timer's clock: virtual time for ITIMER_REAL, the process's instructions for the CPU ones. */
const timerNow = (k: Kernel, p: Process, which: number): bigint => (which === ITIMER_REAL ? k.timeNs : BigInt(p.cpu.instret));

/** What getitimer shows: the period, and the time left (at least 1 us while armed, as Linux). */
function timerLeft(k: Kernel, p: Process, which: number): Uint8Array {
  const t = p.itimers[which];
  const left = t.at === null ? 0n : t.at - timerNow(k, p, which);
  return itimerval(t.interval, t.at === null ? 0n : left < NS_PER_USEC ? NS_PER_USEC : left);
}

export const getitimer: Handler = (k, p, a) => {
  const which = a[0] | 0;
  if (which < ITIMER_REAL || which > ITIMER_PROF) return -ERRNO.EINVAL;
  p.mem.write(a[1], timerLeft(k, p, which));
  return 0;
};

/** A value of zero disarms; a NULL new value too (Linux's old behaviour, kept). */
export const setitimer: Handler = (k, p, a) => {
  const which = a[0] | 0;
  if (which < ITIMER_REAL || which > ITIMER_PROF) return -ERRNO.EINVAL;
  const next = a[1] === 0 ? { interval: 0n, value: 0n } : readItimerval(p, a[1]);
  if (next === null) return -ERRNO.EINVAL;
  const old = timerLeft(k, p, which);
  const off = next.value === 0n;
  // A disarmed ITIMER_REAL forgets its period; the CPU timers keep theirs (as Linux does).
  k.setItimer(p, which, off ? null : expiry(timerNow(k, p, which), next.value), off && which === ITIMER_REAL ? 0n : next.interval);
  if (a[2] !== 0) p.mem.write(a[2], old);
  return 0;
};
