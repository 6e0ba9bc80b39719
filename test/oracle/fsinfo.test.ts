// The calls and files of dynamically linked programs (scenarios/guests/fsinfo.c): procsim
// prints what real Linux prints. The judge is qemu-riscv64 on this machine's kernel, run as
// uid 65534 in a PID namespace of its own, in a new session without a controlling terminal;
// qemu makes up some /proc files, so the guest's host-gcc twin, run the same way, is the
// judge of those: it must agree with procsim on every line, qemu on all but QEMU_MADE_UP.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { runProgram } from '../../src/process/run.ts';
import { GUEST_BUILD_SCRIPT, REPO_ROOT, guestPath, readGuest } from '../support/guests.ts';
import { oracleSuite } from '../support/oracle.ts';
import { which } from '../support/real-linux.ts';

const ENV = ['PATH=/bin', 'HOME=/', 'LANG=C'];
const SANDBOX = ['--pid', '--fork', '--mount-proc', 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'setsid'];

/**
 * Lines where qemu-user answers for the kernel, wrongly: its /proc/self/cmdline is a copy
 * taken at exec (an in-place change of argv does not show) and its /proc/self/environ is
 * qemu's own process's. The native twin shows Linux's answer.
 */
const QEMU_MADE_UP = /^(environ is envp|cmdline after argv\[0\] changed): .*\n/gm;
const withoutMadeUp = (out: string): string => out.replace(QEMU_MADE_UP, '');

const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) if (existsSync(d)) rmSync(d, { recursive: true, force: true });
});

/** Runs argv as nobody in its own PID namespace, from a scratch directory. */
function sandboxed(argv: string[]): { stdout: string; stderr: string; status: number | null } {
  const scratch = mkdtempSync(join(tmpdir(), 'procsim-fsinfo-run-'));
  made.push(scratch);
  chmodSync(scratch, 0o755);
  const r = spawnSync('unshare', [...SANDBOX, ...argv], { cwd: scratch, env: Object.fromEntries(ENV.map((e) => e.split('='))), encoding: 'latin1', timeout: 60_000 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

function freshDir(): string {
  const d = join(tmpdir(), `procsim-fsinfo-${process.pid}-${made.length}`);
  made.push(d);
  return d;
}

oracleSuite('fsinfo: statx, close_range, /proc, pipes reopened, as real Linux', ['qemu'], () => {
  it('procsim prints what qemu-riscv64 on Linux prints', () => {
    const dir = freshDir();
    const real = sandboxed([which('qemu-riscv64')!, '-0', '/bin/fsinfo', guestPath('fsinfo'), dir]);
    expect(real.status, real.stderr).toBe(0);
    expect(real.stdout).toContain('open /dev/tty: ENXIO\n');
    const sim = runProgram({ elf: readGuest('fsinfo'), path: '/bin/fsinfo', argv: ['/bin/fsinfo', dir], env: ENV, seed: 1 });
    expect(Buffer.from(sim.stderr).toString('latin1')).toBe(real.stderr);
    expect(withoutMadeUp(Buffer.from(sim.stdout).toString('latin1'))).toBe(withoutMadeUp(real.stdout));
    expect(sim.exitCode).toBe(0);
    expect([...sim.unknownSyscalls.keys()]).toEqual([]);
  });

  it('the host build of the guest (Linux itself) agrees with procsim on every line, with qemu but where qemu makes it up', () => {
    if (which('gcc') === null) return;
    const b = spawnSync('bash', [GUEST_BUILD_SCRIPT, 'native', 'fsinfo'], { encoding: 'utf8' });
    expect(b.status, b.stderr).toBe(0);
    const dir = freshDir();
    const native = sandboxed([join(REPO_ROOT, '.cache', 'native', 'fsinfo'), dir]);
    const qemu = sandboxed([which('qemu-riscv64')!, '-0', '/bin/fsinfo', guestPath('fsinfo'), freshDir()]);
    expect(native.status, native.stderr).toBe(0);
    expect(withoutMadeUp(native.stdout)).toBe(withoutMadeUp(qemu.stdout));
    const sim = runProgram({ elf: readGuest('fsinfo'), path: '/bin/fsinfo', argv: ['/bin/fsinfo', dir], env: ENV, seed: 1 });
    expect(Buffer.from(sim.stdout).toString('latin1')).toBe(native.stdout);
    expect(native.stdout).toMatch(/^environ is envp: yes\ncmdline after argv\[0\] changed: follows\n/m);
  });
});
