// F and D through the CPU: arithmetic against JS (round to nearest even) on random
// operands, fused multiply-add, NaN boxing and canonical NaNs, sign injection on NaN
// payloads, fclass, comparisons and min/max with their NV rules, static and dynamic
// rounding modes, accrued flags, conversions with saturation, and FP loads/stores.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as A from '../support/rv-asm.ts';
import { CODE, DATA, exec, hex, load, M64, runUntilStop, stopName, sx32, u64 } from './cpu-harness.ts';

const BOX = 0xffff_ffff_0000_0000n;
const NV = 0x10;
const DZ = 0x08;
const OF = 0x04;
const UF = 0x02;
const NX = 0x01;
const CNAN_S = BOX | 0x7fc0_0000n;
const CNAN_D = 0x7ff8_0000_0000_0000n;
const SNAN_S = BOX | 0x7f80_0001n;
const SNAN_D = 0x7ff0_0000_0000_0001n;
const QNAN_S_PAYLOAD = BOX | 0x7fc1_2345n;
const QNAN_D_PAYLOAD = 0x7ff8_dead_beef_0001n;

const dv = new DataView(new ArrayBuffer(8));
const D = (v: number) => (dv.setFloat64(0, v, true), dv.getBigUint64(0, true));
const S = (v: number) => (dv.setFloat32(0, v, true), BOX | BigInt(dv.getUint32(0, true)));
const fromD = (b: bigint) => (dv.setBigUint64(0, b, true), dv.getFloat64(0, true));
const fromS = (b: bigint) => (dv.setUint32(0, Number(b & 0xffff_ffffn), true), dv.getFloat32(0, true));
const MAX_S = fromS(0x7f7f_ffffn);
const MIN_NORMAL_S = 2 ** -126;

/** Run code with f registers (and x registers) preset; fcsr starts at frm (default RNE), no flags. */
function run(code: A.Inst[], f: Record<number, bigint>, x: Record<number, bigint> = {}, frm = 0) {
  return exec(code, { f, x, fcsr: frm << 5 });
}
const flags = (cpu: { fcsr: number }) => cpu.fcsr & 31;

/** The single result of a binary .s op on (a, b), and the flags. */
function binS(op: (t: A.Fmt, rd: number, a: number, b: number, rm?: number) => A.Inst, a: bigint, b: bigint, rm = 0) {
  const cpu = run([op('s', 3, 1, 2, rm)], { 1: a, 2: b });
  return { r: cpu.getF(3), fl: flags(cpu) };
}
function binD(op: (t: A.Fmt, rd: number, a: number, b: number, rm?: number) => A.Inst, a: bigint, b: bigint, rm = 0) {
  const cpu = run([op('d', 3, 1, 2, rm)], { 1: a, 2: b });
  return { r: cpu.getF(3), fl: flags(cpu) };
}

const anyDouble = fc.oneof(
  fc.double(),
  fc.constantFrom(0, -0, Infinity, -Infinity, NaN, Number.MIN_VALUE, -Number.MIN_VALUE, 2 ** -1022, Number.MAX_VALUE, 1, -1, 3),
);
const anyFloat = fc.oneof(
  fc.float(),
  fc.constantFrom(0, -0, Infinity, -Infinity, NaN, 2 ** -149, MIN_NORMAL_S, MAX_S, 1, -1, 3),
);
const canonD = (v: number) => (Number.isNaN(v) ? CNAN_D : D(v));
const canonS = (v: number) => (Number.isNaN(v) ? CNAN_S : S(v));

describe('arithmetic matches IEEE (round to nearest even)', () => {
  const ops: [string, (t: A.Fmt, rd: number, a: number, b: number, rm?: number) => A.Inst, (a: number, b: number) => number][] = [
    ['fadd', A.fadd, (a, b) => a + b],
    ['fsub', A.fsub, (a, b) => a - b],
    ['fmul', A.fmul, (a, b) => a * b],
    ['fdiv', A.fdiv, (a, b) => a / b],
  ];
  for (const [name, enc, js] of ops) {
    it(`${name}.d`, () => {
      fc.assert(
        fc.property(anyDouble, anyDouble, (a, b) => {
          expect(hex(binD(enc, D(a), D(b)).r)).toBe(hex(canonD(js(a, b))));
        }),
        { numRuns: 200 },
      );
    });
    it(`${name}.s`, () => {
      // Double rounding through binary64 is harmless for + - * / of binary32 operands.
      fc.assert(
        fc.property(anyFloat, anyFloat, (a, b) => {
          expect(hex(binS(enc, S(a), S(b)).r)).toBe(hex(canonS(Math.fround(js(a, b)))));
        }),
        { numRuns: 200 },
      );
    });
  }
  it('fsqrt.d and fsqrt.s', () => {
    fc.assert(
      fc.property(anyDouble, anyFloat, (a, b) => {
        expect(hex(run([A.fsqrt('d', 3, 1, 0)], { 1: D(a) }).getF(3))).toBe(hex(canonD(Math.sqrt(a))));
        expect(hex(run([A.fsqrt('s', 3, 1, 0)], { 1: S(b) }).getF(3))).toBe(hex(canonS(Math.fround(Math.sqrt(b)))));
      }),
      { numRuns: 200 },
    );
  });
  it('invalid operations give the canonical NaN and NV; division by zero gives DZ', () => {
    expect(binD(A.fsub, D(Infinity), D(Infinity))).toEqual({ r: CNAN_D, fl: NV });
    expect(binD(A.fmul, D(0), D(-Infinity))).toEqual({ r: CNAN_D, fl: NV });
    expect(binD(A.fdiv, D(0), D(-0))).toEqual({ r: CNAN_D, fl: NV });
    expect(binS(A.fdiv, S(Infinity), S(Infinity))).toEqual({ r: CNAN_S, fl: NV });
    expect(binD(A.fdiv, D(1), D(-0))).toEqual({ r: D(-Infinity), fl: DZ });
    expect(binS(A.fdiv, S(-1), S(0))).toEqual({ r: S(-Infinity), fl: DZ });
    expect(binD(A.fdiv, D(Infinity), D(0))).toEqual({ r: D(Infinity), fl: 0 });
    const sq = run([A.fsqrt('d', 3, 1, 0), A.fsqrt('s', 4, 2, 0)], { 1: D(-1), 2: S(-0) });
    expect(sq.getF(3)).toBe(CNAN_D);
    expect(sq.getF(4)).toBe(S(-0));
    expect(flags(sq)).toBe(NV);
  });
  it('NaN operands: quiet NaNs propagate as the canonical NaN without NV, signaling ones raise NV', () => {
    expect(binD(A.fadd, QNAN_D_PAYLOAD, D(1))).toEqual({ r: CNAN_D, fl: 0 });
    expect(binD(A.fmul, D(1), SNAN_D)).toEqual({ r: CNAN_D, fl: NV });
    expect(binS(A.fadd, QNAN_S_PAYLOAD, S(1))).toEqual({ r: CNAN_S, fl: 0 });
    expect(binS(A.fsub, S(1), SNAN_S)).toEqual({ r: CNAN_S, fl: NV });
  });
  it('overflow, underflow and inexact flags', () => {
    expect(binD(A.fmul, D(Number.MAX_VALUE), D(2))).toEqual({ r: D(Infinity), fl: OF | NX });
    expect(binS(A.fadd, S(MAX_S), S(MAX_S))).toEqual({ r: S(Infinity), fl: OF | NX });
    expect(binD(A.fdiv, D(1), D(3)).fl).toBe(NX);
    // An exact subnormal result is not an underflow; an inexact one is.
    expect(binD(A.fmul, D(2 ** -1022), D(0.5))).toEqual({ r: D(2 ** -1023), fl: 0 });
    expect(binD(A.fmul, D(2 ** -1022 * (1 + 2 ** -52)), D(0.5)).fl).toBe(UF | NX);
    expect(binS(A.fmul, S(2 ** -140), S(2 ** -20)).fl).toBe(UF | NX);
  });
  it('tininess is detected after rounding', () => {
    // a*b + c = 2^-126 - 15*2^-156: below the smallest normal, but it rounds to it, so NX without UF.
    const cpu = run([A.fmadd('s', 4, 1, 2, 3, 0)], { 1: S(15 * 2 ** -80), 2: S(-(2 ** -76)), 3: S(MIN_NORMAL_S) });
    expect(cpu.getF(4)).toBe(S(MIN_NORMAL_S));
    expect(flags(cpu)).toBe(NX);
  });
});

describe('fused multiply-add', () => {
  const fmas: [string, typeof A.fmadd, (a: number, b: number, c: number) => number][] = [
    ['fmadd', A.fmadd, (a, b, c) => a * b + c],
    ['fmsub', A.fmsub, (a, b, c) => a * b - c],
    ['fnmsub', A.fnmsub, (a, b, c) => -(a * b) + c],
    ['fnmadd', A.fnmadd, (a, b, c) => -(a * b) - c],
  ];
  for (const [name, enc, ref] of fmas) {
    it(`${name}: signs and exact small-integer results`, () => {
      for (const t of ['s', 'd'] as const) {
        const B = t === 's' ? S : D;
        for (const [a, b, c] of [[2, 3, 1], [-2, 3, 0.5], [1.5, -4, -7]]) {
          const cpu = run([enc(t, 4, 1, 2, 3, 0)], { 1: B(a), 2: B(b), 3: B(c) });
          expect(cpu.getF(4), `${name}.${t}(${a},${b},${c})`).toBe(B(ref(a, b, c)));
          expect(flags(cpu)).toBe(0);
        }
      }
    });
  }
  it('rounds once: the product is not rounded before the addition', () => {
    const a = 1 + 2 ** -30;
    const b = 1 - 2 ** -30;
    // a*b = 1 - 2^-60 exactly; rounded first it would be 1 and the result 0.
    const d = run([A.fmsub('d', 4, 1, 2, 3, 0), A.fnmadd('d', 5, 1, 2, 3, 0)], { 1: D(a), 2: D(b), 3: D(1) });
    expect(d.getF(4)).toBe(D(-(2 ** -60)));
    expect(d.getF(5)).toBe(D(-2 + 2 ** -60));
    const s = run([A.fmsub('s', 4, 1, 2, 3, 0)], { 1: S(1 + 2 ** -12), 2: S(1 - 2 ** -12), 3: S(1) });
    expect(s.getF(4)).toBe(S(-(2 ** -24)));
  });
  it('inf * 0 + NaN raises NV even when the addend is a quiet NaN', () => {
    for (const t of ['s', 'd'] as const) {
      const [B, Q, N] = t === 's' ? [S, QNAN_S_PAYLOAD, CNAN_S] : [D, QNAN_D_PAYLOAD, CNAN_D];
      const cpu = run([A.fmadd(t, 4, 1, 2, 3, 0)], { 1: B(Infinity), 2: B(0), 3: Q });
      expect(cpu.getF(4)).toBe(N);
      expect(flags(cpu)).toBe(NV);
      const q = run([A.fmadd(t, 4, 1, 2, 3, 0)], { 1: B(1), 2: B(2), 3: Q });
      expect(q.getF(4)).toBe(N);
      expect(flags(q)).toBe(0);
    }
  });
  it('exact zero results take the sign from the rounding mode', () => {
    // 1*1 + (-1) = +0 except in RDN where it is -0.
    const near = run([A.fmadd('d', 4, 1, 1, 2, 0)], { 1: D(1), 2: D(-1) });
    expect(near.getF(4)).toBe(D(0));
    const down = run([A.fmadd('d', 4, 1, 1, 2, A.Rm.rdn)], { 1: D(1), 2: D(-1) });
    expect(down.getF(4)).toBe(D(-0));
    const sub = run([A.fsub('s', 4, 1, 1, A.Rm.rdn)], { 1: S(5) });
    expect(sub.getF(4)).toBe(S(-0));
  });
});

describe('NaN boxing', () => {
  const UNBOXED_ONE = 0x0000_0000_3f80_0000n;
  it('an improperly boxed single reads as the canonical NaN', () => {
    for (const bad of [UNBOXED_ONE, 0xffff_fffe_3f80_0000n, 0x7fff_ffff_3f80_0000n]) {
      const cpu = run(
        [A.fadd('s', 3, 1, 2, 0), A.fsgnj('s', 4, 1, 5), A.fclass('s', 6, 1), A.feq('s', 7, 1, 1), A.fcvtDS(8, 1), A.fmin('s', 9, 1, 2)],
        { 1: bad, 2: S(2), 5: S(-1) },
      );
      expect(cpu.getF(3)).toBe(CNAN_S);
      expect(cpu.getF(4)).toBe(BOX | 0xffc0_0000n); // canonical NaN with the sign of f5
      expect(cpu.getX(6)).toBe(1n << 9n); // quiet NaN
      expect(cpu.getX(7)).toBe(0n);
      expect(cpu.getF(8)).toBe(CNAN_D);
      expect(cpu.getF(9)).toBe(S(2));
      expect(flags(cpu)).toBe(0); // a quiet NaN: no NV anywhere
    }
  });
  it('single results, flw and fmv.w.x write boxed values', () => {
    const cpu = load([A.flw(1, 5, 0), A.fmvWX(2, 6), A.fadd('s', 3, 1, 2, 0), A.ebreak()], {
      x: { 5: BigInt(DATA), 6: 0x1234_5678_4000_0000n },
      f: { 1: 0n, 2: 0n, 3: 0n },
    });
    cpu.mem.write(DATA, Uint8Array.from([0, 0, 0x80, 0x3f]));
    expect(stopName(cpu.run(10))).toBe('Ebreak');
    expect(cpu.getF(1)).toBe(S(1));
    expect(cpu.getF(2)).toBe(S(2));
    expect(cpu.getF(3)).toBe(S(3));
  });
  it('transfers do not check boxing: fsw and fmv.x.w move the low 32 bits', () => {
    const cpu = run([A.fsw(1, 5, 0), A.lwu(6, 5, 0), A.fmvXW(7, 1)], { 1: 0x0000_0000_8000_0001n }, { 5: BigInt(DATA) });
    expect(cpu.getX(6)).toBe(0x8000_0001n);
    expect(cpu.getX(7)).toBe(0xffff_ffff_8000_0001n);
  });
  it('double ops see a boxed single as a NaN double', () => {
    const cpu = run([A.fadd('d', 3, 1, 1, 0), A.fmvXD(4, 1)], { 1: S(1) });
    expect(cpu.getF(3)).toBe(CNAN_D);
    expect(cpu.getX(4)).toBe(S(1));
  });
});

describe('moves and sign injection', () => {
  it('fmv.x.w sign-extends; fmv.x.d / fmv.d.x are raw', () => {
    const cpu = run([A.fmvXW(5, 1), A.fmvXW(6, 2), A.fmvXD(7, 3), A.fmvDX(4, 8)], { 1: S(-0), 2: S(Infinity), 3: SNAN_D }, { 8: M64 });
    expect(cpu.getX(5)).toBe(0xffff_ffff_8000_0000n);
    expect(cpu.getX(6)).toBe(0x7f80_0000n);
    expect(cpu.getX(7)).toBe(SNAN_D);
    expect(cpu.getF(4)).toBe(M64);
    expect(flags(cpu)).toBe(0);
  });
  it('fsgnj/fsgnjn/fsgnjx keep NaN payloads, raise nothing', () => {
    const d = run([A.fsgnj('d', 4, 1, 2), A.fsgnjn('d', 5, 1, 2), A.fsgnjx('d', 6, 1, 2), A.fsgnjx('d', 7, 3, 2)], {
      1: SNAN_D,
      2: D(-1),
      3: 0x8000_0000_0000_0000n | QNAN_D_PAYLOAD,
    });
    expect(d.getF(4)).toBe(0x8000_0000_0000_0000n | SNAN_D);
    expect(d.getF(5)).toBe(SNAN_D);
    expect(d.getF(6)).toBe(0x8000_0000_0000_0000n | SNAN_D);
    expect(d.getF(7)).toBe(QNAN_D_PAYLOAD); // negative xor negative
    const s = run([A.fsgnj('s', 4, 1, 2), A.fsgnjn('s', 5, 1, 1), A.fsgnjx('s', 6, 2, 2)], { 1: SNAN_S, 2: S(-2) });
    expect(s.getF(4)).toBe(SNAN_S | 0x8000_0000n);
    expect(s.getF(5)).toBe(SNAN_S | 0x8000_0000n);
    expect(s.getF(6)).toBe(S(2));
    expect(flags(d) | flags(s)).toBe(0);
  });
  it('fsgnj with random bits is a pure bit operation', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: M64 }), fc.bigInt({ min: 0n, max: M64 }), (a, b) => {
        const cpu = run([A.fsgnj('d', 4, 1, 2), A.fsgnjn('d', 5, 1, 2), A.fsgnjx('d', 6, 1, 2)], { 1: a, 2: b });
        const SIGN = 1n << 63n;
        const mag = a & ~SIGN;
        expect(cpu.getF(4)).toBe(mag | (b & SIGN));
        expect(cpu.getF(5)).toBe(mag | (~b & SIGN));
        expect(cpu.getF(6)).toBe(mag | ((a ^ b) & SIGN));
      }),
      { numRuns: 100 },
    );
  });
});

describe('fclass', () => {
  const classes: [string, number, number, bigint, bigint][] = [
    // name, bit, _, single, double
    ['-inf', 0, 0, S(-Infinity), D(-Infinity)],
    ['-normal', 1, 0, S(-1.5), D(-1.5)],
    ['-subnormal', 2, 0, S(-(2 ** -149)), D(-Number.MIN_VALUE)],
    ['-0', 3, 0, S(-0), D(-0)],
    ['+0', 4, 0, S(0), D(0)],
    ['+subnormal', 5, 0, BOX | 0x007f_ffffn, 0x000f_ffff_ffff_ffffn],
    ['+normal', 6, 0, S(MAX_S), D(Number.MAX_VALUE)],
    ['+inf', 7, 0, S(Infinity), D(Infinity)],
    ['signaling NaN', 8, 0, SNAN_S | 0x8000_0000n, SNAN_D | (1n << 63n)],
    ['quiet NaN', 9, 0, QNAN_S_PAYLOAD, QNAN_D_PAYLOAD],
  ];
  for (const [name, bit, , s, d] of classes) {
    it(name, () => {
      const cpu = run([A.fclass('s', 5, 1), A.fclass('d', 6, 2)], { 1: s, 2: d });
      expect(cpu.getX(5)).toBe(1n << BigInt(bit));
      expect(cpu.getX(6)).toBe(1n << BigInt(bit));
      expect(flags(cpu)).toBe(0);
    });
  }
});

describe('comparisons and min/max', () => {
  const cmp = (t: A.Fmt, a: bigint, b: bigint) => {
    const cpu = run([A.feq(t, 5, 1, 2), A.flt(t, 6, 1, 2), A.fle(t, 7, 1, 2)], { 1: a, 2: b });
    return [cpu.getX(5), cpu.getX(6), cpu.getX(7), flags(cpu)];
  };
  it('ordered values', () => {
    expect(cmp('d', D(1), D(2))).toEqual([0n, 1n, 1n, 0]);
    expect(cmp('d', D(2), D(2))).toEqual([1n, 0n, 1n, 0]);
    expect(cmp('s', S(-0), S(0))).toEqual([1n, 0n, 1n, 0]);
    expect(cmp('s', S(-Infinity), S(-MAX_S))).toEqual([0n, 1n, 1n, 0]);
  });
  it('quiet NaN: feq is quiet, flt and fle signal NV', () => {
    const NVx = NV;
    for (const [t, q, one] of [['s', QNAN_S_PAYLOAD, S(1)], ['d', QNAN_D_PAYLOAD, D(1)]] as const) {
      const cpu = run([A.feq(t, 5, 1, 2)], { 1: q, 2: one });
      expect([cpu.getX(5), flags(cpu)]).toEqual([0n, 0]);
      const lt = run([A.flt(t, 5, 1, 2)], { 1: one, 2: q });
      expect([lt.getX(5), flags(lt)]).toEqual([0n, NVx]);
      const le = run([A.fle(t, 5, 1, 1)], { 1: q });
      expect([le.getX(5), flags(le)]).toEqual([0n, NVx]);
    }
  });
  it('signaling NaN: every comparison signals NV', () => {
    for (const [t, sn] of [['s', SNAN_S], ['d', SNAN_D]] as const) {
      for (const enc of [A.feq, A.flt, A.fle]) {
        const cpu = run([enc(t, 5, 1, 1)], { 1: sn });
        expect([cpu.getX(5), flags(cpu)]).toEqual([0n, NV]);
      }
    }
  });
  it('random doubles compare like JS', () => {
    fc.assert(
      fc.property(anyDouble, anyDouble, (a, b) => {
        const [eq, lt, le] = cmp('d', D(a), D(b));
        expect([eq, lt, le]).toEqual([a === b, a < b, a <= b].map((v) => (v ? 1n : 0n)));
      }),
      { numRuns: 200 },
    );
  });
  it('fmin/fmax: one NaN gives the other operand, two give the canonical NaN, -0 < +0', () => {
    const mm = (t: A.Fmt, a: bigint, b: bigint) => {
      const cpu = run([A.fmin(t, 3, 1, 2), A.fmax(t, 4, 1, 2)], { 1: a, 2: b });
      return [cpu.getF(3), cpu.getF(4), flags(cpu)];
    };
    expect(mm('d', QNAN_D_PAYLOAD, D(3))).toEqual([D(3), D(3), 0]);
    expect(mm('d', D(3), SNAN_D)).toEqual([D(3), D(3), NV]);
    expect(mm('d', QNAN_D_PAYLOAD, SNAN_D)).toEqual([CNAN_D, CNAN_D, NV]);
    expect(mm('d', QNAN_D_PAYLOAD, QNAN_D_PAYLOAD)).toEqual([CNAN_D, CNAN_D, 0]);
    expect(mm('d', D(0), D(-0))).toEqual([D(-0), D(0), 0]);
    expect(mm('d', D(-0), D(0))).toEqual([D(-0), D(0), 0]);
    expect(mm('s', S(-1), QNAN_S_PAYLOAD)).toEqual([S(-1), S(-1), 0]);
    expect(mm('s', SNAN_S, SNAN_S)).toEqual([CNAN_S, CNAN_S, NV]);
    expect(mm('s', S(0), S(-0))).toEqual([S(-0), S(0), 0]);
    expect(mm('s', S(-Infinity), S(2))).toEqual([S(-Infinity), S(2), 0]);
  });
});

describe('rounding modes', () => {
  const { rne, rtz, rdn, rup, rmm, dyn } = A.Rm;
  // [a, b, {rm: expected a+b}] in single precision; ulp(1) = 2^-23.
  const u = 2 ** -23;
  const addCases: [number, number, Record<number, number>][] = [
    [1, u / 2, { [rne]: 1, [rtz]: 1, [rdn]: 1, [rup]: 1 + u, [rmm]: 1 + u }], // a tie
    [-1, -u / 2, { [rne]: -1, [rtz]: -1, [rdn]: -1 - u, [rup]: -1, [rmm]: -1 - u }],
    [1 + u, u / 2, { [rne]: 1 + 2 * u, [rtz]: 1 + u, [rdn]: 1 + u, [rup]: 1 + 2 * u, [rmm]: 1 + 2 * u }],
    [1, (3 * u) / 4, { [rne]: 1 + u, [rtz]: 1, [rdn]: 1, [rup]: 1 + u, [rmm]: 1 + u }],
    [MAX_S, MAX_S, { [rne]: Infinity, [rtz]: MAX_S, [rdn]: MAX_S, [rup]: Infinity, [rmm]: Infinity }],
    [-MAX_S, -MAX_S, { [rne]: -Infinity, [rtz]: -MAX_S, [rdn]: -Infinity, [rup]: -MAX_S, [rmm]: -Infinity }],
  ];
  for (const [a, b, want] of addCases) {
    for (const rm of [rne, rtz, rdn, rup, rmm]) {
      it(`fadd.s ${a} + ${b} in rm ${rm}, static and dynamic`, () => {
        const st = run([A.fadd('s', 3, 1, 2, rm)], { 1: S(a), 2: S(b) }, {}, rm === rne ? rup : rne);
        const dy = run([A.fadd('s', 3, 1, 2, dyn)], { 1: S(a), 2: S(b) }, {}, rm);
        expect(fromS(st.getF(3))).toBe(want[rm]);
        expect(dy.getF(3)).toBe(st.getF(3));
        expect(flags(st)).toBe(flags(dy));
        expect(flags(st) & NX).toBe(NX);
      });
    }
  }
  it('double precision rounding directions', () => {
    const third = (rm: number) => fromD(run([A.fdiv('d', 3, 1, 2, rm)], { 1: D(1), 2: D(3) }).getF(3));
    expect(third(rne)).toBe(1 / 3);
    expect(third(rdn)).toBe(1 / 3);
    expect(third(rtz)).toBe(1 / 3);
    expect(third(rup)).toBeGreaterThan(1 / 3);
    const negThird = (rm: number) => fromD(run([A.fdiv('d', 3, 1, 2, rm)], { 1: D(-1), 2: D(3) }).getF(3));
    expect(negThird(rup)).toBe(-1 / 3);
    expect(negThird(rdn)).toBeLessThan(-1 / 3);
    const sqrt2 = (rm: number) => fromD(run([A.fsqrt('d', 3, 1, rm)], { 1: D(2) }).getF(3));
    expect(sqrt2(rne)).toBe(Math.SQRT2);
    expect(sqrt2(rup)).toBe(Math.SQRT2); // the nearest double lies above sqrt(2)
    expect(sqrt2(rdn)).toBeLessThan(Math.SQRT2);
    expect(sqrt2(rtz)).toBe(sqrt2(rdn));
    const mul = (rm: number) => run([A.fmul('d', 3, 1, 2, rm)], { 1: D(1 + 2 ** -52), 2: D(1 + 2 ** -52) }).getF(3);
    expect(mul(rtz)).toBe(D(1 + 2 ** -51));
    expect(mul(rup)).toBe(D(1 + 2 ** -51 + 2 ** -52));
  });
  it('dynamic rounding follows frm changes made with csrrwi', () => {
    const cpu = run(
      [A.csrrwi(0, A.CSR.frm, rup), A.fdiv('d', 3, 1, 2), A.csrrwi(0, A.CSR.frm, rdn), A.fdiv('d', 4, 1, 2), A.csrrwi(0, A.CSR.frm, rtz), A.fcvtToInt('w', 'd', 5, 6)],
      { 1: D(1), 2: D(3), 6: D(-2.9) },
    );
    expect(fromD(cpu.getF(3))).toBeGreaterThan(fromD(cpu.getF(4)));
    expect(cpu.getX(5)).toBe(u64(-2n));
  });
  it('reserved rounding modes are illegal, statically and through frm', () => {
    for (const rm of [5, 6]) {
      for (const inst of [A.fadd('d', 3, 1, 2, rm), A.fsqrt('s', 3, 1, rm), A.fmadd('d', 3, 1, 2, 4, rm), A.fcvtToInt('l', 'd', 5, 1, rm)]) {
        const { cpu, stop } = runUntilStop([inst], { f: { 1: D(1), 2: D(1) } });
        expect(stopName(stop), inst.asm).toBe('Illegal');
        expect(cpu.pc).toBe(CODE);
      }
    }
    for (const frm of [5, 6, 7]) {
      const { stop } = runUntilStop([A.fadd('d', 3, 1, 2, dyn)], { f: { 1: D(1), 2: D(1) }, fcsr: frm << 5 });
      expect(stopName(stop), `frm ${frm}`).toBe('Illegal');
      // A static mode does not look at frm.
      const ok = exec([A.fadd('d', 3, 1, 2, rne)], { f: { 1: D(1), 2: D(1) }, fcsr: frm << 5 });
      expect(ok.getF(3)).toBe(D(2));
    }
  });
  it('operations without a rounding mode ignore an invalid frm', () => {
    const cpu = exec([A.fsgnj('d', 3, 1, 1), A.fmin('s', 4, 2, 2), A.feq('d', 5, 1, 1), A.fmvXD(6, 1), A.fclass('d', 7, 1)], {
      f: { 1: D(1), 2: S(2) },
      fcsr: 7 << 5,
    });
    expect(cpu.getF(3)).toBe(D(1));
    expect(cpu.getX(5)).toBe(1n);
  });
});

describe('accrued flags', () => {
  it('accumulate across instructions and are only cleared by CSR writes', () => {
    const cpu = run(
      [
        A.fdiv('d', 3, 1, 0, 0), // 1/0: DZ
        A.csrrs(5, A.CSR.fflags, 0),
        A.fdiv('d', 3, 1, 2, 0), // 1/3: NX
        A.csrrs(6, A.CSR.fflags, 0),
        A.fsqrt('d', 3, 4, 0), // sqrt(-1): NV
        A.csrrs(7, A.CSR.fflags, 0),
        A.fadd('d', 3, 1, 1, 0), // exact: nothing new
        A.csrrci(8, A.CSR.fflags, DZ),
        A.csrrs(9, A.CSR.fflags, 0),
        A.csrrw(0, A.CSR.fflags, 0),
        A.fmul('d', 3, 1, 1, 0),
      ],
      { 0: D(0), 1: D(1), 2: D(3), 4: D(-1) },
    );
    expect(cpu.getX(5)).toBe(BigInt(DZ));
    expect(cpu.getX(6)).toBe(BigInt(DZ | NX));
    expect(cpu.getX(7)).toBe(BigInt(DZ | NX | NV));
    expect(cpu.getX(8)).toBe(BigInt(DZ | NX | NV));
    expect(cpu.getX(9)).toBe(BigInt(NX | NV));
    expect(flags(cpu)).toBe(0);
  });
  it('flag-free instructions leave the flags alone', () => {
    const cpu = exec([A.fsgnj('d', 3, 1, 1), A.fmvXD(5, 1), A.fclass('d', 6, 1), A.fld(7, 8, 0), A.fsd(1, 8, 0)], {
      f: { 1: SNAN_D },
      x: { 8: BigInt(DATA) },
      fcsr: NX | UF,
    });
    expect(cpu.fcsr).toBe(NX | UF);
  });
});

describe('conversions to integer', () => {
  type Row = [A.IntFmtName, A.Fmt, number, number, bigint, number];
  const { rne, rtz, rdn, rup, rmm } = A.Rm;
  const INT_MAX = 0x7fff_ffffn;
  const INT_MIN = 0xffff_ffff_8000_0000n;
  const rows: Row[] = [
    // int, fmt, value, rm, expected x, flags
    ['w', 's', NaN, rtz, INT_MAX, NV],
    ['w', 's', Infinity, rtz, INT_MAX, NV],
    ['w', 's', -Infinity, rtz, INT_MIN, NV],
    ['w', 's', 3e9, rtz, INT_MAX, NV],
    ['w', 's', -3e9, rtz, INT_MIN, NV],
    ['w', 's', -(2 ** 31), rtz, INT_MIN, 0],
    ['w', 's', 2 ** 31, rtz, INT_MAX, NV],
    ['w', 's', -1.5, rtz, u64(-1n), NX],
    ['w', 'd', 2147483647.5, rtz, INT_MAX, NX],
    ['w', 'd', 2147483647.5, rne, INT_MAX, NV],
    ['w', 'd', -2147483648.5, rtz, INT_MIN, NX],
    ['w', 'd', -2147483648.5, rdn, INT_MIN, NV],
    ['w', 'd', 2.5, rne, 2n, NX],
    ['w', 'd', 2.5, rtz, 2n, NX],
    ['w', 'd', 2.5, rdn, 2n, NX],
    ['w', 'd', 2.5, rup, 3n, NX],
    ['w', 'd', 2.5, rmm, 3n, NX],
    ['w', 'd', -2.5, rne, u64(-2n), NX],
    ['w', 'd', -2.5, rdn, u64(-3n), NX],
    ['w', 'd', -2.5, rup, u64(-2n), NX],
    ['w', 'd', -2.5, rmm, u64(-3n), NX],
    ['w', 'd', 3.5, rne, 4n, NX],
    ['w', 'd', -0, rne, 0n, 0],
    ['wu', 's', NaN, rtz, M64, NV], // 2^32 - 1, sign-extended
    ['wu', 's', Infinity, rtz, M64, NV],
    ['wu', 's', -Infinity, rtz, 0n, NV],
    ['wu', 's', Math.fround(3e9), rtz, sx32(3000000000n), 0],
    ['wu', 'd', 4294967295, rtz, M64, 0],
    ['wu', 'd', 4294967296, rtz, M64, NV],
    ['wu', 'd', -1, rtz, 0n, NV],
    ['wu', 'd', -0.5, rtz, 0n, NX], // rounds to -0: representable
    ['wu', 'd', -0.5, rdn, 0n, NV], // rounds to -1: not
    ['l', 'd', NaN, rtz, (1n << 63n) - 1n, NV],
    ['l', 'd', 2 ** 63, rtz, (1n << 63n) - 1n, NV],
    ['l', 'd', -(2 ** 63), rtz, 1n << 63n, 0],
    ['l', 'd', -Infinity, rtz, 1n << 63n, NV],
    ['l', 's', -1e30, rne, 1n << 63n, NV],
    ['l', 'd', 9007199254740993, rne, 9007199254740992n, 0],
    ['lu', 'd', NaN, rtz, M64, NV],
    ['lu', 'd', 2 ** 64, rtz, M64, NV],
    ['lu', 'd', 2 ** 64 - 2048, rtz, 2n ** 64n - 2048n, 0],
    ['lu', 'd', -1, rtz, 0n, NV],
    ['lu', 's', -0.75, rup, 0n, NX],
    ['lu', 's', 1.5, rne, 2n, NX],
  ];
  for (const [i, t, v, rm, want, fl] of rows) {
    it(`fcvt.${i}.${t}(${v}, rm ${rm}) = ${hex(want)}, flags ${fl}`, () => {
      const cpu = run([A.fcvtToInt(i, t, 5, 1, rm)], { 1: t === 's' ? S(v) : D(v) });
      expect(hex(cpu.getX(5))).toBe(hex(want));
      expect(flags(cpu)).toBe(fl);
    });
  }
  it('a NaN-boxing violation converts like NaN', () => {
    const cpu = run([A.fcvtToInt('w', 's', 5, 1, rtz)], { 1: 0x3f80_0000n });
    expect(cpu.getX(5)).toBe(INT_MAX);
    expect(flags(cpu)).toBe(NV);
  });
  it('random in-range doubles truncate like Math.trunc', () => {
    fc.assert(
      fc.property(fc.double({ min: -(2 ** 62), max: 2 ** 62, noNaN: true }), (v) => {
        const cpu = run([A.fcvtToInt('l', 'd', 5, 1, rtz)], { 1: D(v) });
        expect(cpu.getX(5)).toBe(u64(BigInt(Math.trunc(v))));
        expect(flags(cpu)).toBe(Number.isInteger(v) ? 0 : NX);
      }),
      { numRuns: 200 },
    );
  });
});

describe('conversions from integer and between formats', () => {
  const { rne, rtz, rup } = A.Rm;
  it('from integers: low 32 bits for w/wu, rounding and NX', () => {
    const cases: [A.Fmt, A.IntFmtName, bigint, number, number, number][] = [
      ['s', 'w', 0x1_0000_0001n, rne, 1, 0],
      ['s', 'w', 0xffff_ffffn, rne, -1, 0],
      ['s', 'wu', 0xffff_ffffn, rne, 2 ** 32, NX],
      ['s', 'wu', 0xffff_ffffn, rtz, Math.fround(2 ** 32 - 256), NX],
      ['d', 'w', 0x8000_0000n, rne, -(2 ** 31), 0],
      ['d', 'wu', 0xabcd_0000_8000_0000n, rne, 2 ** 31, 0],
      ['s', 'l', (1n << 63n) - 1n, rne, 2 ** 63, NX],
      ['s', 'l', 1n << 63n, rne, -(2 ** 63), 0],
      ['s', 'lu', (1n << 24n) + 1n, rtz, 2 ** 24, NX],
      ['s', 'lu', (1n << 24n) + 1n, rup, 2 ** 24 + 2, NX],
      ['d', 'l', M64, rne, -1, 0],
      ['d', 'lu', M64, rne, 2 ** 64, NX],
      ['d', 'lu', M64, rtz, 2 ** 64 - 2048, NX],
      ['d', 'l', (1n << 53n) + 1n, rne, 2 ** 53, NX],
      ['d', 'lu', 0n, rne, 0, 0],
    ];
    for (const [t, i, x, rm, want, fl] of cases) {
      const cpu = run([A.fcvtFromInt(t, i, 3, 5, rm)], {}, { 5: x });
      expect(hex(cpu.getF(3)), `fcvt.${t}.${i} ${hex(x)} rm ${rm}`).toBe(hex(t === 's' ? S(want) : D(want)));
      expect(flags(cpu), `fcvt.${t}.${i} ${hex(x)} flags`).toBe(fl);
    }
  });
  it('fcvt.s.d rounds, overflows and canonicalizes NaNs; fcvt.d.s is exact', () => {
    const sd = (v: bigint, rm: number) => {
      const cpu = run([A.fcvtSD(3, 1, rm)], { 1: v });
      return [hex(cpu.getF(3)), flags(cpu)];
    };
    expect(sd(D(1e300), rne)).toEqual([hex(S(Infinity)), OF | NX]);
    expect(sd(D(1e300), rtz)).toEqual([hex(S(MAX_S)), OF | NX]);
    expect(sd(D(1e-300), rne)).toEqual([hex(S(0)), UF | NX]);
    expect(sd(D(-1e-300), rne)).toEqual([hex(S(-0)), UF | NX]);
    expect(sd(D(0.1), rne)).toEqual([hex(S(Math.fround(0.1))), NX]);
    expect(sd(D(1.5), rne)).toEqual([hex(S(1.5)), 0]);
    expect(sd(QNAN_D_PAYLOAD, rne)).toEqual([hex(CNAN_S), 0]);
    expect(sd(SNAN_D, rne)).toEqual([hex(CNAN_S), NV]);
    const ds = (v: bigint) => {
      const cpu = run([A.fcvtDS(3, 1)], { 1: v });
      return [hex(cpu.getF(3)), flags(cpu)];
    };
    expect(ds(S(2 ** -149))).toEqual([hex(D(2 ** -149)), 0]);
    expect(ds(S(-Infinity))).toEqual([hex(D(-Infinity)), 0]);
    expect(ds(QNAN_S_PAYLOAD)).toEqual([hex(CNAN_D), 0]);
    expect(ds(SNAN_S)).toEqual([hex(CNAN_D), NV]);
  });
  it('double -> single -> double round-trips random singles', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true }), (v) => {
        const cpu = run([A.fcvtDS(3, 1), A.fcvtSD(4, 3, rne)], { 1: S(v) });
        expect(cpu.getF(3)).toBe(D(v));
        expect(cpu.getF(4)).toBe(S(v));
        expect(flags(cpu)).toBe(0);
      }),
      { numRuns: 100 },
    );
  });
});

describe('FP loads and stores', () => {
  it('fld/fsd move raw bits (NaN payloads included), misaligned too', () => {
    const cpu = load([A.fld(1, 5, 3), A.fsd(1, 5, 16), A.flw(2, 5, 16), A.fsw(2, 5, 33), A.ebreak()], { x: { 5: BigInt(DATA) } });
    cpu.mem.write(DATA + 3, Uint8Array.from([1, 0, 0, 0, 0, 0, 0xf0, 0x7f]));
    expect(stopName(cpu.run(10))).toBe('Ebreak');
    expect(cpu.getF(1)).toBe(SNAN_D);
    expect(cpu.mem.readU64(DATA + 16)).toBe(SNAN_D);
    expect(cpu.getF(2)).toBe(BOX | 1n);
    expect(Array.from(cpu.mem.read(DATA + 33, 4))).toEqual([1, 0, 0, 0]);
    expect(flags(cpu)).toBe(0);
  });
  it('FP loads fault like integer loads and leave the register alone', () => {
    const { cpu, stop } = runUntilStop([A.fld(1, 5, 0)], { x: { 5: 0x7000_0000n }, f: { 1: D(42) } });
    expect(stopName(stop)).toBe('Fault');
    expect(cpu.faultAddr).toBe(0x7000_0000);
    expect(cpu.getF(1)).toBe(D(42));
  });
});
