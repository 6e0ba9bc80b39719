// procsim run --kernel NAME and --max-procs N.
import { MAX_PROCS_LIMIT } from '../../../src/process/kernel.ts';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../../support/guests.ts';
import { oracleSuite } from '../../support/oracle.ts';
import { variantGuestPath } from './support.ts';

function procsim(args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/procsim.mjs'), ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

oracleSuite('procsim run --kernel / --max-procs', ['cross-gcc'], () => {
  it('--kernel picks the semantics', () => {
    const elf = variantGuestPath('rollback');
    const legacy = procsim(['run', '--kernel', 'legacy-rollback', elf, 'identity']);
    expect(legacy.code).toBe(0);
    expect(legacy.stdout).toContain('child: pid=1 ppid=0 tid=1\n');
    const bridge = procsim(['run', '--kernel=phase1-bridge', elf, 'order']);
    expect(bridge.stdout).toBe("child: exiting\nparent: resumed\nparent: resumed after the child's 1 ms sleep: yes\n");
  });

  it('--max-procs bounds the table: a full table makes fork fail with EAGAIN', () => {
    const r = procsim(['run', '--max-procs', '1', variantGuestPath('rollback'), 'identity']);
    expect(r.code).toBe(99);
    expect(r.stdout).toContain('FAIL fork: EAGAIN\n');
  });
});

it('a bad --kernel or --max-procs is a one-line usage error', () => {
  const elf = join(REPO_ROOT, 'scenarios/guests/bin/hello');
  const bad = procsim(['run', '--kernel', 'bogus', elf]);
  expect(bad.code).toBe(2);
  expect(bad.stdout).toBe('');
  expect(bad.stderr).toBe(
    'procsim: --kernel: unknown kernel variant "bogus" (choose one of: reference, legacy-rollback, phase1-bridge)\n',
  );
  const zero = procsim(['run', '--max-procs', '0', elf]);
  expect([zero.code, zero.stderr]).toEqual([2, `procsim: --max-procs must be from 1 to ${MAX_PROCS_LIMIT}, got 0\n`]);
  const huge = procsim(['run', '--max-procs', String(MAX_PROCS_LIMIT + 1), elf]);
  expect(huge.code).toBe(2);
  const word = procsim(['run', '--max-procs', 'many', elf]);
  expect([word.code, word.stderr]).toEqual([2, 'procsim: --max-procs must be a non-negative integer, got "many"\n']);
  const help = procsim(['run', '--help']);
  expect(help.stdout).toMatch(/--kernel NAME +kernel semantics: reference, legacy-rollback, phase1-bridge\n +\(default reference\)/);
});
