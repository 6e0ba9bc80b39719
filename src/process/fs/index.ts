// The in-memory filesystem of the simulated kernel: public entry points.
//
// createFs builds a ready filesystem: an optional root seeded from a host directory (lazy,
// copy-on-write) or a tar archive, host files bound at given paths, then the default tree
// (default-tree.ts). The kernel then mounts /proc with Vfs.mountSynthetic.
import { type RandomSource } from './devices.ts';
import { installDefaultTree } from './default-tree.ts';
import { bindHostFile, seedFromHostDir } from './host-seed.ts';
import type { Clock } from './inode.ts';
import { seedFromTar } from './tar-seed.ts';
import { Vfs } from './vfs.ts';

export type RootfsSource = { kind: 'host-dir'; path: string } | { kind: 'tar'; bytes: Uint8Array };

export interface FsConfig {
  /** Virtual time for every timestamp. */
  clock: Clock;
  /** Seeded bytes for /dev/random and /dev/urandom. */
  random: RandomSource;
  rootfs?: RootfsSource;
  /** Host files to expose, each at `path` (e.g. the guest ELF at its host path). */
  binds?: { path: string; hostPath: string }[];
}

/** Bad configuration (missing host dir, corrupt tar) throws an Error with a one-line message. */
export function createFs(cfg: FsConfig): Vfs {
  const vfs = new Vfs({ clock: cfg.clock });
  if (cfg.rootfs?.kind === 'host-dir') seedFromHostDir(vfs, cfg.rootfs.path);
  else if (cfg.rootfs?.kind === 'tar') seedFromTar(vfs, cfg.rootfs.bytes);
  for (const b of cfg.binds ?? []) bindHostFile(vfs, b.path, b.hostPath);
  installDefaultTree(vfs, cfg.random);
  return vfs;
}

export { Vfs, ROOT_DEV, type OpenResult } from './vfs.ts';
export { FsError } from './fs-error.ts';
export * from './flags.ts';
export * from './inode.ts';
export { type Stat, statOf, statToBytes, statxToBytes, STAT_LAYOUT, STATX_LAYOUT, BLKSIZE } from './stat.ts';
export { type Dirent, direntToBytes, direntReclen, packDirents, DIRENT_LAYOUT } from './dirent.ts';
export { type DeviceDriver, DeviceTable, type RandomSource, DEV_NULL, DEV_ZERO, DEV_FULL, DEV_RANDOM, DEV_URANDOM } from './devices.ts';
export { type SyntheticDir, type SyntheticNode } from './synthetic.ts';
export { type WalkResult, type FinalMode, type LastKind } from './namei.ts';
export { TarError, parseTar, type TarEntry } from './tar.ts';
export { seedFromHostDir, bindHostFile } from './host-seed.ts';
export { seedFromTar } from './tar-seed.ts';
export { installDefaultTree } from './default-tree.ts';
