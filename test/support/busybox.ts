// Debian's busybox-static as a guest and as its own judge: the riscv64 build runs under
// procsim in a rootfs with the applets linked in /bin, its amd64 twin (same version) runs
// natively. Both come from `npm run busybox` (scripts/fetch-busybox.sh) into .cache/busybox/.
//
// Both runs execute `sh -c 'cd || exit 125; SCRIPT'` with HOME set to a private directory
// (native: a fresh scratch directory, which is also its cwd; procsim: /root of its
// copy-on-write rootfs), so scripts that use relative paths see the same files in both.
// No vitest here: the bench runs these too.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProgram } from '../../src/process/run.ts';
import { REPO_ROOT } from './guests.ts';
import { runHostProgram, type GuestResult } from './real-linux.ts';

const BUSYBOX_DIR = join(REPO_ROOT, '.cache', 'busybox');
/** The guest root: /bin/busybox (riscv64) and /bin/APPLET -> busybox. */
export const BUSYBOX_ROOTFS = join(BUSYBOX_DIR, 'rootfs');
export const GUEST_BUSYBOX = join(BUSYBOX_ROOTFS, 'bin', 'busybox');
/** A PATH for the native twin: APPLET -> the amd64 busybox. */
export const NATIVE_BIN = join(BUSYBOX_DIR, 'native-bin');
const NATIVE_BUSYBOX = join(NATIVE_BIN, 'busybox');

/** Where procsim's shell starts its scripts (its HOME inside the rootfs). */
const GUEST_HOME = '/root';

/** Budget that turns a hung guest shell into a failed run instead of a hung test. */
const MAX_INSNS = 300_000_000;

/** The Debian package version fetched (e.g. "1:1.37.0-6+b9"). */
export function busyboxVersion(): string {
  return readFileSync(join(BUSYBOX_DIR, 'VERSION'), 'utf8').trim();
}

/** Why `name` cannot run without the fetched busybox pair (one line naming the fix), or null. */
export function requireBusybox(name: string): string | null {
  const fetched = [GUEST_BUSYBOX, NATIVE_BUSYBOX, join(BUSYBOX_DIR, 'VERSION')].every((p) => existsSync(p));
  return fetched ? null : `${name}: busybox not fetched into ${BUSYBOX_DIR} (fix: npm run busybox)`;
}

export interface ShellRunOptions {
  stdin?: string | Uint8Array;
  /** Extra environment entries (PATH and HOME are set by the runner). */
  env?: Readonly<Record<string, string>>;
}

export interface ProcsimShellResult extends GuestResult {
  /** Syscalls procsim did not know, as "number×count" (empty when none). */
  unknownSyscalls: string;
  budgetExceeded: boolean;
  /** Guest instructions executed, all processes together. */
  instructions: number;
}

/** The script both shells run: start in HOME, the private directory of each side. */
const inHome = (script: string): string => `cd || exit 125; ${script}`;

/**
 * Runs `sh -c SCRIPT` on the amd64 busybox, applets first on PATH, in a scratch HOME. The
 * shell has no controlling terminal, as the guest has none: otherwise `sh -i` would find the
 * test runner's tty and turn job control on.
 */
export function runNativeBusybox(script: string, opts: ShellRunOptions = {}): GuestResult {
  return runHostProgram(`native busybox sh -c ${JSON.stringify(script)}`, join(NATIVE_BIN, 'sh'), ['-c', inHome(script)], {
    argv0: 'sh',
    env: (home) => ({ ...opts.env, PATH: NATIVE_BIN, HOME: home }),
    ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
    timeoutMs: 20_000,
  });
}

let guestElf: Uint8Array | undefined;

/** Runs `sh -c SCRIPT` on the riscv64 busybox under procsim, in its rootfs, HOME=/root. */
export function runProcsimBusybox(script: string, opts: ShellRunOptions = {}): ProcsimShellResult {
  guestElf ??= new Uint8Array(readFileSync(GUEST_BUSYBOX));
  const env = { ...opts.env, PATH: '/bin', HOME: GUEST_HOME };
  const r = runProgram({
    elf: guestElf,
    path: '/bin/busybox',
    argv: ['sh', '-c', inHome(script)],
    env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    ...(opts.stdin !== undefined ? { stdin: typeof opts.stdin === 'string' ? new Uint8Array(Buffer.from(opts.stdin)) : opts.stdin } : {}),
    rootfs: { kind: 'host-dir', path: BUSYBOX_ROOTFS },
    seed: 1,
    maxInsns: MAX_INSNS,
  });
  return {
    stdout: Buffer.from(r.stdout),
    stderr: Buffer.from(r.stderr),
    exitCode: r.exitCode,
    ...(r.signal !== undefined ? { signal: r.signal } : {}),
    unknownSyscalls: [...r.unknownSyscalls].map(([nr, n]) => `${nr}×${n}`).join(', '),
    budgetExceeded: r.budgetExceeded === true,
    instructions: r.instructions,
  };
}
