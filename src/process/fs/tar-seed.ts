// Seeding the filesystem from a tar archive, as `tar -x` as root into an empty root would.
//
// Entries are applied in archive order; a later entry replaces an earlier non-directory of the
// same name. File contents are not copied: they stay views into the archive until written.
// Mode bits and mtimes come from the archive; ctime is the virtual clock's; owners are root.
// Block devices are left out (there is no block layer). Missing parent directories are
// created 0755.
import { FsError } from './fs-error.ts';
import { S_IFIFO, makedev } from './flags.ts';
import type { DirInode, Inode } from './inode.ts';
import { TarError, type TarEntry, parseTar } from './tar.ts';
import type { Vfs } from './vfs.ts';

function parentAndName(vfs: Vfs, path: string): [DirInode, string] {
  const slash = path.lastIndexOf('/');
  let dir = vfs.root;
  if (slash >= 0) {
    try {
      dir = vfs.ensureDir(path.slice(0, slash));
    } catch (e) {
      if (e instanceof FsError) throw new TarError(`tar: ${path}: a parent is not a directory`);
      throw e;
    }
  }
  return [dir, path.slice(slash + 1)];
}

function place(vfs: Vfs, e: TarEntry, inode: Inode): void {
  const [dir, name] = parentAndName(vfs, e.path);
  const old = dir.get(name);
  if (old?.kind === 'dir') throw new TarError(`tar: ${e.path}: would replace a directory`);
  if (old) vfs.unlink(dir, name);
  dir.add(name, inode);
}

/** The non-directory an archive hard link names (earlier in the archive). */
function linkTarget(vfs: Vfs, e: TarEntry): Inode {
  let inode: Inode | undefined;
  try {
    inode = vfs.resolve(vfs.root, '/' + e.linkname, false);
  } catch (err) {
    if (!(err instanceof FsError)) throw err;
  }
  if (!inode || inode.kind === 'dir') throw new TarError(`tar: ${e.path}: hard link target ${e.linkname} missing`);
  return inode;
}

function setMtime(inode: Inode, mtime: number): void {
  inode.mtime = { sec: mtime, nsec: 0 };
  inode.atime = { sec: mtime, nsec: 0 };
}

/** Adds the archive's tree to `vfs` (a bad archive is a TarError with a one-line message). */
export function seedFromTar(vfs: Vfs, archive: Uint8Array): void {
  const dirTimes: [DirInode, number][] = [];
  for (const e of parseTar(archive)) {
    if (e.path === '') {
      if (e.type !== 'dir') throw new TarError('tar: the archive root is not a directory');
      vfs.root.mode = (vfs.root.mode & ~0o7777) | e.mode;
      dirTimes.push([vfs.root, e.mtime]);
      continue;
    }
    switch (e.type) {
      case 'dir': {
        const dir = vfs.ensureDir(e.path, e.mode);
        dir.mode = (dir.mode & ~0o7777) | e.mode;
        dirTimes.push([dir, e.mtime]);
        break;
      }
      case 'file': {
        const f = vfs.newLazyFile(e.mode, e.data.length, () => e.data);
        setMtime(f, e.mtime);
        place(vfs, e, f);
        break;
      }
      case 'symlink': {
        if (e.linkname === '') throw new TarError(`tar: ${e.path}: empty symlink target`);
        const l = vfs.newSymlink(e.linkname);
        setMtime(l, e.mtime);
        place(vfs, e, l);
        break;
      }
      case 'hardlink': {
        const inode = linkTarget(vfs, e);
        if (e.linkname === e.path) break;
        place(vfs, e, inode);
        inode.nlink++;
        break;
      }
      case 'chardev': {
        if (e.devmajor > 0xfff || e.devminor > 0xfffff) throw new TarError(`tar: ${e.path}: device number out of range`);
        const d = vfs.newDevice(e.mode, makedev(e.devmajor, e.devminor));
        setMtime(d, e.mtime);
        place(vfs, e, d);
        break;
      }
      case 'fifo': {
        const f = vfs.newSpecial(S_IFIFO | e.mode);
        setMtime(f, e.mtime);
        place(vfs, e, f);
        break;
      }
      case 'blockdev':
        break;
    }
  }
  // Directory mtimes last: adding their entries above moved them to the clock's time.
  for (const [dir, mtime] of dirTimes) setMtime(dir, mtime);
}
