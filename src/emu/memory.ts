// Sparse paged guest memory with page-level copy-on-write.
//
// The guest address space is Sv39's user half, 256 GiB, as riscv64 Linux gives at least:
// every valid address is an exact double below 2^38, page numbers are integers below 2^26,
// and the hot paths never touch BigInt. A three-level table (64 directories of 1024 leaves
// of 1024 pages) lets fork share whole leaves, so fork costs O(leaves in use) and each later
// write copies one page at most once; a leaf nobody touched costs nothing.

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
export const PAGE_MASK = PAGE_SIZE - 1;
/** First address above user space (Sv39: 2^38). */
export const ADDR_LIMIT = 2 ** 38;
/** Leaves per directory, and directories: 4 GiB of address space per directory. */
const DIRS = ADDR_LIMIT / (1024 * 1024 * PAGE_SIZE);
/** 1 / PAGE_SIZE: a product by a power of two is exact, and cheaper than a division. */
const PER_PAGE = 1 / PAGE_SIZE;

export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;

/**
 * A guest memory access that the page table refuses: becomes SIGSEGV, or SIGBUS when
 * misaligned or past the end of a mapped file (EFAULT in a syscall).
 */
export class MemFault extends Error {
  constructor(
    readonly addr: number,
    readonly access: 'read' | 'write' | 'exec',
    readonly mapped: boolean,
    readonly misaligned = false,
    readonly pastEof = false,
  ) {
    super(`${access} fault at 0x${addr.toString(16)}${misaligned ? ' (misaligned)' : pastEof ? ' (past the end of the mapped file)' : mapped ? ' (permission)' : ' (unmapped)'}`);
  }
}

/**
 * The memory of a whole simulated machine, in pages: every fresh or copied page of every
 * address space that shares it counts until its last reference goes. Pages that stand for
 * file contents (the page cache) do not count.
 */
export class PageBudget {
  used = 0;
  /** The most pages ever in use at once. */
  peak = 0;
  constructor(readonly limit: number) {}
}

/** A page was needed and the machine's PageBudget has none left: the kernel's OOM kill. */
export class OutOfMemory extends MemFault {
  constructor(addr: number, access: 'read' | 'write' | 'exec') {
    super(addr, access, true);
    this.message = `out of memory at 0x${addr.toString(16)}`;
  }
}

/** One physical page; shared between address spaces until written (refs > 1). */
export class Page {
  refs = 1;
  /** The budget this page counts against (none for file-content pages). */
  budget: PageBudget | null = null;
  /** Pre-decoded instructions of this page, owned by the CPU layer; shared with the page. */
  decoded: unknown[] | null = null;
  readonly dv: DataView;
  constructor(readonly u8: Uint8Array = new Uint8Array(PAGE_SIZE)) {
    this.dv = new DataView(u8.buffer, u8.byteOffset, PAGE_SIZE);
  }
}

/** Mapping bit in a leaf's prot table: set for every mapped page, even PROT_NONE. */
const MAPPED = 8;
/** MAP_SHARED: the page is the same physical page in every fork of this space, never copied. */
const SHARED = 16;
/** A page of a file mapping wholly past the file's end: any access faults as SIGBUS, as on Linux. */
const PAST_EOF = 32;
const ZERO = new Page();

/** Drop one reference to p; its last frees it from its budget. */
function unref(p: Page): void {
  if (--p.refs === 0 && p.budget !== null) p.budget.used--;
}

/** 1024 consecutive pages: their protections and, once touched, their contents. */
class Leaf {
  refs = 1;
  constructor(
    readonly pages: (Page | undefined)[] = new Array(1024),
    readonly prot = new Uint8Array(1024),
    public mapped = 0,
  ) {}
}

const TLB_BITS = 10;
const TLB_SIZE = 1 << TLB_BITS;
const TLB_MASK = TLB_SIZE - 1;

const pageSpan = (addr: number, len: number): [number, number] => [
  Math.floor(addr / PAGE_SIZE),
  Math.ceil((addr + len) / PAGE_SIZE),
];

export class Memory {
  /** Directory i holds the leaves of [i * 4 GiB, (i + 1) * 4 GiB); absent until used. */
  private dirs: ((Leaf | undefined)[] | undefined)[] = new Array(DIRS);
  /** Pages mapped in this address space (touched or not). */
  mappedPages = 0;
  /** Pages of MAP_SHARED mappings (fork materializes their untouched pages). */
  private sharedPages = 0;
  /** Upper bound on mapped pages; mapping beyond it is ENOMEM for the caller. */
  maxPages = 1 << 20;
  /** The machine's memory, shared by every address space of one kernel (none: unbounded). */
  budget: PageBudget | null = null;

  // Direct-mapped TLBs: tag is the page number or -1.
  private rTag = new Int32Array(TLB_SIZE).fill(-1);
  private rDv: DataView[] = new Array(TLB_SIZE);
  private wTag = new Int32Array(TLB_SIZE).fill(-1);
  private wDv: DataView[] = new Array(TLB_SIZE);

  // ---- page table -------------------------------------------------------------------

  /** The leaf holding vpn, or undefined. */
  private leafOf(vpn: number): Leaf | undefined {
    const dir = this.dirs[vpn >>> 20];
    return dir === undefined ? undefined : dir[(vpn >>> 10) & 1023];
  }

  private setLeaf(vpn: number, leaf: Leaf | undefined): void {
    let dir = this.dirs[vpn >>> 20];
    if (dir === undefined) {
      if (leaf === undefined) return;
      dir = this.dirs[vpn >>> 20] = new Array(1024);
    }
    dir[(vpn >>> 10) & 1023] = leaf;
  }

  /** Every leaf in use with the page number of its first page, in address order. */
  private *leaves(): Generator<[number, Leaf]> {
    for (let d = 0; d < DIRS; d++) {
      const dir = this.dirs[d];
      if (dir === undefined) continue;
      for (let i = 0; i < 1024; i++) {
        const leaf = dir[i];
        if (leaf !== undefined) yield [(d * 1024 + i) * 1024, leaf];
      }
    }
  }

  /** Protection of page vpn, or -1 when unmapped. */
  protOf(vpn: number): number {
    const leaf = this.leafOf(vpn);
    if (leaf === undefined) return -1;
    const p = leaf.prot[vpn & 1023];
    return p === 0 ? -1 : p & 7;
  }

  /** The leaf holding vpn made private to this address space. */
  private ownLeaf(vpn: number): Leaf {
    let leaf = this.leafOf(vpn);
    if (leaf === undefined) {
      leaf = new Leaf();
      this.setLeaf(vpn, leaf);
    } else if (leaf.refs > 1) {
      leaf.refs--;
      const pages = leaf.pages.slice();
      for (const p of pages) if (p !== undefined) p.refs++;
      leaf = new Leaf(pages, leaf.prot.slice(), leaf.mapped);
      this.setLeaf(vpn, leaf);
    }
    return leaf;
  }

  /** The page at vpn (mapped), materialized and private to this address space. */
  private ownPage(vpn: number): Page {
    const leaf = this.ownLeaf(vpn);
    const p = leaf.pages[vpn & 1023];
    if (p !== undefined && (p.refs === 1 || leaf.prot[vpn & 1023] & SHARED)) return p;
    const b = this.budget;
    if (b !== null && b.used >= b.limit) throw new OutOfMemory(vpn * PAGE_SIZE, 'write');
    const copy = p === undefined ? new Page() : new Page(p.u8.slice());
    if (b !== null) {
      copy.budget = b;
      if (++b.used > b.peak) b.peak = b.used;
    }
    if (p !== undefined) unref(p);
    leaf.pages[vpn & 1023] = copy;
    // Only this page's TLB slots can name the old contents.
    this.rTag[vpn & TLB_MASK] = -1;
    this.wTag[vpn & TLB_MASK] = -1;
    return copy;
  }

  flushTlb(): void {
    this.rTag.fill(-1);
    this.wTag.fill(-1);
  }

  /** Map [addr, addr+len) as zero-filled pages with prot, replacing what was there. */
  map(addr: number, len: number, prot: number, shared = false): void {
    if (!(addr >= 0 && addr + len <= ADDR_LIMIT)) throw new RangeError(`map: 0x${addr.toString(16)}+0x${len.toString(16)} is outside the guest address space`);
    const [first, end] = pageSpan(addr, len);
    let fresh = 0;
    for (let vpn = first; vpn < end; ) {
      const leaf = this.leafOf(vpn);
      const stop = Math.min(end, (Math.floor(vpn / 1024) + 1) * 1024);
      if (leaf === undefined) fresh += stop - vpn;
      else for (let v = vpn; v < stop; v++) if (leaf.prot[v & 1023] === 0) fresh++;
      vpn = stop;
    }
    if (this.mappedPages + fresh > this.maxPages) throw new RangeError('ENOMEM');
    const bits = MAPPED | prot | (shared ? SHARED : 0);
    for (let vpn = first; vpn < end; ) {
      const stop = Math.min(end, (Math.floor(vpn / 1024) + 1) * 1024);
      if (this.leafOf(vpn) === undefined) {
        // A reservation of fresh address space: one fill, no page visited.
        const leaf = new Leaf();
        leaf.prot.fill(bits, vpn & 1023, ((stop - 1) & 1023) + 1);
        leaf.mapped = stop - vpn;
        this.setLeaf(vpn, leaf);
        this.mappedPages += stop - vpn;
        if (shared) this.sharedPages += stop - vpn;
        vpn = stop;
        continue;
      }
      const leaf = this.ownLeaf(vpn);
      for (; vpn < stop; vpn++) {
        const j = vpn & 1023;
        const old = leaf.pages[j];
        if (old !== undefined) unref(old);
        leaf.pages[j] = undefined;
        if (leaf.prot[j] === 0) {
          leaf.mapped++;
          this.mappedPages++;
        }
        if (leaf.prot[j] & SHARED) this.sharedPages--;
        if (shared) this.sharedPages++;
        leaf.prot[j] = bits;
      }
    }
    this.flushTlb();
  }

  /**
   * Make mapped page vpn hold `page`, shared with whoever else holds it (a file's page):
   * reads and executes use it in place; the first write copies it, unless the mapping is
   * MAP_SHARED, which writes it in place.
   */
  sharePage(vpn: number, page: Page): void {
    const leaf = this.ownLeaf(vpn);
    const j = vpn & 1023;
    if (leaf.prot[j] === 0) throw new Error('sharePage: page not mapped');
    const old = leaf.pages[j];
    if (old !== undefined) unref(old);
    page.refs++;
    leaf.pages[j] = page;
    this.rTag[vpn & TLB_MASK] = -1;
    this.wTag[vpn & TLB_MASK] = -1;
  }

  /**
   * Move the pages of [from, from + len) to [to, to + len), which must be unmapped (mremap):
   * each keeps its contents, protection and sharing.
   */
  move(from: number, len: number, to: number): void {
    this.map(to, len, PROT_NONE);
    const [f, end] = pageSpan(from, len);
    const t = Math.floor(to / PAGE_SIZE);
    for (let vpn = f; vpn < end; vpn++) {
      const src = this.leafOf(vpn);
      const bits = src === undefined ? 0 : src.prot[vpn & 1023];
      if (bits === 0) continue;
      const page = src!.pages[vpn & 1023];
      const dvpn = t + (vpn - f);
      const dst = this.ownLeaf(dvpn);
      dst.prot[dvpn & 1023] = bits;
      if (bits & SHARED) this.sharedPages++;
      if (page !== undefined) {
        page.refs++;
        dst.pages[dvpn & 1023] = page;
      }
    }
    this.unmap(from, len);
    this.flushTlb();
  }

  unmap(addr: number, len: number): void {
    const [first, end] = pageSpan(addr, len);
    for (let vpn = first; vpn < end; ) {
      const stop = Math.min(end, (Math.floor(vpn / 1024) + 1) * 1024);
      const whole = this.leafOf(vpn);
      if (whole === undefined) {
        vpn = stop; // nothing mapped in this leaf
        continue;
      }
      if ((vpn & 1023) === 0 && stop - vpn === 1024) {
        // The whole leaf goes: drop our reference instead of visiting its pages one by one.
        for (let j = 0; j < 1024; j++) if (whole.prot[j] & SHARED) this.sharedPages--;
        this.mappedPages -= whole.mapped;
        if (--whole.refs === 0) for (const p of whole.pages) if (p !== undefined) unref(p);
        this.setLeaf(vpn, undefined);
        vpn = stop;
        continue;
      }
      for (; vpn < stop; vpn++) {
        if (this.protOf(vpn) < 0) continue;
        const leaf = this.ownLeaf(vpn);
        const j = vpn & 1023;
        const old = leaf.pages[j];
        if (old !== undefined) unref(old);
        leaf.pages[j] = undefined;
        if (leaf.prot[j] & SHARED) this.sharedPages--;
        leaf.prot[j] = 0;
        this.mappedPages--;
        if (--leaf.mapped === 0) {
          this.setLeaf(vpn, undefined);
          vpn = stop;
          break;
        }
      }
    }
    this.flushTlb();
  }

  /** Change protection; returns false if some page in the range is unmapped (ENOMEM). */
  protect(addr: number, len: number, prot: number): boolean {
    const [first, end] = pageSpan(addr, len);
    for (let vpn = first; vpn < end; vpn++) if (this.protOf(vpn) < 0) return false;
    for (let vpn = first; vpn < end; vpn++) {
      if (this.protOf(vpn) !== prot) {
        const leaf = this.ownLeaf(vpn);
        leaf.prot[vpn & 1023] = MAPPED | prot | (leaf.prot[vpn & 1023] & (SHARED | PAST_EOF));
      }
    }
    this.flushTlb();
    return true;
  }

  /** Mark the mapped pages of [addr, addr+len) as past the end of their file (see PAST_EOF). */
  markPastEof(addr: number, len: number): void {
    const [first, end] = pageSpan(addr, len);
    for (let vpn = first; vpn < end; vpn++) {
      if (this.protOf(vpn) < 0) continue;
      const leaf = this.ownLeaf(vpn);
      leaf.prot[vpn & 1023] |= PAST_EOF;
    }
    this.flushTlb();
  }

  /** The page table's bits for vpn (0: unmapped): one lookup for the slow paths of the TLBs. */
  private bitsOf(vpn: number): number {
    return this.leafOf(vpn)?.prot[vpn & 1023] ?? 0;
  }

  /** True if any page of the range is mapped. */
  anyMapped(addr: number, len: number): boolean {
    const [first, end] = pageSpan(addr, len);
    for (let vpn = first; vpn < end; ) {
      const leaf = this.leafOf(vpn);
      const stop = Math.min(end, (Math.floor(vpn / 1024) + 1) * 1024);
      if (leaf !== undefined) for (let v = vpn; v < stop; v++) if (leaf.prot[v & 1023] !== 0) return true;
      vpn = stop;
    }
    return false;
  }

  /** Lowest page-aligned free gap of len bytes in [from, limit); -1 if none. */
  findFree(from: number, len: number, limit: number): number {
    const pages = Math.ceil(len / PAGE_SIZE);
    const lim = Math.floor(Math.min(limit, ADDR_LIMIT) / PAGE_SIZE);
    let start = Math.ceil(from / PAGE_SIZE);
    let run = 0;
    for (let v = start; v < lim; ) {
      const leaf = this.leafOf(v);
      if (leaf === undefined) {
        // An absent leaf (or directory) is free as far as it goes: step over it at once.
        const span = this.dirs[v >>> 20] === undefined ? 1024 * 1024 : 1024;
        const stop = Math.min(lim, (Math.floor(v / span) + 1) * span);
        if (run === 0) start = v;
        run += stop - v;
        if (run >= pages) return start * PAGE_SIZE;
        v = stop;
        continue;
      }
      if (leaf.prot[v & 1023] === 0) {
        if (run === 0) start = v;
        if (++run >= pages) return start * PAGE_SIZE;
      } else run = 0;
      v++;
    }
    return -1;
  }

  /** Runs of mapped pages with one protection, in address order: [first vpn, end vpn, prot]. */
  *regions(): Generator<[number, number, number]> {
    let cur: [number, number, number] | null = null;
    for (const [base, leaf] of this.leaves()) {
      for (let j = 0; j < 1024; j++) {
        const p = leaf.prot[j];
        if (p === 0) continue;
        const vpn = base + j;
        if (cur !== null && cur[1] === vpn && cur[2] === (p & 7)) cur[1]++;
        else {
          if (cur !== null) yield cur;
          cur = [vpn, vpn + 1, p & 7];
        }
      }
    }
    if (cur !== null) yield cur;
  }

  /** A copy-on-write twin: shares every leaf and page until one side writes. */
  fork(): Memory {
    if (this.sharedPages > 0) this.materializeShared();
    const child = new Memory();
    child.maxPages = this.maxPages;
    child.budget = this.budget;
    child.mappedPages = this.mappedPages;
    child.sharedPages = this.sharedPages;
    for (let d = 0; d < DIRS; d++) {
      const dir = this.dirs[d];
      if (dir === undefined) continue;
      for (const leaf of dir) if (leaf !== undefined) leaf.refs++;
      child.dirs[d] = dir.slice();
    }
    // Our write TLB points at pages that are now shared.
    this.flushTlb();
    return child;
  }

  /**
   * Give this space a private copy of every touched writable data page (code and MAP_SHARED
   * pages stay shared): what a fork that snapshots writable memory costs, as the rollback
   * fork did.
   */
  copyWritable(): void {
    for (const [base] of [...this.leaves()]) {
      for (let j = 0; j < 1024; j++) {
        // ownPage may replace the leaf with a private copy: look at the current one.
        const cur = this.leafOf(base)!;
        if (cur.pages[j] !== undefined && (cur.prot[j] & (PROT_WRITE | PROT_EXEC | SHARED)) === PROT_WRITE) this.ownPage(base + j);
      }
    }
  }

  /**
   * The private pages of [addr, addr+len) mapped in both spaces take src's contents (shared
   * copy-on-write); protections stay this space's. What the legacy rollback keeps of a child.
   */
  adoptPages(src: Memory, addr: number, len: number): void {
    const [first, end] = pageSpan(addr, len);
    for (let vpn = first; vpn < end; vpn++) {
      const j = vpn & 1023;
      const from = src.leafOf(vpn);
      if (this.protOf(vpn) < 0 || from === undefined || from.prot[j] === 0) continue;
      const page = from.pages[j];
      const mine = this.leafOf(vpn)!;
      if (mine.pages[j] === page || mine.prot[j] & SHARED) continue;
      const leaf = this.ownLeaf(vpn);
      const old = leaf.pages[j];
      if (old !== undefined) unref(old);
      if (page !== undefined) page.refs++;
      leaf.pages[j] = page;
      this.rTag[vpn & TLB_MASK] = -1;
      this.wTag[vpn & TLB_MASK] = -1;
    }
  }

  /** Give every untouched MAP_SHARED page its physical page, so both sides of a fork hold it. */
  private materializeShared(): void {
    for (const [base] of [...this.leaves()]) {
      for (let j = 0; j < 1024; j++) {
        const cur = this.leafOf(base)!;
        if (cur.prot[j] & SHARED && cur.pages[j] === undefined) this.ownPage(base + j);
      }
    }
  }

  /** Drop every mapping (exit or exec), releasing shared pages. */
  release(): void {
    for (const [, leaf] of this.leaves()) if (--leaf.refs === 0) for (const p of leaf.pages) if (p !== undefined) unref(p);
    this.dirs = new Array(DIRS);
    this.mappedPages = 0;
    this.sharedPages = 0;
    this.flushTlb();
  }

  /** Pages with contents of their own (touched), for accounting. */
  touchedPages(): number {
    let n = 0;
    for (const [, leaf] of this.leaves()) for (const p of leaf.pages) if (p !== undefined) n++;
    return n;
  }

  /** Kernel read that ignores protections (mremap copies); unmapped pages fault. */
  peek(addr: number, len: number): Uint8Array {
    checkRange(addr, len, 'read');
    const out = new Uint8Array(len);
    eachChunk(addr, len, (a, off, n, done) => {
      const vpn = Math.floor(a / PAGE_SIZE);
      if (this.protOf(vpn) < 0) throw new MemFault(a, 'read', false);
      const p = this.leafOf(vpn)!.pages[vpn & 1023];
      if (p !== undefined) out.set(p.u8.subarray(off, off + n), done);
    });
    return out;
  }

  // ---- fast paths for the CPU ---------------------------------------------------------

  // Page numbers: addr * PER_PAGE truncated, exact for every address below ADDR_LIMIT; an
  // address outside fails the range check before its page number is used.

  /** DataView of the readable page holding addr. */
  readView(addr: number): DataView {
    const vpn = (addr * PER_PAGE) | 0;
    const slot = vpn & TLB_MASK;
    if (this.rTag[slot] === vpn && addr < ADDR_LIMIT && addr >= 0) return this.rDv[slot];
    if (!(addr >= 0 && addr < ADDR_LIMIT)) throw new MemFault(addr, 'read', false);
    const leaf = this.leafOf(vpn);
    const prot = leaf === undefined ? 0 : leaf.prot[vpn & 1023];
    if ((prot & PROT_READ) === 0) throw new MemFault(addr, 'read', prot !== 0);
    if (prot & PAST_EOF) throw new MemFault(addr, 'read', true, false, true);
    const dv = (leaf!.pages[vpn & 1023] ?? ZERO).dv;
    this.rTag[slot] = vpn;
    this.rDv[slot] = dv;
    return dv;
  }

  /** DataView of the writable, private page holding addr; drops decoded code on it. */
  writeView(addr: number): DataView {
    const vpn = (addr * PER_PAGE) | 0;
    const slot = vpn & TLB_MASK;
    if (this.wTag[slot] === vpn && addr < ADDR_LIMIT && addr >= 0) return this.wDv[slot];
    if (!(addr >= 0 && addr < ADDR_LIMIT)) throw new MemFault(addr, 'write', false);
    const bits = this.bitsOf(vpn);
    if ((bits & PROT_WRITE) === 0) throw new MemFault(addr, 'write', bits !== 0);
    if (bits & PAST_EOF) throw new MemFault(addr, 'write', true, false, true);
    const p = this.ownPage(vpn);
    if (p.decoded !== null) p.decoded = null;
    this.wTag[slot] = vpn;
    this.wDv[slot] = p.dv;
    this.rTag[slot] = vpn; // the read TLB may still hold the pre-copy page
    this.rDv[slot] = p.dv;
    return p.dv;
  }

  /** The executable page holding addr (materialized so decoded code can hang off it). */
  execPage(addr: number): Page {
    const vpn = (addr * PER_PAGE) | 0;
    const bits = addr >= 0 && addr < ADDR_LIMIT ? this.bitsOf(vpn) : 0;
    if ((bits & PROT_EXEC) === 0) throw new MemFault(addr, 'exec', bits !== 0);
    if (bits & PAST_EOF) throw new MemFault(addr, 'exec', true, false, true);
    const leaf = this.leafOf(vpn)!;
    let p = leaf.pages[vpn & 1023];
    if (p === undefined) {
      p = this.ownPage(vpn);
    }
    if (p.decoded === null) {
      // Later writes must miss the write TLB once, to drop the decoded code.
      this.wTag.fill(-1);
    }
    return p;
  }

  /** Kernel write that ignores protections (ELF loading, signal frames on read-only pages never). */
  poke(addr: number, data: Uint8Array): void {
    checkRange(addr, data.length, 'write');
    eachChunk(addr, data.length, (a, off, n, done) => {
      const vpn = Math.floor(a / PAGE_SIZE);
      if (this.protOf(vpn) < 0) throw new MemFault(a, 'write', false);
      const p = this.ownPage(vpn);
      p.decoded = null;
      p.u8.set(data.subarray(done, done + n), off);
    });
  }

  load8(addr: number): number {
    return this.readView(addr).getInt8(addr & PAGE_MASK);
  }
  load16(addr: number): number {
    const off = addr & PAGE_MASK;
    if (off <= PAGE_SIZE - 2) return this.readView(addr).getInt16(off, true);
    return (this.load8(addr) & 0xff) | (this.load8(addr + 1) << 8);
  }
  load32(addr: number): number {
    const off = addr & PAGE_MASK;
    if (off <= PAGE_SIZE - 4) return this.readView(addr).getInt32(off, true);
    return (this.load16(addr) & 0xffff) | (this.load16(addr + 2) << 16);
  }
  store8(addr: number, v: number): void {
    this.writeView(addr).setInt8(addr & PAGE_MASK, v);
  }
  store16(addr: number, v: number): void {
    const off = addr & PAGE_MASK;
    if (off <= PAGE_SIZE - 2) this.writeView(addr).setInt16(off, v, true);
    else {
      // Check both pages before writing either, so a fault leaves memory untouched.
      this.writeView(addr + 1);
      this.store8(addr, v);
      this.store8(addr + 1, v >> 8);
    }
  }
  store32(addr: number, v: number): void {
    const off = addr & PAGE_MASK;
    if (off <= PAGE_SIZE - 4) this.writeView(addr).setInt32(off, v, true);
    else {
      this.writeView(addr + 3);
      for (let i = 0; i < 4; i++) this.store8(addr + i, v >> (8 * i));
    }
  }

  // ---- bulk access for the kernel (throws MemFault; callers turn it into EFAULT) ------

  /** MemFault unless every page of [addr, addr+len) is mapped with `access` allowed. */
  assertAccess(addr: number, len: number, access: 'read' | 'write'): void {
    checkRange(addr, len, access);
    const need = access === 'read' ? PROT_READ : PROT_WRITE;
    for (let vpn = Math.floor(addr / PAGE_SIZE); vpn * PAGE_SIZE < addr + len; vpn++) {
      const prot = this.protOf(vpn);
      if (prot < 0 || !(prot & need)) throw new MemFault(Math.max(vpn * PAGE_SIZE, addr), access, prot >= 0);
    }
  }

  read(addr: number, len: number): Uint8Array {
    checkRange(addr, len, 'read');
    // A large read of memory that is not there faults before anything is allocated.
    if (len > 1 << 20) this.assertAccess(addr, len, 'read');
    const out = new Uint8Array(len);
    this.readInto(addr, out);
    return out;
  }

  readInto(addr: number, out: Uint8Array): void {
    checkRange(addr, out.length, 'read');
    eachChunk(addr, out.length, (a, off, n, done) => {
      const dv = this.readView(a);
      out.set(new Uint8Array(dv.buffer, dv.byteOffset + off, n), done);
    });
  }

  write(addr: number, data: Uint8Array): void {
    checkRange(addr, data.length, 'write');
    // Probe every page first: a fault must not leave a partial write behind.
    eachChunk(addr, data.length, (a) => this.writeView(a));
    eachChunk(addr, data.length, (a, off, n, done) => {
      const dv = this.writeView(a);
      new Uint8Array(dv.buffer, dv.byteOffset + off, n).set(data.subarray(done, done + n));
    });
  }

  /** NUL-terminated string of at most max bytes (without the NUL); null if longer. */
  readCString(addr: number, max = 4096): Uint8Array | null {
    const bytes: number[] = [];
    for (let i = 0; i < max; i++) {
      checkRange(addr + i, 1, 'read');
      const b = this.load8(addr + i) & 0xff;
      if (b === 0) return Uint8Array.from(bytes);
      bytes.push(b);
    }
    return null;
  }

  readU64(addr: number): bigint {
    checkRange(addr, 8, 'read');
    const lo = this.load32(addr) >>> 0;
    const hi = this.load32(addr + 4) >>> 0;
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  writeU32(addr: number, v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, v, true);
    this.write(addr, b);
  }

  writeU64(addr: number, v: bigint): void {
    checkRange(addr, 8, 'write');
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
    this.write(addr, b);
  }
}

/** Split [addr, addr+len) at page boundaries: fn(address, offset in page, length, bytes before). */
function eachChunk(addr: number, len: number, fn: (a: number, off: number, n: number, done: number) => void): void {
  for (let done = 0; done < len; ) {
    const a = addr + done;
    const off = a & PAGE_MASK;
    const n = Math.min(PAGE_SIZE - off, len - done);
    fn(a, off, n, done);
    done += n;
  }
}

function checkRange(addr: number, len: number, access: 'read' | 'write'): void {
  if (!(addr >= 0 && addr + len <= ADDR_LIMIT)) throw new MemFault(addr, access, false);
}
