// Exact slow path of the F/D arithmetic: every finite operand is taken as m * 2^e with a
// BigInt m, the exact result (or, for div/sqrt, enough quotient bits plus a sticky bit) is
// computed, and roundPack rounds it once into the target format in the requested mode,
// raising the IEEE 754 flags as RISC-V defines them (tininess detected after rounding).
// Every function here handles all inputs (NaN, inf, zeros) and is the reference that the
// fast paths in fpu.ts must agree with.

/** The fflags bits. */
export const NX = 1;
export const UF = 2;
export const OF = 4;
export const DZ = 8;
export const NV = 16;

/** Resolved rounding modes (the frm/rm encoding). */
export const RNE = 0;
export const RTZ = 1;
export const RDN = 2;
export const RUP = 3;
export const RMM = 4;

/** Format codes: the fmt field of the instruction. */
export const FMT_S = 0;
export const FMT_D = 1;

export interface FpState {
  fflags: number;
}

const PREC = [24, 53];
const EMIN = [-126, -1022];
const EMAX = [127, 1023];

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

// 2^k for every k a double can hold, built from bits so that no pow() rounding can creep in.
const POW2 = new Float64Array(1074 + 1024);
for (let k = -1074; k <= 1023; k++) {
  u64[0] = k >= -1022 ? BigInt(k + 1023) << 52n : 1n << BigInt(k + 1074);
  POW2[k + 1074] = f64[0];
}

/** 2^k exactly, for -1074 <= k <= 1023. */
export function pow2(k: number): number {
  return POW2[k + 1074];
}

export const MAX_FINITE = [(2 - pow2(-23)) * pow2(127), Number.MAX_VALUE];
export const MIN_NORMAL = [pow2(-126), pow2(-1022)];

/** True when x carries a minus sign (including -0). */
export function signbit(x: number): boolean {
  return x < 0 || (x === 0 && 1 / x < 0);
}

/** |x| = m * 2^e for a finite x (m = 0 for zeros). */
export function decompose(x: number): { m: bigint; e: number } {
  f64[0] = x;
  const bits = u64[0];
  const ex = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & 0xfffffffffffffn;
  return ex === 0 ? { m: frac, e: -1074 } : { m: frac | (1n << 52n), e: ex - 1075 };
}

/** Number of significant bits of m > 0. */
export function bitLength(m: bigint): number {
  const hex = m.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0], 16)));
}

/**
 * m * 2^e rounded to a multiple of 2^s (as the multiple's count) in mode rm; `sticky` says the
 * true magnitude is a little above m (strictly below m + 1), which needs s >= 1 to be decidable.
 */
function roundShift(m: bigint, s: number, sticky: boolean, neg: boolean, rm: number): bigint {
  if (s <= 0) return m << BigInt(-s);
  const sh = BigInt(s);
  const r = m >> sh;
  const rem = m - (r << sh);
  if (rem === 0n && !sticky) return r;
  const half = 1n << (sh - 1n);
  let up: boolean;
  switch (rm) {
    case RNE:
      up = rem > half || (rem === half && (sticky || (r & 1n) === 1n));
      break;
    case RMM:
      up = rem >= half;
      break;
    case RDN:
      up = neg;
      break;
    case RUP:
      up = !neg;
      break;
    default:
      up = false;
  }
  return up ? r + 1n : r;
}

function overflowResult(neg: boolean, fmt: number, rm: number): number {
  const toInf = rm === RNE || rm === RMM || (rm === RUP && !neg) || (rm === RDN && neg);
  const mag = toInf ? Infinity : MAX_FINITE[fmt];
  return neg ? -mag : mag;
}

/**
 * Rounds (-1)^neg * (m + sticky) * 2^e (m > 0) into format fmt with mode rm, ORing NX/UF/OF
 * into st. A sticky result must come with at least p + 2 significant bits in m.
 */
export function roundPack(neg: boolean, m: bigint, e: number, sticky: boolean, fmt: number, rm: number, st: FpState): number {
  const p = PREC[fmt];
  const emin = EMIN[fmt];
  const top = e + bitLength(m) - 1; // exponent of the leading bit
  // The result's last bit: p bits of precision, but never finer than the subnormal quantum.
  const q = Math.max(top - p + 1, emin - p + 1);
  if (sticky && q - e < 1) throw new Error('fpu: sticky rounding without guard bits');
  const r = roundShift(m, q - e, sticky, neg, rm);
  const inexact = sticky || (q > e && (m & ((1n << BigInt(q - e)) - 1n)) !== 0n);
  if (r === 0n) {
    st.fflags |= UF | NX;
    return neg ? -0 : 0;
  }
  if (q + bitLength(r) - 1 > EMAX[fmt]) {
    st.fflags |= OF | NX;
    return overflowResult(neg, fmt, rm);
  }
  if (inexact) {
    st.fflags |= NX;
    // Tiny after rounding: rounded to p bits with an unbounded exponent, still below 2^emin.
    if (top < emin - 1) st.fflags |= UF;
    else if (top === emin - 1 && roundShift(m, top - p + 1 - e, sticky, neg, rm) < 1n << BigInt(p)) st.fflags |= UF;
  }
  const v = Number(r) * pow2(q);
  return neg ? -v : v;
}

function nanResult(snan: boolean, st: FpState): number {
  if (snan) st.fflags |= NV;
  return NaN;
}

function invalid(st: FpState): number {
  st.fflags |= NV;
  return NaN;
}

/** An exact zero sum of operands of different signs: +0, or -0 when rounding down. */
function cancelZero(rm: number): number {
  return rm === RDN ? -0 : 0;
}

/** Exact signed sum of two finite values as m * 2^e. */
function sumParts(ma: bigint, ea: number, mb: bigint, eb: number): { m: bigint; e: number } {
  const e = Math.min(ea, eb);
  return { m: (ma << BigInt(ea - e)) + (mb << BigInt(eb - e)), e };
}

function signed(x: number): { m: bigint; e: number } {
  const d = decompose(x);
  return x < 0 ? { m: -d.m, e: d.e } : d;
}

function packSigned(m: bigint, e: number, fmt: number, rm: number, st: FpState): number {
  if (m === 0n) return cancelZero(rm);
  return m < 0n ? roundPack(true, -m, e, false, fmt, rm, st) : roundPack(false, m, e, false, fmt, rm, st);
}

export function add(fmt: number, a: number, b: number, rm: number, snan: boolean, st: FpState): number {
  if (a !== a || b !== b) return nanResult(snan, st);
  const aInf = a === Infinity || a === -Infinity;
  const bInf = b === Infinity || b === -Infinity;
  if (aInf || bInf) {
    if (aInf && bInf && a !== b) return invalid(st);
    return aInf ? a : b;
  }
  if (a === 0 && b === 0) return signbit(a) === signbit(b) ? a : cancelZero(rm);
  const A = signed(a);
  const B = signed(b);
  const s = sumParts(A.m, A.e, B.m, B.e);
  return packSigned(s.m, s.e, fmt, rm, st);
}

export function mul(fmt: number, a: number, b: number, rm: number, snan: boolean, st: FpState): number {
  if (a !== a || b !== b) return nanResult(snan, st);
  const neg = signbit(a) !== signbit(b);
  const aInf = a === Infinity || a === -Infinity;
  const bInf = b === Infinity || b === -Infinity;
  if (aInf || bInf) {
    if (a === 0 || b === 0) return invalid(st);
    return neg ? -Infinity : Infinity;
  }
  if (a === 0 || b === 0) return neg ? -0 : 0;
  const A = decompose(a);
  const B = decompose(b);
  return roundPack(neg, A.m * B.m, A.e + B.e, false, fmt, rm, st);
}

export function div(fmt: number, a: number, b: number, rm: number, snan: boolean, st: FpState): number {
  if (a !== a || b !== b) return nanResult(snan, st);
  const neg = signbit(a) !== signbit(b);
  const aInf = a === Infinity || a === -Infinity;
  const bInf = b === Infinity || b === -Infinity;
  if (aInf && bInf) return invalid(st);
  if (aInf) return neg ? -Infinity : Infinity;
  if (bInf) return neg ? -0 : 0;
  if (b === 0) {
    if (a === 0) return invalid(st);
    st.fflags |= DZ;
    return neg ? -Infinity : Infinity;
  }
  if (a === 0) return neg ? -0 : 0;
  const A = decompose(a);
  const B = decompose(b);
  // Scale the dividend so the quotient has at least p + 3 bits: round bit plus sticky room.
  const k = Math.max(0, PREC[fmt] + 3 + bitLength(B.m) - bitLength(A.m));
  const num = A.m << BigInt(k);
  const quo = num / B.m;
  return roundPack(neg, quo, A.e - k - B.e, quo * B.m !== num, fmt, rm, st);
}

/** floor(sqrt(n)) for n >= 0. */
function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  // Start at or above the root (2^ceil(bits/2)); Newton's iteration then decreases to it.
  let x = 1n << BigInt((bitLength(n) + 1) >> 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

export function sqrt(fmt: number, a: number, rm: number, snan: boolean, st: FpState): number {
  if (a !== a) return nanResult(snan, st);
  if (a === 0) return a;
  if (a < 0) return invalid(st);
  if (a === Infinity) return a;
  const A = decompose(a);
  // Even exponent and at least 2p + 5 bits, so the root has p + 3 bits.
  let k = Math.max(0, 2 * PREC[fmt] + 5 - bitLength(A.m));
  if ((A.e - k) & 1) k++;
  const n = A.m << BigInt(k);
  const root = isqrt(n);
  return roundPack(false, root, (A.e - k) / 2, root * root !== n, fmt, rm, st);
}

/** a * b + c with a single rounding. */
export function fma(fmt: number, a: number, b: number, c: number, rm: number, snan: boolean, st: FpState): number {
  const aInf = a === Infinity || a === -Infinity;
  const bInf = b === Infinity || b === -Infinity;
  // RISC-V: inf * 0 is invalid even when the addend is a quiet NaN.
  if ((aInf && b === 0) || (bInf && a === 0)) return invalid(st);
  if (a !== a || b !== b || c !== c) return nanResult(snan, st);
  const pNeg = signbit(a) !== signbit(b);
  const cInf = c === Infinity || c === -Infinity;
  if (aInf || bInf) {
    if (cInf && signbit(c) !== pNeg) return invalid(st);
    return pNeg ? -Infinity : Infinity;
  }
  if (cInf) return c;
  if ((a === 0 || b === 0) && c === 0) return pNeg === signbit(c) ? c : cancelZero(rm);
  const A = decompose(a);
  const B = decompose(b);
  const C = signed(c);
  const pm = A.m * B.m;
  const s = sumParts(pNeg ? -pm : pm, A.e + B.e, C.m, C.e);
  return packSigned(s.m, s.e, fmt, rm, st);
}

/** Rounds a finite nonzero double into format fmt (used for fcvt.s.d and integer sources). */
export function roundValue(fmt: number, x: number, rm: number, st: FpState): number {
  const d = decompose(x);
  return roundPack(x < 0, d.m, d.e, false, fmt, rm, st);
}
