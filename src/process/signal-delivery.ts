// Sending and delivering signals. A sent signal becomes pending (standard signals do not
// queue twice, real-time ones do: sigqueue.ts); it is delivered when its target next enters the kernel, before the pending
// syscall runs or right after a syscall returns. Delivery runs the default action or pushes
// a frame and enters the handler; a syscall blocked when the signal came returns EINTR, or
// runs again after the handler when it is restartable and the handler has SA_RESTART.

import { MemFault, OutOfMemory } from '../emu/memory.ts';
import { childTicks } from './accounting.ts';
import { ERRNO } from './errno.ts';
import type { Kernel } from './kernel.ts';
import { type Process, SIG_DFL, SIG_IGN, type SigInfo } from './process.ts';
import { pushFrame } from './signal-frame.ts';
import { dequeue, enqueue, flushSignals, nextSignal, SI_USER, type SigTarget } from './sigqueue.ts';
import { defaultAction, SIGCHLD, SIGCONT, SIGKILL, SIGSEGV, sigbit, UNBLOCKABLE } from './signals.ts';
import { SYS } from './sysno.ts';
import { terminate, wakeForChild } from './lifecycle.ts';

export const SA_SIGINFO = 0x4;
export const SA_ONSTACK = 0x08000000;
export const SA_RESTART = 0x10000000;
export const SA_NODEFER = 0x40000000;
export const SA_RESETHAND = 0x80000000;
export const SA_NOCLDWAIT = 0x2;
export const SA_NOCLDSTOP = 0x1;

export const CLD_STOPPED = 5;
export const CLD_CONTINUED = 6;

/** Stop signals pending together with SIGCONT cancel out, as on Linux. */
const STOP_SIGNALS = sigbit(19) | sigbit(20) | sigbit(21) | sigbit(22);

export const SS_ONSTACK = 1;
export const SS_DISABLE = 2;
/** The alternate stack is disarmed while a handler runs (restored by sigreturn). */
export const SS_AUTODISARM = 0x80000000 | 0;

/** si_code values. */
export { SI_USER };
export const SI_KERNEL = 0x80;
export const SI_TKILL = -6;
/** sigqueue(), and so rt_sigqueueinfo as glibc calls it. */
export const SI_QUEUE = -1;
/** si_code of synchronous faults. */
export const SEGV_MAPERR = 1;
export const SEGV_ACCERR = 2;
export const BUS_ADRALN = 1;
/** A nonexistent physical address: here, a page of a file mapping past the file's end. */
export const BUS_ADRERR = 2;
export const ILL_ILLOPC = 1;
export const TRAP_BRKPT = 1;

export type SendInfo = SigInfo;

/** Syscalls that SA_RESTART restarts (Linux's ERESTARTSYS); the rest return EINTR. */
const RESTARTABLE = new Set<number>([SYS.read, SYS.readv, SYS.write, SYS.writev, SYS.wait4, SYS.waitid, SYS.openat, SYS.fcntl, SYS.flock]);

/** Would sig, if it arrived now, be thrown away without any effect? */
export function ignored(p: Process, sig: number): boolean {
  const h = p.actions[sig].handler;
  if (h === SIG_IGN) return true;
  if (h !== SIG_DFL) return false;
  const d = defaultAction(sig);
  return d === 'ignore' || d === 'continue';
}

/**
 * Make sig pending for target (or kill it at once for SIGKILL), and wake it if it can take it
 * (or waits for it in rt_sigtimedwait). 0, or -EAGAIN when the signal queue is full (sigqueue.ts).
 */
export function sendSignal(k: Kernel, target: Process, sig: number, info: SendInfo, to: SigTarget = 'process'): number {
  if (!target.alive || !k.variant.signals) return 0;
  k.emit({ kind: 'signal', pid: target.pid, sig, from: info.pid });
  const bit = sigbit(sig);
  if (sig === SIGKILL) {
    // Fatal for certain, but like on Linux the target dies in its own context: when it
    // next enters the kernel (even from an uninterruptible wait such as vfork's).
    enqueue(k, target, sig, info, to);
    if (target.state === 'stopped') target.state = 'running';
    k.wake(target);
    return 0;
  }
  // SIGCONT resumes at once, in the sender's context, and discards pending stops; a stop
  // signal discards a pending SIGCONT.
  if (sig === SIGCONT) {
    flushSignals(k, target, STOP_SIGNALS);
    if (target.state === 'stopped') {
      target.state = 'running';
      target.jobChange = { kind: 'continued' };
      notifyJobChange(k, target, CLD_CONTINUED, SIGCONT);
    }
  } else if (bit & STOP_SIGNALS) flushSignals(k, target, sigbit(SIGCONT));
  // An ignored signal is discarded at once, unless blocked (the disposition may change).
  if (!(target.sigmask & bit) && ignored(target, sig)) return 0;
  const r = enqueue(k, target, sig, info, to);
  if (r < 0) return r;
  if ((!(target.sigmask & bit) || target.sigwaitSet & bit) && target.interruptible) k.wake(target);
  return 0;
}

/**
 * Run the current syscall under a temporary mask (rt_sigsuspend, ppoll, pselect6): a handler
 * entered meanwhile restores the old one on sigreturn, as does a normal return.
 */
export function useTemporaryMask(p: Process, mask: bigint): void {
  p.savedMask = p.sigmask;
  p.sigmask = mask & ~UNBLOCKABLE;
}

export function restoreTemporaryMask(p: Process): void {
  if (p.savedMask === null) return;
  p.sigmask = p.savedMask;
  p.savedMask = null;
}

export function hasDeliverable(p: Process): boolean {
  return (p.pending & ~p.sigmask) !== 0n;
}

/** SIGKILL is pending: the process must die at its next kernel entry, whatever it waits for. */
export function killPending(p: Process): boolean {
  return (p.pending & sigbit(SIGKILL)) !== 0n;
}

/**
 * Deliver p's pending signals, the thread's own before the process's, each lowest-numbered
 * first (faults before the rest), as p enters or leaves the kernel. Like
 * Linux's exit to user mode, it goes on while one is deliverable: each handler entered pushes
 * its frame on the last one's (under the mask that handler set), so the last entered runs
 * first. True when p's course changed (it died or stopped, or runs a handler).
 */
export function deliverPending(k: Kernel, p: Process): boolean {
  let entered = false;
  for (;;) {
    const sig = nextSignal(p, ~p.sigmask);
    if (sig === 0) return entered;
    const info = dequeue(k, p, sig);
    const act = p.actions[sig];
    if (act.handler === SIG_IGN) continue;
    if (act.handler === SIG_DFL) {
      const d = defaultAction(sig);
      if (d === 'terminate' || d === 'core') {
        terminate(k, p, sig);
        return true;
      }
      if (d === 'stop') {
        stop(k, p, sig);
        return true;
      }
      continue; // ignore; continue (the resuming was done when SIGCONT was sent)
    }
    enterHandler(k, p, sig, info);
    if (!p.alive) return true; // no room for the frame
    entered = true;
  }
}

/**
 * Stop p. A syscall it was blocked in runs again on resumption (Linux restarts it when no
 * handler ran); one it had not started yet simply stays pending.
 */
function stop(k: Kernel, p: Process, sig: number): void {
  if (p.blockedIn >= 0) {
    k.wake(p);
    p.endSyscall();
  }
  p.state = 'stopped';
  p.jobChange = { kind: 'stopped', sig };
  notifyJobChange(k, p, CLD_STOPPED, sig);
}

/** Tell the parent a child stopped or continued: SIGCHLD (unless SA_NOCLDSTOP) and a wait wakeup. */
function notifyJobChange(k: Kernel, c: Process, code: number, sig: number): void {
  const parent = c.parent;
  if (parent === null || !parent.alive) return;
  if (!(parent.actions[SIGCHLD].flags & SA_NOCLDSTOP)) {
    sendSignal(k, parent, SIGCHLD, { code, pid: c.pid, status: sig, ...childTicks(c) });
  }
  wakeForChild(k, parent, c);
}

function onAltStack(p: Process, sp: number): boolean {
  const a = p.altstack;
  return a.size > 0 && sp > a.sp && sp <= a.sp + a.size;
}

function enterHandler(k: Kernel, p: Process, sig: number, info: SigInfo): void {
  const act = p.actions[sig];
  const cpu = p.cpu;
  if (p.atSyscall) {
    // Entering the kernel at an ecall. A call that blocked is interrupted: it returns EINTR
    // (or the bytes it moved), or runs again after the handler. One that had not started
    // yet runs after the handler: the signal came just before it.
    if (p.blockedIn >= 0) {
      const restart = (act.flags & SA_RESTART) !== 0 && RESTARTABLE.has(p.blockedIn) && p.ioDone === 0;
      if (!restart) p.returnFromSyscall(p.ioDone > 0 ? p.ioDone : (p.interrupted?.() ?? -ERRNO.EINTR));
      k.wake(p);
      p.endSyscall();
    }
    p.atSyscall = false;
  }
  const mask = p.sigmask;
  const oldMask = p.savedMask ?? mask;
  p.savedMask = null;
  const sp = Number(cpu.getX(2));
  const alt = p.altstack;
  const useAlt = (act.flags & SA_ONSTACK) !== 0 && !(alt.flags & SS_DISABLE) && alt.size > 0 && !onAltStack(p, sp);
  const altFlags = (alt.size === 0 || alt.flags & SS_DISABLE ? SS_DISABLE : onAltStack(p, sp) ? SS_ONSTACK : 0) | (alt.flags & SS_AUTODISARM);
  try {
    pushFrame(cpu, p.mem, {
      sig,
      info,
      oldMask,
      altstack: { sp: alt.sp, size: alt.size, flags: altFlags },
      stackTop: useAlt ? alt.sp + alt.size : sp,
      handler: act.handler,
    });
  } catch (e) {
    if (!(e instanceof MemFault)) throw e;
    if (e instanceof OutOfMemory) oomKill(k, p);
    else terminate(k, p, SIGSEGV); // no room for the frame: Linux forces SIGSEGV
    return;
  }
  // The frame's uc_stack keeps the stack; rt_sigreturn puts it back.
  if (alt.flags & SS_AUTODISARM) p.altstack = { sp: 0, size: 0, flags: SS_DISABLE };
  // The frame keeps the mask from before a temporary one (sigsuspend's); the handler runs
  // under the current mask, temporary or not, plus its own (Linux's signal_delivered).
  p.sigmask = (mask | act.mask | ((act.flags & SA_NODEFER) !== 0 ? 0n : sigbit(sig))) & ~UNBLOCKABLE;
  if (act.flags & SA_RESETHAND) {
    act.handler = SIG_DFL;
    act.flags &= ~SA_SIGINFO;
  }
}

/**
 * The OOM kill: p needed a page and the machine has none left, so it dies of SIGKILL, as
 * Linux's OOM killer kills (Linux picks the process with the most memory; here it is the
 * one whose page fault found none, which keeps the choice in the run's own order).
 */
export function oomKill(k: Kernel, p: Process): void {
  forceSignal(k, p, SIGKILL, SI_KERNEL, 0);
}

/**
 * A synchronous fault (SIGSEGV, SIGBUS, SIGILL, SIGTRAP) at the current pc: the handler runs
 * if one is installed and the signal is not blocked, else the process dies of it.
 */
export function forceSignal(k: Kernel, p: Process, sig: number, code: number, addr: number): void {
  const h = p.actions[sig].handler;
  if (h === SIG_DFL || h === SIG_IGN || p.sigmask & sigbit(sig)) {
    k.emit({ kind: 'signal', pid: p.pid, sig, from: 0 });
    terminate(k, p, sig);
    return;
  }
  k.emit({ kind: 'signal', pid: p.pid, sig, from: 0 });
  enterHandler(k, p, sig, { code, pid: 0, addr });
}
