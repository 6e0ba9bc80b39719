// vitest global setup: rebuilds a glibc guest in scenarios/guests/bin/ when the cross compiler
// is installed and its binary is missing or older than its source or the build script (the
// build is reproducible: an up-to-date binary comes out byte for byte the same). Costs a few
// stat calls when everything is up to date. Without the compiler it says so and moves on;
// the oracle suites then skip (locally) or fail with the fix (CI).
import { spawnSync } from 'node:child_process';
import { GLIBC_GUESTS, GUEST_BUILD_SCRIPT, guestPath, isStale } from './guests.ts';
import { requireOracle } from './real-linux.ts';

export default function setup(): void {
  const stale = GLIBC_GUESTS.filter((g) => isStale(guestPath(g), g));
  if (stale.length === 0) return;
  const missing = requireOracle(`[guests] glibc guests (${stale.join(', ')}) not built`, ['cross-gcc']);
  if (missing !== null) return console.warn(missing);
  console.log(`[guests] building ${stale.join(', ')} into scenarios/guests/bin/`);
  const r = spawnSync('bash', [GUEST_BUILD_SCRIPT, 'glibc', ...stale], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`building glibc guests failed (bash ${GUEST_BUILD_SCRIPT} glibc):\n${r.stderr}`);
  }
}
