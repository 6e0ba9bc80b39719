// ELF64 loader for RISC-V executables (ET_EXEC, PIE and static-pie ET_DYN) and their ELF
// interpreters (ld.so).

import { contentPage } from './content-pages.ts';
import { ADDR_LIMIT, type Memory, PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE } from './memory.ts';
import { STACK_SIZE, STACK_TOP } from './stack.ts';

/** A file that is not a loadable riscv64 ELF; the message is one line and names the fix. */
export class ElfError extends Error {}

export const PT_LOAD = 1;
export const PT_INTERP = 3;
export const PT_PHDR = 6;
const EM_RISCV = 243;
const ET_EXEC = 2;
const ET_DYN = 3;

/** Where a PIE or static-pie is placed: Linux randomizes; we do not. */
export const PIE_BASE = 0x10_0000;
/** Linux's limit on the program header table (load_elf_phdrs: at most one page). */
const MAX_PHDRS_BYTES = 4096;
/** Longest PT_INTERP path Linux reads (PATH_MAX). */
const MAX_INTERP = 4096;

export interface Segment {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
}

export interface ElfInfo {
  type: number;
  entry: number;
  phoff: number;
  phentsize: number;
  phnum: number;
  segments: Segment[];
  /** The PT_INTERP path (ld.so), or null for a static program. */
  interp: string | null;
}

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

export function parseElf(bytes: Uint8Array, name = 'file'): ElfInfo {
  if (!isElf(bytes)) throw new ElfError(`${name}: not an ELF file (bad magic)`);
  if (bytes.length < 64) throw new ElfError(`${name}: truncated ELF header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[4] !== 2) throw new ElfError(`${name}: 32-bit ELF; procsim runs riscv64 (ELF64) programs`);
  if (bytes[5] !== 1) throw new ElfError(`${name}: big-endian ELF; riscv64 is little-endian`);
  const type = dv.getUint16(16, true);
  const machine = dv.getUint16(18, true);
  if (machine !== EM_RISCV) {
    throw new ElfError(`${name}: ELF for machine ${machine}, not RISC-V (243): build with riscv64-linux-gnu-gcc`);
  }
  if (type !== ET_EXEC && type !== ET_DYN) throw new ElfError(`${name}: ELF type ${type} is not an executable`);
  const entry = num64(dv, 24, name);
  const phoff = num64(dv, 32, name);
  const phentsize = dv.getUint16(54, true);
  const phnum = dv.getUint16(56, true);
  if (phentsize !== 56) throw new ElfError(`${name}: program header size ${phentsize}, expected 56`);
  if (phnum === 0 || phnum * phentsize > MAX_PHDRS_BYTES) {
    throw new ElfError(`${name}: ${phnum} program headers (Linux accepts 1 to ${Math.floor(MAX_PHDRS_BYTES / phentsize)})`);
  }
  if (phoff + phnum * phentsize > bytes.length) throw new ElfError(`${name}: program headers beyond end of file`);
  const segments: Segment[] = [];
  let interp: string | null = null;
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    const seg: Segment = {
      type: dv.getUint32(o, true),
      flags: dv.getUint32(o + 4, true),
      offset: num64(dv, o + 8, name),
      vaddr: num64(dv, o + 16, name),
      filesz: num64(dv, o + 32, name),
      memsz: num64(dv, o + 40, name),
    };
    if (seg.type === PT_INTERP) {
      // Linux: a NUL-terminated path of 2..PATH_MAX bytes inside the file, at most one.
      if (interp !== null) throw new ElfError(`${name}: more than one PT_INTERP`);
      if (seg.filesz < 2 || seg.filesz > MAX_INTERP || seg.offset + seg.filesz > bytes.length) {
        throw new ElfError(`${name}: PT_INTERP of ${seg.filesz} bytes at ${seg.offset} is malformed`);
      }
      const path = bytes.subarray(seg.offset, seg.offset + seg.filesz);
      if (path[path.length - 1] !== 0) throw new ElfError(`${name}: PT_INTERP path is not NUL-terminated`);
      interp = String.fromCharCode(...path.subarray(0, path.indexOf(0)));
    }
    if (seg.type === PT_LOAD) {
      if (seg.offset + seg.filesz > bytes.length) throw new ElfError(`${name}: segment ${i} extends beyond end of file`);
      if (seg.filesz > seg.memsz) throw new ElfError(`${name}: segment ${i} has filesz > memsz`);
    }
    segments.push(seg);
  }
  if (!segments.some((s) => s.type === PT_LOAD)) throw new ElfError(`${name}: no loadable segment`);
  return { type, entry, phoff, phentsize, phnum, segments, interp };
}

function num64(dv: DataView, off: number, name: string): number {
  const v = dv.getBigUint64(off, true);
  if (v >= BigInt(ADDR_LIMIT)) throw new ElfError(`${name}: address 0x${v.toString(16)} outside the ${ADDR_LIMIT / 2 ** 30} GiB guest address space`);
  return Number(v);
}

/** Copy the part of segment s's file bytes that falls in the page at `at` (file offset = at + shift). */
function pokeClipped(mem: Memory, bytes: Uint8Array, s: Segment, at: number, shift: number): void {
  const lo = Math.max(at + shift, s.offset);
  const hi = Math.min(at + shift + PAGE_SIZE, s.offset + s.filesz);
  if (lo < hi) mem.poke(lo - shift, bytes.subarray(lo, hi));
}

export interface LoadedImage {
  entry: number;
  /** Address of the program headers in guest memory (AT_PHDR). */
  phdr: number;
  phent: number;
  phnum: number;
  /** First byte after the highest segment, page-aligned: the initial program break. */
  brk: number;
  base: number;
  /** The writable PT_LOAD segments (.data, .bss) as loaded: [start, end) byte ranges. */
  writable: [number, number][];
}

const loads = (info: ElfInfo): Segment[] => info.segments.filter((s) => s.type === PT_LOAD);
const lowestPage = (info: ElfInfo): number => Math.floor(Math.min(...loads(info).map((s) => s.vaddr)) / PAGE_SIZE) * PAGE_SIZE;

/** Bytes from the lowest to the end of the highest PT_LOAD segment, page-aligned. */
export function loadSpan(info: ElfInfo): number {
  const hi = Math.max(...loads(info).map((s) => s.vaddr + s.memsz));
  return Math.ceil(hi / PAGE_SIZE) * PAGE_SIZE - lowestPage(info);
}

export interface LoadOptions {
  /** The file's name, for messages. */
  name?: string;
  /** Where an ET_DYN goes: PIE_BASE for a main program, a free spot in the mmap area for ld.so. */
  dynBase?: number;
  /** `bytes` never change (a file as seeded): whole file pages are mapped as shared content pages. */
  immutable?: boolean;
}

/** Map the PT_LOAD segments of a parsed ELF into mem: an ET_EXEC at its link addresses, an ET_DYN at dynBase. */
export function loadElf(mem: Memory, bytes: Uint8Array, info: ElfInfo, opts: LoadOptions = {}): LoadedImage {
  const { name = 'file', dynBase = PIE_BASE, immutable = false } = opts;
  const base = info.type === ET_DYN ? dynBase - lowestPage(info) : 0;
  let end = 0;
  let phdr = -1;
  const writable: [number, number][] = [];
  for (const s of info.segments) {
    if (s.type === PT_PHDR) phdr = base + s.vaddr;
    if (s.type !== PT_LOAD || s.memsz === 0) continue;
    const start = base + s.vaddr;
    if (start + s.memsz > ADDR_LIMIT) throw new ElfError(`${name}: segment at 0x${start.toString(16)} ends outside the guest address space`);
    if (start < STACK_TOP + PAGE_SIZE && start + s.memsz > STACK_TOP - STACK_SIZE) throw new ElfError(`${name}: segment at 0x${start.toString(16)} overlaps the stack area`);
    const prot =
      (s.flags & 4 ? PROT_READ : 0) | (s.flags & 2 ? PROT_WRITE : 0) | (s.flags & 1 ? PROT_EXEC : 0);
    // Segments may share a page at their edges: keep what is there and widen its protection.
    const first = Math.floor(start / PAGE_SIZE);
    const last = Math.ceil((start + s.memsz) / PAGE_SIZE);
    // Pages wholly inside the file part, of immutable bytes, are shared content pages.
    const shift = s.offset - start;
    const shareable = immutable && shift % PAGE_SIZE === 0;
    for (let vpn = first; vpn < last; ) {
      const old = mem.protOf(vpn);
      if (old >= 0) {
        mem.protect(vpn * PAGE_SIZE, PAGE_SIZE, old | prot);
        pokeClipped(mem, bytes, s, vpn * PAGE_SIZE, shift);
        vpn++;
        continue;
      }
      // A run of unmapped pages is mapped in one call (each call flushes the TLBs).
      let end = vpn + 1;
      while (end < last && mem.protOf(end) < 0) end++;
      mem.map(vpn * PAGE_SIZE, (end - vpn) * PAGE_SIZE, prot);
      for (; vpn < end; vpn++) {
        const at = vpn * PAGE_SIZE;
        if (shareable && at >= start && at + PAGE_SIZE <= start + s.filesz) mem.sharePage(vpn, contentPage(bytes, (at + shift) / PAGE_SIZE));
        else pokeClipped(mem, bytes, s, at, shift);
      }
    }
    if (phdr < 0 && info.phoff >= s.offset && info.phoff < s.offset + s.filesz) phdr = start + (info.phoff - s.offset);
    end = Math.max(end, start + s.memsz);
    if (s.flags & 2) writable.push([start, start + s.memsz]);
  }
  return {
    entry: base + info.entry,
    phdr: Math.max(phdr, 0),
    phent: info.phentsize,
    phnum: info.phnum,
    brk: Math.ceil(end / PAGE_SIZE) * PAGE_SIZE,
    base,
    writable,
  };
}
