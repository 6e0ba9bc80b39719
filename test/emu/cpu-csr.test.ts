// Zicsr through the CPU: the FP CSRs (fflags, frm, fcsr as views of one register), the
// read-only counters and their agreement with instret, and which accesses are illegal.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as A from '../support/rv-asm.ts';
import { CODE, exec, runUntilStop, stopName } from './cpu-harness.ts';

const { fflags: FFLAGS, frm: FRM, fcsr: FCSR, cycle: CYCLE, time: TIME, instret: INSTRET } = A.CSR;

// First in the file on purpose: the JIT must optimize the CSR path with only this loop's
// type feedback. Node 20's TurboFan aborts the whole process ("RepresentationChangerError:
// Phi of kRepTagged (SignedBigInt64)") compiling a csr() that merges BigInt values.
describe('hot loops', () => {
  it('100k iterations of mixed FP CSR accesses run to the end', () => {
    const body = [
      A.csrrw(0, FCSR, 10), A.csrrs(6, FFLAGS, 0), A.csrrs(7, FRM, 0), A.csrrw(8, FFLAGS, 11), A.csrrc(9, FFLAGS, 11),
      A.csrrwi(12, FRM, 3), A.csrrci(13, FRM, 1), A.csrrsi(14, FCSR, 5), A.csrrs(15, FCSR, 0),
    ];
    const setup = A.li(5, 100_000n);
    const loop = [setup, ...body, A.addi(5, 5, -1), A.bne(5, 0, -(body.length + 1) * 4)];
    const cpu = exec(loop, { x: { 10: 0x12_3456_7890n, 11: (1n << 64n) - 1n } }, { budget: 2_000_000 });
    expect(cpu.getX(5)).toBe(0n);
    expect(cpu.getX(15)).toBe(BigInt((2 << 5) | 5));
    expect(cpu.instret).toBe(setup.length + 100_000 * (body.length + 2));
  });
});

describe('fflags, frm, fcsr', () => {
  it('csrrw returns the old value and writes the new one, masked to the field', () => {
    const cpu = exec([A.csrrw(7, FCSR, 5), A.csrrw(8, FFLAGS, 6), A.csrrw(9, FRM, 6), A.csrrs(10, FCSR, 0)], {
      x: { 5: 0xffff_ffff_ffff_ff5an, 6: 0xffn },
      fcsr: 0x81,
    });
    expect(cpu.getX(7)).toBe(0x81n);
    expect(cpu.getX(8)).toBe(0x1an); // fcsr = 0x5a: fflags 0x1a, frm 2
    expect(cpu.getX(9)).toBe(2n);
    expect(cpu.getX(10)).toBe(0xffn); // frm 7, fflags 31
    expect(cpu.fcsr).toBe(0xff);
  });
  it('csrrs/csrrc set and clear bits; rs1 = x0 only reads', () => {
    const cpu = exec(
      [A.csrrs(7, FFLAGS, 5), A.csrrc(8, FFLAGS, 6), A.csrrs(9, FFLAGS, 0), A.csrrc(10, FRM, 0), A.csrrs(11, FCSR, 0)],
      { x: { 5: 0x05n, 6: 0x11n }, fcsr: (3 << 5) | 0x10 },
    );
    expect(cpu.getX(7)).toBe(0x10n);
    expect(cpu.getX(8)).toBe(0x15n);
    expect(cpu.getX(9)).toBe(0x04n);
    expect(cpu.getX(10)).toBe(3n);
    expect(cpu.getX(11)).toBe(BigInt((3 << 5) | 0x04));
  });
  it('immediate forms', () => {
    const cpu = exec([A.csrrwi(7, FRM, 4), A.csrrsi(8, FFLAGS, 3), A.csrrci(9, FFLAGS, 1), A.csrrsi(10, FCSR, 0), A.csrrwi(0, FFLAGS, 31)], {
      fcsr: 0xe0,
    });
    expect(cpu.getX(7)).toBe(7n);
    expect(cpu.getX(8)).toBe(0n);
    expect(cpu.getX(9)).toBe(3n);
    expect(cpu.getX(10)).toBe(BigInt((4 << 5) | 2));
    expect(cpu.fcsr).toBe((4 << 5) | 31);
  });
  it('fcsr is exactly frm << 5 | fflags for any write', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (v) => {
        const cpu = exec([A.csrrw(0, FCSR, 5), A.csrrs(6, FRM, 0), A.csrrs(7, FFLAGS, 0), A.csrrs(8, FCSR, 0)], { x: { 5: v } });
        const low = v & 0xffn;
        expect(cpu.getX(8)).toBe(low);
        expect(cpu.getX(6)).toBe(low >> 5n);
        expect(cpu.getX(7)).toBe(low & 31n);
      }),
      { numRuns: 100 },
    );
  });
  it('rd = rs1 reads the old value and writes the register value from before', () => {
    const cpu = exec([A.csrrw(5, FFLAGS, 5), A.csrrs(6, FFLAGS, 0)], { x: { 5: 9n }, fcsr: 3 });
    expect(cpu.getX(5)).toBe(3n);
    expect(cpu.getX(6)).toBe(9n);
  });
});

describe('counters', () => {
  it('instret reads the number of instructions retired before it', () => {
    const cpu = exec([A.nop(), A.nop(), A.nop(), A.csrrs(5, INSTRET, 0), A.nop(), A.csrrs(6, INSTRET, 0), A.csrrsi(7, INSTRET, 0)]);
    expect(cpu.getX(5)).toBe(3n);
    expect(cpu.getX(6)).toBe(5n);
    expect(cpu.getX(7)).toBe(6n);
    expect(cpu.instret).toBe(7);
  });
  it('instret continues across run() calls and a non-zero starting count', () => {
    const { cpu } = runUntilStop([A.nop(), A.nop(), A.csrrs(5, INSTRET, 0), A.ebreak()], {}, {}, 2);
    expect(cpu.instret).toBe(2);
    expect(stopName(cpu.run(100))).toBe('Ebreak');
    expect(cpu.getX(5)).toBe(2n);
    cpu.instret = 1000;
    cpu.pc = CODE + 8;
    cpu.run(1);
    expect(cpu.getX(5)).toBe(1000n);
  });
  it('cycle advances with instret (one cycle per instruction is allowed, never backwards)', () => {
    const cpu = exec([A.csrrs(5, CYCLE, 0), A.nop(), A.nop(), A.csrrs(6, CYCLE, 0), A.csrrs(7, INSTRET, 0)]);
    const d = cpu.getX(6) - cpu.getX(5);
    expect(d).toBeGreaterThanOrEqual(3n);
    expect(cpu.getX(6)).toBeLessThanOrEqual(cpu.getX(7) + 1n);
  });
  it('time is readable and does not go backwards', () => {
    const cpu = exec([A.csrrs(5, TIME, 0), A.nop(), A.csrrs(6, TIME, 0)]);
    expect(cpu.getX(6)).toBeGreaterThanOrEqual(cpu.getX(5));
  });
  for (const [name, csr] of [['cycle', CYCLE], ['time', TIME], ['instret', INSTRET]] as const) {
    it(`writing ${name} is illegal, and so is csrrs with a non-zero rs1`, () => {
      for (const inst of [A.csrrw(5, csr, 6), A.csrrs(5, csr, 6), A.csrrc(5, csr, 6), A.csrrwi(5, csr, 0), A.csrrsi(5, csr, 1)]) {
        const { cpu, stop } = runUntilStop([A.nop(), inst], { x: { 5: 77n, 6: 1n } });
        expect(stopName(stop), inst.asm).toBe('Illegal');
        expect(cpu.pc).toBe(CODE + 4);
        expect(cpu.getX(5)).toBe(77n);
      }
    });
  }
  it('unknown and privileged CSRs are illegal', () => {
    for (const csr of [0x000, 0x004, 0x100, 0x300, 0x341, 0xc80, 0xf14, 0x7c0]) {
      const { stop } = runUntilStop([A.csrrs(5, csr, 0)]);
      expect(stopName(stop), `csr 0x${csr.toString(16)}`).toBe('Illegal');
    }
  });
});
