// The process table: the only source of identity. Fork fails with EAGAIN when it is full
// and leaves nothing half-made; pids are deterministic; init's death takes everyone with it;
// orphans go to pid 1 or to the nearest living subreaper; groups and sessions; what fork
// copies and what it shares.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ERRNO } from '../../../src/process/errno.ts';
import { Kernel } from '../../../src/process/kernel.ts';
import { CapturedConsole } from '../../../src/process/console.ts';
import { SIGCHLD, SIGKILL } from '../../../src/process/signals.ts';
import { BUF, PUPPET_PATH, SYS, World, enc } from './harness.ts';

const WNOHANG = 1;
const PR_SET_CHILD_SUBREAPER = 36;
const PR_GET_CHILD_SUBREAPER = 37;
const CLONE_VM = 0x100;
const CLONE_VFORK = 0x4000;
const CLONE_PARENT_SETTID = 0x100000;
const CLONE_CHILD_CLEARTID = 0x200000;
const CLONE_CHILD_SETTID = 0x1000000;

describe('a full process table', () => {
  it('fork gets EAGAIN and nothing is half-made', () => {
    const w = new World({ maxProcs: 4 });
    const { k, init } = w;
    const [, wr] = w.pipe(init);
    const kids = [w.fork(init), w.fork(init), w.fork(init)];
    expect(kids.map((c) => c.pid)).toEqual([2, 3, 4]);
    const pipe = (init.fds.file(wr).backend as unknown as { pipe: { writers: number } }).pipe;
    const before = { size: k.procs.size, children: [...init.children], writers: pipe.writers, refs: init.fds.file(wr).refs };
    k.events.drain();
    expect(w.sys(init, SYS.clone, SIGCHLD, 0, 0, 0, 0)).toBe(-ERRNO.EAGAIN);
    expect(w.sys(kids[0], SYS.clone, SIGCHLD, 0, 0, 0, 0)).toBe(-ERRNO.EAGAIN); // from anyone
    expect(w.sys(init, SYS.clone, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0)).toBe(-ERRNO.EAGAIN);
    expect(init.state).toBe('running'); // a failed vfork does not leave the parent waiting
    expect(k.procs.size).toBe(before.size);
    expect(init.children).toEqual(before.children);
    expect(pipe.writers).toBe(before.writers);
    expect(init.fds.file(wr).refs).toBe(before.refs);
    expect(k.events.drain().events).toEqual([]);
    // A zombie still holds its slot; reaping it frees the slot for the next pid in order.
    expect(w.sys(kids[1], SYS.exit, 0)).toBe('dead');
    expect(w.sys(init, SYS.clone, SIGCHLD, 0, 0, 0, 0)).toBe(-ERRNO.EAGAIN);
    expect(w.sys(init, SYS.wait4, kids[1].pid, 0, 0, 0)).toBe(kids[1].pid);
    expect(w.fork(init).pid).toBe(5);
  });

  it('rejects a bad maxProcs with a one-line error', () => {
    for (const bad of [0, -3, 2.5]) {
      expect(() => new Kernel({ console: new CapturedConsole(), seed: 0, maxProcs: bad })).toThrow(/^maxProcs must be/);
    }
  });

  // Model: a map pid -> parent pid and state; pids count up from 1; the table holds live
  // processes and zombies; orphans go to pid 1, zombies included.
  type Op = { kind: 'fork' | 'exit' | 'wait'; who: number };
  const ops = fc.array(
    fc.record({ kind: fc.constantFrom<Op['kind']>('fork', 'fork', 'exit', 'wait'), who: fc.nat(20) }),
    { maxLength: 30 },
  );

  function runOps(maxProcs: number, list: Op[]): { trace: (number | string)[]; events: string[] } {
    const w = new World({ maxProcs });
    const { k } = w;
    const model = new Map<number, { ppid: number; zombie: boolean }>([[1, { ppid: 0, zombie: false }]]);
    let nextPid = 2;
    const trace: (number | string)[] = [];
    for (const op of list) {
      const live = [...model.entries()].filter(([, m]) => !m.zombie).map(([pid]) => pid);
      const pid = live[op.who % live.length];
      const p = k.procs.get(pid)!;
      if (op.kind === 'fork') {
        const r = w.sys(p, SYS.clone, SIGCHLD, 0, 0, 0, 0);
        if (model.size >= maxProcs) expect(r).toBe(-ERRNO.EAGAIN);
        else {
          expect(r).toBe(nextPid);
          model.set(nextPid++, { ppid: pid, zombie: false });
          k.advance(k.procs.get(r as number)!, 100);
        }
        trace.push(r);
      } else if (op.kind === 'exit') {
        if (pid === 1) continue; // init's death is another test
        expect(w.sys(p, SYS.exit, 0)).toBe('dead');
        model.get(pid)!.zombie = true;
        for (const m of model.values()) if (m.ppid === pid) m.ppid = 1;
        trace.push(`x${pid}`);
      } else {
        const r = w.sys(p, SYS.wait4, -1, 0, WNOHANG, 0);
        const kids = [...model.entries()].filter(([, m]) => m.ppid === pid);
        const zombie = kids.find(([, m]) => m.zombie);
        if (kids.length === 0) expect(r).toBe(-ERRNO.ECHILD);
        else if (zombie === undefined) expect(r).toBe(0);
        else {
          // Children are listed in the order they became ours: any zombie is a valid answer,
          // the model only checks it was one and removes it.
          expect(model.get(r as number)?.zombie).toBe(true);
          expect(model.get(r as number)?.ppid).toBe(pid);
          model.delete(r as number);
        }
        trace.push(r);
      }
      expect([...k.procs.keys()].sort((a, b) => a - b)).toEqual([...model.keys()].sort((a, b) => a - b));
      for (const [q, m] of model) {
        expect(k.procs.get(q)!.ppid).toBe(m.ppid);
        expect(k.procs.get(q)!.state === 'zombie').toBe(m.zombie);
      }
    }
    const events = k.events.drain().events;
    // Every process exits at most once and is reaped at most once, after its exit; the
    // zombies the model removed are exactly the ones reaped.
    const exits = events.filter((e) => e.kind === 'exit').map((e) => e.pid);
    const reaps = events.filter((e) => e.kind === 'reap').map((e) => e.pid);
    expect(new Set(exits).size).toBe(exits.length);
    expect(new Set(reaps).size).toBe(reaps.length);
    for (const pid of reaps) {
      expect(events.findIndex((e) => e.kind === 'exit' && e.pid === pid)).toBeLessThan(events.findIndex((e) => e.kind === 'reap' && e.pid === pid));
      expect(model.has(pid)).toBe(false);
    }
    expect(reaps.length + model.size).toBe(events.filter((e) => e.kind === 'spawn').length);
    return { trace, events: events.map((e) => JSON.stringify(e)) };
  }

  it('fork/exit/wait against a table model: EAGAIN exactly when full, pids in order, orphans to pid 1 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), ops, (maxProcs, list) => {
        runOps(maxProcs, list);
      }),
      { numRuns: 150 },
    );
  });

  it('the same operations give the same pids and the same event stream twice (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), ops, (maxProcs, list) => {
        expect(runOps(maxProcs, list)).toEqual(runOps(maxProcs, list));
      }),
      { numRuns: 50 },
    );
  });
});

describe('pid allocation', () => {
  it('counts up, wraps to 300 after 32767, and skips pids still in use as pid, pgid or sid', () => {
    const w = new World();
    const { k, init } = w;
    for (let i = 0; i < 298; i++) k.allocPid(); // pids 2..299 came and went
    const a = w.fork(init);
    expect(a.pid).toBe(300);
    expect(w.sys(a, SYS.setpgid, 0, 0)).toBe(0);
    const b = w.fork(a); // 301, in group 300
    const s = w.fork(init); // 302
    expect(w.sys(s, SYS.setsid)).toBe(302);
    const t = w.fork(s); // 303, in session and group 302
    const z = w.fork(init); // 304
    expect([b.pid, t.pid, z.pid]).toEqual([301, 303, 304]);
    for (const q of [a, s]) {
      expect(w.sys(q, SYS.exit, 0)).toBe('dead');
      expect(w.sys(init, SYS.wait4, q.pid, 0, 0, 0)).toBe(q.pid);
    }
    expect(w.sys(z, SYS.exit, 0)).toBe('dead'); // a zombie keeps its pid
    expect([300, 302].map((pid) => k.procs.has(pid))).toEqual([false, false]);
    let last = 0;
    for (let i = 304; i < 32767; i++) last = k.allocPid()!;
    expect(last).toBe(32767);
    // 300 names b's group, 302 t's session and group, 301, 303, 304 are in the table.
    expect(k.allocPid()).toBe(305);
    const w2 = new World();
    expect(w2.fork(w2.init).pid).toBe(2); // a fresh kernel starts over: nothing global
  });
});

describe('the death of pid 1', () => {
  it('kills every other process, blocked, running or zombie, and empties the table', () => {
    const w = new World();
    const { k, init } = w;
    const a = w.fork(init);
    const b = w.fork(a);
    const z = w.fork(init);
    expect(w.sys(z, SYS.exit, 0)).toBe('dead');
    expect(w.sys(a, SYS.wait4, -1, 0, 0, 0)).toBe('blocked');
    k.events.drain();
    expect(w.sys(init, SYS.exit, 5)).toBe('dead');
    expect([...k.procs.keys()]).toEqual([1]);
    expect([a.state, b.state]).toEqual(['zombie', 'zombie']);
    expect([a.waitStatus, b.waitStatus]).toEqual([SIGKILL, SIGKILL]);
    expect(init.waitStatus).toBe(5 << 8);
    const exits = k.events.drain().events.filter((e) => e.kind === 'exit');
    expect(exits.map((e) => [e.pid, e.status])).toEqual([[1, 5 << 8], [a.pid, SIGKILL], [b.pid, SIGKILL]]);
  });
});

describe('orphans', () => {
  it('go to pid 1, which can wait for them; getppid follows', () => {
    const w = new World();
    const { init } = w;
    const p = w.fork(init);
    const c = w.fork(p);
    expect(w.sys(c, SYS.getppid)).toBe(p.pid);
    expect(w.sys(p, SYS.exit, 0)).toBe('dead');
    expect(w.sys(c, SYS.getppid)).toBe(1);
    expect(init.children).toContain(c);
    expect(w.sys(init, SYS.wait4, p.pid, 0, 0, 0)).toBe(p.pid);
    expect(w.sys(init, SYS.wait4, -1, 0, WNOHANG, 0)).toBe(0); // c still runs
    expect(w.sys(c, SYS.exit, 2)).toBe('dead');
    expect(w.sys(init, SYS.wait4, -1, BUF, 0, 0)).toBe(c.pid);
    expect(w.i32(init, BUF)).toBe(2 << 8);
  });

  it('an orphaned zombie is handed over as a zombie and wakes its new parent', () => {
    const w = new World();
    const { k, init } = w;
    const p = w.fork(init);
    const c = w.fork(p);
    expect(w.sys(c, SYS.exit, 6)).toBe('dead'); // p never waits
    expect(w.sys(init, SYS.wait4, c.pid, BUF, 0, 0)).toBe(-ERRNO.ECHILD); // not ours yet
    expect(w.sys(init, SYS.wait4, p.pid, 0, WNOHANG, 0)).toBe(0);
    k.events.drain();
    expect(w.sys(p, SYS.exit, 0)).toBe('dead');
    const wakes = k.events.drain().events.filter((e) => e.kind === 'wait-wakeup');
    expect(wakes.map((e) => [e.pid, e.ppid])).toEqual([[c.pid, 1], [p.pid, 1]]);
    expect(w.sys(init, SYS.wait4, c.pid, BUF, 0, 0)).toBe(c.pid);
    expect(w.i32(init, BUF)).toBe(6 << 8);
  });

  it('go to the nearest living PR_SET_CHILD_SUBREAPER ancestor, else to pid 1', () => {
    const w = new World();
    const { init } = w;
    const s = w.fork(init);
    expect(w.sys(s, SYS.prctl, PR_SET_CHILD_SUBREAPER, 1)).toBe(0);
    expect(w.sys(s, SYS.prctl, PR_GET_CHILD_SUBREAPER, BUF)).toBe(0);
    expect(w.i32(s, BUF)).toBe(1);
    const p = w.fork(s);
    const q = w.fork(p);
    const c = w.fork(q);
    expect(w.sys(q, SYS.exit, 0)).toBe('dead'); // q's parent p is no subreaper: s is the nearest
    expect(w.sys(c, SYS.getppid)).toBe(s.pid);
    expect(w.sys(s, SYS.wait4, -1, 0, WNOHANG, 0)).toBe(0); // c runs; q is p's zombie
    expect(w.sys(s, SYS.exit, 0)).toBe('dead'); // the subreaper dies: pid 1 inherits
    expect(w.sys(c, SYS.getppid)).toBe(1);
    expect(w.sys(p, SYS.getppid)).toBe(1);
    // The flag is not inherited by fork.
    const t = w.fork(init);
    expect(w.sys(t, SYS.prctl, PR_GET_CHILD_SUBREAPER, BUF)).toBe(0);
    expect(w.i32(t, BUF)).toBe(0);
  });
});

describe('groups and sessions', () => {
  it('the first process is pid = pgid = sid = 1; a child inherits the group and session', () => {
    const w = new World();
    const { init } = w;
    expect([w.sys(init, SYS.getpid), w.sys(init, SYS.getppid), w.sys(init, SYS.gettid)]).toEqual([1, 0, 1]);
    expect([w.sys(init, SYS.getpgid, 0), w.sys(init, SYS.getsid, 0)]).toEqual([1, 1]);
    const c = w.fork(init);
    expect([w.sys(c, SYS.getpid), w.sys(c, SYS.getppid), w.sys(c, SYS.gettid)]).toEqual([2, 1, 2]);
    expect([w.sys(c, SYS.getpgid, 0), w.sys(c, SYS.getsid, 0)]).toEqual([1, 1]);
    expect(w.sys(init, SYS.getpgid, c.pid)).toBe(1);
    expect(w.sys(init, SYS.getpgid, 999)).toBe(-ERRNO.ESRCH);
    expect(w.sys(init, SYS.getsid, 999)).toBe(-ERRNO.ESRCH);
  });

  it('setpgid and setsid errno paths', () => {
    const w = new World();
    const { init } = w;
    const c = w.fork(init);
    const d = w.fork(init);
    const g = w.fork(c);
    expect(w.sys(init, SYS.setpgid, 0, 0)).toBe(-ERRNO.EPERM); // a session leader
    expect(w.sys(init, SYS.setsid)).toBe(-ERRNO.EPERM); // a group leader
    expect(w.sys(c, SYS.setpgid, 0, -1)).toBe(-ERRNO.EINVAL);
    expect(w.sys(init, SYS.setpgid, g.pid, 0)).toBe(-ERRNO.ESRCH); // a grandchild
    expect(w.sys(c, SYS.setpgid, 0, 4242)).toBe(-ERRNO.EPERM); // no such group
    expect(w.sys(init, SYS.setpgid, c.pid, 0)).toBe(0); // parent moves a child: group c.pid
    expect(w.sys(d, SYS.setpgid, 0, c.pid)).toBe(0); // join an existing group
    expect(w.sys(d, SYS.getpgid, 0)).toBe(c.pid);
    expect(w.sys(c, SYS.setsid)).toBe(-ERRNO.EPERM); // c leads a group
    expect(w.sys(g, SYS.setsid)).toBe(g.pid); // g is in c's group, not leading one
    expect([g.pgid, g.sid]).toEqual([g.pid, g.pid]);
    expect(w.sys(c, SYS.setpgid, g.pid, c.pid)).toBe(-ERRNO.EPERM); // another session
    // After exec a child can no longer be moved by its parent; exec kept pid, ppid, pgid.
    w.poke(d, BUF, enc(`${PUPPET_PATH}\0`));
    w.putU64(d, BUF + 64, 0);
    expect(w.sys(d, SYS.execve, BUF, BUF + 64, BUF + 64)).toBe(0); // a0 of the fresh image
    expect(d.cpu.pc).toBe(0x10000);
    expect([w.sys(d, SYS.getpid), w.sys(d, SYS.getppid), w.sys(d, SYS.getpgid, 0)]).toEqual([d.pid, 1, c.pid]);
    expect(w.sys(init, SYS.setpgid, d.pid, 0)).toBe(-ERRNO.EACCES);
  });
});

describe('what fork copies and what it shares', () => {
  it('memory is private after fork in both directions', () => {
    const w = new World();
    const { init } = w;
    w.poke(init, BUF, enc('parent'));
    const c = w.fork(init);
    expect(w.sys(c, SYS.getrandom, BUF, 6, 0)).toBe(6);
    expect(Buffer.from(w.peek(init, BUF, 6)).toString()).toBe('parent');
    w.poke(init, BUF + 100, enc('later'));
    expect(w.peek(c, BUF + 100, 5)).toEqual(new Uint8Array(5));
  });

  it('descriptors are copied, open file descriptions (and offsets) shared', () => {
    const w = new World({ files: [{ path: '/data.txt', bytes: enc('abcdefgh'), mode: 0o644 }] });
    const { init } = w;
    w.poke(init, BUF, enc('/data.txt\0'));
    const fd = w.sys(init, SYS.openat, -100, BUF, 0, 0) as number;
    expect(fd).toBe(3);
    const c = w.fork(init);
    expect(w.sys(c, SYS.read, fd, BUF + 64, 3)).toBe(3);
    expect(w.sys(init, SYS.read, fd, BUF + 64, 3)).toBe(3);
    expect(Buffer.from(w.peek(init, BUF + 64, 3)).toString()).toBe('def');
    expect(w.sys(c, SYS.close, fd)).toBe(0); // closing in the child leaves the parent's
    expect(w.sys(init, SYS.read, fd, BUF + 64, 8)).toBe(2);
  });

  it('the clone tid flags write the pid; CLONE_CHILD_CLEARTID zeroes it at exit (seen through vfork)', () => {
    const w = new World();
    const { k, init } = w;
    const flags = CLONE_VM | CLONE_VFORK | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD;
    expect(w.sys(init, SYS.clone, flags, 0, BUF, 0, BUF + 8)).toBe('blocked');
    const c = k.procs.get(2)!;
    expect([w.i32(init, BUF), w.i32(init, BUF + 8)]).toEqual([2, 2]);
    k.advance(c, 100);
    expect(w.sys(c, SYS.exit, 0)).toBe('dead');
    expect(w.i32(init, BUF + 8)).toBe(0);
    expect(w.step(init)).toBe(2);
  });

  it('a vfork child that execs hands the memory back: the parent goes on with it intact', () => {
    const w = new World();
    const { k, init } = w;
    w.poke(init, BUF, enc(`${PUPPET_PATH}\0`));
    w.putU64(init, BUF + 64, 0);
    expect(w.sys(init, SYS.clone, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0)).toBe('blocked');
    const c = k.procs.get(2)!;
    k.advance(c, 100);
    expect(w.sys(c, SYS.execve, BUF, BUF + 64, BUF + 64)).toBe(0);
    expect(c.mem).not.toBe(init.mem);
    expect(init.state).toBe('running');
    expect(w.step(init)).toBe(2);
    expect(Buffer.from(w.peek(init, BUF, PUPPET_PATH.length)).toString()).toBe(PUPPET_PATH);
    expect(w.sys(c, SYS.getppid)).toBe(1); // the child runs its new image
  });

  it('a child stack pointer given to clone is the child\'s sp', () => {
    const w = new World();
    const { k, init } = w;
    expect(w.sys(init, SYS.clone, SIGCHLD, BUF + 0x800, 0, 0, 0)).toBe(2);
    expect(k.procs.get(2)!.cpu.getX(2)).toBe(BigInt(BUF + 0x800));
  });
});
