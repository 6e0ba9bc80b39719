// What dynamically linked programs ask about files and the machine beyond open/read/write:
// statx, statfs/fstatfs, fadvise64, copy_file_range, the xattr family, close_range,
// sched_{get,set}affinity, capget/capset and riscv_flush_icache, each as Linux answers on
// a tmpfs root with one CPU, run by root with every capability.

import { ERRNO } from '../errno.ts';
import type { OpenFile } from '../fd.ts';
import { atBase, guestPath, InodeBackend } from '../files.ts';
import { FsError } from '../fs/fs-error.ts';
import {
  AT_EMPTY_PATH,
  AT_FDCWD,
  AT_NO_AUTOMOUNT,
  AT_STATX_SYNC_TYPE,
  AT_SYMLINK_NOFOLLOW,
  NAME_MAX,
  O_ACCMODE,
  O_APPEND,
  O_PATH,
  O_RDONLY,
  O_WRONLY,
  S_IFIFO,
  S_IFMT,
  STATX_ATTR_APPEND,
  STATX_ATTR_AUTOMOUNT,
  STATX_ATTR_DAX,
  STATX_ATTR_IMMUTABLE,
  STATX_ATTR_MOUNT_ROOT,
  STATX_ATTR_NODUMP,
  STATX_BASIC_STATS,
  STATX_BTIME,
  STATX_MNT_ID,
  STATX__RESERVED,
} from '../fs/flags.ts';
import type { Inode } from '../fs/inode.ts';
import { mountOfDev, ST_VALID, TMPFS_MAGIC } from '../fs/mounts.ts';
import { type Stat, statxToBytes } from '../fs/stat.ts';
import type { Kernel } from '../kernel.ts';
import { MEM_TOTAL_KB } from '../procfs.ts';
import type { Process } from '../process.ts';
import { inodeAt } from './files.ts';
import type { Handler } from './table.ts';

/** The file a descriptor names for the f*() calls: O_PATH descriptors are EBADF (fdget). */
function fdFile(p: Process, fd: number): OpenFile {
  const f = p.fds.file(fd);
  if (f.flags & O_PATH) throw new FsError('EBADF');
  return f;
}

// ---- statx --------------------------------------------------------------------------------

/** What a mount root is: the filesystem root and the roots of synthetic mounts. */
function isMountRoot(k: Kernel, inode: Inode | null): boolean {
  return inode !== null && inode.kind === 'dir' && (inode === k.fs.root || inode.mountRoot);
}

export const statx: Handler = (k, p, a) => {
  const [dirfd, pathAddr, flags, mask, buf] = [a[0] | 0, a[1], a[2] | 0, a[3] >>> 0, a[4]];
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE)) return -ERRNO.EINVAL;
  if ((flags & AT_STATX_SYNC_TYPE) === AT_STATX_SYNC_TYPE) return -ERRNO.EINVAL;
  if (mask & STATX__RESERVED) return -ERRNO.EINVAL;
  // Linux 6.11+: a NULL path with AT_EMPTY_PATH is the descriptor itself, as "" is.
  const path = pathAddr === 0 && flags & AT_EMPTY_PATH ? '' : guestPath(p, pathAddr);
  let st: Stat;
  let inode: Inode | null = null;
  if (path === '' && flags & AT_EMPTY_PATH && dirfd === AT_FDCWD) {
    inode = p.cwd;
    st = k.fs.stat(inode);
  } else if (path === '' && flags & AT_EMPTY_PATH) {
    const be = p.fds.file(dirfd).backend;
    if (be instanceof InodeBackend) inode = be.inode;
    st = be.stat();
  } else {
    inode = inodeAt(k, p, dirfd, path, flags);
    st = k.fs.stat(inode);
  }
  const mnt = mountOfDev(st.dev);
  let attributesMask = STATX_ATTR_AUTOMOUNT | STATX_ATTR_DAX | STATX_ATTR_MOUNT_ROOT;
  if (mnt.magic === TMPFS_MAGIC) attributesMask |= STATX_ATTR_APPEND | STATX_ATTR_IMMUTABLE | STATX_ATTR_NODUMP;
  // tmpfs keeps birth times (shmem_getattr fills them when asked); procfs and pipes do not.
  const btime = mnt.magic === TMPFS_MAGIC && mask & STATX_BTIME && inode !== null ? inode.btime : undefined;
  const bytes = statxToBytes(st, {
    mask: STATX_BASIC_STATS | STATX_MNT_ID | (btime ? STATX_BTIME : 0),
    attributes: isMountRoot(k, inode) ? STATX_ATTR_MOUNT_ROOT : 0,
    attributesMask,
    mntId: mnt.id,
    btime,
  });
  p.mem.write(buf, bytes);
  return 0;
};

// ---- statfs -------------------------------------------------------------------------------

/** struct statfs of riscv64 (asm-generic, 64-bit words): 120 bytes. */
export const STATFS_SIZE = 120;
/** tmpfs's default size limit: half of RAM, in 4 KiB blocks; as many inodes. */
const TMPFS_BLOCKS = (MEM_TOTAL_KB / 4) / 2;

function statfsBytes(k: Kernel, dev: number): Uint8Array {
  const m = mountOfDev(dev);
  const b = new Uint8Array(STATFS_SIZE);
  const dv = new DataView(b.buffer);
  const w = (off: number, v: number) => dv.setBigInt64(off, BigInt(v), true);
  w(0, m.magic);
  w(8, 4096); // f_bsize
  if (m.magic === TMPFS_MAGIC) {
    // Space is not accounted page by page here: the whole size limit shows as free.
    w(16, TMPFS_BLOCKS);
    w(24, TMPFS_BLOCKS);
    w(32, TMPFS_BLOCKS);
    w(40, TMPFS_BLOCKS);
    w(48, Math.max(0, TMPFS_BLOCKS - k.fs.inodesAllocated));
  }
  // f_fsid stays 0, as simple_statfs and shmem leave it.
  w(64, NAME_MAX); // f_namelen
  w(72, 4096); // f_frsize
  w(80, m.flags | ST_VALID);
  return b;
}

export const statfs: Handler = (k, p, a) => {
  const path = guestPath(p, a[0]);
  if (path === '') return -ERRNO.ENOENT;
  const inode = k.fs.resolve(atBase(p, -100, path), path, true, p);
  p.mem.write(a[1], statfsBytes(k, inode.dev));
  return 0;
};

export const fstatfs: Handler = (k, p, a) => {
  const f = p.fds.file(a[0] | 0); // an O_PATH descriptor is fine here (fdget_raw)
  p.mem.write(a[1], statfsBytes(k, f.backend.stat().dev));
  return 0;
};

// ---- fadvise64 and copy_file_range --------------------------------------------------------

const POSIX_FADV_NOREUSE = 5;

export const fadvise64: Handler = (_k, p, a) => {
  const f = fdFile(p, a[0] | 0);
  const st = f.backend.stat();
  if ((st.mode & S_IFMT) === S_IFIFO) return -ERRNO.ESPIPE;
  if (a[2] < 0) return -ERRNO.EINVAL;
  const advice = a[3] | 0;
  if (advice < 0 || advice > POSIX_FADV_NOREUSE) return -ERRNO.EINVAL;
  return 0; // nothing is cached apart from the files themselves: every advice is a no-op
};

function readLoff(p: Process, addr: number): number {
  return Number(BigInt.asIntN(64, p.mem.readU64(addr)));
}

function writeLoff(p: Process, addr: number, v: number): void {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, BigInt(v), true);
  p.mem.write(addr, b);
}

/** Linux caps one copy at MAX_RW_COUNT. */
const MAX_RW = 0x7ffff000;

export const copy_file_range: Handler = (k, p, a) => {
  const [fdIn, offInAddr, fdOut, offOutAddr, flags] = [a[0] | 0, a[1], a[2] | 0, a[3], a[5]];
  let len = a[4];
  if (flags !== 0) return -ERRNO.EINVAL;
  const fin = fdFile(p, fdIn);
  const fout = fdFile(p, fdOut);
  const offIn = offInAddr !== 0 ? readLoff(p, offInAddr) : fin.offset;
  const offOut = offOutAddr !== 0 ? readLoff(p, offOutAddr) : fout.offset;
  // generic_copy_file_checks, in Linux's order.
  const inInode = fin.backend instanceof InodeBackend ? fin.backend.inode : null;
  const outInode = fout.backend instanceof InodeBackend ? fout.backend.inode : null;
  if (inInode?.kind === 'dir' || outInode?.kind === 'dir') return -ERRNO.EISDIR;
  if (inInode?.kind !== 'file' || outInode?.kind !== 'file') return -ERRNO.EINVAL;
  if ((fin.flags & O_ACCMODE) === O_WRONLY || (fout.flags & O_ACCMODE) === O_RDONLY) return -ERRNO.EBADF;
  if (fout.flags & O_APPEND) return -ERRNO.EBADF;
  if (offIn < 0 || offOut < 0) return -ERRNO.EINVAL;
  if (len < 0) len = MAX_RW; // a size_t: huge
  if (inInode.dev !== outInode.dev) return -ERRNO.EXDEV;
  len = Math.min(len, MAX_RW, Math.max(0, inInode.size - offIn));
  if (inInode === outInode && offOut < offIn + len && offIn < offOut + len) return -ERRNO.EINVAL;
  if (len === 0) return 0;
  const data = k.fs.read(inInode, offIn, len);
  const n = data.length === 0 ? 0 : k.fs.write(outInode, offOut, data);
  if (offInAddr !== 0) writeLoff(p, offInAddr, offIn + n);
  else fin.offset = offIn + n;
  if (offOutAddr !== 0) writeLoff(p, offOutAddr, offOut + n);
  else fout.offset = offOut + n;
  return n;
};

// ---- extended attributes ------------------------------------------------------------------
//
// As a filesystem on which no file has an attribute and none can be set: get is ENODATA,
// list is empty, set is EOPNOTSUPP, remove is ENODATA. Names are checked first, as Linux
// does: a name outside the four namespaces is EOPNOTSUPP, an empty or too long one ERANGE.

const XATTR_CREATE = 1;
const XATTR_REPLACE = 2;
const XATTR_SIZE_MAX = 65536;
const XATTR_PREFIXES = ['security.', 'system.', 'trusted.', 'user.'];

/** The attribute name argument: ERANGE when empty or over 255 bytes. */
function xattrName(p: Process, addr: number): string {
  const b = p.mem.readCString(addr, NAME_MAX + 1);
  if (b === null || b.length === 0) throw new FsError('ERANGE');
  return String.fromCharCode(...b);
}

/** What the filesystem answers for `name`: EOPNOTSUPP outside the four namespaces, else `err`. */
function noAttr(name: string, err: 'ENODATA' | 'EOPNOTSUPP'): number {
  return XATTR_PREFIXES.some((x) => name.startsWith(x)) ? -ERRNO[err] : -ERRNO.EOPNOTSUPP;
}

/** The inode of a path call (follow: not the l* variant). */
function xattrPath(k: Kernel, p: Process, addr: number, follow: boolean): Inode {
  const path = guestPath(p, addr);
  if (path === '') throw new FsError('ENOENT');
  return k.fs.resolve(atBase(p, -100, path), path, follow, p);
}

/** set*xattr(target, name, value, size, flags): the arguments are copied before the lookup. */
function setx(p: Process, a: Float64Array, lookup: () => unknown): number {
  if ((a[4] | 0) & ~(XATTR_CREATE | XATTR_REPLACE) || a[4] < 0 || a[4] >= 2 ** 32) return -ERRNO.EINVAL;
  const name = xattrName(p, a[1]);
  if (a[3] > XATTR_SIZE_MAX || a[3] < 0) return -ERRNO.E2BIG;
  if (a[3] > 0) p.mem.read(a[2], a[3]);
  lookup();
  return noAttr(name, 'EOPNOTSUPP');
}

/** get*xattr: the lookup comes first, then the name. */
function getx(p: Process, a: Float64Array, lookup: () => unknown): number {
  lookup();
  return noAttr(xattrName(p, a[1]), 'ENODATA');
}

/** remove*xattr: the name is copied before the lookup. */
function removex(p: Process, a: Float64Array, lookup: () => unknown): number {
  const name = xattrName(p, a[1]);
  lookup();
  return noAttr(name, 'ENODATA');
}

export const setxattr: Handler = (k, p, a) => setx(p, a, () => xattrPath(k, p, a[0], true));
export const lsetxattr: Handler = (k, p, a) => setx(p, a, () => xattrPath(k, p, a[0], false));
export const fsetxattr: Handler = (_k, p, a) => setx(p, a, () => fdFile(p, a[0] | 0));
export const getxattr: Handler = (k, p, a) => getx(p, a, () => xattrPath(k, p, a[0], true));
export const lgetxattr: Handler = (k, p, a) => getx(p, a, () => xattrPath(k, p, a[0], false));
export const fgetxattr: Handler = (_k, p, a) => getx(p, a, () => fdFile(p, a[0] | 0));
export const listxattr: Handler = (k, p, a) => (xattrPath(k, p, a[0], true), 0);
export const llistxattr: Handler = (k, p, a) => (xattrPath(k, p, a[0], false), 0);
export const flistxattr: Handler = (_k, p, a) => (fdFile(p, a[0] | 0), 0);
export const removexattr: Handler = (k, p, a) => removex(p, a, () => xattrPath(k, p, a[0], true));
export const lremovexattr: Handler = (k, p, a) => removex(p, a, () => xattrPath(k, p, a[0], false));
export const fremovexattr: Handler = (_k, p, a) => removex(p, a, () => fdFile(p, a[0] | 0));

// ---- descriptors --------------------------------------------------------------------------

const CLOSE_RANGE_UNSHARE = 2;
const CLOSE_RANGE_CLOEXEC = 4;

/** close_range(first, last, flags): both are unsigned ints; the table is never shared, so UNSHARE changes nothing. */
export const close_range: Handler = (_k, p, a) => {
  const first = a[0] >>> 0;
  const last = a[1] >>> 0;
  const flags = a[2] >>> 0;
  if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC) || a[2] < 0 || a[2] >= 2 ** 32) return -ERRNO.EINVAL;
  if (first > last) return -ERRNO.EINVAL;
  p.fds.closeRange(first, last, (flags & CLOSE_RANGE_CLOEXEC) !== 0);
  return 0;
};

// ---- the CPU ------------------------------------------------------------------------------

/** The task named by pid (0: the caller); ESRCH for none. */
function task(k: Kernel, p: Process, pid: number): Process {
  if (pid === 0) return p;
  const t = k.procs.get(pid);
  if (t === undefined || t.state === 'reaped' || pid < 0) throw new FsError('ESRCH');
  return t;
}

/** Bytes of the kernel's cpumask (one unsigned long: nr_cpu_ids = 1). */
const CPUMASK_SIZE = 8;

export const sched_getaffinity: Handler = (k, p, a) => {
  const len = a[1];
  if (len < 0 || len >= 2 ** 32) return -ERRNO.EINVAL; // an unsigned int: huge
  if (len * 8 < 1 || len & (CPUMASK_SIZE - 1)) return -ERRNO.EINVAL;
  task(k, p, a[0] | 0);
  const b = new Uint8Array(CPUMASK_SIZE);
  b[0] = 1;
  p.mem.write(a[2], b);
  return CPUMASK_SIZE;
};

export const sched_setaffinity: Handler = (k, p, a) => {
  const len = a[1] >>> 0;
  // The new mask is cut to the kernel's size (copied first); it must include the one CPU there is.
  const bytes = len > 0 ? p.mem.read(a[2], Math.min(len, CPUMASK_SIZE)) : new Uint8Array(0);
  task(k, p, a[0] | 0);
  if (bytes.length === 0 || (bytes[0] & 1) === 0) return -ERRNO.EINVAL;
  return 0;
};

const SYS_RISCV_FLUSH_ICACHE_LOCAL = 1;

/**
 * riscv_flush_icache(start, end, flags): nothing to do. A write to a page drops its decoded
 * code (Memory.writeView, poke), and the hart refetches its decoded page after every ecall.
 */
export const riscv_flush_icache: Handler = (_k, _p, a) => {
  if (a[2] !== 0 && a[2] !== SYS_RISCV_FLUSH_ICACHE_LOCAL) return -ERRNO.EINVAL;
  return 0;
};

// ---- capabilities -------------------------------------------------------------------------

const CAP_V1 = 0x19980330;
const CAP_V2 = 0x20071026;
const CAP_V3 = 0x20080522;
/** The full set as two 32-bit words (CAP_LAST_CAP = 40). */
const CAP_WORDS = [0xffffffff, 0x1ff];

/** capget: root holds every capability (effective and permitted), none inheritable. */
export const capget: Handler = (k, p, a) => {
  const [hdr, data] = [a[0], a[1]];
  const version = p.mem.load32(hdr) >>> 0;
  const words = version === CAP_V1 ? 1 : version === CAP_V2 || version === CAP_V3 ? 2 : 0;
  if (words === 0) {
    p.mem.writeU32(hdr, CAP_V3);
    return data === 0 ? 0 : -ERRNO.EINVAL;
  }
  if (data === 0) return 0;
  const pid = p.mem.load32(hdr + 4);
  if (pid < 0) return -ERRNO.EINVAL;
  task(k, p, pid);
  const b = new Uint8Array(12 * words);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < words; i++) {
    dv.setUint32(12 * i, CAP_WORDS[i], true); // effective
    dv.setUint32(12 * i + 4, CAP_WORDS[i], true); // permitted
  }
  p.mem.write(data, b);
  return 0;
};

/**
 * capset: only the sets root already has (every capability effective and permitted, none
 * inheritable) are accepted; holding fewer is not modelled, so dropping any is EPERM.
 */
export const capset: Handler = (_k, p, a) => {
  const version = p.mem.load32(a[0]) >>> 0;
  const words = version === CAP_V1 ? 1 : version === CAP_V2 || version === CAP_V3 ? 2 : 0;
  if (words === 0) {
    p.mem.writeU32(a[0], CAP_V3);
    return -ERRNO.EINVAL;
  }
  const pid = p.mem.load32(a[0] + 4);
  if (pid !== 0 && pid !== p.pid) return -ERRNO.EPERM;
  const dv = new DataView(p.mem.read(a[1], 12 * words).buffer);
  for (let i = 0; i < words; i++) {
    const full = CAP_WORDS[i];
    if (dv.getUint32(12 * i, true) !== full || dv.getUint32(12 * i + 4, true) !== full || dv.getUint32(12 * i + 8, true) !== 0) {
      return -ERRNO.EPERM;
    }
  }
  return 0;
};
