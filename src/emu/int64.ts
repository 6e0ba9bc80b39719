// 64-bit integer helpers on (lo, hi) int32 pairs: the CPU keeps registers that way so the
// hot paths stay in small-integer arithmetic. Results land in the module-level OUT pair
// to avoid allocating on every multiply.

export const OUT = new Int32Array(2);

/** High 32 bits of the unsigned product of two 32-bit values. */
export function mulhu32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

/** Low 64 bits of a * b into OUT. */
export function mul64(alo: number, ahi: number, blo: number, bhi: number): void {
  OUT[0] = Math.imul(alo, blo);
  OUT[1] = (mulhu32(alo, blo) + Math.imul(alo, bhi) + Math.imul(ahi, blo)) | 0;
}

/** High 64 bits of the unsigned 128-bit product a * b into OUT. */
export function mulhu64(alo: number, ahi: number, blo: number, bhi: number): void {
  const llHi = mulhu32(alo, blo) >>> 0;
  const lhLo = Math.imul(alo, bhi) >>> 0;
  const lhHi = mulhu32(alo, bhi) >>> 0;
  const hlLo = Math.imul(ahi, blo) >>> 0;
  const hlHi = mulhu32(ahi, blo) >>> 0;
  const hhLo = Math.imul(ahi, bhi) >>> 0;
  const hhHi = mulhu32(ahi, bhi) >>> 0;
  const w1 = llHi + lhLo + hlLo;
  const w2 = hhLo + lhHi + hlHi + Math.floor(w1 / 4294967296);
  OUT[0] = w2 | 0;
  OUT[1] = (hhHi + Math.floor(w2 / 4294967296)) | 0;
}

/** OUT -= (blo, bhi), modulo 2^64. */
export function subOut(blo: number, bhi: number): void {
  const lo = OUT[0];
  OUT[0] = (lo - blo) | 0;
  OUT[1] = (OUT[1] - bhi - ((lo >>> 0) < (blo >>> 0) ? 1 : 0)) | 0;
}

export function toBigS(lo: number, hi: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo >>> 0);
}

export function toBigU(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

export function fromBig(v: bigint): void {
  OUT[0] = Number(BigInt.asIntN(32, v));
  OUT[1] = Number(BigInt.asIntN(32, v >> 32n));
}

/** 64-bit division and remainder with RISC-V's results for /0 and overflow, into OUT. */
export function div64(alo: number, ahi: number, blo: number, bhi: number, signed: boolean, rem: boolean): void {
  if (blo === 0 && bhi === 0) {
    if (rem) {
      OUT[0] = alo;
      OUT[1] = ahi;
    } else OUT[0] = OUT[1] = -1;
    return;
  }
  if (signed ? ahi === alo >> 31 && bhi === blo >> 31 : ahi === 0 && bhi === 0) {
    // Both fit in 32 bits: exact in doubles.
    const a = signed ? alo : alo >>> 0;
    const b = signed ? blo : blo >>> 0;
    const r = rem ? a % b : Math.trunc(a / b);
    OUT[0] = r | 0;
    OUT[1] = r < 0 ? -1 : 0; // -2^31 / -1 = 2^31 lands as lo 0x80000000, hi 0
    return;
  }
  const a = signed ? toBigS(alo, ahi) : toBigU(alo, ahi);
  const b = signed ? toBigS(blo, bhi) : toBigU(blo, bhi);
  if (signed && b === -1n && a === -(1n << 63n)) {
    fromBig(rem ? 0n : a);
    return;
  }
  fromBig(rem ? a % b : a / b);
}

/**
 * Effective address of (lo, hi) + imm as a number. Valid guest addresses are below 2^32;
 * anything else (negative, huge) comes out outside [0, 2^32) and the access faults.
 */
export function addrOf(lo: number, hi: number, imm: number): number {
  return hi === 0 ? (lo >>> 0) + imm : hi * 4294967296 + (lo >>> 0) + imm;
}
