// wait4 and waitid: collect a child's exit. A parent with matching children that are all
// still running sleeps on its child-wait queue (unless WNOHANG); a change of a child its
// selector takes at that moment wakes it (wakeForChild). As on Linux, a sleeper whose last
// matching child left its group (setpgid) and then exited is not woken: it sleeps on. A
// signal that ends the sleep runs the call again first (Kernel.execute), as Linux's do_wait
// loop looks again: a child to report, or none left to wait for (ECHILD), wins over EINTR.

import { accountReaped, bothUsage, rusageBytes } from '../accounting.ts';
import { ERRNO } from '../errno.ts';
import type { Kernel } from '../kernel.ts';
import { CLD_EXITED, CLD_KILLED, reap } from '../lifecycle.ts';
import { CLD_CONTINUED, CLD_STOPPED } from '../signal-delivery.ts';
import type { Process } from '../process.ts';
import { SIGCHLD, SIGCONT } from '../signals.ts';
import type { Handler } from './table.ts';

const WNOHANG = 1;
const WUNTRACED = 2; // = WSTOPPED for waitid
const WEXITED = 4;
const WCONTINUED = 8;
const WNOWAIT = 0x01000000;
const __WNOTHREAD = 0x20000000;
const __WALL = 0x40000000;
const __WCLONE = 0x80000000;
const WAIT4_OPTIONS = WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE;
const WAITID_OPTIONS = WNOHANG | WUNTRACED | WEXITED | WCONTINUED | WNOWAIT | __WNOTHREAD | __WALL | __WCLONE;

const P_ALL = 0;
const P_PID = 1;
const P_PGID = 2;
const P_PIDFD = 3;

const INT_MIN = -2147483648;

type Match = (c: Process) => boolean;

/** Children that the selector and the clone-type options (__WCLONE, __WALL) accept. */
function matching(p: Process, match: Match, options: number): Process[] {
  return p.children.filter((c) => {
    if (!match(c)) return false;
    if (options & __WALL) return true;
    // A "clone" child reports to its parent with a signal other than SIGCHLD.
    const isClone = c.exitSignal !== SIGCHLD;
    return (options & __WCLONE) !== 0 === isClone;
  });
}

/** What a wait reports about a child: its exit, or a stop or continue (WUNTRACED, WCONTINUED). */
interface Report {
  child: Process;
  kind: 'exited' | 'stopped' | 'continued';
}

/**
 * The common part: the first matching child (in child-list order) with something to report
 * that the options ask for, 0 for WNOHANG with nothing yet, ECHILD for no match, else block.
 */
function findReport(k: Kernel, p: Process, match: Match, options: number, exited: boolean): Report | number {
  const kids = matching(p, match, options);
  if (kids.length === 0) return -ERRNO.ECHILD;
  for (const c of kids) {
    if (c.state === 'zombie') {
      if (exited) return { child: c, kind: 'exited' };
    } else if (c.jobChange?.kind === 'stopped' && options & WUNTRACED) return { child: c, kind: 'stopped' };
    else if (c.jobChange?.kind === 'continued' && options & WCONTINUED) return { child: c, kind: 'continued' };
  }
  if (options & WNOHANG) return 0;
  p.waitSelector = match;
  return k.block(p, 'wait', [p.childWait]);
}

/** Status word of a report, in wait4's encoding. */
function statusOf(r: Report): number {
  if (r.kind === 'stopped') return r.child.jobChange?.kind === 'stopped' ? (r.child.jobChange.sig << 8) | 0x7f : 0;
  if (r.kind === 'continued') return 0xffff;
  return r.child.waitStatus;
}

/** Consume what was reported: reap an exited child (its times join ours), forget a reported stop or continue. */
function consume(k: Kernel, p: Process, r: Report): void {
  if (r.kind === 'exited') {
    accountReaped(p, r.child);
    reap(k, r.child);
  } else r.child.jobChange = null;
}

function selector(p: Process, pid: number): Match {
  if (pid === -1) return () => true;
  if (pid > 0) return (c) => c.pid === pid;
  const pgid = pid === 0 ? p.pgid : -pid;
  return (c) => c.pgid === pgid;
}

export const wait4: Handler = (k, p, a) => {
  const [pid, statusAddr, options, rusage] = [a[0] | 0, a[1], a[2] | 0, a[3]];
  if (options & ~WAIT4_OPTIONS) return -ERRNO.EINVAL;
  if (pid === INT_MIN) return -ERRNO.ESRCH;
  const r = findReport(k, p, selector(p, pid), options, true);
  if (typeof r === 'number') return r;
  // Linux collects the child first: a bad status pointer gives EFAULT, but the child is gone.
  const status = statusOf(r);
  // Taken before the reap, which adds the child's times to ours; only when asked (the fork-wait path).
  const usage = rusage !== 0 ? rusageBytes(bothUsage(r.child)) : null;
  consume(k, p, r);
  if (statusAddr !== 0) p.mem.writeU32(statusAddr, status);
  if (usage !== null) p.mem.write(rusage, usage);
  return r.child.pid;
};

/** siginfo_t as waitid fills it for a child (or all zeros when WNOHANG found nothing). */
function childInfo(r: Report | null): Uint8Array {
  const b = new Uint8Array(128);
  if (r === null) return b;
  const dv = new DataView(b.buffer);
  const c = r.child;
  const sig = c.waitStatus & 0x7f;
  dv.setInt32(0, SIGCHLD, true);
  dv.setInt32(16, c.pid, true);
  if (r.kind === 'stopped') {
    dv.setInt32(8, CLD_STOPPED, true);
    dv.setInt32(24, (statusOf(r) >> 8) & 0xff, true);
  } else if (r.kind === 'continued') {
    dv.setInt32(8, CLD_CONTINUED, true);
    dv.setInt32(24, SIGCONT, true);
  } else {
    dv.setInt32(8, sig === 0 ? CLD_EXITED : CLD_KILLED, true);
    dv.setInt32(24, sig === 0 ? (c.waitStatus >> 8) & 0xff : sig, true);
  }
  return b;
}

export const waitid: Handler = (k, p, a) => {
  const [idtype, id, infop, options, rusage] = [a[0] | 0, a[1] | 0, a[2], a[3] | 0, a[4]];
  if (options & ~WAITID_OPTIONS || !(options & (WEXITED | WUNTRACED | WCONTINUED))) return -ERRNO.EINVAL;
  let match: Match;
  if (idtype === P_ALL) match = () => true;
  else if (idtype === P_PID) {
    if (id <= 0) return -ERRNO.EINVAL;
    match = (c) => c.pid === id;
  } else if (idtype === P_PGID) {
    if (id < 0) return -ERRNO.EINVAL;
    const pgid = id === 0 ? p.pgid : id;
    match = (c) => c.pgid === pgid;
  } else if (idtype === P_PIDFD) return -ERRNO.EBADF; // no pidfds exist
  else return -ERRNO.EINVAL;
  const r = findReport(k, p, match, options, (options & WEXITED) !== 0);
  if (typeof r === 'number') {
    if (r === 0 && infop !== 0) p.mem.write(infop, childInfo(null));
    return r;
  }
  // As wait4: the child is collected before a bad infop pointer can fault.
  const info = childInfo(r);
  const usage = rusage !== 0 ? rusageBytes(bothUsage(r.child)) : null;
  if (!(options & WNOWAIT)) consume(k, p, r);
  if (infop !== 0) p.mem.write(infop, info);
  if (usage !== null) p.mem.write(rusage, usage);
  return 0;
};
