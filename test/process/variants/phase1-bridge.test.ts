// phase1-bridge: identity from the process table and process events, but still the rollback
// fork (the parent resumes only after its child exited; rollback-fork.test.ts) and wait4's
// "already exited" shortcut.
import { describe, expect, it } from 'vitest';
import { CapturedConsole } from '../../../src/process/console.ts';
import { ERRNO } from '../../../src/process/errno.ts';
import { Kernel } from '../../../src/process/kernel.ts';
import { Process } from '../../../src/process/process.ts';
import { runProgram } from '../../../src/process/run.ts';
import { SIGCHLD } from '../../../src/process/signals.ts';
import { SYS } from '../../../src/process/sysno.ts';
import { readGuest } from '../../support/guests.ts';
import { oracleSuite } from '../../support/oracle.ts';
import { bootRollback, GUEST_PATH, lines, mostProcesses, runRollback, runScheduled } from './support.ts';

const V = 'phase1-bridge';

oracleSuite('phase1-bridge kernel', ['cross-gcc'], () => {
  it('identity comes from the table: distinct pids, the parent as ppid, tid = pid', () => {
    const r = runRollback(V, 'identity');
    expect(r.exitCode).toBe(0);
    expect(lines(r.out)).toEqual([
      'parent: pid=1 ppid=0 tid=1',
      'child: pid=2 ppid=1 tid=2',
      'parent: fork returned 2',
      'parent: waitpid returned the child: yes, exited 2',
      'parent: pid=1 ppid=0 tid=1',
    ]);
  });

  it('process events drain in order: spawn, exec, spawn, exit, SIGCHLD, wait-wakeup, reap, exit', () => {
    const { k, init } = bootRollback(V, 'identity');
    runScheduled(k, init, (ready) => ready[0]);
    const { events, dropped } = k.events.drain();
    expect(dropped).toBe(0);
    expect(events).toEqual([
      { seq: 0, kind: 'spawn', pid: 1, ppid: 0 },
      { seq: 1, kind: 'exec', pid: 1, path: GUEST_PATH },
      { seq: 2, kind: 'spawn', pid: 2, ppid: 1 },
      { seq: 3, kind: 'exit', pid: 2, status: 2 << 8 },
      { seq: 4, kind: 'signal', pid: 1, sig: SIGCHLD, from: 2 },
      { seq: 5, kind: 'wait-wakeup', pid: 2, ppid: 1 },
      { seq: 6, kind: 'reap', pid: 2, ppid: 1, status: 2 << 8 },
      { seq: 7, kind: 'exit', pid: 1, status: 0 },
    ]);
    expect(k.events.drain().events).toEqual([]);
  });

  it('wait4 reads the table: selectors work, each child is reaped once', () => {
    expect(lines(runRollback(V, 'wait').out)).toEqual([
      'waitpid(-1) before any fork: -1 ECHILD',
      'waitpid(A): A, exited 3',
      'waitpid(-1): B, exited 4',
      'waitpid(-1, WNOHANG): ECHILD',
    ]);
    // Both exited children are zombies in the table until waited for.
    expect(mostProcesses(V, 'wait')).toBe(3);
  });

  it('exec in the child keeps its table identity', () => {
    expect(lines(runRollback(V, 'exec').out)).toEqual([
      'execd: pid=2 ppid=1',
      'parent: child exited 7',
      'parent: own O_CLOEXEC fd 3: EBADF',
    ]);
  });

  it('fork-wait behaves as on the reference kernel', () => {
    const run = (kernel: 'reference' | 'phase1-bridge') =>
      runProgram({ elf: readGuest('fork-wait'), path: '/bin/fork-wait', argv: ['fork-wait'], kernel });
    const [ref, bridge] = [run('reference'), run(V)];
    expect(bridge.exitCode).toBe(0);
    expect(Buffer.from(bridge.stdout).toString()).toBe(Buffer.from(ref.stdout).toString());
  });
});

describe('phase1-bridge wait4, on a child that still runs', () => {
  // A rollback parent never sees its child run; the shortcut is checked on a table built by hand.
  function family() {
    const k = new Kernel({ console: new CapturedConsole(), seed: 0, variant: V });
    const parent = new Process(1);
    const child = new Process(2);
    child.parent = parent;
    parent.children.push(child);
    k.procs.set(1, parent);
    k.procs.set(2, child);
    const wait4 = (pid: number, options: number) => k.variant.handlers[SYS.wait4]!(k, parent, Float64Array.of(pid, 0, options, 0, 0, 0));
    return { k, parent, child, wait4 };
  }
  const WNOHANG = 1;

  it('WNOHANG returns 0 while the child runs; without it, ECHILD and the caller does not block', () => {
    const { parent, wait4 } = family();
    expect(wait4(-1, WNOHANG)).toBe(0);
    expect(wait4(2, WNOHANG)).toBe(0);
    expect(wait4(-1, 0)).toBe(-ERRNO.ECHILD);
    expect(parent.state).toBe('running');
    expect(wait4(3, WNOHANG)).toBe(-ERRNO.ECHILD); // no such child
    expect(wait4(-1, 0x8000)).toBe(-ERRNO.EINVAL); // an unknown option
  });

  it('once the child exited: a wait-wakeup event, then one reap', () => {
    const { k, child, wait4 } = family();
    k.terminate(child, 3 << 8);
    expect(k.events.drain().events.map((e) => [e.kind, e.pid])).toEqual([
      ['exit', 2],
      ['signal', 1],
      ['wait-wakeup', 2],
    ]);
    expect(wait4(-1, 0)).toBe(2);
    expect(k.procs.has(2)).toBe(false);
    expect(k.events.drain().events).toEqual([{ seq: 3, kind: 'reap', pid: 2, ppid: 1, status: 3 << 8 }]);
    expect(wait4(-1, 0)).toBe(-ERRNO.ECHILD);
    expect(wait4(-1, WNOHANG)).toBe(-ERRNO.ECHILD);
  });
});
