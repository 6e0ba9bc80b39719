// legacy-rollback: the emulator's process model before the migration plan. One process as
// far as the guest can tell: getpid() is 1 and getppid() 0 for everyone (so pid 1 names
// whoever runs, as a signal target too); fork is the rollback fork (rollback.ts) with no
// SIGCHLD; wait4 never blocks and knows only the last child forked: it returns that child
// once (whatever pid and options were asked), then ECHILD. It has no waitid and records no
// process events.

import { ERRNO } from '../errno.ts';
import type { Kernel } from '../kernel.ts';
import { reap } from '../lifecycle.ts';
import type { Process } from '../process.ts';
import { kill, tgkill, tkill } from '../syscalls/signal.ts';
import type { Handler } from '../syscalls/table.ts';
import type { VariantSpec } from './index.ts';
import { rollbackFork } from './rollback.ts';

/** The only identity the legacy kernel has: every process is pid 1, tid 1, parent 0. */
const LEGACY_PID = 1;

/** A handler whose pid arguments at `at` read LEGACY_PID as the caller itself. */
function selfAsLegacyPid(h: Handler, at: number[]): Handler {
  return (k, p, a) => {
    if (!at.some((i) => a[i] === LEGACY_PID)) return h(k, p, a);
    const b = a.slice();
    for (const i of at) if (b[i] === LEGACY_PID) b[i] = p.pid;
    return h(k, p, b);
  };
}

export function legacyRollback(): VariantSpec {
  /** The one remembered child, per parent (only a process that is not a child can fork). */
  const remembered = new Map<Process, Process>();

  const rollback = rollbackFork({
    childTid: () => LEGACY_PID,
    exitSignal: () => 0,
    onFork(k: Kernel, parent: Process, child: Process) {
      // The new child replaces the remembered one: an earlier child nobody waited for is gone.
      const old = remembered.get(parent);
      if (old !== undefined) reap(k, old);
      remembered.set(parent, child);
    },
  });

  const wait4: Handler = (k, p, a) => {
    const c = remembered.get(p);
    if (c === undefined || c.state !== 'zombie') return -ERRNO.ECHILD;
    if (a[1] !== 0) p.mem.writeU32(a[1], c.waitStatus);
    remembered.delete(p);
    reap(k, c);
    return c.pid;
  };

  const identity = (v: number): Handler => () => v;

  return {
    events: false,
    onExit: rollback.onExit,
    handlers: {
      clone: rollback.clone,
      wait4,
      waitid: () => -ERRNO.ENOSYS,
      getpid: identity(LEGACY_PID),
      gettid: identity(LEGACY_PID),
      getppid: identity(0),
      set_tid_address: (_k, p, a) => {
        p.clearChildTid = a[0];
        return LEGACY_PID;
      },
      kill: selfAsLegacyPid(kill, [0]),
      tkill: selfAsLegacyPid(tkill, [0]),
      tgkill: selfAsLegacyPid(tgkill, [0, 1]),
    },
  };
}
