// Cross-checks the test encoder against GNU as: thousands of instructions (every encoder,
// random operands and edge immediates) are assembled by both and compared word by word.
// Also checks li() by evaluating its lui/addi(w)/slli sequence with BigInt.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { oracleSuite } from './oracle.ts';
import * as A from './rv-asm.ts';

const AS = 'riscv64-linux-gnu-as';
const OBJCOPY = 'riscv64-linux-gnu-objcopy';

const r = fc.integer({ min: 0, max: 31 });
const rnz = fc.integer({ min: 1, max: 31 });
const rc = fc.integer({ min: 8, max: 15 });
const simm = (bits: number, align = 1) =>
  fc.integer({ min: -(2 ** (bits - 1)) / align, max: Math.floor((2 ** (bits - 1) - 1) / align) }).map((v) => v * align);
const uimm = (bits: number, align = 1) => fc.integer({ min: 0, max: Math.floor((2 ** bits - 1) / align) }).map((v) => v * align);
const nonzero = (a: fc.Arbitrary<number>) => a.filter((v) => v !== 0);
const fmt = fc.constantFrom<A.Fmt>('s', 'd');
const rm = fc.constantFrom(0, 1, 2, 3, 4, 7);
const width = fc.constantFrom<A.Width>('w', 'd');
const ord = fc.record({ aq: fc.boolean(), rl: fc.boolean() });
const intFmt = fc.constantFrom<A.IntFmtName>('w', 'wu', 'l', 'lu');
const csr = fc.constantFrom(...Object.values(A.CSR));

type Fn<T extends unknown[]> = (...a: T) => A.Inst;
const rrr = (...fs: Fn<[number, number, number]>[]) => fc.tuple(fc.constantFrom(...fs), r, r, r).map(([g, a, b, c]) => g(a, b, c));
const rri = (i: fc.Arbitrary<number>, ...fs: Fn<[number, number, number]>[]) =>
  fc.tuple(fc.constantFrom(...fs), r, r, i).map(([g, a, b, c]) => g(a, b, c));

const base: fc.Arbitrary<A.Inst>[] = [
  fc.tuple(fc.constantFrom(A.lui, A.auipc), r, uimm(20)).map(([g, a, b]) => g(a, b)),
  fc.tuple(r, simm(21, 2)).map(([a, o]) => A.jal(a, o)),
  rri(simm(12), A.jalr, A.lb, A.lh, A.lw, A.ld, A.lbu, A.lhu, A.lwu, A.flw, A.fld, A.sb, A.sh, A.sw, A.sd, A.fsw, A.fsd),
  rri(simm(12), A.addi, A.slti, A.sltiu, A.xori, A.ori, A.andi, A.addiw),
  fc.tuple(fc.constantFrom(A.beq, A.bne, A.blt, A.bge, A.bltu, A.bgeu), r, r, simm(13, 2)).map(([g, a, b, o]) => g(a, b, o)),
  rri(uimm(6), A.slli, A.srli, A.srai),
  rri(uimm(5), A.slliw, A.srliw, A.sraiw),
  rrr(A.add, A.sub, A.sll, A.slt, A.sltu, A.xor, A.srl, A.sra, A.or, A.and, A.addw, A.subw, A.sllw, A.srlw, A.sraw),
  fc.tuple(fc.integer({ min: 1, max: 15 }), fc.integer({ min: 1, max: 15 })).map(([p, s]) => A.fence(p, s)),
  fc.constantFrom(A.fenceI(), A.ecall(), A.ebreak()),
];
const m = [rrr(A.mul, A.mulh, A.mulhsu, A.mulhu, A.div, A.divu, A.rem, A.remu, A.mulw, A.divw, A.divuw, A.remw, A.remuw)];
const amo = [
  fc.tuple(width, r, r, ord).map(([w, a, b, o]) => A.lr(w, a, b, o)),
  fc.tuple(width, r, r, r, ord).map(([w, a, b, c, o]) => A.sc(w, a, b, c, o)),
  fc.tuple(fc.constantFrom(...(Object.keys(A.AMO_OPS) as A.AmoOp[])), width, r, r, r, ord).map(([n, w, a, b, c, o]) =>
    A.amo(n, w, a, b, c, o),
  ),
];
const zicsr = [
  fc.tuple(fc.constantFrom(A.csrrw, A.csrrs, A.csrrc), r, csr, r).map(([g, a, c, b]) => g(a, c, b)),
  fc.tuple(fc.constantFrom(A.csrrwi, A.csrrsi, A.csrrci), r, csr, uimm(5)).map(([g, a, c, b]) => g(a, c, b)),
];
const fd = [
  fc.tuple(fc.constantFrom(A.fadd, A.fsub, A.fmul, A.fdiv), fmt, r, r, r, rm).map(([g, t, a, b, c, m]) => g(t, a, b, c, m)),
  fc.tuple(fmt, r, r, rm).map(([t, a, b, m]) => A.fsqrt(t, a, b, m)),
  fc.tuple(fc.constantFrom(A.fsgnj, A.fsgnjn, A.fsgnjx, A.fmin, A.fmax, A.feq, A.flt, A.fle), fmt, r, r, r).map(
    ([g, t, a, b, c]) => g(t, a, b, c),
  ),
  fc.tuple(fmt, r, r).map(([t, a, b]) => A.fclass(t, a, b)),
  fc.tuple(fc.constantFrom(A.fmvXW, A.fmvWX, A.fmvXD, A.fmvDX), r, r).map(([g, a, b]) => g(a, b)),
  fc.tuple(intFmt, fmt, r, r, rm).map(([i, t, a, b, m]) => A.fcvtToInt(i, t, a, b, m)),
  // binutils 2.40 only writes exact conversions (fcvt.d.w, fcvt.d.wu, fcvt.d.s) with rne.
  fc.tuple(fmt, intFmt, r, r, rm).map(([t, i, a, b, m]) => A.fcvtFromInt(t, i, a, b, t === 'd' && i.startsWith('w') ? 0 : m)),
  fc.tuple(r, r, rm).map(([a, b, m]) => A.fcvtSD(a, b, m)),
  fc.tuple(r, r).map(([a, b]) => A.fcvtDS(a, b)),
  fc.tuple(fc.constantFrom(A.fmadd, A.fmsub, A.fnmsub, A.fnmadd), fmt, r, r, r, r, rm).map(([g, t, a, b, c, d, m]) =>
    g(t, a, b, c, d, m),
  ),
];
const c = [
  fc.tuple(rc, nonzero(uimm(10, 4))).map(([a, i]) => A.cAddi4spn(a, i)),
  fc.tuple(fc.constantFrom(A.cLw, A.cSw), rc, rc, uimm(7, 4)).map(([g, a, b, i]) => g(a, b, i)),
  fc.tuple(fc.constantFrom(A.cLd, A.cSd, A.cFld, A.cFsd), rc, rc, uimm(8, 8)).map(([g, a, b, i]) => g(a, b, i)),
  fc.constant(A.cNop()),
  fc.tuple(rnz, nonzero(simm(6))).map(([a, i]) => A.cAddi(a, i)),
  fc.tuple(fc.constantFrom(A.cAddiw, A.cLi), rnz, simm(6)).map(([g, a, i]) => g(a, i)),
  nonzero(simm(10, 16)).map(A.cAddi16sp),
  fc.tuple(rnz.filter((v) => v !== 2), nonzero(simm(6))).map(([a, i]) => A.cLui(a, i)),
  fc.tuple(fc.constantFrom(A.cSrli, A.cSrai), rc, nonzero(uimm(6))).map(([g, a, i]) => g(a, i)),
  fc.tuple(rc, simm(6)).map(([a, i]) => A.cAndi(a, i)),
  fc.tuple(fc.constantFrom(A.cSub, A.cXor, A.cOr, A.cAnd, A.cSubw, A.cAddw), rc, rc).map(([g, a, b]) => g(a, b)),
  simm(12, 2).map(A.cJ),
  fc.tuple(fc.constantFrom(A.cBeqz, A.cBnez), rc, simm(9, 2)).map(([g, a, o]) => g(a, o)),
  fc.tuple(rnz, nonzero(uimm(6))).map(([a, i]) => A.cSlli(a, i)),
  fc.tuple(rnz, uimm(8, 4)).map(([a, i]) => A.cLwsp(a, i)),
  fc.tuple(rnz, uimm(9, 8)).map(([a, i]) => A.cLdsp(a, i)),
  fc.tuple(r, uimm(9, 8)).map(([a, i]) => A.cFldsp(a, i)),
  fc.tuple(r, uimm(8, 4)).map(([a, i]) => A.cSwsp(a, i)),
  fc.tuple(fc.constantFrom(A.cSdsp, A.cFsdsp), r, uimm(9, 8)).map(([g, a, i]) => g(a, i)),
  fc.tuple(fc.constantFrom(A.cJr, A.cJalr), rnz).map(([g, a]) => g(a)),
  fc.tuple(fc.constantFrom(A.cMv, A.cAdd), rnz, rnz).map(([g, a, b]) => g(a, b)),
  fc.constant(A.cEbreak()),
];

/** Edge immediates the random sample might miss. */
const edges: A.Inst[] = [
  A.addi(1, 2, -2048), A.addi(1, 2, 2047), A.sd(31, 30, -2048), A.sd(1, 2, 2047), A.lui(1, 0xfffff), A.lui(1, 0x80000),
  A.jal(0, -(2 ** 20)), A.jal(1, 2 ** 20 - 2), A.beq(1, 2, -4096), A.bne(1, 2, 4094), A.slli(1, 2, 63), A.srai(1, 2, 63),
  A.sraiw(1, 2, 31), A.csrrwi(0, 3, 31), A.cAddi4spn(15, 1020), A.cAddi4spn(8, 4), A.cAddi16sp(-512), A.cAddi16sp(496),
  A.cLui(31, -32), A.cLui(1, 31), A.cLui(3, 1), A.cJ(-2048), A.cJ(2046), A.cBeqz(8, -256), A.cBnez(15, 254), A.cLw(15, 8, 124),
  A.cLd(8, 15, 248), A.cLwsp(1, 252), A.cLdsp(31, 504), A.cSwsp(0, 252), A.cSdsp(31, 504), A.cSrai(8, 63), A.cAndi(9, -32),
  A.fence(), A.fence(2, 1), A.amo('amomaxu', 'd', 31, 30, 29, { aq: true, rl: true }), A.fcvtSD(1, 2, 1),
];

/** GNU as source for a sequence, switching the C extension on only for compressed instructions. */
function gasSource(insts: A.Inst[]): string {
  const lines: string[] = [];
  let rvc: boolean | null = null;
  for (const i of insts) {
    const want = i.size === 2;
    if (want !== rvc) lines.push(want ? '.option rvc' : '.option norvc');
    rvc = want;
    lines.push(i.asm);
  }
  return lines.join('\n') + '\n';
}

function gnuAssemble(insts: A.Inst[]): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'rvasm-'));
  try {
    writeFileSync(join(dir, 'a.s'), gasSource(insts));
    execFileSync(AS, ['-march=rv64gc', '-mno-relax', '-o', join(dir, 'a.o'), join(dir, 'a.s')], { stdio: 'pipe' });
    execFileSync(OBJCOPY, ['-O', 'binary', '-j', '.text', join(dir, 'a.o'), join(dir, 'a.bin')], { stdio: 'pipe' });
    return new Uint8Array(readFileSync(join(dir, 'a.bin')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const groups = { base, m, amo, zicsr, fd, c };

oracleSuite('rv-asm agrees with GNU as', ['cross-binutils'], () => {
  for (const [name, arbs] of Object.entries(groups)) {
    it(`${name}: random operands`, () => {
      // Every encoder of the group, 150 samples each, from a fixed seed.
      const insts = arbs.flatMap((a, k) => fc.sample(a, { seed: 42 + k, numRuns: 150 }));
      const ours = A.assemble(insts);
      const theirs = gnuAssemble(insts);
      let off = 0;
      for (const i of insts) {
        const got = i.size === 4 ? new DataView(theirs.buffer).getUint32(off, true) : new DataView(theirs.buffer).getUint16(off, true);
        if (got !== i.bits) expect.fail(`${i.asm}: ours 0x${i.bits.toString(16)}, as 0x${got.toString(16)}`);
        off += i.size;
      }
      expect(theirs.length).toBe(ours.length);
    });
  }
  it('edge immediates', () => {
    expect(Array.from(gnuAssemble(edges))).toEqual(Array.from(A.assemble(edges)));
  });
});

describe('operand checks', () => {
  it('rejects bad registers and immediates with a message', () => {
    expect(() => A.add(32, 1, 2)).toThrow(/register 32 is not in 0..31/);
    expect(() => A.addi(1, 2, 2048)).toThrow(/immediate 2048/);
    expect(() => A.beq(1, 2, 3)).toThrow(/multiple of 2/);
    expect(() => A.cLw(7, 8, 0)).toThrow(/compressed set/);
    expect(() => A.cAddi4spn(8, 0)).toThrow(/reserved/);
    expect(() => A.slliw(1, 2, 32)).toThrow(/shift amount 32/);
  });
  it('prints reserved rounding modes as raw words', () => {
    const i = A.fadd('s', 1, 2, 3, 5);
    expect(i.asm).toBe(`.word 0x${i.bits.toString(16)}`);
    expect((i.bits >>> 12) & 7).toBe(5);
  });
});

/** BigInt evaluation of an li() sequence (only lui, addi, addiw, slli appear). */
function evalLi(insts: A.Inst[]): bigint {
  const regs = new Array<bigint>(32).fill(0n);
  for (const { bits } of insts) {
    const rd = (bits >>> 7) & 31;
    const rs1 = (bits >>> 15) & 31;
    const immI = BigInt(bits >> 20);
    const opc = bits & 0x7f;
    const f3 = (bits >>> 12) & 7;
    let v: bigint;
    if (opc === 0x37) v = BigInt.asIntN(32, BigInt(bits & 0xfffff000));
    else if (opc === 0x13 && f3 === 0) v = regs[rs1] + immI;
    else if (opc === 0x1b && f3 === 0) v = BigInt.asIntN(32, regs[rs1] + immI);
    else if (opc === 0x13 && f3 === 1) v = regs[rs1] << BigInt((bits >>> 20) & 63);
    else throw new Error(`unexpected instruction in li: ${bits.toString(16)}`);
    if (rd !== 0) regs[rd] = BigInt.asIntN(64, v);
  }
  return BigInt.asUintN(64, regs[5]);
}

describe('li', () => {
  it('materializes any 64-bit value', () => {
    const interesting = fc.oneof(
      fc.bigInt({ min: -(1n << 63n), max: (1n << 64n) - 1n }),
      fc.integer({ min: 0, max: 63 }).chain((s) => fc.constantFrom(1n << BigInt(s), (1n << BigInt(s)) - 1n, -(1n << BigInt(s)))),
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map(BigInt),
    );
    fc.assert(
      fc.property(interesting, (v) => {
        const seq = A.li(5, v);
        expect(seq.length).toBeLessThanOrEqual(8);
        expect(evalLi(seq)).toBe(BigInt.asUintN(64, v));
      }),
      { numRuns: 2000 },
    );
  });
  it('uses one instruction for 12-bit values and two for 32-bit ones', () => {
    expect(A.li(5, -2048n).map((i) => i.asm)).toEqual(['addi x5, x0, -2048']);
    expect(A.li(5, 0x7fffffffn).map((i) => i.asm)).toEqual(['lui x5, 0x80000', 'addiw x5, x5, -1']);
    expect(A.li(5, 0x12345000n).length).toBe(1);
  });
});
