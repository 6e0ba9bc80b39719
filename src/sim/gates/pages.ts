// Physical pages behind guest address spaces, seen through the memory layer's public views:
// two address spaces share a physical page exactly when readView gives the same DataView
// (src/emu/memory.ts hands out one per Page), and every page never written reads as the one
// zero page. Counting distinct views is a deterministic measure of host memory in pages.

import { Memory, PAGE_SIZE, PROT_EXEC, PROT_READ } from '../../emu/memory.ts';

const VPNS = 1 << 20;

/** The zero page's view: what every mapped page that was never written reads from. */
const ZERO_VIEW = (() => {
  const m = new Memory();
  m.map(0, PAGE_SIZE, PROT_READ);
  return m.readView(0);
})();

/** Addresses of the readable pages of `mem` that have contents of their own (not the zero page). */
export function materializedPages(mem: Memory, prot = PROT_READ): number[] {
  const out: number[] = [];
  for (let vpn = 0; vpn < VPNS; vpn++) {
    const p = mem.protOf(vpn);
    if (p < 0 || (p & PROT_READ) === 0 || (p & prot) !== prot) continue;
    if (mem.readView(vpn * PAGE_SIZE) !== ZERO_VIEW) out.push(vpn * PAGE_SIZE);
  }
  return out;
}

/** Distinct physical pages (not counting the zero page) behind these address spaces. */
export function physicalPages(mems: readonly Memory[]): number {
  const seen = new Set<DataView>();
  for (const m of mems) for (const a of materializedPages(m)) seen.add(m.readView(a));
  return seen.size;
}

/** Executable pages with contents (execPage on these returns the page without creating one). */
export const executablePages = (mem: Memory): number[] => materializedPages(mem, PROT_EXEC);
