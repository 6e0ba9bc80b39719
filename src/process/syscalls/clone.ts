// clone (fork and vfork; threads are refused explicitly), clone3, execve and execveat.

import { MemFault } from '../../emu/memory.ts';
import { ERRNO } from '../errno.ts';
import { execImage } from '../exec.ts';
import { FsError } from '../fs/fs-error.ts';
import { AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW } from '../fs/flags.ts';
import { atBase, guestPath, InodeBackend } from '../files.ts';
import { type Args, KEEP_REGS, type Kernel } from '../kernel.ts';
import { fork } from '../lifecycle.ts';
import { NO_DEADLINE, type Process } from '../process.ts';
import type { Handler } from './table.ts';

const CSIGNAL = 0xff;
const CLONE_VM = 0x100;
const CLONE_FS = 0x200;
const CLONE_FILES = 0x400;
const CLONE_SIGHAND = 0x800;
const CLONE_PIDFD = 0x1000;
const CLONE_VFORK = 0x4000;
const CLONE_PARENT = 0x8000;
const CLONE_THREAD = 0x10000;
const CLONE_NEWNS = 0x20000;
const CLONE_SYSVSEM = 0x40000;
const CLONE_SETTLS = 0x80000;
const CLONE_PARENT_SETTID = 0x100000;
const CLONE_CHILD_CLEARTID = 0x200000;
const CLONE_CHILD_SETTID = 0x1000000;
/** Namespace and other flags we do not model: refused with EINVAL rather than ignored. */
const UNSUPPORTED = CLONE_FS | CLONE_FILES | CLONE_PIDFD | CLONE_PARENT | CLONE_NEWNS | CLONE_SYSVSEM | 0x7e000000 | 0x2000000;

/** Clones that would share memory or signal handlers like threads: refused until threads exist. */
export function isThreadClone(flags: number): boolean {
  return (flags & (CLONE_THREAD | CLONE_SIGHAND)) !== 0 || ((flags & CLONE_VM) !== 0 && !(flags & CLONE_VFORK));
}

/** Like Linux, a tid that cannot be stored is ignored rather than failing the fork. */
function storeTid(p: Process, addr: number, tid: number): void {
  try {
    p.mem.writeU32(addr, tid);
  } catch (e) {
    if (!(e instanceof MemFault)) throw e;
  }
}

/** The new child's TLS and the SETTID/CLEARTID flags (clone's a3 = tls, a2 = ptid, a4 = ctid). */
export function applyCloneTids(p: Process, c: Process, flags: number, a: Args, childTid: number): void {
  if (flags & CLONE_SETTLS) c.cpu.setX(4, BigInt(a[3]));
  if (flags & CLONE_PARENT_SETTID) storeTid(p, a[2], c.pid);
  if (flags & CLONE_CHILD_SETTID) storeTid(c, a[4], childTid);
  if (flags & CLONE_CHILD_CLEARTID) c.clearChildTid = a[4];
}

export const clone: Handler = (k, p, a) => {
  if (k.resumed(p) && p.blockReason === 'vfork') {
    // Woken: the call completes once the vfork child released our memory.
    const c = k.procs.get(p.ioDone);
    if (c !== undefined && c.vforkParent === p) return k.block(p, 'vfork', [p.childWait], NO_DEADLINE, false);
    return p.ioDone;
  }
  const flags = a[0] >>> 0;
  // Threads (and anything sharing memory without vfork's suspension) need a multi-hart
  // process, which does not exist yet: say so instead of faking it.
  if (isThreadClone(flags)) return -ERRNO.ENOSYS;
  if (flags & UNSUPPORTED) return -ERRNO.EINVAL;
  const vfork = (flags & CLONE_VFORK) !== 0;
  const c = fork(k, p, { vfork, stack: a[1], exitSignal: flags & CSIGNAL });
  if (typeof c === 'number') return c;
  applyCloneTids(p, c, flags, a, c.pid);
  if (vfork) {
    // The parent sleeps until the child releases the memory; its clone then returns the pid.
    p.ioDone = c.pid;
    return k.block(p, 'vfork', [p.childWait], NO_DEADLINE, false);
  }
  return c.pid;
};

/** glibc tries clone3 first and falls back to clone on ENOSYS. */
export const clone3: Handler = () => -ERRNO.ENOSYS;

/** NULL-terminated array of guest string pointers. */
function stringArray(p: Process, addr: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (addr === 0) return out;
  for (let i = 0; ; i++) {
    if (i > 0x7fffffff / 8) throw new FsError('E2BIG');
    const ptr = Number(p.mem.readU64(addr + 8 * i));
    if (ptr === 0) return out;
    const s = p.mem.readCString(ptr, 131072);
    if (s === null) throw new FsError('E2BIG');
    out.push(s);
    if (out.length > 65536) throw new FsError('E2BIG');
  }
}

function doExec(k: Kernel, p: Process, path: string, argvAddr: number, envAddr: number): number {
  const argv = stringArray(p, argvAddr);
  const envp = stringArray(p, envAddr);
  execImage(k, p, { path, argv, envp });
  k.emit({ kind: 'exec', pid: p.pid, path: p.exe });
  return KEEP_REGS;
}

export const execve: Handler = (k, p, a) => doExec(k, p, guestPath(p, a[0]), a[1], a[2]);

export const execveat: Handler = (k, p, a) => {
  const [dirfd, flags] = [a[0] | 0, a[4] | 0];
  if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) return -ERRNO.EINVAL;
  const path = guestPath(p, a[1]);
  if (path === '' && flags & AT_EMPTY_PATH) {
    const f = p.fds.file(dirfd);
    if (!(f.backend instanceof InodeBackend)) return -ERRNO.EACCES;
    return doExec(k, p, `/proc/self/fd/${dirfd}`, a[2], a[3]);
  }
  if (!path.startsWith('/')) {
    const base = atBase(p, dirfd, path);
    return doExec(k, p, `${k.fs.pathOf(base)}/${path}`, a[2], a[3]);
  }
  return doExec(k, p, path, a[2], a[3]);
};
