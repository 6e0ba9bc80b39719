// vitest global setup: builds the glibc guests into .cache/guests/ when the cross compiler is
// installed and a binary is missing or older than its source or the build script. Costs a few
// stat calls when everything is up to date. Without the compiler it says so and moves on;
// the oracle suites then skip (locally) or fail with the fix (CI).
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import {
  GLIBC_GUESTS,
  GUEST_BUILD_SCRIPT,
  guestInputs,
  guestPath,
  type GlibcGuest,
} from './guests.ts';

const CROSS_GCC = 'riscv64-linux-gnu-gcc';

function isStale(name: GlibcGuest): boolean {
  const bin = guestPath(name);
  if (!existsSync(bin)) return true;
  const built = statSync(bin).mtimeMs;
  return guestInputs(name).some((src) => statSync(src).mtimeMs > built);
}

export default function setup(): void {
  const stale = GLIBC_GUESTS.filter(isStale);
  if (stale.length === 0) return;
  if (spawnSync(CROSS_GCC, ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.warn(
      `[guests] ${CROSS_GCC} not found: glibc guests (${stale.join(', ')}) not built ` +
        '(fix: apt-get install gcc-riscv64-linux-gnu)',
    );
    return;
  }
  console.log(`[guests] building ${stale.join(', ')} into .cache/guests/`);
  const r = spawnSync('bash', [GUEST_BUILD_SCRIPT, 'glibc', ...stale], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`building glibc guests failed (bash ${GUEST_BUILD_SCRIPT} glibc):\n${r.stderr}`);
  }
}
