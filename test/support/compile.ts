// C programs compiled on demand (bench guests and helpers, the kernel-variant guests): rebuilt
// when missing or older than their source. No vitest here: the bench uses it too.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Compiles src into out with `cc flags` unless out is newer than src; returns out. It is
 * linked under a temporary name and renamed, so a concurrent reader (another test file, say)
 * never sees half a binary. Throws with the compiler's message.
 */
export function compileIfStale(cc: string, flags: readonly string[], src: string, out: string): string {
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs) return out;
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.tmp.${process.pid}`;
  const r = spawnSync(cc, [...flags, '-o', tmp, src], { encoding: 'utf8' });
  if (r.error) throw new Error(`cannot build ${src}: ${cc} not found (${r.error.message})`);
  if (r.status !== 0) throw new Error(`cannot build ${src} with ${cc}:\n${r.stderr.trim()}`);
  renameSync(tmp, out);
  return out;
}
