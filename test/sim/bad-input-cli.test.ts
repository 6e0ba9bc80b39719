// Hostile flags and output places, as separate node processes: every case is one
// `procsim: ...` line naming the path or value and the fix, with exit 2 (or the guest's
// status), at once: never a stack trace, never a hang, never a command it then refuses.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guestPath, REPO_ROOT } from '../support/guests.ts';

const HELLO = guestPath('hello');
const WINDOW = guestPath('planted-window');
const dir = mkdtempSync(join(tmpdir(), 'procsim-bad-input-'));
const at = (name: string): string => join(dir, name);

function procsim(args: string[], opts: { stdout?: number; timeout?: number } = {}) {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/procsim.mjs'), ...args], {
    encoding: 'utf8',
    cwd: dir,
    timeout: opts.timeout ?? 60_000,
    stdio: ['ignore', opts.stdout ?? 'pipe', 'pipe'],
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

/** Exit 2 and exactly one procsim line matching msg. */
function oneLine(args: string[], msg: RegExp, code = 2): void {
  const r = procsim(args, { timeout: 15_000 });
  expect(r.signal, `${args.join(' ')} timed out`).toBe(null);
  expect(r.stderr).toMatch(msg);
  expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(/^procsim: /);
  expect(r.code).toBe(code);
}

describe('output paths that cannot be written', () => {
  writeFileSync(at('a-file'), 'x');
  mkdirSync(at('a-dir'), { recursive: true });

  it('--trace to a missing directory or to a directory: one line naming the path and the fix (run, replay, explore)', () => {
    for (const cmd of ['run', 'replay', 'explore']) {
      oneLine([cmd, '--trace', at('no/such/t.jsonl'), HELLO], /--trace .*no\/such\/t\.jsonl: ENOENT: directory .*no\/such does not exist \(create it/);
      oneLine([cmd, '--trace', at('a-dir'), HELLO], /--trace .*a-dir: EISDIR: is a directory \(name a file/);
      oneLine([cmd, '--trace', at('a-file/t.jsonl'), HELLO], /--trace .*a-file\/t\.jsonl: ENOTDIR/);
    }
  });

  it('gate --out naming a file, a path under a file, or a place that cannot hold a directory: one line at once', () => {
    oneLine(['gate', '--out', at('a-file')], /--out .*a-file: is a file, not a directory/);
    oneLine(['gate', '--out', at('a-file/sub')], /--out .*a-file\/sub: ENOTDIR/);
    // mkdirSync({ recursive: true }) spins forever on this one under Node 20: the old 20 s "hang".
    oneLine(['gate', '--out', '/proc/procsim-no-such-dir'], /--out \/proc\/procsim-no-such-dir: ENOENT: cannot create this directory/);
    oneLine(['gate', '--json', at('a-dir'), '--out', at('gate-out')], /--json .*a-dir: EISDIR/);
  });

  it('stdout on /dev/full: replay and explore say so in one line, exit 2; under run the guest gets ENOSPC as on Linux', { skip: !existsSync('/dev/full') }, () => {
    const full = openSync('/dev/full', 'w');
    try {
      for (const args of [['replay', HELLO], ['explore', '--runs', '2', HELLO]]) {
        const r = procsim(args, { stdout: full });
        expect(r.code).toBe(2);
        expect(r.stderr).not.toMatch(/\n\s+at /); // no stack
        expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^procsim: cannot write stdout: ENOSPC: no space left on device \(redirect it/);
      }
      // hello ignores its write's ENOSPC, as it would natively: its own status, no host error.
      expect(procsim(['run', HELLO], { stdout: full })).toMatchObject({ code: 0, stderr: '' });
    } finally {
      closeSync(full);
    }
  });
});

describe('numbers out of range', () => {
  it('--shard with an index or count past 2^53-1 is refused by explore and gate', () => {
    for (const shard of ['1/99999999999999999999', '99999999999999999999/99999999999999999999', '0/3', '1/0']) {
      oneLine(['explore', '--shard', shard, HELLO], /--shard must be I\/N with 1 <= I <= N/);
      oneLine(['gate', '--shard', shard], /--shard must be I\/N with 1 <= I <= N/);
    }
  });

  it('explore from a seed whose runs would pass 2^53-1 is refused with the highest seed that works; that one prints commands replay takes', () => {
    oneLine(['explore', '--seed', String(2 ** 53 - 1), '--runs', '3', HELLO], /--seed 9007199254740991: the runs would use seeds up to 9007199254740998.*use --seed 9007199254740984 or lower/);
    oneLine(['gate', '--seed', String(2 ** 53 - 1)], /--seed 9007199254740991: the runs would use seeds up to/);
    const r = procsim(['explore', '--seed', '9007199254740984', '--runs', '8', '--shrink-runs', '0', WINDOW]);
    expect([0, 1]).toContain(r.code);
    const replays = r.stdout.split('\n').filter((l) => l.trim().startsWith('replay: ')).map((l) => l.trim().slice('replay: procsim '.length));
    expect(replays.length).toBeGreaterThan(0);
    for (const cmd of replays) {
      const again = procsim(cmd.split(' '));
      expect(again.stderr).not.toMatch(/must be a non-negative integer/);
      expect(again.code).not.toBe(2);
    }
  });

  it('pct with a step bound of 2^32 runs (no array of k entries); a depth past the limit is a usage error', () => {
    const r = procsim(['replay', '--strategy', 'pct:3:4294967296', HELLO]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('strategy pct:3:4294967296');
    expect(procsim(['explore', '--runs', '2', '--strategy', 'pct:3:4294967296', HELLO]).code).toBe(0);
    oneLine(['replay', '--strategy', 'pct:4294967296:3', HELLO], /--strategy: PCT depth must be a positive integer, at most 10000/);
  });

  it('explore --workers past the cores is capped, with one line saying so; the report is unchanged', () => {
    const r = procsim(['explore', '--workers', '1000', '--runs', '4', '--json', at('w1000.json'), HELLO]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^procsim: --workers 1000 capped to \d+, the cores this machine has\n$/);
    procsim(['explore', '--runs', '4', '--json', at('w1.json'), HELLO]);
    expect(readFileSync(at('w1000.json'), 'utf8')).toBe(readFileSync(at('w1.json'), 'utf8'));
  });
});

describe('merge validates every report field', () => {
  it('negative run counts, unknown or __proto__ keys, counts that do not add up: exit 2, one line', () => {
    procsim(['explore', '--shard', '1/2', '--runs', '6', '--json', at('m1.json'), HELLO]);
    const good = JSON.parse(readFileSync(at('m1.json'), 'utf8'));
    const cases: [string, (r: Record<string, unknown>) => void, RegExp][] = [
      ['negative runs', (r) => (r.runs = -3), /runs is negative/],
      ['negative plannedRuns', (r) => (r.plannedRuns = -1), /plannedRuns is negative/],
      ['negative seed', (r) => (r.seed = -1), /seed is negative/],
      ['__proto__ at the top', (r) => Object.defineProperty(r, '__proto__', { value: { polluted: 1 }, enumerable: true }), /unknown field "__proto__"/],
      ['an unknown field', (r) => (r.extra = 1), /unknown field "extra"/],
      ['__proto__ in an outcome', (r) => Object.defineProperty((r.outcomes as object[])[0], '__proto__', { value: {}, enumerable: true }), /an entry of outcomes has an unknown field "__proto__"/],
      ['a negative count', (r) => ((r.outcomes as { count: number }[])[0].count = -1), /has count -1/],
      ['counts that do not add up', (r) => (r.runs = (r.runs as number) + 1), /outcome counts add up to/],
      ['a shard index past N', (r) => (r.shard = { count: 2, indexes: [3] }), /shard indexes must be integers from 1 to 2/],
      ['procs not strings', (r) => ((r.outcomes as { procs: unknown }[])[0].procs = [1]), /lacks procs/],
    ];
    for (const [name, spoil, msg] of cases) {
      const r = structuredClone(good);
      spoil(r);
      const file = at(`spoiled-${name.replace(/\W+/g, '-')}.json`);
      writeFileSync(file, JSON.stringify(r));
      oneLine(['merge', file], msg);
    }
  });
});

describe('inputs procsim holds whole are bounded', () => {
  it('--stdin from /dev/zero or an endless pipe, a rootfs tar that is /dev/zero, a hermetic ELF that is a device: one line, exit 2, no host memory', () => {
    oneLine(['replay', '--stdin', '/dev/zero', HELLO], /^procsim: --stdin \/dev\/zero: not a regular file or a pipe\n$/);
    oneLine(['explore', '--runs', '1', '--stdin', '/dev/zero', HELLO], /^procsim: --stdin \/dev\/zero: not a regular file or a pipe\n$/);
    const zeroTar = at('zero.tar');
    symlinkSync('/dev/zero', zeroTar);
    oneLine(['run', '--rootfs', zeroTar, '/bin/sh'], /^procsim: --rootfs .*zero\.tar: not a regular file\n$/);
    // 300 MiB through a pipe: refused once past the 256 MiB bound, with the fix named.
    const r = spawnSync('sh', ['-c', `head -c 314572800 /dev/zero | "${process.execPath}" "${join(REPO_ROOT, 'bin/procsim.mjs')}" replay --stdin /dev/stdin "${HELLO}"`], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^procsim: --stdin \/dev\/stdin: more than the 256 MiB procsim reads \(every run of a hermetic command gets the same stdin, so it is held whole: give a smaller file, or use procsim run, which streams the host's stdin\)\n$/);
  }, 90_000);
});
