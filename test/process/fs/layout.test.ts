// statToBytes and direntToBytes against riscv64 glibc's struct stat and struct dirent64.
import { describe, expect, it } from 'vitest';
import { DIRENT_LAYOUT, direntReclen, direntToBytes, packDirents, type Dirent } from '../../../src/process/fs/dirent.ts';
import { STAT_LAYOUT, STATX_LAYOUT, statToBytes, statxToBytes, type Stat } from '../../../src/process/fs/stat.ts';
import { STATX_BASIC_STATS, major, makedev, minor } from '../../../src/process/fs/flags.ts';
import fc from 'fast-check';
import { FsError } from '../../../src/process/fs/fs-error.ts';
import { riscvToolchainOrSkip, runRiscvC } from './riscv.ts';

const C_SOURCE = String.raw`
#define _GNU_SOURCE
#include <dirent.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OFF(T, f) printf("%s %zu\n", #f, offsetof(T, f))

int main(void) {
  printf("stat_size %zu\n", sizeof(struct stat));
  OFF(struct stat, st_dev); OFF(struct stat, st_ino); OFF(struct stat, st_mode);
  OFF(struct stat, st_nlink); OFF(struct stat, st_uid); OFF(struct stat, st_gid);
  OFF(struct stat, st_rdev); OFF(struct stat, st_size); OFF(struct stat, st_blksize);
  OFF(struct stat, st_blocks); OFF(struct stat, st_atim.tv_sec); OFF(struct stat, st_atim.tv_nsec);
  OFF(struct stat, st_mtim.tv_sec); OFF(struct stat, st_mtim.tv_nsec);
  OFF(struct stat, st_ctim.tv_sec); OFF(struct stat, st_ctim.tv_nsec);
  OFF(struct dirent64, d_ino); OFF(struct dirent64, d_off); OFF(struct dirent64, d_reclen);
  OFF(struct dirent64, d_type); OFF(struct dirent64, d_name);

  /* Decode our bytes with the real structs. */
  struct stat st;
  if (read(0, &st, sizeof st) != sizeof st) return 1;
  printf("v_dev %llu\nv_ino %llu\nv_mode %u\nv_nlink %u\nv_uid %u\nv_gid %u\nv_rdev %llu\n",
         (unsigned long long)st.st_dev, (unsigned long long)st.st_ino, st.st_mode, st.st_nlink,
         st.st_uid, st.st_gid, (unsigned long long)st.st_rdev);
  printf("v_size %lld\nv_blksize %d\nv_blocks %lld\n", (long long)st.st_size, (int)st.st_blksize,
         (long long)st.st_blocks);
  printf("v_atime %lld %ld\nv_mtime %lld %ld\nv_ctime %lld %ld\n",
         (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec, (long long)st.st_mtim.tv_sec,
         st.st_mtim.tv_nsec, (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
  static char buf[4096];
  ssize_t n = read(0, buf, sizeof buf);
  for (ssize_t at = 0; at < n;) {
    struct dirent64 *d = (struct dirent64 *)(buf + at);
    printf("d %llu %lld %u %u %s\n", (unsigned long long)d->d_ino, (long long)d->d_off, d->d_reclen,
           d->d_type, d->d_name);
    at += d->d_reclen;
  }
  return 0;
}
`;

const STATX_SOURCE = String.raw`
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define OFF(f) printf("%s %zu\n", #f, offsetof(struct statx, f))
#define TS(f) printf("t_%s %lld %u\n", #f, (long long)x.f.tv_sec, x.f.tv_nsec)

int main(void) {
  printf("size %zu\n", sizeof(struct statx));
  OFF(stx_mask); OFF(stx_blksize); OFF(stx_attributes); OFF(stx_nlink); OFF(stx_uid); OFF(stx_gid);
  OFF(stx_mode); OFF(stx_ino); OFF(stx_size); OFF(stx_blocks); OFF(stx_attributes_mask);
  OFF(stx_atime); OFF(stx_btime); OFF(stx_ctime); OFF(stx_mtime); OFF(stx_rdev_major);
  OFF(stx_rdev_minor); OFF(stx_dev_major); OFF(stx_dev_minor); OFF(stx_mnt_id);
  struct statx x;
  if (read(0, &x, sizeof x) != sizeof x) return 1;
  printf("v %x %u %u %u %u %o %llu %llu %llu\n", x.stx_mask, x.stx_blksize, x.stx_nlink, x.stx_uid,
         x.stx_gid, x.stx_mode, (unsigned long long)x.stx_ino, (unsigned long long)x.stx_size,
         (unsigned long long)x.stx_blocks);
  printf("devs %u:%u %u:%u\n", x.stx_rdev_major, x.stx_rdev_minor, x.stx_dev_major, x.stx_dev_minor);
  TS(stx_atime); TS(stx_mtime); TS(stx_ctime);
  return 0;
}
`;

const sample: Stat = {
  dev: 0x1a,
  ino: 2 ** 33 + 7,
  mode: 0o100755,
  nlink: 3,
  uid: 1000,
  gid: 4_000_000_000,
  rdev: makedev(136, 0x12345),
  size: 2 ** 40 + 5,
  blksize: 4096,
  blocks: 2 ** 31 + 8,
  atime: { sec: -5, nsec: 1 },
  mtime: { sec: 2 ** 34, nsec: 999_999_999 },
  ctime: { sec: 1_700_000_000, nsec: 123_456_789 },
};

const dirents: Dirent[] = [
  { name: '.', ino: 1, type: 4, off: 1 },
  { name: 'a-much-longer-file-name.txt', ino: 2 ** 40, type: 8, off: 2 ** 35 },
  { name: 'x'.repeat(255), ino: 9, type: 10, off: 77 },
];

describe('stat and dirent layouts', () => {
  it('statToBytes is 128 bytes', () => {
    expect(statToBytes(sample).length).toBe(128);
    expect(STAT_LAYOUT.size).toBe(128);
  });

  it('dirent records are 8-aligned and NUL-terminated', () => {
    for (const d of dirents) {
      const b = direntToBytes(d);
      expect(b.length % 8).toBe(0);
      expect(b.length).toBe(direntReclen(d.name));
      expect(b.length).toBeGreaterThanOrEqual(DIRENT_LAYOUT.d_name + d.name.length + 1);
      expect(b[DIRENT_LAYOUT.d_name + d.name.length]).toBe(0);
    }
    expect(direntReclen('abcd')).toBe(24);
    expect(direntReclen('abcde')).toBe(32);
  });

  it('packDirents stops at the buffer size and reports where to resume', () => {
    const all = packDirents(dirents, 4096, 0);
    expect(all.pos).toBe(77);
    expect(all.bytes.length).toBe(dirents.reduce((n, d) => n + direntReclen(d.name), 0));
    const first = packDirents(dirents, direntReclen('.') + 8, 0);
    expect(first.pos).toBe(1);
    expect(first.bytes.length).toBe(direntReclen('.'));
    expect(() => packDirents(dirents, 10, 0)).toThrow(FsError);
    expect(packDirents([], 10, 5)).toEqual({ bytes: new Uint8Array(0), pos: 5 });
  });

  it('match riscv64 glibc struct stat and struct dirent64 (offsets, sizes, decoded values)', () => {
    if (!riscvToolchainOrSkip('stat/dirent layout vs riscv64 glibc')) return;
    const input = Buffer.concat([statToBytes(sample), ...dirents.map(direntToBytes)]);
    const out = runRiscvC(C_SOURCE, input).trim().split('\n');
    const kv = new Map(out.filter((l) => !l.startsWith('d ')).map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]));
    const off = (k: string) => Number(kv.get(k));
    expect(off('stat_size')).toBe(STAT_LAYOUT.size);
    for (const f of ['st_dev', 'st_ino', 'st_mode', 'st_nlink', 'st_uid', 'st_gid', 'st_rdev', 'st_size', 'st_blksize', 'st_blocks'] as const) {
      expect([f, off(f)]).toEqual([f, STAT_LAYOUT[f]]);
    }
    for (const t of ['atime', 'mtime', 'ctime'] as const) {
      expect(off(`st_${t[0]}tim.tv_sec`)).toBe(STAT_LAYOUT[`st_${t}`]);
      expect(off(`st_${t[0]}tim.tv_nsec`)).toBe(STAT_LAYOUT[`st_${t}_nsec`]);
    }
    for (const f of ['d_ino', 'd_off', 'd_reclen', 'd_type', 'd_name'] as const) expect([f, off(f)]).toEqual([f, DIRENT_LAYOUT[f]]);

    expect(kv.get('v_dev')).toBe(String(sample.dev));
    expect(kv.get('v_ino')).toBe(String(sample.ino));
    expect(kv.get('v_mode')).toBe(String(sample.mode));
    expect(kv.get('v_nlink')).toBe(String(sample.nlink));
    expect(kv.get('v_uid')).toBe(String(sample.uid));
    expect(kv.get('v_gid')).toBe(String(sample.gid));
    expect(kv.get('v_rdev')).toBe(String(sample.rdev));
    expect(kv.get('v_size')).toBe(String(sample.size));
    expect(kv.get('v_blksize')).toBe(String(sample.blksize));
    expect(kv.get('v_blocks')).toBe(String(sample.blocks));
    expect(kv.get('v_atime')).toBe('-5 1');
    expect(kv.get('v_mtime')).toBe(`${2 ** 34} 999999999`);
    expect(kv.get('v_ctime')).toBe('1700000000 123456789');

    const ds = out.filter((l) => l.startsWith('d '));
    expect(ds).toEqual(dirents.map((d) => `d ${d.ino} ${d.off} ${direntReclen(d.name)} ${d.type} ${d.name}`));
  });

  it('statxToBytes matches riscv64 glibc struct statx', () => {
    if (!riscvToolchainOrSkip('statx layout vs riscv64 glibc')) return;
    const out = runRiscvC(STATX_SOURCE, statxToBytes(sample)).trim().split('\n');
    const kv = new Map(out.map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]));
    expect(Number(kv.get('size'))).toBe(STATX_LAYOUT.size);
    for (const [f, off] of Object.entries(STATX_LAYOUT)) if (f !== 'size') expect([f, Number(kv.get(f))]).toEqual([f, off]);
    expect(kv.get('v')).toBe(
      `${STATX_BASIC_STATS.toString(16)} 4096 3 1000 4000000000 100755 ${sample.ino} ${sample.size} ${sample.blocks}`,
    );
    expect(kv.get('devs')).toBe(`136:${0x12345} 0:26`);
    expect(kv.get('t_stx_atime')).toBe('-5 1');
    expect(kv.get('t_stx_mtime')).toBe(`${2 ** 34} 999999999`);
    expect(kv.get('t_stx_ctime')).toBe('1700000000 123456789');
  });

  it('major and minor invert makedev', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xfff }), fc.integer({ min: 0, max: 0xfffff }), (ma, mi) => {
        const dev = makedev(ma, mi);
        expect([major(dev), minor(dev)]).toEqual([ma, mi]);
      }),
    );
    expect(makedev(1, 3)).toBe(0x103);
    expect(() => makedev(4096, 0)).toThrow(RangeError);
  });
});
