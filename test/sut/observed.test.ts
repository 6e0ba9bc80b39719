// Judging from outside, checked in-process: procsim's own kernels run the interp-sut guest
// and their console output is judged as an external emulator's would be. The reference
// kernel must never fail (no false failures: the view's exits and parents are only bounded)
// and its outcomes are always in its own outcome set; the legacy kernel and doctored
// outputs must fail.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHECK_PARAMS } from '../../src/sim/contracts/property.ts';
import { World } from '../../src/sim/contracts/world.ts';
import type { KernelVariantName } from '../../src/process/variants/index.ts';
import { choicesArb, programArb } from '../../src/sim/programs/arbitrary.ts';
import { decodeProgram, encodeProgram, type Program } from '../../src/sim/programs/program.ts';
import { GuidedStrategy } from '../../src/sim/strategies/guided.ts';
import { judgeObserved, SUT_PREDICATES, type SutGateId } from '../../src/sim/sut/judge.ts';
import { markedLines, ObservationError, outsideView } from '../../src/sim/sut/observed.ts';
import { outcomeText } from '../../src/sim/sut/outcome.ts';
import { BLOCKED_END, referenceOutcomes, sutTarget } from '../../src/sim/sut/reference.ts';
import { simulateTarget } from '../../src/sim/target.ts';

const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

/** A run of the interp-sut guest on one of procsim's kernels, as an emulator's output. */
function runOn(kernel: KernelVariantName, program: Program, choices: readonly number[] = []) {
  const r = simulateTarget({ ...sutTarget(encodeProgram(program)), kernel }, { seed: 0, strategy: new GuidedStrategy(choices, 'index') });
  return { stdout: latin1(r.stdout), stderr: latin1(r.stderr), end: r.procs[0].status, verdict: r.verdict.kind };
}

const GATES: SutGateId[] = ['P0.1', 'P0.2', 'P0.3', 'P0.4'];
// The shapes --sut generates (no reads), execs included.
const sutPrograms = programArb({ reads: false, pipeWeight: 2, imageWeight: 2 });

describe('marked observation lines', () => {
  it('are read from whichever stream has them, amid other output', () => {
    const out = 'o@procsim n0 start 0 1 1 @1\nhello\n@procsim n1 pid 1 @1\n';
    expect(markedLines(out, 'some noise\n').map((l) => [l.node, l.tag, l.vals, l.pid])).toEqual([
      [0, 'start', ['0', '1', '1'], 1],
      [1, 'pid', ['1'], 1],
    ]);
    expect(markedLines('', out)).toHaveLength(2);
    expect(markedLines('', 'no marks at all\n')).toEqual([]);
  });

  it('garbage is one clear error, never a crash', () => {
    expect(() => markedLines('', '@procsim what is this\n')).toThrow(ObservationError);
    expect(() => markedLines('', '@procsim n1 pid 1 @1')).toThrow(/cut off/);
    expect(() => markedLines('@procsim n1 pid 1 @1\n', '@procsim n1 pid 1 @1\n')).toThrow(/both stdout and stderr/);
    const p = decodeProgram('P');
    expect(() => outsideView(p, markedLines('', '@procsim n1 pid 1 @1\n'))).toThrow(/not the guest's start report/);
    expect(() => outsideView(p, markedLines('', '@procsim n0 start 0 1 1 @1\n@procsim n9 pid 1 @1\n'))).toThrow(/node n9, which the program does not have/);
    expect(() => outsideView(p, markedLines('', '@procsim n0 start 0 1 1 @1\n@procsim n1 wait 1 @1\n'))).toThrow(/not one node n1 \(getpid\) writes/);
  });
});

describe('judging the reference kernel from outside', () => {
  it('no gate fails on any program and schedule of the reference kernel', () => {
    fc.assert(
      fc.property(sutPrograms, choicesArb, (p, choices) => {
        const r = runOn('reference', p, choices);
        // A deadlock is, seen from outside, a run that timed out (its processes never exit).
        const w = new World(outsideView(p, markedLines(r.stdout, r.stderr), r.verdict === 'deadlock'));
        for (const g of GATES) {
          const v = SUT_PREDICATES[g](w);
          expect(v, `${g} on ${encodeProgram(p)}`).toEqual({ ok: true });
        }
      }),
      { ...CHECK_PARAMS, numRuns: 150, seed: 11 },
    );
  });

  it('each of its outcomes is in its outcome set (when the search was complete)', () => {
    fc.assert(
      fc.property(programArb({ reads: false, depth: 1 }), choicesArb, (p, choices) => {
        const ref = referenceOutcomes(p, 300);
        fc.pre(ref.complete);
        const r = runOn('reference', p, choices);
        const blocked = r.verdict === 'deadlock';
        const j = judgeObserved('P0.3', p, markedLines(r.stdout, r.stderr), blocked ? BLOCKED_END : r.end, () => ref, blocked);
        expect(j.verdict).toEqual({ ok: true });
        expect(j.membership?.kind).toBe('member');
      }),
      { ...CHECK_PARAMS, numRuns: 40, seed: 3 },
    );
  });
});

describe('judging broken output', () => {
  it('the legacy rollback kernel fails P0.1: every process reports pid 1', () => {
    const p = decodeProgram('fP.wa');
    const r = runOn('legacy-rollback', p);
    const j = judgeObserved('P0.1', p, markedLines(r.stdout, r.stderr), r.end, () => referenceOutcomes(p));
    expect(j.verdict.ok).toBe(false);
    expect(!j.verdict.ok && j.verdict.message).toMatch(/getpid\(\) is the caller's pid: fails at p2 observes "n2 pid 1".*expected p2's pid 100/);
  });

  it('a doctored output fails the gate it is about, and its outcome is outside the reference set', () => {
    const p = decodeProgram('fQx3.wa');
    const r = runOn('reference', p);
    const lines = (s: string) => markedLines('', s);
    const ok = judgeObserved('P0.3', p, lines(r.stderr), r.end, () => referenceOutcomes(p));
    expect(ok.verdict).toEqual({ ok: true });
    const badStatus = r.stderr.replace('wait 2 exited 3', 'wait 2 exited 4');
    const j = judgeObserved('P0.3', p, lines(badStatus), r.end, () => referenceOutcomes(p));
    expect(!j.verdict.ok && j.verdict.message).toMatch(/p2 exited 3, but the status reads exited 4/);
    const badPpid = r.stderr.replace('n2 ppid 1', 'n2 ppid 7');
    expect(judgeObserved('P0.1', p, lines(badPpid), r.end, () => referenceOutcomes(p)).verdict.ok).toBe(false);
    // P0.2 has nothing against the ppid, but the outcome is not one the reference can produce.
    const m = judgeObserved('P0.2', p, lines(badPpid), r.end, () => referenceOutcomes(p));
    expect(!m.verdict.ok && m.verdict.message).toMatch(/not in all 1 outcomes of the reference kernel[^]*SUT: +f1: n1 fork 0; n2 ppid pid7/);
  });

  it('outcomes name pids by relation, so two runs with other pids compare equal', () => {
    const p = decodeProgram('fPQ.wa');
    const a = '@procsim n0 start 0 1 1 @1\n@procsim n1 fork 3 @1\n@procsim n1 fork 0 @3\n@procsim n2 pid 3 @3\n@procsim n3 ppid 1 @3\n@procsim n1 exit 0 @3\n@procsim n4 wait 3 exited 0 @1\n@procsim n0 exit 0 @1\n';
    const b = a.replaceAll(' 3', ' 9').replaceAll('@3', '@9');
    expect(outcomeText(p, markedLines('', a), 'exited 0')).toBe(outcomeText(p, markedLines('', b), 'exited 0'));
    expect(outcomeText(p, markedLines('', a), 'exited 0')).toContain('f1: n1 fork 0; n2 pid f1; n3 ppid p1; n1 exit 0');
  });
});
