// RISC-V F and D arithmetic as pure functions over JS numbers. A double is a JS number; a
// single-precision value is the JS number of its exact float32 value; a NaN result means the
// canonical NaN (the caller writes the canonical bits). Flags are ORed into st.fflags.
//
// Hot path: round-to-nearest-even with ordinary, in-range operands is computed with JS
// arithmetic, and NX comes from an exactness test (TwoSum, Dekker product error, or a
// back-multiplication that is exact in double for float32 operands). Single precision computed
// in double and rounded again is correct for RNE (53 >= 2*24 + 2); the fused multiply-add uses
// rounding to odd for its intermediate sum. Everything else (directed modes, NaN/inf/zero
// edges, possible underflow or overflow) goes to the exact BigInt path in fpu-exact.ts.

import * as X from './fpu-exact.ts';
import { FMT_D, MAX_FINITE, MIN_NORMAL, NV, NX, RDN, RMM, RNE, RTZ, RUP, pow2, type FpState } from './fpu-exact.ts';

export { NX, UF, OF, DZ, NV, RNE, RTZ, RDN, RUP, RMM, FMT_S, FMT_D, type FpState } from './fpu-exact.ts';

const MAX32 = MAX_FINITE[0];
const MIN32 = MIN_NORMAL[0];
const MIN_NORMAL_D = MIN_NORMAL[1];
// Double guards: below ADD_LIM the TwoSum steps and the partial products of a Dekker product
// cannot overflow; below SPLIT_LIM the Veltkamp split cannot overflow; above PROD_LO a
// product's rounding error is itself representable.
const ADD_LIM = pow2(1021);
const SPLIT_LIM = pow2(995);
const PROD_LO = pow2(-968);
const SPLITTER = 134217729; // 2^27 + 1

/** Rounding error of r = fl(a + b) (Knuth's TwoSum); zero iff the sum is exact. */
function sumError(a: number, b: number, r: number): number {
  const bb = r - a;
  return a - (r - bb) + (b - bb);
}

/** Rounding error of r = fl(a * b) (Dekker); exact under the SPLIT_LIM / PROD_LO guards. */
function productError(a: number, b: number, r: number): number {
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ah * bh - r + ah * bl + al * bh + al * bl;
}

/**
 * Accepts a float32 RNE result s computed through double when the flags are cheap to know:
 * exact, or inexact but normal and finite (no UF/OF question). Returns false otherwise.
 */
function acceptS(s: number, exact: boolean, st: FpState): boolean {
  if (exact) return true;
  const m = Math.abs(s);
  if (m > MIN32 && m <= MAX32) {
    st.fflags |= NX;
    return true;
  }
  return false;
}

export function fadd(fmt: number, a: number, b: number, rm: number, snan: boolean, st: FpState): number {
  if (rm === RNE) {
    const r = a + b;
    if (fmt === FMT_D) {
      if (Math.abs(a) < ADD_LIM && Math.abs(b) < ADD_LIM) {
        // A sum that lands in the subnormal range is exact, so only NX can arise here.
        if (sumError(a, b, r) !== 0) st.fflags |= NX;
        return r;
      }
    } else if (Math.abs(a) <= MAX32 && Math.abs(b) <= MAX32) {
      const s = Math.fround(r);
      if (acceptS(s, s === r && sumError(a, b, r) === 0, st)) return s;
    }
  }
  return X.add(fmt, a, b, rm, snan, st);
}

export function fsub(fmt: number, a: number, b: number, rm: number, snan: boolean, st: FpState): number {
  return fadd(fmt, a, -b, rm, snan, st);
}

export function fmul(fmt: number, a: number, b: number, rm: number, snan: boolean, st: FpState): number {
  if (rm === RNE) {
    const r = a * b;
    if (fmt === FMT_D) {
      const m = Math.abs(r);
      if (m >= PROD_LO && m < ADD_LIM && Math.abs(a) < SPLIT_LIM && Math.abs(b) < SPLIT_LIM) {
        if (productError(a, b, r) !== 0) st.fflags |= NX;
        return r;
      }
      if (r === 0 && (a === 0 || b === 0)) return r;
    } else if (Math.abs(a) <= MAX32 && Math.abs(b) <= MAX32) {
      // A product of two float32 values is exact in double.
      const s = Math.fround(r);
      if (acceptS(s, s === r, st)) return s;
    }
  }
  return X.mul(fmt, a, b, rm, snan, st);
}

/** Division. DZ for finite/0, NV for 0/0 and inf/inf. */
export function fdiv(fmt: number, a: number, b: number, rm: number, snan: boolean, st: FpState): number {
  if (rm === RNE) {
    const r = a / b;
    if (fmt === FMT_D) {
      const m = Math.abs(r);
      if (m >= PROD_LO && m < SPLIT_LIM && Math.abs(b) < SPLIT_LIM && Math.abs(a) >= 2 * PROD_LO && Math.abs(a) < ADD_LIM) {
        // Exact iff r * b == a exactly.
        const p = r * b;
        if (p !== a || productError(r, b, p) !== 0) st.fflags |= NX;
        return r;
      }
      if (a === 0 && r === 0) return r;
    } else if (Math.abs(a) <= MAX32 && Math.abs(b) <= MAX32 && b !== 0) {
      const s = Math.fround(r);
      // s * b is a product of float32 values, exact in double.
      if (acceptS(s, s * b === a, st)) return s;
    }
  }
  return X.div(fmt, a, b, rm, snan, st);
}

/** Square root. NV for negative operands (not -0). */
export function fsqrt(fmt: number, a: number, rm: number, snan: boolean, st: FpState): number {
  if (rm === RNE) {
    if (fmt === FMT_D) {
      if (a >= 2 * PROD_LO && a < ADD_LIM) {
        const r = Math.sqrt(a);
        const p = r * r;
        if (p !== a || productError(r, r, p) !== 0) st.fflags |= NX;
        return r;
      }
    } else if (a > 0 && a <= MAX32) {
      // The root of a positive float32 is always a normal float32.
      const s = Math.fround(Math.sqrt(a));
      if (s * s !== a) st.fflags |= NX;
      return s;
    }
  }
  return X.sqrt(fmt, a, rm, snan, st);
}

const oddF64 = new Float64Array(1);
const oddU32 = new Uint32Array(oddF64.buffer);
const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1; // low word index
const HI = 1 - LO;

/**
 * Round-to-odd of x = s + err, where s = fl(x) (a normal double when err != 0) and err is the
 * exact rounding error: s itself when exact or odd, else the odd neighbour towards x.
 */
function roundOdd(s: number, err: number): number {
  if (err === 0) return s;
  oddF64[0] = s;
  const lo = oddU32[LO];
  if ((lo & 1) === 1) return s;
  if (s > 0 === err > 0) {
    oddU32[LO] = lo + 1; // lo is even: no carry
  } else {
    if (lo === 0) oddU32[HI]--;
    oddU32[LO] = lo - 1;
  }
  return oddF64[0];
}

/**
 * Fused a * b + c with one rounding. Invalid for inf * 0 even when c is a quiet NaN.
 *
 * Double RNE: with a * b = p + pe exactly (Dekker), the result is RN(th + RO(tl + pe)) where
 * th + tl = c + p exactly (Boldo & Melquiond, "Emulation of a FMA and correctly rounded sums:
 * proved algorithms using rounding to odd", IEEE TC 2008). The result is exact iff both
 * remaining additions are: when c + p does not cancel (Sterbenz), the exact result lies within
 * a few ulps of th, so if it is a double, tl + pe is one too.
 * Single RNE: a * b is exact in double, and RN24(RO53(x)) = RN24(x) since 53 >= 24 + 2.
 */
export function fmadd(fmt: number, a: number, b: number, c: number, rm: number, snan: boolean, st: FpState): number {
  if (rm === RNE) {
    if (fmt === FMT_D) {
      if (Math.abs(a) < SPLIT_LIM && Math.abs(b) < SPLIT_LIM && Math.abs(c) < ADD_LIM) {
        const p = a * b;
        const m = Math.abs(p);
        if (m >= PROD_LO && m < ADD_LIM) {
          const pe = productError(a, b, p);
          const th = c + p;
          const tl = sumError(c, p, th);
          const s = tl + pe;
          const se = sumError(tl, pe, s);
          const v = roundOdd(s, se);
          const z = th + v;
          // Above the normal threshold no tininess question arises and every step kept full precision.
          if (Math.abs(z) > MIN_NORMAL_D) {
            if (se !== 0 || sumError(th, v, z) !== 0) st.fflags |= NX;
            return z;
          }
        } else if (p === 0 && (a === 0 || b === 0)) {
          // Exact zero product: IEEE signed-zero rules of p + c hold in JS arithmetic.
          return p + c;
        }
      }
    } else if (Math.abs(a) <= MAX32 && Math.abs(b) <= MAX32 && Math.abs(c) <= MAX32) {
      const p = a * b; // exact
      const r = p + c;
      const e = sumError(p, c, r);
      const s = Math.fround(roundOdd(r, e));
      if (acceptS(s, e === 0 && s === r, st)) return s;
    }
  }
  return X.fma(fmt, a, b, c, rm, snan, st);
}

function minMax(a: number, b: number, snan: boolean, st: FpState, wantMax: boolean): number {
  if (snan) st.fflags |= NV;
  if (a !== a) return b; // NaN when both are NaN: the canonical NaN
  if (b !== b) return a;
  if (a === b) return a === 0 && X.signbit(a) !== X.signbit(b) ? (wantMax ? 0 : -0) : a;
  return a < b === wantMax ? b : a;
}

/** IEEE 754-2019 minimumNumber: a NaN operand yields the other, -0 < +0, NV only for sNaN. */
export function fmin(fmt: number, a: number, b: number, snan: boolean, st: FpState): number {
  return minMax(a, b, snan, st, false);
}

/** IEEE 754-2019 maximumNumber; see fmin. */
export function fmax(fmt: number, a: number, b: number, snan: boolean, st: FpState): number {
  return minMax(a, b, snan, st, true);
}

/** x (not an integer, so |x| < 2^52) rounded to an integer in mode rm. */
function roundToInteger(x: number, rm: number): number {
  const t = Math.trunc(x);
  const frac = Math.abs(x - t); // exact
  const away = x < 0 ? t - 1 : t + 1;
  switch (rm) {
    case RTZ:
      return t;
    case RDN:
      return Math.floor(x);
    case RUP:
      return Math.ceil(x);
    case RMM:
      return frac >= 0.5 ? away : t;
    default:
      return frac > 0.5 || (frac === 0.5 && t % 2 !== 0) ? away : t;
  }
}

/** An integer destination's range: as doubles (lo, exclusive hi) and as saturated results. */
function intRange(signed: boolean, bits: number) {
  const w = signed ? bits - 1 : bits;
  return {
    lo: signed ? -pow2(w) : 0,
    hiExcl: pow2(w),
    min: signed ? -(1n << BigInt(w)) : 0n,
    max: (1n << BigInt(w)) - 1n,
  };
}
// Indexed by (signed ? 0 : 1) + (bits === 64 ? 2 : 0).
const INT_RANGES = [intRange(true, 32), intRange(false, 32), intRange(true, 64), intRange(false, 64)];

/**
 * fcvt.{w,wu,l,lu}.{s,d}: saturating conversion. NaN gives the maximum, out-of-range values
 * clip to the nearest bound; both set NV (and not NX). Otherwise NX when inexact.
 */
export function fcvtToInt(a: number, rm: number, signed: boolean, bits: 32 | 64, st: FpState): bigint {
  const bound = INT_RANGES[(signed ? 0 : 1) + (bits === 64 ? 2 : 0)];
  if (a !== a) {
    st.fflags |= NV;
    return bound.max;
  }
  const r = Number.isInteger(a) || !Number.isFinite(a) ? a : roundToInteger(a, rm);
  if (r < bound.lo || r >= bound.hiExcl) {
    st.fflags |= NV;
    return r < 0 ? bound.min : bound.max;
  }
  if (r !== a) st.fflags |= NX;
  return BigInt(r);
}

/** fcvt.{s,d}.{w,wu,l,lu}: v is the mathematical integer; NX when it is not representable. */
export function fcvtFromInt(fmt: number, v: bigint, rm: number, st: FpState): number {
  const limit = fmt === FMT_D ? 9007199254740992n : 16777216n; // 2^p: every smaller integer is exact
  if (v <= limit && v >= -limit) return Number(v);
  return v < 0n ? X.roundPack(true, -v, 0, false, fmt, rm, st) : X.roundPack(false, v, 0, false, fmt, rm, st);
}

/** fcvt.s.d: rounds a double to single. NaN gives the canonical NaN (NV if signaling). */
export function fcvtSD(a: number, rm: number, snan: boolean, st: FpState): number {
  if (a !== a) {
    if (snan) st.fflags |= NV;
    return NaN;
  }
  if (a === 0 || a === Infinity || a === -Infinity) return a;
  if (rm === RNE) {
    const s = Math.fround(a);
    if (acceptS(s, s === a, st)) return s;
  }
  return X.roundValue(0, a, rm, st);
}
