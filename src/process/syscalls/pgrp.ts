// Process groups and sessions: setpgid, getpgid, setsid, getsid.

import { ERRNO } from '../errno.ts';
import type { Kernel } from '../kernel.ts';
import type { Process } from '../process.ts';
import type { Handler } from './table.ts';

function target(k: Kernel, p: Process, pid: number): Process | undefined {
  const t = pid === 0 ? p : k.procs.get(pid);
  return t?.state === 'reaped' ? undefined : t;
}

export const getpgid: Handler = (k, p, a) => {
  const t = target(k, p, a[0] | 0);
  return t === undefined ? -ERRNO.ESRCH : t.pgid;
};

export const getsid: Handler = (k, p, a) => {
  const t = target(k, p, a[0] | 0);
  return t === undefined ? -ERRNO.ESRCH : t.sid;
};

export const setpgid: Handler = (k, p, a) => {
  const [pid, pgidArg] = [a[0] | 0, a[1] | 0];
  if (pgidArg < 0) return -ERRNO.EINVAL;
  const t = pid === 0 ? p : k.procs.get(pid);
  // Only the caller itself or one of its children (not yet exec'd, same session) may move.
  if (t === undefined || (t !== p && t.parent !== p) || t.state === 'reaped') return -ERRNO.ESRCH;
  if (t !== p) {
    if (t.sid !== p.sid) return -ERRNO.EPERM;
    if (t.didExec) return -ERRNO.EACCES;
  }
  if (t.sid === t.pid) return -ERRNO.EPERM; // a session leader stays where it is
  const pgid = pgidArg === 0 ? t.pid : pgidArg;
  if (pgid !== t.pid) {
    // Joining an existing group: it must exist in the same session.
    let found = false;
    for (const q of k.procs.values()) if (q.pgid === pgid && q.sid === p.sid) found = true;
    if (!found) return -ERRNO.EPERM;
  }
  t.pgid = pgid;
  return 0;
};

export const setsid: Handler = (k, p) => {
  // A process group leader cannot start a session: its group would straddle two sessions.
  for (const q of k.procs.values()) if (q.pgid === p.pid) return -ERRNO.EPERM;
  p.sid = p.pid;
  p.pgid = p.pid;
  return p.pid;
};
