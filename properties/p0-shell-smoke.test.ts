// P0.5 on the reference kernel: busybox sh, dash and bash under random schedules. Needs the
// fetched busybox and the Debian rootfs (npm run busybox, npm run rootfs); skipped with a line
// saying so when they are absent, and a failure under CI=true.
import { describe, expect, it } from 'vitest';
import { SHELL_SMOKE_GATE } from '../src/sim/gates/shell-smoke.ts';
import { missingShells } from '../src/sim/gates/shells.ts';

const missing = missingShells();
const skip = missing !== undefined && process.env.CI !== 'true';
if (skip) console.warn(`[shells] SKIPPED P0.5 shell smoke: ${missing}`);

describe.skipIf(skip)('P0.5 shell smoke on busybox sh, dash and bash', () => {
  it('P0.5 shell smoke: the prompt comes back after the child, printf hi | cat prints hi, echo x > /tmp/a writes the file (reference, 27 schedules)', () => {
    const r = SHELL_SMOKE_GATE.evaluate({ kernel: 'reference', runs: 27, seed: 7 });
    if (r instanceof Promise) throw new Error('P0.5 is synchronous');
    expect(r).toMatchObject({ pass: true, runs: 27 });
    expect(r.detail).toContain('busybox sh, dash, bash');
  });
});
