// Sparse paged guest memory with page-level copy-on-write.
//
// The guest address space is the low 4 GiB: every valid address fits an unsigned
// 32-bit number, so page numbers are small integers and the hot paths never touch
// BigInt. A two-level table (1024 leaves of 1024 pages) lets fork share whole leaves,
// so fork costs O(leaves) and each later write copies one page at most once.

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
export const PAGE_MASK = PAGE_SIZE - 1;
export const ADDR_LIMIT = 0x1_0000_0000;

export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;

/** A guest memory access that the page table refuses: becomes SIGSEGV (or EFAULT in a syscall). */
export class MemFault extends Error {
  constructor(
    readonly addr: number,
    readonly access: 'read' | 'write' | 'exec',
    readonly mapped: boolean,
  ) {
    super(`${access} fault at 0x${addr.toString(16)}${mapped ? ' (permission)' : ' (unmapped)'}`);
  }
}

/** One physical page; shared between address spaces until written (refs > 1). */
export class Page {
  refs = 1;
  /** Pre-decoded instructions of this page, owned by the CPU layer; shared with the page. */
  decoded: unknown[] | null = null;
  readonly dv: DataView;
  constructor(
    readonly u8: Uint8Array,
    public prot: number,
  ) {
    this.dv = new DataView(u8.buffer, u8.byteOffset, PAGE_SIZE);
  }
  clone(): Page {
    return new Page(this.u8.slice(), this.prot);
  }
}

class Leaf {
  refs = 1;
  constructor(readonly pages: (Page | undefined)[] = new Array(1024)) {}
}

const TLB_BITS = 8;
const TLB_SIZE = 1 << TLB_BITS;
const TLB_MASK = TLB_SIZE - 1;

export class Memory {
  private l1: (Leaf | undefined)[] = new Array(1024);
  /** Pages resident in this address space (for accounting and limits). */
  resident = 0;
  /** Upper bound on resident pages; allocation beyond it is ENOMEM for the caller. */
  maxResident = 1 << 20;

  // Direct-mapped TLBs: tag is the page number or -1; the read TLB also serves exec-checked fetches.
  private rTag = new Int32Array(TLB_SIZE).fill(-1);
  private rDv: DataView[] = new Array(TLB_SIZE);
  private wTag = new Int32Array(TLB_SIZE).fill(-1);
  private wDv: DataView[] = new Array(TLB_SIZE);

  // ---- page table -------------------------------------------------------------------

  /** The page holding vpn, or undefined. */
  page(vpn: number): Page | undefined {
    const leaf = this.l1[vpn >>> 10];
    return leaf === undefined ? undefined : leaf.pages[vpn & 1023];
  }

  private ownLeaf(vpn: number): Leaf {
    const i = vpn >>> 10;
    let leaf = this.l1[i];
    if (leaf === undefined) {
      leaf = new Leaf();
      this.l1[i] = leaf;
    } else if (leaf.refs > 1) {
      leaf.refs--;
      const pages = leaf.pages.slice();
      for (const p of pages) if (p !== undefined) p.refs++;
      leaf = new Leaf(pages);
      this.l1[i] = leaf;
    }
    return leaf;
  }

  /** The page at vpn made private to this address space (copying it if shared). */
  ownPage(vpn: number): Page | undefined {
    const leaf = this.ownLeaf(vpn);
    const p = leaf.pages[vpn & 1023];
    if (p === undefined || p.refs === 1) return p;
    p.refs--;
    const copy = p.clone();
    leaf.pages[vpn & 1023] = copy;
    this.flushTlb();
    return copy;
  }

  private setPage(vpn: number, p: Page | undefined): void {
    const leaf = this.ownLeaf(vpn);
    const old = leaf.pages[vpn & 1023];
    if (old !== undefined) {
      old.refs--;
      this.resident--;
    }
    if (p !== undefined) this.resident++;
    leaf.pages[vpn & 1023] = p;
  }

  flushTlb(): void {
    this.rTag.fill(-1);
    this.wTag.fill(-1);
  }

  /** Map [addr, addr+len) as fresh zero pages with prot (replacing what was there). */
  map(addr: number, len: number, prot: number): void {
    const first = Math.floor(addr / PAGE_SIZE);
    const end = Math.ceil((addr + len) / PAGE_SIZE);
    if (end - first + this.resident > this.maxResident) throw new RangeError('ENOMEM');
    for (let vpn = first; vpn < end; vpn++) this.setPage(vpn, new Page(new Uint8Array(PAGE_SIZE), prot));
    this.flushTlb();
  }

  unmap(addr: number, len: number): void {
    const first = Math.floor(addr / PAGE_SIZE);
    const end = Math.ceil((addr + len) / PAGE_SIZE);
    for (let vpn = first; vpn < end; vpn++) if (this.page(vpn) !== undefined) this.setPage(vpn, undefined);
    this.flushTlb();
  }

  /** Change protection; returns false if some page in the range is unmapped (ENOMEM). */
  protect(addr: number, len: number, prot: number): boolean {
    const first = Math.floor(addr / PAGE_SIZE);
    const end = Math.ceil((addr + len) / PAGE_SIZE);
    for (let vpn = first; vpn < end; vpn++) if (this.page(vpn) === undefined) return false;
    for (let vpn = first; vpn < end; vpn++) {
      const p = this.page(vpn)!;
      if (p.prot !== prot) this.ownPage(vpn)!.prot = prot;
    }
    this.flushTlb();
    return true;
  }

  isMapped(addr: number, len: number): boolean {
    const first = Math.floor(addr / PAGE_SIZE);
    const end = Math.ceil((addr + len) / PAGE_SIZE);
    for (let vpn = first; vpn < end; vpn++) if (this.page(vpn) !== undefined) return true;
    return false;
  }

  /** Lowest page-aligned gap of len bytes at or above hint, below limit; -1 if none. */
  findFree(hint: number, len: number, limit: number): number {
    const pages = Math.ceil(len / PAGE_SIZE);
    let vpn = Math.ceil(hint / PAGE_SIZE);
    const lim = Math.floor(limit / PAGE_SIZE);
    let run = 0;
    for (let v = vpn; v < lim; v++) {
      if (this.page(v) === undefined) {
        if (run === 0) vpn = v;
        if (++run === pages) return vpn * PAGE_SIZE;
      } else run = 0;
    }
    return -1;
  }

  /** A copy-on-write twin: shares every leaf and page until one side writes. */
  fork(): Memory {
    const child = new Memory();
    child.maxResident = this.maxResident;
    child.resident = this.resident;
    for (let i = 0; i < 1024; i++) {
      const leaf = this.l1[i];
      if (leaf !== undefined) {
        leaf.refs++;
        child.l1[i] = leaf;
      }
    }
    // Our own write TLB may point at pages that are now shared.
    this.flushTlb();
    return child;
  }

  /** Drop every mapping (exit or exec), releasing shared pages. */
  release(): void {
    for (let i = 0; i < 1024; i++) {
      const leaf = this.l1[i];
      if (leaf === undefined) continue;
      if (--leaf.refs === 0) for (const p of leaf.pages) if (p !== undefined) p.refs--;
      this.l1[i] = undefined;
    }
    this.resident = 0;
    this.flushTlb();
  }

  // ---- fast paths for the CPU ---------------------------------------------------------

  /** DataView of the readable page holding addr (addr < 2^32 checked by the caller). */
  readView(addr: number): DataView {
    const vpn = addr >>> PAGE_SHIFT;
    const slot = vpn & TLB_MASK;
    if (this.rTag[slot] === vpn) return this.rDv[slot];
    const p = this.page(vpn);
    if (p === undefined || (p.prot & PROT_READ) === 0) throw new MemFault(addr, 'read', p !== undefined);
    this.rTag[slot] = vpn;
    this.rDv[slot] = p.dv;
    return p.dv;
  }

  /** DataView of the writable, private page holding addr; invalidates decoded code on it. */
  writeView(addr: number): DataView {
    const vpn = addr >>> PAGE_SHIFT;
    const slot = vpn & TLB_MASK;
    if (this.wTag[slot] === vpn) return this.wDv[slot];
    let p = this.page(vpn);
    if (p === undefined || (p.prot & PROT_WRITE) === 0) throw new MemFault(addr, 'write', p !== undefined);
    if (p.refs > 1 || this.l1[vpn >>> 10]!.refs > 1) p = this.ownPage(vpn)!;
    if (p.decoded !== null) p.decoded = null;
    this.wTag[slot] = vpn;
    this.wDv[slot] = p.dv;
    // The read TLB may hold the pre-copy page.
    this.rTag[slot] = vpn;
    this.rDv[slot] = p.dv;
    return p.dv;
  }

  /** The executable page holding addr. */
  execPage(addr: number): Page {
    const p = addr < ADDR_LIMIT && addr >= 0 ? this.page(addr >>> PAGE_SHIFT) : undefined;
    if (p === undefined || (p.prot & PROT_EXEC) === 0) throw new MemFault(addr, 'exec', p !== undefined);
    return p;
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

  read(addr: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    this.readInto(addr, out);
    return out;
  }

  readInto(addr: number, out: Uint8Array): void {
    checkRange(addr, out.length, 'read');
    let done = 0;
    while (done < out.length) {
      const a = addr + done;
      const off = a & PAGE_MASK;
      const n = Math.min(PAGE_SIZE - off, out.length - done);
      const dv = this.readView(a);
      out.set(new Uint8Array(dv.buffer, dv.byteOffset + off, n), done);
      done += n;
    }
  }

  write(addr: number, data: Uint8Array): void {
    checkRange(addr, data.length, 'write');
    // Probe every page first: a fault must not leave a partial write behind.
    for (let a = addr; a < addr + data.length; a = (a | PAGE_MASK) + 1) this.writeView(a);
    if (data.length > 0) this.writeView(addr + data.length - 1);
    let done = 0;
    while (done < data.length) {
      const a = addr + done;
      const off = a & PAGE_MASK;
      const n = Math.min(PAGE_SIZE - off, data.length - done);
      const dv = this.writeView(a);
      new Uint8Array(dv.buffer, dv.byteOffset + off, n).set(data.subarray(done, done + n));
      done += n;
    }
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

  writeU64(addr: number, v: bigint): void {
    checkRange(addr, 8, 'write');
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
    this.write(addr, b);
  }
}

function checkRange(addr: number, len: number, access: 'read' | 'write'): void {
  if (!(addr >= 0 && addr + len <= ADDR_LIMIT)) throw new MemFault(addr, access, false);
}
