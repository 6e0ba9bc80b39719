// The A extension through the CPU: LR/SC in the cases the ISA guarantees, every AMO (old
// value to rd, sign-extended for .w; result to memory) against BigInt, and faults.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as A from '../support/rv-asm.ts';
import { DATA, exec, hex, M64, reg64, runUntilStop, stopName, sx32, u64 } from './cpu-harness.ts';
import { PROT_READ } from '../../src/emu/memory.ts';

const ADDR = BigInt(DATA + 0x100);
const FAR = BigInt(DATA + 0x1100); // another page: never in the reservation set of ADDR

const ref: Record<A.AmoOp, (old: bigint, v: bigint, bits: number) => bigint> = {
  amoswap: (_o, v) => v,
  amoadd: (o, v) => o + v,
  amoxor: (o, v) => o ^ v,
  amoand: (o, v) => o & v,
  amoor: (o, v) => o | v,
  amomin: (o, v, n) => (BigInt.asIntN(n, o) < BigInt.asIntN(n, v) ? o : v),
  amomax: (o, v, n) => (BigInt.asIntN(n, o) > BigInt.asIntN(n, v) ? o : v),
  amominu: (o, v, n) => (BigInt.asUintN(n, o) < BigInt.asUintN(n, v) ? o : v),
  amomaxu: (o, v, n) => (BigInt.asUintN(n, o) > BigInt.asUintN(n, v) ? o : v),
};

describe('AMOs', () => {
  for (const name of Object.keys(ref) as A.AmoOp[]) {
    for (const w of ['w', 'd'] as const) {
      it(`${name}.${w} returns the old value and stores the result`, () => {
        fc.assert(
          fc.property(reg64, reg64, reg64, fc.boolean(), fc.boolean(), (mem, val, guard, aq, rl) => {
            // The word after a .w target must be left alone.
            const cpu = exec([A.sd(8, 6, 0), A.sd(9, 6, 8), A.amo(name, w, 7, 5, 6, { aq, rl }), A.ld(10, 6, 0), A.ld(11, 6, 8)], {
              x: { 5: val, 6: ADDR, 8: mem, 9: guard },
            });
            if (w === 'd') {
              expect(hex(cpu.getX(7))).toBe(hex(mem));
              expect(hex(cpu.getX(10))).toBe(hex(u64(ref[name](mem, val, 64))));
            } else {
              expect(hex(cpu.getX(7))).toBe(hex(sx32(mem)));
              const lo = BigInt.asUintN(32, ref[name](mem, val, 32));
              expect(hex(cpu.getX(10))).toBe(hex((mem & 0xffff_ffff_0000_0000n) | lo));
            }
            expect(cpu.getX(11)).toBe(guard);
          }),
          { numRuns: 60 },
        );
      });
    }
  }
  it('rd may alias rs2 or rs1: sources are read before rd is written', () => {
    const cpu = exec([A.sd(8, 6, 0), A.amo('amoadd', 'd', 5, 5, 6), A.ld(9, 6, 0)], { x: { 5: 10n, 6: ADDR, 8: 32n } });
    expect(cpu.getX(5)).toBe(32n);
    expect(cpu.getX(9)).toBe(42n);
    const c2 = exec([A.sd(8, 6, 0), A.amo('amoswap', 'd', 6, 5, 6), A.ld(9, 7, 0)], { x: { 5: 10n, 6: ADDR, 7: ADDR, 8: 32n } });
    expect(c2.getX(6)).toBe(32n);
    expect(c2.getX(9)).toBe(10n);
  });
  it('rd = x0 discards the old value but still writes memory', () => {
    const cpu = exec([A.amo('amoswap', 'w', 0, 5, 6), A.lw(7, 6, 0)], { x: { 5: 0x8000_0001n, 6: ADDR } });
    expect(cpu.getX(0)).toBe(0n);
    expect(cpu.getX(7)).toBe(0xffffffff80000001n);
  });
  it('signed and unsigned min/max differ on negative words', () => {
    const init = { x: { 5: 1n, 6: ADDR, 8: 0xffff_ffffn } };
    expect(exec([A.sw(8, 6, 0), A.amo('amomin', 'w', 7, 5, 6), A.lw(9, 6, 0)], init).getX(9)).toBe(M64);
    expect(exec([A.sw(8, 6, 0), A.amo('amominu', 'w', 7, 5, 6), A.lw(9, 6, 0)], init).getX(9)).toBe(1n);
    expect(exec([A.sw(8, 6, 0), A.amo('amomax', 'w', 7, 5, 6), A.lw(9, 6, 0)], init).getX(9)).toBe(1n);
    expect(exec([A.sw(8, 6, 0), A.amo('amomaxu', 'w', 7, 5, 6), A.lw(9, 6, 0)], init).getX(9)).toBe(M64);
    // .w compares only the low words: rs2 = 2^32 + 5 counts as 5.
    expect(exec([A.sw(0, 6, 0), A.amo('amomax', 'w', 7, 5, 6), A.lw(9, 6, 0)], { x: { 5: (1n << 32n) + 5n, 6: ADDR } }).getX(9)).toBe(5n);
  });
  it('misaligned AMOs fault and change nothing', () => {
    for (const [w, off] of [['w', 2n], ['d', 4n]] as const) {
      const { cpu, stop } = runUntilStop([A.amo('amoadd', w, 7, 5, 6), A.ebreak()], { x: { 5: 1n, 6: ADDR + off, 7: 99n } });
      expect(stopName(stop)).toBe('Fault');
      expect(cpu.faultAccess).toBe('misaligned');
      expect(cpu.faultAddr).toBe(Number(ADDR + off));
      expect(cpu.getX(7)).toBe(99n);
      expect(cpu.mem.readU64(Number(ADDR))).toBe(0n);
      expect(cpu.mem.readU64(Number(ADDR) + 8)).toBe(0n);
    }
  });
  it('an AMO on a read-only page faults as a write and changes nothing', () => {
    const { cpu, stop } = runUntilStop([A.amo('amoor', 'd', 7, 5, 6), A.ebreak()], { x: { 5: 1n, 6: ADDR, 7: 99n } });
    expect(stopName(stop)).toBe('Ebreak'); // writable first
    cpu.mem.writeU64(Number(ADDR), 0x10n);
    cpu.mem.protect(DATA, 0x1000, PROT_READ);
    cpu.pc -= 4;
    cpu.setX(7, 99n);
    expect(stopName(cpu.run(10))).toBe('Fault');
    expect(cpu.faultAccess).toBe('write');
    expect(cpu.faultAddr).toBe(Number(ADDR));
    expect(cpu.getX(7)).toBe(99n);
    expect(cpu.mem.readU64(Number(ADDR))).toBe(0x10n);
  });
});

describe('LR/SC', () => {
  for (const w of ['w', 'd'] as const) {
    it(`lr.${w}; sc.${w} to the same address succeeds`, () => {
      const cpu = exec([A.sd(8, 6, 0), A.lr(w, 7, 6, { aq: true }), A.sc(w, 9, 5, 6, { rl: true }), A.ld(10, 6, 0)], {
        x: { 5: 0x1122_3344_8877_6655n, 6: ADDR, 8: 0xaaaa_bbbb_f000_0000n, 9: 77n },
      });
      expect(cpu.getX(7)).toBe(w === 'w' ? 0xffff_ffff_f000_0000n : 0xaaaa_bbbb_f000_0000n);
      expect(cpu.getX(9)).toBe(0n);
      expect(cpu.getX(10)).toBe(w === 'w' ? 0xaaaa_bbbb_8877_6655n : 0x1122_3344_8877_6655n);
    });
    it(`sc.${w} without a reservation fails and leaves memory alone`, () => {
      const cpu = exec([A.sc(w, 9, 5, 6), A.ld(10, 6, 0)], { x: { 5: 123n, 6: ADDR, 9: 0n } });
      expect(cpu.getX(9)).not.toBe(0n);
      expect(cpu.getX(10)).toBe(0n);
    });
    it(`sc.${w} fails once its reservation was used by an sc`, () => {
      const cpu = exec([A.lr(w, 7, 6), A.sc(w, 9, 5, 6), A.sc(w, 11, 8, 6), A.ld(10, 6, 0)], {
        x: { 5: 1n, 6: ADDR, 8: 2n, 11: 0n },
      });
      expect(cpu.getX(9)).toBe(0n);
      expect(cpu.getX(11)).not.toBe(0n);
      expect(cpu.getX(10)).toBe(1n);
    });
    it(`sc.${w} to an address outside the reservation fails`, () => {
      const cpu = exec([A.lr(w, 7, 6), A.sc(w, 9, 5, 8), A.ld(10, 8, 0), A.sc(w, 11, 5, 6), A.ld(12, 6, 0)], {
        x: { 5: 5n, 6: ADDR, 8: FAR, 9: 0n, 11: 0n },
      });
      expect(cpu.getX(9)).not.toBe(0n);
      expect(cpu.getX(10)).toBe(0n);
      // A failed sc also ends the reservation.
      expect(cpu.getX(11)).not.toBe(0n);
      expect(cpu.getX(12)).toBe(0n);
    });
  }
  it('a retry loop built on LR/SC increments a counter', () => {
    // loop: lr.d x7,(x6); addi x7,x7,1; sc.d x9,x7,(x6); bnez x9,loop; (3 times)
    const body = [A.lr('d', 7, 6), A.addi(7, 7, 1), A.sc('d', 9, 7, 6), A.bne(9, 0, -12)];
    const cpu = exec([...body, ...body, ...body, A.ld(10, 6, 0)], { x: { 6: ADDR } });
    expect(cpu.getX(10)).toBe(3n);
  });
  it('lr of an unmapped address faults as a read', () => {
    const { cpu, stop } = runUntilStop([A.lr('w', 7, 6)], { x: { 6: 0x9000_0000n } });
    expect(stopName(stop)).toBe('Fault');
    expect(cpu.faultAccess).toBe('read');
    expect(cpu.faultAddr).toBe(0x9000_0000);
  });
  it('misaligned lr/sc fault', () => {
    expect(stopName(runUntilStop([A.lr('d', 7, 6)], { x: { 6: ADDR + 4n } }).stop)).toBe('Fault');
    expect(stopName(runUntilStop([A.lr('w', 7, 6), A.sc('w', 9, 5, 8)], { x: { 6: ADDR, 8: ADDR + 1n } }).stop)).toBe('Fault');
  });
});
