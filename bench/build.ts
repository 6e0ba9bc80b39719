// Bench guests are compiled here, on demand, into .cache/bench: riscv64 guests with the
// Debian cross gcc (static glibc), host helpers with the host gcc. A binary is rebuilt when
// it is missing or older than its source; it is linked under a temporary name and renamed,
// so a concurrent reader never sees half a binary.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ROOT } from './common.ts';

export const BENCH_CACHE = join(ROOT, '.cache/bench');

const TOOLCHAINS = {
  riscv64: { cc: 'riscv64-linux-gnu-gcc', flags: ['-march=rv64gc', '-mabi=lp64d'] },
  host: { cc: 'gcc', flags: [] as string[] },
};

/** Path of the built binary for bench/SRC (e.g. "guests/fork-cycle.c"); throws with the reason if it cannot be built. */
export function built(src: string, target: keyof typeof TOOLCHAINS): string {
  const source = join(ROOT, 'bench', src);
  const dir = join(BENCH_CACHE, target);
  const out = join(dir, basename(src, '.c'));
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(source).mtimeMs) return out;
  const { cc, flags } = TOOLCHAINS[target];
  mkdirSync(dir, { recursive: true });
  const tmp = `${out}.tmp.${process.pid}`;
  const r = spawnSync(cc, ['-std=gnu11', '-O2', '-Wall', '-Wextra', '-static', ...flags, '-o', tmp, source], { encoding: 'utf8' });
  if (r.error) throw new Error(`cannot build ${src}: ${cc} not found (${r.error.message})`);
  if (r.status !== 0) throw new Error(`cannot build ${src} with ${cc}:\n${r.stderr.trim()}`);
  renameSync(tmp, out);
  return out;
}
