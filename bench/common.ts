// Shared by the bench sections: repetitions, timing, medians, and progress on a terminal.

import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { which } from '../test/support/real-linux.ts';

export const ROOT = join(import.meta.dirname, '..');
export const REPS = Number(process.env.BENCH_REPS ?? 5);

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;
export const haveQemu = which('qemu-riscv64') !== null;

/** A rate as a person reads it: 13,204 or 61.3. */
export const rate = (x: number): string => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));

/** Time per event in the unit that fits: 76.4 µs, 1.82 ms. */
export const duration = (ms: number): string => (ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(1)} µs`);

/** How many times faster procsim is than the other figure (below 1: slower). */
export const speedup = (ours: number, theirs: number): string =>
  ours >= theirs ? `procsim ${(ours / theirs).toFixed(1)}x faster` : `procsim ${(theirs / ours).toFixed(1)}x slower`;

/** One-line progress on stderr, only when it is a terminal: logs stay quiet. */
export function progress(msg: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${msg}`);
}
export function progressDone(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
}

let collect: (() => void) | undefined;
/** A full garbage collection, so that a memory sample counts live objects only. */
function fullGc(): void {
  if (collect === undefined) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
}

/** Host memory held by live objects (JS heap and array buffers), after a full collection. */
export function liveBytes(): number {
  // Twice: array buffers found dead by one collection may be swept only before the next.
  fullGc();
  fullGc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** Run a section; a failure prints one line instead of ending the whole bench. */
export async function section(name: string, fn: () => void | Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    progressDone();
    console.log(`  ${name}: FAILED: ${e instanceof Error ? e.message : String(e)}`);
  }
}
