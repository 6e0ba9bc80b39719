// RV64C through the CPU: every compressed instruction leaves the same state as its 32-bit
// expansion (random registers and memory), control flow with 2-byte links and offsets,
// mixed 16/32-bit streams, HINTs as no-ops and the reserved encodings as illegal.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as A from '../support/rv-asm.ts';
import type { Cpu } from '../../src/emu/cpu.ts';
import { CODE, DATA, exec, hex, load, reg64, runUntilStop, stopName } from './cpu-harness.ts';

const BASE = BigInt(DATA + 0x200);

/** A compressed instruction, its expansion, and the registers that must point at data. */
interface Case {
  c: A.Inst;
  full: A.Inst;
  bases: number[];
}

const rc = fc.integer({ min: 8, max: 15 });
const rnz = fc.integer({ min: 1, max: 31 });
const imm6 = fc.integer({ min: -32, max: 31 });
const nz = (a: fc.Arbitrary<number>) => a.filter((v) => v !== 0);
const scaled = (max: number, k: number) => fc.integer({ min: 0, max: max / k }).map((v) => v * k);

const cases: [string, fc.Arbitrary<Case>][] = [
  ['c.addi4spn', fc.tuple(rc, nz(scaled(1020, 4))).map(([rd, i]) => ({ c: A.cAddi4spn(rd, i), full: A.addi(rd, 2, i), bases: [] }))],
  ['c.lw', fc.tuple(rc, rc, scaled(124, 4)).map(([rd, rs, o]) => ({ c: A.cLw(rd, rs, o), full: A.lw(rd, rs, o), bases: [rs] }))],
  ['c.ld', fc.tuple(rc, rc, scaled(248, 8)).map(([rd, rs, o]) => ({ c: A.cLd(rd, rs, o), full: A.ld(rd, rs, o), bases: [rs] }))],
  ['c.fld', fc.tuple(rc, rc, scaled(248, 8)).map(([rd, rs, o]) => ({ c: A.cFld(rd, rs, o), full: A.fld(rd, rs, o), bases: [rs] }))],
  ['c.sw', fc.tuple(rc, rc, scaled(124, 4)).map(([r2, rs, o]) => ({ c: A.cSw(r2, rs, o), full: A.sw(r2, rs, o), bases: [rs] }))],
  ['c.sd', fc.tuple(rc, rc, scaled(248, 8)).map(([r2, rs, o]) => ({ c: A.cSd(r2, rs, o), full: A.sd(r2, rs, o), bases: [rs] }))],
  ['c.fsd', fc.tuple(rc, rc, scaled(248, 8)).map(([r2, rs, o]) => ({ c: A.cFsd(r2, rs, o), full: A.fsd(r2, rs, o), bases: [rs] }))],
  ['c.addi', fc.tuple(rnz, nz(imm6)).map(([rd, i]) => ({ c: A.cAddi(rd, i), full: A.addi(rd, rd, i), bases: [] }))],
  ['c.addiw', fc.tuple(rnz, imm6).map(([rd, i]) => ({ c: A.cAddiw(rd, i), full: A.addiw(rd, rd, i), bases: [] }))],
  ['c.li', fc.tuple(rnz, imm6).map(([rd, i]) => ({ c: A.cLi(rd, i), full: A.addi(rd, 0, i), bases: [] }))],
  ['c.addi16sp', nz(fc.integer({ min: -32, max: 31 })).map((k) => ({ c: A.cAddi16sp(k * 16), full: A.addi(2, 2, k * 16), bases: [] }))],
  [
    'c.lui',
    fc.tuple(rnz.filter((r) => r !== 2), nz(imm6)).map(([rd, i]) => ({ c: A.cLui(rd, i), full: A.lui(rd, i & 0xfffff), bases: [] })),
  ],
  ['c.srli', fc.tuple(rc, fc.integer({ min: 1, max: 63 })).map(([rd, s]) => ({ c: A.cSrli(rd, s), full: A.srli(rd, rd, s), bases: [] }))],
  ['c.srai', fc.tuple(rc, fc.integer({ min: 1, max: 63 })).map(([rd, s]) => ({ c: A.cSrai(rd, s), full: A.srai(rd, rd, s), bases: [] }))],
  ['c.andi', fc.tuple(rc, imm6).map(([rd, i]) => ({ c: A.cAndi(rd, i), full: A.andi(rd, rd, i), bases: [] }))],
  ['c.sub', fc.tuple(rc, rc).map(([rd, r2]) => ({ c: A.cSub(rd, r2), full: A.sub(rd, rd, r2), bases: [] }))],
  ['c.xor', fc.tuple(rc, rc).map(([rd, r2]) => ({ c: A.cXor(rd, r2), full: A.xor(rd, rd, r2), bases: [] }))],
  ['c.or', fc.tuple(rc, rc).map(([rd, r2]) => ({ c: A.cOr(rd, r2), full: A.or(rd, rd, r2), bases: [] }))],
  ['c.and', fc.tuple(rc, rc).map(([rd, r2]) => ({ c: A.cAnd(rd, r2), full: A.and(rd, rd, r2), bases: [] }))],
  ['c.subw', fc.tuple(rc, rc).map(([rd, r2]) => ({ c: A.cSubw(rd, r2), full: A.subw(rd, rd, r2), bases: [] }))],
  ['c.addw', fc.tuple(rc, rc).map(([rd, r2]) => ({ c: A.cAddw(rd, r2), full: A.addw(rd, rd, r2), bases: [] }))],
  ['c.slli', fc.tuple(rnz, fc.integer({ min: 1, max: 63 })).map(([rd, s]) => ({ c: A.cSlli(rd, s), full: A.slli(rd, rd, s), bases: [] }))],
  ['c.lwsp', fc.tuple(rnz, scaled(252, 4)).map(([rd, o]) => ({ c: A.cLwsp(rd, o), full: A.lw(rd, 2, o), bases: [2] }))],
  ['c.ldsp', fc.tuple(rnz, scaled(504, 8)).map(([rd, o]) => ({ c: A.cLdsp(rd, o), full: A.ld(rd, 2, o), bases: [2] }))],
  ['c.fldsp', fc.tuple(fc.integer({ min: 0, max: 31 }), scaled(504, 8)).map(([rd, o]) => ({ c: A.cFldsp(rd, o), full: A.fld(rd, 2, o), bases: [2] }))],
  ['c.swsp', fc.tuple(fc.integer({ min: 0, max: 31 }), scaled(252, 4)).map(([r2, o]) => ({ c: A.cSwsp(r2, o), full: A.sw(r2, 2, o), bases: [2] }))],
  ['c.sdsp', fc.tuple(fc.integer({ min: 0, max: 31 }), scaled(504, 8)).map(([r2, o]) => ({ c: A.cSdsp(r2, o), full: A.sd(r2, 2, o), bases: [2] }))],
  ['c.fsdsp', fc.tuple(fc.integer({ min: 0, max: 31 }), scaled(504, 8)).map(([r2, o]) => ({ c: A.cFsdsp(r2, o), full: A.fsd(r2, 2, o), bases: [2] }))],
  ['c.mv', fc.tuple(rnz, rnz).map(([rd, r2]) => ({ c: A.cMv(rd, r2), full: A.add(rd, 0, r2), bases: [] }))],
  ['c.add', fc.tuple(rnz, rnz).map(([rd, r2]) => ({ c: A.cAdd(rd, r2), full: A.add(rd, rd, r2), bases: [] }))],
  ['c.nop', fc.constant({ c: A.cNop(), full: A.addi(0, 0, 0), bases: [] })],
];

function snapshot(cpu: Cpu): string[] {
  const s: string[] = [];
  for (let i = 0; i < 32; i++) s.push(`x${i}=${hex(cpu.getX(i))}`, `f${i}=${hex(cpu.getF(i))}`);
  s.push(`fcsr=${cpu.fcsr}`, `mem=${Buffer.from(cpu.mem.read(DATA, 0x600)).toString('hex')}`);
  return s;
}

function runOne(inst: A.Inst, xs: bigint[], fs: bigint[], bytes: Uint8Array, bases: number[]): { snap: string[]; pc: number } {
  const x: Record<number, bigint> = {};
  const f: Record<number, bigint> = {};
  xs.forEach((v, i) => (x[i + 1] = v));
  fs.forEach((v, i) => (f[i] = v));
  for (const b of bases) x[b] = BASE;
  const cpu = load([inst, A.ebreak()], { x, f });
  cpu.mem.write(DATA, bytes);
  const stop = cpu.run(10);
  if (stopName(stop) !== 'Ebreak') throw new Error(`${inst.asm}: stopped with ${stopName(stop)}`);
  return { snap: snapshot(cpu), pc: cpu.pc - CODE };
}

describe('compressed instructions do what their expansions do', () => {
  for (const [name, arb] of cases) {
    it(name, () => {
      fc.assert(
        fc.property(
          arb,
          fc.array(reg64, { minLength: 31, maxLength: 31 }),
          fc.array(reg64, { minLength: 32, maxLength: 32 }),
          fc.uint8Array({ minLength: 0x600, maxLength: 0x600 }),
          ({ c, full, bases }, xs, fs, bytes) => {
            expect(c.size).toBe(2);
            const a = runOne(c, xs, fs, bytes, bases);
            const b = runOne(full, xs, fs, bytes, bases);
            expect(a.pc).toBe(2);
            expect(b.pc).toBe(4);
            expect(a.snap).toEqual(b.snap);
          },
        ),
        { numRuns: 40 },
      );
    });
  }
});

describe('compressed control flow', () => {
  it('c.j jumps forward and back by its offset', () => {
    const cpu = exec([A.cJ(6), A.cLi(5, 1), A.cJ(6), A.cLi(6, 2), A.cJ(-4), A.cLi(7, 3)]);
    // Path: 0 -> 6 (x6=2) -> 8 -> 4 -> 10 (x7=3) -> ebreak at 12.
    expect(cpu.getX(5)).toBe(0n);
    expect(cpu.getX(6)).toBe(2n);
    expect(cpu.getX(7)).toBe(3n);
    expect(cpu.pc).toBe(CODE + 12);
  });
  it('c.beqz / c.bnez', () => {
    for (const v of [0n, 1n, 1n << 63n, 1n << 32n]) {
      const cpu = exec([A.cBeqz(8, 4), A.cLi(5, 1), A.cBnez(8, 4), A.cLi(6, 1)], { x: { 8: v } });
      expect(cpu.getX(5)).toBe(v === 0n ? 0n : 1n);
      expect(cpu.getX(6)).toBe(v === 0n ? 1n : 0n);
    }
    // A backward loop: x8 counts down from 5.
    const loop = exec([A.cLi(8, 5), A.cAddi(9, 3), A.cAddi(8, -1), A.cBnez(8, -4)]);
    expect(loop.getX(9)).toBe(15n);
  });
  it('c.jalr links pc + 2; c.jr jumps without linking', () => {
    const cpu = exec([A.auipc(5, 0), A.addi(5, 5, 14), A.cJalr(5), A.cLi(6, 1), A.cJ(6), A.cLi(7, 1), A.cJr(1)]);
    // 8 -> 14 (c.li x7) -> 16 c.jr x1 -> 10 (c.li x6) -> 12 c.j +6 -> 18 (ebreak)
    expect(cpu.getX(1)).toBe(BigInt(CODE + 10));
    expect(cpu.getX(6)).toBe(1n);
    expect(cpu.getX(7)).toBe(1n);
    expect(cpu.pc).toBe(CODE + 18);
  });
  it('c.jalr reads rs1 before linking when rs1 = ra', () => {
    const cpu = exec([A.auipc(1, 0), A.addi(1, 1, 12), A.cJalr(1), A.cLi(6, 1)]);
    expect(cpu.getX(6)).toBe(0n);
    expect(cpu.getX(1)).toBe(BigInt(CODE + 10));
  });
  it('c.ebreak stops like ebreak', () => {
    const { cpu, stop } = runUntilStop([A.cLi(5, 1), A.cEbreak()]);
    expect(stopName(stop)).toBe('Ebreak');
    expect(cpu.pc).toBe(CODE + 2);
  });
  it('mixed 16- and 32-bit streams, 32-bit instructions at 2-byte alignment', () => {
    const cpu = exec([A.cLi(5, 3), A.li(6, 0x1234_5678_9abc_def0n), A.cAdd(6, 5), A.mul(7, 6, 5), A.cSlli(5, 60)]);
    expect(cpu.getX(6)).toBe(0x1234_5678_9abc_def3n);
    expect(cpu.getX(7)).toBe(BigInt.asUintN(64, 0x1234_5678_9abc_def3n * 3n));
    expect(cpu.getX(5)).toBe(3n << 60n);
  });
  it('c.lui and c.addi16sp sign-extend', () => {
    const cpu = exec([A.cLui(5, -1), A.cLui(6, 31), A.cAddi16sp(-512)], { x: { 2: 0x1000n } });
    expect(cpu.getX(5)).toBe(0xffff_ffff_ffff_f000n);
    expect(cpu.getX(6)).toBe(0x1f000n);
    expect(cpu.getX(2)).toBe(0x1000n - 512n);
  });
});

describe('HINTs execute as no-ops', () => {
  const hints: [string, number][] = [
    ['c.li x0, 5', 0x4015],
    ['c.addi x5, 0', 0x0281],
    ['c.mv x0, x5', 0x8016],
    ['c.add x0, x5', 0x9016],
    ['c.slli x0, 1', 0x0006],
    ['c.lui x0, 1', 0x6005],
  ];
  for (const [name, bits] of hints) {
    it(name, () => {
      const cpu = exec([A.half(bits), A.cLi(6, 1)], { x: { 5: 77n } });
      expect(cpu.getX(0)).toBe(0n);
      expect(cpu.getX(5)).toBe(77n);
      expect(cpu.getX(6)).toBe(1n);
    });
  }
});

describe('reserved compressed encodings are illegal', () => {
  const reserved: [string, number][] = [
    ['all-zero halfword', 0x0000],
    ['c.addi4spn with immediate 0', 0x0004],
    ['c.lui with immediate 0', 0x6081],
    ['c.addi16sp with immediate 0', 0x6101],
    ['c.lwsp with rd = x0', 0x4002],
    ['c.ldsp with rd = x0', 0x6002],
    ['c.jr with rs1 = x0', 0x8002],
    ['c.addiw with rd = x0', 0x2001],
    ['CA reserved (100 1 11 .. 10)', 0x9c41],
    ['CA reserved (100 1 11 .. 11)', 0x9c61],
    ['quadrant 0 funct3 100', 0x8000],
  ];
  for (const [name, bits] of reserved) {
    it(name, () => {
      const { cpu, stop } = runUntilStop([A.cLi(5, 1), A.half(bits), A.cLi(5, 2)]);
      expect(stopName(stop)).toBe('Illegal');
      expect(cpu.pc).toBe(CODE + 2);
      expect(cpu.getX(5)).toBe(1n);
    });
  }
});
