// legacy-rollback: the emulator's process model before the migration plan, as the real
// legacy emulator was observed to run static riscv64 glibc programs (issue 10). One process
// as far as the guest can tell: getpid() is 1 and getppid() 0 for everyone, gettid() 1.
// fork is the rollback fork (rollback.ts): the child runs first and alone until it exits
// (a child that waits for its parent never wakes: a deadlock), and fork then returns 100,
// 101, ... in the parent, a count of forks and not a pid; a fork inside a child fails with
// EAGAIN. At the child's exit its heap, mmap and stack writes are undone but its writes to
// the program's .data and .bss stay; the descriptor table is the parent's own (the child's
// opens, closes and dup2s stay too). wait4 ignores its pid and options (WNOHANG too) and
// never blocks: it returns the last child forked, by the number fork returned, once, then
// ECHILD; forking again forgets the previous child's status. No signal is ever delivered:
// kill, tkill and tgkill return 0 and do nothing, raise returns, EPIPE comes without
// SIGPIPE, and an ebreak (where glibc's abort ends up) exits with status 1. rt_sigsuspend,
// setpgid, setsid, waitid and renameat2 are ENOSYS, and so is execve of a static program.
// It records no process events.

import { ERRNO } from '../errno.ts';
import { runsStaticElf } from '../exec.ts';
import { guestPath } from '../files.ts';
import type { Kernel } from '../kernel.ts';
import { reap, terminate } from '../lifecycle.ts';
import type { Process } from '../process.ts';
import { execve as referenceExecve } from '../syscalls/clone.ts';
import type { Handler } from '../syscalls/table.ts';
import type { VariantSpec } from './index.ts';
import { rollbackFork } from './rollback.ts';

/** The only identity the legacy kernel has: every process is pid 1, tid 1, parent 0. */
const LEGACY_PID = 1;
/** What the first fork returns in the parent; each later one returns one more. */
const FIRST_FORK_RESULT = 100;
/** The wait status of a program that reached an ebreak: exit(1). */
const BREAKPOINT_STATUS = 1 << 8;

export function legacyRollback(): VariantSpec {
  /** The one remembered child per parent (only a process that is not a child can fork), and what fork returned for it. */
  const remembered = new Map<Process, { child: Process; result: number }>();
  let nextForkResult = FIRST_FORK_RESULT;

  const rollback = rollbackFork({
    childTid: () => LEGACY_PID,
    exitSignal: () => 0,
    forkResult(k: Kernel, parent: Process, child: Process) {
      // The new child replaces the remembered one: an earlier child nobody waited for is gone.
      const old = remembered.get(parent);
      if (old !== undefined) reap(k, old.child);
      const result = nextForkResult++;
      remembered.set(parent, { child, result });
      return result;
    },
    closeChildOpens: false,
    keepChildData: true,
  });

  const wait4: Handler = (k, p, a) => {
    const r = remembered.get(p);
    if (r === undefined) return -ERRNO.ECHILD;
    if (a[1] !== 0) p.mem.writeU32(a[1], r.child.waitStatus);
    remembered.delete(p);
    reap(k, r.child);
    return r.result;
  };

  const execve: Handler = (k, p, a) => (runsStaticElf(k, p, guestPath(p, a[0])) ? -ERRNO.ENOSYS : referenceExecve(k, p, a));

  const returns = (v: number): Handler => () => v;
  const enosys = returns(-ERRNO.ENOSYS);

  return {
    events: false,
    signals: false,
    onExit: rollback.onExit,
    onBreakpoint: (k, p) => terminate(k, p, BREAKPOINT_STATUS),
    handlers: {
      clone: rollback.clone,
      wait4,
      execve,
      getpid: returns(LEGACY_PID),
      gettid: returns(LEGACY_PID),
      getppid: returns(0),
      set_tid_address: (_k, p, a) => {
        p.clearChildTid = a[0];
        return LEGACY_PID;
      },
      kill: returns(0),
      tkill: returns(0),
      tgkill: returns(0),
      waitid: enosys,
      rt_sigsuspend: enosys,
      setpgid: enosys,
      setsid: enosys,
      renameat2: enosys,
    },
  };
}
