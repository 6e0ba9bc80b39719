// explore --faults, --swarm, --coverage and replay of a schedule with faults, end to end:
// the printed replay command reproduces the shrunk failure; bad flags are one line, exit 2.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/guests.ts';

const BUGS = 'scenarios/guests/bin/fault-bugs';

function procsim(...args: string[]) {
  return spawnSync(process.execPath, [`${REPO_ROOT}/bin/procsim.mjs`, ...args], { encoding: 'utf8', cwd: REPO_ROOT });
}

describe('procsim explore --faults', () => {
  it('finds the fork bug, prints its shrunk replay command, and that command reproduces it', () => {
    const r = procsim('explore', '--runs', '30', '--faults', 'fork:0.5', '--coverage', BUGS, 'fork');
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^30 runs of .*fault-bugs fork: strategy random, faults fork:0\.5, seeds from 0/);
    expect(r.stdout).toMatch(/\n {2}clone: ok \d+, EAGAIN \d+\n/);
    const replay = /shrunk to .*\n.*\n {4}replay: procsim (replay .*)\n/.exec(r.stdout)?.[1];
    expect(replay).toMatch(/--schedule s1:[a-z0-9]*\.fa\d /);
    const again = procsim(...replay!.split(' '));
    expect(again.status).toBe(128 + 6); // SIGABRT
    expect(again.stderr).toMatch(/procsim: p1 killed SIGABRT\n/);
  });

  it('refuses bad fault flags in one line with exit 2', () => {
    for (const [args, why] of [
      [['--faults', 'disk'], /^procsim: --faults disk: unknown fault 'disk' \(use fork, mem, signal, fd, io\)\n$/],
      [['--faults', 'fork:2'], /^procsim: --faults fork:2: the rate after ':' must be a number above 0 and at most 1/],
      [['--swarm'], /^procsim: --swarm picks subsets of the --faults kinds: give --faults too\n$/],
      [['--faults', 'fork', '--strategy', 'dfs'], /^procsim: --faults works with the random, rr and pct strategies, not dfs\n$/],
    ] as const) {
      const r = procsim('explore', ...args, BUGS, 'fork');
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(why);
    }
    const r = procsim('replay', '--schedule', 's1:a.xa1', BUGS, 'fork');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^procsim: --schedule: bad schedule "s1:a\.xa1": at character 5: expected a fault/);
  });
});
