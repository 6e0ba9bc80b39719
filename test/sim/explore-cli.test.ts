// procsim explore and procsim merge as separate node processes: exit codes, the report in
// text and JSON, replay commands that reproduce what they print, workers and shards that
// give the one-worker, unsharded report.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guestPath, REPO_ROOT } from '../support/guests.ts';
import { which } from '../support/real-linux.ts';

const WINDOW = guestPath('planted-window');
const ORDER = guestPath('planted-order');
const dir = mkdtempSync(join(tmpdir(), 'procsim-explore-cli-'));
const at = (name: string): string => join(dir, name);

function procsim(args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/procsim.mjs'), ...args], { encoding: 'utf8', cwd: dir });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

describe('procsim explore', () => {
  it('finds the planted failure (exit 1), prints outcomes and the shrunk replay, which reproduces its trace', () => {
    const r = procsim(['explore', '--runs', '40', '--seed', '3', '--json', at('w.json'), '--trace', at('w.jsonl'), WINDOW, '2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(''); // no progress bar when stderr is not a terminal
    expect(r.stdout).toMatch(/^40 runs of .*planted-window 2: strategy random, seeds from 3 \(sweep of 40\)\n\d distinct outcomes:\n/);
    expect(r.stdout).toContain('1 kind of failure:\n  fault SIGABRT: ');
    const shrunk = /shrunk to 2 context switches, \d+ choices \(\d+ candidate runs\): (s1:\w+)\n    trace (sha256:\w+)\n    replay: procsim (.*)\n/.exec(r.stdout);
    expect(shrunk).not.toBeNull();
    const [, schedule, hash, replay] = shrunk!;
    // The trace file is the shrunk run's; its printed replay command gives that trace again.
    const trace = readFileSync(at('w.jsonl'), 'utf8').trimEnd().split('\n');
    expect(JSON.parse(trace.at(-1)!)).toMatchObject({ schedule, hash });
    const again = procsim(replay.split(' '));
    expect(again.code).toBe(128 + 6); // SIGABRT
    expect(again.stderr).toContain(`procsim: schedule ${schedule}\nprocsim: trace ${hash}`);

    const report = json(at('w.json'));
    expect(report).toMatchObject({ format: 'procsim-explore/1', runs: 40, complete: false, strategy: 'random', seed: 3, target: [WINDOW, '2'] });
    expect(report.outcomes.reduce((n: number, o: { count: number }) => n + o.count, 0)).toBe(40);
    for (const o of report.outcomes) expect(o.replay).toMatch(/^procsim replay --seed \d+ --schedule s1:\w+ .*planted-window 2$/);
    expect(report.failures).toEqual([expect.objectContaining({ class: 'fault SIGABRT', shrunk: expect.objectContaining({ schedule, trace: hash, switches: 2 }) })]);
  });

  it.skipIf(which('script') === null)('draws a progress bar when stderr is a terminal (under script(1))', () => {
    const cmd = [process.execPath, join(REPO_ROOT, 'bin/procsim.mjs'), 'explore', '--runs', '30', WINDOW, '2'].join(' ');
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', cwd: dir });
    expect(r.stdout).toMatch(/\r\x1b\[K\[#{24}\] 30\/30 runs {2}3 outcomes {2}\d+ failures {2}\d+ runs\/s/);
  });

  it('exits 0 when no run fails, and writes the first run\'s trace', () => {
    const r = procsim(['explore', '--runs', '10', '--trace', at('o.jsonl'), ORDER, '20']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('\nno failures\nexecutions: 10; searched to completion: no (sampled)\n');
    expect(r.stdout).toMatch(/\n {2}#1 {2}10 runs \(first: seed 0\) {2}p1 exited 0\n {6}procs: {2}p1 exited 0, p2 exited 0, p3 exited 0\n {6}replay: procsim replay --seed 0 --schedule s1:/);
    expect(readFileSync(at('o.jsonl'), 'utf8').split('\n')[0]).toMatch(/^\{"procsim-trace":1,"seed":0,/);
  });

  it('--workers 2 writes the same JSON as one worker; shards merge to the unsharded JSON', () => {
    const args = ['--runs', '30', '--strategy', 'pct', WINDOW, '1'];
    expect(procsim(['explore', '--json', at('one.json'), ...args]).code).toBe(1);
    expect(procsim(['explore', '--workers', '2', '--json', at('two.json'), ...args]).code).toBe(1);
    expect(readFileSync(at('two.json'), 'utf8')).toBe(readFileSync(at('one.json'), 'utf8'));
    for (const i of [1, 2]) procsim(['explore', '--shard', `${i}/2`, '--json', at(`s${i}.json`), ...args]);
    expect(json(at('s1.json')).shard).toEqual({ count: 2, indexes: [1] });
    const m = procsim(['merge', '--json', at('merged.json'), at('s2.json'), at('s1.json')]);
    expect(m.code).toBe(1);
    expect(m.stdout).toMatch(/^30 runs of /);
    expect(readFileSync(at('merged.json'), 'utf8')).toBe(readFileSync(at('one.json'), 'utf8'));
  });

  it('--check-determinism runs every seed twice', () => {
    const r = procsim(['explore', '--runs', '8', '--check-determinism', '--json', at('d.json'), ORDER, '2']);
    expect(r.stdout).toContain('every run checked twice, traces compared');
    expect(json(at('d.json')).checkDeterminism).toBe(true);
    expect(json(at('d.json')).failures.map((f: { class: string }) => f.class)).not.toContain('nondeterministic');
  });

  it('--contracts judges every run by the contract properties: clean on reference, a shrunk property failure on legacy-rollback', () => {
    const ref = procsim(['explore', '--contracts', '--runs', '40', 'fork-wait']);
    expect(ref.code).toBe(0);
    expect(ref.stdout).toContain('\nno failures\n');
    const legacy = procsim(['explore', '--contracts', '--runs', '20', '--kernel', 'legacy-rollback', '--workers', '2', '--json', at('c2.json'), 'fork-wait']);
    expect(legacy.code).toBe(1);
    expect(legacy.stdout).toMatch(/\n {2}property P1\.1: 20 runs, first seed 0: exactly once a spawn event for p1: never happens\n/);
    expect(procsim(['explore', '--contracts', '--runs', '20', '--kernel', 'legacy-rollback', '--json', at('c1.json'), 'fork-wait']).code).toBe(1);
    expect(readFileSync(at('c2.json'), 'utf8')).toBe(readFileSync(at('c1.json'), 'utf8'));
    expect(json(at('c1.json')).failures.map((f: { class: string }) => f.class)).toEqual(['property P1.1']);
  });

  it('usage errors exit 2 with one line', () => {
    for (const [args, msg] of [
      [['--shard', '3/2', WINDOW], /--shard must be I\/N with 1 <= I <= N/],
      [['--strategy', 'bogus', WINDOW], /--strategy: unknown strategy "bogus"/],
      [['--strategy', 'dfs:x', WINDOW], /--strategy: bad dfs spec "dfs:x"/],
      [['--workers', '0', WINDOW], /--workers must be at least 1/],
      [[], /explore: missing ELF/],
      [[at('nope')], /no such file/],
      [['--runs', '1', '--json', at('no/such/dir.json'), WINDOW], /--json .*dir.json: ENOENT/],
    ] as const) {
      const r = procsim(['explore', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('a file that is not an ELF: exit 126 with one line', () => {
    writeFileSync(at('notelf'), 'hello\n');
    expect(procsim(['explore', at('notelf')])).toMatchObject({ code: 126, stderr: expect.stringMatching(/^procsim: .*notelf: not an executable format\n$/) });
  });

  it('merge refuses bad input with exit 2', () => {
    writeFileSync(at('bad.json'), '{"format": 1}');
    expect(procsim(['merge', at('bad.json')])).toMatchObject({ code: 2, stderr: expect.stringMatching(/bad.json: not a procsim-explore\/1 report/) });
    expect(procsim(['merge', at('missing.json')])).toMatchObject({ code: 2, stderr: expect.stringMatching(/missing.json: ENOENT/) });
    expect(procsim(['merge', at('s1.json'), at('s1.json')])).toMatchObject({ code: 2, stderr: expect.stringMatching(/shard 1\/2 appears twice/) });
    expect(procsim(['merge'])).toMatchObject({ code: 2 });
  });
});
