// What the scenario gates share: targets built exactly as `procsim replay` builds them from
// its command line (so a counterexample's replay command reproduces the run byte for byte),
// a run that keeps its kernel for inspection, and the saving of a failing run's trace.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Kernel } from '../../process/kernel.ts';
import type { Process } from '../../process/process.ts';
import type { KernelVariantName } from '../../process/variants/index.ts';
import { replayCommandLine } from '../replay-command.ts';
import type { Strategy } from '../strategy.ts';
import { guestBinary, REPO_ROOT } from '../scenarios.ts';
import type { Shell } from './shells.ts';
import { simulateKeepingKernel, type Target, type TargetRun } from '../target.ts';


/** A target and the words of `procsim replay` that build the same one. */
export interface CliTarget {
  target: Target;
  words: string[];
}

/** Budgets of a gate run: far above what the gates' programs need. */
export const GATE_MAX_INSNS = 400_000_000;
export const GATE_MAX_STEPS = 5_000;

const elfs = new Map<string, Uint8Array>();

/**
 * Host paths as replay commands name them: relative to the repository root, where the
 * commands are run, so neither the commands nor the traces (argv) depend on the checkout.
 */
const repoPath = (host: string): string => relative(REPO_ROOT, host);

/** A guest of scenarios/guests, as `procsim replay --kernel K PATH ARGS` runs it from the repository root. */
export function guestCli(guest: string, args: string[], kernel: KernelVariantName): CliTarget {
  const host = guestBinary(guest);
  let elf = elfs.get(host);
  if (elf === undefined) {
    elf = new Uint8Array(readFileSync(host));
    elfs.set(host, elf);
  }
  return {
    target: { path: `/bin/${guest}`, elf, argv: [repoPath(host), ...args], env: [], kernel, createCwd: true, cwd: '/' },
    words: ['--kernel', kernel, repoPath(host), ...args],
  };
}

/** A shell in its rootfs, as `procsim replay --rootfs R --env .. --cwd /root [--stdin F] PATH ARGV...` runs it. */
export function shellCli(shell: Shell, args: string[], kernel: KernelVariantName, stdin?: { bytes: Uint8Array; file: string }): CliTarget {
  // argv[0] is the path itself: that is what the replay command's words give.
  const argv = [shell.path, ...shell.argv.slice(1), ...args];
  return {
    target: {
      path: shell.path,
      argv,
      env: shell.env,
      kernel,
      cwd: '/root',
      createCwd: false,
      rootfs: { kind: 'host-dir', path: shell.rootfs },
      ...(stdin ? { stdin: stdin.bytes } : {}),
    },
    words: [
      '--kernel', kernel, '--rootfs', repoPath(shell.rootfs), ...shell.env.map((e) => `--env=${e}`), '--cwd', '/root',
      ...(stdin ? ['--stdin', stdin.file] : []), shell.path, ...argv.slice(1),
    ],
  };
}

export const replayLine = (t: CliTarget, seed: number, schedule: string): string =>
  replayCommandLine(['--seed', String(seed), '--schedule', schedule, '--max-steps', String(GATE_MAX_STEPS), '--max-insns', String(GATE_MAX_INSNS), ...t.words]);

/** simulateKeepingKernel with the gates' budgets. */
export function runKeepingKernel(
  target: Target,
  seed: number,
  strategy: Strategy,
  trace = false,
  onBoot?: (k: Kernel, init: Process) => void,
): { run: TargetRun; kernel: Kernel } {
  return simulateKeepingKernel(target, { seed, strategy, trace, maxInsns: GATE_MAX_INSNS, maxSteps: GATE_MAX_STEPS, ...(onBoot ? { onBoot } : {}) });
}

/** Writes a failing run's trace under outDir; returns its path (undefined without outDir). */
export function saveTrace(outDir: string | undefined, name: string, run: TargetRun): string | undefined {
  if (outDir === undefined || run.trace === undefined) return undefined;
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${name}.trace.jsonl`);
  writeFileSync(file, run.trace.text());
  return file;
}

/** Writes a file a replay command names (its stdin) under outDir, or a scratch name. */
export function saveInput(outDir: string | undefined, name: string, bytes: Uint8Array): string {
  if (outDir === undefined) return `${name}.stdin`;
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${name}.stdin`);
  writeFileSync(file, bytes);
  return file;
}
