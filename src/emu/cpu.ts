// RV64GC user-mode hart: registers and the interpreter loop. It runs pre-decoded
// instructions until an ecall, a fault or the instruction budget; it knows nothing of
// processes or syscalls. Integer registers are (lo, hi) int32 pairs in one Int32Array.

import { decode, type Insn } from './decode.ts';
import { execFp } from './fexec.ts';
import { addrOf, div64, mul64, mulhu64, OUT, subOut } from './int64.ts';
import { MemFault, type Memory, OutOfMemory, PAGE_MASK, PAGE_SIZE } from './memory.ts';

export const enum Op {
  ILLEGAL = 0,
  ADDI,
  ADD,
  LD,
  SD,
  LW,
  SW,
  BEQ,
  BNE,
  JAL,
  JALR,
  LUI,
  AUIPC,
  BLT,
  BGE,
  BLTU,
  BGEU,
  LB,
  LH,
  LBU,
  LHU,
  LWU,
  SB,
  SH,
  SLTI,
  SLTIU,
  XORI,
  ORI,
  ANDI,
  SLLI,
  SRLI,
  SRAI,
  SUB,
  SLL,
  SLT,
  SLTU,
  XOR,
  SRL,
  SRA,
  OR,
  AND,
  ADDIW,
  SLLIW,
  SRLIW,
  SRAIW,
  ADDW,
  SUBW,
  SLLW,
  SRLW,
  SRAW,
  MUL,
  MULH,
  MULHSU,
  MULHU,
  DIV,
  DIVU,
  REM,
  REMU,
  MULW,
  DIVW,
  DIVUW,
  REMW,
  REMUW,
  FENCE,
  FENCE_I,
  ECALL,
  EBREAK,
  CSR,
  AMO,
  FP,
}

export const enum Amo {
  LR,
  SC,
  SWAP,
  ADD,
  XOR,
  AND,
  OR,
  MIN,
  MAX,
  MINU,
  MAXU,
}

/** Why run() returned. */
export const enum Stop {
  Budget = 0,
  Ecall = 1,
  Ebreak = 2,
  Illegal = 3,
  Fault = 4,
}

const CSR_FFLAGS = 0x001;
const CSR_FRM = 0x002;
const CSR_FCSR = 0x003;
const CSR_CYCLE = 0xc00;
const CSR_TIME = 0xc01;
const CSR_INSTRET = 0xc02;

type CodePage = (Insn | undefined)[];
const NO_CODE: CodePage = [];

export class Cpu {
  /** x0..x31 as (lo, hi) pairs, plus a scratch pair (decode.ts X0_SINK) that absorbs writes to x0. */
  readonly x = new Int32Array(66);
  private readonly fbuf = new ArrayBuffer(256);
  readonly f64 = new Float64Array(this.fbuf);
  readonly fi = new Int32Array(this.fbuf);
  readonly f32 = new Float32Array(this.fbuf);
  pc = 0;
  fflags = 0;
  frm = 0;
  /** Instructions retired so far. */
  instret = 0;
  /** Set when run() returns Stop.Fault. */
  faultAddr = 0;
  faultAccess: 'read' | 'write' | 'exec' | 'misaligned' = 'read';
  /** The faulting page was mapped (a permission fault) rather than absent. */
  faultMapped = false;
  /** The faulting page lies past the end of the file it maps (SIGBUS, not SIGSEGV). */
  faultPastEof = false;
  /** No page was left for the access (the machine's memory budget): the kernel's OOM kill. */
  faultOutOfMemory = false;
  /** LR reservation address, or -1. */
  private reservation = -1;
  /** Source of the time CSR (ticks, below 2^53); the host supplies virtual time. */
  timeSource: () => number = () => this.instret;

  constructor(public mem: Memory) {}

  getX(i: number): bigint {
    return (BigInt(this.x[2 * i + 1] >>> 0) << 32n) | BigInt(this.x[2 * i] >>> 0);
  }
  setX(i: number, v: bigint): void {
    if (i === 0) return;
    this.x[2 * i] = Number(BigInt.asIntN(32, v));
    this.x[2 * i + 1] = Number(BigInt.asIntN(32, v >> 32n));
  }
  getF(i: number): bigint {
    return (BigInt(this.fi[2 * i + 1] >>> 0) << 32n) | BigInt(this.fi[2 * i] >>> 0);
  }
  setF(i: number, bits: bigint): void {
    this.fi[2 * i] = Number(BigInt.asIntN(32, bits));
    this.fi[2 * i + 1] = Number(BigInt.asIntN(32, bits >> 32n));
  }
  get fcsr(): number {
    return (this.frm << 5) | this.fflags;
  }
  set fcsr(v: number) {
    this.frm = (v >>> 5) & 7;
    this.fflags = v & 31;
  }

  /** A copy of the architectural state bound to another memory (fork). */
  clone(mem: Memory): Cpu {
    const c = new Cpu(mem);
    c.x.set(this.x);
    c.fi.set(this.fi);
    c.pc = this.pc;
    c.fflags = this.fflags;
    c.frm = this.frm;
    c.instret = this.instret;
    c.timeSource = this.timeSource;
    return c;
  }

  /** Clear registers for a new program image (execve). */
  reset(): void {
    this.x.fill(0);
    this.fi.fill(0);
    this.fflags = this.frm = 0;
    this.reservation = -1;
  }

  /** Run at most max instructions. */
  run(max: number): Stop {
    const x = this.x;
    const mem = this.mem;
    let pc = this.pc;
    let n = 0;
    let base = -1;
    let code = NO_CODE;
    try {
      while (n < max) {
        let off = pc - base;
        if (off < 0 || off >= PAGE_SIZE) {
          const page = mem.execPage(pc);
          code = (page.decoded ??= new Array(PAGE_SIZE >> 1)) as CodePage;
          base = pc - (pc & PAGE_MASK);
          off = pc - base;
        }
        let d = code[off >> 1];
        if (d === undefined) {
          d = this.decodeAt(pc);
          if (off <= PAGE_SIZE - 4 || d.len === 2) code[off >> 1] = d;
        }
        n++;
        const rd = d.rd;
        const r1 = d.rs1;
        switch (d.op) {
          case Op.ADDI: {
            const a = x[r1];
            const lo = (a + d.imm) | 0;
            x[rd + 1] = (x[r1 + 1] + (d.imm >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            x[rd] = lo;
            pc += d.len;
            break;
          }
          case Op.ADD: {
            const a = x[r1];
            const lo = (a + x[d.rs2]) | 0;
            x[rd + 1] = (x[r1 + 1] + x[d.rs2 + 1] + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            x[rd] = lo;
            pc += d.len;
            break;
          }
          case Op.LD: {
            const a = addrOf(x[r1], x[r1 + 1], d.imm);
            const lo = mem.load32(a);
            x[rd + 1] = mem.load32(a + 4);
            x[rd] = lo;
            pc += d.len;
            break;
          }
          case Op.SD: {
            const a = addrOf(x[r1], x[r1 + 1], d.imm);
            if ((a & PAGE_MASK) > PAGE_SIZE - 8) mem.writeView(a + 7); // fault before a partial store
            mem.store32(a, x[d.rs2]);
            mem.store32(a + 4, x[d.rs2 + 1]);
            pc += d.len;
            break;
          }
          case Op.LW: {
            const v = mem.load32(addrOf(x[r1], x[r1 + 1], d.imm));
            x[rd] = v;
            x[rd + 1] = v >> 31;
            pc += d.len;
            break;
          }
          case Op.SW:
            mem.store32(addrOf(x[r1], x[r1 + 1], d.imm), x[d.rs2]);
            pc += d.len;
            break;
          case Op.BEQ:
            pc += x[r1] === x[d.rs2] && x[r1 + 1] === x[d.rs2 + 1] ? d.imm : d.len;
            break;
          case Op.BNE:
            pc += x[r1] !== x[d.rs2] || x[r1 + 1] !== x[d.rs2 + 1] ? d.imm : d.len;
            break;
          case Op.JAL:
            setPc(x, rd, pc + d.len);
            pc += d.imm;
            break;
          case Op.JALR: {
            let t = addrOf(x[r1], x[r1 + 1], d.imm);
            if (t % 2 !== 0) t -= 1;
            setPc(x, rd, pc + d.len);
            pc = t;
            break;
          }
          case Op.LUI:
            x[rd] = d.imm;
            x[rd + 1] = d.imm >> 31;
            pc += d.len;
            break;
          case Op.AUIPC:
            setPc(x, rd, pc + d.imm);
            pc += d.len;
            break;
          case Op.BLT: {
            const ah = x[r1 + 1];
            const bh = x[d.rs2 + 1];
            pc += ah < bh || (ah === bh && x[r1] >>> 0 < x[d.rs2] >>> 0) ? d.imm : d.len;
            break;
          }
          case Op.BGE: {
            const ah = x[r1 + 1];
            const bh = x[d.rs2 + 1];
            pc += ah < bh || (ah === bh && x[r1] >>> 0 < x[d.rs2] >>> 0) ? d.len : d.imm;
            break;
          }
          case Op.BLTU: {
            const ah = x[r1 + 1] >>> 0;
            const bh = x[d.rs2 + 1] >>> 0;
            pc += ah < bh || (ah === bh && x[r1] >>> 0 < x[d.rs2] >>> 0) ? d.imm : d.len;
            break;
          }
          case Op.BGEU: {
            const ah = x[r1 + 1] >>> 0;
            const bh = x[d.rs2 + 1] >>> 0;
            pc += ah < bh || (ah === bh && x[r1] >>> 0 < x[d.rs2] >>> 0) ? d.len : d.imm;
            break;
          }
          case Op.LB: {
            const v = mem.load8(addrOf(x[r1], x[r1 + 1], d.imm));
            x[rd] = v;
            x[rd + 1] = v >> 31;
            pc += d.len;
            break;
          }
          case Op.LH: {
            const v = mem.load16(addrOf(x[r1], x[r1 + 1], d.imm));
            x[rd] = v;
            x[rd + 1] = v >> 31;
            pc += d.len;
            break;
          }
          case Op.LBU:
            x[rd] = mem.load8(addrOf(x[r1], x[r1 + 1], d.imm)) & 0xff;
            x[rd + 1] = 0;
            pc += d.len;
            break;
          case Op.LHU:
            x[rd] = mem.load16(addrOf(x[r1], x[r1 + 1], d.imm)) & 0xffff;
            x[rd + 1] = 0;
            pc += d.len;
            break;
          case Op.LWU:
            x[rd] = mem.load32(addrOf(x[r1], x[r1 + 1], d.imm));
            x[rd + 1] = 0;
            pc += d.len;
            break;
          case Op.SB:
            mem.store8(addrOf(x[r1], x[r1 + 1], d.imm), x[d.rs2]);
            pc += d.len;
            break;
          case Op.SH:
            mem.store16(addrOf(x[r1], x[r1 + 1], d.imm), x[d.rs2]);
            pc += d.len;
            break;
          case Op.SLTI: {
            const ih = d.imm >> 31;
            const ah = x[r1 + 1];
            x[rd] = ah < ih || (ah === ih && x[r1] >>> 0 < d.imm >>> 0) ? 1 : 0;
            x[rd + 1] = 0;
            pc += d.len;
            break;
          }
          case Op.SLTIU: {
            const ih = (d.imm >> 31) >>> 0;
            const ah = x[r1 + 1] >>> 0;
            x[rd] = ah < ih || (ah === ih && x[r1] >>> 0 < d.imm >>> 0) ? 1 : 0;
            x[rd + 1] = 0;
            pc += d.len;
            break;
          }
          case Op.XORI:
            x[rd + 1] = x[r1 + 1] ^ (d.imm >> 31);
            x[rd] = x[r1] ^ d.imm;
            pc += d.len;
            break;
          case Op.ORI:
            x[rd + 1] = x[r1 + 1] | (d.imm >> 31);
            x[rd] = x[r1] | d.imm;
            pc += d.len;
            break;
          case Op.ANDI:
            x[rd + 1] = x[r1 + 1] & (d.imm >> 31);
            x[rd] = x[r1] & d.imm;
            pc += d.len;
            break;
          case Op.SLLI:
            shl(x, rd, x[r1], x[r1 + 1], d.imm);
            pc += d.len;
            break;
          case Op.SRLI:
            shr(x, rd, x[r1], x[r1 + 1], d.imm, false);
            pc += d.len;
            break;
          case Op.SRAI:
            shr(x, rd, x[r1], x[r1 + 1], d.imm, true);
            pc += d.len;
            break;
          case Op.SUB: {
            const a = x[r1];
            const b = x[d.rs2];
            x[rd + 1] = (x[r1 + 1] - x[d.rs2 + 1] - (a >>> 0 < b >>> 0 ? 1 : 0)) | 0;
            x[rd] = (a - b) | 0;
            pc += d.len;
            break;
          }
          case Op.SLL:
            shl(x, rd, x[r1], x[r1 + 1], x[d.rs2] & 63);
            pc += d.len;
            break;
          case Op.SLT: {
            const ah = x[r1 + 1];
            const bh = x[d.rs2 + 1];
            x[rd] = ah < bh || (ah === bh && x[r1] >>> 0 < x[d.rs2] >>> 0) ? 1 : 0;
            x[rd + 1] = 0;
            pc += d.len;
            break;
          }
          case Op.SLTU: {
            const ah = x[r1 + 1] >>> 0;
            const bh = x[d.rs2 + 1] >>> 0;
            x[rd] = ah < bh || (ah === bh && x[r1] >>> 0 < x[d.rs2] >>> 0) ? 1 : 0;
            x[rd + 1] = 0;
            pc += d.len;
            break;
          }
          case Op.XOR:
            x[rd + 1] = x[r1 + 1] ^ x[d.rs2 + 1];
            x[rd] = x[r1] ^ x[d.rs2];
            pc += d.len;
            break;
          case Op.SRL:
            shr(x, rd, x[r1], x[r1 + 1], x[d.rs2] & 63, false);
            pc += d.len;
            break;
          case Op.SRA:
            shr(x, rd, x[r1], x[r1 + 1], x[d.rs2] & 63, true);
            pc += d.len;
            break;
          case Op.OR:
            x[rd + 1] = x[r1 + 1] | x[d.rs2 + 1];
            x[rd] = x[r1] | x[d.rs2];
            pc += d.len;
            break;
          case Op.AND:
            x[rd + 1] = x[r1 + 1] & x[d.rs2 + 1];
            x[rd] = x[r1] & x[d.rs2];
            pc += d.len;
            break;
          case Op.ADDIW: {
            const v = (x[r1] + d.imm) | 0;
            x[rd] = v;
            x[rd + 1] = v >> 31;
            pc += d.len;
            break;
          }
          case Op.SLLIW: {
            const v = x[r1] << d.imm;
            x[rd] = v;
            x[rd + 1] = v >> 31;
            pc += d.len;
            break;
          }
          case Op.SRLIW: {
            const v = (x[r1] >>> d.imm) | 0;
            x[rd] = v;
            x[rd + 1] = v >> 31;
            pc += d.len;
            break;
          }
          case Op.SRAIW: {
            const v = x[r1] >> d.imm;
            x[rd] = v;
            x[rd + 1] = v >> 31;
            pc += d.len;
            break;
          }
          case Op.ADDW: {
            const v = (x[r1] + x[d.rs2]) | 0;
            x[rd] = v;
            x[rd + 1] = v >> 31;
            pc += d.len;
            break;
          }
          case Op.SUBW: {
            const v = (x[r1] - x[d.rs2]) | 0;
            x[rd] = v;
            x[rd + 1] = v >> 31;
            pc += d.len;
            break;
          }
          case Op.SLLW: {
            const v = x[r1] << (x[d.rs2] & 31);
            x[rd] = v;
            x[rd + 1] = v >> 31;
            pc += d.len;
            break;
          }
          case Op.SRLW: {
            const v = (x[r1] >>> (x[d.rs2] & 31)) | 0;
            x[rd] = v;
            x[rd + 1] = v >> 31;
            pc += d.len;
            break;
          }
          case Op.SRAW: {
            const v = x[r1] >> (x[d.rs2] & 31);
            x[rd] = v;
            x[rd + 1] = v >> 31;
            pc += d.len;
            break;
          }
          case Op.MUL:
            mul64(x[r1], x[r1 + 1], x[d.rs2], x[d.rs2 + 1]);
            x[rd] = OUT[0];
            x[rd + 1] = OUT[1];
            pc += d.len;
            break;
          case Op.MULH:
          case Op.MULHSU:
          case Op.MULHU: {
            const alo = x[r1];
            const ahi = x[r1 + 1];
            const blo = x[d.rs2];
            const bhi = x[d.rs2 + 1];
            mulhu64(alo, ahi, blo, bhi);
            // Signed high parts from the unsigned one: subtract the other operand per negative sign.
            if (d.op !== Op.MULHU && ahi < 0) subOut(blo, bhi);
            if (d.op === Op.MULH && bhi < 0) subOut(alo, ahi);
            x[rd] = OUT[0];
            x[rd + 1] = OUT[1];
            pc += d.len;
            break;
          }
          case Op.DIV:
          case Op.DIVU:
          case Op.REM:
          case Op.REMU:
            div64(x[r1], x[r1 + 1], x[d.rs2], x[d.rs2 + 1], d.op === Op.DIV || d.op === Op.REM, d.op >= Op.REM);
            x[rd] = OUT[0];
            x[rd + 1] = OUT[1];
            pc += d.len;
            break;
          case Op.MULW: {
            const v = Math.imul(x[r1], x[d.rs2]);
            x[rd] = v;
            x[rd + 1] = v >> 31;
            pc += d.len;
            break;
          }
          case Op.DIVW:
          case Op.DIVUW:
          case Op.REMW:
          case Op.REMUW: {
            const v = divw(x[r1], x[d.rs2], d.op);
            x[rd] = v;
            x[rd + 1] = v >> 31;
            pc += d.len;
            break;
          }
          case Op.FENCE:
            pc += d.len;
            break;
          case Op.FENCE_I:
            base = -1; // re-fetch the decoded page: code may have been rewritten
            pc += d.len;
            break;
          case Op.ECALL:
            this.pc = pc;
            this.instret += n;
            return Stop.Ecall;
          case Op.EBREAK:
            this.pc = pc;
            this.instret += n - 1;
            return Stop.Ebreak;
          case Op.CSR:
            if (!this.csr(d, n)) {
              this.pc = pc;
              this.instret += n - 1;
              return Stop.Illegal;
            }
            pc += d.len;
            break;
          case Op.AMO:
            this.amo(d);
            pc += d.len;
            break;
          case Op.FP:
            if (!execFp(this, d)) {
              this.pc = pc;
              this.instret += n - 1;
              return Stop.Illegal;
            }
            pc += d.len;
            break;
          default:
            this.pc = pc;
            this.instret += n - 1;
            return Stop.Illegal;
        }
      }
      this.pc = pc;
      this.instret += n;
      return Stop.Budget;
    } catch (e) {
      if (!(e instanceof MemFault)) throw e;
      this.pc = pc;
      this.instret += e.access === 'exec' ? n : n - 1; // a fetch fault happens before n counts it
      this.faultAddr = e.addr;
      this.faultAccess = e.misaligned ? 'misaligned' : e.access;
      this.faultMapped = e.mapped;
      this.faultPastEof = e.pastEof;
      this.faultOutOfMemory = e instanceof OutOfMemory;
      return Stop.Fault;
    }
  }

  private decodeAt(pc: number): Insn {
    const lo = this.mem.execPage(pc).dv.getUint16(pc & PAGE_MASK, true);
    if ((lo & 3) !== 3) return decode(lo, 0);
    const hi = this.mem.execPage(pc + 2).dv.getUint16((pc + 2) & PAGE_MASK, true);
    return decode(lo, hi);
  }

  private csr(d: Insn, n: number): boolean {
    const num = d.imm;
    const kind = d.sub & 3; // 1 rw, 2 rs, 3 rc
    const src = d.sub >= 5 ? d.rs1 : this.x[d.rs1];
    // csrrs/csrrc with rs1 = x0 (or zimm 0) do not write.
    const writes = kind === 1 || d.rs2 !== 0;
    // The old value as a (lo, hi) pair of numbers: mixing BigInt and number values here
    // trips TurboFan in Node 20 (a representation-change abort of the whole process).
    let lo: number;
    let hi = 0;
    switch (num) {
      case CSR_FFLAGS:
        lo = this.fflags;
        break;
      case CSR_FRM:
        lo = this.frm;
        break;
      case CSR_FCSR:
        lo = this.fcsr;
        break;
      case CSR_CYCLE:
      case CSR_INSTRET:
      case CSR_TIME: {
        if (writes) return false;
        const v = num === CSR_TIME ? this.timeSource() : this.instret + n - 1;
        lo = v | 0;
        hi = Math.floor(v / 4294967296) | 0;
        break;
      }
      default:
        return false;
    }
    if (writes) {
      const v = kind === 1 ? src : kind === 2 ? lo | src : lo & ~src;
      if (num === CSR_FFLAGS) this.fflags = v & 31;
      else if (num === CSR_FRM) this.frm = v & 7;
      else this.fcsr = v & 0xff;
    }
    this.x[d.rd] = lo;
    this.x[d.rd + 1] = hi;
    return true;
  }

  private amo(d: Insn): void {
    const x = this.x;
    const mem = this.mem;
    const a = addrOf(x[d.rs1], x[d.rs1 + 1], 0);
    const wide = d.imm === 1;
    if (a % (wide ? 8 : 4) !== 0) throw new MemFault(a, d.sub === Amo.LR ? 'read' : 'write', true, true);
    const blo = x[d.rs2];
    const bhi = wide ? x[d.rs2 + 1] : blo >> 31;
    if (d.sub === Amo.SC) {
      const ok = this.reservation === a;
      this.reservation = -1;
      if (ok) {
        mem.store32(a, blo);
        if (wide) mem.store32(a + 4, bhi);
      }
      x[d.rd] = ok ? 0 : 1;
      x[d.rd + 1] = 0;
      return;
    }
    const olo = mem.load32(a);
    const ohi = wide ? mem.load32(a + 4) : olo >> 31;
    if (d.sub === Amo.LR) {
      this.reservation = a;
    } else {
      let lo = blo;
      let hi = bhi;
      switch (d.sub) {
        case Amo.ADD:
          lo = (olo + blo) | 0;
          hi = (ohi + bhi + (lo >>> 0 < olo >>> 0 ? 1 : 0)) | 0;
          break;
        case Amo.XOR:
          lo = olo ^ blo;
          hi = ohi ^ bhi;
          break;
        case Amo.AND:
          lo = olo & blo;
          hi = ohi & bhi;
          break;
        case Amo.OR:
          lo = olo | blo;
          hi = ohi | bhi;
          break;
        case Amo.MIN:
        case Amo.MAX:
        case Amo.MINU:
        case Amo.MAXU: {
          const uns = d.sub === Amo.MINU || d.sub === Amo.MAXU;
          const oh = uns ? ohi >>> 0 : ohi;
          const bh = uns ? bhi >>> 0 : bhi;
          const less = oh < bh || (oh === bh && olo >>> 0 < blo >>> 0);
          const pickOld = d.sub === Amo.MIN || d.sub === Amo.MINU ? less : !less;
          if (pickOld) {
            lo = olo;
            hi = ohi;
          }
          break;
        }
      }
      mem.store32(a, lo);
      if (wide) mem.store32(a + 4, hi);
    }
    x[d.rd] = olo;
    x[d.rd + 1] = ohi;
  }
}

/** rd = a link or pc-relative value (a non-negative number below 2^53, or a negative one). */
function setPc(x: Int32Array, rd: number, v: number): void {
  x[rd] = v | 0;
  x[rd + 1] = Math.floor(v / 4294967296) | 0;
}

function shl(x: Int32Array, rd: number, lo: number, hi: number, sh: number): void {
  if (sh === 0) {
    x[rd] = lo;
    x[rd + 1] = hi;
  } else if (sh < 32) {
    x[rd + 1] = (hi << sh) | (lo >>> (32 - sh));
    x[rd] = lo << sh;
  } else {
    x[rd + 1] = lo << (sh - 32);
    x[rd] = 0;
  }
}

function shr(x: Int32Array, rd: number, lo: number, hi: number, sh: number, arith: boolean): void {
  if (sh === 0) {
    x[rd] = lo;
    x[rd + 1] = hi;
  } else if (sh < 32) {
    x[rd] = (lo >>> sh) | (hi << (32 - sh));
    x[rd + 1] = arith ? hi >> sh : hi >>> sh;
  } else {
    x[rd] = arith ? hi >> (sh - 32) : hi >>> (sh - 32);
    x[rd + 1] = arith ? hi >> 31 : 0;
  }
}

function divw(a: number, b: number, op: number): number {
  if (b === 0) return op === Op.DIVW || op === Op.DIVUW ? -1 : a;
  switch (op) {
    case Op.DIVW:
      return (a / b) | 0; // -2^31 / -1 wraps to -2^31, as RISC-V wants
    case Op.DIVUW:
      return Math.floor((a >>> 0) / (b >>> 0)) | 0;
    case Op.REMW:
      return a % b | 0;
    default:
      return (a >>> 0) % (b >>> 0) | 0;
  }
}

