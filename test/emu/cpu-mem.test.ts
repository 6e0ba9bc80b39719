// Loads and stores through the CPU: widths and sign extension, misaligned accesses (also
// across a page boundary), faults that leave registers and memory untouched, execute
// permission, the Sv39 address limit (2^38), and code that rewrites itself.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as A from '../support/rv-asm.ts';
import { PROT_EXEC, PROT_READ, PROT_WRITE } from '../../src/emu/memory.ts';
import { CODE, CODE_SIZE, DATA, DATA_SIZE, exec, hex, load, reg64, runUntilStop, stopName, u64 } from './cpu-harness.ts';

const PAGE_END = DATA + 0x1000; // boundary between the two data pages

const loads: [string, (rd: number, rs1: number, imm: number) => A.Inst, number, boolean][] = [
  ['lb', A.lb, 1, true],
  ['lh', A.lh, 2, true],
  ['lw', A.lw, 4, true],
  ['ld', A.ld, 8, true],
  ['lbu', A.lbu, 1, false],
  ['lhu', A.lhu, 2, false],
  ['lwu', A.lwu, 4, false],
];
const stores: [string, (rs2: number, rs1: number, imm: number) => A.Inst, number][] = [
  ['sb', A.sb, 1],
  ['sh', A.sh, 2],
  ['sw', A.sw, 4],
  ['sd', A.sd, 8],
];

const bytesOf = (v: bigint, n: number) => Array.from({ length: n }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
const valueOf = (b: ArrayLike<number>) => Array.from(b).reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);

describe('loads', () => {
  for (const [name, enc, size, signed] of loads) {
    it(`${name} reads ${size} bytes little-endian, ${signed ? 'sign' : 'zero'}-extended, at any alignment`, () => {
      // Addresses around the page boundary included: misaligned accesses must work there too.
      const addr = fc.oneof(fc.integer({ min: DATA, max: DATA + DATA_SIZE - 8 }), fc.integer({ min: PAGE_END - 8, max: PAGE_END }));
      fc.assert(
        fc.property(addr, fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.integer({ min: -2048, max: 2047 }), (a, bytes, imm) => {
          const cpu = load([enc(7, 5, imm), A.ebreak()], { x: { 5: u64(BigInt(a - imm)) } });
          cpu.mem.write(a, bytes);
          expect(stopName(cpu.run(10))).toBe('Ebreak');
          const raw = valueOf(bytes.subarray(0, size));
          const want = signed ? u64(BigInt.asIntN(size * 8, raw)) : raw;
          expect(hex(cpu.getX(7))).toBe(hex(want));
        }),
        { numRuns: 120 },
      );
    });
  }
  it('sign extension edges', () => {
    const c2 = load([A.lb(7, 5, 0), A.lh(8, 5, 0), A.lw(9, 5, 0), A.lbu(10, 5, 0), A.lhu(11, 5, 0), A.lwu(12, 5, 0), A.lb(13, 5, 4), A.ebreak()], {
      x: { 5: BigInt(DATA) },
    });
    c2.mem.write(DATA, Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x7f]));
    c2.run(20);
    expect(c2.getX(7)).toBe(0xffff_ffff_ffff_ff80n);
    expect(c2.getX(8)).toBe(0xffff_ffff_ffff_8080n);
    expect(c2.getX(9)).toBe(0xffff_ffff_8080_8080n);
    expect(c2.getX(10)).toBe(0x80n);
    expect(c2.getX(11)).toBe(0x8080n);
    expect(c2.getX(12)).toBe(0x8080_8080n);
    expect(c2.getX(13)).toBe(0x7fn);
  });
  it('a load into x0 still faults on a bad address', () => {
    const { cpu, stop } = runUntilStop([A.ld(0, 5, 0)], { x: { 5: 0x5000n } });
    expect(stopName(stop)).toBe('Fault');
    expect(cpu.faultAddr).toBe(0x5000);
  });
});

describe('stores', () => {
  for (const [name, enc, size] of stores) {
    it(`${name} writes exactly ${size} bytes at any alignment`, () => {
      const addr = fc.oneof(fc.integer({ min: DATA + 8, max: DATA + DATA_SIZE - 16 }), fc.integer({ min: PAGE_END - 8, max: PAGE_END }));
      fc.assert(
        fc.property(addr, reg64, fc.integer({ min: -2048, max: 2047 }), (a, v, imm) => {
          const cpu = load([enc(6, 5, imm), A.ebreak()], { x: { 5: u64(BigInt(a - imm)), 6: v } });
          cpu.mem.write(a - 8, new Uint8Array(24).fill(0xee));
          expect(stopName(cpu.run(10))).toBe('Ebreak');
          const got = Array.from(cpu.mem.read(a - 8, 24));
          const want = [...new Array(8).fill(0xee), ...bytesOf(v, size), ...new Array(16 - size).fill(0xee)];
          expect(got).toEqual(want);
        }),
        { numRuns: 120 },
      );
    });
  }
  it('store then load round-trips every width, across the page boundary', () => {
    const cpu = exec(
      [A.sd(6, 5, -3), A.ld(7, 5, -3), A.sw(6, 5, -1), A.lwu(8, 5, -1), A.sh(6, 5, -1), A.lh(9, 5, -1), A.sb(6, 5, 0), A.lbu(10, 5, 0)],
      { x: { 5: BigInt(PAGE_END), 6: 0x8877_6655_4433_2211n } },
    );
    expect(cpu.getX(7)).toBe(0x8877_6655_4433_2211n);
    expect(cpu.getX(8)).toBe(0x4433_2211n);
    expect(cpu.getX(9)).toBe(0x2211n);
    expect(cpu.getX(10)).toBe(0x11n);
  });
});

describe('faults', () => {
  const UNMAPPED = 0x30000;
  for (const [name, enc] of loads) {
    it(`${name} from unmapped memory faults at the address, pc at the load, rd untouched`, () => {
      const { cpu, stop } = runUntilStop([A.addi(6, 0, 1), enc(7, 5, 16)], { x: { 5: BigInt(UNMAPPED - 16), 7: 55n } });
      expect(stopName(stop)).toBe('Fault');
      expect(cpu.faultAccess).toBe('read');
      expect(cpu.faultAddr).toBe(UNMAPPED);
      expect(cpu.pc).toBe(CODE + 4);
      expect(cpu.instret).toBe(1);
      expect(cpu.getX(7)).toBe(55n);
    });
  }
  it('a misaligned load whose second half is unmapped faults', () => {
    // DATA + DATA_SIZE is the end of the mapping.
    const end = DATA + DATA_SIZE;
    for (const [enc, size] of [[A.ld, 8], [A.lw, 4], [A.lh, 2]] as const) {
      const { cpu, stop } = runUntilStop([enc(7, 5, 0)], { x: { 5: BigInt(end - size + 1), 7: 55n } });
      expect(stopName(stop)).toBe('Fault');
      expect(cpu.faultAccess).toBe('read');
      expect(cpu.faultAddr).toBeGreaterThanOrEqual(end - size + 1);
      expect(cpu.faultAddr).toBeLessThanOrEqual(end);
      expect(cpu.getX(7)).toBe(55n);
    }
  });
  for (const [name, enc, size] of stores) {
    it(`${name} to a read-only page faults and memory is unchanged`, () => {
      const cpu = load([enc(6, 5, 0), A.ebreak()], { x: { 5: BigInt(DATA + 8), 6: 0x1122_3344_5566_7788n } });
      cpu.mem.write(DATA, new Uint8Array(32).fill(0xab));
      cpu.mem.protect(DATA, 0x1000, PROT_READ);
      expect(stopName(cpu.run(10))).toBe('Fault');
      expect(cpu.faultAccess).toBe('write');
      expect(cpu.faultAddr).toBe(DATA + 8);
      expect(cpu.pc).toBe(CODE);
      expect(Array.from(cpu.mem.read(DATA, 32))).toEqual(new Array(32).fill(0xab));
    });
    if (size > 1)
      it(`${name} straddling into a read-only page writes neither page`, () => {
        const a = PAGE_END - 1;
        const cpu = load([enc(6, 5, 0), A.ebreak()], { x: { 5: BigInt(a), 6: 0x1122_3344_5566_7788n } });
        cpu.mem.write(PAGE_END - 8, new Uint8Array(16).fill(0xab));
        cpu.mem.protect(PAGE_END, 0x1000, PROT_READ);
        expect(stopName(cpu.run(10))).toBe('Fault');
        expect(cpu.faultAccess).toBe('write');
        expect(Array.from(cpu.mem.read(PAGE_END - 8, 16))).toEqual(new Array(16).fill(0xab));
      });
  }
  it('stores to the code page fault (it is R+X)', () => {
    const { cpu, stop } = runUntilStop([A.auipc(5, 0), A.sw(0, 5, 0)]);
    expect(stopName(stop)).toBe('Fault');
    expect(cpu.faultAccess).toBe('write');
    expect(cpu.faultAddr).toBe(CODE);
    expect(cpu.mem.read(CODE, 4)).toEqual(A.assemble([A.auipc(5, 0)]));
  });
  it('loads from a PROT_NONE page fault as reads', () => {
    const cpu = load([A.ld(7, 5, 0), A.ebreak()], { x: { 5: BigInt(DATA) } });
    cpu.mem.protect(DATA, 0x1000, 0);
    expect(stopName(cpu.run(10))).toBe('Fault');
    expect(cpu.faultAccess).toBe('read');
  });
  it('unmapped addresses above 4 GiB, addresses at or above 2^38 and negative ones fault', () => {
    for (const a of [1n << 32n, (1n << 32n) + BigInt(DATA), 1n << 38n, (1n << 38n) + BigInt(DATA), u64(-8n), 1n << 63n]) {
      for (const inst of [A.ld(7, 5, 0), A.sd(7, 5, 0), A.lb(7, 5, 0)]) {
        const { cpu, stop } = runUntilStop([inst], { x: { 5: a } });
        expect(stopName(stop), `${inst.asm} at ${hex(a)}`).toBe('Fault');
        expect(cpu.pc).toBe(CODE);
      }
    }
    // An offset that wraps the sum back below 4 GiB is still a plain 64-bit add: 2^64 - 8 + 8 = 0.
    const { cpu } = runUntilStop([A.ld(7, 5, 8)], { x: { 5: u64(-8n) } });
    expect(cpu.faultAddr).toBe(0);
  });
  it('loads, stores and code run anywhere below 2^38, across the 4 GiB line and at the very top', () => {
    for (const high of [(1n << 32n) - 8n, 0x3f_ffff_f000n]) {
      const cpu = load([A.sd(6, 5, 0), A.ld(7, 5, 0), A.jalr(1, 8, 0)], { x: { 5: high, 6: 0x1122_3344_5566_7788n, 8: 0x3f_ffff_e000n } });
      const page = Number(high) - (Number(high) % 0x1000);
      cpu.mem.map(page, Math.min(0x2000, 2 ** 38 - page), PROT_READ | PROT_WRITE);
      cpu.mem.map(0x3f_ffff_e000, 0x1000, PROT_READ | PROT_WRITE);
      cpu.mem.write(0x3f_ffff_e000, A.assemble([A.addi(9, 7, 1), A.ebreak()]));
      cpu.mem.protect(0x3f_ffff_e000, 0x1000, PROT_READ | PROT_EXEC);
      expect(stopName(cpu.run(100))).toBe('Ebreak');
      expect(cpu.getX(7)).toBe(0x1122_3344_5566_7788n);
      expect(cpu.getX(9)).toBe(0x1122_3344_5566_7789n);
      expect(cpu.pc).toBe(0x3f_ffff_e004);
    }
  });
});

describe('execute permission', () => {
  it('jumping to a data page faults with exec access at the target', () => {
    const { cpu, stop } = runUntilStop([A.jalr(1, 5, 0)], { x: { 5: BigInt(DATA + 0x40) } });
    expect(stopName(stop)).toBe('Fault');
    expect(cpu.faultAccess).toBe('exec');
    expect(cpu.faultAddr).toBe(DATA + 0x40);
    expect(cpu.pc).toBe(DATA + 0x40);
    expect(cpu.getX(1)).toBe(BigInt(CODE + 4)); // the jump itself retired
  });
  it('jumping to unmapped memory, above 4 GiB or beyond 2^38 faults', () => {
    for (const t of [0x8000n, 1n << 32n, 1n << 38n, u64(-4n)]) {
      const { cpu, stop } = runUntilStop([A.jalr(0, 5, 0)], { x: { 5: t } });
      expect(stopName(stop)).toBe('Fault');
      expect(cpu.faultAccess).toBe('exec');
      expect(cpu.instret).toBe(1);
    }
  });
  it('running off the end of the code mapping faults', () => {
    const last = CODE + CODE_SIZE - 4;
    const { cpu, stop } = runUntilStop([A.addi(5, 5, 1)], {}, { at: last });
    expect(stopName(stop)).toBe('Fault');
    expect(cpu.faultAccess).toBe('exec');
    expect(cpu.faultAddr).toBe(CODE + CODE_SIZE);
    expect(cpu.getX(5)).toBe(1n);
  });
  it('a 32-bit instruction straddling two code pages executes', () => {
    const at = CODE + 0x1000 - 2;
    const cpu = load([A.cNop(), A.li(5, 0x12345678n), A.addi(5, 5, 1), A.ebreak()], {}, { at: at - 2 });
    expect(stopName(cpu.run(10))).toBe('Ebreak');
    expect(cpu.getX(5)).toBe(0x12345679n);
  });
  it('a straddling instruction whose second half is not executable faults', () => {
    const at = CODE + CODE_SIZE - 2;
    const cpu = load([A.addi(5, 5, 1)], {}, { at: CODE });
    cpu.mem.protect(CODE, CODE_SIZE, PROT_READ | PROT_WRITE);
    cpu.mem.write(at, A.assemble([A.addi(5, 5, 1)]).subarray(0, 2)); // first half of a 32-bit instruction
    cpu.mem.protect(CODE, CODE_SIZE, PROT_READ | PROT_EXEC);
    cpu.pc = at;
    expect(stopName(cpu.run(10))).toBe('Fault');
    expect(cpu.faultAccess).toBe('exec');
  });
});

describe('self-modifying code', () => {
  it('a store to code followed by fence.i is seen by the next fetch', () => {
    // x5 = address of the patched instruction; the first pass runs "addi x6, x6, 1",
    // then it is overwritten by "addi x6, x6, 100" and the loop runs it again.
    const patched = A.addi(6, 6, 100);
    const code = [
      A.auipc(5, 0), // 0
      A.addi(5, 5, 16), // 4: x5 = CODE + 16
      A.li(7, BigInt(patched.bits | 0)), // 8: one lui + addiw: 8 bytes
      A.addi(6, 6, 1), // 16: patched
      A.sw(7, 5, 0), // 20
      A.fenceI(), // 24
      A.addi(8, 8, 1), // 28
      A.addi(9, 0, 2), // 32
      A.blt(8, 9, -20), // 36: back to 16 once
    ];
    const cpu = load([...code, A.ebreak()], {}, { codeProt: PROT_READ | PROT_WRITE | PROT_EXEC });
    expect(A.li(7, BigInt(patched.bits | 0)).length).toBe(2);
    expect(stopName(cpu.run(100))).toBe('Ebreak');
    expect(cpu.getX(6)).toBe(101n);
  });
});
