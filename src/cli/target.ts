// The program a command starts and the system it starts in, from the flags `run` and
// `replay` share, and the exit codes of a program that cannot start or has ended. `run` is
// a window on the host (its environment, its cwd, the ELF at its host path); `replay` is
// hermetic: only the program's bytes and the flags enter the run, so the same command gives
// the same run on any machine.

import { existsSync, statSync } from 'node:fs';
import { ELF_MAX, readBounded, STDIN_MAX } from './bounded-read.ts';
import { basename, resolve } from 'node:path';
import { ElfError } from '../emu/elf.ts';
import { FsError, RootfsLayoutError } from '../process/fs/fs-error.ts';
import { TarError } from '../process/fs/tar.ts';
import { DEFAULT_MAX_PROCS, DEFAULT_MEMORY_LIMIT, MAX_PROCS_LIMIT } from '../process/kernel.ts';
import { DEFAULT_KERNEL_VARIANT, type KernelVariantName, parseKernelVariant } from '../process/variants/index.ts';
import { findScenario, ScenarioError, scenarioNames, scenarioTarget } from '../sim/scenarios.ts';
import type { Target } from '../sim/target.ts';
import { type FlagSpec, intFlag, type Parsed, sizeFlag, UsageError } from './args.ts';
import { rootfsSource } from './rootfs.ts';

export const TARGET_FLAGS: Record<string, FlagSpec> = {
  rootfs: { value: true },
  env: { value: true, repeat: true },
  cwd: { value: true },
  seed: { value: true },
  'max-insns': { value: true },
  kernel: { value: true },
  'max-procs': { value: true },
  'event-capacity': { value: true },
  'memory-limit': { value: true },
};

/** Guest paths are byte strings: the UTF-8 bytes of a host string, one character each. */
const bytes = (s: string): string => Buffer.from(s).toString('latin1');

function kernelFlag(value: string | undefined): KernelVariantName {
  if (value === undefined) return DEFAULT_KERNEL_VARIANT;
  try {
    return parseKernelVariant(value);
  } catch (e) {
    throw new UsageError(`--kernel: ${(e as Error).message}`);
  }
}

/**
 * The target of `procsim CMD [flags] TARGET ARGS...` (its argv is TARGET and its arguments as
 * typed); hermetic: nothing of the host but the ELF's bytes. A hermetic command also takes
 * the name of a scenario (scenarios/NAME.json) where no file of that name exists.
 */
export function parseTarget(args: Parsed, cmd: string, hermetic: boolean): Target {
  const [target, ...guestArgs] = args.positionals;
  if (target === undefined) throw new UsageError(`${cmd}: missing ELF (see procsim ${cmd} --help)`);
  if (hermetic && !args.flags.has('rootfs') && !existsSync(resolve(target))) {
    const named = scenarioByName(target, guestArgs, args, cmd);
    if (named !== undefined) return named;
  }
  const maxProcs = intFlag(args, 'max-procs', DEFAULT_MAX_PROCS);
  if (maxProcs < 1 || maxProcs > MAX_PROCS_LIMIT) {
    throw new UsageError(`--max-procs must be from 1 to ${MAX_PROCS_LIMIT}, got ${maxProcs}`);
  }
  const rootfsArg = args.flags.get('rootfs')?.[0];
  const eventCapacity = args.flags.has('event-capacity') ? intFlag(args, 'event-capacity', 0) : undefined;
  if (eventCapacity !== undefined && eventCapacity < 1) throw new UsageError('--event-capacity must be at least 1');
  const memoryLimit = sizeFlag(args, 'memory-limit', DEFAULT_MEMORY_LIMIT);
  if (memoryLimit < 1 << 20) throw new UsageError(`--memory-limit must be at least 1M, got ${args.flags.get('memory-limit')?.[0]}`);

  const env = new Map<string, string>();
  if (!hermetic && !args.flags.has('clear-env')) {
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env.set(k, v);
  }
  for (const kv of args.flags.get('env') ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env wants K=V, got ${JSON.stringify(kv)}`);
    env.set(kv.slice(0, eq), kv.slice(eq + 1));
  }

  const t: Target = {
    path: bytes(target),
    argv: [target, ...guestArgs],
    env: [...env].map(([k, v]) => `${k}=${v}`),
    kernel: kernelFlag(args.flags.get('kernel')?.[0]),
    maxProcs,
    createCwd: rootfsArg === undefined,
    ...(eventCapacity !== undefined ? { eventCapacity } : {}),
    ...(memoryLimit !== DEFAULT_MEMORY_LIMIT ? { memoryLimit } : {}),
  };
  if (rootfsArg !== undefined) t.rootfs = rootfsSource(rootfsArg);
  else {
    const host = resolve(target);
    if (!existsSync(host)) {
      throw new UsageError(`${cmd}: ${target}: no such file${hermetic ? ` or scenario (scenarios: ${scenarioNames().join(', ')})` : ''}`);
    }
    if (!statSync(host).isFile()) throw new UsageError(`${cmd}: ${target}: not a regular file`);
    if (hermetic) {
      t.path = bytes(`/bin/${basename(host)}`);
      t.elf = readBounded(host, { what: `${cmd}: ${target}`, max: ELF_MAX, fix: 'no program is that large' });
    } else {
      t.path = bytes(host);
      t.binds = [{ path: host, hostPath: host }];
    }
  }
  t.cwd = bytes(args.flags.get('cwd')?.[0] ?? (rootfsArg === undefined && !hermetic ? process.cwd() : '/'));
  return t;
}

/** The scenario called `name` as a target, undefined when there is none. */
function scenarioByName(name: string, extra: string[], args: Parsed, cmd: string): Target | undefined {
  try {
    const s = findScenario(name);
    if (s === undefined) return undefined;
    if (extra.length > 0) throw new UsageError(`${cmd}: scenario ${name} takes no arguments (its argv is in scenarios/${name}.json)`);
    for (const f of ['env', 'cwd', 'max-procs', 'event-capacity', 'memory-limit']) {
      if (args.flags.has(f)) throw new UsageError(`${cmd}: --${f} does not apply to scenario ${name} (scenarios/${name}.json fixes it)`);
    }
    return scenarioTarget(s, kernelFlag(args.flags.get('kernel')?.[0]));
  } catch (e) {
    if (e instanceof ScenarioError) throw new UsageError(`${cmd}: ${e.message}`);
    throw e;
  }
}

/** A hermetic command's target (replay, explore): parseTarget, with --stdin read in. */
export function hermeticTarget(args: Parsed, cmd: string): Target {
  const target = parseTarget(args, cmd, true);
  const stdinPath = args.flags.get('stdin')?.[0];
  if (stdinPath !== undefined) {
    const fix = 'every run of a hermetic command gets the same stdin, so it is held whole: give a smaller file, or use procsim run, which streams the host\'s stdin';
    target.stdin = readBounded(stdinPath, { what: `--stdin ${stdinPath}`, max: STDIN_MAX, fix, streams: true });
  }
  return target;
}

/** Flags that shape a hermetic target's runs: every replay command carries them. */
const REPLAYED_FLAGS = new Set([...Object.keys(TARGET_FLAGS).filter((f) => f !== 'seed'), 'stdin', 'max-steps']);

/** The target part of a replay command: those flags as typed, the program and its arguments. */
export function replayedTargetArgs(args: Parsed): string[] {
  const out: string[] = [];
  for (const [name, values] of args.flags) if (REPLAYED_FLAGS.has(name)) for (const v of values) out.push(`--${name}=${v}`);
  if (args.positionals[0]?.startsWith('-')) out.push('--');
  return [...out, ...args.positionals];
}

/**
 * Start a target (boot it, or boot and simulate it), or print why its program (as typed)
 * cannot start and return the exit code (126, 127).
 */
export function startOrFail<T>(program: string, start: () => T): T | number {
  try {
    return start();
  } catch (e) {
    if (e instanceof TarError) {
      // The archive is refused as a whole (corrupt, truncated, or an entry escaping the root).
      process.stderr.write(`procsim: --rootfs: ${e.message} (the archive must be a plain tar of a root directory)\n`);
      return 2;
    }
    if (e instanceof RootfsLayoutError) {
      process.stderr.write(`procsim: --rootfs: ${e.message}\n`);
      return 2;
    }
    if (e instanceof ElfError) {
      process.stderr.write(`procsim: ${e.message}\n`);
      return 126;
    }
    if (e instanceof FsError) {
      const why = { ENOENT: 'no such file', EACCES: 'permission denied (not an executable file)', ENOEXEC: 'not an executable format', ENOTDIR: 'a path component is not a directory' }[e.code as string] ?? e.code;
      process.stderr.write(`procsim: ${program}: ${why}\n`);
      return e.code === 'ENOENT' ? 127 : 126;
    }
    throw e;
  }
}


