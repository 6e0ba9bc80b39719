// Executor for the F and D extensions. Registers hold raw bits (NaN boxing and NaN
// payloads are bit-exact); arithmetic goes through fpu.ts on JS numbers.

import type { Cpu } from './cpu.ts';
import type { Insn } from './decode.ts';
import { fadd, fcvtFromInt, fcvtSD, fcvtToInt, fdiv, fmadd, fmax, fmin, fmul, fsqrt, fsub } from './fpu.ts';
import { addrOf, fromBig, OUT, toBigS, toBigU } from './int64.ts';

/** FP operations; for the ones with both formats, S is even and D = S + 1. */
export const enum FpOp {
  FLW = 0,
  FLD = 1,
  FSW = 2,
  FSD = 3,
  FMADD = 4,
  FMSUB = 6,
  FNMSUB = 8,
  FNMADD = 10,
  FADD_S = 12,
  FSUB_S = 14,
  FMUL_S = 16,
  FDIV_S = 18,
  FSQRT_S = 20,
  FSGNJ_S = 22,
  FMIN_S = 24,
  FCVT_S_D = 26,
  FCVT_D_S = 27,
  FCMP_S = 28,
  FCVT_INT_S = 30,
  FCVT_S_INT = 32,
  FMV_X_S = 34,
  FCLASS_S = 36,
  FMV_S_X = 38,
}

const NV = 16;
const CANON_NAN_S = 0x7fc00000;
const CANON_NAN_D_HI = 0x7ff80000;

/** Value of an FP register in format fmt (0 = S, 1 = D); an improperly boxed single reads as NaN. */
function val(c: Cpu, fmt: number, r: number): number {
  if (fmt === 1) return c.f64[r];
  return c.fi[2 * r + 1] === -1 ? c.f32[2 * r] : NaN;
}

function isSnan(c: Cpu, fmt: number, r: number): boolean {
  const fi = c.fi;
  if (fmt === 1) {
    const hi = fi[2 * r + 1];
    return (hi & 0x7ff80000) === 0x7ff00000 && ((hi & 0x7ffff) | fi[2 * r]) !== 0;
  }
  const w = fi[2 * r];
  return fi[2 * r + 1] === -1 && (w & 0x7fc00000) === 0x7f800000 && (w & 0x3fffff) !== 0;
}

/** Whether either operand register holds a signaling NaN (checked only when a value is NaN). */
function anySnan(c: Cpu, fmt: number, r1: number, r2: number): boolean {
  return isSnan(c, fmt, r1) || isSnan(c, fmt, r2);
}

function put(c: Cpu, fmt: number, r: number, v: number): void {
  const fi = c.fi;
  if (fmt === 1) {
    if (v !== v) {
      fi[2 * r] = 0;
      fi[2 * r + 1] = CANON_NAN_D_HI;
    } else c.f64[r] = v;
  } else {
    if (v !== v) fi[2 * r] = CANON_NAN_S;
    else c.f32[2 * r] = v;
    fi[2 * r + 1] = -1;
  }
}

/** Raw bits of a single operand, an improperly boxed value reading as the canonical NaN. */
function bitsS(c: Cpu, r: number): number {
  return c.fi[2 * r + 1] === -1 ? c.fi[2 * r] : CANON_NAN_S;
}

function fclass(c: Cpu, fmt: number, r: number): number {
  let neg: boolean, expAllOnes: boolean, expZero: boolean, fracZero: boolean, quiet: boolean;
  if (fmt === 1) {
    const hi = c.fi[2 * r + 1];
    const lo = c.fi[2 * r];
    neg = hi < 0;
    const e = (hi >>> 20) & 0x7ff;
    expAllOnes = e === 0x7ff;
    expZero = e === 0;
    fracZero = ((hi & 0xfffff) | lo) === 0;
    quiet = (hi & 0x80000) !== 0;
  } else {
    const w = bitsS(c, r);
    neg = w < 0;
    const e = (w >>> 23) & 0xff;
    expAllOnes = e === 0xff;
    expZero = e === 0;
    fracZero = (w & 0x7fffff) === 0;
    quiet = (w & 0x400000) !== 0;
  }
  if (expAllOnes) {
    if (fracZero) return neg ? 1 << 0 : 1 << 7;
    return quiet ? 1 << 9 : 1 << 8;
  }
  if (expZero) {
    if (fracZero) return neg ? 1 << 3 : 1 << 4;
    return neg ? 1 << 2 : 1 << 5;
  }
  return neg ? 1 << 1 : 1 << 6;
}

function setX(c: Cpu, rd: number, lo: number, hi: number): void {
  c.x[rd] = lo;
  c.x[rd + 1] = hi;
}

/** The integer operand of fcvt.{s,d}.{w,wu,l,lu}; kind is 0 w, 1 wu, 2 l, 3 lu. */
function intOperand(c: Cpu, r: number, kind: number): bigint {
  const lo = c.x[r];
  const hi = c.x[r + 1];
  switch (kind) {
    case 0:
      return BigInt(lo);
    case 1:
      return BigInt(lo >>> 0);
    case 2:
      return toBigS(lo, hi);
    default:
      return toBigU(lo, hi);
  }
}

/** Execute one FP instruction. Returns false for an illegal instruction (bad rounding mode). */
export function execFp(c: Cpu, d: Insn): boolean {
  const sub = d.sub;
  const fmt = sub & 1;
  const x = c.x;
  let rm = d.rm;
  if (rm === 7) rm = c.frm;
  switch (sub) {
    case FpOp.FLW: {
      const v = c.mem.load32(addrOf(x[d.rs1], x[d.rs1 + 1], d.imm));
      c.fi[2 * d.rd] = v;
      c.fi[2 * d.rd + 1] = -1;
      return true;
    }
    case FpOp.FLD: {
      const a = addrOf(x[d.rs1], x[d.rs1 + 1], d.imm);
      const lo = c.mem.load32(a);
      const hi = c.mem.load32(a + 4);
      c.fi[2 * d.rd] = lo;
      c.fi[2 * d.rd + 1] = hi;
      return true;
    }
    case FpOp.FSW:
      c.mem.store32(addrOf(x[d.rs1], x[d.rs1 + 1], d.imm), c.fi[2 * d.rs2]);
      return true;
    case FpOp.FSD: {
      const a = addrOf(x[d.rs1], x[d.rs1 + 1], d.imm);
      if ((a & 4095) > 4088) c.mem.writeView(a + 7); // fault before writing half of it
      c.mem.store32(a, c.fi[2 * d.rs2]);
      c.mem.store32(a + 4, c.fi[2 * d.rs2 + 1]);
      return true;
    }
    case FpOp.FSGNJ_S:
    case FpOp.FSGNJ_S + 1: {
      const k = d.rm; // 0 sgnj, 1 sgnjn, 2 sgnjx
      if (fmt === 0) {
        const a = bitsS(c, d.rs1);
        const b = bitsS(c, d.rs2);
        const sign = k === 0 ? b : k === 1 ? ~b : a ^ b;
        c.fi[2 * d.rd] = (a & 0x7fffffff) | (sign & 0x80000000);
        c.fi[2 * d.rd + 1] = -1;
      } else {
        const a = c.fi[2 * d.rs1 + 1];
        const b = c.fi[2 * d.rs2 + 1];
        const sign = k === 0 ? b : k === 1 ? ~b : a ^ b;
        c.fi[2 * d.rd] = c.fi[2 * d.rs1];
        c.fi[2 * d.rd + 1] = (a & 0x7fffffff) | (sign & 0x80000000);
      }
      return true;
    }
    case FpOp.FMV_X_S:
      setX(c, d.rd, c.fi[2 * d.rs1], c.fi[2 * d.rs1] >> 31);
      return true;
    case FpOp.FMV_X_S + 1:
      setX(c, d.rd, c.fi[2 * d.rs1], c.fi[2 * d.rs1 + 1]);
      return true;
    case FpOp.FMV_S_X:
      c.fi[2 * d.rd] = x[d.rs1];
      c.fi[2 * d.rd + 1] = -1;
      return true;
    case FpOp.FMV_S_X + 1:
      c.fi[2 * d.rd] = x[d.rs1];
      c.fi[2 * d.rd + 1] = x[d.rs1 + 1];
      return true;
    case FpOp.FCLASS_S:
    case FpOp.FCLASS_S + 1:
      setX(c, d.rd, fclass(c, fmt, d.rs1), 0);
      return true;
    case FpOp.FCMP_S:
    case FpOp.FCMP_S + 1: {
      const a = val(c, fmt, d.rs1);
      const b = val(c, fmt, d.rs2);
      let res = 0;
      if (a !== a || b !== b) {
        // feq signals only on signaling NaNs; flt and fle on any NaN.
        if (d.rm !== 2 || isSnan(c, fmt, d.rs1) || isSnan(c, fmt, d.rs2)) c.fflags |= NV;
      } else res = d.rm === 2 ? +(a === b) : d.rm === 1 ? +(a < b) : +(a <= b);
      setX(c, d.rd, res, 0);
      return true;
    }
    case FpOp.FMIN_S:
    case FpOp.FMIN_S + 1: {
      const a = val(c, fmt, d.rs1);
      const b = val(c, fmt, d.rs2);
      const snan = (a !== a || b !== b) && anySnan(c, fmt, d.rs1, d.rs2);
      put(c, fmt, d.rd, d.rm === 0 ? fmin(fmt, a, b, snan, c) : fmax(fmt, a, b, snan, c));
      return true;
    }
  }
  // Everything below rounds: resolve the dynamic mode and reject reserved ones.
  if (rm > 4) return false;
  switch (sub) {
    case FpOp.FADD_S:
    case FpOp.FADD_S + 1:
    case FpOp.FSUB_S:
    case FpOp.FSUB_S + 1:
    case FpOp.FMUL_S:
    case FpOp.FMUL_S + 1:
    case FpOp.FDIV_S:
    case FpOp.FDIV_S + 1: {
      const a = val(c, fmt, d.rs1);
      const b = val(c, fmt, d.rs2);
      const snan = (a !== a || b !== b) && anySnan(c, fmt, d.rs1, d.rs2);
      const f = sub < FpOp.FSUB_S ? fadd : sub < FpOp.FMUL_S ? fsub : sub < FpOp.FDIV_S ? fmul : fdiv;
      put(c, fmt, d.rd, f(fmt, a, b, rm, snan, c));
      return true;
    }
    case FpOp.FSQRT_S:
    case FpOp.FSQRT_S + 1: {
      const a = val(c, fmt, d.rs1);
      put(c, fmt, d.rd, fsqrt(fmt, a, rm, a !== a && isSnan(c, fmt, d.rs1), c));
      return true;
    }
    case FpOp.FMADD:
    case FpOp.FMADD + 1:
    case FpOp.FMSUB:
    case FpOp.FMSUB + 1:
    case FpOp.FNMSUB:
    case FpOp.FNMSUB + 1:
    case FpOp.FNMADD:
    case FpOp.FNMADD + 1: {
      let a = val(c, fmt, d.rs1);
      const b = val(c, fmt, d.rs2);
      let e = val(c, fmt, d.rs3);
      const snan =
        (a !== a || b !== b || e !== e) && (isSnan(c, fmt, d.rs1) || isSnan(c, fmt, d.rs2) || isSnan(c, fmt, d.rs3));
      const kind = (sub - FpOp.FMADD) >> 1; // 0 madd, 1 msub, 2 nmsub, 3 nmadd
      if (kind === 2 || kind === 3) a = -a;
      if (kind === 1 || kind === 3) e = -e;
      put(c, fmt, d.rd, fmadd(fmt, a, b, e, rm, snan, c));
      return true;
    }
    case FpOp.FCVT_S_D: {
      const a = c.f64[d.rs1];
      put(c, 0, d.rd, fcvtSD(a, rm, a !== a && isSnan(c, 1, d.rs1), c));
      return true;
    }
    case FpOp.FCVT_D_S: {
      const a = val(c, 0, d.rs1);
      if (a !== a && isSnan(c, 0, d.rs1)) c.fflags |= NV;
      put(c, 1, d.rd, a);
      return true;
    }
    case FpOp.FCVT_INT_S:
    case FpOp.FCVT_INT_S + 1: {
      const kind = d.rs2; // 0 w, 1 wu, 2 l, 3 lu
      const r = fcvtToInt(val(c, fmt, d.rs1), rm, (kind & 1) === 0, kind < 2 ? 32 : 64, c);
      if (kind < 2) {
        const lo = Number(BigInt.asIntN(32, r));
        setX(c, d.rd, lo, lo >> 31);
      } else {
        fromBig(r);
        setX(c, d.rd, OUT[0], OUT[1]);
      }
      return true;
    }
    case FpOp.FCVT_S_INT:
    case FpOp.FCVT_S_INT + 1: {
      const kind = d.rs2;
      const lo = x[d.rs1];
      // int32 values are exact in a double, and |v| <= 2^24 in a single: no rounding needed.
      if (kind === 0 && (fmt === 1 || (lo <= 0x1000000 && lo >= -0x1000000))) put(c, fmt, d.rd, lo);
      else if (kind === 1 && (fmt === 1 || lo >>> 0 <= 0x1000000)) put(c, fmt, d.rd, lo >>> 0);
      else put(c, fmt, d.rd, fcvtFromInt(fmt, intOperand(c, d.rs1, kind), rm, c));
      return true;
    }
  }
  return false;
}
