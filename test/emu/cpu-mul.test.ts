// The M extension through the CPU: products and quotients against BigInt on random and
// edge operands, and the defined results of division by zero and of overflow.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as A from '../support/rv-asm.ts';
import { exec, hex, M64, reg64, s64, sx32, u64 } from './cpu-harness.ts';

type Ref = (a: bigint, b: bigint) => bigint;
const i32 = (v: bigint) => BigInt.asIntN(32, v);
const u32 = (v: bigint) => BigInt.asUintN(32, v);
/** Division truncating toward zero, as BigInt does; the zero and overflow cases are separate. */
const sdiv = (a: bigint, b: bigint, bits: number) => {
  const min = -(1n << BigInt(bits - 1));
  if (b === 0n) return -1n;
  if (a === min && b === -1n) return min;
  return a / b;
};
const srem = (a: bigint, b: bigint, bits: number) => {
  const min = -(1n << BigInt(bits - 1));
  if (b === 0n) return a;
  if (a === min && b === -1n) return 0n;
  return a % b;
};

const ops: [string, (rd: number, a: number, b: number) => A.Inst, Ref][] = [
  ['mul', A.mul, (a, b) => u64(a * b)],
  ['mulh', A.mulh, (a, b) => u64((s64(a) * s64(b)) >> 64n)],
  ['mulhsu', A.mulhsu, (a, b) => u64((s64(a) * b) >> 64n)],
  ['mulhu', A.mulhu, (a, b) => (a * b) >> 64n],
  ['div', A.div, (a, b) => u64(sdiv(s64(a), s64(b), 64))],
  ['divu', A.divu, (a, b) => (b === 0n ? M64 : a / b)],
  ['rem', A.rem, (a, b) => u64(srem(s64(a), s64(b), 64))],
  ['remu', A.remu, (a, b) => (b === 0n ? a : a % b)],
  ['mulw', A.mulw, (a, b) => sx32(a * b)],
  ['divw', A.divw, (a, b) => sx32(sdiv(i32(a), i32(b), 32))],
  ['divuw', A.divuw, (a, b) => sx32(u32(b) === 0n ? M64 : u32(a) / u32(b))],
  ['remw', A.remw, (a, b) => sx32(srem(i32(a), i32(b), 32))],
  ['remuw', A.remuw, (a, b) => sx32(u32(b) === 0n ? u32(a) : u32(a) % u32(b))],
];

const run = (inst: A.Inst, a: bigint, b: bigint) => exec([inst], { x: { 5: a, 6: b } }).getX(7);

describe('M ops match BigInt', () => {
  // Divisors near zero and -1 hit the special cases often.
  const operand = fc.oneof(reg64, fc.constantFrom(0n, M64, 0xffffffffn, 0x1_0000_0000n, 0x8000_0000n));
  for (const [name, enc, ref] of ops) {
    it(name, () => {
      fc.assert(
        fc.property(operand, operand, (a, b) => {
          expect(hex(run(enc(7, 5, 6), a, b))).toBe(hex(ref(a, b)));
        }),
        { numRuns: 200 },
      );
    });
  }
});

describe('defined edge results', () => {
  const MIN = 1n << 63n;
  it('division by zero', () => {
    expect(run(A.div(7, 5, 6), 42n, 0n)).toBe(M64);
    expect(run(A.divu(7, 5, 6), 42n, 0n)).toBe(M64);
    expect(run(A.rem(7, 5, 6), u64(-42n), 0n)).toBe(u64(-42n));
    expect(run(A.remu(7, 5, 6), 42n, 0n)).toBe(42n);
    expect(run(A.divw(7, 5, 6), 42n, 0xffff_ffff_0000_0000n)).toBe(M64); // only the low 32 bits divide
    expect(run(A.divuw(7, 5, 6), 42n, 0n)).toBe(M64);
    expect(run(A.remw(7, 5, 6), 0x1_8000_0000n, 0n)).toBe(0xffffffff80000000n);
    expect(run(A.remuw(7, 5, 6), 0x1_8000_0000n, 0n)).toBe(0xffffffff80000000n);
  });
  it('signed overflow: INT_MIN / -1', () => {
    expect(run(A.div(7, 5, 6), MIN, M64)).toBe(MIN);
    expect(run(A.rem(7, 5, 6), MIN, M64)).toBe(0n);
    expect(run(A.divw(7, 5, 6), 0x8000_0000n, M64)).toBe(0xffffffff80000000n);
    expect(run(A.remw(7, 5, 6), 0x8000_0000n, M64)).toBe(0n);
  });
  it('signs of quotient and remainder follow the dividend', () => {
    expect(run(A.div(7, 5, 6), u64(-7n), 2n)).toBe(u64(-3n));
    expect(run(A.rem(7, 5, 6), u64(-7n), 2n)).toBe(u64(-1n));
    expect(run(A.rem(7, 5, 6), 7n, u64(-2n))).toBe(1n);
    expect(run(A.divu(7, 5, 6), u64(-7n), 2n)).toBe(u64(-7n) / 2n);
  });
  it('high products with negatives and large values', () => {
    expect(run(A.mulh(7, 5, 6), M64, M64)).toBe(0n); // (-1)(-1) = 1
    expect(run(A.mulhu(7, 5, 6), M64, M64)).toBe(M64 - 1n);
    expect(run(A.mulhsu(7, 5, 6), M64, M64)).toBe(M64); // -1 * (2^64-1) = -(2^64-1)
    expect(run(A.mulh(7, 5, 6), MIN, MIN)).toBe(1n << 62n);
    expect(run(A.mulhsu(7, 5, 6), MIN, M64)).toBe(MIN); // -2^63 * (2^64-1) = -2^127 + 2^63: high word -2^63
    expect(run(A.mul(7, 5, 6), MIN, 2n)).toBe(0n);
    expect(run(A.mulw(7, 5, 6), 0x10000n, 0x8000n)).toBe(0xffffffff80000000n);
    expect(run(A.mulw(7, 5, 6), 0xdead_0000_0000_0003n, 0xbeef_0000_0000_0005n)).toBe(15n);
  });
  it('rd may alias both sources', () => {
    const cpu = exec([A.mulhu(5, 5, 5), A.div(6, 6, 6)], { x: { 5: M64, 6: u64(-5n) } });
    expect(cpu.getX(5)).toBe(M64 - 1n);
    expect(cpu.getX(6)).toBe(1n);
  });
});
