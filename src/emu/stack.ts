// The initial process stack of the Linux RISC-V ABI: argc, argv, envp, auxv, and the
// strings and random bytes they point to.

import type { LoadedImage } from './elf.ts';
import { type Memory, PROT_READ, PROT_WRITE } from './memory.ts';

export const STACK_TOP = 0xc000_0000;
export const STACK_SIZE = 8 << 20;

const AT_NULL = 0;
const AT_PHDR = 3;
const AT_PHENT = 4;
const AT_PHNUM = 5;
const AT_PAGESZ = 6;
const AT_BASE = 7;
const AT_FLAGS = 8;
const AT_ENTRY = 9;
const AT_UID = 11;
const AT_EUID = 12;
const AT_GID = 13;
const AT_EGID = 14;
const AT_HWCAP = 16;
const AT_CLKTCK = 17;
const AT_SECURE = 23;
const AT_RANDOM = 25;
const AT_EXECFN = 31;

/** HWCAP bits of RV64IMAFDC: one bit per single-letter extension ('a' = bit 0). */
export const HWCAP_RV64GC = [...'imafdc'].reduce((m, c) => m | (1 << (c.charCodeAt(0) - 97)), 0);

export interface StackSpec {
  argv: Uint8Array[];
  envp: Uint8Array[];
  execfn: Uint8Array;
  random: Uint8Array; // 16 bytes
  /** The main program (AT_PHDR, AT_PHNUM, AT_ENTRY). */
  image: LoadedImage;
  /** Where the ELF interpreter was loaded (AT_BASE), 0 for a static program. */
  interpBase: number;
}

/** Total bytes of argument and environment strings that execve accepts (Linux ARG_MAX-like). */
export const ARG_MAX = 2 << 20;

/** Where the initial frame put things: what /proc/<pid>/cmdline, environ and auxv show. */
export interface InitialStack {
  sp: number;
  /** Address and length (without the NUL) of each argument string, then of each environment string. */
  argv: [number, number][];
  envp: [number, number][];
  /** The auxiliary vector as the frame holds it: (type, value) pairs of 64-bit words, AT_NULL last. */
  auxv: Uint8Array;
}

/** Map the stack and lay out the initial frame. */
export function buildStack(mem: Memory, spec: StackSpec): InitialStack {
  mem.map(STACK_TOP - STACK_SIZE, STACK_SIZE, PROT_READ | PROT_WRITE);
  let sp = STACK_TOP;
  const pushBytes = (b: Uint8Array, nul: boolean): number => {
    sp -= b.length + (nul ? 1 : 0);
    mem.poke(sp, b);
    if (nul) mem.poke(sp + b.length, ZERO1);
    return sp;
  };
  const execfn = pushBytes(spec.execfn, true);
  const envAddrs = spec.envp.map((e) => pushBytes(e, true));
  const argAddrs = spec.argv.map((a) => pushBytes(a, true));
  sp -= sp % 16; // addresses reach 2^32: no 32-bit bit operators on them
  const random = pushBytes(spec.random, false);
  const img = spec.image;
  const auxv: [number, number][] = [
    [AT_PHDR, img.phdr],
    [AT_PHENT, img.phent],
    [AT_PHNUM, img.phnum],
    [AT_PAGESZ, 4096],
    [AT_BASE, spec.interpBase],
    [AT_FLAGS, 0],
    [AT_ENTRY, img.entry],
    [AT_UID, 0],
    [AT_EUID, 0],
    [AT_GID, 0],
    [AT_EGID, 0],
    [AT_HWCAP, HWCAP_RV64GC],
    [AT_CLKTCK, 100],
    [AT_SECURE, 0],
    [AT_RANDOM, random],
    [AT_EXECFN, execfn],
    [AT_NULL, 0],
  ];
  const words = [spec.argv.length, ...argAddrs, 0, ...envAddrs, 0, ...auxv.flat()];
  sp -= words.length * 8;
  sp -= sp % 16;
  const frame = new Uint8Array(words.length * 8);
  const dv = new DataView(frame.buffer);
  words.forEach((w, i) => dv.setBigUint64(i * 8, BigInt(w), true));
  mem.poke(sp, frame);
  const auxStart = (1 + argAddrs.length + 1 + envAddrs.length + 1) * 8;
  return {
    sp,
    argv: argAddrs.map((a, i) => [a, spec.argv[i].length]),
    envp: envAddrs.map((a, i) => [a, spec.envp[i].length]),
    auxv: frame.slice(auxStart),
  };
}

const ZERO1 = new Uint8Array(1);
