// The contract gates have teeth: on the two kernels that model what the migration plan
// replaces they fail where the semantics say they must, each with a shrunk counterexample
// (asserted exactly: the generators and the seed are fixed), and they pass everywhere else.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KernelVariantName } from '../../src/process/variants/index.ts';
import { CONTRACT_GATES } from '../../src/sim/contracts/index.ts';
import type { GateResult } from '../../src/sim/gates/gate.ts';

const RUNS = 200;
const SEED = 1;

function evaluate(id: string, kernel: KernelVariantName, outDir?: string): GateResult {
  const g = CONTRACT_GATES.find((x) => x.id === id);
  if (g === undefined) throw new Error(`no gate ${id}`);
  return g.evaluate({ kernel, runs: RUNS, seed: SEED, outDir }) as GateResult;
}

/** The shrunk program of a failing gate (the replay command's last word). */
function program(r: GateResult): string {
  expect(r.pass).toBe(false);
  const replay = r.counterexample!.replay;
  expect(replay).toMatch(/^procsim replay --seed 0 --schedule s1:\S* --kernel \S+ scenarios\/guests\/bin\/interp \S+$/);
  return replay.split(' ').at(-1)!;
}

describe('contract gates on the reference kernel', () => {
  it.each(CONTRACT_GATES.map((g) => g.id))('%s passes', (id) => {
    const r = evaluate(id, 'reference');
    expect(r).toMatchObject({ pass: true, runs: RUNS });
    expect(r.counterexample).toBeUndefined();
  });
});

// Expected verdicts with the minimal counterexample fast-check shrinks to, and why.
const LEGACY: [string, string, RegExp][] = [
  // setsid is ENOSYS: the shortest identity program already fails (every process is pid 1 too)
  ['P0.1', 's', /setsid\(\) returns the pid .*p1 observes "n1 setsid -38"/],
  // fork returns a count from 100, not the child's pid
  ['P0.2', 'f.wa', /fork\(\) succeeds and returns the new child's pid .*p1 observes "n1 fork 100".*clone returned 100/],
  // wait4 returns what fork returned, 100, which names no child
  ['P0.3', 'fx0.wa', /p1 observes "n3 wait 100 exited 0".*pid 100 is not a matching unreaped child/],
  // execve of a static program is ENOSYS: the shortest exec program already fails
  ['P0.4', 'e.', /execve of the program's own image failed \(-38/],
  // no process table: not even p1 has a spawn event
  ['P1.1', "''", /a spawn event for p1: never happens/],
  ['P1.2', "''", /spawn of p1: never happens/],
  ['P1.3', 'fx0.wahwa', /p1 observes "n3 wait 100 exited 0".*expected an exited child among p2/],
  ['P1.4', 'fx0.wa', /wait4 of p1 returned pid 100, no process of this run/],
  // the rollback fork holds the parent until the child is gone
  ['P2.1', 'f.wa', /no schedule in which the parent runs between its fork and the child's exit \(none exists: the exhaustive search covered all 1, after 4 fixed ones\)/],
  ['P2.2', 'f.wc1wa', /no schedule in which wait4 blocks and the child's exit wakes it/],
  ['P2.3', 'f.wc1wa', /no schedule in which wait4 is called before the child exits and collects it/],
];

describe('legacy-rollback fails every contract gate, each with its minimal counterexample', () => {
  it.each(LEGACY)('%s fails with %s', (id, minimal, why) => {
    const r = evaluate(id, 'legacy-rollback');
    expect(program(r)).toBe(minimal);
    expect(r.counterexample!.summary).toMatch(why);
    expect(r.counterexample!.summary).toContain(`${id} `);
    expect(r.counterexample!.replay).toContain('--kernel legacy-rollback');
  });
});

describe('phase1-bridge: table identity and events pass, rollback fork fails', () => {
  it.each(['P0.1', 'P0.3', 'P1.1', 'P1.2', 'P1.3', 'P1.4'])('%s passes', (id) => {
    expect(evaluate(id, 'phase1-bridge')).toMatchObject({ pass: true, runs: RUNS });
  });

  it.each([
    ['P0.2', 'ff..wawa', /n2 fork -11.*EAGAIN/],
    ['P0.4', 'pfC1r.e.', /n4 fd 1r -9/],
    ['P2.1', 'f.wa', /no schedule in which the parent runs .*none exists/],
    ['P2.2', 'f.wc1wa', /wait4 blocks and the child's exit wakes it/],
    ['P2.3', 'f.wc1wa', /called before the child exits/],
  ])('%s fails with %s', (id, minimal, why) => {
    const r = evaluate(id as string, 'phase1-bridge');
    expect(program(r)).toBe(minimal);
    expect(r.counterexample!.summary).toMatch(why as RegExp);
  });
});

describe('a failing gate saves its counterexample', () => {
  it('writes the trace of the shrunk run under outDir, the run its replay command reproduces', () => {
    const dir = mkdtempSync(join(tmpdir(), 'procsim-contracts-'));
    try {
      const r = evaluate('P0.1', 'legacy-rollback', dir);
      const file = r.counterexample!.trace!;
      expect(file).toBe(join(dir, 'P0.1-legacy-rollback.trace.jsonl'));
      expect(existsSync(file)).toBe(true);
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      expect(JSON.parse(lines[0])).toMatchObject({ kernel: 'legacy-rollback', path: '/bin/interp', argv: ['scenarios/guests/bin/interp', 's'] });
      expect(lines.some((l) => l.includes('"buf":"n1 setsid -38\\n"'))).toBe(true);
      expect(JSON.parse(lines.at(-1)!).schedule).toBe(/--schedule (\S+)/.exec(r.counterexample!.replay)![1]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
