// Shared by the bench sections: repetitions, timing, medians, and progress on a terminal.

import { execFileSync } from 'node:child_process';
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

/**
 * A host program the bench runs (qemu-riscv64, a native twin), as the machine's safety rule
 * says when the bench runs as root: as uid 65534, no groups, in a PID namespace of its own.
 */
export function sandboxed(cmd: string, args: readonly string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [cmd, [...args]];
  // Absolute paths: the program's own PATH (a shim directory, say) is passed on untouched.
  return ['/usr/bin/unshare', ['--pid', '--fork', '--kill-child', '/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', cmd, ...args]];
}

let sandboxMs: number | undefined;
/**
 * What the sandbox adds to a whole run (`true` in it, less `true` spawned directly: medians),
 * subtracted from whole-run figures, which stay "spawn per run".
 */
export function sandboxCostMs(): number {
  if (sandboxMs !== undefined) return sandboxMs;
  if (process.getuid?.() !== 0) return (sandboxMs = 0);
  const time = (cmd: string, args: string[]): number => {
    const t: number[] = [];
    for (let i = 0; i < 11; i++) {
      const t0 = nowMs();
      execFileSync(cmd, args);
      t.push(nowMs() - t0);
    }
    return median(t);
  };
  const [cmd, args] = sandboxed('/usr/bin/true', []);
  return (sandboxMs = Math.max(0, time(cmd, args) - time('/usr/bin/true', [])));
}
