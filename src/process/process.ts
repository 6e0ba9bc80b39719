// A guest process: identity, its hart, address space, descriptors and signal state.

import { Cpu } from '../emu/cpu.ts';
import { Memory } from '../emu/memory.ts';
import { FdTable } from './fd.ts';
import type { DirInode } from './fs/inode.ts';

export type ProcState = 'running' | 'zombie' | 'reaped';

export interface SigAction {
  handler: number; // SIG_DFL 0, SIG_IGN 1, or a guest address
  flags: number;
  mask: bigint;
  restorer: number;
}

export const NSIG = 64;
export const SIG_DFL = 0;
export const SIG_IGN = 1;

/** Bottom of the area where mmap places mappings without a hint. */
export const MMAP_BASE = 0x8000_0000;

export class Process {
  ppid = 0;
  pgid: number;
  sid: number;
  state: ProcState = 'running';
  /** Wait status (Linux encoding) once a zombie. */
  waitStatus = 0;
  cpu: Cpu;
  mem: Memory;
  fds = new FdTable();
  /** Working directory; set by the kernel when the process is created. */
  cwd!: DirInode;
  umask = 0o022;
  /** Program break: its floor (end of the image) and its current value. */
  brkStart = 0;
  brk = 0;
  /** Path of the running executable, for /proc/self/exe. */
  exe = '';
  /** Name shown by PR_GET_NAME (the basename of the executable, 15 bytes at most). */
  comm = '';
  clearChildTid = 0;
  actions: SigAction[] = Array.from({ length: NSIG + 1 }, () => ({ handler: SIG_DFL, flags: 0, mask: 0n, restorer: 0 }));
  sigmask = 0n;
  rlimits = new Map<number, [bigint, bigint]>();

  constructor(
    readonly pid: number,
    mem = new Memory(),
  ) {
    this.pgid = pid;
    this.sid = pid;
    this.mem = mem;
    this.cpu = new Cpu(mem);
  }
}
