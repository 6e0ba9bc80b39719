// The cooperative "rollback" fork that the migration plan replaces (the emulator's g_fork),
// shared by the legacy-rollback and phase1-bridge variants. There, fork saves the parent's
// registers and writable memory and the child runs first, alone, until it exits; then the
// parent's registers and memory are restored and fork returns. Descriptors are one table.
// A fork inside the child fails with EAGAIN: there is one saved parent state. What each
// variant keeps of the child afterwards differs (RollbackOptions): phase1-bridge closes the
// descriptors the child opened, in bulk, to undo its redirections; legacy-rollback keeps
// everything the child did to the table, and the child's writes to the program's .data and
// .bss, which the legacy restore did not cover.
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
  /** A child was created (before the parent starts waiting for it): what fork returns to the parent. */
  forkResult(k: Kernel, parent: Process, child: Process): number;
  /** At the child's exit, close the descriptors it opened (else the table stays as the child left it). */
  closeChildOpens: boolean;
  /** At the child's exit, the parent's .data and .bss pages take the child's contents (unless it execed). */
  keepChildData: boolean;
}

export interface RollbackFork {
  /** The clone handler: thread flags as the reference (refused), everything else rolls back. */
  clone: Handler;
  /** Exit hook: undo what the variant undoes of the child and hand the table back to its parent. */
  onExit(k: Kernel, p: Process): void;
}

/** A live rollback child: its frozen parent, what fork will return there, the parent's fds at fork. */
interface Held {
  parent: Process;
  result: number;
  fdsAtFork: Set<number>;
}

export function rollbackFork(opts: RollbackOptions): RollbackFork {
  const children = new Map<Process, Held>();
  /** Frozen parents, with the child they wait for. */
  const frozen = new Map<Process, Process>();

  const clone: Handler = (k, p, a) => {
    if (k.resumed(p) && p.blockReason === ROLLBACK_WAIT) {
      // Woken by a child's exit: the parent is "restored" once its child is gone.
      const c = frozen.get(p)!;
      if (c.alive) return k.block(p, ROLLBACK_WAIT, [p.childWait], NO_DEADLINE, false);
      frozen.delete(p);
      return p.ioDone;
    }
    const flags = a[0] >>> 0;
    if (isThreadClone(flags)) return referenceClone(k, p, a);
    if (children.has(p)) return -ERRNO.EAGAIN;
    // vfork too gets a private copy: whatever the child writes is rolled back anyway.
    const c = fork(k, p, { vfork: false, stack: a[1], exitSignal: opts.exitSignal(flags & CSIGNAL), shareFds: true });
    if (typeof c === 'number') return c;
    c.mem.copyWritable();
    applyCloneTids(p, c, flags, a, opts.childTid(c));
    const result = opts.forkResult(k, p, c);
    children.set(c, { parent: p, result, fdsAtFork: new Set(p.fds.open()) });
    frozen.set(p, c);
    p.ioDone = result;
    return k.block(p, ROLLBACK_WAIT, [p.childWait], NO_DEADLINE, false);
  };

  const onExit = (_k: Kernel, p: Process): void => {
    frozen.delete(p); // a parent killed while frozen
    const held = children.get(p);
    if (held === undefined) return;
    children.delete(p);
    if (opts.closeChildOpens) for (const fd of p.fds.open()) if (!held.fdsAtFork.has(fd)) p.fds.close(fd);
    if (opts.keepChildData && !p.didExec) {
      for (const [start, end] of held.parent.dataSegments) held.parent.mem.adoptPages(p.mem, start, end - start);
    }
    p.fds = new FdTable(); // the rest is the parent's: the exit closes nothing of it
  };

  return { clone, onExit };
}
