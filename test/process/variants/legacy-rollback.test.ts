// legacy-rollback on real guests: one identity for everyone, wait4 knows one remembered
// child, and no process events. What it shares with phase1-bridge (the rollback fork itself)
// is in rollback-fork.test.ts.
import { expect, it } from 'vitest';
import { runProgram } from '../../../src/process/run.ts';
import { readGuest } from '../../support/guests.ts';
import { oracleSuite } from '../../support/oracle.ts';
import { bootRollback, lines, mostProcesses, runRollback, runScheduled } from './support.ts';

const V = 'legacy-rollback';

oracleSuite('legacy-rollback kernel', ['cross-gcc'], () => {
  it('everyone is pid 1 with parent 0 and tid 1; fork still returns a child pid', () => {
    const r = runRollback(V, 'identity');
    expect(r.exitCode).toBe(0);
    expect(lines(r.out)).toEqual([
      'parent: pid=1 ppid=0 tid=1',
      'child: pid=1 ppid=0 tid=1',
      'parent: fork returned 2',
      // The child exited with getpid() & 0xff: 1.
      'parent: waitpid returned the child: yes, exited 1',
      'parent: pid=1 ppid=0 tid=1',
    ]);
  });

  it('wait4 returns the one remembered child (the last forked, whatever pid is asked), then ECHILD', () => {
    expect(lines(runRollback(V, 'wait').out)).toEqual([
      'waitpid(-1) before any fork: -1 ECHILD',
      'waitpid(A): B, exited 4',
      'waitpid(-1): ECHILD',
      'waitpid(-1, WNOHANG): ECHILD',
    ]);
    // Forking B forgot A: the table never holds more than the parent and one child.
    expect(mostProcesses(V, 'wait')).toBe(2);
  });

  it("exec in the child keeps identity 1, and closes the parent's O_CLOEXEC fds (one table)", () => {
    expect(lines(runRollback(V, 'exec').out)).toEqual([
      'execd: pid=1 ppid=0',
      'parent: child exited 7',
      'parent: own O_CLOEXEC fd 3: EBADF',
    ]);
  });

  it('records no process events', () => {
    const { k, init } = bootRollback(V, 'wait');
    runScheduled(k, init, (ready) => ready[0]);
    expect(init.waitStatus).toBe(0);
    expect(k.events.drain()).toEqual({ events: [], dropped: 0 });
  });

  it('fork-wait: waitpid(first child) gets the last one, so the guest gives up', () => {
    const r = runProgram({ elf: readGuest('fork-wait'), path: '/bin/fork-wait', argv: ['fork-wait'], kernel: V });
    expect(r.exitCode).toBe(1);
    expect(Buffer.from(r.stdout).toString()).toBe(
      ['parent: forking', ...[0, 1, 2].map((i) => `child ${i}: ppid matches: no`), ''].join('\n'),
    );
    expect(Buffer.from(r.stderr).toString()).toBe('waitpid: Success\n');
  });
});
