// Birth and death of processes: fork (clone without CLONE_VM, or vfork), exit with its
// consequences (fds closed, children reparented, the parent notified or the child reaped
// at once), and reaping by wait.

import { childTicks, recordExit } from './accounting.ts';
import { ERRNO } from './errno.ts';
import type { Kernel } from './kernel.ts';
import { NSIG, Process, SIG_IGN } from './process.ts';
import { SA_NOCLDWAIT, sendSignal } from './signal-delivery.ts';
import { flushAll } from './sigqueue.ts';
import { SIGCHLD, SIGKILL } from './signals.ts';
import { inheritSched } from './syscalls/sched.ts';

export interface ForkOptions {
  /** Share the parent's memory and hold the parent until the child execs or exits. */
  vfork: boolean;
  /** Child stack pointer (0: the parent's). */
  stack: number;
  /**
   * Signal for the parent when the child exits (0: none). clone takes any value of its low
   * byte, as Linux's legacy clone does; one that is not a signal (above NSIG) is never sent.
   */
  exitSignal: number;
  /** Use the parent's descriptor table itself instead of a copy (the rollback variants). */
  shareFds?: boolean;
}

/** Create a child of p that resumes after the ecall with a0 = 0. Returns the child or -errno. */
export function fork(k: Kernel, p: Process, opts: ForkOptions): Process | number {
  const pid = k.allocPid();
  if (pid === null) return -ERRNO.EAGAIN;
  const mem = opts.vfork ? p.mem : p.mem.fork();
  const c = new Process(pid, mem);
  c.mappings = opts.vfork ? p.mappings : p.mappings.clone();
  c.cpu = p.cpu.clone(mem);
  c.cpuStart = c.cpu.instret; // a child's CPU time starts at 0
  c.cpu.setX(10, 0n);
  c.cpu.pc += 4;
  if (opts.stack !== 0) c.cpu.setX(2, BigInt(opts.stack));
  c.parent = p;
  p.children.push(c);
  c.pgid = p.pgid;
  c.sid = p.sid;
  c.exitSignal = opts.exitSignal;
  c.fds = opts.shareFds ? p.fds : p.fds.clone();
  c.cwd = p.cwd;
  c.umask = p.umask;
  c.brkStart = p.brkStart;
  c.brk = p.brk;
  c.dataSegments = p.dataSegments;
  c.exe = p.exe;
  c.startup = p.startup;
  c.comm = p.comm;
  c.actions = p.actions.map((a) => ({ ...a }));
  c.sigmask = p.sigmask;
  c.altstack = { ...p.altstack };
  c.rlimits = new Map(p.rlimits);
  inheritSched(c, p);
  if (opts.vfork) c.vforkParent = p;
  k.procs.set(pid, c);
  k.emit({ kind: 'spawn', pid, ppid: p.pid });
  return c;
}

/** A vfork child stops borrowing its parent's memory (it execed or exited): the parent goes on. */
export function endVfork(k: Kernel, c: Process): void {
  const parent = c.vforkParent;
  if (parent === null) return;
  c.vforkParent = null;
  k.wakeQueue(parent.childWait);
}

/** Nearest living ancestor marked as subreaper, else pid 1 (null when p is pid 1's last hope). */
function reaperFor(k: Kernel, p: Process): Process | null {
  for (let a = p.parent; a !== null; a = a.parent) if (a.subreaper && a.alive) return a;
  const init = k.procs.get(1);
  return init !== undefined && init.alive && init !== p ? init : null;
}

/** Terminate p with a wait status (exit: code << 8; killed: the signal number). */
export function terminate(k: Kernel, p: Process, waitStatus: number): void {
  if (!p.alive) return;
  k.wake(p); // off every wait queue and timer
  k.disarmTimers(p);
  p.state = 'zombie';
  p.atSyscall = false;
  p.endSyscall();
  p.waitStatus = waitStatus;
  flushAll(k, p);
  if (p.clearChildTid !== 0) {
    try {
      p.mem.write(p.clearChildTid, new Uint8Array(4));
    } catch {
      // a bad address here is ignored, as Linux does
    }
  }
  k.variant.onExit?.(k, p);
  recordExit(p);
  p.fds.closeAll();
  if (p.vforkParent !== null) endVfork(k, p);
  else if (!p.children.some((c) => c.vforkParent === p)) p.mem.release();
  k.emit({ kind: 'exit', pid: p.pid, status: waitStatus });

  if (p.pid === 1) {
    // Like the init of a pid namespace: when it dies, everything else dies with it.
    for (const q of [...k.procs.values()]) if (q !== p && q.alive) terminate(k, q, SIGKILL);
    for (const q of [...k.procs.values()]) if (q !== p) k.procs.delete(q.pid);
    p.children = [];
    return;
  }
  const reaper = reaperFor(k, p);
  for (const c of p.children) {
    c.parent = reaper;
    c.exitSignal = SIGCHLD; // an orphan reports to its reaper with SIGCHLD, as on Linux
    // A vfork child whose parent died keeps the memory it borrowed: it is its own now.
    if (c.vforkParent === p) c.vforkParent = null;
    if (reaper === null) continue;
    reaper.children.push(c);
    if (c.state === 'zombie') notifyParent(k, c);
  }
  p.children = [];
  notifyParent(k, p);
}

/** A child became a zombie: signal and wake its parent, or reap it at once if the parent does not wait. */
function notifyParent(k: Kernel, c: Process): void {
  const parent = c.parent;
  if (parent === null || !parent.alive) return;
  const chld = parent.actions[SIGCHLD];
  const autoReap = c.exitSignal === SIGCHLD && (chld.handler === SIG_IGN || (chld.flags & SA_NOCLDWAIT) !== 0);
  // As Linux do_notify_parent: only a valid signal is sent (clone accepts 65..255 too).
  if (c.exitSignal > 0 && c.exitSignal <= NSIG) {
    const sig = c.waitStatus & 0x7f;
    sendSignal(k, parent, c.exitSignal, {
      code: sig === 0 ? CLD_EXITED : CLD_KILLED,
      pid: c.pid,
      status: sig === 0 ? (c.waitStatus >> 8) & 0xff : sig,
      ...childTicks(c),
    });
  }
  // The wakeup comes first, as on Linux (do_notify_parent wakes, then release_task): nothing of a reaped pid follows its reap.
  k.emit({ kind: 'wait-wakeup', pid: c.pid, ppid: parent.pid });
  if (autoReap) reap(k, c);
  wakeForChild(k, parent, c);
}

/**
 * A change of child c (exit, stop, continue) wakes its parent's wait if the wait is for c:
 * Linux's child_wait_callback tests the child against the waiter's pid or group at the time
 * of the change (a vfork parent, or a wait that is not for a pid, always wakes).
 */
export function wakeForChild(k: Kernel, parent: Process, c: Process): void {
  if (parent.waitSelector?.(c) === false) return; // set only while a wait syscall is in progress
  k.wakeQueue(parent.childWait);
}

export const CLD_EXITED = 1;
export const CLD_KILLED = 2;

/** Remove a zombie from the table and its parent's children. */
export function reap(k: Kernel, c: Process): void {
  if (c.state !== 'zombie') return;
  c.state = 'reaped';
  const parent = c.parent;
  if (parent !== null) {
    const i = parent.children.indexOf(c);
    if (i >= 0) parent.children.splice(i, 1);
  }
  k.procs.delete(c.pid);
  k.emit({ kind: 'reap', pid: c.pid, ppid: parent?.pid ?? 0, status: c.waitStatus });
}
