// Seeding from the host, lazily and copy-on-write.
//
// A host directory is listed (names sorted bytewise, so the tree does not depend on the host's
// listing order) only when the simulated directory is first used, and a host file is read only
// when its content is first needed; its size comes from lstat. From then on the in-memory copy
// is the file: writes, unlinks and renames change memory only and the host is never written.
// Directories, regular files and symlinks are taken with their permission bits; other host
// file types (sockets, FIFOs, devices) are left out. Host hard links become separate files.
// Timestamps are the virtual clock's at the moment of materialisation, never the host's.
import { lstatSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { FsError } from './fs-error.ts';
import type { DirInode, DirLoader, Inode } from './inode.ts';
import type { Vfs } from './vfs.ts';

function hostBytes(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}

function childPath(dir: Buffer, name: Buffer): Buffer {
  return Buffer.concat([dir, Buffer.from('/'), name]);
}

/** The inode mirroring host path `p`, or undefined for host types left out. */
function mirror(vfs: Vfs, p: Buffer): Inode | undefined {
  const st = lstatSync(p);
  const perm = st.mode & 0o7777;
  if (st.isDirectory()) {
    const d = vfs.newDir(perm);
    d.setLoader(hostDirLoader(vfs, p));
    return d;
  }
  if (st.isFile()) return vfs.newLazyFile(perm, st.size, () => hostBytes(readFileSync(p)));
  if (st.isSymbolicLink()) return vfs.newSymlink(readlinkSync(p, { encoding: 'buffer' }).toString('latin1'));
  return undefined;
}

function hostDirLoader(vfs: Vfs, hostDir: Buffer): DirLoader {
  return (dir: DirInode) => {
    let names: Buffer[];
    try {
      names = readdirSync(hostDir, { encoding: 'buffer' });
    } catch (e) {
      throw new FsError('EIO', `host directory ${hostDir.toString('latin1')}: ${(e as Error).message}`);
    }
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
    st = statSync(hostDir);
  } catch (e) {
    throw new Error(`rootfs ${hostDir}: ${(e as Error).message}`);
  }
  if (!st.isDirectory()) throw new Error(`rootfs ${hostDir}: not a directory`);
  if (vfs.root.count > 0) throw new Error('rootfs: the root directory is not empty');
  vfs.chmod(vfs.root, st.mode & 0o7777);
  vfs.root.setLoader(hostDirLoader(vfs, Buffer.from(hostDir)));
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
  dir.add(name, vfs.newLazyFile(st.mode & 0o7777, st.size, () => hostBytes(readFileSync(host))));
}
