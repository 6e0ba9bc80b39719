// The planted-bug guests (scenarios/guests/planted-*.c): static glibc riscv64 programs with
// a known ordering bug, compiled on demand into .cache/planted (as build.sh builds glibc
// guests) for the exploration bench and the shrinking and exploration tests.

import { join } from 'node:path';
import { compileIfStale } from '../test/support/compile.ts';
import { GUEST_SRC_DIR, REPO_ROOT } from '../test/support/guests.ts';

export type PlantedGuest = 'planted-order' | 'planted-window';

const FLAGS = ['-std=gnu11', '-O2', '-march=rv64gc', '-mabi=lp64d', '-Wall', '-Wextra', '-static'];

/** Host path of the built guest; throws with the compiler's message if it cannot be built. */
export function plantedPath(name: PlantedGuest): string {
  return compileIfStale('riscv64-linux-gnu-gcc', FLAGS, join(GUEST_SRC_DIR, `${name}.c`), join(REPO_ROOT, '.cache', 'planted', name));
}
