// Run one program to completion on a fresh kernel, capturing its output: the library form
// of `procsim run`, used by tests and benchmarks.

import { CapturedConsole } from './console.ts';
import { Kernel } from './kernel.ts';
import type { RootfsSource } from './fs/index.ts';

export interface RunOptions {
  elf: Uint8Array;
  /** Guest path the program is placed at and executed from. */
  path: string;
  argv: string[];
  env?: string[];
  stdin?: Uint8Array;
  seed?: number;
  /** Instruction budget for the whole run. */
  maxInsns?: number;
  rootfs?: RootfsSource;
}

export interface RunResult {
  stdout: Uint8Array;
  stderr: Uint8Array;
  /** Exit status as a shell shows it: the code, or 128 + signal. */
  exitCode: number;
  /** The signal that killed the program, if one did. */
  signal?: number;
  /** Instructions retired. */
  instructions: number;
  /** Set when the budget ran out before the program ended. */
  budgetExceeded?: boolean;
  unknownSyscalls: Map<number, number>;
}

const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

export function runProgram(opts: RunOptions): RunResult {
  const console = new CapturedConsole(opts.stdin);
  const k = new Kernel({
    console,
    seed: opts.seed ?? 0,
    rootfs: opts.rootfs,
    files: [{ path: opts.path, bytes: opts.elf, mode: 0o755 }],
  });
  const p = k.spawnInit({ path: opts.path, argv: opts.argv.map(enc), envp: (opts.env ?? []).map(enc) });
  const max = opts.maxInsns ?? 20_000_000_000;
  let budgetExceeded = false;
  while (p.state === 'running') {
    if (p.cpu.instret >= max) {
      budgetExceeded = true;
      k.killBySignal(p, 9);
      break;
    }
    k.step(p, Math.min(1 << 24, max - p.cpu.instret));
  }
  const status = p.waitStatus;
  const sig = status & 0x7f;
  return {
    stdout: console.stdout,
    stderr: console.stderr,
    exitCode: sig !== 0 ? 128 + sig : (status >> 8) & 0xff,
    signal: sig !== 0 ? sig : undefined,
    instructions: p.cpu.instret,
    budgetExceeded: budgetExceeded || undefined,
    unknownSyscalls: k.unknownSyscalls,
  };
}
