// P0.6 on the reference kernel: the single-process scenarios print and exit as their golden
// outcome (checked against real Linux by test/oracle/scenarios.test.ts), under several seeds;
// and the gate's teeth: a console that loses a byte of every write fails it, with a diff.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CapturedConsole } from '../src/process/console.ts';
import type { GateResult } from '../src/sim/gates/gate.ts';
import { REGRESSION_GATE } from '../src/sim/gates/regression.ts';
import { listScenarios } from '../src/sim/scenarios.ts';

const sync = (r: GateResult | Promise<GateResult>): GateResult => {
  if (r instanceof Promise) throw new Error('synchronous gate expected');
  return r;
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('P0.6 no regression of the non-fork syscalls', () => {
  it('P0.6 no regression: hello, file-io, printf-float, setjmp, malloc-heavy, args-stdin, ... as on real Linux (reference, two seeds each)', () => {
    const n = listScenarios().filter((s) => s.regression).length;
    expect(sync(REGRESSION_GATE.evaluate({ kernel: 'reference', runs: 2 * n, seed: 3 }))).toMatchObject({ pass: true, runs: 2 * n });
  });

  it('P0.6 fails when output is lost, showing the first differing lines and the scenario to replay', () => {
    const write = CapturedConsole.prototype.writeStdout;
    vi.spyOn(CapturedConsole.prototype, 'writeStdout').mockImplementation(function (this: CapturedConsole, d: Uint8Array) {
      write.call(this, d.subarray(0, Math.max(0, d.length - 1)));
    });
    const r = sync(REGRESSION_GATE.evaluate({ kernel: 'reference', runs: 1, seed: 3 }));
    expect(r.pass).toBe(false);
    expect(r.detail).toMatch(/^regress-[a-z-]+ \(.*\) does not behave as on the reference kernel and real Linux$/);
    expect(r.counterexample!.summary).toMatch(/\n--- reference \(real Linux\)\n\+\+\+ reference\n@@ line \d+/);
    expect(r.counterexample!.replay).toMatch(/^procsim replay --seed 3 --schedule s1: --kernel reference regress-[a-z-]+$/);
  });
});
