import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DZ, NV, NX, OF, UF, RNE, RTZ, RDN, RUP, RMM,
  fadd, fsub, fmul, fdiv, fsqrt, fmadd, fmin, fmax, fcvtToInt, fcvtFromInt, fcvtSD,
} from '../../src/emu/fpu.ts';
import * as X from '../../src/emu/fpu-exact.ts';

const S = 0;
const D = 1;
const MODES = [RNE, RTZ, RDN, RUP, RMM];
const MAXD = Number.MAX_VALUE;
const MAXS = X.MAX_FINITE[0];
const MIN_SUB_D = X.pow2(-1074);
const MIN_NORM_D = X.pow2(-1022);
const MIN_SUB_S = X.pow2(-149);
const MIN_NORM_S = X.pow2(-126);
const p2 = X.pow2;

type Res = { r: number; f: number };
function run(fn: (st: X.FpState) => number): Res {
  const st = { fflags: 0 };
  const r = fn(st);
  return { r, f: st.fflags };
}
/** Result and flags must match exactly (Object.is: signed zeros and NaN). */
function expectRes(got: Res, r: number, f: number): void {
  expect({ r: Object.is(got.r, r) ? 'same' : got.r, f: got.f }).toEqual({ r: 'same', f });
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
function bitsD(x: number): bigint {
  f64[0] = x;
  return u64[0];
}
function fromBitsD(b: bigint): number {
  u64[0] = b;
  return f64[0];
}
const nextUpD = (x: number) => (x >= 0 ? fromBitsD(bitsD(x) + 1n) : fromBitsD(bitsD(x) - 1n));
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function nextUpS(x: number): number {
  f32[0] = x;
  u32[0] += x >= 0 ? 1 : -1;
  return f32[0];
}

describe('fadd/fsub', () => {
  it('rounds a tie in every mode', () => {
    const t = p2(-53); // half an ulp of 1
    expectRes(run((st) => fadd(D, 1, t, RNE, false, st)), 1, NX);
    expectRes(run((st) => fadd(D, 1, t, RTZ, false, st)), 1, NX);
    expectRes(run((st) => fadd(D, 1, t, RDN, false, st)), 1, NX);
    expectRes(run((st) => fadd(D, 1, t, RUP, false, st)), 1 + p2(-52), NX);
    expectRes(run((st) => fadd(D, 1, t, RMM, false, st)), 1 + p2(-52), NX);
    // Odd neighbour: RNE goes up.
    expectRes(run((st) => fadd(D, 1 + p2(-52), t, RNE, false, st)), 1 + p2(-51), NX);
    expectRes(run((st) => fadd(D, -1, -t, RDN, false, st)), -1 - p2(-52), NX);
    expectRes(run((st) => fadd(D, -1, -t, RUP, false, st)), -1, NX);
    expectRes(run((st) => fadd(S, 1, p2(-24), RNE, false, st)), 1, NX);
    expectRes(run((st) => fadd(S, 1, p2(-24), RMM, false, st)), 1 + p2(-23), NX);
    expectRes(run((st) => fadd(S, -1, -p2(-24) - p2(-40), RTZ, false, st)), -1, NX);
    expectRes(run((st) => fadd(S, -1, -p2(-40), RDN, false, st)), -1 - p2(-23), NX);
  });

  it('follows the signed-zero rules', () => {
    for (const fmt of [S, D]) {
      for (const rm of MODES) {
        const z = rm === RDN ? -0 : 0;
        expectRes(run((st) => fadd(fmt, 1.5, -1.5, rm, false, st)), z, 0);
        expectRes(run((st) => fsub(fmt, 3, 3, rm, false, st)), z, 0);
        expectRes(run((st) => fadd(fmt, 0, -0, rm, false, st)), z, 0);
        expectRes(run((st) => fadd(fmt, -0, -0, rm, false, st)), -0, 0);
        expectRes(run((st) => fadd(fmt, 0, 0, rm, false, st)), 0, 0);
        expectRes(run((st) => fsub(fmt, -0, 0, rm, false, st)), -0, 0);
        expectRes(run((st) => fadd(fmt, -0, 5, rm, false, st)), 5, 0);
      }
    }
  });

  it('overflows to inf or the largest finite value depending on the mode', () => {
    expectRes(run((st) => fadd(D, MAXD, MAXD, RNE, false, st)), Infinity, OF | NX);
    expectRes(run((st) => fadd(D, MAXD, MAXD, RMM, false, st)), Infinity, OF | NX);
    expectRes(run((st) => fadd(D, MAXD, MAXD, RTZ, false, st)), MAXD, OF | NX);
    expectRes(run((st) => fadd(D, MAXD, MAXD, RDN, false, st)), MAXD, OF | NX);
    expectRes(run((st) => fadd(D, MAXD, MAXD, RUP, false, st)), Infinity, OF | NX);
    expectRes(run((st) => fadd(D, -MAXD, -MAXD, RDN, false, st)), -Infinity, OF | NX);
    expectRes(run((st) => fadd(D, -MAXD, -MAXD, RUP, false, st)), -MAXD, OF | NX);
    expectRes(run((st) => fadd(D, -MAXD, -MAXD, RTZ, false, st)), -MAXD, OF | NX);
    // Half an ulp above MAX ties to the even neighbour, which is past the range.
    expectRes(run((st) => fadd(D, MAXD, p2(970), RNE, false, st)), Infinity, OF | NX);
    expectRes(run((st) => fadd(D, MAXD, p2(969), RNE, false, st)), MAXD, NX);
    expectRes(run((st) => fadd(D, MAXD, p2(970), RUP, false, st)), Infinity, OF | NX);
    expectRes(run((st) => fadd(D, MAXD, MIN_SUB_D, RUP, false, st)), Infinity, OF | NX);
    expectRes(run((st) => fadd(S, MAXS, MAXS, RNE, false, st)), Infinity, OF | NX);
    expectRes(run((st) => fadd(S, MAXS, MAXS, RTZ, false, st)), MAXS, OF | NX);
    expectRes(run((st) => fadd(S, -MAXS, -MAXS, RUP, false, st)), -MAXS, OF | NX);
    expectRes(run((st) => fadd(S, MAXS, p2(103), RNE, false, st)), Infinity, OF | NX);
    expectRes(run((st) => fadd(S, MAXS, p2(102), RNE, false, st)), MAXS, NX);
  });

  it('handles inf and NaN operands', () => {
    for (const fmt of [S, D]) {
      expectRes(run((st) => fadd(fmt, Infinity, -Infinity, RNE, false, st)), NaN, NV);
      expectRes(run((st) => fsub(fmt, Infinity, Infinity, RNE, false, st)), NaN, NV);
      expectRes(run((st) => fadd(fmt, Infinity, Infinity, RNE, false, st)), Infinity, 0);
      expectRes(run((st) => fadd(fmt, -Infinity, 1, RTZ, false, st)), -Infinity, 0);
      expectRes(run((st) => fadd(fmt, NaN, 1, RNE, false, st)), NaN, 0);
      expectRes(run((st) => fadd(fmt, 1, NaN, RNE, true, st)), NaN, NV);
      expectRes(run((st) => fadd(fmt, NaN, Infinity, RUP, false, st)), NaN, 0);
    }
  });

  it('adds subnormals exactly', () => {
    expectRes(run((st) => fadd(D, MIN_SUB_D, MIN_SUB_D, RNE, false, st)), 2 * MIN_SUB_D, 0);
    expectRes(run((st) => fadd(D, MIN_NORM_D, -MIN_SUB_D, RDN, false, st)), MIN_NORM_D - MIN_SUB_D, 0);
    expectRes(run((st) => fadd(S, MIN_SUB_S, MIN_NORM_S, RUP, false, st)), MIN_NORM_S + MIN_SUB_S, 0);
    expectRes(run((st) => fsub(S, MIN_NORM_S, MIN_SUB_S, RNE, false, st)), MIN_NORM_S - MIN_SUB_S, 0);
  });
});

describe('fmul', () => {
  it('underflows with UF only when tiny and inexact', () => {
    expectRes(run((st) => fmul(D, p2(-1000), p2(-100), RNE, false, st)), 0, UF | NX);
    expectRes(run((st) => fmul(D, -p2(-1000), p2(-100), RNE, false, st)), -0, UF | NX);
    expectRes(run((st) => fmul(D, p2(-1000), p2(-100), RUP, false, st)), MIN_SUB_D, UF | NX);
    expectRes(run((st) => fmul(D, -p2(-1000), p2(-100), RDN, false, st)), -MIN_SUB_D, UF | NX);
    // Exact subnormal: no flags.
    expectRes(run((st) => fmul(D, p2(-1000), p2(-70), RNE, false, st)), p2(-1070), 0);
    expectRes(run((st) => fmul(S, p2(-100), p2(-40), RNE, false, st)), p2(-140), 0);
    // Half of the smallest subnormal ties to zero (even) but RMM goes away from zero.
    expectRes(run((st) => fmul(D, p2(-1000), p2(-75), RNE, false, st)), 0, UF | NX);
    expectRes(run((st) => fmul(D, p2(-1000), p2(-75), RMM, false, st)), MIN_SUB_D, UF | NX);
    expectRes(run((st) => fmul(S, p2(-100), p2(-50), RNE, false, st)), 0, UF | NX);
    expectRes(run((st) => fmul(S, p2(-100), 1.5 * p2(-50), RNE, false, st)), MIN_SUB_S, UF | NX);
  });

  it('detects tininess after rounding', () => {
    // (1 - 2^-53) * 2^-1022 is exact at 53 bits, so tiny; it rounds up to 2^-1022 on the
    // subnormal grid: UF even though the delivered result is the smallest normal.
    expectRes(run((st) => fmul(D, 1 - p2(-53), MIN_NORM_D, RNE, false, st)), MIN_NORM_D, UF | NX);
    expectRes(run((st) => fmul(D, 1 - p2(-53), MIN_NORM_D, RTZ, false, st)), MIN_NORM_D - MIN_SUB_D, UF | NX);
    expectRes(run((st) => fmul(S, 1 - p2(-24), MIN_NORM_S, RNE, false, st)), MIN_NORM_S, UF | NX);
  });

  it('overflows by mode and sign', () => {
    expectRes(run((st) => fmul(D, p2(600), p2(600), RNE, false, st)), Infinity, OF | NX);
    expectRes(run((st) => fmul(D, -p2(600), p2(600), RTZ, false, st)), -MAXD, OF | NX);
    expectRes(run((st) => fmul(D, -p2(600), p2(600), RUP, false, st)), -MAXD, OF | NX);
    expectRes(run((st) => fmul(D, -p2(600), p2(600), RDN, false, st)), -Infinity, OF | NX);
    expectRes(run((st) => fmul(S, p2(100), p2(28), RDN, false, st)), MAXS, OF | NX);
    expectRes(run((st) => fmul(S, p2(100), p2(28), RMM, false, st)), Infinity, OF | NX);
  });

  it('handles specials and signed zeros', () => {
    for (const fmt of [S, D]) {
      expectRes(run((st) => fmul(fmt, Infinity, 0, RNE, false, st)), NaN, NV);
      expectRes(run((st) => fmul(fmt, -0, -Infinity, RNE, false, st)), NaN, NV);
      expectRes(run((st) => fmul(fmt, -Infinity, 2, RNE, false, st)), -Infinity, 0);
      expectRes(run((st) => fmul(fmt, -0, 2, RUP, false, st)), -0, 0);
      expectRes(run((st) => fmul(fmt, -0, -3, RNE, false, st)), 0, 0);
      expectRes(run((st) => fmul(fmt, NaN, 0, RNE, true, st)), NaN, NV);
    }
    expectRes(run((st) => fmul(D, 1 / 3, 3, RNE, false, st)), 1, NX);
    expectRes(run((st) => fmul(D, 1 / 3, 3, RDN, false, st)), 1 - p2(-53), NX);
  });
});

describe('fdiv', () => {
  it('raises DZ and NV', () => {
    for (const fmt of [S, D]) {
      expectRes(run((st) => fdiv(fmt, 1, 0, RNE, false, st)), Infinity, DZ);
      expectRes(run((st) => fdiv(fmt, -1, 0, RTZ, false, st)), -Infinity, DZ);
      expectRes(run((st) => fdiv(fmt, 1, -0, RNE, false, st)), -Infinity, DZ);
      expectRes(run((st) => fdiv(fmt, 0, 0, RNE, false, st)), NaN, NV);
      expectRes(run((st) => fdiv(fmt, Infinity, -Infinity, RNE, false, st)), NaN, NV);
      expectRes(run((st) => fdiv(fmt, Infinity, 0, RNE, false, st)), Infinity, 0);
      expectRes(run((st) => fdiv(fmt, -1, Infinity, RNE, false, st)), -0, 0);
      expectRes(run((st) => fdiv(fmt, -0, 5, RNE, false, st)), -0, 0);
      expectRes(run((st) => fdiv(fmt, NaN, 0, RNE, false, st)), NaN, 0);
      expectRes(run((st) => fdiv(fmt, 1, NaN, RNE, true, st)), NaN, NV);
    }
  });

  it('rounds in every mode', () => {
    expectRes(run((st) => fdiv(D, 1, 3, RNE, false, st)), 1 / 3, NX);
    expectRes(run((st) => fdiv(D, 1, 3, RDN, false, st)), 1 / 3, NX);
    expectRes(run((st) => fdiv(D, 1, 3, RUP, false, st)), nextUpD(1 / 3), NX);
    expectRes(run((st) => fdiv(D, -2, 3, RNE, false, st)), -2 / 3, NX);
    // fl(2/3) lies below 2/3, so it is the RTZ result and RDN is one ulp further.
    expectRes(run((st) => fdiv(D, -2, 3, RUP, false, st)), -2 / 3, NX);
    expectRes(run((st) => fdiv(D, -2, 3, RTZ, false, st)), -2 / 3, NX);
    expectRes(run((st) => fdiv(D, -2, 3, RDN, false, st)), -(2 / 3) - p2(-53), NX);
    expectRes(run((st) => fdiv(S, 1, 3, RNE, false, st)), Math.fround(1 / 3), NX);
    expectRes(run((st) => fdiv(S, 1, 3, RUP, false, st)), Math.fround(1 / 3), NX);
    expectRes(run((st) => fdiv(S, 1, 3, RTZ, false, st)), Math.fround(1 / 3) - p2(-25), NX);
    expectRes(run((st) => fdiv(S, 1, -3, RDN, false, st)), -Math.fround(1 / 3), NX);
    expectRes(run((st) => fdiv(S, 6, 3, RUP, false, st)), 2, 0);
    expectRes(run((st) => fdiv(D, MIN_NORM_D, 4, RNE, false, st)), MIN_NORM_D / 4, 0);
    expectRes(run((st) => fdiv(D, MIN_NORM_D, 3, RNE, false, st)), MIN_NORM_D / 3, UF | NX);
    expectRes(run((st) => fdiv(D, MAXD, 0.5, RTZ, false, st)), MAXD, OF | NX);
    expectRes(run((st) => fdiv(S, MIN_SUB_S, 2, RUP, false, st)), MIN_SUB_S, UF | NX);
  });
});

describe('fsqrt', () => {
  it('handles signs, specials and exactness', () => {
    for (const fmt of [S, D]) {
      expectRes(run((st) => fsqrt(fmt, -0, RNE, false, st)), -0, 0);
      expectRes(run((st) => fsqrt(fmt, 0, RDN, false, st)), 0, 0);
      expectRes(run((st) => fsqrt(fmt, -1, RNE, false, st)), NaN, NV);
      expectRes(run((st) => fsqrt(fmt, -MIN_SUB_S, RNE, false, st)), NaN, NV);
      expectRes(run((st) => fsqrt(fmt, -Infinity, RNE, false, st)), NaN, NV);
      expectRes(run((st) => fsqrt(fmt, Infinity, RNE, false, st)), Infinity, 0);
      expectRes(run((st) => fsqrt(fmt, NaN, RNE, false, st)), NaN, 0);
      expectRes(run((st) => fsqrt(fmt, NaN, RNE, true, st)), NaN, NV);
      expectRes(run((st) => fsqrt(fmt, 6.25, RUP, false, st)), 2.5, 0);
    }
    expectRes(run((st) => fsqrt(D, 2, RNE, false, st)), Math.SQRT2, NX);
    // fl(sqrt 2) lies above sqrt 2 in double, below it in single.
    expectRes(run((st) => fsqrt(D, 2, RUP, false, st)), Math.SQRT2, NX);
    expectRes(run((st) => fsqrt(D, 2, RDN, false, st)), Math.SQRT2 - p2(-52), NX);
    expectRes(run((st) => fsqrt(D, 2, RTZ, false, st)), Math.SQRT2 - p2(-52), NX);
    expectRes(run((st) => fsqrt(S, 2, RNE, false, st)), Math.fround(Math.SQRT2), NX);
    expectRes(run((st) => fsqrt(S, 2, RTZ, false, st)), Math.fround(Math.SQRT2), NX);
    expectRes(run((st) => fsqrt(S, 2, RUP, false, st)), nextUpS(Math.fround(Math.SQRT2)), NX);
    expectRes(run((st) => fsqrt(D, MIN_SUB_D, RNE, false, st)), p2(-537), 0);
    expectRes(run((st) => fsqrt(S, MIN_SUB_S, RNE, false, st)), Math.fround(Math.sqrt(MIN_SUB_S)), NX);
    expectRes(run((st) => fsqrt(D, MAXD, RNE, false, st)), Math.sqrt(MAXD), NX);
  });
});

describe('fmadd', () => {
  it('rounds once', () => {
    // (1 + 2^-52)(1 - 2^-52) - 1 = -2^-104; rounding the product first would give 0.
    expectRes(run((st) => fmadd(D, 1 + p2(-52), 1 - p2(-52), -1, RNE, false, st)), -p2(-104), 0);
    // Single: the exact value 1 + 2^-24 + 2^-60 rounds up; via double it would tie to 1.
    const a = -p2(-24) * (1 - p2(-18));
    expectRes(run((st) => fmadd(S, a, 1 + p2(-18), 1 + p2(-23), RNE, false, st)), 1 + p2(-23), NX);
    expectRes(run((st) => fmadd(S, a, 1 + p2(-18), 1 + p2(-23), RTZ, false, st)), 1, NX);
    expectRes(run((st) => fmadd(D, 0.1, 10, -1, RNE, false, st)), 5.551115123125783e-17, 0);
  });

  it('applies the inf * 0 and zero-sign rules', () => {
    for (const fmt of [S, D]) {
      expectRes(run((st) => fmadd(fmt, Infinity, 0, NaN, RNE, false, st)), NaN, NV);
      expectRes(run((st) => fmadd(fmt, -0, Infinity, 1, RNE, false, st)), NaN, NV);
      expectRes(run((st) => fmadd(fmt, Infinity, 1, -Infinity, RNE, false, st)), NaN, NV);
      expectRes(run((st) => fmadd(fmt, Infinity, -1, -Infinity, RNE, false, st)), -Infinity, 0);
      expectRes(run((st) => fmadd(fmt, 2, 3, Infinity, RNE, false, st)), Infinity, 0);
      expectRes(run((st) => fmadd(fmt, NaN, 0, 1, RNE, false, st)), NaN, 0);
      expectRes(run((st) => fmadd(fmt, 1, 2, NaN, RNE, true, st)), NaN, NV);
      for (const rm of MODES) {
        const z = rm === RDN ? -0 : 0;
        expectRes(run((st) => fmadd(fmt, 2, 3, -6, rm, false, st)), z, 0);
        expectRes(run((st) => fmadd(fmt, 1, -0, 0, rm, false, st)), z, 0);
        expectRes(run((st) => fmadd(fmt, 1, -0, -0, rm, false, st)), -0, 0);
        expectRes(run((st) => fmadd(fmt, -0, -0, 0, rm, false, st)), 0, 0);
        expectRes(run((st) => fmadd(fmt, 0, 5, -3, rm, false, st)), -3, 0);
      }
    }
  });

  it('detects tininess after rounding of the fused result', () => {
    // 2^-1022 - 2^-1076 rounds (unbounded, 53 bits) to 2^-1022: not tiny, NX only.
    expectRes(run((st) => fmadd(D, p2(-540), -p2(-536), MIN_NORM_D, RNE, false, st)), MIN_NORM_D, NX);
    // 2^-1022 - 3 * 2^-1077 rounds (unbounded) below 2^-1022: tiny, so UF.
    expectRes(run((st) => fmadd(D, 3 * p2(-540), -p2(-537), MIN_NORM_D, RNE, false, st)), MIN_NORM_D, UF | NX);
  });
});

describe('fmin/fmax', () => {
  it('implements minimumNumber/maximumNumber', () => {
    for (const fmt of [S, D]) {
      expectRes(run((st) => fmin(fmt, -0, 0, false, st)), -0, 0);
      expectRes(run((st) => fmin(fmt, 0, -0, false, st)), -0, 0);
      expectRes(run((st) => fmax(fmt, -0, 0, false, st)), 0, 0);
      expectRes(run((st) => fmax(fmt, 0, -0, false, st)), 0, 0);
      expectRes(run((st) => fmin(fmt, NaN, 1, false, st)), 1, 0);
      expectRes(run((st) => fmax(fmt, -1, NaN, true, st)), -1, NV);
      expectRes(run((st) => fmin(fmt, NaN, NaN, true, st)), NaN, NV);
      expectRes(run((st) => fmax(fmt, NaN, NaN, false, st)), NaN, 0);
      expectRes(run((st) => fmin(fmt, -Infinity, 3, false, st)), -Infinity, 0);
      expectRes(run((st) => fmax(fmt, 2, 3, false, st)), 3, 0);
      expectRes(run((st) => fmin(fmt, 2, 3, false, st)), 2, 0);
    }
  });
});

describe('fcvtToInt', () => {
  function cvt(a: number, rm: number, signed: boolean, bits: 32 | 64): { r: bigint; f: number } {
    const st = { fflags: 0 };
    const r = fcvtToInt(a, rm, signed, bits, st);
    return { r, f: st.fflags };
  }
  const MAX_I32 = 2n ** 31n - 1n;
  const MIN_I32 = -(2n ** 31n);
  const MAX_U32 = 2n ** 32n - 1n;
  const MAX_I64 = 2n ** 63n - 1n;
  const MIN_I64 = -(2n ** 63n);
  const MAX_U64 = 2n ** 64n - 1n;

  it('saturates NaN and infinities', () => {
    for (const rm of MODES) {
      expect(cvt(NaN, rm, true, 32)).toEqual({ r: MAX_I32, f: NV });
      expect(cvt(NaN, rm, false, 32)).toEqual({ r: MAX_U32, f: NV });
      expect(cvt(NaN, rm, true, 64)).toEqual({ r: MAX_I64, f: NV });
      expect(cvt(NaN, rm, false, 64)).toEqual({ r: MAX_U64, f: NV });
      expect(cvt(Infinity, rm, true, 32)).toEqual({ r: MAX_I32, f: NV });
      expect(cvt(-Infinity, rm, true, 32)).toEqual({ r: MIN_I32, f: NV });
      expect(cvt(-Infinity, rm, false, 64)).toEqual({ r: 0n, f: NV });
      expect(cvt(Infinity, rm, false, 64)).toEqual({ r: MAX_U64, f: NV });
    }
  });

  it('clips out-of-range values after rounding', () => {
    expect(cvt(2 ** 31, RNE, true, 32)).toEqual({ r: MAX_I32, f: NV });
    expect(cvt(2 ** 31 - 1, RNE, true, 32)).toEqual({ r: MAX_I32, f: 0 });
    expect(cvt(2 ** 31 - 0.5, RNE, true, 32)).toEqual({ r: MAX_I32, f: NV });
    expect(cvt(2 ** 31 - 0.5, RTZ, true, 32)).toEqual({ r: MAX_I32, f: NX });
    expect(cvt(-(2 ** 31), RNE, true, 32)).toEqual({ r: MIN_I32, f: 0 });
    expect(cvt(-(2 ** 31) - 0.5, RNE, true, 32)).toEqual({ r: MIN_I32, f: NX });
    expect(cvt(-(2 ** 31) - 0.5, RUP, true, 32)).toEqual({ r: MIN_I32, f: NX });
    expect(cvt(-(2 ** 31) - 0.5, RTZ, true, 32)).toEqual({ r: MIN_I32, f: NX });
    expect(cvt(-(2 ** 31) - 0.5, RDN, true, 32)).toEqual({ r: MIN_I32, f: NV });
    expect(cvt(-(2 ** 31) - 0.5, RMM, true, 32)).toEqual({ r: MIN_I32, f: NV });
    expect(cvt(2 ** 32 - 0.5, RNE, false, 32)).toEqual({ r: MAX_U32, f: NV });
    expect(cvt(2 ** 32 - 0.5, RDN, false, 32)).toEqual({ r: MAX_U32, f: NX });
    expect(cvt(2 ** 63, RNE, true, 64)).toEqual({ r: MAX_I64, f: NV });
    expect(cvt(-(2 ** 63), RNE, true, 64)).toEqual({ r: MIN_I64, f: 0 });
    expect(cvt(2 ** 63, RNE, false, 64)).toEqual({ r: 2n ** 63n, f: 0 });
    expect(cvt(2 ** 64, RNE, false, 64)).toEqual({ r: MAX_U64, f: NV });
    expect(cvt(2 ** 64 - 2048, RNE, false, 64)).toEqual({ r: 2n ** 64n - 2048n, f: 0 });
    expect(cvt(1e300, RNE, true, 64)).toEqual({ r: MAX_I64, f: NV });
    expect(cvt(-1e300, RNE, true, 64)).toEqual({ r: MIN_I64, f: NV });
  });

  it('converts negative values to unsigned by the rounded result', () => {
    expect(cvt(-1, RNE, false, 32)).toEqual({ r: 0n, f: NV });
    expect(cvt(-0.5, RNE, false, 32)).toEqual({ r: 0n, f: NX });
    expect(cvt(-0.5, RUP, false, 64)).toEqual({ r: 0n, f: NX });
    expect(cvt(-0.5, RTZ, false, 64)).toEqual({ r: 0n, f: NX });
    expect(cvt(-0.5, RDN, false, 32)).toEqual({ r: 0n, f: NV });
    expect(cvt(-0.5, RMM, false, 32)).toEqual({ r: 0n, f: NV });
    expect(cvt(-0.75, RNE, false, 64)).toEqual({ r: 0n, f: NV });
    expect(cvt(-0, RNE, false, 32)).toEqual({ r: 0n, f: 0 });
    expect(cvt(-MIN_SUB_D, RUP, false, 64)).toEqual({ r: 0n, f: NX });
  });

  it('rounds to integer in every mode', () => {
    const table: [number, number[]][] = [
      // value, [RNE, RTZ, RDN, RUP, RMM]
      [2.5, [2, 2, 2, 3, 3]],
      [3.5, [4, 3, 3, 4, 4]],
      [-2.5, [-2, -2, -3, -2, -3]],
      [0.5, [0, 0, 0, 1, 1]],
      [-0.5, [0, 0, -1, 0, -1]],
      [1.25, [1, 1, 1, 2, 1]],
      [-1.75, [-2, -1, -2, -1, -2]],
      [2 ** 30 + 1.5, [2 ** 30 + 2, 2 ** 30 + 1, 2 ** 30 + 1, 2 ** 30 + 2, 2 ** 30 + 2]],
      [MIN_SUB_D, [0, 0, 0, 1, 0]],
    ];
    for (const [v, outs] of table) {
      MODES.forEach((rm, i) => {
        expect(cvt(v, rm, true, 64)).toEqual({ r: BigInt(outs[i]), f: NX });
        expect(cvt(v, rm, true, 32)).toEqual({ r: BigInt(outs[i]), f: NX });
      });
    }
    expect(cvt(2 ** 51 + 0.5, RNE, true, 64)).toEqual({ r: 2n ** 51n, f: NX });
    expect(cvt(2 ** 51 + 0.5, RMM, false, 64)).toEqual({ r: 2n ** 51n + 1n, f: NX });
    expect(cvt(-(2 ** 51) - 1.5, RNE, true, 64)).toEqual({ r: -(2n ** 51n) - 2n, f: NX });
    expect(cvt(-7, RUP, true, 32)).toEqual({ r: -7n, f: 0 });
    expect(cvt(2 ** 60, RNE, true, 64)).toEqual({ r: 2n ** 60n, f: 0 });
  });
});

describe('fcvtFromInt', () => {
  function cvt(fmt: number, v: bigint, rm: number): Res {
    return run((st) => fcvtFromInt(fmt, v, rm, st));
  }
  it('rounds wide integers into double', () => {
    const v = 2n ** 53n + 1n;
    expectRes(cvt(D, v, RNE), 2 ** 53, NX);
    expectRes(cvt(D, v, RTZ), 2 ** 53, NX);
    expectRes(cvt(D, v, RDN), 2 ** 53, NX);
    expectRes(cvt(D, v, RUP), 2 ** 53 + 2, NX);
    expectRes(cvt(D, v, RMM), 2 ** 53 + 2, NX);
    expectRes(cvt(D, -v, RDN), -(2 ** 53) - 2, NX);
    expectRes(cvt(D, -v, RUP), -(2 ** 53), NX);
    expectRes(cvt(D, 2n ** 63n - 1n, RNE), 2 ** 63, NX);
    expectRes(cvt(D, 2n ** 63n - 1n, RTZ), 2 ** 63 - 1024, NX);
    expectRes(cvt(D, 2n ** 64n - 1n, RNE), 2 ** 64, NX);
    expectRes(cvt(D, 2n ** 64n - 1n, RDN), 2 ** 64 - 2048, NX);
    expectRes(cvt(D, -(2n ** 63n), RNE), -(2 ** 63), 0);
    expectRes(cvt(D, 2n ** 53n, RUP), 2 ** 53, 0);
    expectRes(cvt(D, 0n, RDN), 0, 0);
  });

  it('rounds into single', () => {
    expectRes(cvt(S, 2n ** 24n + 1n, RNE), 2 ** 24, NX);
    expectRes(cvt(S, 2n ** 24n + 1n, RUP), 2 ** 24 + 2, NX);
    expectRes(cvt(S, 2n ** 24n + 3n, RNE), 2 ** 24 + 4, NX);
    expectRes(cvt(S, 2n ** 53n + 1n, RNE), 2 ** 53, NX);
    expectRes(cvt(S, 2n ** 63n - 1n, RTZ), 2 ** 63 - 2 ** 39, NX);
    expectRes(cvt(S, 2n ** 64n - 1n, RNE), 2 ** 64, NX);
    expectRes(cvt(S, 2n ** 64n - 1n, RTZ), 2 ** 64 - 2 ** 40, NX);
    expectRes(cvt(S, -(2n ** 31n) - 1n, RNE), -(2 ** 31), NX);
    expectRes(cvt(S, 2n ** 31n - 1n, RMM), 2 ** 31, NX);
    expectRes(cvt(S, 16777215n, RNE), 16777215, 0);
  });
});

describe('fcvtSD', () => {
  it('rounds, overflows and underflows', () => {
    expectRes(run((st) => fcvtSD(1 / 3, RNE, false, st)), Math.fround(1 / 3), NX);
    // fround(1/3) lies above 1/3.
    expectRes(run((st) => fcvtSD(1 / 3, RUP, false, st)), Math.fround(1 / 3), NX);
    expectRes(run((st) => fcvtSD(1 / 3, RDN, false, st)), Math.fround(1 / 3) - p2(-25), NX);
    expectRes(run((st) => fcvtSD(-1 / 3, RTZ, false, st)), -Math.fround(1 / 3) + p2(-25), NX);
    expectRes(run((st) => fcvtSD(MAXD, RNE, false, st)), Infinity, OF | NX);
    expectRes(run((st) => fcvtSD(MAXD, RTZ, false, st)), MAXS, OF | NX);
    expectRes(run((st) => fcvtSD(-MAXD, RUP, false, st)), -MAXS, OF | NX);
    expectRes(run((st) => fcvtSD(MAXS + p2(103), RNE, false, st)), Infinity, OF | NX);
    expectRes(run((st) => fcvtSD(MAXS + p2(102), RNE, false, st)), MAXS, NX);
    expectRes(run((st) => fcvtSD(1e-50, RNE, false, st)), 0, UF | NX);
    expectRes(run((st) => fcvtSD(-1e-50, RNE, false, st)), -0, UF | NX);
    expectRes(run((st) => fcvtSD(1e-50, RUP, false, st)), MIN_SUB_S, UF | NX);
    expectRes(run((st) => fcvtSD(MIN_SUB_S, RNE, false, st)), MIN_SUB_S, 0);
    expectRes(run((st) => fcvtSD(3 * MIN_SUB_S * 0.5, RNE, false, st)), 2 * MIN_SUB_S, UF | NX);
    expectRes(run((st) => fcvtSD(-0, RNE, false, st)), -0, 0);
    expectRes(run((st) => fcvtSD(-Infinity, RNE, false, st)), -Infinity, 0);
    expectRes(run((st) => fcvtSD(NaN, RNE, false, st)), NaN, 0);
    expectRes(run((st) => fcvtSD(NaN, RNE, true, st)), NaN, NV);
  });

  it('detects tininess after rounding', () => {
    // 2^-126 (1 - 2^-25) rounds (unbounded, 24 bits) up to 2^-126: not tiny.
    expectRes(run((st) => fcvtSD(MIN_NORM_S * (1 - p2(-25)), RNE, false, st)), MIN_NORM_S, NX);
    // 2^-126 (1 - 2^-24) is exact at 24 bits, so tiny; it still rounds to 2^-126.
    expectRes(run((st) => fcvtSD(MIN_NORM_S * (1 - p2(-24)), RNE, false, st)), MIN_NORM_S, UF | NX);
    expectRes(run((st) => fcvtSD(MIN_NORM_S * (1 - p2(-25) - p2(-40)), RNE, false, st)), MIN_NORM_S, UF | NX);
    expectRes(run((st) => fcvtSD(MIN_NORM_S * (1 - p2(-25)), RTZ, false, st)), MIN_NORM_S - MIN_SUB_S, UF | NX);
    expectRes(run((st) => fcvtSD(MIN_NORM_S * (1 - p2(-25)), RUP, false, st)), MIN_NORM_S, NX);
  });
});

// ---- properties ------------------------------------------------------------------------------

/** Doubles biased to the interesting places: specials, extremes of range, near-ties. */
const edgeDouble = fc.oneof(
  fc.double(),
  fc.constantFrom(0, -0, Infinity, -Infinity, NaN, MAXD, -MAXD, MIN_SUB_D, MIN_NORM_D, 1, -1, 0.5, 1.5, 3),
  fc.tuple(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), fc.integer({ min: -1074, max: 971 })).map(([m, e]) => m * p2(e)),
);
/** float32 values (as JS numbers), similarly biased. */
const edgeFloat = fc.oneof(
  fc.float(),
  fc.constantFrom(0, -0, Infinity, -Infinity, NaN, MAXS, -MAXS, MIN_SUB_S, MIN_NORM_S, 1, -1, 3),
  fc.tuple(fc.integer({ min: -(2 ** 24) + 1, max: 2 ** 24 - 1 }), fc.integer({ min: -149, max: 104 })).map(([m, e]) => m * p2(e)),
);
const mode = fc.constantFrom(...MODES);

type Bin = (fmt: number, a: number, b: number, rm: number, snan: boolean, st: X.FpState) => number;
const PAIRS: [string, Bin, Bin][] = [
  ['add', fadd, X.add],
  ['mul', fmul, X.mul],
  ['div', fdiv, X.div],
];

describe('properties', () => {
  for (const [name, fast, exact] of PAIRS) {
    it(`fast ${name} agrees with the exact path in every mode`, () => {
      for (const [fmt, arb] of [[D, edgeDouble], [S, edgeFloat]] as const) {
        fc.assert(
          fc.property(arb, arb, mode, (a, b, rm) => {
            const x = run((st) => fast(fmt, a, b, rm, false, st));
            const y = run((st) => exact(fmt, a, b, rm, false, st));
            expectRes(x, y.r, y.f);
          }),
          { numRuns: 3000 },
        );
      }
    });
  }

  it('fast sqrt and fma agree with the exact path', () => {
    for (const [fmt, arb] of [[D, edgeDouble], [S, edgeFloat]] as const) {
      fc.assert(
        fc.property(arb, mode, (a, rm) => {
          const x = run((st) => fsqrt(fmt, Math.abs(a), rm, false, st));
          const y = run((st) => X.sqrt(fmt, Math.abs(a), rm, false, st));
          expectRes(x, y.r, y.f);
        }),
        { numRuns: 3000 },
      );
      fc.assert(
        fc.property(arb, arb, arb, mode, fc.integer({ min: 0, max: 3 }), (a, b, c, rm, how) => {
          // Most cases put c near -a*b so the fused cancellation and the low-order parts matter.
          const p = fmt === D ? a * b : Math.fround(a * b);
          const up = fmt === D ? nextUpD : nextUpS;
          const cc = [c, -p, -up(p), p * p2(-30)][how];
          const x = run((st) => fmadd(fmt, a, b, cc, rm, false, st));
          const y = run((st) => X.fma(fmt, a, b, cc, rm, false, st));
          expectRes(x, y.r, y.f);
        }),
        { numRuns: 4000 },
      );
    }
  });

  it('RNE double results equal JS arithmetic', () => {
    fc.assert(
      fc.property(edgeDouble, edgeDouble, (a, b) => {
        const st = { fflags: 0 };
        const same = (x: number, y: number) => Object.is(x, y) || (x !== x && y !== y);
        expect(same(fadd(D, a, b, RNE, false, st), a + b)).toBe(true);
        expect(same(fsub(D, a, b, RNE, false, st), a - b)).toBe(true);
        expect(same(fmul(D, a, b, RNE, false, st), a * b)).toBe(true);
        expect(same(fdiv(D, a, b, RNE, false, st), a / b)).toBe(true);
        expect(same(X.add(D, a, b, RNE, false, st), a + b)).toBe(true);
        expect(same(X.div(D, a, b, RNE, false, st), a / b)).toBe(true);
        expect(same(X.sqrt(D, Math.abs(a), RNE, false, st), Math.sqrt(Math.abs(a)))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('RNE single results equal double arithmetic rounded to float32', () => {
    fc.assert(
      fc.property(edgeFloat, edgeFloat, (a, b) => {
        const st = { fflags: 0 };
        const same = (x: number, y: number) => Object.is(x, y) || (x !== x && y !== y);
        expect(same(X.add(S, a, b, RNE, false, st), Math.fround(a + b))).toBe(true);
        expect(same(X.mul(S, a, b, RNE, false, st), Math.fround(a * b))).toBe(true);
        expect(same(X.div(S, a, b, RNE, false, st), Math.fround(a / b))).toBe(true);
        expect(same(X.sqrt(S, Math.abs(a), RNE, false, st), Math.fround(Math.sqrt(Math.abs(a))))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('RDN <= exact <= RUP, adjacent when inexact, RTZ and RMM among them', () => {
    /** Sign of (x - exact) where exact = num * 2^e; x finite. */
    const cmp = (x: number, num: bigint, e: number): number => {
      const d = X.decompose(x);
      let xm = x < 0 ? -d.m : d.m;
      let ym = num;
      if (d.e > e) xm <<= BigInt(d.e - e);
      else ym <<= BigInt(e - d.e);
      return xm === ym ? 0 : xm > ym ? 1 : -1;
    };
    for (const [fmt, arb, up] of [[D, edgeDouble, nextUpD], [S, edgeFloat, nextUpS]] as const) {
      fc.assert(
        fc.property(arb, arb, fc.boolean(), (a, b, isMul) => {
          fc.pre(Number.isFinite(a) && Number.isFinite(b));
          const A = X.decompose(a);
          const B = X.decompose(b);
          const am = a < 0 ? -A.m : A.m;
          const bm = b < 0 ? -B.m : B.m;
          const e = isMul ? A.e + B.e : Math.min(A.e, B.e);
          const num = isMul ? am * bm : (am << BigInt(A.e - e)) + (bm << BigInt(B.e - e));
          const op = isMul ? fmul : fadd;
          const res = MODES.map((rm) => run((st) => op(fmt, a, b, rm, false, st)));
          const [rne, rtz, rdn, rupr, rmm] = res;
          fc.pre(res.every((r) => Number.isFinite(r.r)) && (rdn.f & OF) === 0);
          expect(cmp(rdn.r, num, e)).toBeLessThanOrEqual(0);
          expect(cmp(rupr.r, num, e)).toBeGreaterThanOrEqual(0);
          if (rdn.f & NX) expect(up(rdn.r) === rupr.r || (rdn.r === 0 && rupr.r === up(0))).toBe(true);
          else expect(rdn.r === rupr.r).toBe(true);
          for (const r of [rne, rtz, rmm]) expect(r.r === rdn.r || r.r === rupr.r).toBe(true);
          expect(Math.abs(rtz.r)).toBeLessThanOrEqual(Math.max(Math.abs(rdn.r), Math.abs(rupr.r)));
        }),
        { numRuns: 3000 },
      );
    }
  });
});
