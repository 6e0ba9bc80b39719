// The smaller syscall families through the kernel, with their errno paths: virtual time,
// process attributes and limits, and descriptor operations (dup3, fcntl, close-on-exec).

import { describe, expect, it } from 'vitest';
import { ERRNO } from '../../../src/process/errno.ts';
import { F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_GETFL, F_SETFD, F_SETFL, O_APPEND, O_NONBLOCK } from '../../../src/process/fs/flags.ts';
import { EPOCH_SEC } from '../../../src/process/kernel.ts';
import { BUF, PUPPET_PATH, SYS, World, enc } from './harness.ts';

const O_CLOEXEC = 0o2000000;

const text = (w: World, addr: number, len: number) => Buffer.from(w.peek(w.init, addr, len)).toString('latin1').replace(/\0.*$/s, '');

describe('virtual time', () => {
  it('clocks read the kernel clock: monotonic from boot, realtime from the fixed epoch', () => {
    const w = new World();
    const p = w.init;
    const t0 = w.k.nowNs;
    expect(w.sys(p, SYS.clock_gettime, 1, BUF)).toBe(0);
    expect(Number(w.u64(p, BUF)) * 1e9 + Number(w.u64(p, BUF + 8))).toBe(t0);
    const t1 = w.k.nowNs;
    expect(t1).toBeGreaterThan(t0); // instructions retired move time
    expect(w.sys(p, SYS.clock_gettime, 0, BUF)).toBe(0);
    expect(Number(w.u64(p, BUF))).toBe(EPOCH_SEC + Math.floor(t1 / 1e9));
    // (its nanoseconds: see linux-edges.test.ts)
    expect(w.sys(p, SYS.gettimeofday, BUF, 0)).toBe(0);
    expect(Number(w.u64(p, BUF))).toBe(EPOCH_SEC);
    expect(w.sys(p, SYS.clock_gettime, 99, BUF)).toBe(-ERRNO.EINVAL);
    expect(w.sys(p, SYS.clock_gettime, -1, BUF)).toBe(-ERRNO.EINVAL);
    expect(w.sys(p, SYS.clock_getres, 1, BUF)).toBe(0);
    expect([w.u64(p, BUF), w.u64(p, BUF + 8)]).toEqual([0n, 1n]);
    expect(w.sys(p, SYS.clock_getres, 1, 0)).toBe(0);
    expect(w.sys(p, SYS.clock_getres, 99, BUF)).toBe(-ERRNO.EINVAL);
    expect(w.sys(p, SYS.clock_gettime, 1, 0x10)).toBe(-ERRNO.EFAULT);
  });

  it('sleeping moves the clock by exactly the sleep when nothing else runs', () => {
    const w = new World();
    const p = w.init;
    w.putU64(p, BUF, 1, 0);
    const before = w.k.nowNs;
    expect(w.sys(p, SYS.nanosleep, BUF, 0)).toBe('blocked');
    expect(w.k.skipToNextDeadline()).toBe(true);
    expect(w.k.nowNs - before).toBe(1e9);
    expect(w.step(p)).toBe(0);
    expect(w.sys(p, SYS.clock_gettime, 1, BUF + 32)).toBe(0);
    expect(Number(w.u64(p, BUF + 32))).toBe(1);
  });
});

describe('process attributes and limits', () => {
  it('uname, prctl names, umask', () => {
    const w = new World();
    const p = w.init;
    expect(w.sys(p, SYS.uname, BUF)).toBe(0);
    expect(text(w, BUF, 65)).toBe('Linux');
    expect(text(w, BUF + 4 * 65, 65)).toBe('riscv64');
    expect(w.sys(p, SYS.prctl, 16, BUF)).toBe(0); // PR_GET_NAME: the executable's basename
    expect(text(w, BUF, 16)).toBe('puppet');
    w.poke(p, BUF, enc('a-very-long-process-name\0'));
    expect(w.sys(p, SYS.prctl, 15, BUF)).toBe(0);
    expect(w.sys(p, SYS.prctl, 16, BUF + 64)).toBe(0);
    expect(text(w, BUF + 64, 16)).toBe('a-very-long-pro'); // 15 bytes and a NUL
    expect(w.sys(p, SYS.prctl, 9999, 0)).toBe(-ERRNO.EINVAL);
    expect(w.sys(p, SYS.prctl, 15, 0x10)).toBe(-ERRNO.EFAULT);
    expect(w.sys(p, SYS.umask, 0o77)).toBe(0o22);
    expect(w.sys(p, SYS.umask, 0o1777)).toBe(0o77);
    expect(w.sys(p, SYS.umask, 0)).toBe(0o777);
  });

  it('rlimits: defaults, errnos, inheritance by fork', () => {
    const w = new World();
    const p = w.init;
    expect(w.sys(p, SYS.getrlimit, 7, BUF)).toBe(0); // RLIMIT_NOFILE
    expect([w.u64(p, BUF), w.u64(p, BUF + 8)]).toEqual([1024n, 1024n]);
    expect(w.sys(p, SYS.getrlimit, 16, BUF)).toBe(-ERRNO.EINVAL);
    w.putU64(p, BUF, 2048, 2048);
    expect(w.sys(p, SYS.setrlimit, 7, BUF)).toBe(-ERRNO.EPERM); // above the hard limit
    w.putU64(p, BUF, 200, 100);
    expect(w.sys(p, SYS.setrlimit, 7, BUF)).toBe(-ERRNO.EINVAL); // soft above hard
    w.putU64(p, BUF, 256, 512);
    expect(w.sys(p, SYS.setrlimit, 7, BUF)).toBe(0);
    const c = w.fork(p);
    expect(w.sys(c, SYS.prlimit64, 0, 7, 0, BUF + 32)).toBe(0);
    expect([w.u64(c, BUF + 32), w.u64(c, BUF + 40)]).toEqual([256n, 512n]);
    expect(w.sys(p, SYS.prlimit64, 4242, 7, 0, BUF)).toBe(-ERRNO.ESRCH);
  });

  it('getrandom flags, futex on one thread, set_robust_list, sysinfo', () => {
    const w = new World();
    const p = w.init;
    expect(w.sys(p, SYS.getrandom, BUF, 16, 0)).toBe(16);
    expect(w.sys(p, SYS.getrandom, BUF, 16, 8)).toBe(-ERRNO.EINVAL);
    expect(w.sys(p, SYS.getrandom, BUF, 16, 2 | 4)).toBe(-ERRNO.EINVAL);
    w.putU64(p, BUF, 5);
    expect(w.sys(p, SYS.futex, BUF, 1, 1, 0, 0, 0)).toBe(0); // FUTEX_WAKE: nobody waits
    expect(w.sys(p, SYS.futex, BUF, 0, 6, 0, 0, 0)).toBe(-ERRNO.EAGAIN); // value changed
    expect(w.sys(p, SYS.futex, BUF, 0, 5, BUF + 16, 0, 0)).toBe(-ERRNO.ETIMEDOUT);
    expect(w.sys(p, SYS.futex, BUF, 0x55, 5, 0, 0, 0)).toBe(-ERRNO.ENOSYS);
    expect(w.sys(p, SYS.set_robust_list, BUF, 24)).toBe(0);
    expect(w.sys(p, SYS.set_robust_list, BUF, 16)).toBe(-ERRNO.EINVAL);
    w.fork(p);
    expect(w.sys(p, SYS.sysinfo, BUF)).toBe(0);
    expect(new DataView(w.peek(p, BUF + 80, 2).buffer).getUint16(0, true)).toBe(2);
  });
});

describe('descriptors', () => {
  it('dup3 and fcntl errno paths and flags', () => {
    const w = new World();
    const p = w.init;
    const [r, wr] = w.pipe(p);
    expect(w.sys(p, SYS.dup3, r, r, 0)).toBe(-ERRNO.EINVAL);
    expect(w.sys(p, SYS.dup3, r, 9, 1)).toBe(-ERRNO.EINVAL);
    expect(w.sys(p, SYS.dup3, 99, 9, 0)).toBe(-ERRNO.EBADF);
    expect(w.sys(p, SYS.dup3, r, -1, 0)).toBe(-ERRNO.EBADF);
    expect(w.sys(p, SYS.dup3, r, 1024, 0)).toBe(-ERRNO.EBADF);
    expect(w.sys(p, SYS.dup3, r, 9, O_CLOEXEC)).toBe(9);
    expect(w.sys(p, SYS.fcntl, 9, F_GETFD)).toBe(1);
    expect(w.sys(p, SYS.fcntl, r, F_GETFD)).toBe(0);
    expect(w.sys(p, SYS.fcntl, 99, F_GETFD)).toBe(-ERRNO.EBADF);
    expect(w.sys(p, SYS.fcntl, r, 9999)).toBe(-ERRNO.EINVAL);
    expect(w.sys(p, SYS.fcntl, r, F_DUPFD, 20)).toBe(20);
    expect(w.sys(p, SYS.fcntl, r, F_DUPFD, 20)).toBe(21);
    expect(w.sys(p, SYS.fcntl, r, F_DUPFD_CLOEXEC, 1024)).toBe(-ERRNO.EINVAL);
    expect(w.sys(p, SYS.fcntl, wr, F_SETFL, O_APPEND | O_NONBLOCK | 0 /* O_RDONLY: ignored */)).toBe(0);
    expect(w.sys(p, SYS.fcntl, wr, F_GETFL)).toBe(1 | O_APPEND | O_NONBLOCK); // access mode unchanged
    expect(w.sys(p, SYS.fcntl, 9, F_SETFD, 0)).toBe(0);
    expect(w.sys(p, SYS.fcntl, 9, F_GETFD)).toBe(0);
    expect(w.sys(p, SYS.close, 9)).toBe(0);
    expect(w.sys(p, SYS.close, 9)).toBe(-ERRNO.EBADF);
    expect(w.sys(p, SYS.ioctl, r, 0x5401, BUF)).toBe(-ERRNO.ENOTTY); // TCGETS: no terminal
    expect(w.sys(p, SYS.ioctl, 99, 0x5401, BUF)).toBe(-ERRNO.EBADF);
  });

  it('execve closes O_CLOEXEC descriptors and keeps the others, with their descriptions', () => {
    const w = new World();
    const p = w.init;
    const [r, wr] = w.pipe(p);
    const [cr, cw] = w.pipe(p, O_CLOEXEC);
    expect(w.sys(p, SYS.write, wr, BUF, 5)).toBe(5);
    w.poke(p, BUF, enc(`${PUPPET_PATH}\0`));
    w.putU64(p, BUF + 64, 0);
    expect(w.sys(p, SYS.execve, BUF, BUF + 64, BUF + 64)).toBe(0);
    expect(w.sys(p, SYS.fcntl, cr, F_GETFD)).toBe(-ERRNO.EBADF);
    expect(w.sys(p, SYS.fcntl, cw, F_GETFD)).toBe(-ERRNO.EBADF);
    expect(w.sys(p, SYS.read, r, BUF, 10)).toBe(5); // the pipe survived, bytes and all
  });
});
