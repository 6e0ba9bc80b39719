// POSIX per-process timers (timer_create): on a time clock (virtual time) or on the
// process's CPU time (its instructions), sending a signal with an SI_TIMER siginfo, or
// nothing (SIGEV_NONE: only timer_gettime sees them). As Linux 6.1 does, a timer's signal is
// queued once: expiries while it is still pending count as overruns, and a periodic timer
// whose signal is pending is rearmed only when the signal is taken, the periods it missed
// becoming the signal's si_overrun (so a blocked signal costs no wakeups). A fork child has
// none; exec and exit delete them.

import { KERNEL_SIGINFO_SIZE } from './signal-frame.ts';
import type { Process, SigInfo } from './process.ts';

/** si_code of a timer's signal. */
export const SI_TIMER = -2;
/** Linux caps a timer's overrun count at INT_MAX (DELAYTIMER_MAX). */
const MAX_OVERRUN = 0x7fff_ffff;

export interface PosixTimer {
  readonly id: number;
  readonly owner: Process;
  /** Counts the owner's CPU time (at is an instruction count) rather than virtual time. */
  readonly cpu: boolean;
  /** On a wall clock (CLOCK_REALTIME, TAI): an absolute time counts from the epoch. */
  readonly wall: boolean;
  /** SIGEV_NONE: it expires without sending anything. */
  readonly silent: boolean;
  readonly signo: number;
  /** sigev_value, as the 8 bytes of a union sigval. */
  readonly value: bigint;
  /** SIGEV_THREAD_ID: the signal goes to the thread, not the process. */
  readonly toThread: boolean;
  /** Next expiry: virtual ns since boot, or the owner's instret (cpu); null: disarmed. */
  at: bigint | null;
  interval: bigint;
  /** Its signal is pending, not yet taken. */
  queued: boolean;
  /** Periodic, expired with its signal pending: rearmed when the signal is taken. */
  awaitingRearm: boolean;
  /** Expiries while its signal was pending (send_sigqueue's si_overrun++). */
  extra: number;
  /** What timer_getoverrun says: the overrun of the last signal taken. */
  overrun: number;
  deleted: boolean;
}

/** When t next expires on its clock, for the expiry sets; null while it waits or sends nothing. */
export const firesAt = (t: PosixTimer): bigint | null => (t.silent || t.awaitingRearm ? null : t.at);

/** The current time on t's clock. */
export const clockOf = (t: PosixTimer, timeNs: bigint): bigint => (t.cpu ? BigInt(t.owner.cpu.instret) : timeNs);

/** The first period end after now of a periodic timer that expired at t.at. */
function nextPeriod(t: PosixTimer, now: bigint): { at: bigint; missed: bigint } {
  const missed = (now - t.at!) / t.interval;
  return { at: t.at! + (missed + 1n) * t.interval, missed };
}

/** The time left before t expires (timer_gettime's it_value), rearming a lapsed SIGEV_NONE one. */
export function remaining(t: PosixTimer, now: bigint): bigint {
  if (t.at === null) return 0n;
  if (t.awaitingRearm) return nextPeriod(t, now).at - now;
  if (t.at > now) return t.at - now;
  if (!t.silent) return 1n; // due, not yet fired: Linux shows 1 ns
  if (t.interval === 0n) {
    t.at = null;
    return 0n;
  }
  t.at = nextPeriod(t, now).at;
  return t.at - now;
}

/** The siginfo of t's signal: SI_TIMER, si_timerid @16, si_overrun @20 (set when taken), si_value @24. */
export function timerSigInfo(t: PosixTimer): SigInfo {
  const raw = new Uint8Array(KERNEL_SIGINFO_SIZE);
  const dv = new DataView(raw.buffer);
  dv.setInt32(8, SI_TIMER, true);
  dv.setInt32(16, t.id, true);
  dv.setBigUint64(24, t.value, true);
  return { code: SI_TIMER, pid: 0, raw, timer: t };
}

/**
 * t expired: what to send, or null when its signal is still pending (an overrun: a one-shot
 * timer is disarmed, a periodic one waits for the signal to be taken). Then sent() says
 * whether the signal was queued.
 */
export function expire(t: PosixTimer): SigInfo | null {
  if (!t.queued) return timerSigInfo(t);
  t.extra++;
  if (t.interval > 0n) t.awaitingRearm = true;
  else t.at = null;
  return null;
}

/**
 * t's signal was sent at `now`: queued, a periodic t waits for it to be taken; discarded (an
 * ignored signal), a periodic t moves on to its next period. A one-shot t is done.
 */
export function sent(t: PosixTimer, wasQueued: boolean, now: bigint): void {
  t.queued = wasQueued;
  t.extra = 0;
  if (t.interval === 0n) t.at = null;
  else if (wasQueued) t.awaitingRearm = true;
  else t.at = nextPeriod(t, now).at;
}

/**
 * t's signal was taken (delivered, or discarded by a flush) at `now` on its clock: its
 * overrun is fixed, written into the siginfo, and a waiting periodic timer is rearmed.
 */
export function taken(t: PosixTimer, info: SigInfo, now: bigint): void {
  t.queued = false;
  let over = BigInt(t.extra);
  t.extra = 0;
  if (t.awaitingRearm) {
    t.awaitingRearm = false;
    if (!t.deleted && t.at !== null) {
      const next = nextPeriod(t, now);
      over += next.missed;
      t.at = next.at;
    }
  }
  t.overrun = over > BigInt(MAX_OVERRUN) ? MAX_OVERRUN : Number(over);
  if (info.raw !== undefined) new DataView(info.raw.buffer).setInt32(20, t.overrun, true);
}
