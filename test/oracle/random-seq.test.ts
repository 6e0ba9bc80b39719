// The headline CPU property: random straight-line sequences of RV64 integer, M, A, F, D,
// Zicsr and C instructions end in the same registers, fcsr and memory under procsim as
// under qemu-riscv64.
//
// Each sequence is wrapped in a tiny static ELF: a prologue loads every x and f register
// and fcsr from the data segment, the sequence runs, and an epilogue stores every x
// register, every f register (raw bits), fcsr and the scratch memory the sequence may
// touch, then write(1, ...) and exit_group(0). Both sides' output and exit status are
// compared byte for byte; a failure shrinks to a minimal sequence printed as assembly.
// Runs: PROCSIM_RUNS (default 150).

import { afterAll, expect, it } from 'vitest';
import fc from 'fast-check';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { oracleSuite } from '../support/oracle.ts';
import { runQemu as runOnQemu } from '../support/real-linux.ts';
import * as A from '../support/rv-asm.ts';
import { DATA_ADDR, tinyElf } from '../support/tiny-elf.ts';
import { runProgram } from '../../src/process/run.ts';

const RUNS = Number(process.env.PROCSIM_RUNS ?? 150);

// ---- data segment layout (offsets from DATA_ADDR, all within reach of a 12-bit offset) ----
const IN_X = 0x000;
const IN_F = 0x100;
const IN_FCSR = 0x200;
const OUT = 0x400;
const OUT_X = OUT;
const OUT_F = OUT + 0x100;
const OUT_FCSR = OUT + 0x200;
const MEM = OUT + 0x208; // scratch memory for loads, stores and AMOs, dumped with the registers
const MEM_SIZE = 0x100;
const DUMP_LEN = MEM + MEM_SIZE - OUT;
const DATA_SIZE = OUT + DUMP_LEN;

// ---- registers ---------------------------------------------------------------------------
const BASE = 31; // points at DATA_ADDR throughout
const SCRATCH = 30; // address register of AMOs and LR/SC
/** Registers the sequence may use: everything but sp, gp, tp (set by the loader) and the two above. */
const POOL = [0, 1, ...Array.from({ length: 25 }, (_, i) => i + 5)];
const DUMPED = [1, ...Array.from({ length: 26 }, (_, i) => i + 5)]; // x1, x5..x30 (x31 is the base)

// ---- generated cases ---------------------------------------------------------------------
interface Case {
  steps: A.Inst[][];
  x: bigint[]; // initial x registers, indexed by register number
  f: bigint[];
  fcsr: number;
  mem: Uint8Array;
}

const M64 = (1n << 64n) - 1n;
const dv = new DataView(new ArrayBuffer(8));
const f32bits = (v: number) => (dv.setFloat32(0, v, true), BigInt(dv.getUint32(0, true)));
const f64bits = (v: number) => (dv.setFloat64(0, v, true), dv.getBigUint64(0, true));
const BOX = 0xffff_ffff_0000_0000n;

const xValue = fc.oneof(
  fc.bigInt({ min: 0n, max: M64 }),
  fc.constantFrom(0n, 1n, M64, 1n << 63n, (1n << 63n) - 1n, 0x8000_0000n, 0x7fff_ffffn, 0xffff_ffffn, 0xffff_ffff_8000_0000n),
  fc.integer({ min: -100, max: 100 }).map((v) => BigInt.asUintN(64, BigInt(v))),
  fc.double().map(f64bits), // so fmv.d.x and friends see real numbers
  fc.float().map(f32bits),
);
const fValue = fc.oneof(
  fc.float().map((v) => BOX | f32bits(v)),
  fc.double().map(f64bits),
  fc.integer({ min: -20, max: 20 }).map((v) => BOX | f32bits(v / 4)),
  fc.integer({ min: -20, max: 20 }).map((v) => f64bits(v / 4)),
  fc.constantFrom(
    BOX | 0x7fc0_0000n, BOX | 0x7f80_0001n, BOX | 0xffc1_2345n, 0x7ff8_0000_0000_0000n, 0x7ff0_0000_0000_0001n,
    0xfff8_dead_beef_0001n, 0x0000_0000_3f80_0000n, BOX | 0x0000_0001n, 0x0000_0000_0000_0001n, BOX | 0x7f7f_ffffn,
  ),
  fc.bigInt({ min: 0n, max: M64 }),
);

const xr = fc.constantFrom(...POOL);
const xrNz = fc.constantFrom(...POOL.filter((r) => r !== 0));
const xc = fc.integer({ min: 8, max: 15 }); // compressed register set (all in the pool)
const fr = fc.integer({ min: 0, max: 31 });
const rm = fc.constantFrom(0, 1, 2, 3, 4, 7);
const fmt = fc.constantFrom<A.Fmt>('s', 'd');
const imm12 = fc.integer({ min: -2048, max: 2047 });
const imm6 = fc.integer({ min: -32, max: 31 });
const one = (a: fc.Arbitrary<A.Inst>) => a.map((i) => [i]);
const pick = <T extends unknown[]>(...fs: ((...a: T) => A.Inst)[]) => fc.constantFrom(...fs);

const intR = one(
  fc.tuple(pick(A.add, A.sub, A.sll, A.slt, A.sltu, A.xor, A.srl, A.sra, A.or, A.and, A.addw, A.subw, A.sllw, A.srlw, A.sraw), xr, xr, xr).map(
    ([g, d, a, b]) => g(d, a, b),
  ),
);
const mulDiv = one(
  fc.tuple(pick(A.mul, A.mulh, A.mulhsu, A.mulhu, A.div, A.divu, A.rem, A.remu, A.mulw, A.divw, A.divuw, A.remw, A.remuw), xr, xr, xr).map(
    ([g, d, a, b]) => g(d, a, b),
  ),
);
const intI = one(
  fc.oneof(
    fc.tuple(pick(A.addi, A.slti, A.sltiu, A.xori, A.ori, A.andi, A.addiw), xr, xr, imm12).map(([g, d, a, i]) => g(d, a, i)),
    fc.tuple(pick(A.slli, A.srli, A.srai), xr, xr, fc.integer({ min: 0, max: 63 })).map(([g, d, a, s]) => g(d, a, s)),
    fc.tuple(pick(A.slliw, A.srliw, A.sraiw), xr, xr, fc.integer({ min: 0, max: 31 })).map(([g, d, a, s]) => g(d, a, s)),
    fc.tuple(pick(A.lui, A.auipc), xr, fc.integer({ min: 0, max: 0xfffff })).map(([g, d, i]) => g(d, i)),
  ),
);
/** Any offset into the scratch memory that fits an access of `size` bytes (misaligned included). */
const memOff = (size: number) => fc.integer({ min: 0, max: MEM_SIZE - size }).map((k) => MEM + k);
const loadStore = one(
  fc.oneof(
    fc.tuple(fc.constantFrom<[typeof A.lb, number]>([A.lb, 1], [A.lbu, 1], [A.lh, 2], [A.lhu, 2], [A.lw, 4], [A.lwu, 4], [A.ld, 8]), xr).chain(
      ([[g, size], d]) => memOff(size).map((o) => g(d, BASE, o)),
    ),
    fc.tuple(fc.constantFrom<[typeof A.sb, number]>([A.sb, 1], [A.sh, 2], [A.sw, 4], [A.sd, 8]), xr).chain(([[g, size], s]) =>
      memOff(size).map((o) => g(s, BASE, o)),
    ),
    fc.tuple(fc.constantFrom<[typeof A.flw, number]>([A.flw, 4], [A.fld, 8], [A.fsw, 4], [A.fsd, 8]), fr).chain(([[g, size], r]) =>
      memOff(size).map((o) => g(r, BASE, o)),
    ),
  ),
);
const ordering = fc.record({ aq: fc.boolean(), rl: fc.boolean() });
const width = fc.constantFrom<A.Width>('w', 'd');
/** SCRATCH = an aligned address in the scratch memory. */
const amoAddr = (w: A.Width) =>
  fc.integer({ min: 0, max: MEM_SIZE / 8 - 1 }).chain((k) => fc.constantFrom(0, w === 'w' ? 4 : 0).map((h) => A.addi(SCRATCH, BASE, MEM + 8 * k + h)));
const atomic = fc.oneof(
  fc.tuple(width, fc.constantFrom(...(Object.keys(A.AMO_OPS) as A.AmoOp[])), xr, xr, ordering).chain(([w, op, d, s, o]) =>
    amoAddr(w).map((addr) => [addr, A.amo(op, w, d, s, SCRATCH, o)]),
  ),
  // LR/SC back to back: the one case where the ISA guarantees the SC succeeds.
  fc.tuple(width, xr, xr, xr, ordering, ordering).chain(([w, d1, d2, s, o1, o2]) =>
    amoAddr(w).map((addr) => [addr, A.lr(w, d1, SCRATCH, o1), A.sc(w, d2, s, SCRATCH, o2)]),
  ),
  // An SC with no reservation (every earlier LR was consumed by its SC) must fail.
  fc.tuple(width, xr, xr).chain(([w, d, s]) => amoAddr(w).map((addr) => [addr, A.sc(w, d, s, SCRATCH)])),
);

const fpArith = one(
  fc.oneof(
    fc.tuple(pick(A.fadd, A.fsub, A.fmul, A.fdiv), fmt, fr, fr, fr, rm).map(([g, t, d, a, b, m]) => g(t, d, a, b, m)),
    fc.tuple(fmt, fr, fr, rm).map(([t, d, a, m]) => A.fsqrt(t, d, a, m)),
    fc.tuple(pick(A.fmadd, A.fmsub, A.fnmsub, A.fnmadd), fmt, fr, fr, fr, fr, rm).map(([g, t, d, a, b, c, m]) => g(t, d, a, b, c, m)),
    fc.tuple(pick(A.fsgnj, A.fsgnjn, A.fsgnjx, A.fmin, A.fmax), fmt, fr, fr, fr).map(([g, t, d, a, b]) => g(t, d, a, b)),
  ),
);
const fpInt = one(
  fc.oneof(
    fc.tuple(pick(A.feq, A.flt, A.fle), fmt, xr, fr, fr).map(([g, t, d, a, b]) => g(t, d, a, b)),
    fc.tuple(fmt, xr, fr).map(([t, d, a]) => A.fclass(t, d, a)),
    fc.tuple(pick(A.fmvXW, A.fmvXD), xr, fr).map(([g, d, a]) => g(d, a)),
    fc.tuple(pick(A.fmvWX, A.fmvDX), fr, xr).map(([g, d, a]) => g(d, a)),
    fc.tuple(fc.constantFrom<A.IntFmtName>('w', 'wu', 'l', 'lu'), fmt, xr, fr, rm).map(([i, t, d, a, m]) => A.fcvtToInt(i, t, d, a, m)),
    fc.tuple(fmt, fc.constantFrom<A.IntFmtName>('w', 'wu', 'l', 'lu'), fr, xr, rm).map(([t, i, d, a, m]) => A.fcvtFromInt(t, i, d, a, m)),
    fc.tuple(fr, fr, rm).map(([d, a, m]) => A.fcvtSD(d, a, m)),
    fc.tuple(fr, fr, rm).map(([d, a, m]) => A.fcvtDS(d, a, m)),
  ),
);
const { fflags: FFLAGS, frm: FRM, fcsr: FCSR } = A.CSR;
// CSR accesses that keep frm valid (a dynamic rounding mode with frm 5..7 is illegal).
const csr = one(
  fc.oneof(
    fc.tuple(xr, fc.constantFrom(FFLAGS, FRM, FCSR)).map(([d, c]) => A.csrrs(d, c, 0)),
    fc.tuple(pick(A.csrrw, A.csrrs, A.csrrc), xr, xr).map(([g, d, s]) => g(d, FFLAGS, s)),
    fc.tuple(xr, fc.integer({ min: 0, max: 4 })).map(([d, v]) => A.csrrwi(d, FRM, v)),
    fc.tuple(xr, fc.integer({ min: 0, max: 7 })).map(([d, v]) => A.csrrci(d, FRM, v)),
    // A 5-bit immediate only reaches fflags (and frm = 0 for csrrwi fcsr).
    fc.tuple(pick(A.csrrwi, A.csrrsi, A.csrrci), xr, fc.constantFrom(FFLAGS, FCSR), fc.integer({ min: 0, max: 31 })).map(([g, d, c, v]) => g(d, c, v)),
  ),
);
const compressed = one(
  fc.oneof(
    fc.tuple(xrNz, imm6.filter((v) => v !== 0)).map(([d, i]) => A.cAddi(d, i)),
    fc.tuple(pick(A.cAddiw, A.cLi), xrNz, imm6).map(([g, d, i]) => g(d, i)),
    fc.tuple(xrNz.filter((r) => r !== 2), imm6.filter((v) => v !== 0)).map(([d, i]) => A.cLui(d, i)),
    fc.tuple(pick(A.cSrli, A.cSrai, A.cSlli), xc, fc.integer({ min: 1, max: 63 })).map(([g, d, s]) => g(d, s)),
    fc.tuple(xc, imm6).map(([d, i]) => A.cAndi(d, i)),
    fc.tuple(pick(A.cSub, A.cXor, A.cOr, A.cAnd, A.cSubw, A.cAddw), xc, xc).map(([g, d, s]) => g(d, s)),
    fc.tuple(pick(A.cMv, A.cAdd), xrNz, xrNz).map(([g, d, s]) => g(d, s)),
  ),
);
/** A conditional branch over one instruction: both outcomes leave a visible trace. */
const branchOver = fc.oneof(
  fc.tuple(pick(A.beq, A.bne, A.blt, A.bge, A.bltu, A.bgeu), xr, xr, intR).map(([g, a, b, [skipped]]) => [g(a, b, 8), skipped]),
  fc.tuple(pick(A.cBeqz, A.cBnez), xc, xc, imm6).map(([g, a, d, i]) => [g(a, 4), A.cLi(d, i)]),
);

const step: fc.Arbitrary<A.Inst[]> = fc.oneof(
  { weight: 3, arbitrary: intR },
  { weight: 3, arbitrary: intI },
  { weight: 3, arbitrary: mulDiv },
  { weight: 2, arbitrary: loadStore },
  { weight: 2, arbitrary: atomic },
  { weight: 5, arbitrary: fpArith },
  { weight: 4, arbitrary: fpInt },
  { weight: 1, arbitrary: csr },
  { weight: 2, arbitrary: compressed },
  { weight: 1, arbitrary: branchOver },
);

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    steps: fc.array(step, { minLength: 1, maxLength: 40 }),
    x: fc.array(xValue, { minLength: 32, maxLength: 32 }),
    f: fc.array(fValue, { minLength: 32, maxLength: 32 }),
    frm: fc.integer({ min: 0, max: 4 }),
    fflags: fc.integer({ min: 0, max: 31 }),
    mem: fc.uint8Array({ minLength: MEM_SIZE, maxLength: MEM_SIZE }),
  })
  .map(({ frm, fflags, ...c }) => {
    const k: Case = { ...c, fcsr: (frm << 5) | fflags };
    // fast-check prints counterexamples with this: the program as assembly.
    return Object.assign(k, { [fc.toStringMethod]: () => describeCase(k) });
  });

// ---- the program ---------------------------------------------------------------------------

function prologue(): A.Inst[] {
  const out: A.Inst[] = [...A.li(BASE, BigInt(DATA_ADDR))];
  out.push(A.ld(SCRATCH, BASE, IN_FCSR), A.csrrw(0, FCSR, SCRATCH));
  for (const r of DUMPED) out.push(A.ld(r, BASE, IN_X + 8 * r));
  for (let r = 0; r < 32; r++) out.push(A.fld(r, BASE, IN_F + 8 * r));
  return out;
}

function epilogue(): A.Inst[] {
  const out: A.Inst[] = [];
  for (const r of DUMPED) out.push(A.sd(r, BASE, OUT_X + 8 * r));
  for (let r = 0; r < 32; r++) out.push(A.fsd(r, BASE, OUT_F + 8 * r));
  out.push(A.csrrs(SCRATCH, FCSR, 0), A.sd(SCRATCH, BASE, OUT_FCSR));
  out.push(A.addi(10, 0, 1), A.addi(11, BASE, OUT), A.addi(12, 0, DUMP_LEN), A.addi(17, 0, 64), A.ecall()); // write
  out.push(A.addi(10, 0, 0), A.addi(17, 0, 94), A.ecall()); // exit_group
  return out;
}

function buildElf(c: Case): Uint8Array {
  const data = new Uint8Array(DATA_SIZE);
  const d = new DataView(data.buffer);
  c.x.forEach((v, r) => d.setBigUint64(IN_X + 8 * r, v, true));
  c.f.forEach((v, r) => d.setBigUint64(IN_F + 8 * r, v, true));
  d.setBigUint64(IN_FCSR, BigInt(c.fcsr), true);
  data.set(c.mem, MEM);
  return tinyElf({ code: A.assemble([...prologue(), ...c.steps.flat(), ...epilogue()]), data });
}

const hex = (v: bigint | number) => `0x${v.toString(16)}`;

function describeCase(c: Case): string {
  const used = new Set(c.steps.flat().map((i) => i.asm));
  const lines = ['  # sequence', ...c.steps.flat().map((i) => `  ${i.asm}`), '  # initial state (registers the sequence names)'];
  for (const r of DUMPED) if ([...used].some((a) => new RegExp(`\\bx${r}\\b`).test(a))) lines.push(`  x${r} = ${hex(c.x[r])}`);
  for (let r = 0; r < 32; r++) if ([...used].some((a) => new RegExp(`\\bf${r}\\b`).test(a))) lines.push(`  f${r} = ${hex(c.f[r])}`);
  lines.push(`  fcsr = ${hex(c.fcsr)} (frm ${c.fcsr >> 5}, fflags ${hex(c.fcsr & 31)})`);
  return lines.join('\n');
}

// ---- running both sides --------------------------------------------------------------------

interface Outcome {
  status: string; // "exit 0", "signal 4", ...
  out: Uint8Array;
}

const tmp = mkdtempSync(join(tmpdir(), 'random-seq-'));
chmodSync(tmp, 0o755); // qemu runs sandboxed, as nobody (test/support/real-linux.ts)
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let serial = 0;

function runQemu(elf: Uint8Array): Outcome {
  const path = join(tmp, `p${serial++}.elf`);
  writeFileSync(path, elf, { mode: 0o755 });
  try {
    const r = runOnQemu(path, [], { timeoutMs: 20_000 });
    return { status: r.signal !== undefined ? `signal ${r.signal}` : `exit ${r.exitCode}`, out: new Uint8Array(r.stdout) };
  } finally {
    rmSync(path, { force: true });
  }
}

function runProcsim(elf: Uint8Array): Outcome {
  const r = runProgram({ elf, path: '/seq', argv: ['/seq'], maxInsns: 1_000_000 });
  return { status: r.signal !== undefined ? `signal ${r.signal}` : `exit ${r.exitCode}`, out: r.stdout };
}

/** Named fields of a dump, for a readable difference. */
function fields(out: Uint8Array): Map<string, string> {
  const m = new Map<string, string>();
  if (out.length !== DUMP_LEN) {
    m.set('output length', String(out.length));
    return m;
  }
  const d = new DataView(out.buffer, out.byteOffset, out.length);
  for (const r of DUMPED) m.set(`x${r}`, hex(d.getBigUint64(OUT_X - OUT + 8 * r, true)));
  for (let r = 0; r < 32; r++) m.set(`f${r}`, hex(d.getBigUint64(OUT_F - OUT + 8 * r, true)));
  m.set('fcsr', hex(d.getBigUint64(OUT_FCSR - OUT, true)));
  for (let k = 0; k < MEM_SIZE; k += 8) m.set(`mem+${k}`, hex(d.getBigUint64(MEM - OUT + k, true)));
  return m;
}

function difference(q: Outcome, p: Outcome): string[] {
  const lines: string[] = [];
  if (q.status !== p.status) lines.push(`  status: qemu ${q.status}, procsim ${p.status}`);
  const fq = fields(q.out);
  const fp = fields(p.out);
  for (const k of new Set([...fq.keys(), ...fp.keys()])) {
    if (fq.get(k) !== fp.get(k)) lines.push(`  ${k}: qemu ${fq.get(k) ?? '-'}, procsim ${fp.get(k) ?? '-'}`);
  }
  // Bytes outside the named fields (the x0 slot, the fcsr padding) must agree too.
  const at = q.out.findIndex((b, i) => b !== p.out[i]);
  if (lines.length === 0 && at >= 0) lines.push(`  output byte ${at}: qemu ${q.out[at]}, procsim ${p.out[at]}`);
  return lines;
}

function check(c: Case): void {
  const elf = buildElf(c);
  const q = runQemu(elf);
  if (q.status !== 'exit 0' || q.out.length !== DUMP_LEN)
    throw new Error(`the harness is broken: qemu ended with ${q.status} and ${q.out.length} bytes for\n${describeCase(c)}`);
  const p = runProcsim(elf);
  const diff = difference(q, p);
  if (diff.length > 0) throw new Error(`procsim and qemu-riscv64 disagree:\n${diff.join('\n')}\nfor\n${describeCase(c)}`);
}

oracleSuite('random instruction sequences: procsim matches qemu-riscv64', ['qemu'], () => {
  it('the empty sequence dumps the initial state (checks the harness itself)', () => {
    const [c] = fc.sample(caseArb, { seed: 7, numRuns: 1 });
    const empty: Case = { ...c, steps: [] };
    const q = runQemu(buildElf(empty));
    expect(q.status).toBe('exit 0');
    const f = fields(q.out);
    for (const r of DUMPED) expect(f.get(`x${r}`)).toBe(hex(c.x[r]));
    for (let r = 0; r < 32; r++) expect(f.get(`f${r}`)).toBe(hex(c.f[r]));
    expect(f.get('fcsr')).toBe(hex(c.fcsr));
    expect(q.out.subarray(MEM - OUT)).toEqual(c.mem);
    expect(difference(q, runProcsim(buildElf(empty)))).toEqual([]);
  });

  it(`${RUNS} random sequences`, () => {
    fc.assert(
      fc.property(caseArb, (c) => check(c)),
      { numRuns: RUNS },
    );
  });
});
