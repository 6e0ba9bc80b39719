// The calls dynamically linked Debian programs make beyond the basics (statx, statfs,
// fadvise64, copy_file_range, xattrs, close_range, affinity, capabilities, flush_icache,
// AF_UNIX socket+connect) and the files they read (/proc, /sys, /dev/tty, pipes reopened
// through /proc/self/fd), as Linux 6.x answers them (kernel source cited where it decides).

import { describe, expect, it } from 'vitest';
import { ERRNO } from '../../../src/process/errno.ts';
import { STATX_LAYOUT as L } from '../../../src/process/fs/stat.ts';
import { BUF, enc, SYS, World } from './harness.ts';

const AT_FDCWD = -100;
const AT_EMPTY_PATH = 0x1000;
const AT_SYMLINK_NOFOLLOW = 0x100;
const O_RDONLY = 0;
const O_WRONLY = 1;
const O_RDWR = 2;
const O_CREAT = 0o100;
const O_APPEND = 0o2000;
const O_CLOEXEC = 0o2000000;
const O_PATH = 0o10000000;
const STATX_BASIC_STATS = 0x7ff;
const STATX_BTIME = 0x800;
const STATX_MNT_ID = 0x1000;
const F_GETFD = 1;

const PATH = BUF + 0x8000;
const NAME = BUF + 0x9000;
const OUT = BUF + 0xa000;

function cstr(w: World, addr: number, s: string): number {
  w.poke(w.init, addr, enc(s + '\0'));
  return addr;
}

function open(w: World, path: string, flags: number, mode = 0o644): number {
  return w.sys(w.init, SYS.openat, AT_FDCWD, cstr(w, PATH, path), flags, mode) as number;
}

function write(w: World, fd: number, s: string): number {
  w.poke(w.init, OUT, enc(s));
  return w.sys(w.init, SYS.write, fd, OUT, s.length) as number;
}

function read(w: World, fd: number, n = 4096): string {
  const r = w.sys(w.init, SYS.read, fd, OUT, n) as number;
  if (r < 0) return `errno ${-r}`;
  return Buffer.from(w.peek(w.init, OUT, r)).toString('latin1');
}

function readFile(w: World, path: string): string {
  const fd = open(w, path, O_RDONLY);
  if (fd < 0) return `errno ${-fd}`;
  let s = '';
  for (;;) {
    const part = read(w, fd, 65536);
    if (part === '') break;
    s += part;
  }
  w.sys(w.init, SYS.close, fd);
  return s;
}

function statxOf(w: World, dirfd: number, path: string, flags: number, mask: number) {
  const r = w.sys(w.init, SYS.statx, dirfd, cstr(w, PATH, path), flags, mask, OUT);
  const b = Buffer.from(w.peek(w.init, OUT, 256));
  return {
    r,
    mask: b.readUInt32LE(L.stx_mask),
    mode: b.readUInt16LE(L.stx_mode),
    size: Number(b.readBigUInt64LE(L.stx_size)),
    nlink: b.readUInt32LE(L.stx_nlink),
    blocks: Number(b.readBigUInt64LE(L.stx_blocks)),
    attrs: Number(b.readBigUInt64LE(L.stx_attributes)),
    attrsMask: Number(b.readBigUInt64LE(L.stx_attributes_mask)),
    mntId: Number(b.readBigUInt64LE(L.stx_mnt_id)),
    btime: Number(b.readBigInt64LE(L.stx_btime)),
    mtime: Number(b.readBigInt64LE(L.stx_mtime)),
    ino: Number(b.readBigUInt64LE(L.stx_ino)),
  };
}

describe('statx', () => {
  it('reports a file made here as tmpfs does: basic stats, mount id, birth time when asked', () => {
    const w = new World();
    const fd = open(w, '/tmp/f', O_CREAT | O_WRONLY);
    expect(write(w, fd, 'hello')).toBe(5);
    const x = statxOf(w, AT_FDCWD, '/tmp/f', 0, STATX_BASIC_STATS | STATX_BTIME);
    expect(x.r).toBe(0);
    expect(x.mask).toBe(STATX_BASIC_STATS | STATX_BTIME | STATX_MNT_ID);
    expect(x.mode).toBe(0o100644);
    expect([x.size, x.nlink, x.blocks]).toEqual([5, 1, 8]);
    expect(x.btime).toBe(x.mtime);
    expect(x.attrs).toBe(0);
    expect(x.attrsMask).toBe(0x203070); // tmpfs APPEND|IMMUTABLE|NODUMP + AUTOMOUNT|MOUNT_ROOT|DAX
    // Without STATX_BTIME there is no birth time.
    expect(statxOf(w, AT_FDCWD, '/tmp/f', 0, STATX_BASIC_STATS).mask).toBe(STATX_BASIC_STATS | STATX_MNT_ID);
    // The descriptor itself (AT_EMPTY_PATH) is the same file.
    expect(statxOf(w, fd, '', AT_EMPTY_PATH, STATX_BASIC_STATS).ino).toBe(x.ino);
  });

  it('marks mount roots and checks flags and the reserved mask bit', () => {
    const w = new World();
    const root = statxOf(w, AT_FDCWD, '/', 0, STATX_BASIC_STATS);
    expect(root.attrs & 0x2000).toBe(0x2000);
    const proc = statxOf(w, AT_FDCWD, '/proc', 0, STATX_BASIC_STATS);
    expect(proc.attrs & 0x2000).toBe(0x2000);
    expect(proc.mntId).not.toBe(root.mntId);
    expect(statxOf(w, AT_FDCWD, '/tmp', 0, STATX_BASIC_STATS).attrs).toBe(0);
    expect(statxOf(w, AT_FDCWD, '/tmp', 0x6000, STATX_BASIC_STATS).r).toBe(-ERRNO.EINVAL);
    expect(statxOf(w, AT_FDCWD, '/tmp', 0x1, STATX_BASIC_STATS).r).toBe(-ERRNO.EINVAL);
    expect(statxOf(w, AT_FDCWD, '/tmp', 0, 0x80000000).r).toBe(-ERRNO.EINVAL);
    expect(statxOf(w, AT_FDCWD, '/nope', 0, STATX_BASIC_STATS).r).toBe(-ERRNO.ENOENT);
    expect(statxOf(w, AT_FDCWD, '', 0, STATX_BASIC_STATS).r).toBe(-ERRNO.ENOENT);
    expect(statxOf(w, AT_FDCWD, '/dev/stdout', AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS).mode).toBe(0o120777);
    // A pipe, through its descriptor.
    const [r] = w.pipe(w.init);
    expect(statxOf(w, r, '', AT_EMPTY_PATH, STATX_BASIC_STATS).mode).toBe(0o010600);
  });
});

describe('statfs and fstatfs', () => {
  const statfs = (w: World, path: string) => {
    const r = w.sys(w.init, SYS.statfs, cstr(w, PATH, path), OUT);
    const b = Buffer.from(w.peek(w.init, OUT, 120));
    return { r, type: Number(b.readBigInt64LE(0)), bsize: Number(b.readBigInt64LE(8)), namelen: Number(b.readBigInt64LE(64)), flags: Number(b.readBigInt64LE(80)) };
  };
  it('tmpfs for the root, proc for /proc, sysfs for /sys, pipefs for a pipe', () => {
    const w = new World();
    expect(statfs(w, '/tmp')).toEqual({ r: 0, type: 0x01021994, bsize: 4096, namelen: 255, flags: 0x420 });
    expect(statfs(w, '/proc/self/status')).toMatchObject({ r: 0, type: 0x9fa0, flags: 0x42e });
    expect(statfs(w, '/sys/devices/system/cpu/online')).toMatchObject({ r: 0, type: 0x62656572 });
    expect(statfs(w, '/nope').r).toBe(-ERRNO.ENOENT);
    const [r] = w.pipe(w.init);
    expect(w.sys(w.init, SYS.fstatfs, r, OUT)).toBe(0);
    expect(Number(Buffer.from(w.peek(w.init, OUT, 8)).readBigInt64LE(0))).toBe(0x50495045);
    expect(w.sys(w.init, SYS.fstatfs, 99, OUT)).toBe(-ERRNO.EBADF);
  });
});

describe('fadvise64 and copy_file_range', () => {
  it('fadvise64: 0 on a file, ESPIPE on a pipe, EINVAL for a bad advice, EBADF', () => {
    const w = new World();
    const fd = open(w, '/tmp/a', O_CREAT | O_RDWR);
    expect(w.sys(w.init, SYS.fadvise64, fd, 0, 0, 2)).toBe(0);
    expect(w.sys(w.init, SYS.fadvise64, fd, 0, 0, 6)).toBe(-ERRNO.EINVAL);
    expect(w.sys(w.init, SYS.fadvise64, fd, 0, -1, 0)).toBe(-ERRNO.EINVAL);
    const [r] = w.pipe(w.init);
    expect(w.sys(w.init, SYS.fadvise64, r, 0, 0, 0)).toBe(-ERRNO.ESPIPE);
    expect(w.sys(w.init, SYS.fadvise64, 77, 0, 0, 0)).toBe(-ERRNO.EBADF);
    const pfd = open(w, '/tmp/a', O_PATH);
    expect(w.sys(w.init, SYS.fadvise64, pfd, 0, 0, 0)).toBe(-ERRNO.EBADF);
  });

  it('copy_file_range copies between files, by offsets or pointers, and refuses what Linux refuses', () => {
    const w = new World();
    const a = open(w, '/tmp/a', O_CREAT | O_RDWR);
    write(w, a, '0123456789');
    const b = open(w, '/tmp/b', O_CREAT | O_RDWR);
    w.sys(w.init, SYS.lseek, a, 2, 0);
    expect(w.sys(w.init, SYS.copy_file_range, a, 0, b, 0, 100, 0)).toBe(8);
    expect(w.sys(w.init, SYS.lseek, a, 0, 1)).toBe(10);
    expect(readFile(w, '/tmp/b')).toBe('23456789');
    // With offset pointers, the descriptors' offsets stay and the pointers move.
    w.putU64(w.init, NAME, 1n, 3n);
    expect(w.sys(w.init, SYS.copy_file_range, a, NAME, b, NAME + 8, 2, 0)).toBe(2);
    expect([w.u64(w.init, NAME), w.u64(w.init, NAME + 8)]).toEqual([3n, 5n]);
    expect(readFile(w, '/tmp/b')).toBe('23412789');
    expect(w.sys(w.init, SYS.copy_file_range, a, 0, b, 0, 5, 0)).toBe(0); // a is at EOF
    expect(w.sys(w.init, SYS.copy_file_range, a, 0, b, 0, 5, 1)).toBe(-ERRNO.EINVAL);
    const [r, wr] = w.pipe(w.init);
    expect(w.sys(w.init, SYS.copy_file_range, a, 0, wr, 0, 5, 0)).toBe(-ERRNO.EINVAL);
    expect(w.sys(w.init, SYS.copy_file_range, r, 0, b, 0, 5, 0)).toBe(-ERRNO.EINVAL);
    const ro = open(w, '/tmp/b', O_RDONLY);
    expect(w.sys(w.init, SYS.copy_file_range, a, 0, ro, 0, 5, 0)).toBe(-ERRNO.EBADF);
    const ap = open(w, '/tmp/b', O_WRONLY | O_APPEND);
    expect(w.sys(w.init, SYS.copy_file_range, a, 0, ap, 0, 5, 0)).toBe(-ERRNO.EBADF);
    const dir = open(w, '/tmp', O_RDONLY);
    expect(w.sys(w.init, SYS.copy_file_range, dir, 0, b, 0, 5, 0)).toBe(-ERRNO.EISDIR);
    // Overlapping ranges of one file.
    w.putU64(w.init, NAME, 0n, 2n);
    expect(w.sys(w.init, SYS.copy_file_range, a, NAME, a, NAME + 8, 4, 0)).toBe(-ERRNO.EINVAL);
  });
});

describe('extended attributes', () => {
  it('none exist and none can be set', () => {
    const w = new World();
    open(w, '/tmp/x', O_CREAT | O_WRONLY);
    const path = cstr(w, PATH, '/tmp/x');
    const name = cstr(w, NAME, 'security.selinux');
    expect(w.sys(w.init, SYS.lgetxattr, path, name, OUT, 255)).toBe(-ERRNO.ENODATA);
    expect(w.sys(w.init, SYS.getxattr, path, cstr(w, NAME, 'system.posix_acl_access'), OUT, 255)).toBe(-ERRNO.ENODATA);
    expect(w.sys(w.init, SYS.llistxattr, path, OUT, 255)).toBe(0);
    expect(w.sys(w.init, SYS.listxattr, path, 0, 0)).toBe(0);
    expect(w.sys(w.init, SYS.setxattr, path, cstr(w, NAME, 'user.a'), OUT, 1, 0)).toBe(-ERRNO.EOPNOTSUPP);
    expect(w.sys(w.init, SYS.removexattr, path, cstr(w, NAME, 'user.a'))).toBe(-ERRNO.ENODATA);
    expect(w.sys(w.init, SYS.getxattr, path, cstr(w, NAME, 'bogus.a'), OUT, 1)).toBe(-ERRNO.EOPNOTSUPP);
    expect(w.sys(w.init, SYS.getxattr, path, cstr(w, NAME, ''), OUT, 1)).toBe(-ERRNO.ERANGE);
    expect(w.sys(w.init, SYS.setxattr, path, cstr(w, NAME, 'user.a'), OUT, 1, 4)).toBe(-ERRNO.EINVAL);
    expect(w.sys(w.init, SYS.setxattr, path, cstr(w, NAME, 'user.a'), OUT, 65537, 0)).toBe(-ERRNO.E2BIG);
    expect(w.sys(w.init, SYS.getxattr, cstr(w, PATH, '/nope'), cstr(w, NAME, 'user.a'), OUT, 1)).toBe(-ERRNO.ENOENT);
    expect(w.sys(w.init, SYS.flistxattr, 1, OUT, 10)).toBe(0);
    expect(w.sys(w.init, SYS.fgetxattr, 50, cstr(w, NAME, 'user.a'), OUT, 1)).toBe(-ERRNO.EBADF);
  });
});

describe('close_range', () => {
  it('closes a range, or marks it close-on-exec, and checks its arguments', () => {
    const w = new World();
    const fds = [3, 4, 5, 6].map(() => open(w, '/dev/null', O_RDONLY));
    expect(fds).toEqual([3, 4, 5, 6]);
    expect(w.sys(w.init, SYS.close_range, 4, 5, 0)).toBe(0);
    expect(w.init.fds.open()).toEqual([0, 1, 2, 3, 6]);
    expect(w.sys(w.init, SYS.close_range, 3, 0xffffffff, 4)).toBe(0);
    expect(w.sys(w.init, SYS.fcntl, 3, F_GETFD)).toBe(1);
    expect(w.sys(w.init, SYS.fcntl, 6, F_GETFD)).toBe(1);
    expect(w.sys(w.init, SYS.fcntl, 2, F_GETFD)).toBe(0);
    expect(w.sys(w.init, SYS.close_range, 5, 4, 0)).toBe(-ERRNO.EINVAL);
    expect(w.sys(w.init, SYS.close_range, 0, 1, 1)).toBe(-ERRNO.EINVAL);
    expect(w.sys(w.init, SYS.close_range, 3, 0xffffffff, 2)).toBe(0); // UNSHARE: a private table already
    expect(w.init.fds.open()).toEqual([0, 1, 2]);
  });
});

describe('CPU, capabilities, icache', () => {
  it('sched_getaffinity: one CPU, 8 bytes; sched_setaffinity needs CPU 0', () => {
    const w = new World();
    w.poke(w.init, OUT, new Uint8Array(16).fill(0xee));
    expect(w.sys(w.init, SYS.sched_getaffinity, 0, 16, OUT)).toBe(8);
    expect([...w.peek(w.init, OUT, 9)]).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0xee]);
    expect(w.sys(w.init, SYS.sched_getaffinity, 0, 4, OUT)).toBe(-ERRNO.EINVAL);
    expect(w.sys(w.init, SYS.sched_getaffinity, 0, 12, OUT)).toBe(-ERRNO.EINVAL);
    expect(w.sys(w.init, SYS.sched_getaffinity, 999, 8, OUT)).toBe(-ERRNO.ESRCH);
    expect(w.sys(w.init, SYS.sched_setaffinity, 0, 8, OUT)).toBe(0);
    w.poke(w.init, OUT, new Uint8Array(8).fill(2));
    expect(w.sys(w.init, SYS.sched_setaffinity, 0, 8, OUT)).toBe(-ERRNO.EINVAL);
  });

  it('capget: every capability for root; a version probe gets version 3', () => {
    const w = new World();
    const hdr = NAME;
    w.poke(w.init, hdr, new Uint8Array([0x22, 0x05, 0x08, 0x20, 0, 0, 0, 0])); // v3, pid 0
    expect(w.sys(w.init, SYS.capget, hdr, OUT)).toBe(0);
    const b = Buffer.from(w.peek(w.init, OUT, 24));
    expect([b.readUInt32LE(0), b.readUInt32LE(4), b.readUInt32LE(8), b.readUInt32LE(12), b.readUInt32LE(16), b.readUInt32LE(20)]).toEqual([
      0xffffffff, 0xffffffff, 0, 0x1ff, 0x1ff, 0,
    ]);
    w.poke(w.init, hdr, new Uint8Array(8));
    expect(w.sys(w.init, SYS.capget, hdr, 0)).toBe(0);
    expect(w.i32(w.init, hdr)).toBe(0x20080522);
    w.poke(w.init, hdr, new Uint8Array(8));
    expect(w.sys(w.init, SYS.capget, hdr, OUT)).toBe(-ERRNO.EINVAL);
    // capset: keeping the full set is fine, dropping is not modelled.
    w.poke(w.init, hdr, new Uint8Array([0x22, 0x05, 0x08, 0x20, 0, 0, 0, 0]));
    expect(w.sys(w.init, SYS.capset, hdr, OUT)).toBe(0);
    w.poke(w.init, OUT, new Uint8Array(4));
    expect(w.sys(w.init, SYS.capset, hdr, OUT)).toBe(-ERRNO.EPERM);
  });

  it('riscv_flush_icache returns 0 (flags 0 or LOCAL), EINVAL for other flags', () => {
    const w = new World();
    expect(w.sys(w.init, SYS.riscv_flush_icache, 0, 0x1000, 0)).toBe(0);
    expect(w.sys(w.init, SYS.riscv_flush_icache, 0, 0x1000, 1)).toBe(0);
    expect(w.sys(w.init, SYS.riscv_flush_icache, 0, 0x1000, 2)).toBe(-ERRNO.EINVAL);
  });
});

describe('AF_UNIX sockets without listeners', () => {
  it('socket succeeds; connect to a missing path is ENOENT, to a non-socket ECONNREFUSED', () => {
    const w = new World();
    const SOCK_STREAM = 1;
    const SOCK_NONBLOCK = 0o4000;
    const s = w.sys(w.init, SYS.socket, 1, SOCK_STREAM | O_CLOEXEC | SOCK_NONBLOCK, 0) as number;
    expect(s).toBe(3);
    expect(w.sys(w.init, SYS.fcntl, s, F_GETFD)).toBe(1);
    const sun = (path: string) => {
      const b = new Uint8Array(110);
      b[0] = 1;
      b.set(enc(path), 2);
      w.poke(w.init, NAME, b);
      return NAME;
    };
    expect(w.sys(w.init, SYS.connect, s, sun('/var/run/nscd/socket'), 110)).toBe(-ERRNO.ENOENT);
    expect(w.sys(w.init, SYS.connect, s, sun('/tmp'), 110)).toBe(-ERRNO.ECONNREFUSED);
    expect(w.sys(w.init, SYS.connect, s, sun('/x'), 1)).toBe(-ERRNO.EINVAL);
    expect(w.sys(w.init, SYS.connect, 1, sun('/x'), 110)).toBe(-ERRNO.ENOTSOCK);
    expect(read(w, s)).toBe(`errno ${ERRNO.EINVAL}`);
    expect(write(w, s, 'x')).toBe(-ERRNO.ENOTCONN);
    expect(w.sys(w.init, SYS.ioctl, s, 0x541b, OUT)).toBe(0); // FIONREAD: nothing queued
    expect(w.i32(w.init, OUT)).toBe(0);
    expect(w.sys(w.init, SYS.fstat, s, OUT)).toBe(0);
    expect(w.i32(w.init, OUT + 16) & 0o170000).toBe(0o140000);
    expect(w.sys(w.init, SYS.socket, 2, SOCK_STREAM, 0)).toBe(-ERRNO.EAFNOSUPPORT);
    expect(w.sys(w.init, SYS.socket, 1, 4, 0)).toBe(-ERRNO.ESOCKTNOSUPPORT);
    expect(w.sys(w.init, SYS.socket, 1, SOCK_STREAM, 7)).toBe(-ERRNO.EPROTONOSUPPORT);
    expect(w.sys(w.init, SYS.socket, 1, SOCK_STREAM | 0x100, 0)).toBe(-ERRNO.EINVAL);
    // /proc/self/fd shows it; opening the link is ENXIO.
    const n = w.sys(w.init, SYS.readlinkat, AT_FDCWD, cstr(w, PATH, `/proc/self/fd/${s}`), OUT, 100) as number;
    expect(Buffer.from(w.peek(w.init, OUT, n)).toString()).toMatch(/^socket:\[\d+\]$/);
    expect(open(w, `/proc/self/fd/${s}`, O_RDWR)).toBe(-ERRNO.ENXIO);
  });
});

describe('/dev/tty and pipes reopened through /proc/self/fd', () => {
  it('/dev/tty is ENXIO without a controlling terminal', () => {
    const w = new World();
    expect(open(w, '/dev/tty', O_RDWR)).toBe(-ERRNO.ENXIO);
  });

  it('opening /proc/self/fd/N or /dev/fd/N of a pipe gives a new end of that pipe, either way', () => {
    const w = new World();
    const [r, wr] = w.pipe(w.init);
    const w2 = open(w, `/proc/self/fd/${wr}`, O_WRONLY);
    expect(w2).toBeGreaterThan(wr);
    expect(write(w, w2, 'via proc')).toBe(8);
    const r2 = open(w, `/dev/fd/${r}`, O_RDONLY);
    expect(read(w, r2)).toBe('via proc');
    // The write end reopened for reading is a reader of the same pipe.
    const r3 = open(w, `/dev/fd/${wr}`, O_RDONLY);
    expect(write(w, wr, 'again')).toBe(5);
    expect(read(w, r3)).toBe('again');
    // EOF once every writer, reopened ones included, is closed.
    for (const fd of [wr, w2]) w.sys(w.init, SYS.close, fd);
    expect(read(w, r)).toBe('');
    // fstat of the reopened end is the pipe's.
    w.sys(w.init, SYS.fstat, r, OUT);
    const ino = w.u64(w.init, OUT + 8);
    w.sys(w.init, SYS.fstat, r2, OUT);
    expect(w.u64(w.init, OUT + 8)).toBe(ino);
    // O_RDWR holds both ends.
    const [r4, w4] = w.pipe(w.init);
    const rw = open(w, `/proc/self/fd/${r4}`, O_RDWR);
    w.sys(w.init, SYS.close, w4);
    expect(write(w, rw, 'both')).toBe(4);
    expect(read(w, r4)).toBe('both');
  });

  it('/proc/self/fd/N reads as the canonical path of the file now, as d_path', () => {
    const w = new World();
    const link = (fd: number) => {
      const n = w.sys(w.init, SYS.readlinkat, AT_FDCWD, cstr(w, PATH, `/proc/self/fd/${fd}`), OUT, 200) as number;
      return Buffer.from(w.peek(w.init, OUT, n)).toString('latin1');
    };
    w.sys(w.init, SYS.mkdirat, AT_FDCWD, cstr(w, PATH, '/tmp/d'), 0o755);
    w.sys(w.init, SYS.chdir, cstr(w, PATH, '/tmp/d'));
    const fd = open(w, 'f', O_CREAT | O_WRONLY);
    expect(link(fd)).toBe('/tmp/d/f');
    // The link's permission bits show the access mode (lstat).
    const lmode = (n: number) => {
      w.sys(w.init, SYS.newfstatat, AT_FDCWD, cstr(w, PATH, `/proc/self/fd/${n}`), OUT, AT_SYMLINK_NOFOLLOW);
      return w.i32(w.init, OUT + 16) & 0o777;
    };
    expect(lmode(fd)).toBe(0o300);
    expect(lmode(0)).toBe(0o500);
    expect(lmode(open(w, '/tmp/d/f', O_RDWR))).toBe(0o700);
    expect(lmode(open(w, '/tmp/d/f', O_PATH))).toBe(0);
    const dfd = open(w, '../d/.', O_RDONLY);
    expect(link(dfd)).toBe('/tmp/d');
    w.sys(w.init, SYS.renameat, AT_FDCWD, cstr(w, PATH, '/tmp/d'), AT_FDCWD, cstr(w, NAME, '/tmp/e'));
    expect(link(dfd)).toBe('/tmp/e');
    w.sys(w.init, SYS.unlinkat, AT_FDCWD, cstr(w, PATH, '/tmp/e/f'), 0);
    expect(link(fd)).toBe('/tmp/e/f (deleted)');
  });

  it('host stdout reopened through /proc/self/fd/1 writes to stdout', () => {
    const w = new World();
    const fd = open(w, '/proc/self/fd/1', O_WRONLY | O_CREAT);
    expect(fd).toBe(3);
    expect(write(w, fd, 'out\n')).toBe(4);
    expect(w.stdout).toBe('out\n');
  });
});

describe('/proc and /sys files', () => {
  it('/proc/self/status has Linux fields in order, from the process state', () => {
    const w = new World();
    const s = readFile(w, '/proc/self/status');
    const keys = s.trimEnd().split('\n').map((l) => l.slice(0, l.indexOf(':')));
    expect(keys.slice(0, 12)).toEqual(['Name', 'Umask', 'State', 'Tgid', 'Ngid', 'Pid', 'PPid', 'TracerPid', 'Uid', 'Gid', 'FDSize', 'Groups']);
    for (const k of ['VmPeak', 'VmRSS', 'Threads', 'SigQ', 'SigPnd', 'ShdPnd', 'SigBlk', 'SigIgn', 'SigCgt', 'CapInh', 'CapEff', 'CapBnd']) expect(keys).toContain(k);
    expect(s).toMatch(/^Name:\tpuppet\nUmask:\t0022\nState:\tR \(running\)\nTgid:\t1\nNgid:\t0\nPid:\t1\nPPid:\t0\n/);
    expect(s).toContain('\nCapEff:\t000001ffffffffff\n');
    expect(s).toContain('\nThreads:\t1\n');
    // SIGINT ignored, SIGUSR1 caught, SIGTERM blocked.
    w.sigaction(w.init, 2, 1);
    w.sigaction(w.init, 10, 0x12345);
    w.putU64(w.init, NAME, 1n << 14n);
    w.sys(w.init, SYS.rt_sigprocmask, 0, NAME, 0, 8);
    const t = readFile(w, '/proc/self/status');
    expect(t).toContain('\nSigBlk:\t0000000000004000\nSigIgn:\t0000000000000002\nSigCgt:\t0000000000000200\n');
  });

  it('/proc/self/stat: 52 fields, the comm in parentheses', () => {
    const w = new World();
    const c = w.fork(w.init);
    void c;
    const s = readFile(w, '/proc/self/stat').trimEnd();
    expect(s.split(' ')).toHaveLength(52);
    expect(s).toMatch(/^1 \(puppet\) R 0 1 1 0 -1 /);
    const cs = readFile(w, `/proc/${c.pid}/stat`);
    expect(cs).toMatch(new RegExp(`^${c.pid} \\(puppet\\) R 1 1 1 `));
  });

  it('/proc/self/maps lists the mappings, with [heap] and [stack]', () => {
    const w = new World();
    const brk = w.sys(w.init, SYS.brk, 0) as number;
    w.sys(w.init, SYS.brk, brk + 0x3000);
    const maps = readFile(w, '/proc/self/maps');
    const lines = maps.trimEnd().split('\n');
    // Anonymous maps: offset 0, no device, no inode; the program's own maps name its file, with the file offset.
    const anon = /^[0-9a-f]{8,}-[0-9a-f]{8,} [r-][w-][x-]p 00000000 00:00 0 ( {9,}\[(heap|stack|vdso)\])?$/;
    const file = /^[0-9a-f]{8,}-[0-9a-f]{8,} [r-][w-][x-]p [0-9a-f]{8} [0-9a-f]{2}:[0-9a-f]{2} [1-9]\d* +\/bin\/puppet$/;
    for (const l of lines) expect(l).toMatch(l.endsWith('/bin/puppet') ? file : anon);
    expect(lines.filter((l) => l.endsWith('/bin/puppet')).length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.endsWith('[stack]'))).toHaveLength(1);
    expect(lines.filter((l) => l.endsWith('[heap]'))).toHaveLength(1);
    for (const l of lines.filter((l) => / [[/]/.test(l))) expect(l.search(/ [[/]/) + 1).toBe(73);
    const starts = lines.map((l) => parseInt(l, 16));
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
  });

  it('system files: cpuinfo, meminfo, stat, mounts, filesystems, overcommit, cpu online', () => {
    const w = new World();
    expect(readFile(w, '/proc/cpuinfo')).toMatch(/^processor\t: 0\nhart\t\t: 0\nisa\t\t: rv64imafdc/);
    expect(readFile(w, '/proc/meminfo')).toMatch(/^MemTotal:\s+4194304 kB\nMemFree:\s+2097152 kB\nMemAvailable:/);
    expect(readFile(w, '/proc/stat')).toMatch(/^cpu  \d+ 0 0 \d+ 0 0 0 0 0 0\ncpu0 /);
    expect(readFile(w, '/proc/stat')).toContain('\nbtime 1735689600\n');
    expect(readFile(w, '/proc/mounts')).toBe(
      'tmpfs / tmpfs rw,relatime 0 0\nproc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\nsysfs /sys sysfs ro,nosuid,nodev,noexec,relatime 0 0\n',
    );
    expect(readFile(w, '/proc/filesystems')).toContain('nodev\tproc\n');
    expect(readFile(w, '/proc/sys/vm/overcommit_memory')).toBe('0\n');
    expect(readFile(w, '/sys/devices/system/cpu/online')).toBe('0\n');
    expect(readFile(w, '/proc/self/comm')).toBe('puppet\n');
    expect(readFile(w, '/proc/nope')).toBe(`errno ${ERRNO.ENOENT}`);
    expect(open(w, '/proc/meminfo', O_WRONLY)).toBe(-ERRNO.EACCES);
  });

  it('the same run reads the same bytes (no host state)', () => {
    const files = ['/proc/self/status', '/proc/self/stat', '/proc/self/maps', '/proc/stat', '/proc/uptime', '/proc/loadavg'];
    const once = () => {
      const w = new World();
      return files.map((f) => readFile(w, f));
    };
    expect(once()).toEqual(once());
  });
});
