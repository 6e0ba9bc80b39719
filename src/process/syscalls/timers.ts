// timer_create, timer_settime, timer_gettime, timer_getoverrun, timer_delete: the kernel's
// side of POSIX timers (posix-timers.ts), with Linux's checks in Linux's order.

import { ERRNO } from '../errno.ts';
import { EPOCH_SEC, type Kernel } from '../kernel.ts';
import { clockOf, type PosixTimer, remaining } from '../posix-timers.ts';
import { expiry, NS_PER_SEC } from '../process.ts';
import { SIGRTMAX } from '../sigqueue.ts';
import { SIGALRM } from '../signals.ts';
import type { Handler } from './table.ts';
import { TIMER_ABSTIME, timespec, timespecAt } from './time.ts';

const SIGEV_SIGNAL = 0;
const SIGEV_NONE = 1;
const SIGEV_THREAD = 2;
const SIGEV_THREAD_ID = 4;
/** struct sigevent: sigev_value @0 (8), sigev_signo @8, sigev_notify @12, the thread id @16. */
const SIGEVENT_SIZE = 64;

/** The clocks a timer can run on: 'time' (virtual time, wall: shown from the epoch), 'cpu', or an errno. */
function timerClock(clk: number): { cpu: boolean; wall: boolean } | number {
  switch (clk) {
    case 0: // REALTIME
    case 8: // REALTIME_ALARM (root has CAP_WAKE_ALARM)
    case 11: // TAI
      return { cpu: false, wall: true };
    case 1: // MONOTONIC
    case 7: // BOOTTIME
    case 9: // BOOTTIME_ALARM
      return { cpu: false, wall: false };
    case 2: // PROCESS_CPUTIME_ID
    case 3: // THREAD_CPUTIME_ID (one thread per process)
      return { cpu: true, wall: false };
    case 4: // MONOTONIC_RAW
    case 5: // REALTIME_COARSE
    case 6: // MONOTONIC_COARSE
      return -ERRNO.EOPNOTSUPP; // clocks with no timers
    default:
      return -ERRNO.EINVAL;
  }
}

export const timer_create: Handler = (k, p, a) => {
  const [clk, sevp, idp] = [a[0] | 0, a[1], a[2]];
  const ev = sevp === 0 ? null : new DataView(p.mem.read(sevp, SIGEVENT_SIZE).buffer);
  const clock = timerClock(clk);
  if (typeof clock === 'number') return clock;
  const id = p.nextTimerId++;
  let [signo, notify, value] = [SIGALRM, SIGEV_SIGNAL, BigInt(id)];
  if (ev !== null) {
    [value, signo, notify] = [ev.getBigUint64(0, true), ev.getInt32(8, true), ev.getInt32(12, true)];
    // good_sigevent: a thread id must be one of the process's threads (here, only itself).
    if (notify === (SIGEV_SIGNAL | SIGEV_THREAD_ID) && ev.getInt32(16, true) !== p.pid) return -ERRNO.EINVAL;
    const signals = notify === SIGEV_SIGNAL || notify === SIGEV_THREAD || notify === (SIGEV_SIGNAL | SIGEV_THREAD_ID);
    if (!signals && notify !== SIGEV_NONE) return -ERRNO.EINVAL;
    if (signals && (signo <= 0 || signo > SIGRTMAX)) return -ERRNO.EINVAL;
  }
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, id, true);
  p.mem.write(idp, b);
  p.posixTimers.set(id, {
    id, owner: p, cpu: clock.cpu, wall: clock.wall, silent: notify === SIGEV_NONE, signo, value,
    toThread: notify === (SIGEV_SIGNAL | SIGEV_THREAD_ID), at: null, interval: 0n,
    queued: false, awaitingRearm: false, extra: 0, overrun: 0, deleted: false,
  });
  return 0;
};

/** struct itimerspec as timer_gettime shows t: the interval, then the time left. */
function itimerspec(k: Kernel, t: PosixTimer): Uint8Array {
  const b = new Uint8Array(32);
  b.set(timespec(t.interval), 0);
  b.set(timespec(remaining(t, clockOf(t, k.timeNs))), 16);
  return b;
}

export const timer_settime: Handler = (k, p, a) => {
  const [id, flags, newp, oldp] = [a[0] | 0, a[1] | 0, a[2], a[3]];
  const dv = new DataView(p.mem.read(newp, 32).buffer);
  const [interval, value] = [timespecAt(dv, 0), timespecAt(dv, 16)];
  if (interval === null || value === null) return -ERRNO.EINVAL;
  const t = p.posixTimers.get(id);
  if (t === undefined) return -ERRNO.EINVAL;
  const old = itimerspec(k, t);
  let at: bigint | null = null;
  if (value !== 0n && flags & TIMER_ABSTIME) {
    // On the timer's clock: a wall clock counts from the epoch, a CPU clock from the process's start.
    at = t.cpu ? BigInt(p.cpuStart) + value : t.wall ? value - BigInt(EPOCH_SEC) * NS_PER_SEC : value;
  } else if (value !== 0n) at = expiry(clockOf(t, k.timeNs), value);
  // The interval is kept even when the value disarms (timer_gettime shows it).
  k.armPosixTimer(t, at, interval);
  if (oldp !== 0) p.mem.write(oldp, old);
  return 0;
};

export const timer_gettime: Handler = (k, p, a) => {
  const t = p.posixTimers.get(a[0] | 0);
  if (t === undefined) return -ERRNO.EINVAL;
  p.mem.write(a[1], itimerspec(k, t));
  return 0;
};

export const timer_getoverrun: Handler = (_k, p, a) => p.posixTimers.get(a[0] | 0)?.overrun ?? -ERRNO.EINVAL;

export const timer_delete: Handler = (k, p, a) => {
  const t = p.posixTimers.get(a[0] | 0);
  if (t === undefined) return -ERRNO.EINVAL;
  k.deletePosixTimers(p, t);
  return 0;
};
