// The rollback fork (src/process/variants/rollback.ts) as both variants that keep it show it
// on real guests: the child runs alone while its parent is frozen in fork, a fork inside it
// fails with EAGAIN, and wait4 finds it already exited. What phase1-bridge undoes of the
// child (all its memory writes, the descriptors it opened) is here too; what legacy-rollback
// keeps instead is in legacy-rollback.test.ts.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { KernelVariantName } from '../../../src/process/variants/index.ts';
import { oracleSuite } from '../../support/oracle.ts';
import { bootRollback, lines, runRollback, runScheduled } from './support.ts';

/** What happened while the guest ran 'order' under a schedule (`pick` chooses among n ready). */
function underSchedule(kernel: KernelVariantName, pick: (n: number, step: number) => number) {
  const { k, init, console } = bootRollback(kernel, 'order');
  let childSeen = false;
  let parentRunnable = false;
  let parentAwake = false;
  runScheduled(
    k,
    init,
    (ready, step) => ready[pick(ready.length, step)],
    (ready) => {
      if (![...k.procs.values()].some((q) => q !== init && q.alive)) return;
      childSeen = true;
      if (ready.includes(init)) parentRunnable = true;
      if (init.state !== 'blocked') parentAwake = true;
    },
  );
  return { childSeen, parentRunnable, parentAwake, out: Buffer.from(console.stdout).toString() };
}

for (const V of ['legacy-rollback', 'phase1-bridge'] as const) {
  oracleSuite(`rollback fork on the ${V} kernel`, ['cross-gcc'], () => {
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

    it('under any schedule, the parent never runs while its child lives (what phase 2 changes)', () => {
      fc.assert(
        fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 32 }), (choices) => {
          const seen = underSchedule(V, (n, step) => choices[step % choices.length] % n);
          expect(seen).toMatchObject({ childSeen: true, parentRunnable: false, parentAwake: false });
          expect(seen.out).toMatch(/^child: exiting\nparent: resumed\n/);
        }),
        { numRuns: 12 },
      );
    });

    it('right after fork the child has already exited: WNOHANG reaps it, then ECHILD', () => {
      expect(lines(runRollback(V, 'wnohang').out)).toEqual([
        'waitpid(child, WNOHANG): the child, exited 5',
        'waitpid(child, WNOHANG) again: -1 ECHILD',
      ]);
    });
  });
}

oracleSuite('rollback fork on the phase1-bridge kernel: what it undoes of the child', ['cross-gcc'], () => {
  const V = 'phase1-bridge';

  it("the child's writes are rolled back: the parent's memory is as it was", () => {
    expect(lines(runRollback(V, 'memory').out)).toEqual([
      'child: wrote 2: global=2 local=2 heap=2',
      'parent: global=1 local=1 heap=1',
    ]);
  });

  it("the child's redirections of inherited fds leak to the parent; fds it opened are closed in bulk", () => {
    const r = runRollback(V, 'fds');
    expect(r.exitCode).toBe(0);
    // The parent's own stdout went into the child's file: fd 1 stayed redirected.
    expect(r.out).toBe('');
    expect(r.err).toBe(
      [
        "parent: fd 5 (child's file): EBADF",
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

  it('kill(getpid()) in the child signals the child', () => {
    expect(lines(runRollback(V, 'signal').out)).toEqual(['parent: child killed by SIGTERM', 'parent: pid=1 ppid=0 tid=1']);
  });
});

oracleSuite('rollback fork: the schedule check has teeth', ['cross-gcc'], () => {
  it('on the reference kernel, round-robin finds a schedule where the parent runs beside its child', () => {
    expect(underSchedule('reference', (n, step) => step % n).parentRunnable).toBe(true);
  });
});
