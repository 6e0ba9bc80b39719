// P0.6 on the reference kernel: the single-process scenarios print and exit as their golden
// outcome (checked against real Linux by test/oracle/scenarios.test.ts), under several seeds.
import { describe, expect, it } from 'vitest';
import { REGRESSION_GATE } from '../src/sim/gates/regression.ts';
import { listScenarios } from '../src/sim/scenarios.ts';

describe('P0.6 no regression of the non-fork syscalls', () => {
  it('P0.6 no regression: hello, file-io, printf-float, setjmp, malloc-heavy, args-stdin, ... as on real Linux (reference, two seeds each)', () => {
    const n = listScenarios().filter((s) => s.regression).length;
    const r = REGRESSION_GATE.evaluate({ kernel: 'reference', runs: 2 * n, seed: 3 });
    expect(r).toMatchObject({ pass: true, runs: 2 * n });
  });
});
