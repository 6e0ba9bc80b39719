// Shared by the cpu-*.test.ts files: a fresh memory with a code and a data region, a CPU
// on it, and BigInt reference helpers. Programs end at an ebreak the harness appends.

import fc from 'fast-check';
import { Memory, PROT_EXEC, PROT_READ, PROT_WRITE } from '../../src/emu/memory.ts';
import { Cpu, Stop } from '../../src/emu/cpu.ts';
import { assemble, ebreak, type Inst } from '../support/rv-asm.ts';

export const CODE = 0x10000;
export const CODE_SIZE = 0x4000;
export const DATA = 0x40000;
export const DATA_SIZE = 0x2000;

export type Prog = readonly (Inst | readonly Inst[])[];

export interface Init {
  x?: Record<number, bigint>;
  f?: Record<number, bigint>;
  fcsr?: number;
}

export interface LoadOptions {
  /** Protection of the code region (R+X by default). */
  codeProt?: number;
  /** Where the code goes (CODE by default; must lie in the code region). */
  at?: number;
  /** Instruction budget of exec() (100k by default). */
  budget?: number;
}

/** A CPU at the start of `code`, with registers from init and DATA..DATA+DATA_SIZE mapped R+W. */
export function load(code: Prog, init: Init = {}, opts: LoadOptions = {}): Cpu {
  const mem = new Memory();
  const at = opts.at ?? CODE;
  mem.map(CODE, CODE_SIZE, PROT_READ | PROT_WRITE);
  mem.write(at, assemble(code));
  mem.protect(CODE, CODE_SIZE, opts.codeProt ?? PROT_READ | PROT_EXEC);
  mem.map(DATA, DATA_SIZE, PROT_READ | PROT_WRITE);
  const cpu = new Cpu(mem);
  cpu.pc = at;
  for (const [i, v] of Object.entries(init.x ?? {})) cpu.setX(Number(i), v);
  for (const [i, v] of Object.entries(init.f ?? {})) cpu.setF(Number(i), v);
  if (init.fcsr !== undefined) cpu.fcsr = init.fcsr;
  return cpu;
}

const STOP_NAMES = ['Budget', 'Ecall', 'Ebreak', 'Illegal', 'Fault'];
export const stopName = (s: Stop) => STOP_NAMES[s] ?? `Stop(${s})`;

/** Run code + ebreak to the ebreak; any other stop is an error naming it. */
export function exec(code: Prog, init: Init = {}, opts: LoadOptions = {}): Cpu {
  const cpu = load([...code, ebreak()], init, opts);
  const stop = cpu.run(opts.budget ?? 100_000);
  if (stop !== Stop.Ebreak)
    throw new Error(
      `stopped with ${stopName(stop)} at pc 0x${cpu.pc.toString(16)}` +
        (stop === Stop.Fault ? ` (${cpu.faultAccess} 0x${cpu.faultAddr.toString(16)})` : ''),
    );
  return cpu;
}

/** Run code from its start and return how it stopped, with the CPU. */
export function runUntilStop(code: Prog, init: Init = {}, opts: LoadOptions = {}, budget = 100_000): { cpu: Cpu; stop: Stop } {
  const cpu = load(code, init, opts);
  return { cpu, stop: cpu.run(budget) };
}

// ---- BigInt references --------------------------------------------------------------------

export const M64 = (1n << 64n) - 1n;
export const u64 = (v: bigint) => BigInt.asUintN(64, v);
export const s64 = (v: bigint) => BigInt.asIntN(64, v);
/** Sign-extend the low 32 bits to a 64-bit register value. */
export const sx32 = (v: bigint) => BigInt.asUintN(64, BigInt.asIntN(32, v));
export const hex = (v: bigint) => `0x${v.toString(16)}`;

/** 64-bit register values with the edges weighted in. */
export const reg64 = fc.oneof(
  { weight: 4, arbitrary: fc.bigInt({ min: 0n, max: M64 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      0n, 1n, 2n, M64, 1n << 63n, (1n << 63n) - 1n, (1n << 63n) + 1n, 1n << 31n, (1n << 31n) - 1n,
      (1n << 32n) - 1n, 1n << 32n, 0xffffffff80000000n, 0xffffffff7fffffffn, 0x8000_0000_ffff_ffffn,
    ),
  },
  { weight: 2, arbitrary: fc.integer({ min: -300, max: 300 }).map((v) => u64(BigInt(v))) },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 0xffffffffn }).map(sx32) },
);
