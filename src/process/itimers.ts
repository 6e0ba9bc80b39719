// Interval timers (setitimer, and glibc's alarm through it). ITIMER_REAL counts virtual time
// and sends SIGALRM; ITIMER_VIRTUAL and ITIMER_PROF count the process's own instructions (its
// CPU time here, user and system alike) and send SIGVTALRM and SIGPROF. As on Linux they
// belong to the process: a fork child starts with none, exec keeps them, exit ends them. A
// periodic timer that fell behind fires once and is moved past now (hrtimer_forward: the
// overruns are lost, as a coalesced signal would lose them anyway).

import { firesAt } from './posix-timers.ts';
import { expiry, type Process } from './process.ts';

export const ITIMER_REAL = 0;
export const ITIMER_VIRTUAL = 1;
export const ITIMER_PROF = 2;

/** One of a process's timers: when it expires on its clock (ns; null: disarmed), and its period (0: once, kept even while disarmed, as getitimer shows it). */
export interface Itimer {
  at: bigint | null;
  interval: bigint;
}

export const noTimers = (): Itimer[] => [0, 1, 2].map(() => ({ at: null, interval: 0n }));

/** A timer that expired at `now` is disarmed, or moved to its first period end after now. */
export function rearm(t: Itimer, now: bigint): void {
  if (t.interval === 0n || t.at === null) {
    t.at = null;
    return;
  }
  t.at = expiry(t.at, ((now - t.at) / t.interval + 1n) * t.interval);
}

/** The earliest instruction count at which one of p's CPU timers expires (Infinity: none). */
export function cpuTimerDue(p: Process): number {
  const v = p.itimers[ITIMER_VIRTUAL].at;
  const f = p.itimers[ITIMER_PROF].at;
  let due = Math.min(v === null ? Infinity : Number(v), f === null ? Infinity : Number(f));
  for (const t of p.posixTimers.values()) {
    const at = t.cpu ? firesAt(t) : null;
    if (at !== null && Number(at) < due) due = Number(at);
  }
  return due;
}
