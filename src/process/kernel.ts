// The simulated kernel: owns the processes, the filesystem, virtual time and the seeded
// random stream, and executes syscalls. It knows nothing of scheduling strategies: a
// driver (run.ts, or the simulator) decides which process runs next.

import seedrandom from 'seedrandom';
import { Stop } from '../emu/cpu.ts';
import { MemFault } from '../emu/memory.ts';
import { ERRNO } from './errno.ts';
import { execImage, type ExecArgs } from './exec.ts';
import { ElfError } from '../emu/elf.ts';
import { FsError } from './fs/fs-error.ts';
import { createFs, type RootfsSource } from './fs/index.ts';
import type { Vfs } from './fs/vfs.ts';
import { mountProc } from './procfs.ts';
import { Process } from './process.ts';
import { SIGBUS, SIGILL, SIGSEGV, SIGTRAP } from './signals.ts';
import { HANDLERS } from './syscalls/table.ts';
import type { Console } from './console.ts';
import { OpenFile } from './fd.ts';
import { StdioBackend } from './files.ts';
import { O_RDONLY, O_WRONLY } from './fs/flags.ts';

export interface KernelOptions {
  console: Console;
  /** Initial filesystem: a host directory or tar archive (copy-on-write), else just the default tree. */
  rootfs?: RootfsSource;
  /** Host files exposed at guest paths (read lazily). */
  binds?: { path: string; hostPath: string }[];
  /** In-memory files to add (path, contents, mode). */
  files?: { path: string; bytes: Uint8Array; mode: number }[];
  /** Run seed: the only source of randomness (getrandom, AT_RANDOM, /dev/urandom). */
  seed: number;
}

/** Fixed start of the virtual wall clock: 2025-01-01T00:00:00Z. */
export const EPOCH_SEC = 1_735_689_600;

/** Syscall arguments a0..a5 as signed 64-bit values (exact below 2^53). */
export type Args = Float64Array;

export class Kernel {
  readonly fs: Vfs;
  readonly console: Console;
  readonly seed: number;
  /** Virtual nanoseconds since boot: one per retired instruction, plus sleeps. */
  nowNs = 0;
  private rng: seedrandom.PRNG;
  readonly procs = new Map<number, Process>();
  private nextPid = 1;
  /** Unknown syscalls seen, by number: they return ENOSYS and are reported. */
  readonly unknownSyscalls = new Map<number, number>();
  private readonly args: Args = new Float64Array(6);

  constructor(opts: KernelOptions) {
    this.console = opts.console;
    this.seed = opts.seed;
    this.rng = seedrandom(`procsim:${opts.seed}`);
    this.fs = createFs({
      clock: () => this.wallClock(),
      random: (n) => this.random(n),
      rootfs: opts.rootfs,
      binds: opts.binds,
    });
    for (const f of opts.files ?? []) {
      const slash = f.path.lastIndexOf('/');
      const dir = this.fs.ensureDir(f.path.slice(0, slash) || '/');
      const name = f.path.slice(slash + 1);
      if (dir.get(name)) this.fs.unlink(dir, name);
      dir.add(name, this.fs.newLazyFile(f.mode, f.bytes.length, () => f.bytes));
    }
    mountProc(this);
  }

  /** Virtual wall-clock time (CLOCK_REALTIME). */
  wallClock(): { sec: number; nsec: number } {
    return { sec: EPOCH_SEC + Math.floor(this.nowNs / 1e9), nsec: this.nowNs % 1e9 };
  }

  /** n bytes from the run's seeded random stream. */
  random(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.rng.int32();
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = v >>> (8 * j);
    }
    return out;
  }

  /** Create the first process and load its program; throws ElfError/FsError for a bad program. */
  spawnInit(args: ExecArgs, cwd?: string): Process {
    const p = new Process(this.nextPid++);
    p.cwd = cwd === undefined ? this.fs.root : this.fs.resolveDir(this.fs.root, cwd);
    p.cpu.timeSource = () => Math.floor(this.nowNs / 100); // a 10 MHz timebase, as on common boards
    this.procs.set(p.pid, p);
    this.installStdio(p);
    execImage(this, p, args);
    return p;
  }

  private installStdio(p: Process): void {
    const modes = [O_RDONLY, O_WRONLY, O_WRONLY];
    for (const fd of [0, 1, 2] as const) {
      const f = new OpenFile(new StdioBackend(this.console, fd, () => this.wallClock()), modes[fd], `pipe:[${fd}]`);
      p.fds.installAt(fd, f, false);
    }
  }

  /** Run p until its next syscall has executed, it dies, or `budget` instructions pass. */
  step(p: Process, budget: number): Stop {
    const cpu = p.cpu;
    const before = cpu.instret;
    const stop = cpu.run(budget);
    this.nowNs += cpu.instret - before;
    switch (stop) {
      case Stop.Ecall:
        this.syscall(p);
        break;
      case Stop.Fault:
        this.killBySignal(p, cpu.faultAccess === 'misaligned' ? SIGBUS : SIGSEGV);
        break;
      case Stop.Illegal:
        this.killBySignal(p, SIGILL);
        break;
      case Stop.Ebreak:
        this.killBySignal(p, SIGTRAP);
        break;
    }
    return stop;
  }

  syscall(p: Process): void {
    const x = p.cpu.x;
    const a = this.args;
    for (let i = 0; i < 6; i++) a[i] = x[21 + 2 * i] * 4294967296 + (x[20 + 2 * i] >>> 0);
    const nr = x[34];
    const h = HANDLERS[nr];
    let r: number;
    if (h === undefined) {
      this.unknownSyscalls.set(nr, (this.unknownSyscalls.get(nr) ?? 0) + 1);
      r = -ERRNO.ENOSYS;
    } else {
      try {
        r = h(this, p, a);
      } catch (e) {
        if (e instanceof FsError) r = -e.errno;
        else if (e instanceof MemFault) r = -ERRNO.EFAULT;
        else if (e instanceof RangeError && e.message === 'ENOMEM') r = -ERRNO.ENOMEM;
        else if (e instanceof ElfError) r = -ERRNO.ENOEXEC;
        else throw e;
      }
    }
    if (p.state !== 'running' || r === EXECED) return;
    x[20] = r | 0;
    x[21] = Math.floor(r / 4294967296) | 0;
    p.cpu.pc += 4;
  }

  /** Terminate p with a wait status (exit: code << 8; signal: the signal number). */
  terminate(p: Process, waitStatus: number): void {
    if (p.state !== 'running') return;
    p.state = 'zombie';
    p.waitStatus = waitStatus;
    p.fds.closeAll();
    p.mem.release();
  }

  killBySignal(p: Process, sig: number): void {
    this.terminate(p, sig);
  }
}

/** Returned by execve on success: registers were replaced, nothing to write back. */
export const EXECED = 2 ** 40;
