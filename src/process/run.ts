// Run one program to completion on a fresh kernel, capturing its output: the library form
// of `procsim run`, used by tests and benchmarks.

import { CapturedConsole, type Console } from './console.ts';
import { Kernel } from './kernel.ts';
import type { RootfsSource } from './fs/index.ts';
import type { KernelVariantName } from './variants/index.ts';
import type { Process } from './process.ts';
import { SIGKILL } from './signals.ts';

/** A program and the system it starts in: everything a fresh kernel and its p1 are made from. */
export interface ProgramSpec {
  /** Guest path of the program to start. */
  path: string;
  /** Its bytes, placed at `path` (else the program must be in the rootfs). */
  elf?: Uint8Array;
  argv: string[];
  env?: string[];
  /** Starting directory (default /). */
  cwd?: string;
  /** Create the starting directory if the filesystem lacks it (the default tree has few). */
  createCwd?: boolean;
  rootfs?: RootfsSource;
  /** Host files shown at guest paths. */
  binds?: { path: string; hostPath: string }[];
  /** Kernel semantics (default 'reference'). */
  kernel?: KernelVariantName;
  /** Process table size (default 512). */
  maxProcs?: number;
  /** Capacity of the process-event ring (default 4096); what does not fit is counted as dropped. */
  eventCapacity?: number;
  /** The machine's memory in bytes (default 4 GiB): a page past it is the OOM kill. */
  memoryLimit?: number;
}

export interface RunOptions extends ProgramSpec {
  stdin?: Uint8Array;
  seed?: number;
  /** Instruction budget for the whole run. */
  maxInsns?: number;
}

export interface RunResult extends Ending {
  stdout: Uint8Array;
  stderr: Uint8Array;
  unknownSyscalls: Map<number, number>;
}

const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

/** A fresh kernel for `spec` with p1 created (throws ElfError/FsError for a bad program). */
export function boot(spec: ProgramSpec, seed: number, console: Console): { kernel: Kernel; init: Process } {
  const kernel = new Kernel({
    console,
    seed,
    rootfs: spec.rootfs,
    binds: spec.binds,
    variant: spec.kernel,
    maxProcs: spec.maxProcs,
    eventCapacity: spec.eventCapacity,
    memoryLimit: spec.memoryLimit,
    files: spec.elf === undefined ? [] : [{ path: spec.path, bytes: spec.elf, mode: 0o755 }],
  });
  if (spec.createCwd && spec.cwd !== undefined) kernel.fs.ensureDir(spec.cwd);
  const init = kernel.spawnInit({ path: spec.path, argv: spec.argv.map(enc), envp: (spec.env ?? []).map(enc) }, spec.cwd);
  return { kernel, init };
}

export function runProgram(opts: RunOptions): RunResult {
  const console = new CapturedConsole(opts.stdin);
  const { kernel: k, init: p } = boot(opts, opts.seed ?? 0, console);
  const end = runToExit(k, p, opts.maxInsns ?? DEFAULT_MAX_INSNS);
  return { stdout: console.stdout, stderr: console.stderr, ...end, unknownSyscalls: k.unknownSyscalls };
}

/** Default instruction budget of a run: about half an hour of guest work. */
export const DEFAULT_MAX_INSNS = 100_000_000_000;

export interface Ending {
  /** Exit status as a shell shows it: the code, or 128 + signal. */
  exitCode: number;
  /** The signal that killed the program, if one did. */
  signal?: number;
  /** Instructions retired, all processes together. */
  instructions: number;
  /** Set when the instruction budget ran out before the program ended. */
  budgetExceeded?: boolean;
  /** Set when the step budget ran out before the program ended. */
  stepsExceeded?: boolean;
  /** Set when the host asked the run to stop (RunLimits.interrupt). */
  interrupted?: boolean;
  /** Set when every process was blocked with no timeout pending: who waited on what. */
  deadlock?: string[];
}

/** Default step budget of `procsim run`: a step is a process's run to its next syscall or fault. */
export const DEFAULT_MAX_STEPS = 10_000_000;

export interface RunLimits {
  /** Steps (a process's run to its next syscall, fault or slice end) before the run is stopped. */
  maxSteps?: number;
  /**
   * Asked every INTERRUPT_EVERY steps whether to stop now: how a host puts a wall-clock limit
   * on a run without host time entering the kernel.
   */
  interrupt?: () => boolean;
}

const INTERRUPT_EVERY = 4096;

/** Instructions a process may run before the round-robin moves on to the next one. */
const SLICE = 1 << 24;

/**
 * Run the processes round-robin at syscall boundaries (each runnable process takes one
 * step per round, in table order) until init exits; everything else dies with it. A spent
 * budget or a deadlock ends the run with SIGKILL and says so.
 */
export function runToExit(k: Kernel, init: Process, maxInsns: number, limits: RunLimits = {}): Ending {
  const maxSteps = limits.maxSteps ?? Infinity;
  let budgetExceeded = false;
  let stepsExceeded = false;
  let interrupted = false;
  let deadlock: string[] | undefined;
  let steps = 0;
  while (init.alive) {
    k.fireTimers();
    const ready = k.runnable();
    if (ready.length === 0) {
      if (k.skipToNextDeadline()) continue;
      deadlock = [...k.procs.values()]
        .filter((q) => q.state === 'blocked' || q.state === 'stopped')
        .map((q) => `pid ${q.pid}: ${q.state === 'stopped' ? 'stopped' : q.blockReason}`);
      k.terminate(init, SIGKILL);
      break;
    }
    for (const p of ready) {
      if (k.instructions >= maxInsns || steps >= maxSteps) break;
      k.step(p, Math.min(SLICE, maxInsns - k.instructions));
      if (++steps % INTERRUPT_EVERY === 0 && limits.interrupt?.()) {
        interrupted = true;
        break;
      }
    }
    if (!init.alive) break;
    if (k.instructions >= maxInsns) budgetExceeded = true;
    else if (steps >= maxSteps) stepsExceeded = true;
    if (budgetExceeded || stepsExceeded || interrupted) k.terminate(init, SIGKILL);
  }
  const sig = init.waitStatus & 0x7f;
  return {
    exitCode: shellStatus(init.waitStatus),
    signal: sig !== 0 ? sig : undefined,
    instructions: k.instructions,
    budgetExceeded: budgetExceeded || undefined,
    stepsExceeded: stepsExceeded || undefined,
    interrupted: interrupted || undefined,
    deadlock,
  };
}

/** A wait status as a shell shows it: the exit code, or 128 + the killing signal. */
export function shellStatus(waitStatus: number): number {
  const sig = waitStatus & 0x7f;
  return sig !== 0 ? 128 + sig : (waitStatus >> 8) & 0xff;
}
