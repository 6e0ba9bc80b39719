// Seeding from the host, lazily and copy-on-write.
//
// A host directory is listed (names sorted bytewise, so the tree does not depend on the host's
// listing order) only when the simulated directory is first used, and a host file is read only
// when its content is first needed; its size comes from lstat. From then on the in-memory copy
// is the file: writes, unlinks and renames change memory only and the host is never written.
// Directories, regular files and symlinks are taken with their permission bits; other host
// file types (sockets, FIFOs, devices) are left out. Host hard links become separate files.
// An entry shows the host's mtime (as atime, mtime and ctime: the host's ctime is when the
// tree was unpacked), its st_blocks and a directory's size, as a disk image would; what the
// guest changes later takes the virtual clock's times and tmpfs-like sizes.
// Host files are expected to stay put during a run; one that became unreadable is EIO for the
// guest, and a file that changed before its first read is taken as read.
import { type BigIntStats, lstatSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { FsError } from './fs-error.ts';
import type { DirInode, DirLoader, Inode } from './inode.ts';
import type { Vfs } from './vfs.ts';

function hostBytes(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}

function childPath(dir: Buffer, name: Buffer): Buffer {
  return Buffer.concat([dir, Buffer.from('/'), name]);
}

/** Runs a host read; a failure is EIO for the guest (the host tree changed under us). */
function fromHost<T>(p: Buffer, read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw new FsError('EIO', `host ${p.toString('latin1')}: ${(e as Error).message}`);
  }
}

/** The inode mirroring host path `p`, or undefined for host types left out. */
function mirror(vfs: Vfs, p: Buffer): Inode | undefined {
  const st = fromHost(p, () => lstatSync(p, { throwIfNoEntry: false, bigint: true }));
  if (!st) return undefined; // vanished since the listing
  const perm = Number(st.mode & 0o7777n);
  let inode: Inode;
  if (st.isDirectory()) {
    const d = vfs.newDir(perm);
    d.setLoader(hostDirLoader(vfs, p));
    d.diskSize = Number(st.size);
    d.nlink = Number(st.nlink); // the host's count until it is listed (the loader recounts)
    inode = d;
  } else if (st.isFile()) {
    inode = vfs.newLazyFile(perm, Number(st.size), () => fromHost(p, () => hostBytes(readFileSync(p))));
  } else if (st.isSymbolicLink()) {
    inode = vfs.newSymlink(fromHost(p, () => readlinkSync(p, { encoding: 'buffer' })).toString('latin1'));
  } else return undefined;
  takeDiskStamp(inode, st);
  return inode;
}

/**
 * The image's own times and blocks, as a disk image shows them. ctime is the time of the
 * tree's extraction on the host, which no run may depend on: it is the mtime here.
 */
function takeDiskStamp(inode: Inode, st: BigIntStats): void {
  const mtime = { sec: Number(st.mtimeNs / 1_000_000_000n), nsec: Number(st.mtimeNs % 1_000_000_000n) };
  inode.mtime = mtime;
  inode.atime = { ...mtime };
  inode.ctime = { ...mtime };
  inode.diskBlocks = Number(st.blocks);
}

function hostDirLoader(vfs: Vfs, hostDir: Buffer): DirLoader {
  return (dir: DirInode) => {
    const names = fromHost(hostDir, () => readdirSync(hostDir, { encoding: 'buffer' }));
    dir.nlink = 2; // "." and the entry in its parent; each subdirectory added counts its ".."

    names.sort(Buffer.compare);
    for (const name of names) {
      const inode = mirror(vfs, childPath(hostDir, name));
      if (inode) dir.add(name.toString('latin1'), inode);
    }
  };
}

/** Makes the (empty) root of `vfs` mirror host directory `hostDir`. */
export function seedFromHostDir(vfs: Vfs, hostDir: string): void {
  let st;
  try {
    st = statSync(hostDir, { bigint: true });
  } catch (e) {
    throw new Error(`rootfs ${hostDir}: ${(e as Error).message}`);
  }
  if (!st.isDirectory()) throw new Error(`rootfs ${hostDir}: not a directory`);
  if (vfs.root.count > 0) throw new Error('rootfs: the root directory is not empty');
  vfs.chmod(vfs.root, Number(st.mode & 0o7777n));
  vfs.root.setLoader(hostDirLoader(vfs, Buffer.from(hostDir)));
  vfs.root.diskSize = Number(st.size);
  takeDiskStamp(vfs.root, st);
}

/**
 * Makes host file `hostPath` appear at absolute `target` (a host-style UTF-8 string; parents
 * created 0755), read when first used. A file or symlink already there is replaced.
 */
export function bindHostFile(vfs: Vfs, target: string, hostPath: string): void {
  const path = Buffer.from(target).toString('latin1');
  let st;
  try {
    st = statSync(hostPath);
  } catch (e) {
    throw new Error(`bind ${hostPath}: ${(e as Error).message}`);
  }
  if (!st.isFile()) throw new Error(`bind ${hostPath}: not a regular file`);
  const slash = path.lastIndexOf('/');
  const name = path.slice(slash + 1);
  if (!path.startsWith('/') || name === '' || name === '.' || name === '..') {
    throw new Error(`bind ${hostPath}: bad target path ${JSON.stringify(target)}`);
  }
  const dir = vfs.ensureDir(path.slice(0, slash));
  const old = dir.get(name);
  if (old?.kind === 'dir') throw new Error(`bind ${hostPath}: ${target} is a directory`);
  if (old) vfs.unlink(dir, name);
  const host = Buffer.from(hostPath);
  dir.add(name, vfs.newLazyFile(st.mode & 0o7777, st.size, () => fromHost(host, () => hostBytes(readFileSync(host)))));
}
