// What to simulate: a program and the system it starts in. Everything that enters a run
// is here (program bytes, argv, environment, stdin, files), so a run depends on nothing of
// the host: the same target, seed and schedule give the same run anywhere.

import { CapturedConsole, type Console } from '../process/console.ts';
import type { RootfsSource } from '../process/fs/index.ts';
import { Kernel } from '../process/kernel.ts';
import type { Process } from '../process/process.ts';
import type { KernelVariantName } from '../process/variants/index.ts';
import { simulate, type SimOptions, type SimResult } from './engine.ts';

export interface Target {
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
  stdin?: Uint8Array;
  rootfs?: RootfsSource;
  /** Host files shown at guest paths. */
  binds?: { path: string; hostPath: string }[];
  kernel?: KernelVariantName;
  maxProcs?: number;
}

const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

/** A fresh kernel for `target` with p1 created (throws ElfError/FsError for a bad program). */
export function boot(target: Target, seed: number, console: Console): { kernel: Kernel; init: Process } {
  const kernel = new Kernel({
    console,
    seed,
    rootfs: target.rootfs,
    binds: target.binds,
    variant: target.kernel,
    maxProcs: target.maxProcs,
    files: target.elf === undefined ? [] : [{ path: target.path, bytes: target.elf, mode: 0o755 }],
  });
  if (target.createCwd && target.cwd !== undefined) kernel.fs.ensureDir(target.cwd);
  const init = kernel.spawnInit({ path: target.path, argv: target.argv.map(utf8), envp: (target.env ?? []).map(utf8) }, target.cwd);
  return { kernel, init };
}

export interface TargetRun extends SimResult {
  stdout: Uint8Array;
  stderr: Uint8Array;
}

export interface TargetRunOptions extends Omit<SimOptions, 'kernel' | 'init' | 'trace'> {
  seed: number;
  /** Record a trace (its header names the target). */
  trace?: boolean;
}

/** Boot `target` with a captured console and simulate it under `strategy`. */
export function simulateTarget(target: Target, opts: TargetRunOptions): TargetRun {
  const console = new CapturedConsole(target.stdin);
  const { kernel, init } = boot(target, opts.seed, console);
  const { seed: _seed, trace, ...rest } = opts;
  const header = { path: target.path, argv: target.argv, ...(target.env?.length ? { env: target.env } : {}) };
  const r = simulate({ ...rest, kernel, init, ...(trace ? { trace: { header } } : {}) });
  return { ...r, stdout: console.stdout, stderr: console.stderr };
}
