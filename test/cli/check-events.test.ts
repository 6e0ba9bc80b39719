// procsim run --events and procsim check-events end to end: the reference producer's log of
// fork-wait passes; a changed status fails P1.4 at its line; exit codes 0, 1, 2.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/guests.ts';

const dir = mkdtempSync(join(tmpdir(), 'procsim-check-events-'));

function procsim(...args: string[]) {
  return spawnSync(process.execPath, [join(REPO_ROOT, 'bin/procsim.mjs'), ...args], { encoding: 'utf8', cwd: REPO_ROOT });
}

describe('procsim check-events', () => {
  const log = join(dir, 'fork-wait.jsonl');
  const run = procsim('run', '--events', log, 'scenarios/guests/bin/fork-wait');

  it('run --events writes a log that passes, with the table and exit 0', () => {
    expect(run.status, run.stderr).toBe(0);
    const r = procsim('check-events', log);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      'contract  verdict  first offending line  why',
      'P1.1      pass     -                     identity from the table',
      'P1.2      pass     -                     event stream order and drain',
      'P1.3      n/a      -                     decided on wait4 results, which an event log does not have',
      'P1.4      pass     -                     wakeup emitted and reaped once',
      '18 events, 0 dropped: every decidable contract holds',
      '',
    ]);
  });

  it('replay --events writes the same events as run (one schedule of fork-wait: only the header differs)', () => {
    const other = join(dir, 'replay.jsonl');
    const r = procsim('replay', '--strategy', 'rr', '--events', other, 'scenarios/guests/bin/fork-wait');
    expect(r.status, r.stderr).toBe(0);
    const body = (f: string) => readFileSync(f, 'utf8').split('\n').slice(1).filter((l) => !l.includes('"exec"'));
    expect(body(other)).toEqual(body(log));
  });

  it('a reap whose status is not the exit status fails P1.4 at its line, exit 1, and --json says so', () => {
    const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
    const at = lines.findIndex((l) => l.includes('"kind":"reap"'));
    lines[at] = lines[at].replace(/"status":\d+/, '"status":99');
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, `${lines.join('\n')}\n`);
    const r = procsim('check-events', bad);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^P1\\.4 +fail +${bad.replace(/[.]/g, '\\.')}:${at + 1} +reap status 99 of pid 2 is not its exit status 0 \\(line 7\\)$`, 'm'));
    const j = procsim('check-events', '--json', bad);
    expect(j.status).toBe(1);
    const report = JSON.parse(j.stdout);
    expect(report).toMatchObject({ file: bad, ok: false, events: 18, dropped: 0 });
    expect(report.contracts.find((c: { id: string }) => c.id === 'P1.4')).toMatchObject({ verdict: 'fail', line: at + 1 });
  });

  it('a malformed line is FILE:LINE: why, exit 1', () => {
    const bad = join(dir, 'malformed.jsonl');
    writeFileSync(bad, '{"seq":0,"kind":"spawn","pid":1,"ppid":0}\n{"seq":1}\n');
    const r = procsim('check-events', bad);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`${bad}:2: "kind" must be one of spawn, exec, exit, signal, wait-wakeup, reap, got undefined\nprocsim: ${bad}: 1 line not in the event-log format (see src/sim/EVENTS.md)\n`);
  });

  it('usage errors: one line, exit 2', () => {
    for (const [args, msg] of [
      [[join(dir, 'missing.jsonl')], `procsim: check-events: ${join(dir, 'missing.jsonl')}: no such file (name an existing log, e.g. one procsim run --events FILE wrote)\n`],
      [[dir], `procsim: check-events: ${dir}: is a directory (name a .jsonl file)\n`],
      [[], 'procsim: check-events takes one FILE.jsonl, got none (see --help)\n'],
      [['--table', 'x'], 'procsim: unknown flag --table (see --help)\n'],
    ] as const) {
      const r = procsim('check-events', ...args);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toBe(msg);
    }
  });

  it('legacy-rollback writes a header-only log, which fails P1.1', () => {
    const legacy = join(dir, 'legacy.jsonl');
    // fork-wait itself exits 1 there (its children's ppid is 0): the log is what counts.
    expect(procsim('run', '--kernel', 'legacy-rollback', '--events', legacy, 'scenarios/guests/bin/fork-wait').status).toBe(1);
    expect(readFileSync(legacy, 'utf8').trimEnd().split('\n')).toHaveLength(1);
    const r = procsim('check-events', legacy);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^P1\.1 +fail +whole log +the log has no process events/m);
  });
});
