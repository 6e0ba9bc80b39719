// The layout of a process's user address space (Sv39: 256 GiB, as riscv64 Linux gives at
// least), and where mmap, mremap, brk and exec may put things in it:
//
//   [0, MMAP_BASE)                 the program image and its heap (brk grows up to MMAP_BASE)
//   [MMAP_BASE, MMAP_LIMIT)        the low mmap window: used first, so programs that fit in
//                                  it see the addresses they saw in a 4 GiB space
//   [STACK_LOW, STACK_TOP)         the stack, a guard gap below it; the signal trampoline
//                                  page at STACK_TOP
//   [HIGH_BASE, ADDR_LIMIT)        the high mmap window: used when the low one is full, and
//                                  by hints and fixed mappings that ask for it
//
// A reservation costs nothing until touched (src/emu/memory.ts keeps absent page-table
// leaves and directories absent), so a 128 MiB PROT_NONE mapping is as cheap as one page.

import { ADDR_LIMIT, type Memory, PAGE_SIZE } from '../emu/memory.ts';
import { STACK_SIZE, STACK_TOP } from '../emu/stack.ts';

/** Bottom of the low mmap window. */
export const MMAP_BASE = 0x8000_0000;
/** Bottom of the stack mapping. */
const STACK_LOW = STACK_TOP - STACK_SIZE;
/** Top of the low mmap window: a guard gap below the stack. */
const MMAP_LIMIT = STACK_LOW - (16 << 20);
/** Bottom of the high mmap window: the first address a 32-bit pointer cannot hold. */
const HIGH_BASE = 2 ** 32;

/** The largest mapping that can exist: the high window, whole. */
export const MAX_MAPPING = ADDR_LIMIT - HIGH_BASE;

const WINDOWS: readonly (readonly [number, number])[] = [
  [MMAP_BASE, MMAP_LIMIT],
  [HIGH_BASE, ADDR_LIMIT],
];

const inWindow = (addr: number, size: number): boolean => WINDOWS.some(([lo, hi]) => addr >= lo && addr + size <= hi);

/**
 * Where a new mapping of `size` bytes goes: at `hint` (page-aligned down) if the range lies in
 * an mmap window and is free, else the lowest free range of the low window, else of the high
 * one; -1 when neither has room.
 */
export function findMmapSpace(mem: Memory, size: number, hint = 0): number {
  const at = Math.floor(hint / PAGE_SIZE) * PAGE_SIZE;
  if (at !== 0 && inWindow(at, size) && !mem.anyMapped(at, size)) return at;
  for (const [lo, hi] of WINDOWS) {
    const where = mem.findFree(lo, size, hi);
    if (where >= 0) return where;
  }
  return -1;
}

/** Whether a mapping may grow in place to cover [addr, addr+size): it stays below the stack's guard gap, or in the high window. */
export function canGrowInto(addr: number, size: number): boolean {
  return addr + size <= MMAP_LIMIT || (addr >= HIGH_BASE && addr + size <= ADDR_LIMIT);
}

/** Whether a fixed mapping may cover [addr, addr+size): user space, and not the trampoline's page or the gap above it. */
export function fixedMappingAllowed(addr: number, size: number): boolean {
  if (addr < 0 || addr + size > ADDR_LIMIT) return false;
  return addr + size <= STACK_TOP || addr >= HIGH_BASE;
}

/** How far a break that starts at `brkStart` may grow: up to the next region above it. */
export function brkLimit(brkStart: number): number {
  if (brkStart < MMAP_BASE) return MMAP_BASE;
  if (brkStart < STACK_LOW) return STACK_LOW;
  return brkStart < HIGH_BASE ? brkStart : ADDR_LIMIT;
}
