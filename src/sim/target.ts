// What to simulate: a program and the system it starts in. Everything that enters a run
// is here (program bytes, argv, environment, stdin, files), so a run depends on nothing of
// the host: the same target, seed and schedule give the same run anywhere.

import { CapturedConsole } from '../process/console.ts';
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
