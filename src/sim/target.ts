// What to simulate: a program and the system it starts in. Everything that enters a run
// is here (program bytes, argv, environment, stdin, files), so a run depends on nothing of
// the host: the same target, seed and schedule give the same run anywhere.

import { CapturedConsole } from '../process/console.ts';
import type { Kernel } from '../process/kernel.ts';
import type { Process } from '../process/process.ts';
import { boot, type ProgramSpec } from '../process/run.ts';
import { simulate, type SimOptions, type SimResult } from './engine.ts';

/** A program and its system (src/process/run.ts ProgramSpec), with what arrives on stdin. */
export interface Target extends ProgramSpec {
  stdin?: Uint8Array;
}

export interface TargetRun extends SimResult {
  stdout: Uint8Array;
  stderr: Uint8Array;
}

export interface TargetRunOptions extends Omit<SimOptions, 'kernel' | 'init' | 'trace' | 'events'> {
  seed: number;
  /** Record a trace (its header names the target). */
  trace?: boolean;
  /** Write the process-event log (its header names the target too). */
  events?: boolean;
}

/** Boot `target` with a captured console and simulate it under `strategy`. */
export function simulateTarget(target: Target, opts: TargetRunOptions): TargetRun {
  return simulateKeepingKernel(target, opts).run;
}

/**
 * simulateTarget, also handing back the kernel (for a look at what the run left: processes,
 * memory, files); `onBoot` sees the kernel and p1 before the first step.
 */
export function simulateKeepingKernel(
  target: Target,
  opts: TargetRunOptions & { onBoot?: (k: Kernel, init: Process) => void },
): { run: TargetRun; kernel: Kernel } {
  const console = new CapturedConsole(target.stdin);
  const { kernel, init } = boot(target, opts.seed, console);
  const { seed: _seed, trace, events, onBoot, ...rest } = opts;
  onBoot?.(kernel, init);
  const header = { path: target.path, argv: target.argv, ...(target.env?.length ? { env: target.env } : {}) };
  const r = simulate({ ...rest, kernel, init, ...(trace ? { trace: { header } } : {}), ...(events ? { events: { header } } : {}) });
  return { run: { ...r, stdout: console.stdout, stderr: console.stderr }, kernel };
}
