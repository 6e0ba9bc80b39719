// Pending signals as Linux 6.1 keeps them (kernel/signal.c): two pending sets, the thread's
// own (tkill, tgkill, rt_tgsigqueueinfo) and the process's shared one (everything else), each
// a set of signal numbers with a queue of the siginfo sent with them, in arrival order. Here
// Process.sigqueue holds both queues' entries (each marked with its set), threadPending and
// sharedPending the two sets, and Process.pending their union. A standard signal (below
// SIGRTMIN) is in a set at most once: sending it again meanwhile changes nothing
// (legacy_queue). A real-time one queues every instance, each with its own siginfo. Each
// queued siginfo is charged to its user's count, bounded by the target's RLIMIT_SIGPENDING
// (every process is root here: one count for the whole kernel). Past the bound a real-time
// signal from sigqueue (any si_code but SI_USER) fails with EAGAIN; any other is still made
// pending, its siginfo lost. Standard signals with si_code >= 0 (kill, the kernel's own) are
// exempt from the bound. Signals are taken from the thread's set first, then the shared one.

import { ERRNO } from './errno.ts';
import type { Kernel } from './kernel.ts';
import type { Process, SigInfo } from './process.ts';
import { limitOf, RLIMIT_SIGPENDING } from './rlimits.ts';
import { SIGBUS, SIGFPE, SIGILL, SIGKILL, SIGSEGV, SIGTRAP, sigbit } from './signals.ts';

/** The first real-time signal of the kernel (glibc keeps 32 and 33: its SIGRTMIN is 34). */
export const SIGRTMIN = 32;
export const SIGRTMAX = 64;
/** si_code of kill(). */
export const SI_USER = 0;

/** Which pending set a signal goes to. */
export type SigTarget = 'process' | 'thread';

export interface QueuedSignal {
  sig: number;
  info: SigInfo;
  to: SigTarget;
}

/** Faults are taken before other pending signals (Linux's SYNCHRONOUS_MASK; SIGSYS is 31). */
const SYNCHRONOUS = sigbit(SIGSEGV) | sigbit(SIGBUS) | sigbit(SIGILL) | sigbit(SIGTRAP) | sigbit(SIGFPE) | sigbit(31);

/** The signal Linux takes next from one set (next_signal): a fault first, else the lowest; 0 if none. */
function lowest(ready: bigint): number {
  if (ready === 0n) return 0;
  const from = ready & SYNCHRONOUS ? ready & SYNCHRONOUS : ready;
  let sig = 1;
  while (!(from & sigbit(sig))) sig++;
  return sig;
}

/** The signal p takes next among those in `wanted` (dequeue_signal), 0 if none. */
export function nextSignal(p: Process, wanted: bigint): number {
  return lowest(p.threadPending & wanted) || lowest(p.sharedPending & wanted);
}

const setOf = (p: Process, to: SigTarget): bigint => (to === 'thread' ? p.threadPending : p.sharedPending);

function setBits(p: Process, to: SigTarget, bits: bigint): void {
  if (to === 'thread') p.threadPending = bits;
  else p.sharedPending = bits;
  p.pending = p.threadPending | p.sharedPending;
}

/**
 * Make sig pending on p, in its thread's set or the process's, with info
 * (__send_signal_locked, past the checks on ignoring; SIGKILL needs no siginfo): 0, or
 * -EAGAIN when a sigqueue'd real-time signal finds the queue full.
 */
export function enqueue(k: Kernel, p: Process, sig: number, info: SigInfo, to: SigTarget): number {
  const bit = sigbit(sig);
  if (sig < SIGRTMIN && setOf(p, to) & bit) return 0;
  const exempt = sig < SIGRTMIN && info.code >= 0;
  if (sig !== SIGKILL) {
    if (exempt || BigInt(k.sigqueued + 1) <= limitOf(p, RLIMIT_SIGPENDING)[0]) {
      p.sigqueue.push({ sig, info, to });
      k.sigqueued++;
    } else if (sig >= SIGRTMIN && info.code !== SI_USER) return -ERRNO.EAGAIN;
  }
  setBits(p, to, setOf(p, to) | bit);
  return 0;
}

/**
 * Take the next instance of sig off p (collect_signal), from its thread's set if there, else
 * the process's: its siginfo, or what Linux makes up for one whose siginfo was lost (SI_USER
 * from pid 0). sig stays in the set while another instance is queued there.
 */
export function dequeue(k: Kernel, p: Process, sig: number): SigInfo {
  const to: SigTarget = p.threadPending & sigbit(sig) ? 'thread' : 'process';
  const q = p.sigqueue;
  const mine = (e: QueuedSignal): boolean => e.sig === sig && e.to === to;
  const i = q.findIndex(mine);
  const more = i >= 0 && q.findIndex((e, j) => j > i && mine(e)) >= 0;
  if (!more) setBits(p, to, setOf(p, to) & ~sigbit(sig));
  if (i < 0) return { code: SI_USER, pid: 0 };
  const [e] = q.splice(i, 1);
  k.sigqueued--;
  if (e.info.timer !== undefined) k.timerSignalTaken(e.info);
  return e.info;
}

/** Discard every pending instance of the signals in mask, in both sets (flush_sigqueue_mask). */
export function flushSignals(k: Kernel, p: Process, mask: bigint): void {
  if ((p.pending & mask) === 0n) return;
  const keep = p.sigqueue.filter((e) => !(sigbit(e.sig) & mask));
  k.sigqueued -= p.sigqueue.length - keep.length;
  for (const e of p.sigqueue) if (e.info.timer !== undefined && sigbit(e.sig) & mask) k.timerSignalTaken(e.info);
  p.sigqueue = keep;
  setBits(p, 'thread', p.threadPending & ~mask);
  setBits(p, 'process', p.sharedPending & ~mask);
}

/** Everything pending on p is gone (it exited). */
export function flushAll(k: Kernel, p: Process): void {
  flushSignals(k, p, p.pending);
}
