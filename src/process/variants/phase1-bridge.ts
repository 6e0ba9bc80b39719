// phase1-bridge: the plan's phase 1. The process table is the source of identity (getpid,
// getppid and gettid as in the reference) and process events are recorded (spawn, exec,
// exit, wait-wakeup, reap); exits notify the parent as in the reference. But fork is still
// the rollback fork (g_fork kept as a bridge, rollback.ts): the parent resumes only once its
// child has exited (fork then returns the child's pid), a fork inside a child fails with
// EAGAIN, and the descriptors the child opened are closed in bulk at its exit. wait4 keeps
// the "already exited" shortcut that phase 2 removes: it reports and reaps an exited child
// found in the table, returns 0 under WNOHANG while matching children run, and never blocks:
// a waiting call with nothing exited yet has nothing to report (ECHILD). waitid is the
// reference's.

import { ERRNO } from '../errno.ts';
import { wait4 as referenceWait4 } from '../syscalls/wait.ts';
import type { Handler } from '../syscalls/table.ts';
import type { VariantSpec } from './index.ts';
import { rollbackFork } from './rollback.ts';

const WNOHANG = 1;

export function phase1Bridge(): VariantSpec {
  const rollback = rollbackFork({
    childTid: (c) => c.pid,
    exitSignal: (requested) => requested,
    forkResult: (_k, _p, c) => c.pid,
    closeChildOpens: true,
    keepChildData: false,
  });

  /** The reference wait4 asked never to wait: 0 means matching children still run. */
  const wait4: Handler = (k, p, a) => {
    const options = a[2] | 0;
    if (options & WNOHANG) return referenceWait4(k, p, a);
    const b = a.slice();
    b[2] = options | WNOHANG;
    const r = referenceWait4(k, p, b);
    return r === 0 ? -ERRNO.ECHILD : r;
  };

  return {
    events: true,
    signals: true,
    onExit: rollback.onExit,
    handlers: { clone: rollback.clone, wait4 },
  };
}
