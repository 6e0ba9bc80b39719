// Real Linux as the judge, in vitest: suites that need tools or fetched binaries (in CI
// (CI=true) a missing one fails the suite with the fix; locally the suite is skipped with a
// visible line saying why), and the comparison of a guest run between procsim and qemu.
import { describe, expect, it } from 'vitest';
import { runProgram } from '../../src/process/run.ts';
import { guestPath, readGuest, type GuestName } from './guests.ts';
import { requireOracle, runQemu, type GuestResult, type OracleTool } from './real-linux.ts';

/**
 * describe() for a suite that can run only when `why` (what is missing, with the fix) is
 * null. Otherwise: with CI=true the suite has one failing test carrying the fix; locally it
 * is skipped and a warning says why.
 */
export function guardedSuite(name: string, why: string | null, fn: () => void): void {
  if (why === null) {
    describe(name, fn);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('has what it needs', () => {
        throw new Error(why);
      });
    });
  } else {
    console.warn(`[oracle] SKIPPED ${why}`);
    describe.skip(name, fn);
  }
}

/** describe() for a suite that needs oracle tools (see guardedSuite). */
export function oracleSuite(name: string, needs: readonly OracleTool[], fn: () => void): void {
  guardedSuite(name, requireOracle(name, needs), fn);
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
export function expectProcsimSame(c: OracleCase, inv: Invocation, real: GuestResult): void {
  const sim = runProgram({
    elf: readGuest(c.guest),
    path: inv.path,
    argv: [inv.path, ...inv.args],
    env: inv.env,
    ...(inv.stdin !== undefined ? { stdin: inv.stdin } : {}),
    seed: 1,
    maxInsns: c.maxInsns ?? MAX_INSNS,
  });
  expectSameRun(sim, real, 'procsim');
}

/** `who` printed exactly what real Linux printed and ended the same way (status and signal). */
export function expectSameRun(
  sim: { stdout: Uint8Array; stderr: Uint8Array; exitCode: number; signal?: number },
  real: GuestResult,
  who: string,
): void {
  expect(latin1(sim.stdout), `${who} stdout`).toBe(latin1(real.stdout));
  expect(latin1(sim.stderr), `${who} stderr`).toBe(latin1(real.stderr));
  expect(sim.exitCode, `${who} exit status`).toBe(real.exitCode);
  expect(sim.signal, `${who} killing signal`).toBe(real.signal);
}

/**
 * Runs the case under qemu (checking its expectations) and under procsim with the same
 * argv, env and stdin; stdout, stderr, exit status and signal must be identical. The guest
 * sees /bin/NAME as its path and argv[0].
 */
export function expectSameAsQemu(c: OracleCase, defaultEnv: readonly string[]): void {
  const inv = invocation(c, defaultEnv);
  const real = runQemu(guestPath(c.guest), inv.args, {
    argv0: inv.path,
    env: inv.env,
    ...(inv.stdin !== undefined ? { stdin: inv.stdin } : {}),
  });
  expectLinuxAsExpected(real, c, 'qemu');
  expectProcsimSame(c, inv, real);
}
