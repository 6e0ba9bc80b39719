// Signal syscalls: dispositions and masks, sending (kill, tkill, tgkill, and with a siginfo of
// the sender's own, rt_sigqueueinfo and rt_tgsigqueueinfo), waiting (rt_sigsuspend, and
// rt_sigtimedwait, which takes a signal instead of running its handler), the alternate
// stack, and the return from a handler.

import { MemFault } from '../../emu/memory.ts';
import { ERRNO } from '../errno.ts';
import type { Kernel } from '../kernel.ts';
import { KEEP_REGS } from '../kernel.ts';
import { expiry, NO_DEADLINE, NSIG, type Process, type SigInfo } from '../process.ts';
import { ignored, sendSignal, SI_TKILL, SI_USER, SS_AUTODISARM, SS_DISABLE, SS_ONSTACK, useTemporaryMask } from '../signal-delivery.ts';
import { type AltStack, KERNEL_SIGINFO_SIZE, popFrame, sigInfoBytes } from '../signal-frame.ts';
import { dequeue, flushSignals, nextSignal } from '../sigqueue.ts';
import { SIGKILL, SIGSEGV, SIGSTOP, sigbit, UNBLOCKABLE } from '../signals.ts';
import { readTimespec } from './time.ts';
import type { Handler } from './table.ts';

const SIG_BLOCK = 0;
const SIG_UNBLOCK = 1;
const SIG_SETMASK = 2;

/** struct sigaction of riscv64 (no sa_restorer): handler @0, flags @8, mask @16. */
export const rt_sigaction: Handler = (k, p, a) => {
  const [sig, act, oact, size] = [a[0] | 0, a[1], a[2], a[3]];
  if (size !== 8 || sig < 1 || sig > NSIG) return -ERRNO.EINVAL;
  if (act !== 0 && (sig === SIGKILL || sig === SIGSTOP)) return -ERRNO.EINVAL;
  const cur = p.actions[sig];
  const next = act !== 0 ? new DataView(p.mem.read(act, 24).buffer) : null;
  if (oact !== 0) {
    const b = new Uint8Array(24);
    const dv = new DataView(b.buffer);
    dv.setBigUint64(0, BigInt(cur.handler), true);
    dv.setBigUint64(8, BigInt(cur.flags >>> 0), true);
    dv.setBigUint64(16, cur.mask, true);
    p.mem.write(oact, b);
  }
  if (next !== null) {
    cur.handler = Number(next.getBigUint64(0, true));
    cur.flags = Number(next.getBigUint64(8, true) & 0xffffffffn);
    cur.mask = next.getBigUint64(16, true) & ~UNBLOCKABLE;
    // POSIX: a pending signal whose action becomes "ignore" is discarded, blocked or not.
    if (ignored(p, sig)) flushSignals(k, p, sigbit(sig));
  }
  return 0;
};

export const rt_sigprocmask: Handler = (_k, p, a) => {
  const [how, set, oset, size] = [a[0] | 0, a[1], a[2], a[3]];
  if (size !== 8) return -ERRNO.EINVAL;
  const old = p.sigmask;
  if (set !== 0) {
    const s = p.mem.readU64(set);
    if (how === SIG_BLOCK) p.sigmask = old | s;
    else if (how === SIG_UNBLOCK) p.sigmask = old & ~s;
    else if (how === SIG_SETMASK) p.sigmask = s;
    else return -ERRNO.EINVAL;
    p.sigmask &= ~UNBLOCKABLE;
  }
  if (oset !== 0) p.mem.writeU64(oset, old);
  return 0;
};

/** Pending signals that are blocked (unblocked ones are delivered before this returns). */
export const rt_sigpending: Handler = (_k, p, a) => {
  if (a[1] !== 8) return -ERRNO.EINVAL;
  p.mem.writeU64(a[0], p.pending & p.sigmask);
  return 0;
};

/** Wait under a temporary mask until a handler runs; always ends with EINTR. */
export const rt_sigsuspend: Handler = (k, p, a) => {
  if (a[1] !== 8) return -ERRNO.EINVAL;
  if (!k.resumed(p)) useTemporaryMask(p, p.mem.readU64(a[0]));
  return k.block(p, 'sigsuspend', []);
};

function validSig(sig: number): boolean {
  return sig >= 0 && sig <= NSIG;
}

export const kill: Handler = (k, p, a) => {
  const [pid, sig] = [a[0] | 0, a[1] | 0];
  if (!validSig(sig)) return -ERRNO.EINVAL;
  let targets: Process[];
  if (pid > 0) {
    const t = k.procs.get(pid);
    targets = t === undefined ? [] : [t];
  } else if (pid === -1) {
    targets = [...k.procs.values()].filter((q) => q.pid !== 1 && q !== p);
  } else {
    const pgid = pid === 0 ? p.pgid : -pid;
    targets = [...k.procs.values()].filter((q) => q.pgid === pgid);
  }
  if (targets.length === 0) return -ERRNO.ESRCH;
  if (sig !== 0) for (const t of targets) sendSignal(k, t, sig, { code: SI_USER, pid: p.pid });
  return 0;
};

/**
 * Linux's do_send_specific: sig (0: a probe) with info to thread tid of thread group tgid
 * (0: any). One thread per process: the thread id is the pid. The thread is looked up before
 * sig is checked, and a zombie is still found (its signal is then dropped).
 */
function sendSpecific(k: Kernel, tgid: number, tid: number, sig: number, info: SigInfo): number {
  const t = k.procs.get(tid);
  if (t === undefined || (tgid > 0 && tgid !== tid)) return -ERRNO.ESRCH;
  if (!validSig(sig)) return -ERRNO.EINVAL;
  return sig === 0 ? 0 : sendSignal(k, t, sig, info, 'thread');
}

export const tkill: Handler = (k, p, a) => {
  const tid = a[0] | 0;
  return tid <= 0 ? -ERRNO.EINVAL : sendSpecific(k, 0, tid, a[1] | 0, { code: SI_TKILL, pid: p.pid });
};
export const tgkill: Handler = (k, p, a) => {
  const [tgid, tid] = [a[0] | 0, a[1] | 0];
  return tgid <= 0 || tid <= 0 ? -ERRNO.EINVAL : sendSpecific(k, tgid, tid, a[2] | 0, { code: SI_TKILL, pid: p.pid });
};

/**
 * The sender's siginfo for signal sig (copy_siginfo_from_user: its first 48 bytes, si_signo
 * set to sig). Throws MemFault (EFAULT).
 */
function queuedInfo(p: Process, sig: number, addr: number): SigInfo {
  const raw = p.mem.read(addr, KERNEL_SIGINFO_SIZE);
  const dv = new DataView(raw.buffer, raw.byteOffset);
  dv.setInt32(0, sig, true);
  return { code: dv.getInt32(8, true), pid: dv.getInt32(16, true), raw };
}

/** Not even root may pretend to be the kernel, kill() or tgkill() toward another process. */
const impersonates = (p: Process, info: SigInfo, pid: number): boolean => (info.code >= 0 || info.code === SI_TKILL) && pid !== p.pid;

/** sigqueue(3): sig with the caller's siginfo (si_value) to process pid. */
export const rt_sigqueueinfo: Handler = (k, p, a) => {
  const [pid, sig] = [a[0] | 0, a[1] | 0];
  const info = queuedInfo(p, sig, a[2]);
  if (impersonates(p, info, pid)) return -ERRNO.EPERM;
  // Linux looks the pid up first (none for pid <= 0: no groups here), then checks sig.
  const t = pid > 0 ? k.procs.get(pid) : undefined;
  if (t === undefined) return -ERRNO.ESRCH;
  if (!validSig(sig)) return -ERRNO.EINVAL;
  return sig === 0 ? 0 : sendSignal(k, t, sig, info);
};

/** rt_sigqueueinfo toward one thread (tid) of thread group tgid: here the process tid. */
export const rt_tgsigqueueinfo: Handler = (k, p, a) => {
  const [tgid, tid, sig] = [a[0] | 0, a[1] | 0, a[2] | 0];
  const info = queuedInfo(p, sig, a[3]);
  if (tid <= 0 || tgid <= 0) return -ERRNO.EINVAL;
  if (impersonates(p, info, tid)) return -ERRNO.EPERM;
  return sendSpecific(k, tgid, tid, sig, info);
};

/**
 * sigwaitinfo / sigtimedwait / sigwait: take a pending signal of the set (as a delivery would
 * pick it: sigqueue.ts) with its siginfo, whether blocked or not; else sleep until one comes (it wakes the
 * sleeper though blocked, and is taken here, never by a handler), the timeout passes on the
 * virtual clock (EAGAIN), or another signal's handler runs (EINTR, never restarted).
 */
export const rt_sigtimedwait: Handler = (k, p, a) => {
  const [setAddr, infoAddr, tsAddr, size] = [a[0], a[1], a[2], a[3]];
  if (size !== 8) return -ERRNO.EINVAL;
  const resumed = k.resumed(p);
  const set = (resumed ? p.sigwaitSet : p.mem.readU64(setAddr)) & ~UNBLOCKABLE;
  let deadline = resumed ? p.deadline : NO_DEADLINE;
  if (!resumed && tsAddr !== 0) {
    const ns = readTimespec(p, tsAddr);
    if (ns === null) return -ERRNO.EINVAL;
    deadline = expiry(k.timeNs, ns);
  }
  const sig = nextSignal(p, set);
  if (sig !== 0) {
    // Linux takes the signal before writing the siginfo: a bad pointer loses it (EFAULT).
    const info = dequeue(k, p, sig);
    if (infoAddr !== 0) p.mem.write(infoAddr, sigInfoBytes(sig, info));
    return sig;
  }
  if (k.timeNs >= deadline) return -ERRNO.EAGAIN;
  p.sigwaitSet = set;
  return k.block(p, 'sigtimedwait', [], deadline);
};

const MINSIGSTKSZ = 2048;

const onStack = (cur: AltStack, sp: number): boolean => cur.size > 0 && sp > cur.sp && sp <= cur.sp + cur.size;

/** Install `ss` as p's alternate stack, as seen from stack pointer sp: 0 or a negative errno. */
function setAltStack(p: Process, sp: number, ss: AltStack): number {
  const mode = ss.flags & ~SS_AUTODISARM;
  if (onStack(p.altstack, sp)) return -ERRNO.EPERM;
  if (mode !== 0 && mode !== SS_DISABLE && mode !== SS_ONSTACK) return -ERRNO.EINVAL;
  if (mode === SS_DISABLE) p.altstack = { sp: 0, size: 0, flags: SS_DISABLE };
  else {
    if (ss.size < MINSIGSTKSZ) return -ERRNO.ENOMEM;
    p.altstack = { sp: ss.sp, size: ss.size, flags: ss.flags & SS_AUTODISARM };
  }
  return 0;
}

/** stack_t: ss_sp @0, ss_flags @8, ss_size @16. */
export const sigaltstack: Handler = (_k, p, a) => {
  const [ss, oss] = [a[0], a[1]];
  const sp = Number(p.cpu.getX(2));
  const cur = p.altstack;
  const on = onStack(cur, sp);
  if (ss !== 0) {
    // The old stack is reported only when the new one is taken (as Linux does).
    const dv = new DataView(p.mem.read(ss, 24).buffer);
    const err = setAltStack(p, sp, { sp: Number(dv.getBigUint64(0, true)), flags: dv.getInt32(8, true), size: Number(dv.getBigUint64(16, true)) });
    if (err < 0) return err;
  }
  if (oss !== 0) {
    const b = new Uint8Array(24);
    const dv = new DataView(b.buffer);
    dv.setBigUint64(0, BigInt(cur.sp), true);
    dv.setInt32(8, cur.size === 0 ? SS_DISABLE : on ? SS_ONSTACK : cur.flags, true);
    dv.setBigUint64(16, BigInt(cur.size), true);
    p.mem.write(oss, b);
  }
  return 0;
};

/** Back from a handler through the trampoline: registers and mask from the frame. */
export const rt_sigreturn: Handler = (k, p) => {
  try {
    const { mask, altstack } = popFrame(p.cpu, p.mem);
    p.sigmask = mask & ~UNBLOCKABLE;
    // uc_stack goes back as sigaltstack would set it, seen from the restored stack pointer;
    // Linux ignores what that refuses (on the stack: EPERM; a bad size or mode).
    setAltStack(p, Number(p.cpu.getX(2)), altstack);
  } catch (e) {
    if (!(e instanceof MemFault)) throw e;
    k.terminate(p, SIGSEGV); // a corrupt frame: Linux forces SIGSEGV
  }
  return KEEP_REGS;
};
