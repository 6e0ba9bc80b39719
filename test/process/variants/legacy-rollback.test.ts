// legacy-rollback on real guests: one identity for everyone, the child runs alone while its
// parent is frozen in fork, wait4 knows one remembered child, the child's redirections of
// inherited descriptors leak while what it opened is closed, and no process events.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { runProgram } from '../../../src/process/run.ts';
import { readGuest } from '../../support/guests.ts';
import { oracleSuite } from '../../support/oracle.ts';
import { bootRollback, runRollback, runScheduled } from './support.ts';

const V = 'legacy-rollback';
const lines = (s: string) => s.split('\n').filter((l) => l !== '');

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

  it('a fork inside the child fails with EAGAIN', () => {
    expect(lines(runRollback(V, 'nested').out)).toEqual(['child: nested fork: -1 EAGAIN']);
  });

  it('the parent resumes only after its child exited', () => {
    expect(lines(runRollback(V, 'order').out)).toEqual([
      'child: exiting',
      'parent: resumed',
      "parent: resumed after the child's 1 ms sleep: yes",
    ]);
  });

  it('under any schedule, the parent never runs while its child lives', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 32 }), (choices) => {
        const { k, init, console } = bootRollback(V, 'order');
        let childSeen = false;
        runScheduled(
          k,
          init,
          (ready, step) => ready[choices[step % choices.length] % ready.length],
          (ready) => {
            const child = [...k.procs.values()].find((q) => q !== init && q.alive);
            if (child === undefined) return;
            childSeen = true;
            expect(ready).not.toContain(init);
            expect(init.state).toBe('blocked');
          },
        );
        expect(childSeen).toBe(true);
        expect(Buffer.from(console.stdout).toString()).toMatch(/^child: exiting\nparent: resumed\n/);
      }),
      { numRuns: 12 },
    );
  });

  it("the child's writes are rolled back: the parent's memory is as it was", () => {
    expect(lines(runRollback(V, 'memory').out)).toEqual([
      'child: wrote 2: global=2 local=2 heap=2',
      'parent: global=1 local=1 heap=1',
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
    const { k, init } = bootRollback(V, 'wait');
    let most = 0;
    runScheduled(k, init, (ready) => ready[0], () => (most = Math.max(most, k.procs.size)));
    expect(most).toBe(2);
  });

  it('wait4 never blocks and never returns 0, WNOHANG or not', () => {
    expect(lines(runRollback(V, 'wnohang').out)).toEqual([
      'waitpid(child, WNOHANG): the child, exited 5',
      'waitpid(child, WNOHANG) again: -1 ECHILD',
    ]);
  });

  it("the child's redirections of inherited fds leak to the parent; fds it opened are closed in bulk", () => {
    const r = runRollback(V, 'fds');
    expect(r.exitCode).toBe(0);
    // The parent's own stdout went into the child's file: fd 1 stayed redirected.
    expect(r.out).toBe('');
    expect(r.err).toBe(
      [
        'parent: fd 5 (child\'s file): EBADF',
        "parent: fd 6 (child's /dev/null): EBADF",
        // The child closed the inherited write end of the pipe: the parent's is gone too.
        'parent: write to the pipe: EBADF',
        'parent: /tmp/out holds:',
        'child: this goes to /tmp/out',
        'parent: after the child',
        '',
      ].join('\n'),
    );
  });

  it("exec in the child keeps identity 1, and closes the parent's O_CLOEXEC fds (one table)", () => {
    expect(lines(runRollback(V, 'exec').out)).toEqual([
      'execd: pid=1 ppid=0',
      'parent: child exited 7',
      'parent: own O_CLOEXEC fd 3: EBADF',
    ]);
  });

  it('kill(getpid()) in the child signals the child: pid 1 names whoever runs', () => {
    expect(lines(runRollback(V, 'signal').out)).toEqual(['parent: child killed by SIGTERM', 'parent: pid=1 ppid=0 tid=1']);
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
