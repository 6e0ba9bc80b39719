// P0.5 on the reference kernel: busybox sh under random schedules. Needs the fetched busybox
// (npm run busybox); skipped with a line saying so when it is absent.
import { describe, expect, it } from 'vitest';
import { haveBusybox } from '../src/sim/gates/gate-run.ts';
import { SHELL_SMOKE_GATE } from '../src/sim/gates/shell-smoke.ts';

if (!haveBusybox()) console.warn('[busybox] SKIPPED P0.5 shell smoke: busybox not fetched (fix: npm run busybox)');

describe.skipIf(!haveBusybox())('P0.5 shell smoke on busybox sh', () => {
  it('P0.5 shell smoke: the prompt comes back after the child, printf hi | cat prints hi, echo x > /tmp/a writes the file (reference, 24 schedules)', () => {
    const r = SHELL_SMOKE_GATE.evaluate({ kernel: 'reference', runs: 24, seed: 7 });
    expect(r).toMatchObject({ pass: true, runs: 24 });
  });
});
