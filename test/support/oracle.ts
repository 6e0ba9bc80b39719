import type { RunOptions, RunResult } from '../../src/process/run.ts';
// Real Linux as the judge: run a riscv64 guest under qemu-riscv64 and report what it did, plus
// the policy for suites that need the cross toolchain or qemu: in CI (CI=true) a missing tool
// fails the suite with the fix; locally the suite is skipped with a visible line saying why.
import { spawnSync, type SpawnSyncOptionsWithBufferEncoding } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guestPath, readGuest, type GuestName } from './guests.ts';

export type OracleTool = 'cross-gcc' | 'qemu' | 'native-gcc';

const TOOLS: Record<OracleTool, { command: string; pkg: string }> = {
  'cross-gcc': { command: 'riscv64-linux-gnu-gcc', pkg: 'gcc-riscv64-linux-gnu' },
  qemu: { command: 'qemu-riscv64', pkg: 'qemu-user' },
  // The host compiler, with the static C library, for guests run natively (test/support/native.ts).
  'native-gcc': { command: 'gcc', pkg: 'gcc libc6-dev' },
};

const found = new Map<string, string | null>();

/** Absolute path of a command on PATH, or null. Cached: tool lookups happen per suite. */
function which(command: string): string | null {
  if (!found.has(command)) {
    const r = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { encoding: 'utf8' });
    const path = r.status === 0 ? r.stdout.trim() : '';
    found.set(command, path.startsWith('/') ? path : null);
  }
  return found.get(command) ?? null;
}

export const haveCrossGcc = (): boolean => which(TOOLS['cross-gcc'].command) !== null;
export const haveQemu = (): boolean => which(TOOLS.qemu.command) !== null;

/** Why an oracle suite cannot run (one line naming the fix), or null when it can. */
export function requireOracle(name: string, needs: readonly OracleTool[]): string | null {
  const missing = needs.filter((t) => which(TOOLS[t].command) === null);
  if (missing.length === 0) return null;
  const commands = missing.map((t) => TOOLS[t].command).join(', ');
  const pkgs = missing.map((t) => TOOLS[t].pkg).join(' ');
  return `${name}: ${commands} not found (fix: apt-get install ${pkgs})`;
}

/**
 * describe() for a suite that needs oracle tools. Missing tools: with CI=true the suite has
 * one failing test carrying the fix; otherwise it is skipped and a warning says why.
 */
export function oracleSuite(name: string, needs: readonly OracleTool[], fn: () => void): void {
  const why = requireOracle(name, needs);
  if (why === null) {
    describe(name, fn);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('has its oracle tools', () => {
        throw new Error(why);
      });
    });
  } else {
    console.warn(`[oracle] SKIPPED ${why}`);
    describe.skip(name, fn);
  }
}

/** How a guest is started on a real Linux: qemu-riscv64, or natively (test/support/native.ts). */
export interface QemuOptions {
  /** argv[0] as the guest sees it (default: the binary's path). */
  argv0?: string;
  /** The guest's whole environment, as "NAME=value" strings in order (default: empty). */
  env?: readonly string[];
  stdin?: Uint8Array | string;
  timeoutMs?: number;
}

export interface GuestResult {
  stdout: Buffer;
  stderr: Buffer;
  /** Exit status, or 128 + signal number when a signal killed the guest (like a shell). */
  exitCode: number;
  signal?: number;
}

// Printed by qemu versions that can write a guest core file, after a guest is killed by a
// signal with core dumps enabled; real Linux prints nothing, so it is not guest stderr.
const QEMU_CORE_LINE = /qemu: uncaught target signal \d+ \([^)]*\) - core dumped\n$/;

/**
 * A guest environment ("NAME=value" strings) as a host one, in the same order. A host
 * environment cannot carry a name twice, which a guest's could: that is refused.
 */
export function hostEnv(entries: readonly string[], who: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new Error(`${who}: bad environment entry '${entry}' (want NAME=value)`);
    const name = entry.slice(0, eq);
    if (Object.hasOwn(env, name)) throw new Error(`${who}: environment names ${name} twice`);
    env[name] = entry.slice(eq + 1);
  }
  return env;
}

/**
 * Runs a host program as a guest's stand-in and reports what it did. It runs in a scratch
 * working directory of its own (with core dumps enabled, a process killed by a signal leaves
 * a core file there) and in a new session and process group, which it and whatever it left
 * behind (children blocked for ever after a failure, say) lose to SIGKILL once it is done.
 */
export function runHostProgram(
  who: string,
  file: string,
  args: readonly string[],
  opts: { argv0: string; env: Record<string, string>; stdin?: Uint8Array | string; timeoutMs?: number },
): GuestResult {
  const scratch = mkdtempSync(join(tmpdir(), 'procsim-oracle-'));
  let r;
  try {
    // spawnSync honours `detached` (setsid in the child) though its types leave it out.
    const options: SpawnSyncOptionsWithBufferEncoding & { detached: boolean } = {
      argv0: opts.argv0,
      cwd: scratch,
      env: opts.env,
      input: opts.stdin ?? Buffer.alloc(0),
      maxBuffer: 256 << 20,
      timeout: opts.timeoutMs ?? 60_000,
      detached: true,
    };
    r = spawnSync(file, [...args], options);
  } finally {
    if (r?.pid) killGroup(r.pid);
    rmSync(scratch, { recursive: true, force: true });
  }
  if (r.error) throw new Error(`${who}: ${r.error.message}`);
  const signal = r.signal !== null ? constants.signals[r.signal] : undefined;
  return {
    stdout: r.stdout,
    stderr: r.stderr,
    exitCode: signal !== undefined ? 128 + signal : (r.status ?? -1),
    ...(signal !== undefined ? { signal } : {}),
  };
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // ESRCH: nothing of it is left, the usual case
  }
}

/** Runs a riscv64 Linux binary under qemu-riscv64 with exactly the given argv and env. */
export function runQemu(binPath: string, args: readonly string[], opts: QemuOptions = {}): GuestResult {
  const qemu = which(TOOLS.qemu.command);
  if (qemu === null) throw new Error(requireOracle('runQemu', ['qemu']) ?? 'qemu-riscv64 missing');
  // qemu-user builds the guest environment by pushing each host entry to the front of a
  // list, so the guest sees the host order reversed: hand it the reverse.
  const env = hostEnv([...(opts.env ?? [])].reverse(), 'runQemu');
  const r = runHostProgram(`runQemu ${binPath}`, qemu, ['-0', opts.argv0 ?? binPath, binPath, ...args], {
    argv0: qemu,
    env,
    ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
  });
  if (r.signal === undefined) return r;
  return { ...r, stderr: Buffer.from(r.stderr.toString('latin1').replace(QEMU_CORE_LINE, ''), 'latin1') };
}

/** One guest run compared between procsim and qemu-riscv64. */
export interface OracleCase {
  /** Test title (default: the guest and its arguments). */
  name?: string;
  guest: GuestName;
  /** Arguments after argv[0]; a function is called once per run (e.g. for a fresh name). */
  args?: readonly string[] | (() => string[]);
  env?: readonly string[];
  stdin?: Uint8Array | string;
  /** What real Linux (qemu) must do; checked first, so a broken oracle cannot pass. */
  exitCode: number;
  stdout?: RegExp | Uint8Array;
  stderr?: RegExp | Uint8Array;
  /** procsim's instruction budget (default: generous; a smaller one fails a hang sooner). */
  maxInsns?: number;
}

/** procsim's runProgram, passed in by the oracle tests. */
export type ProcsimRun = (opts: RunOptions) => Pick<RunResult, 'stdout' | 'stderr' | 'exitCode' | 'signal'>;

/** Budget that turns a hung guest into a failed run instead of a hung test. */
const MAX_INSNS = 500_000_000;

export function caseLabel(c: OracleCase): string {
  if (c.name !== undefined) return c.name;
  const args = typeof c.args === 'function' ? ['…'] : (c.args ?? []);
  const stdin = c.stdin !== undefined ? ` <${c.stdin.length} bytes on stdin>` : '';
  return [c.guest, ...args.map((a) => JSON.stringify(a))].join(' ') + stdin;
}

// latin1 maps bytes 1:1 to characters: exact comparison with a readable diff.
const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

/** One guest run as both sides get it. */
export interface Invocation {
  /** Path and argv[0] of the guest: /bin/NAME. */
  path: string;
  args: string[];
  env: string[];
  stdin?: Uint8Array;
}

/** The path, argv, env and stdin of a case (a function for args is called here, once). */
export function invocation(c: OracleCase, defaultEnv: readonly string[]): Invocation {
  const args = typeof c.args === 'function' ? c.args() : [...(c.args ?? [])];
  const stdin = typeof c.stdin === 'string' ? Buffer.from(c.stdin) : c.stdin;
  return { path: `/bin/${c.guest}`, args, env: [...(c.env ?? defaultEnv)], ...(stdin ? { stdin } : {}) };
}

/** What real Linux did must meet the case's expectations: a broken oracle cannot pass. */
export function expectLinuxAsExpected(real: GuestResult, c: OracleCase, who: string): void {
  expect(real.exitCode, `${who} exit status (stderr: ${real.stderr})`).toBe(c.exitCode);
  if (c.stdout instanceof RegExp) expect(real.stdout.toString(), `${who} stdout`).toMatch(c.stdout);
  else if (c.stdout) expect(latin1(real.stdout), `${who} stdout`).toBe(latin1(c.stdout));
  if (c.stderr instanceof RegExp) expect(real.stderr.toString(), `${who} stderr`).toMatch(c.stderr);
  else if (c.stderr) expect(latin1(real.stderr), `${who} stderr`).toBe(latin1(c.stderr));
}

/** procsim, given the same invocation, must do exactly what real Linux did. */
export function expectProcsimSame(run: ProcsimRun, c: OracleCase, inv: Invocation, real: GuestResult): void {
  const sim = run({
    elf: readGuest(c.guest),
    path: inv.path,
    argv: [inv.path, ...inv.args],
    env: inv.env,
    ...(inv.stdin !== undefined ? { stdin: inv.stdin } : {}),
    seed: 1,
    maxInsns: c.maxInsns ?? MAX_INSNS,
  });
  expect(latin1(sim.stdout), 'procsim stdout').toBe(latin1(real.stdout));
  expect(latin1(sim.stderr), 'procsim stderr').toBe(latin1(real.stderr));
  expect(sim.exitCode, 'procsim exit status').toBe(real.exitCode);
  expect(sim.signal, 'procsim killing signal').toBe(real.signal);
}

/**
 * Runs the case under qemu (checking its expectations) and under procsim with the same
 * argv, env and stdin; stdout, stderr, exit status and signal must be identical. The guest
 * sees /bin/NAME as its path and argv[0].
 */
export function expectSameAsQemu(run: ProcsimRun, c: OracleCase, defaultEnv: readonly string[]): void {
  const inv = invocation(c, defaultEnv);
  const real = runQemu(guestPath(c.guest), inv.args, {
    argv0: inv.path,
    env: inv.env,
    ...(inv.stdin !== undefined ? { stdin: inv.stdin } : {}),
  });
  expectLinuxAsExpected(real, c, 'qemu');
  expectProcsimSame(run, c, inv, real);
}
