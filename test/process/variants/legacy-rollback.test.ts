// legacy-rollback on real guests, one test per behaviour the real legacy emulator was seen to
// have on static glibc programs (issue 10): one identity for everyone, fork returning a count
// from 100, wait4 knowing one remembered child, .data/.bss writes of a child kept, one
// descriptor table, no signals, the ENOSYS syscalls, and no process events. What it shares
// with phase1-bridge (the rollback fork itself: the child runs first and alone, a fork in a
// child fails with EAGAIN) is in rollback-fork.test.ts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { runProgram } from '../../../src/process/run.ts';
import { DEBIAN_ROOTFS } from '../../../src/sim/scenarios.ts';
import { readGuest } from '../../support/guests.ts';
import { guardedSuite, oracleSuite } from '../../support/oracle.ts';
import { bootRollback, lines, mostProcesses, runRollback, runScheduled, runVariantGuest } from './support.ts';

const V = 'legacy-rollback';
const PROBE = '/bin/legacy-probe';
const probe = (...args: string[]) => runVariantGuest(V, 'legacy-probe', PROBE, args);

oracleSuite('legacy-rollback kernel', ['cross-gcc'], () => {
  it('everyone is pid 1 with parent 0 and tid 1; fork returns 100, not a pid', () => {
    const r = runRollback(V, 'identity');
    expect(r.exitCode).toBe(0);
    expect(lines(r.out)).toEqual([
      'parent: pid=1 ppid=0 tid=1',
      'child: pid=1 ppid=0 tid=1',
      'parent: fork returned 100',
      // The child exited with getpid() & 0xff: 1; waitpid returns what fork returned.
      'parent: waitpid returned the child: yes, exited 1',
      'parent: pid=1 ppid=0 tid=1',
    ]);
  });

  it('fork returns 100, 101, ...; wait4 returns the last child once, with its status, then ECHILD', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 5 }), (codes) => {
        const r = probe('forks', ...codes.map(String));
        expect(r.exitCode).toBe(0);
        const last = 100 + codes.length - 1;
        expect(lines(r.out)).toEqual([
          ...codes.map((_, i) => `fork ${i}: ${100 + i}`),
          // Asked for the first child: the last one answers, and the earlier ones are lost.
          `waitpid(first): ${last} exited ${codes.at(-1)}`,
          'waitpid(-1): -1 ECHILD',
        ]);
      }),
      { numRuns: 8 },
    );
  });

  it('wait4 ignores its pid and options (WNOHANG too)', () => {
    expect(lines(probe('waitargs').out)).toEqual(['waitpid(424242, WNOHANG|WUNTRACED): 100 exited 3', 'waitpid(child): -1 ECHILD']);
    expect(lines(runRollback(V, 'wait').out)).toEqual([
      'waitpid(-1) before any fork: -1 ECHILD',
      'waitpid(A): B, exited 4',
      'waitpid(-1): ECHILD',
      'waitpid(-1, WNOHANG): ECHILD',
    ]);
    // Forking B forgot A: the table never holds more than the parent and one child.
    expect(mostProcesses(V, 'wait')).toBe(2);
  });

  it('a child that waits for its parent blocks forever: a deadlock', () => {
    const r = probe('waits-parent');
    expect(r.deadlock).toEqual(['pid 1: rollback-fork', 'pid 2: read']);
    expect(r.out).toBe('');
  });

  it("a child's writes to .data and .bss stay in the parent; heap, mmap and stack writes are undone", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 2 ** 31 - 1 }), (v) => {
        expect(lines(probe('memory', String(v)).out)).toEqual([`parent: data=${v} bss=${v} heap=1 mmap=1 stack=1`]);
      }),
      { numRuns: 6 },
    );
    expect(lines(runRollback(V, 'memory').out)).toEqual(['child: wrote 2: global=2 local=2 heap=2', 'parent: global=2 local=1 heap=1']);
  });

  it("one descriptor table: the child's opens, closes and dup2s are the parent's, and stay", () => {
    const r = runRollback(V, 'fds');
    expect(r.exitCode).toBe(0);
    // The parent's own stdout went into the child's file: fd 1 stayed redirected.
    expect(r.out).toBe('');
    expect(r.err).toBe(
      [
        // The child's file stays open in the parent.
        "parent: fd 5 (child's file): open",
        // The child closed the inherited write end of the pipe (fd 4), so its /dev/null got
        // fd 4, not 6, and stays: the parent's write to "the pipe" goes to /dev/null, read-only.
        "parent: fd 6 (child's /dev/null): EBADF",
        'parent: write to the pipe: EBADF',
        'parent: /tmp/out holds:',
        'child: this goes to /tmp/out',
        'parent: after the child',
        '',
      ].join('\n'),
    );
  });

  it('no signal is ever delivered: kill returns 0 and does nothing, raise returns, no SIGPIPE, abort exits 1', () => {
    const r = probe('signals');
    expect(lines(r.out)).toEqual([
      'child: kill(getpid(), SIGTERM): 0',
      'parent: kill(child, SIGKILL) after its exit: 0',
      'parent: waitpid(child): 100 exited 9',
      'parent: kill(getpid(), SIGTERM): 0',
      'parent: raise(SIGUSR1): 0',
      'parent: write to a pipe without reader: -1 EPIPE',
      'parent: abort()',
    ]);
    expect(r).toMatchObject({ exitCode: 1, signal: undefined });
    expect(lines(runRollback(V, 'signal').out)).toEqual(['parent: child exited 9', 'parent: pid=1 ppid=0 tid=1']);
  });

  it('rt_sigsuspend, setpgid, setsid, waitid and renameat2 (so rename) return ENOSYS', () => {
    const r = probe('enosys');
    expect(r.exitCode).toBe(0);
    expect(lines(r.out)).toEqual([
      'rt_sigsuspend: -1 ENOSYS',
      'setpgid(0, 0): -1 ENOSYS',
      'setsid: -1 ENOSYS',
      'waitid(P_ALL, WEXITED|WNOHANG): -1 ENOSYS',
      'renameat2(/tmp/a, /tmp/b): -1 ENOSYS',
      'rename(/tmp/a, /tmp/b): -1 ENOSYS',
    ]);
  });

  it('execve of a static program returns ENOSYS, in the top process and in a child', () => {
    expect(probe('exec', PROBE)).toMatchObject({ exitCode: 1, out: `execv(${PROBE}): -1 ENOSYS\n` });
    // A missing program is still ENOENT: only what would run is refused.
    expect(probe('exec', '/bin/none')).toMatchObject({ exitCode: 1, out: 'execv(/bin/none): -1 ENOENT\n' });
    // rollback's child execs itself: the exec fails (_exit 97), and the parent's O_CLOEXEC fd stays.
    expect(lines(runRollback(V, 'exec').out)).toEqual(['parent: child exited 97', 'parent: own O_CLOEXEC fd 3: open']);
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

const noRootfs = existsSync(join(DEBIAN_ROOTFS, 'usr', 'bin', 'true')) ? null : `${V} dynamic execve: Debian rootfs not built (fix: npm run rootfs)`;
oracleSuite('legacy-rollback kernel, dynamic programs', ['cross-gcc'], () => {
  guardedSuite('execve of a dynamically linked program', noRootfs, () => {
    it('runs it (only static programs are refused)', () => {
      const rootfs = { kind: 'host-dir' as const, path: DEBIAN_ROOTFS };
      expect(runVariantGuest(V, 'legacy-probe', PROBE, ['exec', '/usr/bin/true'], { rootfs })).toMatchObject({ exitCode: 0, out: '' });
      expect(runVariantGuest(V, 'legacy-probe', PROBE, ['exec', PROBE], { rootfs }).out).toBe(`execv(${PROBE}): -1 ENOSYS\n`);
    });
  });
});
