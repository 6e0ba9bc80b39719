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
  // every process is pid 1: the child's getpid is wrong
  ['P0.1', 'fP.wa', /getpid\(\) is the caller's pid: fails at p2 observes "n2 pid 1".*expected p2's pid 2/],
  // a fork inside the rollback child fails (the generator ends p1 with a wait per fork)
  ['P0.2', 'ff..wawa', /fork\(\) succeeds .*p2 observes "n2 fork -11".*EAGAIN/],
  // the second fork silently reaps the first child: a wait finds nothing left to wait for
  ['P0.3', 'f.f.wawa', /p1 observes "n4 wait -10".*ECHILD although p2 is an unreaped matching child/],
  // one descriptor table: the child's close removes the parent's descriptor
  ['P0.4', 'pfC1r.e.', /p1 observes "n4 fd 1r -9".*never closed is gone/],
  // no process table: not even p1 has a spawn event
  ['P1.1', "''", /a spawn event for p1: never happens/],
  ['P1.2', "''", /spawn of p1: never happens/],
  ['P1.3', 'f.wp1hwa', /p1 observes "n2 wait 2 exited 0".*expected ECHILD/],
  ['P1.4', 'f.wa', /reap event of p2: never happens/],
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
      expect(JSON.parse(lines[0])).toMatchObject({ kernel: 'legacy-rollback', path: '/bin/interp', argv: ['scenarios/guests/bin/interp', 'fP.wa'] });
      expect(lines.some((l) => l.includes('"buf":"n2 pid 1\\n"'))).toBe(true);
      expect(JSON.parse(lines.at(-1)!).schedule).toBe(/--schedule (\S+)/.exec(r.counterexample!.replay)![1]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
