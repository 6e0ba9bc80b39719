// Footprints of pending steps on puppet processes: which pairs of steps of different
// processes commute (independent) and which do not (dependent).
import { describe, expect, it } from 'vitest';
import { A0, A7, BUF, enc, SYS, World } from '../process/kernel/harness.ts';
import type { Process } from '../../src/process/process.ts';
import { SIGCHLD, SIGPIPE, SIGTERM } from '../../src/process/signals.ts';
import { stepFootprint, type Footprint } from '../../src/sim/footprint.ts';

/** Footprint of p's step if it issued syscall nr with these arguments (nothing runs). */
function fp(w: World, p: Process, nr: number, ...args: number[]): Footprint {
  p.cpu.setX(A7, BigInt(nr));
  args.forEach((v, i) => p.cpu.setX(A0 + i, BigInt(v)));
  return stepFootprint(w.k, p);
}

const dep = (a: Footprint, b: Footprint) => {
  expect(a.dependent(b)).toBe(b.dependent(a));
  return a.dependent(b);
};

describe('footprints', () => {
  it('writes to the console are dependent (they order the output); local syscalls commute with them', () => {
    const w = new World();
    const [c1, c2] = [w.fork(w.init), w.fork(w.init)];
    w.poke(c1, BUF, enc('a'));
    const out1 = fp(w, c1, SYS.write, 1, BUF, 1);
    const err2 = fp(w, c2, SYS.write, 2, BUF, 1);
    expect(dep(out1, err2)).toBe(true);
    expect(out1.toString()).toContain('w console');
    expect(dep(out1, fp(w, c2, SYS.getpid))).toBe(false);
    expect(dep(out1, fp(w, c2, SYS.brk, 0))).toBe(false);
  });

  it('pipes: the same pipe is dependent, different pipes are not; closes of one pipe commute', () => {
    const w = new World();
    const [r1, w1] = w.pipe(w.init);
    const [r2, w2] = w.pipe(w.init);
    const [c1, c2] = [w.fork(w.init), w.fork(w.init)];
    expect(dep(fp(w, c1, SYS.write, w1, BUF, 1), fp(w, c2, SYS.read, r1, BUF, 1))).toBe(true);
    expect(dep(fp(w, c1, SYS.write, w1, BUF, 1), fp(w, c2, SYS.write, w2, BUF, 1))).toBe(false);
    expect(dep(fp(w, c1, SYS.read, r1, BUF, 1), fp(w, c2, SYS.read, r2, BUF, 1))).toBe(false);
    expect(dep(fp(w, c1, SYS.close, w1), fp(w, c2, SYS.close, w1))).toBe(false);
    expect(dep(fp(w, c1, SYS.close, w1), fp(w, c2, SYS.read, r1, BUF, 1))).toBe(true);
    // A bad fd touches nothing shared.
    expect(dep(fp(w, c1, SYS.read, 99, BUF, 1), fp(w, c2, SYS.read, r1, BUF, 1))).toBe(false);
    // F_SETFL changes the shared description a read on it looks at.
    expect(dep(fp(w, c1, SYS.fcntl, r1, 4, 0o4000), fp(w, c2, SYS.read, r1, BUF, 1))).toBe(true);
  });

  it('an exit closes the pipe ends it holds: dependent with the other end', () => {
    const w = new World();
    const [r, wr] = w.pipe(w.init);
    const c = w.fork(w.init);
    const d = w.fork(w.init);
    w.sys(d, SYS.close, wr);
    expect(dep(fp(w, c, SYS.exit, 0), fp(w, d, SYS.read, r, BUF, 1))).toBe(true);
    w.sys(c, SYS.close, wr);
    w.sys(c, SYS.close, r);
    expect(dep(fp(w, c, SYS.exit, 0), fp(w, d, SYS.read, r, BUF, 1))).toBe(false);
  });

  it('process table: exits of siblings commute, each depends on the parent wait; getppid on the parent exit', () => {
    const w = new World();
    const parent = w.fork(w.init);
    const [c1, c2] = [w.fork(parent), w.fork(parent)];
    const other = w.fork(w.init);
    const exit1 = fp(w, c1, SYS.exit, 0);
    expect(dep(exit1, fp(w, c2, SYS.exit, 0))).toBe(false);
    expect(dep(exit1, fp(w, parent, SYS.wait4, -1, 0, 0, 0))).toBe(true);
    expect(dep(exit1, fp(w, parent, SYS.write, 1, BUF, 1))).toBe(false);
    expect(dep(fp(w, c1, SYS.getppid), fp(w, parent, SYS.exit, 0))).toBe(true);
    expect(dep(fp(w, c1, SYS.getppid), fp(w, other, SYS.exit, 0))).toBe(false);
    // Forks allocate pids: two forks do not commute.
    expect(dep(fp(w, parent, SYS.clone, SIGCHLD, 0, 0, 0, 0), fp(w, other, SYS.clone, SIGCHLD, 0, 0, 0, 0))).toBe(true);
    // With a SIGCHLD handler the parent's pending signal records the first child: exits conflict.
    w.sigaction(parent, SIGCHLD, 0x10000);
    expect(dep(fp(w, c1, SYS.exit, 0), fp(w, c2, SYS.exit, 0))).toBe(true);
  });

  it('wait: a wait that collects a zombie at once ignores the other children; one that blocks depends on every exit', () => {
    const w = new World();
    const parent = w.fork(w.init);
    const [c1, c2, c3] = [w.fork(parent), w.fork(parent), w.fork(parent)];
    expect(w.sys(c2, SYS.exit, 0)).toBe('dead');
    const exit1 = fp(w, c1, SYS.exit, 0);
    const exit3 = fp(w, c3, SYS.exit, 0);
    // wait4(c2): c2 is a zombie, nothing else matters.
    expect(dep(fp(w, parent, SYS.wait4, c2.pid, 0, 0, 0), exit1)).toBe(false);
    // wait4(-1) collects the first zombie in list order: c1 (before c2) could still be first, c3 cannot.
    const any = fp(w, parent, SYS.wait4, -1, 0, 0, 0);
    expect(dep(any, exit1)).toBe(true);
    expect(dep(any, exit3)).toBe(false);
    // wait4(c1) would block: any child's exit wakes it.
    const blocking = fp(w, parent, SYS.wait4, c1.pid, 0, 0, 0);
    expect(dep(blocking, exit3)).toBe(true);
    // With WNOHANG it does not block: only c1 matters.
    const nohang = fp(w, parent, SYS.wait4, c1.pid, 0, 1, 0);
    expect(dep(nohang, exit3)).toBe(false);
    expect(dep(nohang, exit1)).toBe(true);
    // A parent asleep in a wait: the first exit wakes it and decides what it collects.
    const v = new World();
    const sleeper = v.fork(v.init);
    const [d1, d2] = [v.fork(sleeper), v.fork(sleeper)];
    const other = v.fork(v.init);
    v.sigaction(sleeper, SIGTERM, 0x10000);
    expect(dep(fp(v, d1, SYS.exit, 0), fp(v, d2, SYS.exit, 0))).toBe(false);
    expect(v.sys(sleeper, SYS.wait4, -1, 0, 0, 0)).toBe('blocked');
    expect(dep(fp(v, d1, SYS.exit, 0), fp(v, d2, SYS.exit, 0))).toBe(true);
    // So does a signal that wakes it.
    expect(dep(fp(v, d1, SYS.exit, 0), fp(v, other, SYS.kill, sleeper.pid, SIGTERM))).toBe(true);
    // Collecting c2 removes its entry: a kill of c2 depends on it.
    expect(dep(fp(w, parent, SYS.wait4, c2.pid, 0, 0, 0), fp(w, c3, SYS.kill, c2.pid, 0))).toBe(true);
  });

  it('signals: kill depends on every step of its target; kill(pid, 0) only on its exit', () => {
    const w = new World();
    const [c1, c2] = [w.fork(w.init), w.fork(w.init)];
    const c3 = w.fork(w.init);
    const term = fp(w, c1, SYS.kill, c2.pid, SIGTERM);
    expect(dep(term, fp(w, c2, SYS.getpid))).toBe(true);
    expect(dep(term, fp(w, c3, SYS.getpid))).toBe(false);
    const probe = fp(w, c1, SYS.kill, c2.pid, 0);
    expect(dep(probe, fp(w, c2, SYS.getpid))).toBe(false);
    expect(dep(probe, fp(w, c2, SYS.exit, 0))).toBe(true);
    // A pid that does not exist yet: the next fork may create it.
    expect(dep(fp(w, c1, SYS.kill, 400, SIGTERM), fp(w, c3, SYS.clone, SIGCHLD, 0, 0, 0, 0))).toBe(true);
    // A pending signal makes the target's next step global.
    c2.pending = 1n << BigInt(SIGTERM - 1);
    expect(fp(w, c2, SYS.getpid).global).toBe(true);
  });

  it('time, exec, unknown syscalls and kernel variants are global', () => {
    const w = new World();
    const c = w.fork(w.init);
    for (const nr of [SYS.clock_gettime, SYS.nanosleep, SYS.execve, SYS.setpgid, 999]) {
      const f = fp(w, c, nr, 0, 0, 0);
      expect(f.global, `syscall ${nr}`).toBe(true);
      expect(dep(f, fp(w, w.init, SYS.getpid))).toBe(true);
    }
    const legacy = new World({ variant: 'legacy-rollback' });
    expect(fp(legacy, legacy.init, SYS.getpid).global).toBe(true);
  });

  it('files: the filesystem is one resource; /proc paths are global', () => {
    const w = new World({ files: [{ path: '/tmp/f', bytes: enc('x'), mode: 0o644 }] });
    const [c1, c2] = [w.fork(w.init), w.fork(w.init)];
    w.poke(c1, BUF, enc('/tmp/f\0'));
    w.poke(c2, BUF, enc('/tmp/g\0'));
    const open = fp(w, c1, SYS.openat, -100, BUF, 0, 0);
    expect(open.global).toBe(false);
    expect(dep(open, fp(w, c2, SYS.openat, -100, BUF, 0, 0))).toBe(false);
    expect(dep(open, fp(w, c2, SYS.openat, -100, BUF, 0o100, 0o644))).toBe(true);
    w.poke(c2, BUF, enc('/proc/self/comm\0'));
    expect(fp(w, c2, SYS.openat, -100, BUF, 0, 0).global).toBe(true);
  });

  it('a write that raises SIGPIPE is global before it runs (a step asleep must not commute with a death), and settles as such', () => {
    const w = new World();
    const [r, wr] = w.pipe(w.init);
    const c = w.fork(w.init);
    w.sys(w.init, SYS.close, r);
    w.sys(c, SYS.close, r);
    w.poke(c, BUF, enc('x'));
    const f = fp(w, c, SYS.write, wr, BUF, 1);
    expect(f.globalReason).toBe('write to a pipe without readers');
    w.k.execute(c);
    expect(c.waitStatus).toBe(SIGPIPE);
    f.settle();
    expect(f.globalReason).toBe('write to a pipe without readers');
    // An exit is accounted for: settling it changes nothing.
    const d = w.fork(w.init);
    const e = fp(w, d, SYS.exit, 0);
    w.k.execute(d);
    e.settle();
    expect(e.global).toBe(false);
  });
});
