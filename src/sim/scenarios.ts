// Named scenarios: a program, its arguments, environment and stdin, how real Linux runs it,
// how far exhaustive search goes, and what any correct kernel must produce. Each is a JSON
// file scenarios/NAME.json, written for people to review; this module reads, checks and
// resolves them into simulator targets. A bad file gets a one-line ScenarioError naming it.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KernelVariantName } from '../process/variants/index.ts';
import type { Target } from './target.ts';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const SCENARIO_DIR = join(REPO_ROOT, 'scenarios');
/** Guest binaries, all committed (`npm run guests` rebuilds them). */
const GUEST_DIR = join(SCENARIO_DIR, 'guests', 'bin');
export const BUSYBOX_ROOTFS = join(REPO_ROOT, '.cache', 'busybox', 'rootfs');
/** The Debian trixie riscv64 root filesystem (`npm run rootfs`): dash, bash, coreutils, git, python3. */
export const DEBIAN_ROOTFS = join(REPO_ROOT, '.cache', 'rootfs', 'root');

/**
 * What judges a scenario on real Linux: qemu-riscv64, the native build, native busybox, or
 * qemu-riscv64 in the Debian rootfs through binfmt_misc (test/support/rootfs-linux.ts).
 */
export type LinuxOracle = 'qemu' | 'native' | 'busybox-native' | 'rootfs-linux';
const ORACLES: readonly LinuxOracle[] = ['qemu', 'native', 'busybox-native', 'rootfs-linux'];

/** Kernel-independent expectations: what Linux semantics allow (checked on every outcome). */
export interface Expect {
  /** p1's end as the trace says it: "exited 0", "killed SIGPIPE". */
  status: string;
  /** Exact stdout. */
  stdout?: string;
  /** stdout as lines in any order (a multiset), for output whose order the scheduler picks. */
  stdoutLines?: string[];
  stderr?: string;
}

export interface SearchBounds {
  /**
   * Context switches away from a process that could go on, per execution: the search runs
   * every schedule within the bound. Absent: every schedule, with partial-order reduction.
   */
  preemptionBound?: number;
  /** Executions at most; the outcome set says whether the search was complete. */
  maxExecutions: number;
  /** Steps (syscalls) one run may take (default GOLDEN_MAX_STEPS): real programs make many. */
  maxSteps?: number;
}

export interface Scenario {
  name: string;
  description: string;
  /**
   * A guest of scenarios/guests (at /bin/NAME), busybox (argv from `busybox`), or a program
   * of the Debian rootfs (argv from `debian`, argv[0] its absolute path there).
   */
  guest?: string;
  busybox?: boolean;
  debian?: boolean;
  argv: string[];
  env: string[];
  stdin?: string;
  cwd?: string;
  linux: LinuxOracle;
  /** A single-process program whose output must not change (gate P0.6). */
  regression: boolean;
  search: SearchBounds;
  expect: Expect;
}

export class ScenarioError extends Error {}

const DEFAULT_SEARCH: SearchBounds = { maxExecutions: 400 };
const BUSYBOX_ENV = ['PATH=/bin', 'HOME=/root'];
const DEBIAN_ENV = ['PATH=/usr/bin:/bin', 'HOME=/root', 'LC_ALL=C'];

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The scenario in `text` (the contents of scenarios/NAME.json); throws ScenarioError. */
export function parseScenario(name: string, text: string, file = `scenarios/${name}.json`): Scenario {
  const bad = (why: string): never => {
    throw new ScenarioError(`${file}: ${why}`);
  };
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(text);
  } catch (e) {
    return bad(`not JSON (${(e as Error).message})`);
  }
  if (typeof j !== 'object' || j === null || Array.isArray(j)) return bad('want a JSON object');
  const known = ['description', 'guest', 'busybox', 'debian', 'argv', 'env', 'stdin', 'cwd', 'linux', 'regression', 'search', 'expect'];
  for (const k of Object.keys(j)) if (!known.includes(k)) bad(`unknown field "${k}" (fields: ${known.join(', ')})`);
  if (typeof j.description !== 'string') bad('"description" must be a string');
  const hasGuest = j.guest !== undefined;
  const kinds = [j.guest, j.busybox, j.debian].filter((v) => v !== undefined).length;
  if (kinds !== 1) bad('give either "guest" (a guest name), "busybox" (its argv) or "debian" (the argv of a Debian rootfs program)');
  if (hasGuest && (typeof j.guest !== 'string' || !/^[a-z0-9-]+$/.test(j.guest))) bad('"guest" must be a guest name (scenarios/guests/NAME.c)');
  const kind = hasGuest ? 'argv' : j.busybox !== undefined ? 'busybox' : 'debian';
  const argv = hasGuest ? j.argv : (j.busybox ?? j.debian);
  if (!isStrings(argv) || argv.length === 0) bad(`"${kind}" must be a non-empty list of strings`);
  if (!hasGuest && j.argv !== undefined) bad(`"argv" goes in "${kind}" for a ${kind} scenario`);
  if (kind === 'debian' && !(argv as string[])[0].startsWith('/')) bad('"debian"[0] must be the absolute path of the program in the Debian rootfs');
  if (j.env !== undefined && !isStrings(j.env)) bad('"env" must be a list of strings');
  if (j.stdin !== undefined && typeof j.stdin !== 'string') bad('"stdin" must be a string');
  if (j.cwd !== undefined && (typeof j.cwd !== 'string' || !j.cwd.startsWith('/'))) bad('"cwd" must be an absolute path');
  if (!ORACLES.includes(j.linux as LinuxOracle)) bad(`"linux" must be one of ${ORACLES.join(', ')}`);
  if (j.regression !== undefined && typeof j.regression !== 'boolean') bad('"regression" must be true or false');
  if (j.search !== undefined && (typeof j.search !== 'object' || j.search === null || Array.isArray(j.search))) bad('"search" must be an object');
  const search = { ...DEFAULT_SEARCH, ...(j.search as object) } as SearchBounds;
  for (const k of Object.keys(search)) if (!['preemptionBound', 'maxExecutions', 'maxSteps'].includes(k)) bad(`unknown field "search.${k}"`);
  if (search.maxSteps !== undefined && (!isCount(search.maxSteps) || search.maxSteps < 1)) bad('"search.maxSteps" must be an integer >= 1');
  if ((search.preemptionBound !== undefined && !isCount(search.preemptionBound)) || !isCount(search.maxExecutions) || search.maxExecutions < 1) {
    bad('"search" wants maxExecutions >= 1 and, if given, preemptionBound >= 0 (integers)');
  }
  const e = j.expect as Record<string, unknown> | undefined;
  if (typeof e !== 'object' || e === null) return bad('"expect" must be an object with at least "status"');
  if (typeof e.status !== 'string' || !/^(exited \d+|killed SIG[A-Z0-9]+)$/.test(e.status)) bad('"expect.status" must be like "exited 0" or "killed SIGPIPE"');
  for (const k of Object.keys(e)) if (!['status', 'stdout', 'stdoutLines', 'stderr'].includes(k)) bad(`unknown field "expect.${k}"`);
  if (e.stdout !== undefined && typeof e.stdout !== 'string') bad('"expect.stdout" must be a string');
  if (e.stdoutLines !== undefined && !isStrings(e.stdoutLines)) bad('"expect.stdoutLines" must be a list of strings');
  if (e.stdout !== undefined && e.stdoutLines !== undefined) bad('give "expect.stdout" or "expect.stdoutLines", not both');
  if (e.stderr !== undefined && typeof e.stderr !== 'string') bad('"expect.stderr" must be a string');
  return {
    name,
    description: j.description as string,
    ...(hasGuest ? { guest: j.guest as string } : kind === 'busybox' ? { busybox: true } : { debian: true }),
    argv: argv as string[],
    env: (j.env as string[] | undefined) ?? (hasGuest ? [] : kind === 'busybox' ? BUSYBOX_ENV : DEBIAN_ENV),
    ...(j.stdin !== undefined ? { stdin: j.stdin as string } : {}),
    ...(j.cwd !== undefined ? { cwd: j.cwd as string } : hasGuest ? {} : { cwd: '/root' }),
    linux: j.linux as LinuxOracle,
    regression: j.regression === true,
    search: {
      ...(search.preemptionBound !== undefined ? { preemptionBound: search.preemptionBound } : {}),
      maxExecutions: search.maxExecutions,
      ...(search.maxSteps !== undefined ? { maxSteps: search.maxSteps } : {}),
    },
    expect: e as unknown as Expect,
  };
}

/** Scenario names, sorted: the files scenarios/*.json. */
export function scenarioNames(dir = SCENARIO_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** Every scenario, by name; throws ScenarioError for the first bad file. */
export function listScenarios(dir = SCENARIO_DIR): Scenario[] {
  return scenarioNames(dir).map((n) => loadScenario(n, dir));
}

function loadScenario(name: string, dir: string): Scenario {
  const file = join(dir, `${name}.json`);
  return parseScenario(name, readFileSync(file, 'utf8'), file);
}

/** The scenario called `name`, or undefined when there is no scenarios/NAME.json. */
export function findScenario(name: string, dir = SCENARIO_DIR): Scenario | undefined {
  if (!/^[A-Za-z0-9._-]+$/.test(name) || !existsSync(join(dir, `${name}.json`))) return undefined;
  return loadScenario(name, dir);
}

/** Host path of a guest binary, or a ScenarioError naming how to build it. */
export function guestBinary(guest: string): string {
  const p = join(GUEST_DIR, guest);
  if (existsSync(p)) return p;
  throw new ScenarioError(`guest binary ${guest} is missing from ${GUEST_DIR}: run \`npm run guests\` (needs riscv64-linux-gnu-gcc)`);
}

/** The scenario as a simulator target on `kernel`; a ScenarioError names what is missing. */
export function scenarioTarget(s: Scenario, kernel: KernelVariantName = 'reference', busyboxRootfs = BUSYBOX_ROOTFS, debianRootfs = DEBIAN_ROOTFS): Target {
  const common = {
    argv: s.argv,
    env: s.env,
    kernel,
    ...(s.cwd !== undefined ? { cwd: s.cwd } : {}),
    ...(s.stdin !== undefined ? { stdin: new Uint8Array(Buffer.from(s.stdin, 'utf8')) } : {}),
  };
  if (s.busybox) {
    if (!existsSync(join(busyboxRootfs, 'bin', 'busybox'))) {
      throw new ScenarioError(`scenario ${s.name} needs busybox: ${busyboxRootfs} is missing (fix: npm run busybox)`);
    }
    return { path: '/bin/busybox', rootfs: { kind: 'host-dir', path: busyboxRootfs }, ...common };
  }
  if (s.debian) {
    if (!existsSync(join(debianRootfs, s.argv[0]))) {
      throw new ScenarioError(`scenario ${s.name} needs the Debian rootfs: ${join(debianRootfs, s.argv[0])} is missing (fix: npm run rootfs)`);
    }
    return { path: s.argv[0], rootfs: { kind: 'host-dir', path: debianRootfs }, ...common };
  }
  const elf = new Uint8Array(readFileSync(guestBinary(s.guest!)));
  return { path: `/bin/${s.guest}`, elf, createCwd: true, ...common };
}
