// The in-memory filesystem the kernel's file syscalls run on.
//
// Error convention: every operation returns its result and throws FsError (a Linux errno name
// and number, e.g. new FsError('ENOENT')) on failure; the kernel returns -err.errno. Any other
// exception is a bug.
//
// Paths are byte strings (one char per byte, see inode.ts). Path operations take `base`, the
// directory relative paths start from (the cwd or the directory of a dirfd), and `ctx`, an
// opaque value handed to synthetic directory providers (the calling process, for /proc).
// The caller applies its umask to creation modes. The process is root: reads and writes are
// always allowed, execute needs an x bit (mayExec), directories are always searchable.
// Timestamps come from the clock given at construction; reads do not update atime (noatime).
// The kernel owns open file descriptions: offsets, O_APPEND and O_CLOEXEC are its business;
// read/write/truncate here take explicit offsets and sizes.
import { DeviceTable } from './devices.ts';
import { type Dirent, dtype, packDirents } from './dirent.ts';
import { FsError, notADirectory } from './fs-error.ts';
import {
  O_ACCMODE,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_NOFOLLOW,
  O_PATH,
  O_RDONLY,
  O_TMPFILE,
  O_TRUNC,
  PATH_MAX,
  RENAME_EXCHANGE,
  RENAME_NOREPLACE,
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFIFO,
  S_IFMT,
  S_IFREG,
  S_IFSOCK,
  S_IXUGO,
  UTIME_NOW,
  UTIME_OMIT,
} from './flags.ts';
import {
  type Clock,
  DeviceInode,
  DirInode,
  FileInode,
  type Inode,
  SpecialInode,
  SymlinkInode,
  type Timespec,
  isDir,
} from './inode.ts';
import { type FinalMode, type WalkResult, walk } from './namei.ts';
import { type Stat, statOf } from './stat.ts';
import { type SyntheticDir, SyntheticMount, syntheticLookup } from './synthetic.ts';

/** st_dev of the main filesystem (a tmpfs-like anonymous device, 0:26). */
export const ROOT_DEV = 0x1a;

export interface VfsOptions {
  clock: Clock;
}

export interface OpenResult {
  inode: Inode;
  /** The file was created by this open (O_CREAT). */
  created: boolean;
}

export class Vfs {
  readonly clock: Clock;
  readonly dev = ROOT_DEV;
  readonly root: DirInode;
  readonly devices = new DeviceTable();
  private nextIno = 1;

  constructor(opts: VfsOptions) {
    this.clock = opts.clock;
    this.root = new DirInode(this.dev, this.nextIno++, 0o755, this.now());
  }

  /** Inodes made so far (statfs's f_files - f_ffree). */
  get inodesAllocated(): number {
    return this.nextIno - 1;
  }

  now(): Timespec {
    const t = this.clock();
    return { sec: t.sec, nsec: t.nsec };
  }

  // ---- inode factories (inodes are linked into the tree by the caller) ----

  newFile(mode: number): FileInode {
    return new FileInode(this.dev, this.nextIno++, mode & 0o7777, this.now());
  }
  /** A file whose bytes are fetched by `source` when first read or written. */
  newLazyFile(mode: number, size: number, source: () => Uint8Array): FileInode {
    return FileInode.lazy(this.dev, this.nextIno++, mode & 0o7777, this.now(), size, source);
  }
  newDir(mode: number): DirInode {
    return new DirInode(this.dev, this.nextIno++, mode & 0o7777, this.now());
  }
  newSymlink(target: string): SymlinkInode {
    return new SymlinkInode(this.dev, this.nextIno++, this.now(), target);
  }
  newDevice(mode: number, rdev: number): DeviceInode {
    return new DeviceInode(this.dev, this.nextIno++, mode & 0o7777, this.now(), rdev);
  }
  /** A FIFO or socket node: `mode` includes its type bits. */
  newSpecial(mode: number): SpecialInode {
    return new SpecialInode(this.dev, this.nextIno++, mode & (S_IFMT | 0o7777), this.now());
  }

  // ---- path resolution ----

  /** Low-level walk (see namei.ts); most callers want resolve or lookupForCreate. */
  walk(base: DirInode, path: string, mode: FinalMode, ctx?: unknown): WalkResult {
    return walk(this.root, base, path, mode, ctx);
  }

  /** The inode `path` names; follows a final symlink unless follow is false (lstat). */
  resolve(base: DirInode, path: string, follow = true, ctx?: unknown): Inode {
    const w = this.walk(base, path, follow ? 'follow' : 'nofollow', ctx);
    if (!w.inode) throw new FsError('ENOENT', path);
    if (w.trailing && w.inode.kind !== 'dir') throw new FsError('ENOTDIR', path);
    return w.inode;
  }

  /** The directory `path` names (ENOTDIR otherwise): chdir, the dirfd of *at calls. */
  resolveDir(base: DirInode, path: string, ctx?: unknown): DirInode {
    const inode = this.resolve(base, path, true, ctx);
    if (inode.kind !== 'dir') throw new FsError('ENOTDIR', path);
    return inode;
  }

  /** For create operations: the parent directory, the final name and what it names now
   *  (the final component is not followed). */
  lookupForCreate(base: DirInode, path: string, ctx?: unknown): WalkResult {
    return this.walk(base, path, 'parent', ctx);
  }

  /** Absolute path of a directory (getcwd); ENOENT once it was removed. */
  pathOf(dir: DirInode): string {
    if (dir.dead) throw new FsError('ENOENT');
    const names: string[] = [];
    for (let d = dir; d !== this.root; d = d.parent) names.push(d.name);
    return '/' + names.reverse().join('/');
  }

  // ---- namespace operations ----

  open(base: DirInode, path: string, flags: number, mode = 0, ctx?: unknown): OpenResult {
    if ((flags & O_TMPFILE) === O_TMPFILE) throw new FsError('EOPNOTSUPP', 'O_TMPFILE');
    if (flags & O_PATH) {
      const inode = this.resolve(base, path, !(flags & O_NOFOLLOW), ctx);
      if (flags & O_DIRECTORY && inode.kind !== 'dir') throw new FsError('ENOTDIR', path);
      return { inode, created: false };
    }
    const creat = (flags & O_CREAT) !== 0;
    if (creat && flags & O_DIRECTORY) throw new FsError('EINVAL', 'O_CREAT with O_DIRECTORY');
    const excl = creat && (flags & O_EXCL) !== 0;
    let inode: Inode;
    let created = false;
    if (!creat) {
      inode = this.resolve(base, path, !(flags & O_NOFOLLOW), ctx);
    } else {
      // O_EXCL never follows a final symlink; O_CREAT alone creates a dangling link's target.
      const w = this.walk(base, path, excl || flags & O_NOFOLLOW ? 'parent' : 'create', ctx);
      if (w.kind !== 'norm') throw new FsError(excl ? 'EEXIST' : 'EISDIR', path);
      if (w.trailing) throw new FsError('EISDIR', path);
      if (w.inode) {
        if (excl) throw new FsError('EEXIST', path);
        inode = w.inode;
      } else {
        this.checkCreate(w.dir, 'EACCES');
        inode = this.newFile(mode);
        this.attach(w.dir, w.name, inode);
        created = true;
      }
      if (inode.kind === 'dir') throw new FsError('EISDIR', path);
    }
    const acc = flags & O_ACCMODE;
    const writing = acc !== O_RDONLY || (flags & O_TRUNC) !== 0;
    if (flags & O_DIRECTORY && inode.kind !== 'dir') throw new FsError('ENOTDIR', path);
    switch (inode.kind) {
      case 'symlink':
        throw new FsError('ELOOP', path);
      case 'dir':
        if (writing) throw new FsError('EISDIR', path);
        break;
      case 'device':
        this.devices.get(inode.rdev);
        break;
      case 'file':
        if (writing && inode.readOnly) throw new FsError('EACCES', path);
        if (flags & O_TRUNC && !created) this.truncate(inode, 0);
        break;
      case 'special':
        // A socket cannot be opened (no_open); a FIFO opens as what the kernel attached.
        if ((inode.mode & S_IFMT) === S_IFSOCK) throw new FsError('ENXIO', path);
        break;
    }
    return { inode, created };
  }

  mkdir(base: DirInode, path: string, mode: number, ctx?: unknown): DirInode {
    const w = this.createTarget(base, path, true, ctx);
    this.checkCreate(w.dir, 'EPERM');
    const dir = this.newDir(mode & 0o1777);
    this.attach(w.dir, w.name, dir);
    return dir;
  }

  /** mknod: regular files, character devices, FIFOs and sockets. */
  mknod(base: DirInode, path: string, mode: number, rdev: number, ctx?: unknown): Inode {
    const type = mode & S_IFMT || S_IFREG;
    if (type !== S_IFREG && type !== S_IFCHR && type !== S_IFIFO && type !== S_IFSOCK) {
      // Directories (mkdir's job) and block devices (no block layer here) are refused.
      throw new FsError(type === S_IFDIR || type === S_IFBLK ? 'EPERM' : 'EINVAL', path);
    }
    const w = this.createTarget(base, path, false, ctx);
    this.checkCreate(w.dir, 'EPERM');
    const perm = mode & 0o7777;
    const inode =
      type === S_IFREG
        ? this.newFile(perm)
        : type === S_IFCHR
          ? this.newDevice(perm, rdev)
          : this.newSpecial(type | perm);
    this.attach(w.dir, w.name, inode);
    return inode;
  }

  symlink(target: string, base: DirInode, path: string, ctx?: unknown): SymlinkInode {
    if (target.length === 0) throw new FsError('ENOENT', 'empty symlink target');
    if (target.length >= PATH_MAX) throw new FsError('ENAMETOOLONG');
    const w = this.createTarget(base, path, false, ctx);
    this.checkCreate(w.dir, 'EPERM');
    const link = this.newSymlink(target);
    this.attach(w.dir, w.name, link);
    return link;
  }

  readlink(base: DirInode, path: string, ctx?: unknown): string {
    const inode = this.resolve(base, path, false, ctx);
    if (inode.kind !== 'symlink') throw new FsError('EINVAL', path);
    return inode.target;
  }

  /** link(2)/linkat: `follow` is AT_SYMLINK_FOLLOW. */
  link(oldBase: DirInode, oldPath: string, newBase: DirInode, newPath: string, follow = false, ctx?: unknown): void {
    const src = this.resolve(oldBase, oldPath, follow, ctx);
    const w = this.createTarget(newBase, newPath, false, ctx);
    if (w.dir.dev !== src.dev) throw new FsError('EXDEV');
    if (w.dir.dead) throw new FsError('ENOENT', newPath);
    if (src.kind === 'dir') throw new FsError('EPERM', oldPath);
    if (w.dir.synthetic) throw new FsError('EPERM', newPath);
    if (src.nlink === 0) throw new FsError('ENOENT', oldPath);
    this.attach(w.dir, w.name, src);
    src.nlink++;
    src.ctime = this.now();
  }

  unlink(base: DirInode, path: string, ctx?: unknown): void {
    const w = this.walk(base, path, 'parent', ctx);
    if (w.kind !== 'norm') throw new FsError('EISDIR', path);
    const inode = w.inode;
    if (!inode) throw new FsError('ENOENT', path);
    if (inode.kind === 'dir') throw new FsError('EISDIR', path);
    if (w.trailing) throw new FsError('ENOTDIR', path);
    if (w.dir.synthetic) throw new FsError('EPERM', path);
    this.unlinkEntry(w.dir, w.name);
  }

  rmdir(base: DirInode, path: string, ctx?: unknown): void {
    const w = this.walk(base, path, 'parent', ctx);
    if (w.kind === 'dotdot') throw new FsError('ENOTEMPTY', path);
    if (w.kind === 'dot') throw new FsError('EINVAL', path);
    if (w.kind === 'root') throw new FsError('EBUSY', path);
    const inode = w.inode;
    if (!inode) throw new FsError('ENOENT', path);
    if (inode.kind !== 'dir') throw new FsError('ENOTDIR', path);
    if (inode.mountRoot) throw new FsError('EBUSY', path);
    if (w.dir.synthetic) throw new FsError('EPERM', path);
    if (inode.count > 0) throw new FsError('ENOTEMPTY', path);
    this.unlinkEntry(w.dir, w.name);
  }

  /** renameat2 with flags 0, RENAME_NOREPLACE or RENAME_EXCHANGE (checks in Linux's order). */
  rename(oldBase: DirInode, oldPath: string, newBase: DirInode, newPath: string, flags = 0, ctx?: unknown): void {
    if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE) || flags === (RENAME_NOREPLACE | RENAME_EXCHANGE)) {
      throw new FsError('EINVAL', `rename flags ${flags}`);
    }
    const exchange = (flags & RENAME_EXCHANGE) !== 0;
    const o = this.walk(oldBase, oldPath, 'parent', ctx);
    const n = this.walk(newBase, newPath, 'parent', ctx);
    if (o.dir.dev !== n.dir.dev) throw new FsError('EXDEV');
    if (o.kind !== 'norm' || n.kind !== 'norm') throw new FsError('EBUSY');
    const src = o.inode;
    if (!src) throw new FsError('ENOENT', oldPath);
    const tgt = n.inode;
    if (flags & RENAME_NOREPLACE && tgt) throw new FsError('EEXIST', newPath);
    if (exchange) {
      if (!tgt) throw new FsError('ENOENT', newPath);
      if (tgt.kind !== 'dir' && n.trailing) throw new FsError('ENOTDIR', newPath);
    }
    if (src.kind !== 'dir' && (o.trailing || (!exchange && n.trailing))) throw new FsError('ENOTDIR');
    if (o.dir !== n.dir) {
      if (isAncestorOrSelf(src, n.dir)) throw new FsError('EINVAL', 'rename into own subtree');
      if (tgt && isAncestorOrSelf(tgt, o.dir)) throw new FsError(exchange ? 'EINVAL' : 'ENOTEMPTY');
    }
    if (src === tgt) return;
    if (tgt && !exchange) {
      if (src.kind === 'dir' && tgt.kind !== 'dir') throw new FsError('ENOTDIR', newPath);
      if (src.kind !== 'dir' && tgt.kind === 'dir') throw new FsError('EISDIR', newPath);
    }
    if (!tgt && n.dir.dead) throw new FsError('ENOENT', newPath);
    if (isDir(src) && src.mountRoot) throw new FsError('EBUSY');
    if (isDir(tgt) && tgt.mountRoot) throw new FsError('EBUSY');
    if (o.dir.synthetic || n.dir.synthetic) throw new FsError('EPERM');
    if (!exchange && isDir(tgt) && tgt.count > 0) throw new FsError('ENOTEMPTY', newPath);

    const now = this.now();
    if (exchange) {
      o.dir.remove(o.name);
      n.dir.remove(n.name);
      o.dir.add(o.name, tgt!);
      n.dir.add(n.name, src);
      tgt!.ctime = now;
    } else {
      if (tgt) this.unlinkEntry(n.dir, n.name);
      o.dir.remove(o.name);
      n.dir.add(n.name, src);
    }
    src.ctime = now;
    o.dir.mtime = o.dir.ctime = now;
    n.dir.mtime = n.dir.ctime = now;
  }

  /** Mounts a synthetic directory (e.g. /proc) at `path`, replacing an empty directory there. */
  /**
   * Mount `provider` at `path` (at boot). As a Linux mount does, it hides what a directory
   * there held (a rootfs copied from a live system has a full /proc); anything but a
   * directory there is a rootfs that cannot be booted.
   */
  mountSynthetic(path: string, provider: SyntheticDir, dev: number): DirInode {
    const why = `procsim mounts its ${path.slice(1)} filesystem there`;
    let w;
    try {
      w = this.walk(this.root, path, 'parent');
    } catch (e) {
      if (e instanceof FsError) throw notADirectory(path, undefined, why);
      throw e;
    }
    if (w.kind !== 'norm') throw new FsError('EBUSY', path);
    if (w.inode) {
      if (w.inode.kind !== 'dir') throw notADirectory(path, w.inode.kind, why);
      if (w.inode.mountRoot) throw new FsError('EBUSY', path);
      this.unlinkEntry(w.dir, w.name);
    }
    const mount = new SyntheticMount(dev, this.clock);
    const dir = new DirInode(dev, 1, 0o555, this.now(), w.dir);
    dir.synthetic = { provider, mount, key: '' };
    dir.mountRoot = true;
    this.attach(w.dir, w.name, dir);
    return dir;
  }

  /** mkdir -p for setting up trees: every missing directory of absolute `path` is created
   *  (existing symlinks to directories are followed). */
  ensureDir(path: string, mode = 0o755): DirInode {
    let dir = this.root;
    for (const name of path.split('/').filter((c) => c !== '')) {
      let child = dir.get(name);
      if (child?.kind === 'symlink') child = this.resolve(dir, name);
      if (child === undefined) {
        const created = this.newDir(mode);
        this.attach(dir, name, created);
        dir = created;
      } else if (child.kind === 'dir') {
        dir = child;
      } else {
        throw new FsError('ENOTDIR', path);
      }
    }
    return dir;
  }

  // ---- inode operations ----

  stat(inode: Inode): Stat {
    return statOf(inode);
  }

  /** Entries of `dir` from position `pos` on, "." and ".." first; ENOENT once removed. */
  *readdir(dir: DirInode, pos = 0, ctx?: unknown): Generator<Dirent> {
    if (dir.dead) throw new FsError('ENOENT');
    if (pos <= 0) yield { name: '.', ino: dir.ino, type: dtype(dir), off: 1 };
    if (pos <= 1) yield { name: '..', ino: dir.parent.ino, type: dtype(dir.parent), off: 2 };
    if (dir.synthetic) {
      const names = dir.synthetic.provider.list(ctx);
      for (let i = Math.max(0, pos - 2); i < names.length; i++) {
        const inode = syntheticLookup(dir, names[i], ctx);
        if (inode) yield { name: names[i], ino: inode.ino, type: dtype(inode), off: i + 3 };
      }
      return;
    }
    for (const [name, e] of dir.entries()) {
      if (e.pos >= pos) yield { name, ino: e.inode.ino, type: dtype(e.inode), off: e.pos + 1 };
    }
  }

  /** getdents64: packed linux_dirent64 records from `pos`, and the position to resume at. */
  getdents(dir: DirInode, pos: number, bufSize: number, ctx?: unknown): { bytes: Uint8Array; pos: number } {
    return packDirents(this.readdir(dir, pos, ctx), bufSize, pos);
  }

  read(inode: Inode, offset: number, len: number): Uint8Array {
    if (offset < 0 || len < 0) throw new FsError('EINVAL');
    switch (inode.kind) {
      case 'file':
        return inode.data.read(offset, len);
      case 'device':
        return this.devices.get(inode.rdev).read(offset, len);
      case 'dir':
        throw new FsError('EISDIR');
      default:
        throw new FsError('EINVAL');
    }
  }

  /** Writes all of `data` at `offset` (devices may take less); returns the count. */
  write(inode: Inode, offset: number, data: Uint8Array): number {
    if (offset < 0) throw new FsError('EINVAL');
    switch (inode.kind) {
      case 'file':
        if (inode.readOnly) throw new FsError('EACCES');
        if (data.length === 0) return 0;
        inode.data.write(offset, data);
        inode.mtime = inode.ctime = this.now();
        return data.length;
      case 'device':
        return this.devices.get(inode.rdev).write(offset, data);
      case 'dir':
        throw new FsError('EISDIR');
      default:
        throw new FsError('EINVAL');
    }
  }

  truncate(inode: Inode, size: number): void {
    if (size < 0) throw new FsError('EINVAL');
    if (inode.kind === 'dir') throw new FsError('EISDIR');
    if (inode.kind !== 'file') throw new FsError('EINVAL');
    if (inode.readOnly) throw new FsError('EACCES');
    inode.data.truncate(size);
    inode.mtime = inode.ctime = this.now();
  }

  chmod(inode: Inode, mode: number): void {
    inode.mode = (inode.mode & S_IFMT) | (mode & 0o7777);
    inode.ctime = this.now();
  }

  /** fchownat: -1 leaves an id unchanged. */
  chown(inode: Inode, uid: number, gid: number): void {
    if (uid !== -1) inode.uid = uid >>> 0;
    if (gid !== -1) inode.gid = gid >>> 0;
    inode.ctime = this.now();
  }

  /** utimensat: each time may be omitted (undefined = now, as a NULL times pointer), or
   *  carry UTIME_NOW / UTIME_OMIT in nsec. */
  utimens(inode: Inode, atime?: Timespec, mtime?: Timespec): void {
    for (const t of [atime, mtime]) {
      if (t && t.nsec !== UTIME_NOW && t.nsec !== UTIME_OMIT && (t.nsec < 0 || t.nsec >= 1e9)) {
        throw new FsError('EINVAL', 'bad nanoseconds');
      }
    }
    const omitA = atime?.nsec === UTIME_OMIT;
    const omitM = mtime?.nsec === UTIME_OMIT;
    if (omitA && omitM) return;
    const now = this.now();
    const pick = (t: Timespec | undefined) => (t === undefined || t.nsec === UTIME_NOW ? now : { sec: t.sec, nsec: t.nsec });
    if (!omitA) inode.atime = pick(atime);
    if (!omitM) inode.mtime = pick(mtime);
    inode.ctime = now;
  }

  /** access(2) for root: F_OK/R_OK/W_OK always pass; X_OK needs an x bit unless a directory. */
  access(inode: Inode, mode: number): void {
    if (mode & ~7) throw new FsError('EINVAL');
    if (mode & 1 && inode.kind !== 'dir' && (inode.mode & S_IXUGO) === 0) throw new FsError('EACCES');
  }

  /** execve's permission check: a regular file with at least one x bit. */
  mayExec(inode: Inode): void {
    if (inode.kind !== 'file' || (inode.mode & S_IXUGO) === 0) throw new FsError('EACCES');
  }

  // ---- helpers ----

  /** Resolves the target of a non-open create (mkdir/mknod/symlink/link) like filename_create. */
  private createTarget(base: DirInode, path: string, isDirCreate: boolean, ctx: unknown): WalkResult {
    const w = this.walk(base, path, 'parent', ctx);
    if (w.kind !== 'norm' || w.inode) throw new FsError('EEXIST', path);
    if (w.trailing && !isDirCreate) throw new FsError('ENOENT', path);
    return w;
  }

  /** A directory removed, or synthetic (where creating is refused with `refusal`). */
  private checkCreate(dir: DirInode, refusal: 'EACCES' | 'EPERM'): void {
    if (dir.dead) throw new FsError('ENOENT');
    if (dir.synthetic) throw new FsError(refusal);
  }

  private attach(dir: DirInode, name: string, inode: Inode): void {
    dir.add(name, inode);
    dir.mtime = dir.ctime = this.now();
  }

  private unlinkEntry(dir: DirInode, name: string): void {
    const inode = dir.remove(name);
    const now = this.now();
    if (inode.kind === 'dir') {
      inode.dead = true;
      inode.nlink = 0;
    } else {
      inode.nlink--;
    }
    inode.ctime = now;
    dir.mtime = dir.ctime = now;
  }
}

function isAncestorOrSelf(a: Inode, d: DirInode): boolean {
  if (a.kind !== 'dir') return false;
  for (let cur = d; ; cur = cur.parent) {
    if (cur === a) return true;
    if (cur.parent === cur) return false;
  }
}
