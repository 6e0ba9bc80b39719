// The gate runner and its reports on made-up gates: phase selection and order, a throwing
// gate becoming a failed one, and the three report forms agreeing on the verdicts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateGate, gatesUpTo, selectGates } from '../../src/sim/gates/evaluate.ts';
import type { Gate, GateResult } from '../../src/sim/gates/gate.ts';
import { gateEntry, makeReport, reportJson, reportJunit, reportText } from '../../src/sim/gates/report.ts';

const gate = (id: string, result: GateResult | (() => never)): Gate => ({
  id,
  name: `gate ${id}`,
  phase: Number(id[1]) as Gate['phase'],
  evaluate: () => (typeof result === 'function' ? result() : result),
});

const pass: GateResult = { pass: true, runs: 10 };
const fail: GateResult = {
  pass: false,
  runs: 3,
  detail: 'p2 ran <before> p1 & "then"',
  counterexample: { summary: 'fork; getpid\np1 saw 1', replay: "procsim replay --schedule s1:ab scenarios/guests/bin/interp 'f(g)'", trace: 'out/P0.1.trace.jsonl' },
};

describe('gate selection', () => {
  it('phases 0..N in numeric id order', () => {
    const all = ['P2.1', 'P0.10', 'P1.1', 'P0.2', 'P3.1', 'P0.1'].map((id) => gate(id, pass));
    expect(gatesUpTo(all, 1).map((g) => g.id)).toEqual(['P0.1', 'P0.2', 'P0.10', 'P1.1']);
    expect(gatesUpTo(all, 3)).toHaveLength(6);
    expect(selectGates(all, ['P1.1', 'P0.2']).map((g) => g.id)).toEqual(['P1.1', 'P0.2']);
    expect(() => selectGates(all, ['P9.9'])).toThrow(/unknown gate P9.9 \(gates: P2.1, /);
  });

  it('a gate that throws is a failed gate naming the error', async () => {
    const r = await evaluateGate(
      gate('P0.1', () => {
        throw new Error('guest binary missing');
      }),
      { kernel: 'reference', runs: 1, seed: 0 },
    );
    expect(r).toEqual({ pass: false, runs: 0, detail: 'the gate could not be evaluated: guest binary missing' });
  });
});

describe('reports', () => {
  const meta = { phase: 1, kernel: 'legacy-rollback', runs: 100, seed: 7 };
  const entries = [gateEntry(gate('P0.1', fail), fail, 1.5), gateEntry(gate('P1.1', pass), pass, 0.5)];
  const report = makeReport(meta, entries);

  it('text: a table, the finding with its replay command, a verdict line', () => {
    const t = reportText(report);
    expect(t).toMatch(/^ {2}P0\.1 {2}gate P0\.1 +FAIL +3 +1\.5 s$/m);
    expect(t).toMatch(/^ {2}P1\.1 {2}gate P1\.1 +pass +10 +0\.5 s$/m);
    expect(t).toContain("  replay: procsim replay --schedule s1:ab scenarios/guests/bin/interp 'f(g)'\n  trace:  out/P0.1.trace.jsonl");
    expect(t.trimEnd().split('\n').at(-1)).toBe('FAIL: 1 of 2 gates fail on legacy-rollback (P0.1)');
    expect(reportText(makeReport(meta, [entries[1]])).trimEnd().split('\n').at(-1)).toBe('PASS: all 1 gates of phases 0..1 pass on legacy-rollback');
  });

  it('JSON: pass and gates[] with id, name, phase, pass, runs and the counterexample', () => {
    const j = JSON.parse(reportJson(report));
    expect(j.pass).toBe(false);
    expect(j.gates.map((g: { id: string; pass: boolean }) => [g.id, g.pass])).toEqual([
      ['P0.1', false],
      ['P1.1', true],
    ]);
    expect(j.gates[0]).toMatchObject({ name: 'gate P0.1', phase: 0, runs: 3, counterexample: fail.counterexample });
  });

  it('JUnit: one testcase per gate, a failure for each failed one, text escaped', () => {
    const x = reportJunit(report);
    expect(x).toContain('<testsuites name="procsim gate" tests="2" failures="1" time="2.000">');
    expect(x.match(/<testcase /g)).toHaveLength(2);
    expect(x.match(/<failure /g)).toHaveLength(1);
    expect(x).toContain('p2 ran &lt;before&gt; p1 &amp; &quot;then&quot;');
    expect(x).toContain('<testsuite name="phase 0 (legacy-rollback)" tests="1" failures="1"');
  });

  it('JUnit text is always well formed: any bytes in a finding come out escaped', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const r: GateResult = { pass: false, runs: 1, detail: s, counterexample: { summary: s, replay: s } };
        const x = reportJunit(makeReport(meta, [gateEntry(gate('P0.1', r), r, 0)]));
        // Outside tags, no raw markup characters or control bytes survive.
        const text = x.replace(/<[^<>]*>/g, '');
        expect(text).not.toMatch(/[<>]|&(?!amp;|lt;|gt;|quot;|#\d+;)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\uffff]/);
      }),
      { numRuns: 200 },
    );
  });
});

describe('reports of an external emulator (--sut)', () => {
  const meta = { phase: 0, kernel: 'reference', runs: 5, seed: 1, sut: { label: 'SUT qemu-riscv64', command: 'qemu-riscv64', sutRuns: 3, timeoutSeconds: 10 } };
  const skipped: GateResult = { pass: false, runs: 0, notJudged: 'busybox sh on a root filesystem' };
  const entries = [gateEntry(gate('P0.1', pass), pass, 1), gateEntry(gate('P0.5', skipped), skipped, 0)];
  const report = makeReport(meta, entries);

  it('a gate not judged neither passes nor fails the report, and every form says so', () => {
    expect(report.pass).toBe(true);
    const t = reportText(report);
    expect(t.split('\n')[0]).toBe('procsim gate: phases 0..0 on SUT qemu-riscv64 (runs 5, seed 1, 3 SUT runs per program, timeout 10 s, outcomes against kernel reference)');
    expect(t).toMatch(/^ {2}P0\.5 {2}gate P0\.5 +not judged +0 /m);
    expect(t).toContain('P0.5 gate P0.5: not judged under --sut (busybox sh on a root filesystem)');
    expect(t.trimEnd().split('\n').at(-1)).toBe('PASS: all 1 gates of phases 0..0 judged pass on SUT qemu-riscv64; 1 not judged (P0.5)');
    const j = JSON.parse(reportJson(report));
    expect(j.sut).toEqual(meta.sut);
    expect(j.gates[1]).toMatchObject({ id: 'P0.5', pass: false, notJudged: 'busybox sh on a root filesystem' });
    const x = reportJunit(report);
    expect(x).toContain('<testsuite name="phase 0 (SUT qemu-riscv64)" tests="2" failures="0" skipped="1"');
    expect(x).toContain('<skipped message="not judged under --sut (busybox sh on a root filesystem)"/>');
    expect(makeReport(meta, [entries[1]]).pass).toBe(false);
  });
});
