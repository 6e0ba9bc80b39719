// Guests for the kernel-variant tests: C sources in scenarios/guests/variants/, built with
// the cross compiler into .cache/variants/ when missing or older than their source, and ways
// to run them on a chosen kernel variant (to completion, or under a given schedule).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CapturedConsole } from '../../../src/process/console.ts';
import { Kernel } from '../../../src/process/kernel.ts';
import type { Process } from '../../../src/process/process.ts';
import { runProgram, type RunOptions, type RunResult } from '../../../src/process/run.ts';
import type { KernelVariantName } from '../../../src/process/variants/index.ts';
import { compileIfStale } from '../../support/compile.ts';
import { REPO_ROOT } from '../../support/guests.ts';

const SRC_DIR = join(REPO_ROOT, 'scenarios', 'guests', 'variants');
const OUT_DIR = join(REPO_ROOT, '.cache', 'variants');
const CC = 'riscv64-linux-gnu-gcc';

/** Host path of a variant guest, compiled first if needed (throws with the compiler's message). */
export const variantGuestPath = (name: string): string =>
  compileIfStale(CC, ['-std=gnu11', '-O2', '-static', '-Wall', '-Wextra'], join(SRC_DIR, `${name}.c`), join(OUT_DIR, name));

/** The ELF of a variant guest (see variantGuestPath). */
export const variantGuest = (name: string): Uint8Array => readFileSync(variantGuestPath(name));

/** The non-empty lines of a guest's output. */
export const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');

/** Where the guest is placed in the guest file system (its argv[0], so it can exec itself). */
export const GUEST_PATH = '/bin/rollback';

interface GuestRun extends RunResult {
  out: string;
  err: string;
}

/** Run variant guest `guest` at `path` with `args` on `kernel` (extra run options, e.g. a rootfs). */
export function runVariantGuest(
  kernel: KernelVariantName,
  guest: string,
  path: string,
  args: string[],
  opts: Partial<RunOptions> = {},
): GuestRun {
  const r = runProgram({ elf: variantGuest(guest), path, argv: [path, ...args], kernel, maxInsns: 2e9, ...opts });
  return { ...r, out: Buffer.from(r.stdout).toString(), err: Buffer.from(r.stderr).toString() };
}

export const runRollback = (kernel: KernelVariantName, mode: string): GuestRun => runVariantGuest(kernel, 'rollback', GUEST_PATH, [mode]);

/** A kernel with the rollback guest started in `mode`, for tests that drive it step by step. */
export function bootRollback(kernel: KernelVariantName, mode: string): { k: Kernel; init: Process; console: CapturedConsole } {
  const console = new CapturedConsole();
  const k = new Kernel({ console, seed: 0, variant: kernel, files: [{ path: GUEST_PATH, bytes: variantGuest('rollback'), mode: 0o755 }] });
  const enc = (s: string) => new Uint8Array(Buffer.from(s));
  const init = k.spawnInit({ path: GUEST_PATH, argv: [enc(GUEST_PATH), enc(mode)], envp: [] });
  return { k, init, console };
}

/**
 * Run to the end, letting `pick` choose which runnable process takes each step, and call
 * `check` before every step. Returns how many steps ran; throws on a deadlock or a spent budget.
 */
export function runScheduled(
  k: Kernel,
  init: Process,
  pick: (ready: Process[], step: number) => Process,
  check: (ready: Process[]) => void = () => {},
): number {
  let steps = 0;
  while (init.alive) {
    k.fireTimers();
    const ready = k.runnable();
    if (ready.length === 0) {
      if (k.skipToNextDeadline()) continue;
      throw new Error(`deadlock: ${[...k.procs.values()].map((q) => `pid ${q.pid} ${q.state} ${q.blockReason}`).join('; ')}`);
    }
    check(ready);
    k.step(pick(ready, steps), 1 << 24);
    if (++steps > 100_000 || k.instructions > 2e9) throw new Error('budget spent');
  }
  return steps;
}

/** The most processes the table held at once while the guest ran `mode` (first runnable first). */
export function mostProcesses(kernel: KernelVariantName, mode: string): number {
  const { k, init } = bootRollback(kernel, mode);
  let most = 0;
  runScheduled(k, init, (ready) => ready[0], () => (most = Math.max(most, k.procs.size)));
  return most;
}
