// stat information and the riscv64 (asm-generic) `struct stat` byte layout.
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
    blocks: inode.kind === 'file' ? Math.ceil(size / BLKSIZE) * (BLKSIZE / 512) : 0,
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
