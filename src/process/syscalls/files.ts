// File and descriptor syscalls over the VFS and the descriptor table.

import { ERRNO } from '../errno.ts';
import { type FileBackend, OpenFile, SEEK_CUR } from '../fd.ts';
import { atBase, guestPath, InodeBackend } from '../files.ts';
import { FsError } from '../fs/fs-error.ts';
import {
  AT_EACCESS,
  AT_EMPTY_PATH,
  AT_REMOVEDIR,
  AT_SYMLINK_FOLLOW,
  AT_SYMLINK_NOFOLLOW,
  F_DUPFD,
  F_DUPFD_CLOEXEC,
  F_GETFD,
  F_GETFL,
  F_GETLK,
  F_OFD_GETLK,
  F_OFD_SETLK,
  F_OFD_SETLKW,
  F_SETFD,
  F_SETFL,
  F_SETLK,
  F_SETLKW,
  O_ACCMODE,
  O_APPEND,
  O_CLOEXEC,
  O_CREAT,
  O_EXCL,
  O_NOCTTY,
  O_NONBLOCK,
  O_PATH,
  O_RDONLY,
  O_TRUNC,
  O_WRONLY,
} from '../fs/flags.ts';
import type { Inode, Timespec } from '../fs/inode.ts';
import { statToBytes } from '../fs/stat.ts';
import type { Kernel } from '../kernel.ts';
import { SI_KERNEL } from '../signal-delivery.ts';
import { SIGPIPE } from '../signals.ts';
import { PIPE_BUF, PIPE_CAPACITY, PipeReadEnd, POLLERR, POLLOUT } from '../pipe.ts';
import type { Process } from '../process.ts';
import { fcntlLock } from './locks.ts';
import { UnixSocket } from './socket.ts';
import type { Handler } from './table.ts';

const IOV_MAX = 1024;
/** Linux caps one read/write at this many bytes (MAX_RW_COUNT). */
const MAX_RW = 0x7ffff000;

// ---- reading and writing --------------------------------------------------------------

function readable(f: OpenFile): void {
  const acc = f.flags & O_ACCMODE;
  if (acc === O_WRONLY || f.flags & O_PATH) throw new FsError('EBADF');
}

function writable(f: OpenFile): void {
  const acc = f.flags & O_ACCMODE;
  if (acc === O_RDONLY || f.flags & O_PATH) throw new FsError('EBADF');
}

function isDirFile(f: OpenFile): boolean {
  return f.backend instanceof InodeBackend && f.backend.inode.kind === 'dir';
}

/** Read up to len bytes at the description's offset (or at `at` for pread); null: would block. */
function doRead(f: OpenFile, len: number, at = -1): Uint8Array | null {
  readable(f);
  if (isDirFile(f)) throw new FsError('EISDIR');
  const seekable = f.backend.size() !== null;
  if (at >= 0 && !seekable) throw new FsError('ESPIPE');
  const data = f.backend.read(Math.min(len, MAX_RW), at >= 0 ? at : f.offset);
  if (data !== null && at < 0 && seekable) f.offset += data.length;
  return data;
}

/** Bytes taken; 0 from a stream (with a queue) for a non-empty write means it would block. */
function doWrite(f: OpenFile, data: Uint8Array, at = -1): number {
  writable(f);
  const size = f.backend.size();
  if (at >= 0 && size === null) throw new FsError('ESPIPE');
  let off = at >= 0 ? at : f.offset;
  if (at < 0 && f.flags & O_APPEND && size !== null) off = size;
  const n = f.backend.write(data.subarray(0, MAX_RW), off);
  if (at < 0 && size !== null) f.offset = off + n;
  return n;
}

/**
 * read/readv on a description: the bytes, or the caller blocks (or gets EAGAIN) on an empty
 * stream. `dest` (address, length) is checked first for streams, so EFAULT loses no data.
 */
function readOrBlock(k: Kernel, p: Process, f: OpenFile, len: number, dest?: [number, number]): Uint8Array | number {
  if (dest !== undefined && f.backend.queue !== undefined) p.mem.assertAccess(dest[0], Math.min(dest[1], PIPE_CAPACITY), 'write');
  const data = doRead(f, len);
  if (data !== null) return data;
  if (f.flags & O_NONBLOCK) return -ERRNO.EAGAIN;
  return k.block(p, 'read', [f.backend.queue!]);
}

/**
 * write/writev: streams take what fits (all at once up to PIPE_BUF); a blocking writer
 * waits for room and resumes after the bytes it already moved, returning only when done.
 */
function writeOrBlock(k: Kernel, p: Process, f: OpenFile, data: Uint8Array): number {
  if (f.backend.queue === undefined) return doWrite(f, data);
  let n: number;
  try {
    n = doWrite(f, data.subarray(p.ioDone));
  } catch (e) {
    // The readers went away part-way: the bytes already moved are the result (SIGPIPE still comes).
    if (!(e instanceof FsError && e.code === 'EPIPE' && p.ioDone > 0)) throw e;
    k.sendSignal(p, SIGPIPE, { code: SI_KERNEL, pid: 0 });
    return p.ioDone;
  }
  const done = p.ioDone + n;
  if (done >= data.length || data.length === 0) return done;
  if (f.flags & O_NONBLOCK) return done > 0 ? done : -ERRNO.EAGAIN;
  p.ioDone = done;
  return k.block(p, 'write', [f.backend.queue]);
}

export const read: Handler = (k, p, a) => {
  const f = p.fds.file(a[0] | 0);
  if (a[2] < 0) return -ERRNO.EINVAL;
  const data = readOrBlock(k, p, f, a[2], [a[1], a[2]]);
  if (typeof data === 'number') return data;
  p.mem.write(a[1], data);
  return data.length;
};

export const write: Handler = (k, p, a) => {
  const f = p.fds.file(a[0] | 0);
  if (a[2] < 0) return -ERRNO.EINVAL;
  return writeOrBlock(k, p, f, p.mem.read(a[1], Math.min(a[2], MAX_RW)));
};

export const pread64: Handler = (_k, p, a) => {
  const f = p.fds.file(a[0] | 0);
  if (a[2] < 0 || a[3] < 0) return -ERRNO.EINVAL;
  const data = doRead(f, a[2], a[3]) ?? new Uint8Array(0);
  p.mem.write(a[1], data);
  return data.length;
};

export const pwrite64: Handler = (_k, p, a) => {
  const f = p.fds.file(a[0] | 0);
  if (a[2] < 0 || a[3] < 0) return -ERRNO.EINVAL;
  return doWrite(f, p.mem.read(a[1], Math.min(a[2], MAX_RW)), a[3]);
};

/**
 * sendfile: copy up to count bytes from in_fd (at *offset, or at its own offset) to out_fd.
 * A full output pipe blocks before anything is read; bytes the output did not take go
 * back to a seekable input (a pipe input is read at most PIPE_BUF at a time, which fits).
 */
export const sendfile: Handler = (k, p, a) => {
  const [outFd, inFd, offAddr] = [a[0] | 0, a[1] | 0, a[2]];
  const out = p.fds.file(outFd);
  const inp = p.fds.file(inFd);
  if (a[3] < 0) return -ERRNO.EINVAL;
  writable(out);
  if (out.flags & O_APPEND) return -ERRNO.EINVAL;
  const seekable = inp.backend.size() !== null;
  if (!seekable && offAddr !== 0) return -ERRNO.ESPIPE;
  const outQ = out.backend.queue;
  if (outQ !== undefined && !(out.backend.poll!() & (POLLOUT | POLLERR))) {
    return out.flags & O_NONBLOCK ? -ERRNO.EAGAIN : k.block(p, 'write', [outQ]);
  }
  const count = seekable ? a[3] : Math.min(a[3], PIPE_BUF);
  const at = offAddr !== 0 ? Number(p.mem.readU64(offAddr)) : -1;
  if (offAddr !== 0 && at < 0) return -ERRNO.EINVAL;
  const data = at >= 0 ? (doRead(inp, count, at) ?? new Uint8Array(0)) : readOrBlock(k, p, inp, count);
  if (typeof data === 'number') return data;
  const n = data.length === 0 ? 0 : doWrite(out, data);
  if (at >= 0) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(at + n), true);
    p.mem.write(offAddr, b);
  } else if (seekable) inp.offset -= data.length - n;
  return n;
};

/** The (base, len) pairs of a guest iovec array. */
function iovecs(p: Process, addr: number, count: number): [number, number][] {
  if (count < 0 || count > IOV_MAX) throw new FsError('EINVAL');
  const dv = new DataView(p.mem.read(addr, count * 16).buffer);
  const out: [number, number][] = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    let len = Number(dv.getBigInt64(i * 16 + 8, true));
    if (len < 0) throw new FsError('EINVAL');
    len = Math.min(len, MAX_RW - total); // Linux truncates the vector at MAX_RW_COUNT in total
    total += len;
    out.push([Number(dv.getBigUint64(i * 16, true)), len]);
  }
  return out;
}

export const readv: Handler = (k, p, a) => {
  const f = p.fds.file(a[0] | 0);
  const vecs = iovecs(p, a[1], a[2] | 0);
  const total = vecs.reduce((n, [, len]) => n + len, 0);
  if (f.backend.queue !== undefined) for (const [base, len] of vecs) p.mem.assertAccess(base, Math.min(len, PIPE_CAPACITY), 'write');
  const data = readOrBlock(k, p, f, total);
  if (typeof data === 'number') return data;
  let done = 0;
  for (const [base, len] of vecs) {
    if (done >= data.length) break;
    const part = data.subarray(done, done + len);
    p.mem.write(base, part);
    done += part.length;
  }
  return data.length;
};

export const writev: Handler = (k, p, a) => {
  const f = p.fds.file(a[0] | 0);
  const vecs = iovecs(p, a[1], a[2] | 0);
  const parts = vecs.map(([base, len]) => p.mem.read(base, len));
  const all = new Uint8Array(parts.reduce((n, b) => n + b.length, 0));
  let o = 0;
  for (const b of parts) {
    all.set(b, o);
    o += b.length;
  }
  // One write: the bytes of a writev reach the file or pipe together, as on Linux.
  return writeOrBlock(k, p, f, all);
};

export const lseek: Handler = (_k, p, a) => {
  const f = p.fds.file(a[0] | 0);
  if (f.flags & O_PATH) return -ERRNO.EBADF;
  if (isDirFile(f)) {
    // Directory positions are getdents cookies: only absolute and current are meaningful.
    if ((a[2] | 0) === SEEK_CUR && a[1] === 0) return f.offset;
    if ((a[2] | 0) !== 0 || a[1] < 0) return -ERRNO.EINVAL;
    f.offset = a[1];
    return f.offset;
  }
  return f.seek(a[1], a[2] | 0);
};

// ---- opening and closing --------------------------------------------------------------

/** Status flags a description keeps (F_GETFL shows them); creation flags are not kept. */
const KEPT_FLAGS = ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC);

export const openat: Handler = (k, p, a) => {
  const path = guestPath(p, a[1]);
  if (path === '') return -ERRNO.ENOENT;
  const flags = a[2] | 0;
  const base = atBase(p, a[0] | 0, path);
  const { inode } = k.fs.open(base, path, flags, (a[3] & 0o7777) & ~p.umask, p);
  let file: OpenFile;
  if (inode.kind === 'special' && inode.reopen !== undefined && (flags & O_PATH) === 0) {
    // /proc/<pid>/fd/N of a pipe: a new description of that pipe.
    const { backend, name } = inode.reopen(flags) as { backend: FileBackend; name: string };
    file = new OpenFile(backend, flags & KEPT_FLAGS, name);
  } else {
    file = new OpenFile(new InodeBackend(k.fs, inode), flags & KEPT_FLAGS, path);
    file.origin = { base, path };
  }
  try {
    return p.fds.install(file, (flags & O_CLOEXEC) !== 0);
  } catch (e) {
    if (file.refs === 0) file.backend.release?.();
    throw e;
  }
};

export const close: Handler = (_k, p, a) => (p.fds.close(a[0] | 0) ? 0 : -ERRNO.EBADF);

export const dup: Handler = (_k, p, a) => p.fds.install(p.fds.file(a[0] | 0), false);

export const dup3: Handler = (_k, p, a) => {
  const [oldfd, newfd, flags] = [a[0] | 0, a[1] | 0, a[2] | 0];
  if (flags & ~O_CLOEXEC || oldfd === newfd) return -ERRNO.EINVAL;
  const f = p.fds.file(oldfd);
  if (newfd < 0 || newfd >= 1024) return -ERRNO.EBADF;
  p.fds.installAt(newfd, f, (flags & O_CLOEXEC) !== 0);
  return newfd;
};

const FD_CLOEXEC = 1;
/** F_SETFL may change only these. */
const SETFL_MASK = O_APPEND | O_NONBLOCK;

export const fcntl: Handler = (k, p, a) => {
  const [fd, cmd, arg] = [a[0] | 0, a[1] | 0, a[2]];
  const e = p.fds.get(fd);
  if (e === undefined) return -ERRNO.EBADF;
  switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
      if (arg < 0 || arg >= 1024) return -ERRNO.EINVAL;
      return p.fds.install(e.file, cmd === F_DUPFD_CLOEXEC, arg);
    case F_GETFD:
      return e.cloexec ? FD_CLOEXEC : 0;
    case F_SETFD:
      e.cloexec = (arg & FD_CLOEXEC) !== 0;
      return 0;
    case F_GETFL:
      return e.file.flags;
    case F_SETFL:
      e.file.flags = (e.file.flags & ~SETFL_MASK) | (arg & SETFL_MASK);
      return 0;
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW:
      return fcntlLock(k, p, e.file, cmd, arg);
    default:
      return -ERRNO.EINVAL;
  }
};

const TCGETS = 0x5401;
const TIOCGWINSZ = 0x5413;
const TIOCGPGRP = 0x540f;
const TIOCSPGRP = 0x5410;
const FIONREAD = 0x541b;
const FIONBIO = 0x5421;

export const ioctl: Handler = (_k, p, a) => {
  const f = p.fds.file(a[0] | 0);
  switch (a[1] >>> 0) {
    case TCGETS:
    case TIOCGWINSZ:
    case TIOCGPGRP:
    case TIOCSPGRP:
      return -ERRNO.ENOTTY; // no terminal is attached
    case FIONBIO: {
      const on = p.mem.load32(a[2]) !== 0;
      f.flags = on ? f.flags | O_NONBLOCK : f.flags & ~O_NONBLOCK;
      return 0;
    }
    case FIONREAD: {
      // A pipe answers with the bytes buffered; a file with the bytes after the offset.
      const be = f.backend;
      const size = be.size();
      const avail =
        be instanceof PipeReadEnd ? be.pipe.len : be instanceof UnixSocket ? 0 : size === null || isDirFile(f) ? -1 : size - f.offset;
      if (avail < 0) return -ERRNO.ENOTTY;
      p.mem.writeU32(a[2], Math.min(avail, 0x7fffffff));
      return 0;
    }
    default:
      return -ERRNO.ENOTTY;
  }
};

// ---- metadata -----------------------------------------------------------------------

/** The inode a path or (with AT_EMPTY_PATH and "") a descriptor names. */
export function inodeAt(k: Kernel, p: Process, dirfd: number, path: string, flags: number): Inode {
  if (path === '') {
    if ((flags & AT_EMPTY_PATH) === 0) throw new FsError('ENOENT');
    return fdInode(p, dirfd);
  }
  return k.fs.resolve(atBase(p, dirfd, path), path, (flags & AT_SYMLINK_NOFOLLOW) === 0, p);
}

export function fdInode(p: Process, fd: number): Inode {
  const be = p.fds.file(fd).backend;
  if (!(be instanceof InodeBackend)) throw new FsError('EBADF');
  return be.inode;
}

export const fstat: Handler = (_k, p, a) => {
  p.mem.write(a[1], statToBytes(p.fds.file(a[0] | 0).backend.stat()));
  return 0;
};

export const newfstatat: Handler = (k, p, a) => {
  const path = guestPath(p, a[1]);
  const flags = a[3] | 0;
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | 0x800)) return -ERRNO.EINVAL;
  const st = path === '' && flags & AT_EMPTY_PATH ? p.fds.file(a[0] | 0).backend.stat() : k.fs.stat(inodeAt(k, p, a[0] | 0, path, flags));
  p.mem.write(a[2], statToBytes(st));
  return 0;
};

export const getdents64: Handler = (k, p, a) => {
  const f = p.fds.file(a[0] | 0);
  const be = f.backend;
  if (!(be instanceof InodeBackend) || be.inode.kind !== 'dir') return -ERRNO.ENOTDIR;
  const { bytes, pos } = k.fs.getdents(be.inode, f.offset, a[2], p);
  p.mem.write(a[1], bytes);
  f.offset = pos;
  return bytes.length;
};

export const readlinkat: Handler = (k, p, a) => {
  const path = guestPath(p, a[1]);
  if (a[3] <= 0) return -ERRNO.EINVAL;
  const target = k.fs.readlink(atBase(p, a[0] | 0, path), path, p);
  const bytes = Uint8Array.from(target.slice(0, a[3]), (c) => c.charCodeAt(0));
  p.mem.write(a[2], bytes);
  return bytes.length;
};

export const faccessat: Handler = (k, p, a) => {
  const path = guestPath(p, a[1]);
  k.fs.access(inodeAt(k, p, a[0] | 0, path, 0), a[2] | 0);
  return 0;
};

export const faccessat2: Handler = (k, p, a) => {
  const flags = a[3] | 0;
  if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -ERRNO.EINVAL;
  const path = guestPath(p, a[1]);
  k.fs.access(inodeAt(k, p, a[0] | 0, path, flags), a[2] | 0);
  return 0;
};

export const ftruncate: Handler = (k, p, a) => {
  const f = p.fds.file(a[0] | 0);
  if (a[1] < 0) return -ERRNO.EINVAL;
  if ((f.flags & O_ACCMODE) === O_RDONLY) return -ERRNO.EINVAL;
  const be = f.backend;
  if (!(be instanceof InodeBackend) || be.inode.kind !== 'file') return -ERRNO.EINVAL;
  k.fs.truncate(be.inode, a[1]);
  return 0;
};

const ok: Handler = (_k, p, a) => (p.fds.get(a[0] | 0) ? 0 : -ERRNO.EBADF);
export const fsync = ok;
export const fdatasync = ok;
export const sync: Handler = () => 0;

export const fchmod: Handler = (k, p, a) => {
  k.fs.chmod(fdInode(p, a[0] | 0), a[1] | 0);
  return 0;
};

export const fchmodat: Handler = (k, p, a) => {
  const path = guestPath(p, a[1]);
  k.fs.chmod(inodeAt(k, p, a[0] | 0, path, 0), a[2] | 0);
  return 0;
};

export const fchownat: Handler = (k, p, a) => {
  const path = guestPath(p, a[1]);
  k.fs.chown(inodeAt(k, p, a[0] | 0, path, a[4] | 0), a[2] | 0, a[3] | 0);
  return 0;
};

export const fchown: Handler = (k, p, a) => {
  k.fs.chown(fdInode(p, a[0] | 0), a[1] | 0, a[2] | 0);
  return 0;
};

function readTimes(p: Process, addr: number): [Timespec, Timespec] | [undefined, undefined] {
  if (addr === 0) return [undefined, undefined];
  const dv = new DataView(p.mem.read(addr, 32).buffer);
  const t = (o: number): Timespec => ({ sec: Number(dv.getBigInt64(o, true)), nsec: Number(dv.getBigInt64(o + 8, true)) });
  return [t(0), t(16)];
}

export const utimensat: Handler = (k, p, a) => {
  const flags = a[3] | 0;
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -ERRNO.EINVAL;
  const [at, mt] = readTimes(p, a[2]);
  const inode = a[1] === 0 ? fdInode(p, a[0] | 0) : inodeAt(k, p, a[0] | 0, guestPath(p, a[1]), flags);
  k.fs.utimens(inode, at, mt);
  return 0;
};

// ---- the namespace --------------------------------------------------------------------

export const mkdirat: Handler = (k, p, a) => {
  const path = guestPath(p, a[1]);
  k.fs.mkdir(atBase(p, a[0] | 0, path), path, (a[2] & 0o7777) & ~p.umask, p);
  return 0;
};

export const unlinkat: Handler = (k, p, a) => {
  const path = guestPath(p, a[1]);
  const flags = a[2] | 0;
  if (flags & ~AT_REMOVEDIR) return -ERRNO.EINVAL;
  const base = atBase(p, a[0] | 0, path);
  if (flags & AT_REMOVEDIR) k.fs.rmdir(base, path, p);
  else k.fs.unlink(base, path, p);
  return 0;
};

export const renameat2: Handler = (k, p, a) => {
  const from = guestPath(p, a[1]);
  const to = guestPath(p, a[3]);
  k.fs.rename(atBase(p, a[0] | 0, from), from, atBase(p, a[2] | 0, to), to, a[4] | 0, p);
  return 0;
};

export const renameat: Handler = (k, p, a) => {
  const from = guestPath(p, a[1]);
  const to = guestPath(p, a[3]);
  k.fs.rename(atBase(p, a[0] | 0, from), from, atBase(p, a[2] | 0, to), to, 0, p);
  return 0;
};

export const symlinkat: Handler = (k, p, a) => {
  const target = guestPath(p, a[0]);
  const path = guestPath(p, a[2]);
  if (target === '') return -ERRNO.ENOENT;
  k.fs.symlink(target, atBase(p, a[1] | 0, path), path, p);
  return 0;
};

export const linkat: Handler = (k, p, a) => {
  const from = guestPath(p, a[1]);
  const to = guestPath(p, a[3]);
  const flags = a[4] | 0;
  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) return -ERRNO.EINVAL;
  k.fs.link(atBase(p, a[0] | 0, from), from, atBase(p, a[2] | 0, to), to, (flags & AT_SYMLINK_FOLLOW) !== 0, p);
  return 0;
};

export const getcwd: Handler = (k, p, a) => {
  const path = k.fs.pathOf(p.cwd);
  if (path.length + 1 > a[1]) return -ERRNO.ERANGE;
  const b = new Uint8Array(path.length + 1);
  for (let i = 0; i < path.length; i++) b[i] = path.charCodeAt(i);
  p.mem.write(a[0], b);
  return b.length;
};

export const chdir: Handler = (k, p, a) => {
  const path = guestPath(p, a[0]);
  if (path === '') return -ERRNO.ENOENT;
  p.cwd = k.fs.resolveDir(p.cwd, path, p);
  return 0;
};

export const fchdir: Handler = (_k, p, a) => {
  const inode = fdInode(p, a[0] | 0);
  if (inode.kind !== 'dir') return -ERRNO.ENOTDIR;
  p.cwd = inode;
  return 0;
};
