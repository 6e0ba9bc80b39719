// The kernel's bookkeeping checks (src/process/invariants.ts): silent on a healthy kernel,
// each breach named when the state is broken the way a half-done call or a careless teardown
// breaks it; and on generated programs under faults, every kernel keeps them after every step.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERRNO } from '../../../src/process/errno.ts';
import { brokenInvariant } from '../../../src/process/invariants.ts';
import { type PipeEnd, PipeReadEnd } from '../../../src/process/pipe.ts';
import { KERNEL_VARIANTS } from '../../../src/process/variants/index.ts';
import { verdictText } from '../../../src/sim/engine.ts';
import { RandomFaults } from '../../../src/sim/faults.ts';
import { programArb } from '../../../src/sim/programs/arbitrary.ts';
import { encodeProgram } from '../../../src/sim/programs/program.ts';
import { generatedTarget } from '../../../src/sim/programs/run.ts';
import { RandomStrategy } from '../../../src/sim/strategies/random.ts';
import { simulateTarget } from '../../../src/sim/target.ts';
import { BUF, SYS, World } from './harness.ts';

/** p1 with a pipe, a fork child blocked reading it, and p1's own read end closed. */
function healthy(): { w: World; rfd: number; wfd: number } {
  const w = new World();
  const [rfd, wfd] = w.pipe(w.init);
  const c = w.fork(w.init);
  expect(w.sys(c, SYS.read, rfd, BUF, 16)).toBe('blocked');
  expect(w.sys(w.init, SYS.close, rfd)).toBe(0);
  return { w, rfd, wfd };
}

describe('kernel invariants', () => {
  it('hold on a healthy kernel: open pipes, a blocked reader, a zombie', () => {
    const { w, wfd } = healthy();
    expect(brokenInvariant(w.k)).toBeNull();
    const c = w.fork(w.init);
    expect(w.sys(c, SYS.exit_group, 3)).toBe('dead');
    expect(brokenInvariant(w.k)).toBeNull();
    expect(w.sys(w.init, SYS.write, wfd, BUF, 4)).toBe(4);
    expect(brokenInvariant(w.k)).toBeNull();
  });

  it('name a description counted wrong, a pipe end counted wrong, a dead process left on a queue', () => {
    let { w, wfd } = healthy();
    w.init.fds.get(wfd)!.file.refs++;
    expect(brokenInvariant(w.k)).toMatch(/^open file pipe:\[\d+\]: 2 descriptors refer to it, but it counts 3$/);

    ({ w, wfd } = healthy());
    // A read end made and dropped without its release: the pipe counts a reader too many.
    expect(new PipeReadEnd((w.init.fds.get(wfd)!.file.backend as PipeEnd).pipe)).toBeDefined();
    expect(brokenInvariant(w.k)).toMatch(/^pipe:\[\d+\]: 1 read and 1 write descriptions are open, but it counts 2 and 1$/);

    ({ w } = healthy());
    // A teardown that closes the reader's descriptors but leaves it on the pipe's queue.
    const child = [...w.k.procs.values()].find((q) => q.state === 'blocked')!;
    const queue = child.waitingOn[0];
    child.state = 'zombie';
    child.waitingOn = [];
    child.fds.closeAll();
    queue.add(child);
    expect(brokenInvariant(w.k)).toMatch(/^pipe:\[\d+\]: pid 2 is on its wait queue but not blocked on it \(zombie\)$/);
  });

  it('catch a failed call that leaves a descriptor behind (made before the check, never rolled back)', () => {
    const w = new World();
    w.k.checkFailedCalls = true;
    expect(w.sys(w.init, SYS.pipe2, 8, 0)).toBe(-ERRNO.EFAULT); // the reference rolls back
    expect(brokenInvariant(w.k)).toBeNull();
    w.k.syscallInterposer = (p, nr) => {
      if (nr !== SYS.openat) return null;
      p.fds.install(p.fds.file(0), false); // a descriptor made before the call failed
      return -ERRNO.ENOENT;
    };
    expect(w.sys(w.init, SYS.openat, -100, BUF, 0, 0)).toBe(-ERRNO.ENOENT);
    expect(brokenInvariant(w.k)).toMatch(/^pid 1: syscall 56 failed with errno 2 but opened fd 3$/);
  });

  it('hold after every step of generated programs under faults, on every kernel', () => {
    for (const kernel of KERNEL_VARIANTS) {
      for (const [p, seed] of fc.sample(fc.tuple(programArb(), fc.nat()), { numRuns: 40, seed: 11 })) {
        const faults = new RandomFaults({ kinds: ['fork', 'mem', 'signal'], rate: 0.3 }, seed);
        const text = encodeProgram(p);
        const r = simulateTarget(generatedTarget(text, kernel), { seed, strategy: new RandomStrategy(), faults, invariants: true });
        const bad = r.verdict.kind === 'invariant' || r.verdict.kind === 'crash';
        expect(bad ? `${kernel} ${text} seed ${seed} ${r.schedule}: ${verdictText(r.verdict)}` : null).toBeNull();
      }
    }
  });
});
