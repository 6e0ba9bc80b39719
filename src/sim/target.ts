// What to simulate: a program and the system it starts in. Everything that enters a run
// is here (program bytes, argv, environment, stdin, files), so a run depends on nothing of
// the host: the same target, seed and schedule give the same run anywhere.

import { CapturedConsole, type Console, type CutOutput } from '../process/console.ts';
import type { Kernel } from '../process/kernel.ts';
import type { Process } from '../process/process.ts';
import { boot, type ProgramSpec } from '../process/run.ts';
import { simulate, type SimOptions, type SimResult } from './engine.ts';
import type { TraceSink } from './trace.ts';

/** A program and its system (src/process/run.ts ProgramSpec), with what arrives on stdin. */
export interface Target extends ProgramSpec {
  stdin?: Uint8Array;
}

export interface TargetRun extends SimResult {
  /** What the guest wrote (empty when TargetRunOptions.console took it; at most keepOutput bytes each). */
  stdout: Uint8Array;
  stderr: Uint8Array;
  /** What keepOutput cut off each stream, if it cut anything. */
  cut?: { stdout?: CutOutput; stderr?: CutOutput };
}

export interface TargetRunOptions extends Omit<SimOptions, 'kernel' | 'init' | 'trace' | 'events'> {
  seed: number;
  /** Record a trace (its header names the target). */
  trace?: boolean;
  /** Stream the trace there instead of keeping it (see TraceSink). */
  traceSink?: TraceSink;
  /** The guest's streams (default: target.stdin in, output captured into the result). */
  console?: Console;
  /** Write the process-event log (its header names the target too). */
  events?: boolean;
  /** Stream the event log there instead of keeping it. */
  eventsSink?: (line: string) => void;
  /** Bytes kept of each of stdout and stderr by the default capture (all by default). */
  keepOutput?: number;
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
  const console = opts.console ?? new CapturedConsole(target.stdin, opts.keepOutput);
  const { kernel, init } = boot(target, opts.seed, console);
  const { seed: _seed, trace, traceSink, events, eventsSink, onBoot, console: _console, keepOutput: _keep, ...rest } = opts;
  onBoot?.(kernel, init);
  const header = { path: target.path, argv: target.argv, ...(target.env?.length ? { env: target.env } : {}) };
  const traced = trace ? { trace: { header, ...(traceSink !== undefined ? { sink: traceSink } : {}) } } : {};
  const r = simulate({ ...rest, kernel, init, ...traced, ...(events ? { events: { header, ...(eventsSink !== undefined ? { sink: eventsSink } : {}) } } : {}) });
  if (!(console instanceof CapturedConsole)) return { run: { ...r, stdout: new Uint8Array(0), stderr: new Uint8Array(0) }, kernel };
  const cut = console.cut;
  return { run: { ...r, stdout: console.stdout, stderr: console.stderr, ...(cut.stdout !== undefined || cut.stderr !== undefined ? { cut } : {}) }, kernel };
}
