// Linux edge cases the first multi-process kernel got wrong, each written as Linux behaves
// (probed with native C on Linux 6.x, or under qemu-riscv64; kernel source where noted).

import { describe, expect, it } from 'vitest';
import * as A from '../../support/rv-asm.ts';
import { ERRNO } from '../../../src/process/errno.ts';
import { POLLERR, POLLOUT } from '../../../src/process/pipe.ts';
import { runToExit } from '../../../src/process/run.ts';
import { FRAME_SIZE } from '../../../src/process/signal-frame.ts';
import { SIGCHLD, SIGKILL, SIGSEGV, SIGUSR1 } from '../../../src/process/signals.ts';
import { A0, BUF, HANDLER, Prog, S0, S1, SP, SYS, World } from './harness.ts';

const WNOHANG = 1;
const WEXITED = 4;
const SA_SIGINFO = 4;
const SA_ONSTACK = 0x08000000;
const SS_DISABLE = 2;
const SS_AUTODISARM = 0x80000000 | 0;
const FIONREAD = 0x541b;
const CLONE_VM = 0x100;
const CLONE_VFORK = 0x4000;

describe('Linux edge cases', () => {
  // wait.ts waitid: the infop write faults before reap(). Linux reaps the child first and
  // returns EFAULT (wait4 had the same bug and was fixed in 056dad5).
  it('waitid with a bad infop still reaps the child', () => {
    const w = new World();
    const p = w.init;
    const c = w.fork(p);
    expect(w.sys(c, SYS.exit, 3)).toBe('dead');
    expect(w.sys(p, SYS.waitid, 0, 0, 0x10, WEXITED, 0)).toBe(-ERRNO.EFAULT);
    expect(c.state).toBe('reaped');
  });

  // pipe.ts PipeWriteEnd.write: EPIPE is checked before the length. Linux pipe_write: "Null
  // write succeeds" (returns 0) before it looks at the readers; no SIGPIPE.
  it('a zero-length write to a pipe without readers returns 0 and raises no SIGPIPE', () => {
    const w = new World();
    const p = w.init;
    const [r, wr] = w.pipe(p);
    expect(w.sys(p, SYS.close, r)).toBe(0);
    expect(w.sys(p, SYS.write, wr, BUF, 0)).toBe(0); // procsim: SIGPIPE kills the process
  });

  // pipe.ts PipeWriteEnd.poll: POLLERR alone. Linux pipe_poll sets POLLOUT when the pipe is
  // not full and POLLERR when there are no readers: both (revents 0xc).
  it('poll on the write end of a pipe without readers reports POLLOUT | POLLERR', () => {
    const w = new World();
    const p = w.init;
    const [r, wr] = w.pipe(p);
    expect(w.sys(p, SYS.close, r)).toBe(0);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setInt32(0, wr, true);
    new DataView(b.buffer).setInt16(4, POLLOUT, true);
    w.poke(p, BUF, b);
    expect(w.sys(p, SYS.ppoll, BUF, 1, 0, 0, 8)).toBe(1);
    expect(new DataView(w.peek(p, BUF + 6, 2).buffer).getInt16(0, true)).toBe(POLLOUT | POLLERR);
  });

  // files.ts ioctl FIONREAD: ENOTTY for anything without a size. Linux pipe_ioctl answers
  // FIONREAD with the bytes buffered.
  it('ioctl(FIONREAD) on a pipe gives the bytes buffered', () => {
    const w = new World();
    const p = w.init;
    const [r, wr] = w.pipe(p);
    expect(w.sys(p, SYS.write, wr, BUF, 5)).toBe(5);
    expect(w.sys(p, SYS.ioctl, r, FIONREAD, BUF + 64)).toBe(0);
    expect(w.i32(p, BUF + 64)).toBe(5);
  });

  // syscalls/signal.ts sigaltstack: the flags are checked before "on the stack". Linux
  // do_sigaltstack returns EPERM while on the alternate stack before it looks at the flags.
  it('sigaltstack with bad flags while on the alternate stack is EPERM', () => {
    const w = new World();
    const p = w.init;
    w.putU64(p, BUF, BUF + 0x10000, 0, 0x8000);
    expect(w.sys(p, SYS.sigaltstack, BUF, 0)).toBe(0);
    w.sigaction(p, SIGUSR1, HANDLER, SA_ONSTACK);
    expect(w.sys(p, SYS.kill, 1, SIGUSR1)).toBe(SIGUSR1);
    w.putU64(p, BUF, BUF + 0x10000, 42, 0x8000);
    expect(w.sys(p, SYS.sigaltstack, BUF, 0)).toBe(-ERRNO.EPERM); // procsim: EINVAL
  });

  // lifecycle.ts terminate: orphans keep their exit signal. Linux reparent_leader sets
  // p->exit_signal = SIGCHLD ("we don't want people slaying init"), so the new parent sees a
  // clone(exit signal 0) orphan with a plain wait4; procsim hides it (it is a "clone child").
  it('an orphan created with exit signal 0 is waited for by its new parent as a normal child', () => {
    const w = new World();
    const p = w.init;
    const q = w.fork(p);
    const c = w.fork(q, 0); // clone(flags = 0): no exit signal
    expect(w.sys(q, SYS.exit, 0)).toBe('dead');
    expect(w.sys(p, SYS.wait4, q.pid, 0, 0, 0)).toBe(q.pid);
    expect(w.sys(p, SYS.wait4, -1, 0, WNOHANG, 0)).toBe(0); // c runs; procsim: ECHILD
    expect(w.sys(c, SYS.exit, 7)).toBe('dead');
    expect(w.sys(p, SYS.wait4, -1, BUF, 0, 0)).toBe(c.pid);
  });

  // lifecycle.ts terminate: the parent of a vfork child releases the memory it shares with
  // the child (p.mem.release()). Linux keeps the mm while the child uses it: killing a vfork
  // parent leaves the child running (checked natively: the child goes on and writes).
  it('killing the parent of a vfork child leaves the child running', () => {
    const w = new World();
    const p = w.init;
    const q = w.fork(p);
    expect(w.sys(q, SYS.clone, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0)).toBe('blocked');
    const c = w.k.procs.get(q.pid + 1)!;
    w.k.advance(c, 100);
    expect(w.sys(p, SYS.kill, q.pid, SIGKILL)).toBe(0);
    expect(w.step(q)).toBe('dead');
    expect(w.sys(c, SYS.getpid)).toBe(c.pid); // procsim: the child dies of SIGSEGV
  });

  // signal-delivery.ts / kernel.ts execute: a pending signal is delivered before a woken
  // syscall re-checks its condition. Linux do_wait looks for a zombie before it checks for
  // signals, so a parent asleep in wait4 gets the child even though the child's SIGCHLD (with
  // a handler without SA_RESTART) arrives at the same time (native probe: 200/200 returns,
  // no EINTR); procsim always returns EINTR here.
  it('a parent blocked in wait4 gets the exiting child even with a SIGCHLD handler', () => {
    const w = new World();
    const p = w.init;
    w.sigaction(p, SIGCHLD, HANDLER, 0);
    const c = w.fork(p);
    expect(w.sys(p, SYS.wait4, -1, BUF, 0, 0)).toBe('blocked');
    expect(w.sys(c, SYS.exit, 5)).toBe('dead');
    expect(w.step(p)).toBe(SIGCHLD); // the handler runs (after wait4 returned, on Linux)
    expect(w.sys(p, SYS.rt_sigreturn)).toBe(c.pid); // procsim: -EINTR
  });

  // syscalls/proc.ts getrandom: Math.min(len, ...) keeps a negative length and k.random(-1)
  // throws a RangeError out of Kernel.execute: the harness crashes. Linux takes the length
  // as size_t (huge), and with an unmapped buffer returns EFAULT.
  it('getrandom with a negative length is an errno, not a host exception', () => {
    const w = new World();
    expect(w.sys(w.init, SYS.getrandom, 0x10, -1, 0)).toBe(-ERRNO.EFAULT);
  });

  // kernel.ts advance: signals are looked at only when a process enters the kernel, so a
  // process that computes without syscalls never receives one, not even SIGKILL. Linux
  // delivers on the next return to user mode (a timer tick at the latest): the child dies
  // and the parent's wait4 returns. procsim: the run ends on its instruction budget.
  it('SIGKILL ends a child that is computing without syscalls', () => {
    const prog = new Prog()
      .sys(SYS.clone, SIGCHLD, 0, 0, 0, 0)
      .b('bne', A0, 0, 'parent')
      .label('spin')
      .j('spin')
      .label('parent')
      .i(A.mv(S0, A0))
      .sys(SYS.kill, { reg: S0 }, SIGKILL)
      .sys(SYS.wait4, -1, BUF, 0, 0)
      .li(S1, BUF)
      .i(A.lw(S1, S1, 0))
      .sys(SYS.exit, { reg: S1 });
    const w = new World({ elf: prog.elf() });
    const end = runToExit(w.k, w.init, 5_000_000);
    expect(end.budgetExceeded).toBeUndefined();
    expect(end.exitCode).toBe(SIGKILL);
  });

  // signal-delivery.ts forceSignal: faults carry si_code SI_KERNEL (0x80). Linux reports
  // SEGV_MAPERR (1) for an unmapped address, SEGV_ACCERR (2) for a protection fault,
  // ILL_ILLOPC (1) for an illegal opcode, TRAP_BRKPT (1) for ebreak.
  it('a SIGSEGV for an unmapped address has si_code SEGV_MAPERR', () => {
    const w = new World();
    const p = w.init;
    w.sigaction(p, SIGSEGV, HANDLER, SA_SIGINFO);
    const frame = new Uint8Array(FRAME_SIZE);
    const dv = new DataView(frame.buffer);
    dv.setBigUint64(128 + 176, 0x5000n, true);
    for (let i = 1; i < 32; i++) dv.setBigUint64(128 + 176 + 8 * i, p.cpu.getX(i), true);
    w.poke(p, BUF + 0x8000, frame);
    p.cpu.setX(SP, BigInt(BUF + 0x8000));
    w.sys(p, SYS.rt_sigreturn);
    expect(w.inHandler(p)).toBe(true);
    expect(w.i32(p, Number(p.cpu.getX(11)) + 8)).toBe(1);
  });

  // syscalls/time.ts clockNs: CLOCK_REALTIME is EPOCH_SEC * 1e9 + nowNs in a float64, far
  // above 2^53, so its nanoseconds are rounded to multiples of 256: tv_nsec disagrees with
  // CLOCK_MONOTONIC's although the epoch is a whole number of seconds (Linux keeps both
  // exact to the nanosecond; kernel.ts wallClock() does it right with sec and nsec apart).
  it('CLOCK_REALTIME keeps the nanoseconds of virtual time', () => {
    const w = new World();
    const p = w.init;
    const now = w.k.nowNs;
    expect(now % 256).not.toBe(0);
    expect(w.sys(p, SYS.clock_gettime, 0, BUF)).toBe(0);
    expect(Number(w.u64(p, BUF + 8))).toBe(now % 1e9);
  });

  // SS_AUTODISARM: Linux disarms the alternate stack while a handler runs on it (inside,
  // sigaltstack reports SS_DISABLE and a new stack may be installed), and rt_sigreturn puts
  // the one saved in the frame's uc_stack back.
  it('SS_AUTODISARM: the alternate stack is disarmed inside the handler and restored by sigreturn', () => {
    const w = new World();
    const p = w.init;
    w.putU64(p, BUF, BUF + 0x10000, SS_AUTODISARM, 0x8000);
    expect(w.sys(p, SYS.sigaltstack, BUF, 0)).toBe(0);
    w.sigaction(p, SIGUSR1, HANDLER, SA_ONSTACK);
    expect(w.sys(p, SYS.kill, 1, SIGUSR1)).toBe(SIGUSR1);
    expect(w.sys(p, SYS.sigaltstack, 0, BUF + 64)).toBe(0);
    expect(w.i32(p, BUF + 72)).toBe(SS_DISABLE);
    w.putU64(p, BUF, BUF + 0x18000, 0, 0x4000);
    expect(w.sys(p, SYS.sigaltstack, BUF, 0)).toBe(0);
    expect(w.sys(p, SYS.rt_sigreturn)).toBe(0); // back after kill, which returned 0
    expect(w.sys(p, SYS.sigaltstack, 0, BUF + 64)).toBe(0);
    expect([w.u64(p, BUF + 64), w.i32(p, BUF + 72), w.u64(p, BUF + 80)]).toEqual([BigInt(BUF + 0x10000), SS_AUTODISARM, 0x8000n]);
  });

  // Linux writes the time left to *rem when a handler interrupts a relative sleep (EINTR).
  it('nanosleep interrupted by a handler writes the remaining time; clock_nanosleep too, unless absolute', () => {
    const w = new World();
    const p = w.init;
    w.sigaction(p, SIGUSR1, HANDLER);
    const c = w.fork(p);
    w.putU64(p, BUF, 5, 0); // 5 s
    w.putU64(p, BUF + 16, 0, 0);
    expect(w.sys(p, SYS.nanosleep, BUF, BUF + 16)).toBe('blocked');
    expect(w.sys(c, SYS.kill, 1, SIGUSR1)).toBe(0);
    expect(w.step(p)).toBe(SIGUSR1);
    expect(w.sys(p, SYS.rt_sigreturn)).toBe(-ERRNO.EINTR);
    const left = Number(w.u64(p, BUF + 16)) * 1e9 + Number(w.u64(p, BUF + 24));
    expect(left).toBeGreaterThan(4e9);
    expect(left).toBeLessThan(5e9);
    // A rem that cannot be written: EFAULT instead of EINTR.
    expect(w.sys(p, SYS.clock_nanosleep, 1, 0, BUF, 8)).toBe('blocked');
    expect(w.sys(c, SYS.kill, 1, SIGUSR1)).toBe(0);
    expect(w.step(p)).toBe(SIGUSR1);
    expect(w.sys(p, SYS.rt_sigreturn)).toBe(-ERRNO.EFAULT);
  });
});
