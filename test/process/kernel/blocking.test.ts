// Blocking and wakeups through the Kernel: pipes, wait4/waitid, sleeps, ppoll, vfork, and
// the round-robin driver's deadlock and budget verdicts. Processes are stepped by hand.

import { describe, expect, it } from 'vitest';
import * as A from '../../support/rv-asm.ts';
import { ERRNO } from '../../../src/process/errno.ts';
import { runToExit } from '../../../src/process/run.ts';
import { PIPE_CAPACITY, POLLIN } from '../../../src/process/pipe.ts';
import { SIGCHLD, SIGKILL, SIGPIPE, SIGTERM } from '../../../src/process/signals.ts';
import { A0, BUF, crossedPipeReaders, DATA_ADDR, Prog, R, S0, S1, S2, S3, SYS, World, enc } from './harness.ts';

const O_NONBLOCK = 0o4000;
const WNOHANG = 1;
const WEXITED = 4;
const WNOWAIT = 0x01000000;
const SIG_IGN = 1;

const bytes = (n: number, v = 0x61) => new Uint8Array(n).fill(v);

describe('a pipe program stepped by hand', () => {
  // pipe2; fork; the child writes "hi" and exits 7; the parent reads, echoes, waits, and
  // exits with the child's exit code.
  const prog = new Prog()
    .sys(SYS.pipe2, BUF, 0)
    .sys(SYS.clone, SIGCHLD, 0, 0, 0, 0)
    .b('bne', A0, 0, 'parent')
    .li(S0, BUF).i(A.lw(S1, S0, 4))
    .sys(SYS.write, R(S1), DATA_ADDR, 2)
    .sys(SYS.exit, 7)
    .label('parent')
    .li(S0, BUF).i(A.lw(S1, S0, 0))
    .sys(SYS.read, R(S1), BUF + 16, 2)
    .i(A.mv(S2, A0))
    .sys(SYS.write, 1, BUF + 16, R(S2))
    .sys(SYS.wait4, -1, BUF + 32, 0, 0)
    .li(S0, BUF).i(A.lw(S3, S0, 32), A.srli(S3, S3, 8))
    .sys(SYS.exit, R(S3));
  const elf = prog.elf(enc('hi'));

  it('the reader blocks on the empty pipe and becomes runnable when the writer writes', () => {
    const w = new World({ elf });
    const { k, init } = w;
    k.step(init, 1000); // pipe2
    k.step(init, 1000); // clone
    const child = k.procs.get(2)!;
    expect(child.ppid).toBe(1);
    k.step(init, 1000); // read: nothing there yet
    expect(init.state).toBe('blocked');
    expect(init.blockReason).toBe('read');
    expect(k.runnable()).toEqual([child]);
    k.step(child, 1000); // reaches its write
    k.step(child, 1000); // write: wakes the reader
    expect(init.state).toBe('running');
    expect(k.runnable()).toEqual([init, child]);
    k.step(child, 1000); // exit 7
    expect(child.state).toBe('zombie');
    for (let i = 0; i < 10 && init.alive; i++) k.step(init, 1000);
    expect(init.state).toBe('zombie');
    expect(init.waitStatus).toBe(7 << 8);
    expect(w.stdout).toBe('hi');
    expect(k.procs.has(2)).toBe(false); // reaped by wait4
  });

  it('runToExit gives the same result whichever way it is driven', () => {
    const w = new World({ elf });
    const end = runToExit(w.k, w.init, 1e6);
    expect(end).toMatchObject({ exitCode: 7, signal: undefined, deadlock: undefined, budgetExceeded: undefined });
    expect(w.stdout).toBe('hi');
    const kinds = w.k.events.drain().events.map((e) => `${e.kind}:${e.pid}`);
    expect(kinds).toEqual(['spawn:1', 'exec:1', 'spawn:2', 'exit:2', 'signal:1', 'wait-wakeup:2', 'reap:2', 'exit:1']);
  });
});

describe('pipes through the kernel', () => {
  it('EOF only once every writer is closed, the last one by a child exiting', () => {
    const w = new World();
    const { init } = w;
    const [r, wr] = w.pipe(init);
    const c = w.fork(init);
    expect(w.sys(init, SYS.close, wr)).toBe(0);
    expect(w.sys(init, SYS.read, r, BUF, 10)).toBe('blocked');
    expect(w.sys(c, SYS.close, r)).toBe(0); // a shared description: not the last reference
    expect(init.state).toBe('blocked');
    expect(w.sys(c, SYS.close, 100)).toBe(-ERRNO.EBADF);
    expect(w.sys(c, SYS.exit, 0)).toBe('dead');
    expect(init.state).toBe('running');
    expect(w.step(init)).toBe(0);
  });

  it('a writer blocks on a full pipe and finishes a large write as the reader drains it', () => {
    const w = new World();
    const { init } = w;
    const [r, wr] = w.pipe(init);
    const c = w.fork(init);
    const n = PIPE_CAPACITY + 5000;
    w.poke(c, BUF, bytes(n, 0x42));
    expect(w.sys(c, SYS.write, wr, BUF, n)).toBe('blocked');
    expect(c.blockReason).toBe('write');
    expect(c.ioDone).toBe(PIPE_CAPACITY); // what it moved before it had to wait
    let total = 0;
    let result: number | string = 'blocked';
    while (total < n) {
      const got = w.sys(init, SYS.read, r, BUF, 30000) as number;
      expect(got).toBeGreaterThan(0);
      total += got;
      if (result === 'blocked') {
        expect(c.state).toBe('running'); // every read that made room woke it
        result = w.step(c);
      }
    }
    expect(total).toBe(n);
    expect(result).toBe(n); // the whole count, returned once done
    expect(w.peek(init, BUF, 4)).toEqual(bytes(4, 0x42));
  });

  it('a write of at most PIPE_BUF is never split: it waits until all of it fits', () => {
    const w = new World();
    const { init } = w;
    const [r, wr] = w.pipe(init);
    const c = w.fork(init);
    expect(w.sys(init, SYS.write, wr, BUF, PIPE_CAPACITY - 100)).toBe(PIPE_CAPACITY - 100);
    expect(w.sys(c, SYS.write, wr, BUF, 4096)).toBe('blocked');
    expect(c.ioDone).toBe(0);
    expect(w.sys(init, SYS.read, r, BUF, 1000)).toBe(1000); // 1100 free: still not enough
    expect(w.step(c)).toBe('blocked');
    expect(w.sys(init, SYS.read, r, BUF, 3000)).toBe(3000);
    expect(w.step(c)).toBe(4096);
  });

  it('EPIPE with SIGPIPE: the default action kills, an ignored SIGPIPE leaves the errno', () => {
    const w = new World();
    const { init } = w;
    const [r, wr] = w.pipe(init);
    const c = w.fork(init);
    expect(w.sys(init, SYS.close, r)).toBe(0);
    expect(w.sys(c, SYS.close, r)).toBe(0);
    expect(w.sys(c, SYS.write, wr, BUF, 1)).toBe('dead');
    expect(c.waitStatus).toBe(SIGPIPE);
    w.sigaction(init, SIGPIPE, SIG_IGN);
    expect(w.sys(init, SYS.write, wr, BUF, 1)).toBe(-ERRNO.EPIPE);
  });

  it('O_NONBLOCK: EAGAIN instead of blocking; a big write takes what fits', () => {
    const w = new World();
    const { init } = w;
    const [r, wr] = w.pipe(init, O_NONBLOCK);
    expect(w.sys(init, SYS.read, r, BUF, 10)).toBe(-ERRNO.EAGAIN);
    expect(w.sys(init, SYS.write, wr, BUF, PIPE_CAPACITY - 10)).toBe(PIPE_CAPACITY - 10);
    expect(w.sys(init, SYS.write, wr, BUF, 100)).toBe(-ERRNO.EAGAIN); // atomic: no room for all
    expect(w.sys(init, SYS.write, wr, BUF, 5000)).toBe(10); // not atomic: partial
    expect(w.sys(init, SYS.write, wr, BUF, 5000)).toBe(-ERRNO.EAGAIN);
    expect((w.sys(init, SYS.fcntl, r, 3 /* F_GETFL */) as number) & O_NONBLOCK).toBe(O_NONBLOCK);
  });

  it('wrong ends, bad descriptors and seeks fail with the Linux errno', () => {
    const w = new World();
    const { init } = w;
    const [r, wr] = w.pipe(init);
    expect(w.sys(init, SYS.write, r, BUF, 1)).toBe(-ERRNO.EBADF);
    expect(w.sys(init, SYS.read, wr, BUF, 1)).toBe(-ERRNO.EBADF);
    expect(w.sys(init, SYS.read, 99, BUF, 1)).toBe(-ERRNO.EBADF);
    expect(w.sys(init, SYS.lseek, r, 0, 0)).toBe(-ERRNO.ESPIPE);
    expect(w.sys(init, SYS.pread64, r, BUF, 1, 0)).toBe(-ERRNO.ESPIPE);
    expect(w.sys(init, SYS.pipe2, BUF, 0x1)).toBe(-ERRNO.EINVAL); // unknown flag
    expect(w.sys(init, SYS.read, r, BUF, 0)).toBe(0); // an empty read never blocks
  });

  it('pipe2 reports EMFILE and leaks no descriptor when the table is full', () => {
    const w = new World();
    const { init } = w;
    while (true) {
      const r = w.sys(init, SYS.dup, 0) as number;
      if (r < 0) {
        expect(r).toBe(-ERRNO.EMFILE);
        break;
      }
    }
    expect(w.sys(init, SYS.close, 1000)).toBe(0); // exactly one free slot
    expect(w.sys(init, SYS.pipe2, BUF, 0)).toBe(-ERRNO.EMFILE);
    expect(w.sys(init, SYS.dup, 0)).toBe(1000); // the slot is free again
  });
});

describe('ppoll and pselect6', () => {
  const pollfd = (w: World, p: ReturnType<World['fork']>, fd: number, events: number) => {
    const b = new Uint8Array(8);
    const dv = new DataView(b.buffer);
    dv.setInt32(0, fd, true);
    dv.setInt16(4, events, true);
    w.poke(p, BUF + 0x100, b);
  };
  const revents = (w: World, p: ReturnType<World['fork']>) => new DataView(w.peek(p, BUF + 0x106, 2).buffer).getInt16(0, true);

  it('blocks on an empty pipe until another process writes, then reports POLLIN', () => {
    const w = new World();
    const { init } = w;
    const [r, wr] = w.pipe(init);
    const c = w.fork(init);
    pollfd(w, init, r, POLLIN);
    expect(w.sys(init, SYS.ppoll, BUF + 0x100, 1, 0, 0, 8)).toBe('blocked');
    expect(init.blockReason).toBe('poll');
    expect(w.sys(c, SYS.write, wr, BUF, 3)).toBe(3);
    expect(init.state).toBe('running');
    expect(w.step(init)).toBe(1);
    expect(revents(w, init)).toBe(POLLIN); // only the events asked for (POLLRDNORM was not)
  });

  it('times out at its deadline in virtual time and zeroes the timeout', () => {
    const w = new World();
    const { k, init } = w;
    const [r] = w.pipe(init);
    pollfd(w, init, r, POLLIN);
    w.putU64(init, BUF, 0, 250_000);
    const t0 = k.nowNs;
    expect(w.sys(init, SYS.ppoll, BUF + 0x100, 1, BUF, 0, 8)).toBe('blocked');
    expect(k.nextDeadline()).toBe(BigInt(t0 + 250_000));
    expect(k.skipToNextDeadline()).toBe(true);
    expect(k.nowNs).toBe(t0 + 250_000);
    expect(w.step(init)).toBe(0);
    expect(w.u64(init, BUF) + w.u64(init, BUF + 8)).toBe(0n);
  });

  it('reports POLLNVAL for a closed fd and POLLHUP once writers are gone; pselect6 EBADF', () => {
    const w = new World();
    const { init } = w;
    const [r, wr] = w.pipe(init);
    pollfd(w, init, 77, POLLIN);
    expect(w.sys(init, SYS.ppoll, BUF + 0x100, 1, 0, 0, 8)).toBe(1);
    expect(revents(w, init)).toBe(0x20);
    expect(w.sys(init, SYS.close, wr)).toBe(0);
    pollfd(w, init, r, POLLIN);
    expect(w.sys(init, SYS.ppoll, BUF + 0x100, 1, 0, 0, 8)).toBe(1);
    expect(revents(w, init)).toBe(0x10);
    w.putU64(init, BUF, 1n << 13n); // fd 13 is not open
    expect(w.sys(init, SYS.pselect6, 14, BUF, 0, 0, 0, 0)).toBe(-ERRNO.EBADF);
    w.putU64(init, BUF, 0, 2_000_000_000);
    expect(w.sys(init, SYS.ppoll, BUF + 0x100, 1, BUF, 0, 8)).toBe(-ERRNO.EINVAL); // nsec >= 1e9
    w.putU64(init, BUF + 0x200, 0);
    expect(w.sys(init, SYS.ppoll, BUF + 0x100, 1, 0, BUF + 0x200, 4)).toBe(-ERRNO.EINVAL); // sigset size
  });

  it('pselect6 reports a writable pipe', () => {
    const w = new World();
    const { init } = w;
    const [, wr] = w.pipe(init);
    w.putU64(init, BUF, 1n << BigInt(wr));
    expect(w.sys(init, SYS.pselect6, wr + 1, 0, BUF, 0, 0, 0)).toBe(1);
    expect(w.u64(init, BUF)).toBe(1n << BigInt(wr));
  });
});

describe('wait4 and waitid', () => {
  it('wait4 blocks until a child exits, then returns its pid and status, exactly once', () => {
    const w = new World();
    const { k, init } = w;
    const c = w.fork(init);
    k.events.drain();
    expect(w.sys(init, SYS.wait4, -1, BUF, 0, 0)).toBe('blocked');
    expect(init.blockReason).toBe('wait');
    expect(w.sys(c, SYS.exit, 3)).toBe('dead');
    expect(init.state).toBe('running');
    expect(w.step(init)).toBe(c.pid);
    expect(w.i32(init, BUF)).toBe(3 << 8);
    expect(c.state).toBe('reaped');
    expect(w.sys(init, SYS.wait4, -1, BUF, 0, 0)).toBe(-ERRNO.ECHILD);
    expect(k.events.drain().events.map((e) => e.kind)).toEqual(['exit', 'signal', 'wait-wakeup', 'reap']);
  });

  it('WNOHANG returns 0 while the child runs and leaves the status alone', () => {
    const w = new World();
    const { init } = w;
    const c = w.fork(init);
    w.putU64(init, BUF, 0x5555n);
    expect(w.sys(init, SYS.wait4, c.pid, BUF, WNOHANG, 0)).toBe(0);
    expect(w.u64(init, BUF)).toBe(0x5555n);
    expect(w.sys(c, SYS.exit, 0x1ff)).toBe('dead'); // only the low byte is kept
    expect(w.sys(init, SYS.wait4, c.pid, BUF, WNOHANG, 0)).toBe(c.pid);
    expect(w.i32(init, BUF)).toBe(0xff00);
  });

  it('ECHILD without children, for a pid that is not a child, and for a grandchild', () => {
    const w = new World();
    const { init } = w;
    expect(w.sys(init, SYS.wait4, -1, 0, 0, 0)).toBe(-ERRNO.ECHILD);
    const c = w.fork(init);
    const g = w.fork(c);
    expect(w.sys(init, SYS.wait4, g.pid, 0, 0, 0)).toBe(-ERRNO.ECHILD);
    expect(w.sys(init, SYS.wait4, 4242, 0, WNOHANG, 0)).toBe(-ERRNO.ECHILD);
    expect(w.sys(init, SYS.wait4, -1, 0, 0x100, 0)).toBe(-ERRNO.EINVAL); // unknown option
    expect(w.sys(init, SYS.wait4, -2147483648, 0, 0, 0)).toBe(-ERRNO.ESRCH);
  });

  it('selectors: 0 is the caller\'s group, < -1 a given group', () => {
    const w = new World();
    const { init } = w;
    const c = w.fork(init);
    expect(w.sys(c, SYS.setpgid, 0, 0)).toBe(0); // the child leads its own group
    expect(w.sys(init, SYS.wait4, 0, 0, WNOHANG, 0)).toBe(-ERRNO.ECHILD);
    expect(w.sys(init, SYS.wait4, -c.pid, 0, WNOHANG, 0)).toBe(0);
    expect(w.sys(c, SYS.exit, 1)).toBe('dead');
    expect(w.sys(init, SYS.wait4, -c.pid, 0, 0, 0)).toBe(c.pid);
  });

  it('reports death by a signal in the WIFSIGNALED encoding', () => {
    const w = new World();
    const { init } = w;
    const c = w.fork(init);
    expect(w.sys(init, SYS.kill, c.pid, SIGTERM)).toBe(0);
    expect(w.k.runnable()).toContain(c);
    expect(w.step(c)).toBe('dead'); // delivered when it next enters the kernel
    expect(w.sys(init, SYS.wait4, c.pid, BUF, 0, 0)).toBe(c.pid);
    expect(w.i32(init, BUF)).toBe(SIGTERM);
    const d = w.fork(init);
    expect(w.sys(init, SYS.kill, d.pid, SIGKILL)).toBe(0);
    expect(w.step(d)).toBe('dead'); // at its next kernel entry, whatever the call
    expect(w.sys(init, SYS.wait4, -1, BUF, 0, 0)).toBe(d.pid);
    expect(w.i32(init, BUF)).toBe(SIGKILL);
  });

  it('waitid: siginfo of the child, WNOWAIT leaves the zombie, errnos', () => {
    const w = new World();
    const { init } = w;
    const c = w.fork(init);
    expect(w.sys(init, SYS.waitid, 0, 0, BUF, 0, 0)).toBe(-ERRNO.EINVAL); // no WEXITED etc.
    expect(w.sys(init, SYS.waitid, 1, 0, BUF, WEXITED, 0)).toBe(-ERRNO.EINVAL); // P_PID 0
    expect(w.sys(init, SYS.waitid, 7, 0, BUF, WEXITED, 0)).toBe(-ERRNO.EINVAL);
    expect(w.sys(init, SYS.waitid, 0, 0, BUF, WEXITED | WNOHANG, 0)).toBe(0);
    expect(w.i32(init, BUF + 16)).toBe(0); // si_pid zeroed: nothing found
    expect(w.sys(c, SYS.exit, 9)).toBe('dead');
    expect(w.sys(init, SYS.waitid, 1, c.pid, BUF, WEXITED | WNOWAIT, 0)).toBe(0);
    expect([w.i32(init, BUF), w.i32(init, BUF + 8), w.i32(init, BUF + 16), w.i32(init, BUF + 24)]).toEqual([SIGCHLD, 1, c.pid, 9]);
    expect(c.state).toBe('zombie');
    expect(w.sys(init, SYS.wait4, -1, 0, 0, 0)).toBe(c.pid);
    expect(w.sys(init, SYS.waitid, 0, 0, BUF, WEXITED, 0)).toBe(-ERRNO.ECHILD);
  });

  it('a parent ignoring SIGCHLD has its children reaped at once; a blocked wait then gets ECHILD', () => {
    const w = new World();
    const { init } = w;
    w.sigaction(init, SIGCHLD, SIG_IGN);
    const c = w.fork(init);
    expect(w.sys(init, SYS.wait4, -1, 0, 0, 0)).toBe('blocked');
    expect(w.sys(c, SYS.exit, 0)).toBe('dead');
    expect(c.state).toBe('reaped');
    expect(w.step(init)).toBe(-ERRNO.ECHILD);
  });
});

describe('sleeping in virtual time', () => {
  it('a blocked nanosleep is woken by skipToNextDeadline with the clock at the deadline', () => {
    const w = new World();
    const { k, init } = w;
    w.putU64(init, BUF, 2, 500);
    const t0 = k.nowNs;
    expect(w.sys(init, SYS.nanosleep, BUF, 0)).toBe('blocked');
    expect(init.blockReason).toBe('sleep');
    expect(k.runnable()).toEqual([]);
    expect(k.fireTimers()).toBe(0); // not yet
    expect(k.skipToNextDeadline()).toBe(true);
    expect(k.nowNs).toBe(t0 + 2e9 + 500);
    expect(init.state).toBe('running');
    expect(w.step(init)).toBe(0);
    expect(k.skipToNextDeadline()).toBe(false); // no timers left
  });

  it('sleepers wake in deadline order, ties in arrival order', () => {
    const w = new World();
    const { k, init } = w;
    const kids = [w.fork(init), w.fork(init), w.fork(init)];
    const delays = [3000, 1000, 3000];
    kids.forEach((c, i) => {
      w.putU64(c, BUF, 0, delays[i]);
      expect(w.sys(c, SYS.nanosleep, BUF, 0)).toBe('blocked');
    });
    const order: number[] = [];
    while (k.skipToNextDeadline()) for (const c of kids) if (c.state === 'running' && !order.includes(c.pid)) order.push(c.pid);
    expect(order).toEqual([kids[1].pid, kids[0].pid, kids[2].pid]);
  });

  it('bad timespecs are EINVAL; an absolute deadline in the past returns at once', () => {
    const w = new World();
    const { init } = w;
    w.putU64(init, BUF, 0, 1e9);
    expect(w.sys(init, SYS.nanosleep, BUF, 0)).toBe(-ERRNO.EINVAL);
    w.putU64(init, BUF, -1, 0);
    expect(w.sys(init, SYS.nanosleep, BUF, 0)).toBe(-ERRNO.EINVAL);
    w.putU64(init, BUF, 0, 1);
    expect(w.sys(init, SYS.clock_nanosleep, 1, 1 /* TIMER_ABSTIME */, BUF, 0)).toBe(0);
    expect(w.sys(init, SYS.clock_nanosleep, 3, 0, BUF, 0)).toBe(-ERRNO.EINVAL); // thread CPU clock
    expect(w.sys(init, SYS.nanosleep, 8, 0)).toBe(-ERRNO.EFAULT);
  });

  it('runToExit moves time forward over a sleep instead of reporting a deadlock', () => {
    const prog = new Prog().li(S0, BUF).li(S1, 5).i(A.sd(S1, S0, 0)).sys(SYS.nanosleep, BUF, 0).sys(SYS.exit, 4);
    const w = new World({ elf: prog.elf() });
    const end = runToExit(w.k, w.init, 1e6);
    expect(end.exitCode).toBe(4);
    expect(end.deadlock).toBeUndefined();
    expect(w.k.nowNs).toBeGreaterThanOrEqual(5e9);
  });
});

describe('the round-robin driver', () => {
  it('reports a deadlock: two processes each reading its own empty pipe', () => {
    const w = new World({ elf: crossedPipeReaders().elf() });
    const end = runToExit(w.k, w.init, 1e6);
    expect(end.deadlock).toEqual(['pid 1: read', 'pid 2: read']);
    expect(end.exitCode).toBe(128 + SIGKILL);
    expect(end.signal).toBe(SIGKILL);
    expect([...w.k.procs.keys()]).toEqual([1]); // everyone else went with init
  });

  it('turns a hang into a budget verdict', () => {
    const prog = new Prog().label('spin').j('spin');
    const w = new World({ elf: prog.elf() });
    const end = runToExit(w.k, w.init, 50_000);
    expect(end.budgetExceeded).toBe(true);
    expect(end.signal).toBe(SIGKILL);
    expect(end.instructions).toBe(50_000);
  });
});

describe('vfork', () => {
  it('the parent waits uninterruptibly on the shared memory until the child exits', () => {
    const w = new World();
    const { init } = w;
    expect(w.sys(init, SYS.clone, 0x4000 | 0x100 | SIGCHLD, 0, 0, 0, 0)).toBe('blocked');
    expect(init.blockReason).toBe('vfork');
    const c = w.k.procs.get(2)!;
    expect(c.mem).toBe(init.mem);
    w.k.advance(c, 100);
    expect(w.sys(c, SYS.kill, 1, 10 /* SIGUSR1 */)).toBe(0);
    expect(init.state).toBe('blocked'); // a signal does not end the wait
    expect(w.sys(c, SYS.exit, 0)).toBe('dead');
    expect(init.state).toBe('running');
    // The SIGUSR1 that came meanwhile is delivered once the call returns: its default kills.
    expect(w.step(init)).toBe('dead');
    expect(init.waitStatus).toBe(10);
  });

  it('clone refuses threads and unmodelled flags explicitly', () => {
    const w = new World();
    const { init } = w;
    expect(w.sys(init, SYS.clone, 0x10000 | 0x800 | 0x100, 0, 0, 0, 0)).toBe(-ERRNO.ENOSYS); // a thread
    expect(w.sys(init, SYS.clone, 0x100, 0, 0, 0, 0)).toBe(-ERRNO.ENOSYS); // CLONE_VM alone
    expect(w.sys(init, SYS.clone, 0x400 | SIGCHLD, 0, 0, 0, 0)).toBe(-ERRNO.EINVAL); // CLONE_FILES
    expect(w.sys(init, SYS.clone3, BUF, 88)).toBe(-ERRNO.ENOSYS);
    expect(w.k.procs.size).toBe(1);
  });
});
