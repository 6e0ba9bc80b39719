// Interval timers (setitimer, and glibc's alarm through it). ITIMER_REAL counts virtual time
// and sends SIGALRM; ITIMER_VIRTUAL and ITIMER_PROF count the process's own instructions (its
// CPU time here, user and system alike) and send SIGVTALRM and SIGPROF. As on Linux they
// belong to the process: a fork child starts with none, exec keeps them, exit ends them. A
// periodic timer that fell behind fires once and is moved past now (hrtimer_forward: the
// overruns are lost, as a coalesced signal would lose them anyway).

import { expiry, NO_DEADLINE, type Process } from './process.ts';

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

/** The processes with an armed ITIMER_REAL, and the earliest expiry among them. */
export class RealTimers {
  private armed: Process[] = [];
  /** Earliest expiry (NO_DEADLINE when none): a bigint compare on the hot path. */
  next = NO_DEADLINE;

  /** p's ITIMER_REAL changed (armed, rearmed or disarmed). */
  update(p: Process): void {
    const i = this.armed.indexOf(p);
    const on = p.itimers[ITIMER_REAL].at !== null;
    if (!on && i >= 0) this.armed.splice(i, 1);
    if (on && i < 0) this.armed.push(p);
    this.recompute();
  }

  /** The processes whose timer expired by `now`, earliest first (then by pid), each rearmed or disarmed. */
  take(now: bigint): Process[] {
    const at = (p: Process): bigint => p.itimers[ITIMER_REAL].at!;
    const due = this.armed.filter((p) => at(p) <= now);
    if (due.length === 0) return due;
    due.sort((a, b) => (at(a) < at(b) ? -1 : at(a) > at(b) ? 1 : a.pid - b.pid));
    for (const p of due) rearm(p.itimers[ITIMER_REAL], now);
    this.armed = this.armed.filter((p) => p.itimers[ITIMER_REAL].at !== null);
    this.recompute();
    return due;
  }

  private recompute(): void {
    let n = NO_DEADLINE;
    for (const p of this.armed) if (p.itimers[ITIMER_REAL].at! < n) n = p.itimers[ITIMER_REAL].at!;
    this.next = n;
  }
}

/** The earliest instruction count at which one of p's CPU timers expires (Infinity: none). */
export function cpuTimerDue(p: Process): number {
  const v = p.itimers[ITIMER_VIRTUAL].at;
  const f = p.itimers[ITIMER_PROF].at;
  return Math.min(v === null ? Infinity : Number(v), f === null ? Infinity : Number(f));
}
