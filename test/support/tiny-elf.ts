// A minimal static RISC-V ELF64 executable: code in one R+X PT_LOAD at CODE_ADDR (the
// entry point), optional data in one R+W PT_LOAD. No sections, no interpreter: enough for
// the Linux loader (and qemu-riscv64) to run it, and small enough to read in a hex dump.

export const CODE_ADDR = 0x10000;
/** Default data address: far enough above the code for any test program. */
export const DATA_ADDR = 0x200000;

const EHDR = 64;
const PHDR = 56;
const PAGE = 0x1000;
const EM_RISCV = 243;
const EF_RVC_DOUBLE = 0x5; // EF_RISCV_RVC | EF_RISCV_FLOAT_ABI_DOUBLE
const PT_LOAD = 1;
const PF_X = 1;
const PF_W = 2;
const PF_R = 4;

interface TinyElfOptions {
  code: Uint8Array;
  /** Initial contents of the data segment. */
  data?: Uint8Array;
  /** Data address (page aligned); DATA_ADDR by default. */
  dataAddr?: number;
  /** Zero-filled bytes after data (p_memsz > p_filesz). */
  bss?: number;
}

const alignUp = (v: number, a: number) => Math.ceil(v / a) * a;

export function tinyElf(opts: TinyElfOptions): Uint8Array {
  const data = opts.data ?? new Uint8Array(0);
  const bss = opts.bss ?? 0;
  const hasData = data.length + bss > 0;
  const dataAddr = opts.dataAddr ?? DATA_ADDR;
  if (dataAddr % PAGE !== 0) throw new RangeError(`data address 0x${dataAddr.toString(16)} is not page aligned`);
  if (hasData && dataAddr < alignUp(CODE_ADDR + opts.code.length, PAGE))
    throw new RangeError(`code of ${opts.code.length} bytes overlaps the data segment at 0x${dataAddr.toString(16)}`);

  const phnum = hasData ? 2 : 1;
  // File offsets are congruent to the vaddrs modulo the page size, as the loader requires.
  const codeOff = PAGE;
  const dataOff = alignUp(codeOff + opts.code.length, PAGE);
  const size = hasData ? dataOff + data.length : codeOff + opts.code.length;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  const u16 = (o: number, v: number) => dv.setUint16(o, v, true);
  const u32 = (o: number, v: number) => dv.setUint32(o, v, true);
  const u64 = (o: number, v: number) => dv.setBigUint64(o, BigInt(v), true);

  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]); // ELF, 64-bit, little endian, version 1, SysV ABI
  u16(16, 2); // ET_EXEC
  u16(18, EM_RISCV);
  u32(20, 1);
  u64(24, CODE_ADDR); // e_entry
  u64(32, EHDR); // e_phoff
  u64(40, 0); // e_shoff
  u32(48, EF_RVC_DOUBLE);
  u16(52, EHDR);
  u16(54, PHDR);
  u16(56, phnum);
  u16(58, 64); // e_shentsize (no sections)
  u16(60, 0);
  u16(62, 0);

  const phdr = (i: number, flags: number, off: number, vaddr: number, filesz: number, memsz: number) => {
    const b = EHDR + i * PHDR;
    u32(b, PT_LOAD);
    u32(b + 4, flags);
    u64(b + 8, off);
    u64(b + 16, vaddr);
    u64(b + 24, vaddr);
    u64(b + 32, filesz);
    u64(b + 40, memsz);
    u64(b + 48, PAGE);
  };
  phdr(0, PF_R | PF_X, codeOff, CODE_ADDR, opts.code.length, opts.code.length);
  out.set(opts.code, codeOff);
  if (hasData) {
    phdr(1, PF_R | PF_W, dataOff, dataAddr, data.length, data.length + bss);
    out.set(data, dataOff);
  }
  return out;
}
