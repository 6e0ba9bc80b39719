// Bench guests are compiled here, on demand, into .cache/bench: riscv64 guests with the
// Debian cross gcc (static glibc), host helpers with the host gcc (test/support/compile.ts).

import { basename, join } from 'node:path';
import { compileIfStale } from '../test/support/compile.ts';
import { ROOT } from './common.ts';

export const BENCH_CACHE = join(ROOT, '.cache/bench');

const TOOLCHAINS = {
  riscv64: { cc: 'riscv64-linux-gnu-gcc', flags: ['-march=rv64gc', '-mabi=lp64d'] },
  host: { cc: 'gcc', flags: [] as string[] },
};

/** Path of the built binary for bench/SRC (e.g. "guests/fork-cycle.c"); throws with the reason if it cannot be built. */
export function built(src: string, target: keyof typeof TOOLCHAINS): string {
  const { cc, flags } = TOOLCHAINS[target];
  const out = join(BENCH_CACHE, target, basename(src, '.c'));
  return compileIfStale(cc, ['-std=gnu11', '-O2', '-Wall', '-Wextra', '-static', ...flags], join(ROOT, 'bench', src), out);
}
