// RV64I through the CPU: ALU ops against BigInt references on random and edge operands,
// W-op sign extension, shift masking, control flow, x0, the stop reasons and instret.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as A from '../support/rv-asm.ts';
import { CODE, exec, hex, load, reg64, runUntilStop, s64, stopName, sx32, u64 } from './cpu-harness.ts';

type Ref = (a: bigint, b: bigint) => bigint;
const sh6 = (b: bigint) => b & 63n;
const sh5 = (b: bigint) => b & 31n;
const lo32 = (v: bigint) => BigInt.asUintN(32, v);

const rOps: [string, (rd: number, a: number, b: number) => A.Inst, Ref][] = [
  ['add', A.add, (a, b) => u64(a + b)],
  ['sub', A.sub, (a, b) => u64(a - b)],
  ['sll', A.sll, (a, b) => u64(a << sh6(b))],
  ['slt', A.slt, (a, b) => (s64(a) < s64(b) ? 1n : 0n)],
  ['sltu', A.sltu, (a, b) => (a < b ? 1n : 0n)],
  ['xor', A.xor, (a, b) => a ^ b],
  ['srl', A.srl, (a, b) => a >> sh6(b)],
  ['sra', A.sra, (a, b) => u64(s64(a) >> sh6(b))],
  ['or', A.or, (a, b) => a | b],
  ['and', A.and, (a, b) => a & b],
  ['addw', A.addw, (a, b) => sx32(a + b)],
  ['subw', A.subw, (a, b) => sx32(a - b)],
  ['sllw', A.sllw, (a, b) => sx32(a << sh5(b))],
  ['srlw', A.srlw, (a, b) => sx32(lo32(a) >> sh5(b))],
  ['sraw', A.sraw, (a, b) => sx32(BigInt.asIntN(32, a) >> sh5(b))],
];

const iOps: [string, (rd: number, a: number, imm: number) => A.Inst, Ref][] = [
  ['addi', A.addi, (a, i) => u64(a + i)],
  ['slti', A.slti, (a, i) => (s64(a) < i ? 1n : 0n)],
  ['sltiu', A.sltiu, (a, i) => (a < u64(i) ? 1n : 0n)],
  ['xori', A.xori, (a, i) => a ^ u64(i)],
  ['ori', A.ori, (a, i) => a | u64(i)],
  ['andi', A.andi, (a, i) => a & u64(i)],
  ['addiw', A.addiw, (a, i) => sx32(a + i)],
];

const shiftOps: [string, (rd: number, a: number, sh: number) => A.Inst, Ref, number][] = [
  ['slli', A.slli, (a, s) => u64(a << s), 63],
  ['srli', A.srli, (a, s) => a >> s, 63],
  ['srai', A.srai, (a, s) => u64(s64(a) >> s), 63],
  ['slliw', A.slliw, (a, s) => sx32(a << s), 31],
  ['srliw', A.srliw, (a, s) => sx32(lo32(a) >> s), 31],
  ['sraiw', A.sraiw, (a, s) => sx32(BigInt.asIntN(32, a) >> s), 31],
];

function binop(inst: A.Inst, a: bigint, b: bigint): bigint {
  return exec([inst], { x: { 5: a, 6: b } }).getX(7);
}

describe('register-register ops match BigInt', () => {
  for (const [name, enc, ref] of rOps) {
    it(name, () => {
      fc.assert(
        fc.property(reg64, reg64, (a, b) => {
          expect(hex(binop(enc(7, 5, 6), a, b))).toBe(hex(ref(a, b)));
        }),
        { numRuns: 150 },
      );
    });
  }
  it('rd aliasing a source reads the old value', () => {
    const cpu = exec([A.sub(5, 6, 5)], { x: { 5: 3n, 6: 10n } });
    expect(cpu.getX(5)).toBe(7n);
    const cpu2 = exec([A.add(5, 5, 5)], { x: { 5: 1n << 63n } });
    expect(cpu2.getX(5)).toBe(0n);
  });
});

describe('register-immediate ops match BigInt', () => {
  const imm12 = fc.oneof(fc.integer({ min: -2048, max: 2047 }), fc.constantFrom(-2048, -1, 0, 1, 2047));
  for (const [name, enc, ref] of iOps) {
    it(name, () => {
      fc.assert(
        fc.property(reg64, imm12, (a, i) => {
          expect(hex(exec([enc(7, 5, i)], { x: { 5: a } }).getX(7))).toBe(hex(ref(a, BigInt(i))));
        }),
        { numRuns: 150 },
      );
    });
  }
  for (const [name, enc, ref, max] of shiftOps) {
    it(`${name} (all shift amounts)`, () => {
      fc.assert(
        fc.property(reg64, (a) => {
          for (let s = 0; s <= max; s++) expect(hex(exec([enc(7, 5, s)], { x: { 5: a } }).getX(7))).toBe(hex(ref(a, BigInt(s))));
        }),
        { numRuns: 8 },
      );
    });
  }
});

describe('edge values', () => {
  it('add/sub wrap around', () => {
    expect(binop(A.add(7, 5, 6), (1n << 63n) - 1n, 1n)).toBe(1n << 63n);
    expect(binop(A.add(7, 5, 6), u64(-1n), 1n)).toBe(0n);
    expect(binop(A.sub(7, 5, 6), 0n, 1n)).toBe(u64(-1n));
    expect(binop(A.sub(7, 5, 6), 1n << 63n, 1n)).toBe((1n << 63n) - 1n);
  });
  it('W results are sign-extended from bit 31', () => {
    expect(binop(A.addw(7, 5, 6), 0x7fffffffn, 1n)).toBe(0xffffffff80000000n);
    expect(binop(A.addw(7, 5, 6), 0xffffffffn, 1n)).toBe(0n);
    expect(binop(A.subw(7, 5, 6), 0x1_0000_0000n, 1n)).toBe(u64(-1n));
    expect(exec([A.addiw(7, 5, 0)], { x: { 5: 0x1234_5678_8000_0000n } }).getX(7)).toBe(0xffffffff80000000n);
    expect(exec([A.slliw(7, 5, 31)], { x: { 5: 1n } }).getX(7)).toBe(0xffffffff80000000n);
    expect(exec([A.srliw(7, 5, 0)], { x: { 5: 0x80000000n } }).getX(7)).toBe(0xffffffff80000000n);
    expect(exec([A.srliw(7, 5, 1)], { x: { 5: u64(-1n) } }).getX(7)).toBe(0x7fffffffn);
    expect(exec([A.sraiw(7, 5, 31)], { x: { 5: 0x80000000n } }).getX(7)).toBe(u64(-1n));
  });
  it('shift amounts are masked to 6 bits (5 for W)', () => {
    expect(binop(A.sll(7, 5, 6), 1n, 64n)).toBe(1n);
    expect(binop(A.sll(7, 5, 6), 1n, 63n + 64n)).toBe(1n << 63n);
    expect(binop(A.srl(7, 5, 6), 1n << 63n, 0xffff_ffff_ffff_ff3fn)).toBe(1n);
    expect(binop(A.sra(7, 5, 6), 1n << 63n, 63n)).toBe(u64(-1n));
    expect(binop(A.sllw(7, 5, 6), 1n, 33n)).toBe(2n);
    expect(binop(A.sllw(7, 5, 6), 1n, 32n)).toBe(1n);
    expect(binop(A.srlw(7, 5, 6), 0x80000000n, 63n)).toBe(1n);
    expect(binop(A.sraw(7, 5, 6), 0x80000000n, 32n + 31n)).toBe(u64(-1n));
    expect(binop(A.sraw(7, 5, 6), 0x1_7fff_ffffn, 0n)).toBe(0x7fffffffn);
  });
  it('slt/sltu see negatives as small/large', () => {
    expect(binop(A.slt(7, 5, 6), u64(-1n), 0n)).toBe(1n);
    expect(binop(A.sltu(7, 5, 6), u64(-1n), 0n)).toBe(0n);
    expect(binop(A.slt(7, 5, 6), 1n << 63n, (1n << 63n) - 1n)).toBe(1n);
    expect(exec([A.sltiu(7, 5, -1)], { x: { 5: u64(-2n) } }).getX(7)).toBe(1n);
    expect(exec([A.sltiu(7, 5, 1)], { x: { 5: 0n } }).getX(7)).toBe(1n);
    expect(exec([A.slti(7, 5, -1)], { x: { 5: u64(-2n) } }).getX(7)).toBe(1n);
  });
  it('lui and auipc sign-extend their 32-bit result', () => {
    expect(exec([A.lui(7, 0x80000)]).getX(7)).toBe(0xffffffff80000000n);
    expect(exec([A.lui(7, 0x7ffff)]).getX(7)).toBe(0x7ffff000n);
    const cpu = exec([A.addi(0, 0, 0), A.auipc(7, 0xfffff), A.auipc(8, 1)]);
    expect(cpu.getX(7)).toBe(BigInt(CODE + 4 - 0x1000));
    expect(cpu.getX(8)).toBe(BigInt(CODE + 8 + 0x1000));
  });
  it('li materializes any value', () => {
    fc.assert(
      fc.property(reg64, (v) => {
        expect(hex(exec([A.li(9, v)]).getX(9))).toBe(hex(v));
      }),
      { numRuns: 300 },
    );
  });
});

describe('x0', () => {
  it('is never written', () => {
    const cpu = exec([A.addi(0, 0, 5), A.lui(0, 0x12345), A.add(0, 5, 5), A.jal(0, 4), A.addi(6, 0, 0), A.ld(0, 7, 0)], {
      x: { 5: 77n, 7: 0x40000n },
    });
    expect(cpu.getX(0)).toBe(0n);
    expect(cpu.getX(6)).toBe(0n);
    cpu.setX(0, 5n);
    expect(cpu.getX(0)).toBe(0n);
  });
});

describe('control flow', () => {
  const branches: [string, (a: number, b: number, off: number) => A.Inst, (a: bigint, b: bigint) => boolean][] = [
    ['beq', A.beq, (a, b) => a === b],
    ['bne', A.bne, (a, b) => a !== b],
    ['blt', A.blt, (a, b) => s64(a) < s64(b)],
    ['bge', A.bge, (a, b) => s64(a) >= s64(b)],
    ['bltu', A.bltu, (a, b) => a < b],
    ['bgeu', A.bgeu, (a, b) => a >= b],
  ];
  for (const [name, enc, taken] of branches) {
    it(`${name} taken iff its condition holds`, () => {
      const pair = fc.oneof(fc.tuple(reg64, reg64), reg64.map((v) => [v, v] as [bigint, bigint]));
      fc.assert(
        fc.property(pair, ([a, b]) => {
          // taken: skip the addi that sets x7 = 1.
          const cpu = exec([enc(5, 6, 8), A.addi(7, 0, 1)], { x: { 5: a, 6: b } });
          expect(cpu.getX(7)).toBe(taken(a, b) ? 0n : 1n);
        }),
        { numRuns: 100 },
      );
    });
  }
  it('a backward branch loops', () => {
    const cpu = exec([A.addi(5, 0, 10), A.addi(6, 6, 3), A.addi(5, 5, -1), A.bne(5, 0, -8)]);
    expect(cpu.getX(6)).toBe(30n);
    expect(cpu.instret).toBe(1 + 30); // the ebreak is not retired
  });
  it('jal links pc+4 and jumps', () => {
    const cpu = exec([A.jal(1, 8), A.addi(7, 0, 1), A.auipc(8, 0)]);
    expect(cpu.getX(1)).toBe(BigInt(CODE + 4));
    expect(cpu.getX(7)).toBe(0n);
    expect(cpu.getX(8)).toBe(BigInt(CODE + 8));
  });
  it('jalr clears bit 0 of the target and reads rs1 before writing rd', () => {
    // x5 = CODE + 17 (odd); jalr x5, 0(x5) jumps to CODE + 16 (the ebreak) and links CODE + 12.
    const cpu = exec([A.auipc(5, 0), A.addi(5, 5, 17), A.jalr(5, 5, 0), A.addi(7, 0, 1)]);
    expect(cpu.pc).toBe(CODE + 16);
    expect(cpu.getX(5)).toBe(BigInt(CODE + 12));
    expect(cpu.getX(7)).toBe(0n);
    const back = exec([A.auipc(5, 0), A.jalr(1, 5, 16), A.addi(7, 0, 1), A.jal(0, 8), A.jalr(0, 1, 0), A.addi(8, 0, 2)]);
    // Goes to the jalr x0 at +16, returns to +8 (x7 = 1), then jumps over it to the addi x8.
    expect(back.getX(7)).toBe(1n);
    expect(back.getX(8)).toBe(2n);
  });
});

describe('stops', () => {
  it('budget: stops after exactly n instructions', () => {
    const { cpu, stop } = runUntilStop([A.addi(5, 5, 1), A.addi(5, 5, 1), A.addi(5, 5, 1), A.addi(5, 5, 1)], {}, {}, 3);
    expect(stopName(stop)).toBe('Budget');
    expect(cpu.instret).toBe(3);
    expect(cpu.pc).toBe(CODE + 12);
    expect(cpu.getX(5)).toBe(3n);
    expect(stopName(cpu.run(1))).toBe('Budget');
    expect(cpu.getX(5)).toBe(4n);
    expect(cpu.instret).toBe(4);
  });
  it('ecall stops at the ecall, not executed; resuming past it continues', () => {
    const { cpu, stop } = runUntilStop([A.addi(5, 0, 1), A.ecall(), A.addi(5, 0, 2), A.ebreak()]);
    expect(stopName(stop)).toBe('Ecall');
    expect(cpu.pc).toBe(CODE + 4);
    expect(cpu.instret).toBe(2); // the ecall counts as retired: the kernel completes it
    cpu.pc += 4;
    expect(stopName(cpu.run(100))).toBe('Ebreak');
    expect(cpu.getX(5)).toBe(2n);
    expect(cpu.pc).toBe(CODE + 12);
  });
  it('fence and fence.i are no-ops here', () => {
    const cpu = exec([A.addi(5, 0, 1), A.fence(), A.fence(3, 3), A.fenceI(), A.addi(5, 5, 1)]);
    expect(cpu.getX(5)).toBe(2n);
    expect(cpu.instret).toBe(5);
  });
  const illegal: [string, A.Inst][] = [
    ['all zeros', A.word(0x00000000)],
    ['all ones', A.word(0xffffffff)],
    ['custom-0 opcode', A.word(0x0000000b)],
    ['opcode 0x57 (vector, not implemented)', A.word(0x02000057)],
    ['add with funct7 0x02', A.word(A.add(1, 2, 3).bits | (0x02 << 25))],
    ['slliw with shamt bit 5', A.word(A.slliw(1, 2, 0).bits | (1 << 25))],
    ['srai with funct6 0x11', A.word(A.srai(1, 2, 1).bits | (1 << 26))],
    ['load funct3 7', A.word(A.ld(1, 2, 0).bits | (7 << 12))],
    ['store funct3 4', A.word(A.sd(1, 2, 0).bits ^ (7 << 12))],
    ['branch funct3 2', A.word(A.beq(1, 2, 8).bits | (2 << 12))],
    ['jalr funct3 1', A.word(A.jalr(1, 2, 0).bits | (1 << 12))],
    ['OP-32 funct3 2', A.word(A.addw(1, 2, 3).bits | (2 << 12))],
    ['system funct3 4', A.word(0x00004073)],
    ['wfi (privileged)', A.word(0x10500073)],
    ['mret (privileged)', A.word(0x30200073)],
  ];
  for (const [name, inst] of illegal) {
    it(`illegal: ${name}`, () => {
      const { cpu, stop } = runUntilStop([A.addi(5, 0, 1), inst, A.addi(5, 0, 2)]);
      expect(stopName(stop)).toBe('Illegal');
      expect(cpu.pc).toBe(CODE + 4);
      expect(cpu.instret).toBe(1);
      expect(cpu.getX(5)).toBe(1n);
    });
  }
  it('ebreak stops at the ebreak; resuming past it continues', () => {
    const cpu = load([A.ebreak(), A.addi(5, 0, 9), A.ebreak()]);
    expect(stopName(cpu.run(10))).toBe('Ebreak');
    expect(cpu.pc).toBe(CODE);
    cpu.pc += 4;
    expect(stopName(cpu.run(10))).toBe('Ebreak');
    expect(cpu.getX(5)).toBe(9n);
    expect(cpu.instret).toBe(1);
  });
});
