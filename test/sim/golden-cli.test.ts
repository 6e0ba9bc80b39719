// procsim golden as a command: in check mode it compares and exits 0 or 1, with a diff for a
// changed file; bad flags are usage errors (exit 2) naming the choices.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/guests.ts';

function procsim(args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/procsim.mjs'), ...args], { encoding: 'utf8', cwd: REPO_ROOT });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('procsim golden', () => {
  it('checks the selected scenarios and kernels: every file the same, exit 0', () => {
    const r = procsim(['golden', '--scenario', 'regress-exit-code', '--scenario', 'exec-in-child', '--kernel', 'reference']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('procsim golden: 4 file(s), 0 problem(s)\n');
    expect(r.code).toBe(0);
  });

  it('an unknown scenario or kernel, or an argument, is a usage error naming the choices', () => {
    const s = procsim(['golden', '--scenario', 'nope']);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/^procsim: --scenario: no scenario "nope" \(scenarios: .*fork-wait.*\)\n$/);
    const k = procsim(['golden', '--kernel', 'bsd']);
    expect(k.code).toBe(2);
    expect(k.stderr).toMatch(/--kernel: unknown kernel variant "bsd"/);
    expect(procsim(['golden', 'fork-wait']).stderr).toMatch(/golden takes no arguments/);
  });

  it('is in the help', () => {
    expect(procsim(['--help']).stdout).toContain('procsim golden [--update] [--scenario NAME] [--kernel K]');
  });
});
