// The Sv39 user address space as mmap, mremap, munmap and brk use it: the low window first
// (so small programs keep their 4 GiB-era addresses), the high window above 4 GiB when the
// low one is full or a hint or fixed mapping asks for it, and nothing at or above 2^38.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ADDR_LIMIT } from '../../../src/emu/memory.ts';
import { MMAP_BASE } from '../../../src/process/address-space.ts';
import { ERRNO } from '../../../src/process/errno.ts';
import { memoryRegions } from '../../../src/process/procfs.ts';
import { SYS, World } from './harness.ts';

const PAGE = 4096;
const PROT_NONE = 0;
const PROT_RW = 3;
const MAP_PRIVATE = 0x02;
const MAP_FIXED = 0x10;
const MAP_ANONYMOUS = 0x20;
const MAP_NORESERVE = 0x4000;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;
const HIGH = 2 ** 32;

const mmap = (w: World, addr: number, len: number, prot = PROT_RW, flags = ANON): number =>
  w.sys(w.init, SYS.mmap, addr, len, prot, flags, -1, 0) as number;

describe('the Sv39 address space', () => {
  it('mappings fill the low window first, then go above 4 GiB; reservations there cost no page', () => {
    const w = new World();
    const first = mmap(w, 0, 1 << 20);
    expect(first).toBeGreaterThanOrEqual(MMAP_BASE);
    expect(first + (1 << 20)).toBeLessThan(HIGH);
    // node's way: reserve big PROT_NONE areas, 128 MiB each, until they no longer fit low.
    const got: number[] = [];
    for (let i = 0; i < 12; i++) got.push(mmap(w, 0, 128 << 20, PROT_NONE, ANON | MAP_NORESERVE));
    expect(got.every((a) => a > 0 && a % PAGE === 0)).toBe(true);
    const high = got.filter((a) => a >= HIGH);
    expect(high.length).toBeGreaterThan(0);
    expect(got.slice(0, got.length - high.length).every((a) => a < HIGH)).toBe(true);
    expect(w.init.mem.touchedPages()).toBeLessThan(64); // the stack and the image, not the reservations
    // One page of a high reservation made usable: read and write it, and it shows in the maps.
    const at = high[0] + (64 << 20);
    expect(w.sys(w.init, SYS.mprotect, at, PAGE, PROT_RW)).toBe(0);
    w.init.mem.store32(at + 16, 0x5eed);
    expect(w.init.mem.load32(at + 16)).toBe(0x5eed);
    const region = memoryRegions(w.init).find((r) => r.start === at);
    expect(region).toMatchObject({ start: at, end: at + PAGE, prot: PROT_RW, name: '' });
  });

  it('a free hint in either window is taken as given; a taken or out-of-range one is not', () => {
    fc.assert(
      fc.property(fc.integer({ min: HIGH / PAGE, max: ADDR_LIMIT / PAGE - 64 }), fc.integer({ min: 1, max: 32 }), (vpn, pages) => {
        const w = new World();
        const hint = vpn * PAGE;
        expect(mmap(w, hint, pages * PAGE)).toBe(hint);
        const again = mmap(w, hint, pages * PAGE);
        expect(again).not.toBe(hint);
        expect(again).toBeGreaterThanOrEqual(MMAP_BASE);
        expect(mmap(w, ADDR_LIMIT - PAGE, 2 * PAGE)).toBeLessThan(HIGH); // cannot fit there: placed low
      }),
      { numRuns: 30 },
    );
  });

  it('fixed mappings: anywhere in user space but the trampoline gap; at or above 2^38 ENOMEM; munmap there EINVAL', () => {
    const w = new World();
    const top = ADDR_LIMIT - 2 * PAGE;
    expect(mmap(w, top, 2 * PAGE, PROT_RW, ANON | MAP_FIXED)).toBe(top);
    expect(mmap(w, top, 3 * PAGE, PROT_RW, ANON | MAP_FIXED)).toBe(-ERRNO.ENOMEM);
    expect(mmap(w, ADDR_LIMIT, PAGE, PROT_RW, ANON | MAP_FIXED)).toBe(-ERRNO.ENOMEM);
    expect(mmap(w, 2 ** 50, PAGE, PROT_RW, ANON | MAP_FIXED)).toBe(-ERRNO.ENOMEM);
    expect(mmap(w, 0xc000_1000, PAGE, PROT_RW, ANON | MAP_FIXED)).toBe(-ERRNO.ENOMEM);
    expect(w.sys(w.init, SYS.munmap, top, 2 * PAGE)).toBe(0);
    expect(w.init.mem.anyMapped(top, 2 * PAGE)).toBe(false);
    expect(w.sys(w.init, SYS.munmap, ADDR_LIMIT - PAGE, 2 * PAGE)).toBe(-ERRNO.EINVAL);
  });

  it('mremap grows a high mapping in place, or moves it keeping its bytes', () => {
    const w = new World();
    const a = mmap(w, 0x20_0000_0000, 2 * PAGE);
    expect(a).toBe(0x20_0000_0000);
    w.init.mem.store32(a + PAGE + 4, 77);
    expect(w.sys(w.init, SYS.mremap, a, 2 * PAGE, 4 * PAGE, 0)).toBe(a);
    mmap(w, a + 4 * PAGE, PAGE, PROT_RW, ANON | MAP_FIXED); // a neighbour: no more room in place
    expect(w.sys(w.init, SYS.mremap, a, 4 * PAGE, 8 * PAGE, 0)).toBe(-ERRNO.ENOMEM);
    const moved = w.sys(w.init, SYS.mremap, a, 4 * PAGE, 8 * PAGE, 1) as number;
    expect(moved).not.toBe(a);
    expect(w.init.mem.load32(moved + PAGE + 4)).toBe(77);
    expect(w.init.mem.anyMapped(a, 4 * PAGE)).toBe(false);
  });

  it('a fork copies high mappings copy-on-write', () => {
    const w = new World();
    const a = mmap(w, 0x3f_0000_0000, PAGE);
    w.init.mem.store32(a, 1);
    const c = w.fork(w.init);
    c.mem.store32(a, 2);
    expect(w.init.mem.load32(a)).toBe(1);
    expect(c.mem.load32(a)).toBe(2);
  });
});
