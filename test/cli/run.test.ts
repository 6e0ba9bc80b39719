import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'scenarios/guests/bin');

function procsim(args: string[], input = '') {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/procsim.mjs'), ...args], { input, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('procsim run', () => {
  it('passes argv, stdout and the exit code through like qemu-riscv64', () => {
    const r = procsim(['run', join(BIN, 'echo-args'), 'one', 'two words']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(1, 3)).toEqual(['one', 'two words']);
    expect(procsim(['run', join(BIN, 'exit-code'), '42']).code).toBe(42);
  });

  it("connects the host's stdin and stderr", () => {
    const r = procsim(['run', join(BIN, 'cat')], 'piped input\n');
    expect(r.stdout).toBe('piped input\n');
    const e = procsim(['run', join(BIN, 'write-stderr')]);
    expect(e.code).toBe(3);
    expect(e.stderr).toContain('this goes to stderr');
  });

  it('passes the host environment unless --clear-env, plus --env', () => {
    const count = (args: string[]) => Number(/envc=(\d+)/.exec(procsim(['run', ...args, join(BIN, 'hello')]).stdout)![1]);
    expect(count(['--clear-env'])).toBe(0);
    expect(count(['--clear-env', '--env', 'A=1', '--env', 'B=2'])).toBe(2);
    expect(count([])).toBe(Object.keys(process.env).length);
  });

  it('a guest fault is a signal death (128+N) with a one-line report', () => {
    const r = procsim(['run', join(BIN, 'fault')]);
    expect(r.code).toBe(139);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^procsim: guest killed by SIGSEGV at address 0x/);
    expect(procsim(['run', join(BIN, 'ill')]).code).toBe(132);
  });

  it('a run that never ends gets a verdict: the step budget, or the wall-clock limit, each with its flag named', () => {
    const storm = procsim(['run', '--max-steps', '20000', join(BIN, 'pm-bad'), 'storm']);
    expect(storm.code).toBe(137);
    expect(storm.stderr).toBe('procsim: step budget of 20000 exhausted (raise it with --max-steps)\n');
    const traced = procsim(['run', '--max-steps', '20000', '--trace', join(mkdtempSync(join(tmpdir(), 'procsim-steps-')), 't.jsonl'), join(BIN, 'pm-bad'), 'faultloop']);
    expect(traced.code).toBe(137);
    expect(traced.stderr).toBe('procsim: steps budget of 20000 exhausted\n');
    const t0 = Date.now();
    const timed = procsim(['run', '--time-limit', '1', '--max-steps', '1000000000', join(BIN, 'pm-bad'), 'faultloop']);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(timed.code).toBe(137);
    expect(timed.stderr).toMatch(/^procsim: wall-clock limit of 1 s reached after \d+ instructions \(raise it with --time-limit, 0 for none\)\n$/);
    for (const [flag, bad] of [['--max-steps', 'x'], ['--time-limit', '-3']]) {
      const e = procsim(['run', flag, bad, join(BIN, 'hello')]);
      expect(e.code, `${flag} ${bad}`).toBe(2);
      expect(e.stderr).toMatch(/^procsim: /);
    }
  });

  it('a corrupt rootfs tar, or one whose entry escapes the root, is one line naming the archive, exit 2, for run, replay and explore', () => {
    const dir = mkdtempSync(join(tmpdir(), 'procsim-badtar-'));
    const corrupt = join(dir, 'corrupt.tar');
    writeFileSync(corrupt, Buffer.alloc(3072, 0x41));
    writeFileSync(join(dir, 'a'), 'x\n');
    const escaping = join(dir, 'escaping.tar');
    const made = spawnSync('tar', ['cf', escaping, '-C', dir, '--transform', 's,^a,../../etc/evil,', 'a']);
    expect(made.status, String(made.stderr)).toBe(0);
    const why = [/tar: bad [^\n(]+/, /tar: entry "\.\.\/\.\.\/etc\/evil" at offset 0 escapes the root/];
    for (const [i, tar] of [corrupt, escaping].entries()) {
      for (const cmd of [['run'], ['replay'], ['explore', '--runs', '1']]) {
        const r = procsim([...cmd, '--rootfs', tar, '/bin/sh']);
        expect(r.code, `${cmd[0]} ${tar}`).toBe(2);
        expect(r.stderr).toMatch(new RegExp(`^procsim: --rootfs: ${why[i].source} \\(the archive must be a plain tar of a root directory\\)\n$`));
      }
    }
  });

  it('a rootfs with a full /proc boots with procsim\'s /proc over it; one with a file where a directory must be is one line, exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'procsim-rootfs-'));
    mkdirSync(join(dir, 'bin'));
    copyFileSync(join(BIN, 'hello'), join(dir, 'bin/hello'));
    // A copy of a live system: /proc holds what the host's did.
    mkdirSync(join(dir, 'proc/1'), { recursive: true });
    writeFileSync(join(dir, 'proc/1/status'), 'Name: init\n');
    writeFileSync(join(dir, 'proc/version'), 'Linux version 0.0-host\n');
    const ok = procsim(['run', '--rootfs', dir, '/bin/hello']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const tar = join(mkdtempSync(join(tmpdir(), 'procsim-rootfs-tar-')), 'r.tar');
    expect(spawnSync('tar', ['cf', tar, '-C', dir, '.']).status).toBe(0);
    const version = procsim(['run', '--rootfs', tar, '/bin/hello']);
    expect(version.code).toBe(0);
    for (const [name, make] of [['proc', 'file'], ['tmp', 'file'], ['dev', 'symlink']] as const) {
      const bad = mkdtempSync(join(tmpdir(), 'procsim-rootfs-bad-'));
      mkdirSync(join(bad, 'bin'));
      copyFileSync(join(BIN, 'hello'), join(bad, 'bin/hello'));
      if (make === 'file') writeFileSync(join(bad, name), 'x\n');
      else symlinkSync('/nowhere', join(bad, name));
      const r = procsim(['run', '--rootfs', bad, '/bin/hello']);
      expect(r.code, name).toBe(2);
      const kind = make === 'file' ? 'regular file' : 'symbolic link';
      expect(r.stderr).toBe(`procsim: --rootfs: /${name} must be a directory (every system has it), but the rootfs has a ${kind} there: remove it from the rootfs\n`);
    }
  });

  it('--memory-limit sizes the machine: the hog children that do not fit are OOM-killed; a bad size is a usage error', () => {
    const r = procsim(['run', '--memory-limit', '64M', join(BIN, 'pm-bad'), 'hog']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/hog children: [1-7] exited 0, [1-7] killed by SIGKILL, 0 otherwise\nthe parent carries on: yes\n/);
    for (const bad of ['12X', '-1G', '512K', '1.5G']) {
      const e = procsim(['run', '--memory-limit', bad, join(BIN, 'hello')]);
      expect(e.code, bad).toBe(2);
      expect(e.stderr, bad).toMatch(/^procsim: --memory-limit must be (a size such as 512M or 4G|at least 1M), got "?[^\n]*"?\n$/);
    }
  });

  it('bad input gets one clear line and a distinct exit code', () => {
    const dir = mkdtempSync(join(tmpdir(), 'procsim-cli-'));
    const junk = join(dir, 'junk');
    writeFileSync(junk, 'not an elf at all', { mode: 0o755 });
    const bad = procsim(['run', junk]);
    expect(bad.code).toBe(126);
    expect(bad.stderr).toMatch(/^procsim: .*not an executable format\n$/);
    expect(procsim(['run', join(dir, 'missing')]).code).toBe(2);
    const seed = procsim(['run', '--seed', 'x1', join(BIN, 'hello')]);
    expect(seed.code).toBe(2);
    expect(seed.stderr).toBe('procsim: --seed must be a non-negative integer, got "x1"\n');
    expect(procsim(['run', '--bogus', join(BIN, 'hello')]).stderr).toMatch(/unknown flag --bogus/);
  });

  it('--rootfs runs a program inside a copy-on-write image of a host directory', () => {
    const root = mkdtempSync(join(tmpdir(), 'procsim-root-'));
    mkdirSync(join(root, 'bin'));
    copyFileSync(join(BIN, 'echo-args'), join(root, 'bin/echo-args'));
    const r = procsim(['run', '--rootfs', root, '/bin/echo-args', 'x']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('/bin/echo-args\nx\n');
    expect(readdirSync(root)).toEqual(['bin']);
  });

  it('--help lists every command and flag', () => {
    const r = procsim(['--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--rootfs', '--env', '--clear-env', '--cwd', '--seed', '--max-insns']) expect(r.stdout).toContain(flag);
  });
});
