// A RISC-V (RV64GC) instruction encoder for tests.
//
// Every encoder returns an Inst: the machine word, its size, and the same instruction as
// GNU assembler text. The text is what a shrunk counterexample prints, and what the
// cross-check test feeds to riscv64-linux-gnu-as to prove the encodings right.
// Operands are validated: a bad register or immediate throws a one-line RangeError.

export interface Inst {
  readonly bits: number; // unsigned
  readonly size: 2 | 4;
  readonly asm: string;
}

export type Reg = number; // 0..31 (x or f register number)

export const Rm = { rne: 0, rtz: 1, rdn: 2, rup: 3, rmm: 4, dyn: 7 } as const;
export type RmName = keyof typeof Rm;
const RM_NAMES = ['rne', 'rtz', 'rdn', 'rup', 'rmm', '', '', 'dyn'];

export const CSR = { fflags: 0x001, frm: 0x002, fcsr: 0x003, cycle: 0xc00, time: 0xc01, instret: 0xc02 } as const;

// ---- operand checks ----------------------------------------------------------------------

function reg(r: Reg, what = 'register'): number {
  if (!Number.isInteger(r) || r < 0 || r > 31) throw new RangeError(`${what} ${r} is not in 0..31`);
  return r;
}

/** A signed immediate of `bits` bits, optionally required to be a multiple of `align`. */
function simm(v: number, bits: number, what: string, align = 1): number {
  const lo = -(2 ** (bits - 1));
  const hi = 2 ** (bits - 1) - 1;
  if (!Number.isInteger(v) || v < lo || v > hi || v % align !== 0)
    throw new RangeError(`${what} ${v} is not ${align > 1 ? `a multiple of ${align} ` : ''}in ${lo}..${hi}`);
  return v;
}

function uimm(v: number, bits: number, what: string, align = 1): number {
  const hi = 2 ** bits - 1;
  if (!Number.isInteger(v) || v < 0 || v > hi || v % align !== 0)
    throw new RangeError(`${what} ${v} is not ${align > 1 ? `a multiple of ${align} ` : ''}in 0..${hi}`);
  return v;
}

function rmField(rm: number): number {
  if (!Number.isInteger(rm) || rm < 0 || rm > 7) throw new RangeError(`rounding mode ${rm} is not in 0..7`);
  return rm;
}

/** Bits [hi..lo] of v, shifted down. */
function bits(v: number, hi: number, lo: number): number {
  return (v >> lo) & ((1 << (hi - lo + 1)) - 1);
}

const x = (r: Reg) => `x${r}`;
const f = (r: Reg) => `f${r}`;
const hex = (v: number) => `0x${v.toString(16)}`;

function w32(bits: number, asm: string): Inst {
  return { bits: bits >>> 0, size: 4, asm };
}

/** Raw data word, for encodings that no mnemonic can express (illegal-instruction tests). */
export function word(bits: number): Inst {
  return w32(bits, `.word ${hex(bits >>> 0)}`);
}
export function half(bits: number): Inst {
  return { bits: bits & 0xffff, size: 2, asm: `.half ${hex(bits & 0xffff)}` };
}

// ---- base formats ---------------------------------------------------------------------

function rType(op: number, f3: number, f7: number, rd: Reg, rs1: Reg, rs2: Reg, asm: string): Inst {
  return w32((f7 << 25) | (reg(rs2) << 20) | (reg(rs1) << 15) | (f3 << 12) | (reg(rd) << 7) | op, asm);
}
function iType(op: number, f3: number, rd: Reg, rs1: Reg, imm: number, asm: string): Inst {
  return w32(((simm(imm, 12, 'immediate') & 0xfff) << 20) | (reg(rs1) << 15) | (f3 << 12) | (reg(rd) << 7) | op, asm);
}
function sType(op: number, f3: number, rs1: Reg, rs2: Reg, imm: number, asm: string): Inst {
  const i = simm(imm, 12, 'store offset') & 0xfff;
  return w32((bits(i, 11, 5) << 25) | (reg(rs2) << 20) | (reg(rs1) << 15) | (f3 << 12) | (bits(i, 4, 0) << 7) | op, asm);
}
function bType(f3: number, rs1: Reg, rs2: Reg, off: number, asm: string): Inst {
  const i = simm(off, 13, 'branch offset', 2) & 0x1fff;
  return w32(
    (bits(i, 12, 12) << 31) | (bits(i, 10, 5) << 25) | (reg(rs2) << 20) | (reg(rs1) << 15) | (f3 << 12) |
      (bits(i, 4, 1) << 8) | (bits(i, 11, 11) << 7) | 0x63,
    asm,
  );
}
function uType(op: number, rd: Reg, imm20: number, asm: string): Inst {
  return w32((uimm(imm20, 20, 'upper immediate') << 12) | (reg(rd) << 7) | op, asm);
}

/** `.+off` / `.-off` for pc-relative targets. */
const rel = (off: number) => (off < 0 ? `.-${-off}` : `.+${off}`);

// ---- RV64I ------------------------------------------------------------------------------

export const lui = (rd: Reg, imm20: number) => uType(0x37, rd, imm20, `lui ${x(rd)}, ${hex(imm20)}`);
export const auipc = (rd: Reg, imm20: number) => uType(0x17, rd, imm20, `auipc ${x(rd)}, ${hex(imm20)}`);

export function jal(rd: Reg, off: number): Inst {
  const i = simm(off, 21, 'jump offset', 2) & 0x1fffff;
  return w32(
    (bits(i, 20, 20) << 31) | (bits(i, 10, 1) << 21) | (bits(i, 11, 11) << 20) | (bits(i, 19, 12) << 12) |
      (reg(rd) << 7) | 0x6f,
    `jal ${x(rd)}, ${rel(off)}`,
  );
}
export const jalr = (rd: Reg, rs1: Reg, imm = 0) => iType(0x67, 0, rd, rs1, imm, `jalr ${x(rd)}, ${imm}(${x(rs1)})`);

const branch = (name: string, f3: number) => (rs1: Reg, rs2: Reg, off: number) =>
  bType(f3, rs1, rs2, off, `${name} ${x(rs1)}, ${x(rs2)}, ${rel(off)}`);
export const beq = branch('beq', 0);
export const bne = branch('bne', 1);
export const blt = branch('blt', 4);
export const bge = branch('bge', 5);
export const bltu = branch('bltu', 6);
export const bgeu = branch('bgeu', 7);

const load = (name: string, op: number, f3: number, fr: boolean) => (rd: Reg, rs1: Reg, imm = 0) =>
  iType(op, f3, rd, rs1, imm, `${name} ${fr ? f(rd) : x(rd)}, ${imm}(${x(rs1)})`);
export const lb = load('lb', 0x03, 0, false);
export const lh = load('lh', 0x03, 1, false);
export const lw = load('lw', 0x03, 2, false);
export const ld = load('ld', 0x03, 3, false);
export const lbu = load('lbu', 0x03, 4, false);
export const lhu = load('lhu', 0x03, 5, false);
export const lwu = load('lwu', 0x03, 6, false);
export const flw = load('flw', 0x07, 2, true);
export const fld = load('fld', 0x07, 3, true);

// Stores take (rs2 = value, rs1 = base, offset), in the assembler's operand order.
const store = (name: string, op: number, f3: number, fr: boolean) => (rs2: Reg, rs1: Reg, imm = 0) =>
  sType(op, f3, rs1, rs2, imm, `${name} ${fr ? f(rs2) : x(rs2)}, ${imm}(${x(rs1)})`);
export const sb = store('sb', 0x23, 0, false);
export const sh = store('sh', 0x23, 1, false);
export const sw = store('sw', 0x23, 2, false);
export const sd = store('sd', 0x23, 3, false);
export const fsw = store('fsw', 0x27, 2, true);
export const fsd = store('fsd', 0x27, 3, true);

const opImm = (name: string, op: number, f3: number) => (rd: Reg, rs1: Reg, imm: number) =>
  iType(op, f3, rd, rs1, imm, `${name} ${x(rd)}, ${x(rs1)}, ${imm}`);
export const addi = opImm('addi', 0x13, 0);
export const slti = opImm('slti', 0x13, 2);
export const sltiu = opImm('sltiu', 0x13, 3);
export const xori = opImm('xori', 0x13, 4);
export const ori = opImm('ori', 0x13, 6);
export const andi = opImm('andi', 0x13, 7);
export const addiw = opImm('addiw', 0x1b, 0);

const shiftImm = (name: string, op: number, f3: number, hi: number, shBits: number) => (rd: Reg, rs1: Reg, sh: number) =>
  w32(
    (hi << 25) | (uimm(sh, shBits, 'shift amount') << 20) | (reg(rs1) << 15) | (f3 << 12) | (reg(rd) << 7) | op,
    `${name} ${x(rd)}, ${x(rs1)}, ${sh}`,
  );
export const slli = shiftImm('slli', 0x13, 1, 0x00, 6);
export const srli = shiftImm('srli', 0x13, 5, 0x00, 6);
export const srai = shiftImm('srai', 0x13, 5, 0x20, 6);
export const slliw = shiftImm('slliw', 0x1b, 1, 0x00, 5);
export const srliw = shiftImm('srliw', 0x1b, 5, 0x00, 5);
export const sraiw = shiftImm('sraiw', 0x1b, 5, 0x20, 5);

const op = (name: string, opc: number, f3: number, f7: number) => (rd: Reg, rs1: Reg, rs2: Reg) =>
  rType(opc, f3, f7, rd, rs1, rs2, `${name} ${x(rd)}, ${x(rs1)}, ${x(rs2)}`);
export const add = op('add', 0x33, 0, 0x00);
export const sub = op('sub', 0x33, 0, 0x20);
export const sll = op('sll', 0x33, 1, 0x00);
export const slt = op('slt', 0x33, 2, 0x00);
export const sltu = op('sltu', 0x33, 3, 0x00);
export const xor = op('xor', 0x33, 4, 0x00);
export const srl = op('srl', 0x33, 5, 0x00);
export const sra = op('sra', 0x33, 5, 0x20);
export const or = op('or', 0x33, 6, 0x00);
export const and = op('and', 0x33, 7, 0x00);
export const addw = op('addw', 0x3b, 0, 0x00);
export const subw = op('subw', 0x3b, 0, 0x20);
export const sllw = op('sllw', 0x3b, 1, 0x00);
export const srlw = op('srlw', 0x3b, 5, 0x00);
export const sraw = op('sraw', 0x3b, 5, 0x20);

const FENCE_SET = ['', 'w', 'r', 'rw', 'o', 'ow', 'or', 'orw', 'i', 'iw', 'ir', 'irw', 'io', 'iow', 'ior', 'iorw'];
/** fence pred, succ: 4-bit sets of i(8) o(4) r(2) w(1). */
export function fence(pred = 0xf, succ = 0xf): Inst {
  uimm(pred, 4, 'fence predecessor set');
  uimm(succ, 4, 'fence successor set');
  if (pred === 0 || succ === 0) throw new RangeError('fence sets must not be empty');
  return w32((pred << 24) | (succ << 20) | 0x0f, `fence ${FENCE_SET[pred]}, ${FENCE_SET[succ]}`);
}
export const fenceI = () => w32(0x0000100f, 'fence.i');
export const ecall = () => w32(0x00000073, 'ecall');
export const ebreak = () => w32(0x00100073, 'ebreak');

// ---- M ----------------------------------------------------------------------------------

export const mul = op('mul', 0x33, 0, 0x01);
export const mulh = op('mulh', 0x33, 1, 0x01);
export const mulhsu = op('mulhsu', 0x33, 2, 0x01);
export const mulhu = op('mulhu', 0x33, 3, 0x01);
export const div = op('div', 0x33, 4, 0x01);
export const divu = op('divu', 0x33, 5, 0x01);
export const rem = op('rem', 0x33, 6, 0x01);
export const remu = op('remu', 0x33, 7, 0x01);
export const mulw = op('mulw', 0x3b, 0, 0x01);
export const divw = op('divw', 0x3b, 4, 0x01);
export const divuw = op('divuw', 0x3b, 5, 0x01);
export const remw = op('remw', 0x3b, 6, 0x01);
export const remuw = op('remuw', 0x3b, 7, 0x01);

// ---- A ----------------------------------------------------------------------------------

export interface Ordering {
  aq?: boolean;
  rl?: boolean;
}
export type Width = 'w' | 'd';

function amoEnc(f5: number, name: string, w: Width, rd: Reg, rs1: Reg, rs2: Reg, ord: Ordering, asm: (n: string) => string): Inst {
  const aq = ord.aq ? 1 : 0;
  const rl = ord.rl ? 1 : 0;
  const suffix = aq && rl ? '.aqrl' : aq ? '.aq' : rl ? '.rl' : '';
  const f3 = w === 'w' ? 2 : 3;
  return w32(
    (f5 << 27) | (aq << 26) | (rl << 25) | (reg(rs2) << 20) | (reg(rs1) << 15) | (f3 << 12) | (reg(rd) << 7) | 0x2f,
    asm(`${name}.${w}${suffix}`),
  );
}

export const lr = (w: Width, rd: Reg, rs1: Reg, ord: Ordering = {}) =>
  amoEnc(0x02, 'lr', w, rd, rs1, 0, ord, (n) => `${n} ${x(rd)}, (${x(rs1)})`);
export const sc = (w: Width, rd: Reg, rs2: Reg, rs1: Reg, ord: Ordering = {}) =>
  amoEnc(0x03, 'sc', w, rd, rs1, rs2, ord, (n) => `${n} ${x(rd)}, ${x(rs2)}, (${x(rs1)})`);

export const AMO_OPS = {
  amoswap: 0x01,
  amoadd: 0x00,
  amoxor: 0x04,
  amoand: 0x0c,
  amoor: 0x08,
  amomin: 0x10,
  amomax: 0x14,
  amominu: 0x18,
  amomaxu: 0x1c,
} as const;
export type AmoOp = keyof typeof AMO_OPS;

/** amo<op>.<w> rd, rs2, (rs1) */
export const amo = (name: AmoOp, w: Width, rd: Reg, rs2: Reg, rs1: Reg, ord: Ordering = {}) =>
  amoEnc(AMO_OPS[name], name, w, rd, rs1, rs2, ord, (n) => `${n} ${x(rd)}, ${x(rs2)}, (${x(rs1)})`);

// ---- Zicsr ------------------------------------------------------------------------------

const csrName = (c: number) => hex(c);
const csrR = (name: string, f3: number) => (rd: Reg, csr: number, rs1: Reg) =>
  w32(
    (uimm(csr, 12, 'csr') << 20) | (reg(rs1) << 15) | (f3 << 12) | (reg(rd) << 7) | 0x73,
    `${name} ${x(rd)}, ${csrName(csr)}, ${x(rs1)}`,
  );
const csrI = (name: string, f3: number) => (rd: Reg, csr: number, zimm: number) =>
  w32(
    (uimm(csr, 12, 'csr') << 20) | (uimm(zimm, 5, 'csr immediate') << 15) | (f3 << 12) | (reg(rd) << 7) | 0x73,
    `${name} ${x(rd)}, ${csrName(csr)}, ${zimm}`,
  );
export const csrrw = csrR('csrrw', 1);
export const csrrs = csrR('csrrs', 2);
export const csrrc = csrR('csrrc', 3);
export const csrrwi = csrI('csrrwi', 5);
export const csrrsi = csrI('csrrsi', 6);
export const csrrci = csrI('csrrci', 7);

// ---- F and D ----------------------------------------------------------------------------

export type Fmt = 's' | 'd';
const fmtBit = (t: Fmt) => (t === 's' ? 0 : 1);
const rmText = (rm: number) => (RM_NAMES[rm] === '' ? '' : `, ${RM_NAMES[rm]}`);
/** Exact conversions: binutils 2.40 takes no rounding mode for them and encodes rne. */
const exactRmText = (rm: number) => (rm === Rm.rne ? '' : rmText(rm));

function opFp(f5: number, t: Fmt, f3: number, rd: Reg, rs1: Reg, rs2: Reg, asm: string): Inst {
  return rType(0x53, f3, (f5 << 2) | fmtBit(t), rd, rs1, rs2, asm);
}

/**
 * Arithmetic with a rounding mode. rm 5 and 6 are reserved (an illegal instruction);
 * they are encodable here so that tests can check that, and print as `.word`.
 */
function withRm(inst: Inst, rm: number): Inst {
  return rm === 5 || rm === 6 ? word(inst.bits) : inst;
}

const fArith = (name: string, f5: number) => (t: Fmt, rd: Reg, rs1: Reg, rs2: Reg, rm: number = Rm.dyn) =>
  withRm(opFp(f5, t, rmField(rm), rd, rs1, rs2, `${name}.${t} ${f(rd)}, ${f(rs1)}, ${f(rs2)}${rmText(rm)}`), rm);
export const fadd = fArith('fadd', 0x00);
export const fsub = fArith('fsub', 0x01);
export const fmul = fArith('fmul', 0x02);
export const fdiv = fArith('fdiv', 0x03);
export const fsqrt = (t: Fmt, rd: Reg, rs1: Reg, rm: number = Rm.dyn) =>
  withRm(opFp(0x0b, t, rmField(rm), rd, rs1, 0, `fsqrt.${t} ${f(rd)}, ${f(rs1)}${rmText(rm)}`), rm);

const fFixed = (name: string, f5: number, f3: number) => (t: Fmt, rd: Reg, rs1: Reg, rs2: Reg) =>
  opFp(f5, t, f3, rd, rs1, rs2, `${name}.${t} ${f(rd)}, ${f(rs1)}, ${f(rs2)}`);
export const fsgnj = fFixed('fsgnj', 0x04, 0);
export const fsgnjn = fFixed('fsgnjn', 0x04, 1);
export const fsgnjx = fFixed('fsgnjx', 0x04, 2);
export const fmin = fFixed('fmin', 0x05, 0);
export const fmax = fFixed('fmax', 0x05, 1);

const fCmp = (name: string, f3: number) => (t: Fmt, rd: Reg, rs1: Reg, rs2: Reg) =>
  opFp(0x14, t, f3, rd, rs1, rs2, `${name}.${t} ${x(rd)}, ${f(rs1)}, ${f(rs2)}`);
export const feq = fCmp('feq', 2);
export const flt = fCmp('flt', 1);
export const fle = fCmp('fle', 0);

export const fclass = (t: Fmt, rd: Reg, rs1: Reg) => opFp(0x1c, t, 1, rd, rs1, 0, `fclass.${t} ${x(rd)}, ${f(rs1)}`);
export const fmvXW = (rd: Reg, rs1: Reg) => opFp(0x1c, 's', 0, rd, rs1, 0, `fmv.x.w ${x(rd)}, ${f(rs1)}`);
export const fmvXD = (rd: Reg, rs1: Reg) => opFp(0x1c, 'd', 0, rd, rs1, 0, `fmv.x.d ${x(rd)}, ${f(rs1)}`);
export const fmvWX = (rd: Reg, rs1: Reg) => opFp(0x1e, 's', 0, rd, rs1, 0, `fmv.w.x ${f(rd)}, ${x(rs1)}`);
export const fmvDX = (rd: Reg, rs1: Reg) => opFp(0x1e, 'd', 0, rd, rs1, 0, `fmv.d.x ${f(rd)}, ${x(rs1)}`);

/** Integer formats of fcvt, with their rs2 selector. */
export const IntFmt = { w: 0, wu: 1, l: 2, lu: 3 } as const;
export type IntFmtName = keyof typeof IntFmt;

/** fcvt.<int>.<t> rd(x), rs1(f) */
export const fcvtToInt = (i: IntFmtName, t: Fmt, rd: Reg, rs1: Reg, rm: number = Rm.dyn) =>
  withRm(opFp(0x18, t, rmField(rm), rd, rs1, IntFmt[i], `fcvt.${i}.${t} ${x(rd)}, ${f(rs1)}${rmText(rm)}`), rm);
/** fcvt.<t>.<int> rd(f), rs1(x) */
export function fcvtFromInt(t: Fmt, i: IntFmtName, rd: Reg, rs1: Reg, rm: number = t === 'd' && (i === 'w' || i === 'wu') ? Rm.rne : Rm.dyn): Inst {
  const rmt = t === 'd' && (i === 'w' || i === 'wu') ? exactRmText(rm) : rmText(rm);
  return withRm(opFp(0x1a, t, rmField(rm), rd, rs1, IntFmt[i], `fcvt.${t}.${i} ${f(rd)}, ${x(rs1)}${rmt}`), rm);
}
/** fcvt.s.d */
export const fcvtSD = (rd: Reg, rs1: Reg, rm: number = Rm.dyn) =>
  withRm(opFp(0x08, 's', rmField(rm), rd, rs1, 1, `fcvt.s.d ${f(rd)}, ${f(rs1)}${rmText(rm)}`), rm);
/** fcvt.d.s (exact, so rne by default like the assembler). */
export const fcvtDS = (rd: Reg, rs1: Reg, rm: number = Rm.rne) =>
  withRm(opFp(0x08, 'd', rmField(rm), rd, rs1, 0, `fcvt.d.s ${f(rd)}, ${f(rs1)}${exactRmText(rm)}`), rm);

const fma = (name: string, opc: number) => (t: Fmt, rd: Reg, rs1: Reg, rs2: Reg, rs3: Reg, rm: number = Rm.dyn) =>
  withRm(
    w32(
      (reg(rs3) << 27) | (fmtBit(t) << 25) | (reg(rs2) << 20) | (reg(rs1) << 15) | (rmField(rm) << 12) |
        (reg(rd) << 7) | opc,
      `${name}.${t} ${f(rd)}, ${f(rs1)}, ${f(rs2)}, ${f(rs3)}${rmText(rm)}`,
    ),
    rm,
  );
export const fmadd = fma('fmadd', 0x43);
export const fmsub = fma('fmsub', 0x47);
export const fnmsub = fma('fnmsub', 0x4b);
export const fnmadd = fma('fnmadd', 0x4f);

// ---- C (RV64C) --------------------------------------------------------------------------

function c16(bits: number, asm: string): Inst {
  return { bits: bits & 0xffff, size: 2, asm };
}

/** A register of the compressed 3-bit set x8..x15 (or f8..f15), as its 3-bit field. */
function creg(r: Reg): number {
  if (!Number.isInteger(r) || r < 8 || r > 15) throw new RangeError(`register ${r} is not one of 8..15 (compressed set)`);
  return r - 8;
}
function nz(r: Reg, what: string): number {
  if (reg(r) === 0) throw new RangeError(`${what} must not be x0`);
  return r;
}

export function cAddi4spn(rd: Reg, nzuimm: number): Inst {
  uimm(nzuimm, 10, 'c.addi4spn immediate', 4);
  if (nzuimm === 0) throw new RangeError('c.addi4spn immediate must not be 0 (reserved)');
  const i = nzuimm;
  return c16(
    (bits(i, 5, 4) << 11) | (bits(i, 9, 6) << 7) | (bits(i, 2, 2) << 6) | (bits(i, 3, 3) << 5) | (creg(rd) << 2),
    `c.addi4spn ${x(rd)}, x2, ${i}`,
  );
}

// Loads/stores with a 3-bit register base: word scale (lw/sw) or double scale (ld/sd/fld/fsd).
function cMemW(f3: number, name: string, r: Reg, rs1: Reg, off: number, fr: boolean): Inst {
  const i = uimm(off, 7, `${name} offset`, 4);
  return c16(
    (f3 << 13) | (bits(i, 5, 3) << 10) | (creg(rs1) << 7) | (bits(i, 2, 2) << 6) | (bits(i, 6, 6) << 5) | (creg(r) << 2),
    `${name} ${fr ? f(r) : x(r)}, ${off}(${x(rs1)})`,
  );
}
function cMemD(f3: number, name: string, r: Reg, rs1: Reg, off: number, fr: boolean): Inst {
  const i = uimm(off, 8, `${name} offset`, 8);
  return c16(
    (f3 << 13) | (bits(i, 5, 3) << 10) | (creg(rs1) << 7) | (bits(i, 7, 6) << 5) | (creg(r) << 2),
    `${name} ${fr ? f(r) : x(r)}, ${off}(${x(rs1)})`,
  );
}
export const cFld = (rd: Reg, rs1: Reg, off: number) => cMemD(1, 'c.fld', rd, rs1, off, true);
export const cLw = (rd: Reg, rs1: Reg, off: number) => cMemW(2, 'c.lw', rd, rs1, off, false);
export const cLd = (rd: Reg, rs1: Reg, off: number) => cMemD(3, 'c.ld', rd, rs1, off, false);
export const cFsd = (rs2: Reg, rs1: Reg, off: number) => cMemD(5, 'c.fsd', rs2, rs1, off, true);
export const cSw = (rs2: Reg, rs1: Reg, off: number) => cMemW(6, 'c.sw', rs2, rs1, off, false);
export const cSd = (rs2: Reg, rs1: Reg, off: number) => cMemD(7, 'c.sd', rs2, rs1, off, false);

/** CI format with a 6-bit signed immediate. */
function ci(f3: number, rd: Reg, imm: number, op: number, asm: string): Inst {
  const i = simm(imm, 6, 'compressed immediate') & 0x3f;
  return c16((f3 << 13) | (bits(i, 5, 5) << 12) | (reg(rd) << 7) | (bits(i, 4, 0) << 2) | op, asm);
}
export const cNop = () => c16(0x0001, 'c.nop');
export const cAddi = (rd: Reg, imm: number) => {
  if (imm === 0) throw new RangeError('c.addi immediate must not be 0 (a hint)');
  return ci(0, nz(rd, 'c.addi rd'), imm, 1, `c.addi ${x(rd)}, ${imm}`);
};
export const cAddiw = (rd: Reg, imm: number) => ci(1, nz(rd, 'c.addiw rd'), imm, 1, `c.addiw ${x(rd)}, ${imm}`);
export const cLi = (rd: Reg, imm: number) => ci(2, nz(rd, 'c.li rd'), imm, 1, `c.li ${x(rd)}, ${imm}`);

export function cAddi16sp(nzimm: number): Inst {
  const i = simm(nzimm, 10, 'c.addi16sp immediate', 16) & 0x3ff;
  if (nzimm === 0) throw new RangeError('c.addi16sp immediate must not be 0 (reserved)');
  return c16(
    (3 << 13) | (bits(i, 9, 9) << 12) | (2 << 7) | (bits(i, 4, 4) << 6) | (bits(i, 6, 6) << 5) | (bits(i, 8, 7) << 3) |
      (bits(i, 5, 5) << 2) | 1,
    `c.addi16sp x2, ${nzimm}`,
  );
}

/** c.lui rd, imm6: rd = sext(imm6) << 12, imm6 in -32..31, nonzero; rd not x0 or x2. */
export function cLui(rd: Reg, imm6: number): Inst {
  if (imm6 === 0) throw new RangeError('c.lui immediate must not be 0 (reserved)');
  if (rd === 2) throw new RangeError('c.lui rd must not be x2 (that encoding is c.addi16sp)');
  return ci(3, nz(rd, 'c.lui rd'), imm6, 1, `c.lui ${x(rd)}, ${hex(imm6 & 0xfffff)}`);
}

function cShift(f2: number, name: string, rd: Reg, sh: number): Inst {
  uimm(sh, 6, `${name} shift amount`);
  if (sh === 0) throw new RangeError(`${name} shift amount must not be 0 (a hint)`);
  return c16((4 << 13) | (bits(sh, 5, 5) << 12) | (f2 << 10) | (creg(rd) << 7) | (bits(sh, 4, 0) << 2) | 1, `${name} ${x(rd)}, ${sh}`);
}
export const cSrli = (rd: Reg, sh: number) => cShift(0, 'c.srli', rd, sh);
export const cSrai = (rd: Reg, sh: number) => cShift(1, 'c.srai', rd, sh);
export function cAndi(rd: Reg, imm: number): Inst {
  const i = simm(imm, 6, 'c.andi immediate') & 0x3f;
  return c16((4 << 13) | (bits(i, 5, 5) << 12) | (2 << 10) | (creg(rd) << 7) | (bits(i, 4, 0) << 2) | 1, `c.andi ${x(rd)}, ${imm}`);
}

const ca = (name: string, b12: number, f2: number) => (rd: Reg, rs2: Reg) =>
  c16((4 << 13) | (b12 << 12) | (3 << 10) | (creg(rd) << 7) | (f2 << 5) | (creg(rs2) << 2) | 1, `${name} ${x(rd)}, ${x(rs2)}`);
export const cSub = ca('c.sub', 0, 0);
export const cXor = ca('c.xor', 0, 1);
export const cOr = ca('c.or', 0, 2);
export const cAnd = ca('c.and', 0, 3);
export const cSubw = ca('c.subw', 1, 0);
export const cAddw = ca('c.addw', 1, 1);

export function cJ(off: number): Inst {
  const i = simm(off, 12, 'c.j offset', 2) & 0xfff;
  return c16(
    (5 << 13) | (bits(i, 11, 11) << 12) | (bits(i, 4, 4) << 11) | (bits(i, 9, 8) << 9) | (bits(i, 10, 10) << 8) |
      (bits(i, 6, 6) << 7) | (bits(i, 7, 7) << 6) | (bits(i, 3, 1) << 3) | (bits(i, 5, 5) << 2) | 1,
    `c.j ${rel(off)}`,
  );
}
const cb = (name: string, f3: number) => (rs1: Reg, off: number) => {
  const i = simm(off, 9, `${name} offset`, 2) & 0x1ff;
  return c16(
    (f3 << 13) | (bits(i, 8, 8) << 12) | (bits(i, 4, 3) << 10) | (creg(rs1) << 7) | (bits(i, 7, 6) << 5) |
      (bits(i, 2, 1) << 3) | (bits(i, 5, 5) << 2) | 1,
    `${name} ${x(rs1)}, ${rel(off)}`,
  );
};
export const cBeqz = cb('c.beqz', 6);
export const cBnez = cb('c.bnez', 7);

export function cSlli(rd: Reg, sh: number): Inst {
  uimm(sh, 6, 'c.slli shift amount');
  if (sh === 0) throw new RangeError('c.slli shift amount must not be 0 (a hint)');
  return c16((bits(sh, 5, 5) << 12) | (nz(rd, 'c.slli rd') << 7) | (bits(sh, 4, 0) << 2) | 2, `c.slli ${x(rd)}, ${sh}`);
}
export function cLwsp(rd: Reg, off: number): Inst {
  const i = uimm(off, 8, 'c.lwsp offset', 4);
  return c16((2 << 13) | (bits(i, 5, 5) << 12) | (nz(rd, 'c.lwsp rd') << 7) | (bits(i, 4, 2) << 4) | (bits(i, 7, 6) << 2) | 2, `c.lwsp ${x(rd)}, ${off}(x2)`);
}
function cLdspLike(f3: number, name: string, rd: Reg, off: number, fr: boolean): Inst {
  const i = uimm(off, 9, `${name} offset`, 8);
  return c16((f3 << 13) | (bits(i, 5, 5) << 12) | (reg(rd) << 7) | (bits(i, 4, 3) << 5) | (bits(i, 8, 6) << 2) | 2, `${name} ${fr ? f(rd) : x(rd)}, ${off}(x2)`);
}
export const cFldsp = (rd: Reg, off: number) => cLdspLike(1, 'c.fldsp', rd, off, true);
export const cLdsp = (rd: Reg, off: number) => cLdspLike(3, 'c.ldsp', nz(rd, 'c.ldsp rd'), off, false);

export const cJr = (rs1: Reg) => c16((4 << 13) | (nz(rs1, 'c.jr rs1') << 7) | 2, `c.jr ${x(rs1)}`);
export const cMv = (rd: Reg, rs2: Reg) => c16((4 << 13) | (nz(rd, 'c.mv rd') << 7) | (nz(rs2, 'c.mv rs2') << 2) | 2, `c.mv ${x(rd)}, ${x(rs2)}`);
export const cEbreak = () => c16(0x9002, 'c.ebreak');
export const cJalr = (rs1: Reg) => c16((4 << 13) | (1 << 12) | (nz(rs1, 'c.jalr rs1') << 7) | 2, `c.jalr ${x(rs1)}`);
export const cAdd = (rd: Reg, rs2: Reg) =>
  c16((4 << 13) | (1 << 12) | (nz(rd, 'c.add rd') << 7) | (nz(rs2, 'c.add rs2') << 2) | 2, `c.add ${x(rd)}, ${x(rs2)}`);

function cSspLike(f3: number, name: string, rs2: Reg, off: number, fr: boolean, scale: 4 | 8): Inst {
  const i = uimm(off, scale === 4 ? 8 : 9, `${name} offset`, scale);
  const field = scale === 4 ? (bits(i, 5, 2) << 9) | (bits(i, 7, 6) << 7) : (bits(i, 5, 3) << 10) | (bits(i, 8, 6) << 7);
  return c16((f3 << 13) | field | (reg(rs2) << 2) | 2, `${name} ${fr ? f(rs2) : x(rs2)}, ${off}(x2)`);
}
export const cFsdsp = (rs2: Reg, off: number) => cSspLike(5, 'c.fsdsp', rs2, off, true, 8);
export const cSwsp = (rs2: Reg, off: number) => cSspLike(6, 'c.swsp', rs2, off, false, 4);
export const cSdsp = (rs2: Reg, off: number) => cSspLike(7, 'c.sdsp', rs2, off, false, 8);

// ---- pseudo-instructions ----------------------------------------------------------------

/**
 * Load a 64-bit constant into rd (signed or unsigned input, taken mod 2^64), with the
 * lui/addiw/slli/addi recursion that LLVM's RISCVMatInt uses.
 */
export function li(rd: Reg, value: bigint): Inst[] {
  reg(rd);
  const out: Inst[] = [];
  liInto(rd, BigInt.asIntN(64, value), out);
  return out;
}

function liInto(rd: Reg, v: bigint, out: Inst[]): void {
  if (v === BigInt.asIntN(32, v)) {
    const hi20 = Number(BigInt.asUintN(20, (v + 0x800n) >> 12n));
    const lo12 = Number(BigInt.asIntN(12, v));
    if (hi20 !== 0) out.push(lui(rd, hi20));
    if (lo12 !== 0 || hi20 === 0) out.push(hi20 !== 0 ? addiw(rd, rd, lo12) : addi(rd, 0, lo12));
    return;
  }
  const lo12 = BigInt.asIntN(12, v);
  // The upper part rounds up when lo12 is negative; its trailing zeros fold into the shift.
  let hi = (v - lo12) >> 12n;
  let shift = 12;
  while ((hi & 1n) === 0n) {
    hi >>= 1n;
    shift++;
  }
  liInto(rd, hi, out);
  out.push(slli(rd, rd, shift));
  if (lo12 !== 0n) out.push(addi(rd, rd, Number(lo12)));
}

export const nop = () => addi(0, 0, 0);
export const mv = (rd: Reg, rs: Reg) => addi(rd, rs, 0);

// ---- output -----------------------------------------------------------------------------

/** Little-endian machine code of a sequence (instructions may be nested arrays, e.g. from li). */
export function assemble(insts: readonly (Inst | readonly Inst[])[]): Uint8Array {
  const flat = insts.flat();
  const out = new Uint8Array(flat.reduce((n, i) => n + i.size, 0));
  let p = 0;
  for (const i of flat) {
    out[p++] = i.bits & 0xff;
    out[p++] = (i.bits >>> 8) & 0xff;
    if (i.size === 4) {
      out[p++] = (i.bits >>> 16) & 0xff;
      out[p++] = (i.bits >>> 24) & 0xff;
    }
  }
  return out;
}

/** Assembly listing, one instruction a line. */
export function listing(insts: readonly (Inst | readonly Inst[])[]): string {
  return insts
    .flat()
    .map((i) => i.asm)
    .join('\n');
}
