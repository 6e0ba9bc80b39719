// Scheduling policy and nice values: sched_{set,get}scheduler, sched_{set,get}param,
// sched_get_priority_{max,min}, sched_rr_get_interval, setpriority and getpriority, with
// Linux 6.1's results and errnos (kernel/sched/core.c, kernel/sys.c).
//
// The scheduler is the simulation's: which process runs next is the strategy's choice (a
// seed or a schedule string), and a run must replay byte for byte whatever a guest asks
// for. So policies, RT priorities and nice values are recorded per process, inherited on
// fork (with SCHED_RESET_ON_FORK), kept across exec and reported back (here and in
// /proc/<pid>/stat), but they never change which process runs.
//
// The guest runs as root with every capability (see proc.ts): raising a priority, taking an
// RT policy, leaving SCHED_IDLE and clearing SCHED_RESET_ON_FORK are all allowed, so the
// EPERM and EACCES paths of unprivileged callers do not arise.

import { ERRNO } from '../errno.ts';
import type { Kernel } from '../kernel.ts';
import type { Process } from '../process.ts';
import type { Handler } from './table.ts';

export const SCHED_OTHER = 0;
export const SCHED_FIFO = 1;
export const SCHED_RR = 2;
export const SCHED_BATCH = 3;
export const SCHED_IDLE = 5;
export const SCHED_DEADLINE = 6;
export const SCHED_RESET_ON_FORK = 0x40000000;
/** sched_setparam's policy in the common path: keep the current one. */
const SETPARAM_POLICY = -1;
const MAX_RT_PRIO = 100;

export const PRIO_PROCESS = 0;
export const PRIO_PGRP = 1;
export const PRIO_USER = 2;
export const MIN_NICE = -20;
export const MAX_NICE = 19;

const isRt = (policy: number): boolean => policy === SCHED_FIFO || policy === SCHED_RR;
const validPolicy = (policy: number): boolean =>
  policy === SCHED_OTHER || policy === SCHED_BATCH || policy === SCHED_IDLE || isRt(policy) || policy === SCHED_DEADLINE;

/** A fork child's attributes (sched_fork): the parent's, unless it asked for a reset on fork. */
export function inheritSched(c: Process, p: Process): void {
  c.policy = p.policy;
  c.rtPriority = p.rtPriority;
  c.nice = p.nice;
  if (!p.resetOnFork) return;
  if (isRt(p.policy)) {
    c.policy = SCHED_OTHER;
    c.rtPriority = 0;
    c.nice = 0;
  } else if (p.nice < 0) {
    c.nice = 0;
  }
  c.resetOnFork = false; // the flag itself is not inherited once applied
}

/** The task named by pid (0: the caller), zombies included as Linux finds them; undefined for none. */
function task(k: Kernel, p: Process, pid: number): Process | undefined {
  const t = pid === 0 ? p : k.procs.get(pid);
  return t?.state === 'reaped' ? undefined : t;
}

/** do_sched_setscheduler: policy SETPARAM_POLICY keeps the current policy. */
function setScheduler(k: Kernel, p: Process, pid: number, policyArg: number, param: number): number {
  if (param === 0 || pid < 0) return -ERRNO.EINVAL;
  const prio = p.mem.read(param, 4); // copied before the task is looked up: EFAULT first
  const priority = new DataView(prio.buffer, prio.byteOffset).getUint32(0, true); // a u32 in sched_attr
  const t = task(k, p, pid);
  if (t === undefined) return -ERRNO.ESRCH;
  let policy = policyArg;
  let resetOnFork = t.resetOnFork;
  if (policy !== SETPARAM_POLICY) {
    resetOnFork = (policy & SCHED_RESET_ON_FORK) !== 0;
    policy &= ~SCHED_RESET_ON_FORK;
    if (!validPolicy(policy)) return -ERRNO.EINVAL;
  } else {
    policy = t.policy;
  }
  if (priority > MAX_RT_PRIO - 1) return -ERRNO.EINVAL;
  // SCHED_DEADLINE needs sched_setattr's runtime/deadline/period: here they are all 0.
  if (policy === SCHED_DEADLINE || isRt(policy) !== (priority !== 0)) return -ERRNO.EINVAL;
  t.policy = policy;
  t.rtPriority = priority;
  t.resetOnFork = resetOnFork;
  return 0;
}

export const sched_setscheduler: Handler = (k, p, a) => {
  const policy = a[1] | 0;
  if (policy < 0) return -ERRNO.EINVAL;
  return setScheduler(k, p, a[0] | 0, policy, a[2]);
};

export const sched_setparam: Handler = (k, p, a) => setScheduler(k, p, a[0] | 0, SETPARAM_POLICY, a[1]);

export const sched_getscheduler: Handler = (k, p, a) => {
  const pid = a[0] | 0;
  if (pid < 0) return -ERRNO.EINVAL;
  const t = task(k, p, pid);
  if (t === undefined) return -ERRNO.ESRCH;
  return t.policy | (t.resetOnFork ? SCHED_RESET_ON_FORK : 0);
};

export const sched_getparam: Handler = (k, p, a) => {
  const pid = a[0] | 0;
  if (a[1] === 0 || pid < 0) return -ERRNO.EINVAL;
  const t = task(k, p, pid);
  if (t === undefined) return -ERRNO.ESRCH;
  p.mem.writeU32(a[1], isRt(t.policy) ? t.rtPriority : 0);
  return 0;
};

export const sched_get_priority_max: Handler = (_k, _p, a) => {
  const policy = a[0] | 0;
  if (isRt(policy)) return MAX_RT_PRIO - 1;
  return validPolicy(policy) ? 0 : -ERRNO.EINVAL;
};

export const sched_get_priority_min: Handler = (_k, _p, a) => {
  const policy = a[0] | 0;
  if (isRt(policy)) return 1;
  return validPolicy(policy) ? 0 : -ERRNO.EINVAL;
};

const NS_PER_MS = 1_000_000;
/** RR_TIMESLICE: 100 ms. */
const RR_SLICE_NS = 100 * NS_PER_MS;
/**
 * What CFS reports for a fair task on one CPU: the whole 6 ms sched_latency, rounded down
 * to whole jiffies (HZ=250, Debian's riscv64 config): one jiffy, 4 ms.
 */
const FAIR_SLICE_NS = 4 * NS_PER_MS;

export const sched_rr_get_interval: Handler = (k, p, a) => {
  const pid = a[0] | 0;
  if (pid < 0) return -ERRNO.EINVAL;
  const t = task(k, p, pid);
  if (t === undefined) return -ERRNO.ESRCH;
  const ns = t.policy === SCHED_FIFO ? 0 : t.policy === SCHED_RR ? RR_SLICE_NS : FAIR_SLICE_NS;
  const b = new Uint8Array(16); // struct timespec: tv_sec, tv_nsec (always under a second here)
  new DataView(b.buffer).setBigInt64(8, BigInt(ns), true);
  p.mem.write(a[1], b);
  return 0;
};

/**
 * The processes setpriority/getpriority name: one by pid, a process group, or every process
 * of a user (all of them are root's: uid 0; another uid has none, and find_user fails: ESRCH).
 */
function targets(k: Kernel, p: Process, which: number, who: number): Process[] {
  const live = (): Process[] => [...k.procs.values()].filter((q) => q.state !== 'reaped');
  switch (which) {
    case PRIO_PROCESS: {
      const t = task(k, p, who);
      return t === undefined || who < 0 ? [] : [t];
    }
    case PRIO_PGRP: {
      const pgid = who === 0 ? p.pgid : who;
      return live().filter((q) => q.pgid === pgid);
    }
    default:
      return who === 0 ? live() : [];
  }
}

/** getpriority: the highest priority among the targets as 20 - nice (1..40: never negative); glibc turns it back. */
export const getpriority: Handler = (k, p, a) => {
  const which = a[0] | 0;
  if (which < PRIO_PROCESS || which > PRIO_USER) return -ERRNO.EINVAL;
  const ts = targets(k, p, which, a[1] | 0);
  if (ts.length === 0) return -ERRNO.ESRCH;
  return Math.max(...ts.map((t) => 20 - t.nice));
};

/** setpriority: the nice value is clamped to -20..19, then set on every target. */
export const setpriority: Handler = (k, p, a) => {
  const which = a[0] | 0;
  if (which < PRIO_PROCESS || which > PRIO_USER) return -ERRNO.EINVAL;
  const nice = Math.min(MAX_NICE, Math.max(MIN_NICE, a[2] | 0));
  const ts = targets(k, p, which, a[1] | 0);
  if (ts.length === 0) return -ERRNO.ESRCH;
  for (const t of ts) t.nice = nice;
  return 0;
};
