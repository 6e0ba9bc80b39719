// Glue between descriptors and the filesystem: file backends for inodes and host stdio,
// guest path arguments, and the executable lookup of execve.

import type { Console } from './console.ts';
import type { FileBackend } from './fd.ts';
import { FsError } from './fs/fs-error.ts';
import { AT_FDCWD, S_IFIFO } from './fs/flags.ts';
import type { DirInode, Inode } from './fs/inode.ts';
import type { Stat } from './fs/stat.ts';
import type { Vfs } from './fs/vfs.ts';
import type { Kernel } from './kernel.ts';
import type { Process } from './process.ts';

/** A file, directory or device of the VFS. */
export class InodeBackend implements FileBackend {
  constructor(
    private readonly vfs: Vfs,
    readonly inode: Inode,
  ) {}
  read(len: number, offset: number): Uint8Array {
    return this.vfs.read(this.inode, offset, len);
  }
  write(data: Uint8Array, offset: number): number {
    return this.vfs.write(this.inode, offset, data);
  }
  size(): number {
    return this.inode.kind === 'file' ? this.inode.size : 0;
  }
  stat(): Stat {
    return this.vfs.stat(this.inode);
  }
}

const STDIO_INO_BASE = 0x10000;

/**
 * The host's standard streams. They look like pipes to the guest (S_IFIFO, not a tty),
 * as they are when a harness captures them, so stdio buffering matches such a run.
 */
export class StdioBackend implements FileBackend {
  constructor(
    private readonly console: Console,
    private readonly fd: 0 | 1 | 2,
    private readonly clock: () => { sec: number; nsec: number },
  ) {}
  read(len: number): Uint8Array {
    if (this.fd !== 0) throw new FsError('EBADF');
    return this.console.readStdin(len);
  }
  write(data: Uint8Array): number {
    if (this.fd === 0) throw new FsError('EBADF');
    const taken = this.fd === 1 ? this.console.writeStdout(data) : this.console.writeStderr(data);
    return taken ?? data.length;
  }
  size(): null {
    return null;
  }
  stat(): Stat {
    const t = this.clock();
    return {
      dev: 0xc,
      ino: STDIO_INO_BASE + this.fd,
      mode: S_IFIFO | 0o600,
      nlink: 1,
      uid: 0,
      gid: 0,
      rdev: 0,
      size: 0,
      blksize: 4096,
      blocks: 0,
      atime: t,
      mtime: t,
      ctime: t,
    };
  }
}

/** A guest path argument: NUL-terminated, at most PATH_MAX bytes, as a byte string. */
export function guestPath(p: Process, addr: number): string {
  const b = p.mem.readCString(addr, 4096);
  if (b === null) throw new FsError('ENAMETOOLONG');
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}

/** The directory a *at() call starts from: the cwd for AT_FDCWD, else dirfd's directory. */
export function atBase(p: Process, dirfd: number, path: string): DirInode {
  if (dirfd === AT_FDCWD || path.startsWith('/')) return p.cwd;
  const f = p.fds.file(dirfd);
  const be = f.backend;
  if (!(be instanceof InodeBackend)) throw new FsError('ENOTDIR');
  if (be.inode.kind !== 'dir') throw new FsError('ENOTDIR');
  return be.inode;
}

/** Canonical absolute path of what `path` names (symlinks resolved), as /proc/self/exe shows. */
export function realPath(vfs: Vfs, base: DirInode, path: string, ctx: unknown, depth = 0): string {
  const w = vfs.walk(base, path, 'parent', ctx);
  if (w.inode?.kind === 'symlink' && depth < 40) return realPath(vfs, w.dir, w.inode.target, ctx, depth + 1);
  const dir = vfs.pathOf(w.dir);
  return w.kind === 'norm' ? (dir === '/' ? '' : dir) + '/' + w.name : dir;
}

/** The bytes of an executable and its canonical path; ENOENT, EACCES (not a file, no x bit). */
export interface Executable {
  bytes: Uint8Array;
  /** Canonical path. */
  path: string;
  pristine: boolean;
  dev: number;
  ino: number;
}

export function readExecutable(k: Kernel, p: Process, path: string): Executable {
  if (path === '') throw new FsError('ENOENT');
  const inode = k.fs.resolve(p.cwd, path, true, p);
  k.fs.mayExec(inode);
  // A file still as seeded is read in place (no copy): the loader shares its pages.
  const pristine = inode.kind === 'file' ? inode.data.pristine : null;
  const bytes = pristine ?? k.fs.read(inode, 0, inode.size);
  return { bytes, path: realPath(k.fs, p.cwd, path, p), pristine: pristine !== null, dev: inode.dev, ino: inode.ino };
}
