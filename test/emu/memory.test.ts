import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ADDR_LIMIT, MemFault, Memory, PAGE_SIZE, PROT_EXEC, PROT_NONE, PROT_READ, PROT_WRITE } from '../../src/emu/memory.ts';

// Regions near the bottom, across 2^31 and 2^32 (where 32-bit bit operators would break),
// across page-table directories (4 GiB each) and at the top of the Sv39 user space.
const REGIONS = [0x10000, 0x7fff_e000, 0xbfff_c000, 0xffff_c000, 0x1_ffff_e000, ADDR_LIMIT - 4 * PAGE_SIZE];

describe('guest memory', () => {
  it('bulk and scalar accesses agree with a byte-array model, in every region', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...REGIONS),
        fc.array(
          fc.record({
            off: fc.nat(4 * PAGE_SIZE - 64),
            data: fc.uint8Array({ minLength: 1, maxLength: 64 }),
            scalar: fc.integer(),
          }),
          { minLength: 1, maxLength: 20 },
        ),
        (base, ops) => {
          const mem = new Memory();
          mem.map(base, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE);
          const model = new Uint8Array(4 * PAGE_SIZE);
          for (const { off, data, scalar } of ops) {
            mem.write(base + off, data);
            model.set(data, off);
            mem.store32(base + off + 1, scalar);
            new DataView(model.buffer).setInt32(off + 1, scalar, true);
            expect(mem.load32(base + off + 1)).toBe(scalar | 0);
          }
          expect(mem.read(base, model.length)).toEqual(model);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('a fork shares pages until one side writes; neither sees the other', () => {
    const parent = new Memory();
    parent.map(0x10000, 8 * PAGE_SIZE, PROT_READ | PROT_WRITE);
    parent.store32(0x10000, 1);
    const child = parent.fork();
    child.store32(0x10000, 2);
    parent.store32(0x10004, 3);
    expect(parent.load32(0x10000)).toBe(1);
    expect(child.load32(0x10000)).toBe(2);
    expect(child.load32(0x10004)).toBe(0);
    expect(child.touchedPages()).toBe(1);
  });

  it('copyWritable copies the touched writable data pages only, as a snapshotting fork pays', () => {
    const parent = new Memory();
    parent.map(0x10000, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE); // 3 touched, 1 never
    parent.map(0x20000, PAGE_SIZE, PROT_READ | PROT_EXEC); // code
    parent.map(0x30000, PAGE_SIZE, PROT_READ | PROT_WRITE, true); // MAP_SHARED
    for (let i = 0; i < 3; i++) parent.store32(0x10000 + i * PAGE_SIZE, i + 1);
    parent.poke(0x20000, new Uint8Array([0x13, 0, 0, 0]));
    parent.store32(0x30000, 9);
    const child = parent.fork();
    const sameView = (a: number) => child.readView(a) === parent.readView(a);
    expect([0, 1, 2].every((i) => sameView(0x10000 + i * PAGE_SIZE))).toBe(true);
    child.copyWritable();
    expect([0, 1, 2].map((i) => sameView(0x10000 + i * PAGE_SIZE))).toEqual([false, false, false]);
    expect(sameView(0x10000 + 3 * PAGE_SIZE)).toBe(true); // still the zero page
    expect(sameView(0x20000)).toBe(true);
    expect(sameView(0x30000)).toBe(true);
    expect([0, 1, 2].map((i) => child.load32(0x10000 + i * PAGE_SIZE))).toEqual([1, 2, 3]);
    child.store32(0x30000, 10);
    expect(parent.load32(0x30000)).toBe(10);
  });

  it("adoptPages: the range's pages take the source's contents, the rest stay, and both sides stay private", () => {
    const PAGES = 6;
    fc.assert(
      fc.property(
        fc.constantFrom(...REGIONS.slice(0, 3)),
        fc.array(fc.record({ child: fc.boolean(), page: fc.nat(PAGES - 1), value: fc.integer() }), { maxLength: 16 }),
        fc.nat(PAGES - 1),
        fc.nat(PAGES),
        (base, writes, first, count) => {
          const parent = new Memory();
          parent.map(base, PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE);
          parent.store32(base, 7);
          const child = parent.fork();
          const model = { parent: new Array<number>(PAGES).fill(0), child: new Array<number>(PAGES).fill(0) };
          model.parent[0] = model.child[0] = 7;
          for (const w of writes) {
            (w.child ? child : parent).store32(base + w.page * PAGE_SIZE, w.value);
            model[w.child ? 'child' : 'parent'][w.page] = w.value | 0;
          }
          const end = Math.min(PAGES, first + count);
          parent.adoptPages(child, base + first * PAGE_SIZE, (end - first) * PAGE_SIZE);
          for (let i = first; i < end; i++) model.parent[i] = model.child[i];
          const read = (m: Memory) => Array.from({ length: PAGES }, (_, i) => m.load32(base + i * PAGE_SIZE));
          expect(read(parent)).toEqual(model.parent);
          // Copy-on-write after the adoption: a write on either side is its own.
          parent.store32(base + first * PAGE_SIZE, 0x1234);
          child.store32(base + first * PAGE_SIZE + 4, 0x5678);
          expect(child.load32(base + first * PAGE_SIZE)).toBe(model.child[first]);
          expect(parent.load32(base + first * PAGE_SIZE + 4)).toBe(0);
          child.release();
          expect(read(parent).slice(first + 1)).toEqual(model.parent.slice(first + 1));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('adoptPages skips pages the source does not map and MAP_SHARED pages', () => {
    const parent = new Memory();
    parent.map(0x10000, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE);
    parent.map(0x12000, PAGE_SIZE, PROT_READ | PROT_WRITE, true);
    parent.store32(0x10000, 1);
    parent.store32(0x11000, 2);
    const child = parent.fork();
    child.store32(0x10000, 3);
    child.store32(0x12000, 4);
    child.unmap(0x11000, PAGE_SIZE);
    parent.adoptPages(child, 0x10000, 3 * PAGE_SIZE);
    expect([parent.load32(0x10000), parent.load32(0x11000), parent.load32(0x12000)]).toEqual([3, 2, 4]);
  });

  it('MAP_SHARED pages stay one page across forks (touched or not); private ones are copied', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...REGIONS),
        fc.array(fc.record({ who: fc.nat(2), page: fc.nat(3), value: fc.integer(), protectFirst: fc.boolean() }), {
          maxLength: 12,
        }),
        (base, writes) => {
          const shared = base;
          const priv = base + 4 * PAGE_SIZE > 0xffff_ffff ? base - 4 * PAGE_SIZE : base + 4 * PAGE_SIZE;
          const root = new Memory();
          root.map(shared, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE, true);
          root.map(priv, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE);
          root.store32(shared, 7); // one page touched before the forks, the rest untouched
          const child = root.fork();
          const grandchild = child.fork();
          const spaces = [root, child, grandchild];
          const model = [7, 0, 0, 0];
          for (const w of writes) {
            const m = spaces[w.who];
            if (w.protectFirst) m.protect(shared + w.page * PAGE_SIZE, PAGE_SIZE, PROT_READ | PROT_WRITE);
            m.store32(shared + w.page * PAGE_SIZE, w.value);
            m.store32(priv + w.page * PAGE_SIZE, w.value);
            model[w.page] = w.value | 0;
          }
          for (const [i, m] of spaces.entries()) {
            for (let pg = 0; pg < 4; pg++) {
              expect(m.load32(shared + pg * PAGE_SIZE)).toBe(model[pg]);
              const own = writes.filter((w) => w.who === i && w.page === pg).at(-1);
              expect(m.load32(priv + pg * PAGE_SIZE)).toBe(own === undefined ? 0 : own.value | 0);
            }
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('move (mremap) keeps every page: contents, protection and sharing with a fork; the old range is unmapped', () => {
    const PROTS = [PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_EXEC];
    fc.assert(
      fc.property(
        fc.constantFrom(...REGIONS),
        fc.array(fc.record({ prot: fc.constantFrom(...PROTS), value: fc.option(fc.integer(), { nil: undefined }) }), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        (region, pages, shared) => {
          const len = pages.length * PAGE_SIZE;
          const from = Math.min(region, ADDR_LIMIT - len);
          const to = from === REGIONS[0] ? REGIONS[2] : REGIONS[0];
          const mem = new Memory();
          mem.map(from, len, PROT_READ | PROT_WRITE, shared);
          for (const [i, pg] of pages.entries()) {
            if (pg.value !== undefined) mem.store32(from + i * PAGE_SIZE, pg.value);
            mem.protect(from + i * PAGE_SIZE, PAGE_SIZE, pg.prot);
          }
          const child = mem.fork();
          mem.move(from, len, to);
          expect(mem.anyMapped(from, len)).toBe(false);
          for (const [i, pg] of pages.entries()) {
            expect(mem.protOf(to / PAGE_SIZE + i)).toBe(pg.prot);
            expect(new DataView(mem.peek(to + i * PAGE_SIZE, 4).buffer).getInt32(0, true)).toBe((pg.value ?? 0) | 0);
          }
          // The fork's copy still has the old range: a shared page is one page with the moved one.
          child.protect(from, len, PROT_READ | PROT_WRITE);
          child.store32(from, 12345);
          const seen = new DataView(mem.peek(to, 4).buffer).getInt32(0, true);
          expect(seen).toBe(shared ? 12345 : (pages[0].value ?? 0) | 0);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('writes to read-only or unmapped memory fault and change nothing', () => {
    const mem = new Memory();
    mem.map(0x20000, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE);
    mem.protect(0x21000, PAGE_SIZE, PROT_READ);
    expect(() => mem.write(0x20ff0, new Uint8Array(32).fill(7))).toThrow(MemFault);
    expect(mem.read(0x20ff0, 16)).toEqual(new Uint8Array(16));
    expect(() => mem.load8(0x30000)).toThrow(MemFault);
    expect(() => mem.load8(2 ** 32 + 0x20000)).toThrow(MemFault);
  });

  it('a reservation costs no page: 128 MiB PROT_NONE in the high space, then one page of it used', () => {
    const mem = new Memory();
    const at = 0x3f_0000_0000;
    mem.map(at, 128 << 20, PROT_NONE);
    expect(mem.touchedPages()).toBe(0);
    expect([...mem.regions()]).toEqual([[at / PAGE_SIZE, (at + (128 << 20)) / PAGE_SIZE, PROT_NONE]]);
    expect(() => mem.load8(at + 5)).toThrow(MemFault);
    expect(mem.protect(at + (64 << 20), PAGE_SIZE, PROT_READ | PROT_WRITE)).toBe(true);
    mem.store32(at + (64 << 20) + 8, 0x1234_5678);
    expect(mem.touchedPages()).toBe(1);
    const child = mem.fork();
    child.store32(at + (64 << 20) + 8, 7);
    expect(mem.load32(at + (64 << 20) + 8)).toBe(0x1234_5678);
    expect(child.load32(at + (64 << 20) + 8)).toBe(7);
    expect([...mem.regions()].map(([a, b, p]) => [a * PAGE_SIZE - at, b * PAGE_SIZE - at, p])).toEqual([
      [0, 64 << 20, PROT_NONE],
      [64 << 20, (64 << 20) + PAGE_SIZE, PROT_READ | PROT_WRITE],
      [(64 << 20) + PAGE_SIZE, 128 << 20, PROT_NONE],
    ]);
    mem.unmap(at, 128 << 20);
    expect([...mem.regions()]).toEqual([]);
    expect(mem.anyMapped(0, ADDR_LIMIT)).toBe(false);
  });

  it('findFree steps over absent directories and finds the first hole at any height', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(ADDR_LIMIT / PAGE_SIZE - 16), { maxLength: 8 }), fc.integer({ min: 1, max: 16 }), (vpns, pages) => {
        const mem = new Memory();
        for (const v of vpns) mem.map(v * PAGE_SIZE, PAGE_SIZE, PROT_READ);
        const from = 0x1_0000_0000;
        const got = mem.findFree(from, pages * PAGE_SIZE, ADDR_LIMIT);
        // The model: the lowest page-aligned start at or above `from` whose run avoids every mapped page.
        const taken = new Set(vpns);
        let want = from / PAGE_SIZE;
        for (let v = want; v < want + pages; v++) if (taken.has(v)) want = v + 1;
        expect(got).toBe(want * PAGE_SIZE);
      }),
      { numRuns: 200 },
    );
  });

  it('addresses at or above the Sv39 limit fault, and mapping them is refused', () => {
    const mem = new Memory();
    expect(() => mem.load8(ADDR_LIMIT)).toThrow(MemFault);
    expect(() => mem.store8(ADDR_LIMIT + 0x1000, 1)).toThrow(MemFault);
    expect(() => mem.load8(2 ** 52)).toThrow(MemFault);
    expect(() => mem.map(ADDR_LIMIT - PAGE_SIZE, 2 * PAGE_SIZE, PROT_READ)).toThrow();
  });

  it('pages past the end of a mapped file fault as such (SIGBUS) through mprotect and fork, until mapped afresh', () => {
    const mem = new Memory();
    mem.map(0x40000, 3 * PAGE_SIZE, PROT_READ);
    mem.markPastEof(0x41000, 2 * PAGE_SIZE);
    expect(mem.load8(0x40fff)).toBe(0);
    const fault = (m: Memory, addr: number): MemFault | undefined => {
      try {
        m.load8(addr);
      } catch (e) {
        return e as MemFault;
      }
      return undefined;
    };
    expect(fault(mem, 0x41000)).toMatchObject({ pastEof: true, mapped: true, addr: 0x41000 });
    expect(mem.protect(0x40000, 3 * PAGE_SIZE, PROT_READ | PROT_WRITE)).toBe(true);
    expect(() => mem.store8(0x42000, 1)).toThrow(/past the end of the mapped file/);
    mem.store8(0x40000, 1);
    expect(fault(mem.fork(), 0x42fff)?.pastEof).toBe(true);
    expect([...mem.regions()]).toEqual([[0x40, 0x43, PROT_READ | PROT_WRITE]]);
    mem.map(0x41000, PAGE_SIZE, PROT_READ);
    expect(mem.load8(0x41000)).toBe(0);
    expect(fault(mem, 0x42000)?.pastEof).toBe(true);
  });
});
