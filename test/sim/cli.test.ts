// procsim replay and run --trace as separate node processes: the same command gives the same
// trace file in another process, and the command a run prints reproduces it.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { A0, BUF, Prog, SYS } from '../process/kernel/harness.ts';
import { SIGCHLD } from '../../src/process/signals.ts';
import { REPO_ROOT, guestPath } from '../support/guests.ts';
import { GUEST_BUSYBOX, requireBusybox } from '../support/busybox.ts';

const FORK_WAIT = guestPath('fork-wait');
const dir = mkdtempSync(join(tmpdir(), 'procsim-sim-cli-'));

function procsim(args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/procsim.mjs'), ...args], { encoding: 'utf8', cwd: dir });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The arguments (after `procsim`) of the printed command labelled `label`. */
function printedArgs(stderr: string, label: string): string[] {
  const start = `procsim: ${label}: procsim `;
  const line = stderr.split('\n').find((l) => l.startsWith(start));
  expect(line, label).toBeDefined();
  return line!.slice(start.length).split(' ');
}

describe('a trace streams to its file', () => {
  it('run --trace of 400,000 steps in a 40 MiB heap: the trace goes out as it is made, its footer hashes its body', () => {
    const file = join(dir, 'storm.jsonl');
    const r = spawnSync(
      process.execPath,
      ['--max-old-space-size=40', join(REPO_ROOT, 'bin/procsim.mjs'), 'run', '--max-steps', '400000', '--trace', file, guestPath('pm-bad'), 'storm'],
      { encoding: 'utf8', cwd: dir },
    );
    expect(r.status, r.stderr).toBe(137);
    expect(r.stderr).toBe('procsim: steps budget of 400000 exhausted\n');
    const lines = readFileSync(file, 'latin1').trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(400_000);
    const body = createHash('sha256');
    for (const l of lines.slice(1, -1)) body.update(`${l}\n`);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ steps: 400000, hash: `sha256:${body.digest('hex')}` });
    expect(JSON.parse(lines.at(-2)!)).toMatchObject({ end: 'budget' });
  });
});

describe('an event log streams to its file', () => {
  it('run and replay --events of 400,000 steps of a signal storm in a 40 MiB heap: every event on its line, checked by check-events', () => {
    for (const cmd of ['run', 'replay']) {
      const file = join(dir, `storm-${cmd}.events.jsonl`);
      const r = spawnSync(
        process.execPath,
        ['--max-old-space-size=40', join(REPO_ROOT, 'bin/procsim.mjs'), cmd, '--max-steps', '400000', '--events', file, guestPath('pm-bad'), 'storm'],
        { encoding: 'utf8', cwd: dir },
      );
      expect(r.stderr, cmd).toMatch(/steps budget of 400000 exhausted/);
      const lines = readFileSync(file, 'latin1').trimEnd().split('\n');
      expect(lines.length, cmd).toBeGreaterThan(100_000);
      expect(lines.slice(1).filter((l) => l.includes('"kind":"signal"')).length, cmd).toBeGreaterThan(100_000);
      const checked = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/procsim.mjs'), 'check-events', file], { encoding: 'utf8' });
      expect(checked.stderr, cmd).toBe('');
    }
  }, 120_000);
});

describe('explore keeps a bounded part of each run\'s output', () => {
  it('two runs writing 600 MiB each in a 64 MiB heap: one outcome, its first 64 KiB and a digest of the rest', () => {
    const r = spawnSync(process.execPath, ['--max-old-space-size=64', join(REPO_ROOT, 'bin/procsim.mjs'), 'explore', '--runs', '2', guestPath('pm-bad'), 'flood'], {
      encoding: 'utf8',
      cwd: dir,
      maxBuffer: 1 << 24,
    });
    expect(r.status, r.stderr).toBe(0);
    // Checked on the report's end and start: the 64 KiB kept would swamp a failure's diff.
    const head = r.stdout.slice(0, 300);
    const tail = r.stdout.slice(-400);
    expect(head).toMatch(/^1 distinct outcome:\n {2}#1 {2}2 runs /m);
    // The mode's banner, 600 MiB and the last line, less the 65536 bytes kept.
    const rest = '== flood ==\n'.length + 600 * (1 << 20) + 'flood: 600 MiB written\n'.length - 65536;
    expect(tail).toMatch(new RegExp(`\\| \\[procsim: ${rest} more bytes not kept, sha256 [0-9a-f]{64}\\]\n`));
    expect(tail).toMatch(/^no failures$/m);
  }, 120_000);
});

describe('procsim replay', () => {
  it('same seed in two processes: the same trace file; the printed commands reproduce it', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((n) => join(dir, `${n}.jsonl`));
    const first = procsim(['replay', '--seed', '42', '--trace', a, FORK_WAIT]);
    expect(first.code).toBe(0);
    expect(first.stdout.split('\n')[0]).toBe('parent: forking');
    expect(first.stderr).toMatch(/^procsim: p1 exited 0\nprocsim: strategy random, seed 42: \d+ steps, \d+ choices, \d+ instructions\nprocsim: schedule s1:\w+\nprocsim: trace sha256:[0-9a-f]{64} \(written to .*\)\nprocsim: reproduce: /);
    expect(procsim(['replay', '--seed', '42', '--trace', b, FORK_WAIT]).code).toBe(0);
    expect(readFileSync(b, 'utf8')).toBe(readFileSync(a, 'utf8'));
    expect(printedArgs(first.stderr, 'reproduce')).toEqual(['replay', '--seed', '42', '--strategy', 'random', FORK_WAIT]);
    const bySchedule = printedArgs(first.stderr, 'or by schedule');
    expect(bySchedule.slice(0, 4)).toEqual(['replay', '--seed', '42', '--schedule']);
    const again = procsim([...bySchedule.slice(0, -1), '--trace', c, FORK_WAIT]);
    expect(again.code).toBe(0);
    expect(readFileSync(c, 'utf8')).toBe(readFileSync(a, 'utf8'));
    expect(again.stdout).toBe(first.stdout);
    expect(printedArgs(again.stderr, 'reproduce')).toEqual(bySchedule);
    // Flags the run depends on are carried over.
    const env = procsim(['replay', '--seed', '1', '--env', 'A=b c', '--max-steps', '500', FORK_WAIT]);
    expect(env.stderr).toContain(`reproduce: procsim replay --seed 1 --strategy random '--env=A=b c' --max-steps=500 ${FORK_WAIT}`);
    const hash = /trace (sha256:\w+)/.exec(first.stderr)![1];
    expect(JSON.parse(readFileSync(a, 'utf8').trim().split('\n').at(-1)!).hash).toBe(hash);
  });

  it('takes a scenario by name: its golden trace is a replay with the golden seed, round-robin', () => {
    const out = join(dir, 'scenario.jsonl');
    const r = procsim(['replay', '--seed', '1', '--strategy', 'rr', '--kernel', 'legacy-rollback', '--trace', out, 'fork-wait']);
    expect(r.stderr).toContain('procsim: reproduce: procsim replay --seed 1 --strategy rr --kernel=legacy-rollback fork-wait');
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(REPO_ROOT, 'golden/fork-wait/legacy-rollback.trace.jsonl'), 'utf8'));
    expect(procsim(['replay', 'fork-wait', 'x']).stderr).toBe('procsim: replay: scenario fork-wait takes no arguments (its argv is in scenarios/fork-wait.json)\n');
    expect(procsim(['replay', '--env', 'A=1', 'fork-wait']).stderr).toMatch(/--env does not apply to scenario fork-wait/);
    const missing = procsim(['replay', 'no-such-thing']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^procsim: replay: no-such-thing: no such file or scenario \(scenarios: .*fork-wait, /);
  });

  it('PCT by name prints the bound it used, so its seed replays too', () => {
    const r = procsim(['replay', '--seed', '3', '--strategy', 'pct', FORK_WAIT]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('strategy pct:3:50, seed 3');
    const spelled = procsim(['replay', '--seed', '3', '--strategy', 'pct:3:50', FORK_WAIT]);
    const hash = (s: string) => /trace (sha256:\w+)/.exec(s)![1];
    expect(hash(spelled.stderr)).toBe(hash(r.stderr));
  });

  it('findings have their own exit codes: divergence 5, deadlock 3, budget 4', () => {
    const div = procsim(['replay', '--schedule', 's1:b30', FORK_WAIT]);
    expect(div.code).toBe(5);
    expect(div.stderr).toMatch(/^procsim: schedule does not fit: diverged at step \d+, choice \d+ of 30: the schedule runs p2, but only p1/);
    const elf = join(dir, 'deadlock');
    const prog = new Prog()
      .sys(SYS.pipe2, BUF, 0)
      .sys(SYS.pipe2, BUF + 8, 0)
      .sys(SYS.clone, SIGCHLD, 0, 0, 0, 0)
      .b('bne', A0, 0, 'parent')
      .sys(SYS.read, 5, BUF + 64, 1)
      .sys(SYS.exit, 0)
      .label('parent')
      .sys(SYS.read, 3, BUF + 64, 1)
      .sys(SYS.exit, 0);
    writeFileSync(elf, prog.elf(), { mode: 0o755 });
    const dl = procsim(['replay', elf]);
    expect(dl.code).toBe(3);
    expect(dl.stderr.split('\n')[0]).toBe('procsim: deadlock: every process is blocked (p1: read; p2: read)');
    const budget = procsim(['replay', '--max-steps', '10', FORK_WAIT]);
    expect(budget.code).toBe(4);
    expect(budget.stderr.split('\n')[0]).toBe('procsim: steps budget of 10 exhausted');
  });

  it('bad input: one line and exit 2', () => {
    const cases: [string[], RegExp][] = [
      [['replay', '--schedule', 's1:a-', FORK_WAIT], /^procsim: --schedule: bad schedule "s1:a-": at character 5: expected a process/],
      [['replay', '--strategy', 'dfs', FORK_WAIT], /^procsim: --strategy: unknown strategy "dfs"/],
      [['replay', '--strategy', 'rr', '--schedule', 's1:', FORK_WAIT], /^procsim: replay: give --strategy or --schedule, not both/],
      [['replay', '--seed', '-1', FORK_WAIT], /^procsim: --seed must be a non-negative integer/],
      [['replay'], /^procsim: replay: missing ELF/],
      [['replay', '--stdin', join(dir, 'nope'), FORK_WAIT], /^procsim: --stdin .*nope: ENOENT/],
    ];
    for (const [args, why] of cases) {
      const r = procsim(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(why);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('procsim run --trace', () => {
  it('writes the same kind of trace under round-robin, and the guest runs as without it', () => {
    const file = join(dir, 'run.jsonl');
    const traced = procsim(['run', '--clear-env', '--trace', file, FORK_WAIT]);
    const plain = procsim(['run', '--clear-env', FORK_WAIT]);
    expect(traced.code).toBe(0);
    expect(traced.stdout).toBe(plain.stdout);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ 'procsim-trace': 1, seed: 0, kernel: 'reference', argv: [FORK_WAIT] });
    expect(lines.at(-2)).toEqual({ end: 'exit', status: 'exited 0' });
    expect(lines.at(-1)).toMatchObject({ schedule: expect.stringMatching(/^s1:/), hash: expect.stringMatching(/^sha256:/) });
  });

  it('the help lists replay and its flags', () => {
    const r = procsim(['--help']);
    for (const s of ['procsim replay', '--strategy', '--schedule', '--trace', '--max-steps', '--stdin']) expect(r.stdout).toContain(s);
  });
});

describe('procsim on a closed pipe', () => {
  it('ends quietly with 141 (as SIGPIPE would) when its reader goes away', () => {
    // `true` exits without reading long before procsim (a node start-up) writes its report.
    const cmd = `set -o pipefail; ${JSON.stringify(process.execPath)} bin/procsim.mjs explore --runs 30 fork-wait | true`;
    const r = spawnSync('bash', ['-c', cmd], { encoding: 'utf8', cwd: REPO_ROOT });
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(141);
  });

  it('run gives the guest EPIPE and SIGPIPE when the host reader goes, as Linux and qemu-riscv64 do: `procsim run busybox yes | head -2` ends', { skip: requireBusybox('run | head') !== null, timeout: 90_000 }, () => {
    const cmd = `set -o pipefail; timeout 60 ${JSON.stringify(process.execPath)} bin/procsim.mjs run ${JSON.stringify(GUEST_BUSYBOX)} yes | head -2`;
    const r = spawnSync('bash', ['-c', cmd], { encoding: 'utf8', cwd: REPO_ROOT });
    expect(r.stdout).toBe('y\ny\n');
    // Killed by SIGPIPE: 128 + 13, and not reported, as a shell does not report it.
    expect(r.stderr).toBe('');
    expect(r.status).toBe(141);
  });
});

describe('procsim explore', () => {
  it('explore --strategy dfs searches fork-wait to completion: the 6 orders of the children (by default, and within --runs)', () => {
    const r = procsim(['explore', '--strategy', 'dfs', '--runs', '5000', FORK_WAIT]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+ runs of .*fork-wait: strategy dfs, seed 0 \(at most 5000 executions\)\n6 distinct outcomes:\n/);
    expect(r.stdout).toMatch(/\nexecutions: \d+; searched to completion: yes\n$/);
    const byDefault = procsim(['explore', '--strategy', 'dfs', FORK_WAIT]);
    expect(byDefault.stdout).toMatch(/^\d+ runs of .*fork-wait: strategy dfs, seed 0 \(at most 100000 executions\)\n/);
    expect(byDefault.stdout).toMatch(/\nexecutions: \d+; searched to completion: yes\n$/);
  });

  it('explore shows each outcome\'s whole output: what tells outcomes apart', () => {
    const r = procsim(['explore', '--runs', '3', FORK_WAIT]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\n {2}#1 {2}\d runs? \(first: seed 0\) {2}p1 exited 0\n {6}procs: {2}p1 exited 0, p2 exited 0, p3 exited 1, p4 exited 2\n {6}stdout: \| parent: forking\n( {14}\| [^\n]*\n){7} {6}replay: procsim replay --seed 0 --schedule s1:/);
  });
});
