// stat information, and the byte layouts of riscv64 (asm-generic) `struct stat` and of
// `struct statx`.
import { STATX_BASIC_STATS, major, minor } from './flags.ts';
import type { Inode, Timespec } from './inode.ts';

export interface Stat {
  dev: number;
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  size: number;
  blksize: number;
  /** 512-byte blocks: tmpfs-like, whole 4 KiB pages covering the size (holes included). */
  blocks: number;
  atime: Timespec;
  mtime: Timespec;
  ctime: Timespec;
}

export const BLKSIZE = 4096;

/** A seeded file unchanged since, or a seeded directory, has the disk's blocks; else tmpfs's. */
function blocksOf(inode: Inode, size: number): number {
  if (inode.diskBlocks !== null && (inode.kind === 'dir' || (inode.kind === 'file' && inode.unchanged))) return inode.diskBlocks;
  return inode.kind === 'file' ? Math.ceil(size / BLKSIZE) * (BLKSIZE / 512) : 0;
}

export function statOf(inode: Inode): Stat {
  const size = inode.size;
  return {
    dev: inode.dev,
    ino: inode.ino,
    mode: inode.mode,
    nlink: inode.nlink,
    uid: inode.uid,
    gid: inode.gid,
    rdev: inode.kind === 'device' ? inode.rdev : 0,
    size,
    blksize: BLKSIZE,
    blocks: blocksOf(inode, size),
    atime: { ...inode.atime },
    mtime: { ...inode.mtime },
    ctime: { ...inode.ctime },
  };
}

/** Byte offsets of asm-generic `struct stat` (include/uapi/asm-generic/stat.h). */
export const STAT_LAYOUT = {
  size: 128,
  st_dev: 0,
  st_ino: 8,
  st_mode: 16,
  st_nlink: 20,
  st_uid: 24,
  st_gid: 28,
  st_rdev: 32,
  st_size: 48,
  st_blksize: 56,
  st_blocks: 64,
  st_atime: 72,
  st_atime_nsec: 80,
  st_mtime: 88,
  st_mtime_nsec: 96,
  st_ctime: 104,
  st_ctime_nsec: 112,
} as const;

export function statToBytes(st: Stat): Uint8Array {
  const L = STAT_LAYOUT;
  const out = new Uint8Array(L.size);
  const dv = new DataView(out.buffer);
  const u64 = (off: number, v: number) => dv.setBigUint64(off, BigInt(v), true);
  const i64 = (off: number, v: number) => dv.setBigInt64(off, BigInt(v), true);
  u64(L.st_dev, st.dev);
  u64(L.st_ino, st.ino);
  dv.setUint32(L.st_mode, st.mode, true);
  dv.setUint32(L.st_nlink, st.nlink, true);
  dv.setUint32(L.st_uid, st.uid, true);
  dv.setUint32(L.st_gid, st.gid, true);
  u64(L.st_rdev, st.rdev);
  i64(L.st_size, st.size);
  dv.setInt32(L.st_blksize, st.blksize, true);
  i64(L.st_blocks, st.blocks);
  i64(L.st_atime, st.atime.sec);
  u64(L.st_atime_nsec, st.atime.nsec);
  i64(L.st_mtime, st.mtime.sec);
  u64(L.st_mtime_nsec, st.mtime.nsec);
  i64(L.st_ctime, st.ctime.sec);
  u64(L.st_ctime_nsec, st.ctime.nsec);
  return out;
}

/** Byte offsets of `struct statx` (include/uapi/linux/stat.h); timestamps are
 *  {i64 tv_sec, u32 tv_nsec, i32 reserved}. */
export const STATX_LAYOUT = {
  size: 256,
  stx_mask: 0,
  stx_blksize: 4,
  stx_attributes: 8,
  stx_nlink: 16,
  stx_uid: 20,
  stx_gid: 24,
  stx_mode: 28,
  stx_ino: 32,
  stx_size: 40,
  stx_blocks: 48,
  stx_attributes_mask: 56,
  stx_atime: 64,
  stx_btime: 80,
  stx_ctime: 96,
  stx_mtime: 112,
  stx_rdev_major: 128,
  stx_rdev_minor: 132,
  stx_dev_major: 136,
  stx_dev_minor: 140,
  stx_mnt_id: 144,
} as const;

/** What statx reports beyond struct stat. */
export interface StatxExtra {
  /** stx_mask: the fields filled (default STATX_BASIC_STATS). */
  mask: number;
  attributes: number;
  attributesMask: number;
  mntId: number;
  /** Filled when mask has STATX_BTIME. */
  btime?: Timespec;
}

/** statx answer: every basic field is filled (STATX_BASIC_STATS), and what `extra` adds. */
export function statxToBytes(st: Stat, extra?: StatxExtra): Uint8Array {
  const L = STATX_LAYOUT;
  const out = new Uint8Array(L.size);
  const dv = new DataView(out.buffer);
  const ts = (off: number, t: Timespec) => {
    dv.setBigInt64(off, BigInt(t.sec), true);
    dv.setUint32(off + 8, t.nsec, true);
  };
  dv.setUint32(L.stx_mask, extra?.mask ?? STATX_BASIC_STATS, true);
  if (extra !== undefined) {
    dv.setBigUint64(L.stx_attributes, BigInt(extra.attributes), true);
    dv.setBigUint64(L.stx_attributes_mask, BigInt(extra.attributesMask), true);
    dv.setBigUint64(L.stx_mnt_id, BigInt(extra.mntId), true);
    if (extra.btime !== undefined) ts(L.stx_btime, extra.btime);
  }
  dv.setUint32(L.stx_blksize, st.blksize, true);
  dv.setUint32(L.stx_nlink, st.nlink, true);
  dv.setUint32(L.stx_uid, st.uid, true);
  dv.setUint32(L.stx_gid, st.gid, true);
  dv.setUint16(L.stx_mode, st.mode, true);
  dv.setBigUint64(L.stx_ino, BigInt(st.ino), true);
  dv.setBigUint64(L.stx_size, BigInt(st.size), true);
  dv.setBigUint64(L.stx_blocks, BigInt(st.blocks), true);
  ts(L.stx_atime, st.atime);
  ts(L.stx_ctime, st.ctime);
  ts(L.stx_mtime, st.mtime);
  dv.setUint32(L.stx_rdev_major, major(st.rdev), true);
  dv.setUint32(L.stx_rdev_minor, minor(st.rdev), true);
  dv.setUint32(L.stx_dev_major, major(st.dev), true);
  dv.setUint32(L.stx_dev_minor, minor(st.dev), true);
  return out;
}
