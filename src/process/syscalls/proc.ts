// Process identity, lifetime and limits: exit, the id calls, prctl, rlimits, uname,
// getrandom, futex for a single-threaded process.

import { rusageBytes, selfUsage } from '../accounting.ts';
import { ERRNO } from '../errno.ts';
import { NS_PER_SEC, type Process } from '../process.ts';
import { limitOf, RLIM_NLIMITS, RLIMIT_NOFILE } from '../rlimits.ts';
import type { Handler } from './table.ts';

export const exit: Handler = (k, p, a) => {
  k.terminate(p, (a[0] & 0xff) << 8);
  return 0;
};
/** One thread per process: ending the thread group is ending the process. */
export const exit_group = exit;

export const getpid: Handler = (_k, p) => p.pid;
export const gettid: Handler = (_k, p) => p.pid;
export const getppid: Handler = (_k, p) => p.ppid;
const zero: Handler = () => 0;
export const getuid = zero;
export const geteuid = zero;
export const getgid = zero;
export const getegid = zero;
export const sched_yield = zero;

/** Root may set any id; we only model uid/gid 0, so setting another one is refused explicitly. */
const setId: Handler = (_k, _p, a) => (a[0] === 0 || a[0] === -1 ? 0 : -ERRNO.EPERM);
export const setuid = setId;
export const setgid = setId;

export const getresuid: Handler = (_k, p, a) => {
  for (let i = 0; i < 3; i++) p.mem.write(a[i], new Uint8Array(4));
  return 0;
};
export const getresgid = getresuid;

export const getgroups: Handler = (_k, p, a) => {
  if (a[0] < 0) return -ERRNO.EINVAL;
  if (a[0] > 0) p.mem.write(a[1], new Uint8Array(4));
  return 1; // the one supplementary group: 0
};

export const set_tid_address: Handler = (_k, p, a) => {
  p.clearChildTid = a[0];
  return p.pid;
};

export const set_robust_list: Handler = (_k, _p, a) => (a[1] === 24 ? 0 : -ERRNO.EINVAL);

// Known syscalls that we do not implement; glibc falls back when they fail.
const enosys: Handler = () => -ERRNO.ENOSYS;
export const rseq = enosys;
export const riscv_hwprobe = enosys;

const FUTEX_WAIT = 0;
const FUTEX_WAKE = 1;
const FUTEX_WAIT_BITSET = 9;
const FUTEX_WAKE_BITSET = 10;
const FUTEX_CMD_MASK = 0x7f & ~0x80;

/** One thread per process: a wake finds nobody, a wait on the current value could never end. */
export const futex: Handler = (_k, p, a) => {
  const op = (a[1] | 0) & FUTEX_CMD_MASK;
  if (op === FUTEX_WAKE || op === FUTEX_WAKE_BITSET) return 0;
  if (op === FUTEX_WAIT || op === FUTEX_WAIT_BITSET) {
    const cur = p.mem.load32(a[0]);
    if (cur !== (a[2] | 0)) return -ERRNO.EAGAIN;
    return a[3] !== 0 ? -ERRNO.ETIMEDOUT : -ERRNO.EDEADLK;
  }
  return -ERRNO.ENOSYS;
};

export const umask: Handler = (_k, p, a) => {
  const old = p.umask;
  p.umask = a[0] & 0o777;
  return old;
};

const PR_SET_NAME = 15;
const PR_GET_NAME = 16;
const PR_SET_CHILD_SUBREAPER = 36;
const PR_GET_CHILD_SUBREAPER = 37;

export const prctl: Handler = (_k, p, a) => {
  switch (a[0] | 0) {
    case PR_SET_CHILD_SUBREAPER:
      p.subreaper = a[1] !== 0;
      return 0;
    case PR_GET_CHILD_SUBREAPER:
      p.mem.writeU32(a[1], p.subreaper ? 1 : 0);
      return 0;
    case PR_SET_NAME: {
      const name = p.mem.readCString(a[1], 4096);
      if (name === null) return -ERRNO.EFAULT;
      p.comm = String.fromCharCode(...name.subarray(0, 15));
      return 0;
    }
    case PR_GET_NAME: {
      const b = new Uint8Array(16);
      for (let i = 0; i < p.comm.length; i++) b[i] = p.comm.charCodeAt(i);
      p.mem.write(a[1], b);
      return 0;
    }
    default:
      return -ERRNO.EINVAL;
  }
};

// ---- resource limits ------------------------------------------------------------------

function rlimitBytes([cur, max]: [bigint, bigint]): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, cur, true);
  dv.setBigUint64(8, max, true);
  return b;
}

function limitCall(p: Process, res: number, newAddr: number, oldAddr: number): number {
  if (res < 0 || res >= RLIM_NLIMITS) return -ERRNO.EINVAL;
  const cur = limitOf(p, res);
  if (newAddr !== 0) {
    const dv = new DataView(p.mem.read(newAddr, 16).buffer);
    const next: [bigint, bigint] = [dv.getBigUint64(0, true), dv.getBigUint64(8, true)];
    if (next[0] > next[1]) return -ERRNO.EINVAL;
    if (res === RLIMIT_NOFILE && next[1] > 1024n) return -ERRNO.EPERM; // our descriptor tables stop at 1024
    if (oldAddr !== 0) p.mem.write(oldAddr, rlimitBytes(cur));
    p.rlimits.set(res, next);
    return 0;
  }
  if (oldAddr !== 0) p.mem.write(oldAddr, rlimitBytes(cur));
  return 0;
}

export const prlimit64: Handler = (k, p, a) => {
  const pid = a[0] | 0;
  const t = pid === 0 ? p : k.procs.get(pid);
  if (t === undefined) return -ERRNO.ESRCH;
  return limitCall(t, a[1] | 0, a[2], a[3]);
};
export const getrlimit: Handler = (_k, p, a) => limitCall(p, a[0] | 0, 0, a[1]);
export const setrlimit: Handler = (_k, p, a) => limitCall(p, a[0] | 0, a[1], 0);

const RUSAGE_SELF = 0;
const RUSAGE_CHILDREN = -1;
const RUSAGE_THREAD = 1;

export const getrusage: Handler = (_k, p, a) => {
  const who = a[0] | 0;
  if (who !== RUSAGE_SELF && who !== RUSAGE_CHILDREN && who !== RUSAGE_THREAD) return -ERRNO.EINVAL;
  p.mem.write(a[1], rusageBytes(who === RUSAGE_CHILDREN ? p.childUsage : selfUsage(p)));
  return 0;
};

// ---- system information -----------------------------------------------------------------

const UTS = ['Linux', 'procsim', '6.1.0-procsim', '#1 SMP PREEMPT procsim', 'riscv64', '(none)'];

export const uname: Handler = (_k, p, a) => {
  const b = new Uint8Array(65 * 6);
  UTS.forEach((s, i) => {
    for (let j = 0; j < s.length; j++) b[65 * i + j] = s.charCodeAt(j);
  });
  p.mem.write(a[0], b);
  return 0;
};

export const sysinfo: Handler = (k, p, a) => {
  const b = new Uint8Array(112);
  const dv = new DataView(b.buffer);
  dv.setBigInt64(0, k.timeNs / NS_PER_SEC, true); // uptime
  dv.setBigUint64(32, 1n << 32n, true); // totalram
  dv.setBigUint64(40, 1n << 31n, true); // freeram
  dv.setUint16(80, k.procs.size, true); // procs
  dv.setUint32(104, 1, true); // mem_unit
  p.mem.write(a[0], b);
  return 0;
};

const GRND_NONBLOCK = 1;
const GRND_RANDOM = 2;
const GRND_INSECURE = 4;

export const getrandom: Handler = (k, p, a) => {
  const [buf, len, flags] = [a[0], a[1], a[2] | 0];
  if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE) || (flags & GRND_RANDOM && flags & GRND_INSECURE)) {
    return -ERRNO.EINVAL;
  }
  const n = len < 0 ? 33554431 : Math.min(len, 33554431); // a size_t: negative is huge
  p.mem.write(buf, k.random(n));
  return n;
};
