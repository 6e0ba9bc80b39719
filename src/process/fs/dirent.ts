// Directory listings and the `struct linux_dirent64` byte layout of getdents64.
import { FsError } from './fs-error.ts';
import { DT_CHR, DT_DIR, DT_FIFO, DT_LNK, DT_REG, DT_SOCK, S_IFIFO, S_IFMT } from './flags.ts';
import type { Inode } from './inode.ts';

export interface Dirent {
  name: string;
  ino: number;
  /** DT_* */
  type: number;
  /** Position of the entry after this one (d_off): where a resumed listing starts. */
  off: number;
}

export function dtype(inode: Inode): number {
  switch (inode.kind) {
    case 'file':
      return DT_REG;
    case 'dir':
      return DT_DIR;
    case 'symlink':
      return DT_LNK;
    case 'device':
      return DT_CHR;
    case 'special':
      return (inode.mode & S_IFMT) === S_IFIFO ? DT_FIFO : DT_SOCK;
  }
}

/** d_ino u64 @0, d_off i64 @8, d_reclen u16 @16, d_type u8 @18, d_name @19 (NUL-terminated). */
export const DIRENT_LAYOUT = { d_ino: 0, d_off: 8, d_reclen: 16, d_type: 18, d_name: 19 } as const;

/** Record length of an entry named `name`: header, name, NUL, padded to 8. */
export function direntReclen(name: string): number {
  return (DIRENT_LAYOUT.d_name + name.length + 1 + 7) & ~7;
}

export function direntToBytes(d: Dirent): Uint8Array {
  const reclen = direntReclen(d.name);
  const out = new Uint8Array(reclen);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(DIRENT_LAYOUT.d_ino, BigInt(d.ino), true);
  dv.setBigInt64(DIRENT_LAYOUT.d_off, BigInt(d.off), true);
  dv.setUint16(DIRENT_LAYOUT.d_reclen, reclen, true);
  out[DIRENT_LAYOUT.d_type] = d.type;
  for (let i = 0; i < d.name.length; i++) out[DIRENT_LAYOUT.d_name + i] = d.name.charCodeAt(i);
  return out;
}

/**
 * Packs entries into at most `bufSize` bytes as getdents64 does, starting at position
 * `start`. Returns the bytes and the position to continue from. EINVAL when entries remain
 * but not even the first fits, as Linux.
 */
export function packDirents(entries: Iterable<Dirent>, bufSize: number, start: number): { bytes: Uint8Array; pos: number } {
  const parts: Uint8Array[] = [];
  let used = 0;
  let pos = start;
  for (const d of entries) {
    const rec = direntToBytes(d);
    if (used + rec.length > bufSize) {
      if (parts.length === 0) throw new FsError('EINVAL');
      break;
    }
    parts.push(rec);
    used += rec.length;
    pos = d.off;
  }
  const bytes = new Uint8Array(used);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return { bytes, pos };
}
