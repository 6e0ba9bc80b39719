// Signals through the kernel: the frame round trip, dispositions and their flags, masks and
// pending signals, interrupted and restarted calls, the alternate stack, faults, and the
// errno paths of every signal syscall.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ERRNO } from '../../../src/process/errno.ts';
import { NO_DEADLINE, type Process } from '../../../src/process/process.ts';
import { FRAME_SIZE, TRAMPOLINE } from '../../../src/process/signal-frame.ts';
import { sigbit, SIGCHLD, SIGCONT, SIGILL, SIGKILL, SIGSEGV, SIGSTOP, SIGTERM, SIGTRAP, SIGUSR1, SIGUSR2 } from '../../../src/process/signals.ts';
import {
  BUF, CLOBBER, COUNTER, EBREAK, HANDLER, ILLEGAL, MAIN, PUPPET_PATH, SP, SYS, TRAMPOLINE_ECALL, World, enc,
} from './harness.ts';

const SA_SIGINFO = 0x4;
const SA_ONSTACK = 0x08000000;
const SA_RESTART = 0x10000000;
const SA_NODEFER = 0x40000000;
const SA_RESETHAND = 0x80000000;
const SIG_BLOCK = 0;
const SIG_UNBLOCK = 1;
const SIG_SETMASK = 2;
const WNOHANG = 1;
const WUNTRACED = 2;
const WCONTINUED = 8;
const SS_ONSTACK = 1;
const SS_DISABLE = 2;
const SI_USER = 0;
const SI_TKILL = -6;
const UC = 128; // ucontext inside the frame
const MC = UC + 176; // mcontext: pc, x1..x31, f0..f31, fcsr

const SET = BUF + 0x3000; // a sigset or stack_t argument
const OLD = BUF + 0x3100; // where the kernel writes the old one

function sigpending(w: World, p: Process): bigint {
  expect(w.sys(p, SYS.rt_sigpending, OLD, 8)).toBe(0);
  return w.u64(p, OLD);
}

function procmask(w: World, p: Process, how: number, set: bigint): bigint {
  w.putU64(p, SET, set);
  expect(w.sys(p, SYS.rt_sigprocmask, how, SET, OLD, 8)).toBe(0);
  return w.u64(p, OLD);
}

/** A frame made from p's registers with another pc, for rt_sigreturn to jump there. */
function redirect(w: World, p: Process, pc: number): void {
  const b = new Uint8Array(FRAME_SIZE);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(MC, BigInt(pc), true);
  for (let i = 1; i < 32; i++) dv.setBigUint64(MC + 8 * i, p.cpu.getX(i), true);
  dv.setBigUint64(UC + 40, p.sigmask, true);
  const at = BUF + 0x8000;
  w.poke(p, at, b);
  p.cpu.setX(SP, BigInt(at));
  expect(w.sys(p, SYS.rt_sigreturn)).not.toBe('blocked');
}

describe('the signal frame', () => {
  it('rt_sigreturn restores every integer and FP register, fcsr and the mask exactly (property)', () => {
    const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
    fc.assert(
      fc.property(
        fc.array(u64, { minLength: 32, maxLength: 32 }),
        fc.array(u64, { minLength: 32, maxLength: 32 }),
        fc.integer({ min: 0, max: 255 }),
        u64,
        (xs, fs, fcsr, mask) => {
          const w = new World();
          const p = w.init;
          w.sigaction(p, SIGUSR1, CLOBBER);
          const blocked = mask & ~(sigbit(SIGUSR1) | sigbit(SIGKILL) | sigbit(SIGSTOP));
          procmask(w, p, SIG_SETMASK, blocked);
          for (let i = 1; i < 32; i++) if (i !== SP) p.cpu.setX(i, xs[i]);
          fs.forEach((v, i) => p.cpu.setF(i, v));
          p.cpu.fcsr = fcsr;
          const before = { x: [...Array(32).keys()].map((i) => p.cpu.getX(i)), f: fs, fcsr, pc: p.cpu.pc };
          w.k.sendSignal(p, SIGUSR1, { code: SI_USER, pid: 1 });
          w.k.execute(p); // delivered before the pending syscall
          expect(p.cpu.pc).toBe(CLOBBER);
          w.k.advance(p, 10_000);
          expect(p.cpu.pc).toBe(TRAMPOLINE_ECALL);
          // The handler did clobber: x6 is inverted (x5, its scratch register, ends as
          // ~(fcsr ^ 0xff), which a generated x5 can equal).
          expect(p.cpu.getX(6)).toBe(~before.x[6] & ((1n << 64n) - 1n));
          w.k.execute(p); // rt_sigreturn
          w.k.advance(p, 100); // straight back to the interrupted ecall
          expect(p.atSyscall).toBe(true);
          expect({ x: [...Array(32).keys()].map((i) => p.cpu.getX(i)), f: fs.map((_, i) => p.cpu.getF(i)), fcsr: p.cpu.fcsr, pc: p.cpu.pc }).toEqual(before);
          expect(p.sigmask).toBe(blocked);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('the handler gets sig, siginfo and ucontext; the frame is 16-aligned below the stack', () => {
    const w = new World();
    const p = w.init;
    w.sigaction(p, SIGUSR2, HANDLER, SA_SIGINFO);
    const sp = Number(p.cpu.getX(SP));
    const c = w.fork(p);
    expect(w.sys(c, SYS.kill, 1, SIGUSR2)).toBe(0);
    expect(w.sys(p, SYS.getpid)).toBe(SIGUSR2); // a0 of the handler; getpid runs after it
    expect(w.inHandler(p)).toBe(true);
    const frame = Number(p.cpu.getX(SP));
    expect(frame % 16).toBe(0);
    expect(frame).toBeLessThanOrEqual(sp - FRAME_SIZE);
    expect(Number(p.cpu.getX(11))).toBe(frame);
    expect(Number(p.cpu.getX(12))).toBe(frame + UC);
    expect(p.cpu.getX(1)).toBe(BigInt(TRAMPOLINE));
    expect([w.i32(p, frame), w.i32(p, frame + 8), w.i32(p, frame + 16)]).toEqual([SIGUSR2, SI_USER, c.pid]);
    expect(w.u64(p, frame + MC)).toBe(BigInt(MAIN)); // the interrupted pc: the getpid ecall
    expect(p.sigmask).toBe(sigbit(SIGUSR2)); // the signal is blocked while its handler runs
    w.sys(p, SYS.rt_sigreturn); // back at the getpid ecall, which has not run yet
    expect(p.sigmask).toBe(0n);
    expect(p.cpu.pc).toBe(MAIN);
    expect(w.k.syscallNr(p)).toBe(SYS.getpid);
    expect(w.step(p)).toBe(1);
  });

  it('SIGCHLD siginfo carries the child pid, CLD_EXITED and the exit code', () => {
    const w = new World();
    const p = w.init;
    w.sigaction(p, SIGCHLD, HANDLER, SA_SIGINFO);
    const c = w.fork(p);
    expect(w.sys(c, SYS.exit, 3)).toBe('dead');
    expect(w.sys(p, SYS.getpid)).toBe(SIGCHLD);
    const info = Number(p.cpu.getX(11));
    expect([w.i32(p, info), w.i32(p, info + 8), w.i32(p, info + 16), w.i32(p, info + 24)]).toEqual([SIGCHLD, 1, c.pid, 3]);
  });

  it('no room for the frame, or a garbage frame pointer at rt_sigreturn: death by SIGSEGV, the parent sees it', () => {
    const w = new World();
    const p = w.init;
    const a = w.fork(p);
    w.sigaction(a, SIGUSR1, COUNTER);
    a.cpu.setX(SP, 0x1000n); // nothing mapped below
    expect(w.sys(p, SYS.kill, a.pid, SIGUSR1)).toBe(0);
    expect(w.step(a)).toBe('dead');
    expect(a.waitStatus).toBe(SIGSEGV);
    const b = w.fork(p);
    b.cpu.setX(SP, 0xdead_0000n);
    expect(w.sys(b, SYS.rt_sigreturn)).toBe('dead');
    expect(w.sys(p, SYS.wait4, a.pid, BUF, 0, 0)).toBe(a.pid);
    expect(w.i32(p, BUF)).toBe(SIGSEGV);
    expect(w.sys(p, SYS.wait4, b.pid, BUF, 0, 0)).toBe(b.pid);
    expect(w.i32(p, BUF)).toBe(SIGSEGV);
  });

  it('rt_sigreturn cannot unblock SIGKILL or SIGSTOP through the saved mask', () => {
    const w = new World();
    const p = w.init;
    const all = (1n << 64n) - 1n;
    p.sigmask = all & ~sigbit(SIGKILL) & ~sigbit(SIGSTOP);
    const saved = p.sigmask;
    p.sigmask = 0n;
    const b = new Uint8Array(FRAME_SIZE);
    const dv = new DataView(b.buffer);
    dv.setBigUint64(MC, BigInt(MAIN), true);
    for (let i = 1; i < 32; i++) dv.setBigUint64(MC + 8 * i, p.cpu.getX(i), true);
    dv.setBigUint64(UC + 40, all, true);
    w.poke(p, BUF + 0x8000, b);
    p.cpu.setX(SP, BigInt(BUF + 0x8000));
    w.sys(p, SYS.rt_sigreturn);
    expect(p.sigmask).toBe(saved);
  });
});

describe('dispositions and their flags', () => {
  it('SA_RESETHAND: the first delivery runs the handler and restores SIG_DFL; the second kills', () => {
    const w = new World();
    const p = w.init;
    const c = w.fork(p);
    w.sigaction(c, SIGUSR1, COUNTER, SA_RESETHAND | SA_SIGINFO);
    expect(w.sys(c, SYS.kill, c.pid, SIGUSR1)).toBe(0);
    expect(w.count(c, SIGUSR1)).toBe(1);
    expect(w.sys(c, SYS.rt_sigaction, SIGUSR1, 0, OLD, 8)).toBe(0);
    expect([w.u64(c, OLD), w.u64(c, OLD + 8) & BigInt(SA_SIGINFO)]).toEqual([0n, 0n]);
    expect(w.sys(c, SYS.kill, c.pid, SIGUSR1)).toBe('dead');
    expect(c.waitStatus).toBe(SIGUSR1);
  });

  it('SA_NODEFER: the same signal nests inside its handler; without it, it waits for rt_sigreturn', () => {
    for (const nodefer of [true, false]) {
      const w = new World();
      const p = w.init;
      w.sigaction(p, SIGUSR1, HANDLER, nodefer ? SA_NODEFER : 0);
      expect(w.sys(p, SYS.kill, 1, SIGUSR1)).toBe(SIGUSR1);
      expect(w.inHandler(p)).toBe(true);
      const outer = Number(p.cpu.getX(SP));
      const r = w.sys(p, SYS.kill, 1, SIGUSR1);
      if (nodefer) {
        expect(r).toBe(SIGUSR1); // a second frame, below the first
        expect(Number(p.cpu.getX(SP))).toBeLessThanOrEqual(outer - FRAME_SIZE);
        expect(w.sys(p, SYS.rt_sigreturn)).toBe(0); // the inner kill's result
        expect(Number(p.cpu.getX(SP))).toBe(outer);
      } else {
        expect(r).toBe(0);
        expect(sigpending(w, p)).toBe(sigbit(SIGUSR1));
        expect(w.sys(p, SYS.rt_sigreturn)).toBe(SIGUSR1); // delivered as the mask comes back
        expect(Number(p.cpu.getX(SP))).toBe(outer); // the same place: the first frame is gone
      }
      expect(w.inHandler(p)).toBe(true);
      expect(w.sys(p, SYS.rt_sigreturn)).toBe(0);
      expect(w.inHandler(p)).toBe(false);
    }
  });

  it('sa_mask is blocked while the handler runs; SIGKILL cannot be put in it', () => {
    const w = new World();
    const p = w.init;
    w.sigaction(p, SIGUSR1, HANDLER, 0, sigbit(SIGUSR2) | sigbit(SIGKILL));
    expect(w.sys(p, SYS.rt_sigaction, SIGUSR1, 0, OLD, 8)).toBe(0);
    expect(w.u64(p, OLD + 16)).toBe(sigbit(SIGUSR2));
    expect(w.sys(p, SYS.kill, 1, SIGUSR1)).toBe(SIGUSR1);
    expect(p.sigmask).toBe(sigbit(SIGUSR1) | sigbit(SIGUSR2));
    w.sigaction(p, SIGUSR2, COUNTER);
    expect(w.sys(p, SYS.kill, 1, SIGUSR2)).toBe(0);
    expect(w.count(p, SIGUSR2)).toBe(0); // held back ...
    expect(w.sys(p, SYS.rt_sigreturn)).toBe(0);
    expect(w.count(p, SIGUSR2)).toBe(1); // ... until the handler returned
  });

  it('an ignored signal is discarded; a blocked one stays pending until unblocked, then runs once', () => {
    const w = new World();
    const p = w.init;
    w.sigaction(p, SIGUSR1, 1 /* SIG_IGN */);
    expect(w.sys(p, SYS.kill, 1, SIGUSR1)).toBe(0);
    expect(sigpending(w, p)).toBe(0n);
    w.sigaction(p, SIGUSR1, COUNTER);
    procmask(w, p, SIG_BLOCK, sigbit(SIGUSR1));
    expect(w.sys(p, SYS.kill, 1, SIGUSR1)).toBe(0);
    expect(w.sys(p, SYS.kill, 1, SIGUSR1)).toBe(0); // standard signals do not queue twice
    expect(w.count(p, SIGUSR1)).toBe(0);
    expect(sigpending(w, p)).toBe(sigbit(SIGUSR1));
    expect(procmask(w, p, SIG_UNBLOCK, sigbit(SIGUSR1))).toBe(sigbit(SIGUSR1));
    expect(w.count(p, SIGUSR1)).toBe(1); // delivered as sigprocmask returned
    expect(sigpending(w, p)).toBe(0n);
  });

  it('exec resets caught signals to SIG_DFL, keeps ignored ones, the mask and pending signals', () => {
    const w = new World();
    const p = w.init;
    w.sigaction(p, SIGUSR1, COUNTER);
    w.sigaction(p, SIGUSR2, 1);
    procmask(w, p, SIG_BLOCK, sigbit(SIGTERM));
    expect(w.sys(p, SYS.kill, 1, SIGTERM)).toBe(0);
    w.poke(p, BUF, enc(`${PUPPET_PATH}\0`));
    w.putU64(p, BUF + 64, 0);
    expect(w.sys(p, SYS.execve, BUF, BUF + 64, BUF + 64)).toBe(0);
    expect(w.sys(p, SYS.rt_sigaction, SIGUSR1, 0, OLD, 8)).toBe(0);
    expect(w.u64(p, OLD)).toBe(0n);
    expect(w.sys(p, SYS.rt_sigaction, SIGUSR2, 0, OLD, 8)).toBe(0);
    expect(w.u64(p, OLD)).toBe(1n);
    expect(sigpending(w, p)).toBe(sigbit(SIGTERM));
    w.putU64(p, SET, sigbit(SIGTERM));
    expect(w.sys(p, SYS.rt_sigprocmask, SIG_UNBLOCK, SET, 0, 8)).toBe('dead'); // SIGTERM's default
  });
});

describe('signal state across fork', () => {
  it('a child inherits handlers and mask but not pending signals', () => {
    const w = new World();
    const p = w.init;
    w.sigaction(p, SIGUSR1, COUNTER);
    procmask(w, p, SIG_BLOCK, sigbit(SIGUSR1));
    expect(w.sys(p, SYS.kill, 1, SIGUSR1)).toBe(0);
    const c = w.fork(p);
    expect(sigpending(w, c)).toBe(0n);
    expect(sigpending(w, p)).toBe(sigbit(SIGUSR1));
    expect(c.sigmask).toBe(sigbit(SIGUSR1));
    expect(w.sys(c, SYS.kill, c.pid, SIGUSR1)).toBe(0);
    procmask(w, c, SIG_UNBLOCK, sigbit(SIGUSR1));
    expect(w.count(c, SIGUSR1)).toBe(1); // the inherited handler ran
    expect(w.count(p, SIGUSR1)).toBe(0);
  });
});

describe('interrupted calls', () => {
  function blockedReader(flags: number): { w: World; p: Process; c: Process; wr: number } {
    const w = new World();
    const p = w.init;
    const [r, wr] = w.pipe(p);
    w.sigaction(p, SIGUSR1, HANDLER, flags);
    const c = w.fork(p);
    expect(w.sys(p, SYS.read, r, BUF, 10)).toBe('blocked');
    expect(w.sys(c, SYS.kill, 1, SIGUSR1)).toBe(0);
    expect(p.state).toBe('running');
    expect(w.step(p)).toBe(SIGUSR1); // the handler runs
    return { w, p, c, wr };
  }

  it('without SA_RESTART a blocked pipe read returns EINTR after the handler', () => {
    const { w, p } = blockedReader(0);
    expect(w.sys(p, SYS.rt_sigreturn)).toBe(-ERRNO.EINTR);
  });

  it('with SA_RESTART it runs again after the handler and blocks until data comes', () => {
    const { w, p, c, wr } = blockedReader(SA_RESTART);
    w.sys(p, SYS.rt_sigreturn); // back at the read's ecall, with its arguments
    expect(w.k.syscallNr(p)).toBe(SYS.read);
    expect(w.step(p)).toBe('blocked');
    expect(p.blockReason).toBe('read');
    w.poke(c, BUF, enc('xyz'));
    expect(w.sys(c, SYS.write, wr, BUF, 3)).toBe(3);
    expect(w.step(p)).toBe(3);
  });

  it('a write that moved bytes before the signal returns the count, restart or not', () => {
    const w = new World();
    const p = w.init;
    const [r, wr] = w.pipe(p);
    w.sigaction(p, SIGUSR1, HANDLER, SA_RESTART);
    const c = w.fork(p);
    expect(w.sys(p, SYS.write, wr, BUF, 70000)).toBe('blocked');
    expect(w.sys(c, SYS.kill, 1, SIGUSR1)).toBe(0);
    expect(w.step(p)).toBe(SIGUSR1);
    expect(w.sys(p, SYS.rt_sigreturn)).toBe(65536);
    expect(w.sys(c, SYS.read, r, BUF, 100)).toBe(100);
  });

  it('rt_sigsuspend waits under a temporary mask and returns EINTR with the old mask back', () => {
    const w = new World();
    const p = w.init;
    w.sigaction(p, SIGUSR1, HANDLER);
    procmask(w, p, SIG_BLOCK, sigbit(SIGUSR1) | sigbit(SIGUSR2));
    const c = w.fork(p);
    w.putU64(p, SET, sigbit(SIGUSR2));
    expect(w.sys(p, SYS.rt_sigsuspend, SET, 8)).toBe('blocked');
    expect(p.blockReason).toBe('sigsuspend');
    expect(w.sys(c, SYS.kill, 1, SIGUSR2)).toBe(0); // blocked under the temporary mask too
    expect(p.state).toBe('blocked');
    expect(w.sys(c, SYS.kill, 1, SIGUSR1)).toBe(0);
    expect(w.step(p)).toBe(SIGUSR1);
    expect(p.sigmask).toBe(sigbit(SIGUSR1) | sigbit(SIGUSR2)); // temporary mask + the signal
    expect(w.sys(p, SYS.rt_sigreturn)).toBe(-ERRNO.EINTR);
    expect(p.sigmask).toBe(sigbit(SIGUSR1) | sigbit(SIGUSR2));
    expect(sigpending(w, p)).toBe(sigbit(SIGUSR2));
    expect(w.sys(p, SYS.rt_sigsuspend, SET, 4)).toBe(-ERRNO.EINVAL);
  });

  it('a signal pending before the call interrupts it at once (no lost wakeup)', () => {
    const w = new World();
    const p = w.init;
    w.sigaction(p, SIGUSR1, HANDLER);
    w.putU64(p, BUF, 5, 0);
    procmask(w, p, SIG_BLOCK, sigbit(SIGUSR1));
    expect(w.sys(p, SYS.kill, 1, SIGUSR1)).toBe(0);
    w.putU64(p, SET, 0);
    expect(w.sys(p, SYS.rt_sigsuspend, SET, 8)).toBe(SIGUSR1);
    expect(w.sys(p, SYS.rt_sigreturn)).toBe(-ERRNO.EINTR);
  });

  it('ppoll under a temporary mask: a signal it unblocks interrupts it, the old mask comes back', () => {
    const w = new World();
    const p = w.init;
    const [r] = w.pipe(p);
    w.sigaction(p, SIGUSR1, HANDLER);
    procmask(w, p, SIG_BLOCK, sigbit(SIGUSR1));
    expect(w.sys(p, SYS.kill, 1, SIGUSR1)).toBe(0);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setInt32(0, r, true);
    new DataView(b.buffer).setInt16(4, 1, true);
    w.poke(p, BUF, b);
    w.putU64(p, SET, 0);
    expect(w.sys(p, SYS.ppoll, BUF, 1, 0, SET, 8)).toBe(SIGUSR1); // the handler runs
    expect(w.sys(p, SYS.rt_sigreturn)).toBe(-ERRNO.EINTR);
    expect(p.sigmask).toBe(sigbit(SIGUSR1));
  });

  it('a blocked nanosleep is cut short by a handler: EINTR', () => {
    const w = new World();
    const p = w.init;
    w.sigaction(p, SIGUSR1, HANDLER, SA_RESTART);
    const c = w.fork(p);
    w.putU64(p, BUF, 5, 0);
    expect(w.sys(p, SYS.nanosleep, BUF, 0)).toBe('blocked');
    expect(w.sys(c, SYS.kill, 1, SIGUSR1)).toBe(0);
    expect(w.step(p)).toBe(SIGUSR1);
    expect(w.sys(p, SYS.rt_sigreturn)).toBe(-ERRNO.EINTR); // never restarted, SA_RESTART or not
    expect(w.k.nextDeadline()).toBe(NO_DEADLINE); // its timer is gone
  });
});

describe('faults become signals', () => {
  it('SIGSEGV, SIGILL and SIGTRAP kill with their number when not caught', () => {
    for (const [pc, sig] of [[0x1000, SIGSEGV], [ILLEGAL, SIGILL], [EBREAK, SIGTRAP], [BUF, SIGSEGV]] as const) {
      const w = new World();
      const c = w.fork(w.init);
      redirect(w, c, pc);
      expect(c.state).toBe('zombie');
      expect(c.waitStatus).toBe(sig);
      expect(w.sys(w.init, SYS.wait4, -1, BUF, 0, 0)).toBe(c.pid);
    }
  });

  it('a caught SIGSEGV enters the handler with the fault address; a blocked one still kills', () => {
    const w = new World();
    const p = w.init;
    w.sigaction(p, SIGSEGV, HANDLER, SA_SIGINFO);
    redirect(w, p, 0x5000);
    expect(w.inHandler(p)).toBe(true);
    const info = Number(p.cpu.getX(11));
    expect(w.i32(p, info)).toBe(SIGSEGV);
    expect(w.u64(p, info + 16)).toBe(0x5000n);
    expect(w.u64(p, Number(p.cpu.getX(12)) + 176)).toBe(0x5000n); // returning would retry the access
    // A fault while SIGSEGV is blocked (as it is inside its handler) cannot be caught.
    const c = w.fork(p);
    expect(c.sigmask & sigbit(SIGSEGV)).toBe(sigbit(SIGSEGV));
    redirect(w, c, 0x6000);
    expect(c.state).toBe('zombie');
    expect(c.waitStatus).toBe(SIGSEGV);
  });
});

describe('errno paths', () => {
  it('kill: EINVAL for a bad signal, ESRCH for nobody, 0 probes, zombies can be signalled', () => {
    const w = new World();
    const p = w.init;
    expect(w.sys(p, SYS.kill, 1, 65)).toBe(-ERRNO.EINVAL);
    expect(w.sys(p, SYS.kill, 1, -1)).toBe(-ERRNO.EINVAL);
    expect(w.sys(p, SYS.kill, 4242, SIGTERM)).toBe(-ERRNO.ESRCH);
    expect(w.sys(p, SYS.kill, -4242, SIGTERM)).toBe(-ERRNO.ESRCH);
    expect(w.sys(p, SYS.kill, -1, SIGTERM)).toBe(-ERRNO.ESRCH); // nobody but itself and init
    expect(w.sys(p, SYS.kill, 1, 0)).toBe(0);
    const c = w.fork(p);
    expect(w.sys(c, SYS.exit, 0)).toBe('dead');
    expect(w.sys(p, SYS.kill, c.pid, 0)).toBe(0);
    expect(w.sys(p, SYS.kill, c.pid, SIGTERM)).toBe(0);
    expect(w.sys(p, SYS.wait4, c.pid, 0, 0, 0)).toBe(c.pid);
    expect(w.sys(p, SYS.kill, c.pid, 0)).toBe(-ERRNO.ESRCH);
  });

  it('stop and continue: WUNTRACED and WCONTINUED report each change once; a blocked call runs again', () => {
    const w = new World();
    const p = w.init;
    const [r, wr] = w.pipe(p);
    const c = w.fork(p);
    expect(w.sys(c, SYS.read, r, BUF, 4)).toBe('blocked');
    expect(w.sys(p, SYS.kill, c.pid, SIGSTOP)).toBe(0);
    expect(w.step(c)).toBe('blocked'); // woken to take the stop ...
    expect(c.state).toBe('stopped'); // ... and stopped
    expect(w.k.runnable()).toEqual([p]);
    expect(w.sys(p, SYS.wait4, c.pid, BUF + 64, WNOHANG, 0)).toBe(0); // no WUNTRACED: nothing to see
    expect(w.sys(p, SYS.wait4, c.pid, BUF + 64, WUNTRACED, 0)).toBe(c.pid);
    expect(w.i32(p, BUF + 64)).toBe((SIGSTOP << 8) | 0x7f);
    expect(w.sys(p, SYS.wait4, c.pid, BUF + 64, WUNTRACED | WNOHANG, 0)).toBe(0); // reported once
    expect(w.sys(p, SYS.write, wr, BUF, 4)).toBe(4); // data comes while it is stopped
    expect(c.state).toBe('stopped');
    expect(w.sys(p, SYS.kill, c.pid, SIGCONT)).toBe(0);
    expect(c.state).toBe('running');
    expect(w.sys(p, SYS.wait4, c.pid, BUF + 64, WCONTINUED, 0)).toBe(c.pid);
    expect(w.i32(p, BUF + 64)).toBe(0xffff);
    expect(w.step(c)).toBe(4); // the read runs again and gets the data
    expect(w.sys(p, SYS.kill, c.pid, SIGSTOP)).toBe(0);
    w.step(c);
    expect(c.state).toBe('stopped');
    expect(w.sys(p, SYS.kill, c.pid, SIGKILL)).toBe(0); // SIGKILL ends a stopped process
    expect(w.step(c)).toBe('dead');
    expect(w.sys(p, SYS.wait4, c.pid, BUF + 64, 0, 0)).toBe(c.pid);
    expect(w.i32(p, BUF + 64)).toBe(SIGKILL);
  });

  it('kill(0) and kill(-pgid) reach the whole group, kill(-1) everyone but init and the caller', () => {
    const w = new World();
    const p = w.init;
    const a = w.fork(p);
    const b = w.fork(p);
    const c = w.fork(a);
    for (const q of [a, b, c]) w.sigaction(q, SIGUSR1, COUNTER);
    expect(w.sys(a, SYS.setpgid, 0, 0)).toBe(0);
    expect(w.sys(c, SYS.setpgid, 0, a.pid)).toBe(0);
    expect(w.sys(p, SYS.kill, -a.pid, SIGUSR1)).toBe(0);
    for (const q of [a, c]) w.step(q); // delivered at their next kernel entry
    expect([a, b, c].map((q) => w.count(q, SIGUSR1))).toEqual([1, 0, 1]);
    expect(w.sys(b, SYS.kill, -1, SIGUSR1)).toBe(0);
    for (const q of [a, c]) w.step(q);
    expect([a, b, c].map((q) => w.count(q, SIGUSR1))).toEqual([2, 0, 2]);
    expect(w.sys(c, SYS.kill, 0, SIGUSR1)).toBe(0); // c's group: a and c
    w.step(a);
    expect([a, b, c].map((q) => w.count(q, SIGUSR1))).toEqual([3, 0, 3]);
  });

  it('tkill and tgkill: the tid is the pid; EINVAL and ESRCH paths; a zombie is still found', () => {
    const w = new World();
    const p = w.init;
    w.sigaction(p, SIGUSR1, HANDLER, SA_SIGINFO);
    expect(w.sys(p, SYS.tkill, 0, SIGUSR1)).toBe(-ERRNO.EINVAL);
    expect(w.sys(p, SYS.tgkill, 0, 1, SIGUSR1)).toBe(-ERRNO.EINVAL);
    expect(w.sys(p, SYS.tgkill, 2, 1, SIGUSR1)).toBe(-ERRNO.ESRCH); // tid 1 is not in group 2
    expect(w.sys(p, SYS.tkill, 99, SIGUSR1)).toBe(-ERRNO.ESRCH);
    expect(w.sys(p, SYS.tkill, 1, 65)).toBe(-ERRNO.EINVAL);
    expect(w.sys(p, SYS.tkill, 99, 65)).toBe(-ERRNO.ESRCH); // looked up first, as Linux
    const c = w.fork(p);
    expect(w.sys(c, SYS.exit, 0)).toBe('dead');
    expect(w.sys(p, SYS.tgkill, c.pid, c.pid, SIGUSR1)).toBe(0); // a zombie: found, the signal dropped
    expect(w.sys(p, SYS.tkill, c.pid, 0)).toBe(0);
    expect(w.sys(p, SYS.tgkill, 1, 1, SIGUSR1)).toBe(SIGUSR1);
    expect(w.i32(p, Number(p.cpu.getX(11)) + 8)).toBe(SI_TKILL);
  });

  it('rt_sigaction and rt_sigprocmask', () => {
    const w = new World();
    const p = w.init;
    w.putU64(p, SET, COUNTER, 0, 0);
    for (const sig of [0, 65, -1]) expect(w.sys(p, SYS.rt_sigaction, sig, SET, 0, 8)).toBe(-ERRNO.EINVAL);
    expect(w.sys(p, SYS.rt_sigaction, SIGKILL, SET, 0, 8)).toBe(-ERRNO.EINVAL);
    expect(w.sys(p, SYS.rt_sigaction, SIGSTOP, SET, 0, 8)).toBe(-ERRNO.EINVAL);
    expect(w.sys(p, SYS.rt_sigaction, SIGKILL, 0, OLD, 8)).toBe(0); // querying is fine
    expect(w.sys(p, SYS.rt_sigaction, SIGUSR1, SET, 0, 4)).toBe(-ERRNO.EINVAL);
    expect(w.sys(p, SYS.rt_sigaction, SIGUSR1, 8, 0, 8)).toBe(-ERRNO.EFAULT);
    expect(w.sys(p, SYS.rt_sigprocmask, 7, SET, 0, 8)).toBe(-ERRNO.EINVAL);
    expect(w.sys(p, SYS.rt_sigprocmask, SIG_BLOCK, SET, 0, 16)).toBe(-ERRNO.EINVAL);
    expect(w.sys(p, SYS.rt_sigprocmask, SIG_BLOCK, 8, 0, 8)).toBe(-ERRNO.EFAULT);
    expect(procmask(w, p, SIG_SETMASK, (1n << 64n) - 1n)).toBe(0n);
    expect(procmask(w, p, SIG_SETMASK, 0n)).toBe(((1n << 64n) - 1n) & ~(sigbit(SIGKILL) | sigbit(SIGSTOP)));
    expect(w.sys(p, SYS.rt_sigpending, OLD, 16)).toBe(-ERRNO.EINVAL);
  });

  it('sigaltstack: ENOMEM below MINSIGSTKSZ, EINVAL for bad flags, EPERM while on it, EFAULT', () => {
    const w = new World();
    const p = w.init;
    const stack = (sp: number, flags: number, size: number) => {
      const b = new Uint8Array(24);
      const dv = new DataView(b.buffer);
      dv.setBigUint64(0, BigInt(sp), true);
      dv.setInt32(8, flags, true);
      dv.setBigUint64(16, BigInt(size), true);
      w.poke(p, SET, b);
    };
    expect(w.sys(p, SYS.sigaltstack, 0, OLD)).toBe(0);
    expect(w.i32(p, OLD + 8)).toBe(SS_DISABLE);
    stack(BUF + 0x10000, 0, 2047);
    expect(w.sys(p, SYS.sigaltstack, SET, 0)).toBe(-ERRNO.ENOMEM);
    stack(BUF + 0x10000, 42, 0x8000);
    expect(w.sys(p, SYS.sigaltstack, SET, 0)).toBe(-ERRNO.EINVAL);
    expect(w.sys(p, SYS.sigaltstack, 8, 0)).toBe(-ERRNO.EFAULT);
    stack(BUF + 0x10000, 0, 0x8000);
    expect(w.sys(p, SYS.sigaltstack, SET, 0)).toBe(0);
    w.sigaction(p, SIGUSR1, HANDLER, SA_ONSTACK);
    expect(w.sys(p, SYS.kill, 1, SIGUSR1)).toBe(SIGUSR1);
    const sp = Number(p.cpu.getX(SP));
    expect(sp).toBeGreaterThan(BUF + 0x10000);
    expect(sp).toBeLessThan(BUF + 0x18000);
    expect(w.sys(p, SYS.sigaltstack, 0, OLD)).toBe(0);
    expect(w.i32(p, OLD + 8)).toBe(SS_ONSTACK);
    stack(BUF + 0x10000, 0, 0x8000);
    expect(w.sys(p, SYS.sigaltstack, SET, 0)).toBe(-ERRNO.EPERM);
    stack(0, SS_DISABLE, 0);
    expect(w.sys(p, SYS.sigaltstack, SET, 0)).toBe(-ERRNO.EPERM);
    expect(w.sys(p, SYS.rt_sigreturn)).toBe(0);
    expect(w.sys(p, SYS.sigaltstack, SET, 0)).toBe(0); // off the stack: it may be disabled
    expect(w.sys(p, SYS.sigaltstack, 0, OLD)).toBe(0);
    expect(w.i32(p, OLD + 8)).toBe(SS_DISABLE);
  });
});


