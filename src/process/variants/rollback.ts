// The cooperative "rollback" fork that the migration plan replaces (the emulator's g_fork),
// shared by the legacy-rollback and phase1-bridge variants. There, fork saves the parent's
// registers and writable memory and the child runs first, alone, until it exits; then the
// parent's registers and memory are restored and fork returns the child's pid. Descriptors
// are one table: the child's changes to descriptors its parent had stay, and the ones it
// opened are closed in bulk when it exits (to undo its redirections). A fork inside the
// child fails with EAGAIN: there is one saved parent state.
//
// Modelled here as: the child is a process with a copy of the parent's memory and the
// parent's own descriptor table; the parent sleeps uninterruptibly inside fork until the
// child is gone, so nothing of the parent runs meanwhile and its registers and memory are
// exactly what they were: restored. The save is paid at fork, as g_fork's copy of writable
// memory was: every touched writable data page is copied then (code pages stay shared, MAP_SHARED
// pages stay shared), so fork cost grows with resident memory, which gate P3.1 catches.

import { ERRNO } from '../errno.ts';
import { FdTable } from '../fd.ts';
import type { Kernel } from '../kernel.ts';
import { fork } from '../lifecycle.ts';
import { NO_DEADLINE, type Process } from '../process.ts';
import { applyCloneTids, isThreadClone, clone as referenceClone } from '../syscalls/clone.ts';
import type { Handler } from '../syscalls/table.ts';

const CSIGNAL = 0xff;

/** Why the parent sleeps: blockReason of a parent held in fork. */
const ROLLBACK_WAIT = 'rollback-fork';

export interface RollbackOptions {
  /** The thread id CLONE_CHILD_SETTID stores for the child (what its gettid returns). */
  childTid(c: Process): number;
  /** The child's exit signal, given the one clone asked for. */
  exitSignal(requested: number): number;
  /** A child was created (before the parent starts waiting for it). */
  onFork?(k: Kernel, parent: Process, child: Process): void;
}

export interface RollbackFork {
  /** The clone handler: thread flags as the reference (refused), everything else rolls back. */
  clone: Handler;
  /** Exit hook: close what the child opened and hand the table back to its parent. */
  onExit(k: Kernel, p: Process): void;
}

export function rollbackFork(opts: RollbackOptions): RollbackFork {
  /** Live children, with the descriptors their parent had open when it forked. */
  const children = new Map<Process, Set<number>>();

  const clone: Handler = (k, p, a) => {
    if (k.resumed(p) && p.blockReason === ROLLBACK_WAIT) {
      // Woken by a child's exit: the parent is "restored" once its child is gone.
      if (k.procs.get(p.ioDone)?.alive) return k.block(p, ROLLBACK_WAIT, [p.childWait], NO_DEADLINE, false);
      return p.ioDone;
    }
    const flags = a[0] >>> 0;
    if (isThreadClone(flags)) return referenceClone(k, p, a);
    if (children.has(p)) return -ERRNO.EAGAIN;
    // vfork too gets a private copy: whatever the child writes is rolled back anyway.
    const c = fork(k, p, { vfork: false, stack: a[1], exitSignal: opts.exitSignal(flags & CSIGNAL), shareFds: true });
    if (typeof c === 'number') return c;
    c.mem.copyWritable();
    children.set(c, new Set(p.fds.open()));
    applyCloneTids(p, c, flags, a, opts.childTid(c));
    opts.onFork?.(k, p, c);
    p.ioDone = c.pid;
    return k.block(p, ROLLBACK_WAIT, [p.childWait], NO_DEADLINE, false);
  };

  const onExit = (_k: Kernel, p: Process): void => {
    const atFork = children.get(p);
    if (atFork === undefined) return;
    children.delete(p);
    for (const fd of p.fds.open()) if (!atFork.has(fd)) p.fds.close(fd);
    p.fds = new FdTable(); // the rest is the parent's: the exit closes nothing of it
  };

  return { clone, onExit };
}
