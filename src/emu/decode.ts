// RV64GC decoder: turns one instruction (16 or 32 bits) into an Insn that the executor
// runs without looking at the encoding again. Compressed instructions expand to the
// operations of their base equivalents. Decoded instructions are cached per code page.

import { Amo, Op } from './cpu.ts';
import { FpOp } from './fexec.ts';

/**
 * A pre-decoded instruction. Integer register fields hold 2 * register number (the
 * index of the low word in the CPU's Int32Array); a destination of x0 is redirected
 * to a scratch slot (X0_SINK) so the executor never tests for x0. FP register fields
 * hold the plain register number.
 */
export class Insn {
  constructor(
    public op: number,
    public rd: number,
    public rs1: number,
    public rs2: number,
    public imm: number,
    public len: number,
    public sub = 0,
    public rs3 = 0,
    public rm = 0,
  ) {}
}

export const X0_SINK = 64;

// decode.ts and cpu.ts import each other (the executor owns the opcode numbers so its switch
// gets literal cases), so nothing at module level here may read Op or Amo.
const illegal = (len: number): Insn => new Insn(Op.ILLEGAL, 0, 0, 0, 0, len);

const xd = (r: number): number => (r === 0 ? X0_SINK : r * 2);
const xs = (r: number): number => r * 2;

function i(op: number, rd: number, rs1: number, imm: number, len = 4): Insn {
  return new Insn(op, xd(rd), xs(rs1), 0, imm, len);
}
function r(op: number, rd: number, rs1: number, rs2: number, len = 4): Insn {
  return new Insn(op, xd(rd), xs(rs1), xs(rs2), 0, len);
}
function s(op: number, rs1: number, rs2: number, imm: number, len = 4): Insn {
  return new Insn(op, 0, xs(rs1), xs(rs2), imm, len);
}
function fp(sub: number, rd: number, rs1: number, rs2: number, rm = 0, rs3 = 0, imm = 0, len = 4): Insn {
  return new Insn(Op.FP, rd, rs1, rs2, imm, len, sub, rs3, rm);
}

/** Decode a 32-bit instruction word (as int32). */
export function decode32(w: number): Insn {
  const opcode = w & 0x7f;
  const rd = (w >>> 7) & 31;
  const f3 = (w >>> 12) & 7;
  const rs1 = (w >>> 15) & 31;
  const rs2 = (w >>> 20) & 31;
  const f7 = w >>> 25;
  const immI = w >> 20;
  switch (opcode) {
    case 0x37:
      return i(Op.LUI, rd, 0, w & ~0xfff);
    case 0x17:
      return i(Op.AUIPC, rd, 0, w & ~0xfff);
    case 0x6f: {
      const imm = ((w >> 31) << 20) | (w & 0xff000) | (((w >>> 20) & 1) << 11) | (((w >>> 21) & 0x3ff) << 1);
      return i(Op.JAL, rd, 0, imm);
    }
    case 0x67:
      return f3 === 0 ? i(Op.JALR, rd, rs1, immI) : illegal(4);
    case 0x63: {
      const imm = ((w >> 31) << 12) | (((w >>> 7) & 1) << 11) | (((w >>> 25) & 0x3f) << 5) | (((w >>> 8) & 0xf) << 1);
      const op = [Op.BEQ, Op.BNE, -1, -1, Op.BLT, Op.BGE, Op.BLTU, Op.BGEU][f3];
      return op < 0 ? illegal(4) : s(op, rs1, rs2, imm);
    }
    case 0x03: {
      const op = [Op.LB, Op.LH, Op.LW, Op.LD, Op.LBU, Op.LHU, Op.LWU, -1][f3];
      return op < 0 ? illegal(4) : i(op, rd, rs1, immI);
    }
    case 0x23: {
      const imm = ((w >> 25) << 5) | ((w >>> 7) & 0x1f);
      const op = [Op.SB, Op.SH, Op.SW, Op.SD][f3];
      return op === undefined ? illegal(4) : s(op, rs1, rs2, imm);
    }
    case 0x13:
      switch (f3) {
        case 0:
          return i(Op.ADDI, rd, rs1, immI);
        case 2:
          return i(Op.SLTI, rd, rs1, immI);
        case 3:
          return i(Op.SLTIU, rd, rs1, immI);
        case 4:
          return i(Op.XORI, rd, rs1, immI);
        case 6:
          return i(Op.ORI, rd, rs1, immI);
        case 7:
          return i(Op.ANDI, rd, rs1, immI);
        case 1:
          return w >>> 26 === 0 ? i(Op.SLLI, rd, rs1, (w >>> 20) & 63) : illegal(4);
        default: {
          const f6 = w >>> 26;
          if (f6 === 0) return i(Op.SRLI, rd, rs1, (w >>> 20) & 63);
          if (f6 === 0x10) return i(Op.SRAI, rd, rs1, (w >>> 20) & 63);
          return illegal(4);
        }
      }
    case 0x1b:
      if (f3 === 0) return i(Op.ADDIW, rd, rs1, immI);
      if (f3 === 1 && f7 === 0) return i(Op.SLLIW, rd, rs1, rs2);
      if (f3 === 5 && f7 === 0) return i(Op.SRLIW, rd, rs1, rs2);
      if (f3 === 5 && f7 === 0x20) return i(Op.SRAIW, rd, rs1, rs2);
      return illegal(4);
    case 0x33: {
      let op = -1;
      if (f7 === 0) op = [Op.ADD, Op.SLL, Op.SLT, Op.SLTU, Op.XOR, Op.SRL, Op.OR, Op.AND][f3];
      else if (f7 === 0x20) op = f3 === 0 ? Op.SUB : f3 === 5 ? Op.SRA : -1;
      else if (f7 === 1) op = [Op.MUL, Op.MULH, Op.MULHSU, Op.MULHU, Op.DIV, Op.DIVU, Op.REM, Op.REMU][f3];
      return op < 0 ? illegal(4) : r(op, rd, rs1, rs2);
    }
    case 0x3b: {
      let op = -1;
      if (f7 === 0) op = f3 === 0 ? Op.ADDW : f3 === 1 ? Op.SLLW : f3 === 5 ? Op.SRLW : -1;
      else if (f7 === 0x20) op = f3 === 0 ? Op.SUBW : f3 === 5 ? Op.SRAW : -1;
      else if (f7 === 1) op = [Op.MULW, -1, -1, -1, Op.DIVW, Op.DIVUW, Op.REMW, Op.REMUW][f3];
      return op < 0 ? illegal(4) : r(op, rd, rs1, rs2);
    }
    case 0x0f:
      if (f3 === 0) return i(Op.FENCE, 0, 0, 0);
      if (f3 === 1) return i(Op.FENCE_I, 0, 0, 0);
      return illegal(4);
    case 0x73:
      if (f3 === 0) {
        if (w === 0x00000073) return i(Op.ECALL, 0, 0, 0);
        if (w === 0x00100073) return i(Op.EBREAK, 0, 0, 0);
        return illegal(4);
      }
      if (f3 === 4) return illegal(4);
      // CSR ops: sub = funct3; rs1 holds the source register slot, or the zimm for the i forms.
      return new Insn(Op.CSR, xd(rd), f3 >= 5 ? rs1 : xs(rs1), rs1, (w >>> 20) & 0xfff, 4, f3);
    case 0x2f: {
      if (f3 !== 2 && f3 !== 3) return illegal(4);
      const f5 = w >>> 27;
      const amo = amoOf(f5);
      if (amo === undefined || (f5 === 2 && rs2 !== 0)) return illegal(4);
      return new Insn(Op.AMO, xd(rd), xs(rs1), xs(rs2), f3 === 3 ? 1 : 0, 4, amo);
    }
    case 0x07:
      if (f3 === 2) return fp(FpOp.FLW, rd, xs(rs1), 0, 0, 0, immI);
      if (f3 === 3) return fp(FpOp.FLD, rd, xs(rs1), 0, 0, 0, immI);
      return illegal(4);
    case 0x27: {
      const imm = ((w >> 25) << 5) | ((w >>> 7) & 0x1f);
      if (f3 === 2) return fp(FpOp.FSW, 0, xs(rs1), rs2, 0, 0, imm);
      if (f3 === 3) return fp(FpOp.FSD, 0, xs(rs1), rs2, 0, 0, imm);
      return illegal(4);
    }
    case 0x43:
    case 0x47:
    case 0x4b:
    case 0x4f: {
      const fmt = (w >>> 25) & 3;
      if (fmt > 1) return illegal(4);
      const sub = [FpOp.FMADD, FpOp.FMSUB, FpOp.FNMSUB, FpOp.FNMADD][(opcode >>> 2) & 3];
      return fp(sub + fmt, rd, rs1, rs2, f3, w >>> 27);
    }
    case 0x53:
      return decodeOpFp(w, rd, f3, rs1, rs2, f7);
    default:
      return illegal(4);
  }
}

function amoOf(f5: number): number | undefined {
  switch (f5) {
    case 0x00:
      return Amo.ADD;
    case 0x01:
      return Amo.SWAP;
    case 0x02:
      return Amo.LR;
    case 0x03:
      return Amo.SC;
    case 0x04:
      return Amo.XOR;
    case 0x08:
      return Amo.OR;
    case 0x0c:
      return Amo.AND;
    case 0x10:
      return Amo.MIN;
    case 0x14:
      return Amo.MAX;
    case 0x18:
      return Amo.MINU;
    case 0x1c:
      return Amo.MAXU;
    default:
      return undefined;
  }
}

function decodeOpFp(w: number, rd: number, f3: number, rs1: number, rs2: number, f7: number): Insn {
  const fmt = f7 & 3;
  if (fmt > 1) return illegal(4);
  switch (f7 >>> 2) {
    case 0x00:
      return fp(FpOp.FADD_S + fmt, rd, rs1, rs2, f3);
    case 0x01:
      return fp(FpOp.FSUB_S + fmt, rd, rs1, rs2, f3);
    case 0x02:
      return fp(FpOp.FMUL_S + fmt, rd, rs1, rs2, f3);
    case 0x03:
      return fp(FpOp.FDIV_S + fmt, rd, rs1, rs2, f3);
    case 0x0b:
      return rs2 === 0 ? fp(FpOp.FSQRT_S + fmt, rd, rs1, 0, f3) : illegal(4);
    case 0x04:
      return f3 <= 2 ? fp(FpOp.FSGNJ_S + fmt, rd, rs1, rs2, f3) : illegal(4);
    case 0x05:
      return f3 <= 1 ? fp(FpOp.FMIN_S + fmt, rd, rs1, rs2, f3) : illegal(4);
    case 0x08:
      // fcvt.s.d (fmt S, rs2 = 1) and fcvt.d.s (fmt D, rs2 = 0)
      if (fmt === 0 && rs2 === 1) return fp(FpOp.FCVT_S_D, rd, rs1, 0, f3);
      if (fmt === 1 && rs2 === 0) return fp(FpOp.FCVT_D_S, rd, rs1, 0, f3);
      return illegal(4);
    case 0x14:
      // feq (2), flt (1), fle (0); rm field selects
      return f3 <= 2 ? fp(FpOp.FCMP_S + fmt, xd(rd), rs1, rs2, f3) : illegal(4);
    case 0x18:
      // fcvt.{w,wu,l,lu}.{s,d}: rs2 selects the integer type
      return rs2 <= 3 ? fp(FpOp.FCVT_INT_S + fmt, xd(rd), rs1, rs2, f3) : illegal(4);
    case 0x1a:
      return rs2 <= 3 ? fp(FpOp.FCVT_S_INT + fmt, rd, xs(rs1), rs2, f3) : illegal(4);
    case 0x1c:
      if (rs2 !== 0) return illegal(4);
      if (f3 === 0) return fp(FpOp.FMV_X_S + fmt, xd(rd), rs1, 0);
      if (f3 === 1) return fp(FpOp.FCLASS_S + fmt, xd(rd), rs1, 0);
      return illegal(4);
    case 0x1e:
      return rs2 === 0 && f3 === 0 ? fp(FpOp.FMV_S_X + fmt, rd, xs(rs1), 0) : illegal(4);
    default:
      return illegal(4);
  }
}

// ---- compressed ----------------------------------------------------------------------

const bit = (h: number, b: number): number => (h >>> b) & 1;
const bits = (h: number, hi: number, lo: number): number => (h >>> lo) & ((1 << (hi - lo + 1)) - 1);
const sext = (v: number, width: number): number => (v << (32 - width)) >> (32 - width);

/** Decode a 16-bit compressed instruction into its base-ISA equivalent (len 2). */
export function decode16(h: number): Insn {
  const q = h & 3;
  const f3 = h >>> 13;
  const rdp = bits(h, 4, 2) + 8; // rd' / rs2'
  const rs1p = bits(h, 9, 7) + 8; // rs1' / rd'
  const rd = bits(h, 11, 7);
  const rs2 = bits(h, 6, 2);
  if (q === 0) {
    switch (f3) {
      case 0: {
        const imm = (bits(h, 12, 11) << 4) | (bits(h, 10, 7) << 6) | (bit(h, 6) << 2) | (bit(h, 5) << 3);
        return imm === 0 ? illegal(2) : i(Op.ADDI, rdp, 2, imm, 2);
      }
      case 1:
        return fp(FpOp.FLD, rdp, xs(rs1p), 0, 0, 0, (bits(h, 12, 10) << 3) | (bits(h, 6, 5) << 6), 2);
      case 2:
        return i(Op.LW, rdp, rs1p, (bits(h, 12, 10) << 3) | (bit(h, 6) << 2) | (bit(h, 5) << 6), 2);
      case 3:
        return i(Op.LD, rdp, rs1p, (bits(h, 12, 10) << 3) | (bits(h, 6, 5) << 6), 2);
      case 5:
        return fp(FpOp.FSD, 0, xs(rs1p), rdp, 0, 0, (bits(h, 12, 10) << 3) | (bits(h, 6, 5) << 6), 2);
      case 6:
        return s(Op.SW, rs1p, rdp, (bits(h, 12, 10) << 3) | (bit(h, 6) << 2) | (bit(h, 5) << 6), 2);
      case 7:
        return s(Op.SD, rs1p, rdp, (bits(h, 12, 10) << 3) | (bits(h, 6, 5) << 6), 2);
      default:
        return illegal(2);
    }
  }
  if (q === 1) {
    const imm6 = sext((bit(h, 12) << 5) | rs2, 6);
    switch (f3) {
      case 0:
        return i(Op.ADDI, rd, rd, imm6, 2);
      case 1:
        return rd === 0 ? illegal(2) : i(Op.ADDIW, rd, rd, imm6, 2);
      case 2:
        return i(Op.ADDI, rd, 0, imm6, 2);
      case 3:
        if (rd === 2) {
          const imm = sext(
            (bit(h, 12) << 9) | (bit(h, 6) << 4) | (bit(h, 5) << 6) | (bits(h, 4, 3) << 7) | (bit(h, 2) << 5),
            10,
          );
          return imm === 0 ? illegal(2) : i(Op.ADDI, 2, 2, imm, 2);
        }
        return imm6 === 0 ? illegal(2) : i(Op.LUI, rd, 0, imm6 << 12, 2);
      case 4: {
        const f2 = bits(h, 11, 10);
        const shamt = (bit(h, 12) << 5) | rs2;
        if (f2 === 0) return i(Op.SRLI, rs1p, rs1p, shamt, 2);
        if (f2 === 1) return i(Op.SRAI, rs1p, rs1p, shamt, 2);
        if (f2 === 2) return i(Op.ANDI, rs1p, rs1p, imm6, 2);
        const f = bits(h, 6, 5);
        if (bit(h, 12) === 0) return r([Op.SUB, Op.XOR, Op.OR, Op.AND][f], rs1p, rs1p, rdp, 2);
        if (f === 0) return r(Op.SUBW, rs1p, rs1p, rdp, 2);
        if (f === 1) return r(Op.ADDW, rs1p, rs1p, rdp, 2);
        return illegal(2);
      }
      case 5: {
        const imm = sext(
          (bit(h, 12) << 11) |
            (bit(h, 11) << 4) |
            (bits(h, 10, 9) << 8) |
            (bit(h, 8) << 10) |
            (bit(h, 7) << 6) |
            (bit(h, 6) << 7) |
            (bits(h, 5, 3) << 1) |
            (bit(h, 2) << 5),
          12,
        );
        return i(Op.JAL, 0, 0, imm, 2);
      }
      default: {
        const imm = sext(
          (bit(h, 12) << 8) | (bits(h, 11, 10) << 3) | (bits(h, 6, 5) << 6) | (bits(h, 4, 3) << 1) | (bit(h, 2) << 5),
          9,
        );
        return s(f3 === 6 ? Op.BEQ : Op.BNE, rs1p, 0, imm, 2);
      }
    }
  }
  if (q === 2) {
    switch (f3) {
      case 0:
        return i(Op.SLLI, rd, rd, (bit(h, 12) << 5) | rs2, 2);
      case 1:
        return fp(FpOp.FLD, rd, xs(2), 0, 0, 0, (bit(h, 12) << 5) | (bits(h, 6, 5) << 3) | (bits(h, 4, 2) << 6), 2);
      case 2:
        return rd === 0 ? illegal(2) : i(Op.LW, rd, 2, (bit(h, 12) << 5) | (bits(h, 6, 4) << 2) | (bits(h, 3, 2) << 6), 2);
      case 3:
        return rd === 0 ? illegal(2) : i(Op.LD, rd, 2, (bit(h, 12) << 5) | (bits(h, 6, 5) << 3) | (bits(h, 4, 2) << 6), 2);
      case 4:
        if (bit(h, 12) === 0) {
          if (rs2 === 0) return rd === 0 ? illegal(2) : i(Op.JALR, 0, rd, 0, 2);
          return r(Op.ADD, rd, 0, rs2, 2);
        }
        if (rs2 === 0) return rd === 0 ? i(Op.EBREAK, 0, 0, 0, 2) : i(Op.JALR, 1, rd, 0, 2);
        return r(Op.ADD, rd, rd, rs2, 2);
      case 5:
        return fp(FpOp.FSD, 0, xs(2), rs2, 0, 0, (bits(h, 12, 10) << 3) | (bits(h, 9, 7) << 6), 2);
      case 6:
        return s(Op.SW, 2, rs2, (bits(h, 12, 9) << 2) | (bits(h, 8, 7) << 6), 2);
      default:
        return s(Op.SD, 2, rs2, (bits(h, 12, 10) << 3) | (bits(h, 9, 7) << 6), 2);
    }
  }
  return illegal(2);
}

/** Decode the instruction whose first halfword is lo16 (and second hi16 for 32-bit ones). */
export function decode(lo16: number, hi16: number): Insn {
  if ((lo16 & 3) !== 3) return lo16 === 0 ? illegal(2) : decode16(lo16);
  if ((lo16 & 0x1c) === 0x1c) return illegal(4); // 48-bit and longer encodings
  return decode32(lo16 | (hi16 << 16));
}
