// procsim gate end to end: the README's main job (no flags: phase 0 on the reference kernel)
// passes; the known-bad kernels fail the gates the plan says they fail, each failure with a
// replay command that reproduces its saved trace byte for byte; reports and usage errors.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/guests.ts';

const dir = mkdtempSync(join(tmpdir(), 'procsim-gate-cli-'));

function procsim(args: string[], cwd = REPO_ROOT) {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/procsim.mjs'), ...args], { encoding: 'utf8', cwd });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** gate id -> verdict column of the table. */
const verdicts = (table: string): Record<string, string> =>
  Object.fromEntries([...table.matchAll(/^ {2}(P\d\.\d) .*?\s(pass|FAIL)\s+\d+\s+[\d.]+ s$/gm)].map((m) => [m[1], m[2]]));

describe('procsim gate', () => {
  it('with no flags: every phase 0 gate on the reference kernel, exit 0', () => {
    const r = procsim(['gate', '--out', join(dir, 'default')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('procsim gate: phases 0..0 on kernel reference (runs 100, seed 1)');
    expect(verdicts(r.stdout)).toEqual({ 'P0.1': 'pass', 'P0.2': 'pass', 'P0.3': 'pass', 'P0.4': 'pass', 'P0.5': 'pass', 'P0.6': 'pass' });
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('PASS: all 6 gates of phases 0..0 pass on reference');
  });

  it('legacy-rollback fails P0.1; the printed replay reproduces the saved trace; JSON and JUnit agree', () => {
    const out = join(dir, 'legacy');
    const [json, junit] = [join(dir, 'legacy.json'), join(dir, 'legacy.xml')];
    const r = procsim(['gate', '--kernel', 'legacy-rollback', '--gate', 'P0.1', '--runs', '30', '--out', out, '--json', json, '--junit', junit]);
    expect(r.code).toBe(1);
    expect(verdicts(r.stdout)).toEqual({ 'P0.1': 'FAIL' });
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report).toMatchObject({ pass: false, phase: 0, kernel: 'legacy-rollback', runs: 30, seed: 1 });
    const [g] = report.gates;
    expect(g).toMatchObject({ id: 'P0.1', name: 'identity', phase: 0, pass: false });
    expect(r.stdout).toContain(`  replay: ${g.counterexample.replay}\n  trace:  ${g.counterexample.trace}\n`);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('<testcase classname="procsim.gate.phase0" name="P0.1 identity"');
    expect(xml.match(/<failure /g)).toHaveLength(1);
    // The replay command, run as printed from the repository, writes the same trace.
    const words = g.counterexample.replay.match(/'[^']*'|\S+/g)!.map((w: string) => w.replace(/^'(.*)'$/, '$1'));
    expect(words.slice(0, 2)).toEqual(['procsim', 'replay']);
    const again = join(dir, 'again.jsonl');
    procsim([...words.slice(1, 2), '--trace', again, ...words.slice(2)]);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(g.counterexample.trace, 'utf8'));
  });

  it('phase1-bridge passes P0.1 and P1.1 and fails P2.1', () => {
    const r = procsim(['gate', '--phase', '2', '--kernel', 'phase1-bridge', '--runs', '20', '--gate', 'P0.1', '--gate', 'P1.1', '--gate', 'P2.1', '--out', join(dir, 'bridge')]);
    expect(r.code).toBe(1);
    expect(verdicts(r.stdout)).toEqual({ 'P0.1': 'pass', 'P1.1': 'pass', 'P2.1': 'FAIL' });
    expect(r.stdout).toMatch(/^P2\.1 the parent continues right after fork: FAIL$/m);
  });

  it('shards split the gates: together they cover each once', () => {
    const ids = [1, 2, 3].map((i) => Object.keys(verdicts(procsim(['gate', '--phase', '3', '--shard', `${i}/3`, '--runs', '5', '--out', join(dir, 'shard')]).stdout)));
    expect(ids.flat().sort()).toEqual(['P0.1', 'P0.2', 'P0.3', 'P0.4', 'P0.5', 'P0.6', 'P1.1', 'P1.2', 'P1.3', 'P1.4', 'P2.1', 'P2.2', 'P2.3', 'P3.1', 'P3.2']);
    expect(ids[0]).toEqual(['P0.1', 'P0.4', 'P1.1', 'P1.4', 'P2.3']);
  });

  it('usage errors name the fix', () => {
    const cases: [string[], RegExp][] = [
      [['--phase', '4'], /--phase must be 0, 1, 2 or 3, got 4/],
      [['--kernel', 'nope'], /--kernel: unknown kernel variant "nope" \(choose one of: reference, legacy-rollback, phase1-bridge\)/],
      [['--gate', 'P2.1'], /--gate: unknown gate P2.1 \(gates: P0.1, .*\) of phases 0..0/],
      [['--shard', '4/3'], /--shard must be I\/N with 1 <= I <= N, got "4\/3"/],
      [['--runs', '0'], /--runs must be at least 1/],
      [['extra'], /gate takes no arguments, got "extra"/],
    ];
    for (const [args, msg] of cases) {
      const r = procsim(['gate', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
  });
});
