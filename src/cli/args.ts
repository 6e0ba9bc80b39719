// A small argument parser for `procsim <command> [flags] TARGET [ARGS...]`: flags end at
// the first positional argument (or `--`), so the guest's own flags pass through untouched.

import { type Stats, accessSync, closeSync, constants, mkdirSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

export class UsageError extends Error {}

export interface FlagSpec {
  /** Takes a value (`--seed 3` or `--seed=3`); repeatable flags collect every value. */
  value?: boolean;
  repeat?: boolean;
}

export interface Parsed {
  flags: Map<string, string[]>;
  positionals: string[];
}

export function parseArgs(argv: string[], spec: Record<string, FlagSpec>): Parsed {
  const flags = new Map<string, string[]>();
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('--') || arg === '-') break;
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const s = spec[name];
    if (s === undefined) throw new UsageError(`unknown flag --${name} (see --help)`);
    let value = '';
    if (s.value) {
      if (eq >= 0) value = arg.slice(eq + 1);
      else if (i + 1 < argv.length) value = argv[++i];
      else throw new UsageError(`--${name} needs a value`);
    } else if (eq >= 0) throw new UsageError(`--${name} takes no value`);
    const list = flags.get(name) ?? [];
    if (list.length > 0 && !s.repeat) throw new UsageError(`--${name} given twice`);
    list.push(value);
    flags.set(name, list);
  }
  return { flags, positionals: argv.slice(i) };
}

/** A non-negative integer flag value (seeds, budgets). */
export function intFlag(p: Parsed, name: string, fallback: number): number {
  const v = p.flags.get(name)?.[0];
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) {
    throw new UsageError(`--${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
  }
  return Number(v);
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 };

/** A size in bytes: digits with an optional K, M or G (powers of 1024). */
export function sizeFlag(p: Parsed, name: string, fallback: number): number {
  const v = p.flags.get(name)?.[0];
  if (v === undefined) return fallback;
  const m = /^(\d+)([kKmMgG]?)$/.exec(v);
  const n = m === null ? NaN : Number(m[1]) * SIZE_UNITS[m[2].toLowerCase()];
  if (!Number.isSafeInteger(n)) throw new UsageError(`--${name} must be a size such as 512M or 4G, got ${JSON.stringify(v)}`);
  return n;
}

/**
 * A sweep uses seeds seed .. seed+count-1, and prints replay commands with them: each must be
 * one `--seed` accepts (a safe integer), so the last may be 2^53-1 at most.
 */
export function checkSeedRange(seed: number, count: number): void {
  const last = seed + Math.max(count, 1) - 1;
  if (!Number.isSafeInteger(last)) {
    const max = Number.MAX_SAFE_INTEGER - Math.max(count, 1) + 1;
    throw new UsageError(
      `--seed ${seed}: the runs would use seeds up to ${BigInt(seed) + BigInt(Math.max(count, 1)) - 1n}, past 2^53-1 (${Number.MAX_SAFE_INTEGER}), which a replay's --seed cannot take: use --seed ${max} or lower`,
    );
  }
}

/** A --shard I/N value: integers (safe ones) with 1 <= I <= N. */
export function shardFlag(p: Parsed): { index: number; count: number } | undefined {
  const v = p.flags.get('shard')?.[0];
  if (v === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(v);
  const [index, count] = m === null ? [NaN, NaN] : [Number(m[1]), Number(m[2])];
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || index < 1 || index > count) {
    throw new UsageError(`--shard must be I/N with 1 <= I <= N, got ${JSON.stringify(v)} (I and N: integers up to 2^53-1)`);
  }
  return { index, count };
}

const errCode = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/** What a failed write of `path` means, and what to do about it. */
function whyNotWritten(code: string, path: string): string {
  switch (code) {
    case 'ENOENT':
      return `ENOENT: directory ${dirname(path)} does not exist (create it or name a file in an existing directory)`;
    case 'EISDIR':
      return `EISDIR: is a directory (name a file, e.g. ${join(path, 'out')})`;
    case 'ENOTDIR':
      return 'ENOTDIR: a component of the path is a file, not a directory (name a path under a directory)';
    case 'EACCES':
    case 'EPERM':
      return `${code}: permission denied (name a path you may write)`;
    case 'EROFS':
      return 'EROFS: read-only file system (name a path on a writable one)';
    case 'ENOSPC':
      return 'ENOSPC: no space left on device (free some or name a path on another device)';
    default:
      return code;
  }
}

/** Write an output file named by a flag; a failure is one line, not a stack. */
export function writeOutput(flag: string, path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new UsageError(`--${flag} ${path}: ${whyNotWritten(errCode(e), path)}`);
  }
}

/**
 * An output file named by a flag, written line by line as a long run makes it (a streamed
 * trace): lines gather in a buffer of about 64 KiB, so memory stays bounded however long
 * the run. A failed write (ENOSPC, EIO) is kept and reported by close() as one line.
 */
export class OutputLines {
  private readonly fd: number;
  private buf: string[] = [];
  private size = 0;
  private failed: string | null = null;

  constructor(
    private readonly flag: string,
    private readonly path: string,
  ) {
    try {
      this.fd = openSync(path, 'w');
    } catch (e) {
      throw new UsageError(`--${flag} ${path}: ${whyNotWritten(errCode(e), path)}`);
    }
  }

  /** Add one line (without its newline). */
  readonly line = (s: string): void => {
    if (this.failed !== null) return;
    this.buf.push(s);
    this.size += s.length + 1;
    if (this.size >= 1 << 16) this.flush();
  };

  private flush(): void {
    if (this.buf.length === 0) return;
    const bytes = Buffer.from(`${this.buf.join('\n')}\n`, 'latin1');
    this.buf = [];
    this.size = 0;
    try {
      for (let done = 0; done < bytes.length; ) done += writeSync(this.fd, bytes, done);
    } catch (e) {
      this.failed = errCode(e);
    }
  }

  /** Write what is left and close; a write that failed on the way is a usage error now. */
  close(): void {
    this.flush();
    closeSync(this.fd);
    if (this.failed !== null) throw new UsageError(`--${this.flag} ${this.path}: ${whyNotWritten(this.failed, this.path)}`);
  }
}

/**
 * Before any long work: can the file a flag names be written? A directory, a missing
 * directory or a path without permission is one line (a usage error) now, not a stack
 * after the run. Creates the file (empty) when it does not exist; never truncates it.
 */
export function checkOutputFile(flag: string, path: string): void {
  try {
    if (statOrUndefined(path)?.isDirectory()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
    closeSync(openSync(path, 'a'));
  } catch (e) {
    throw new UsageError(`--${flag} ${path}: ${whyNotWritten(errCode(e), path)}`);
  }
}

/** stat, or undefined for a path that cannot be looked at (missing, under a file, ...). */
function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * mkdir -p. Not mkdirSync's { recursive: true }: under Node 20 that spins forever when
 * mkdir says ENOENT although the parent exists (a path in /proc: `gate --out /proc/x` never
 * answered); here each missing component is made once, and any error is the answer.
 */
export function makeDirs(path: string): void {
  if (statOrUndefined(path)?.isDirectory()) return;
  const parent = dirname(path);
  if (parent !== path) makeDirs(parent);
  try {
    mkdirSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(path).isDirectory()) throw e;
  }
}

/** An output directory a flag names: created if missing; a file or an unwritable place is a usage error, at once. */
export function checkOutputDir(flag: string, path: string): void {
  const st = statOrUndefined(path);
  if (st !== undefined && !st.isDirectory()) throw new UsageError(`--${flag} ${path}: is a file, not a directory (name a directory, or a path that does not exist yet)`);
  try {
    makeDirs(path);
    accessSync(path, constants.W_OK);
    // access() says yes to root on a read-only mount: a probe file tells for certain.
    const probe = join(path, `.procsim-probe-${process.pid}`);
    closeSync(openSync(probe, 'w'));
    rmSync(probe);
  } catch (e) {
    const code = errCode(e);
    if (code === 'EEXIST' || code === 'ENOTDIR') throw new UsageError(`--${flag} ${path}: ${whyNotWritten('ENOTDIR', path)}`);
    throw new UsageError(`--${flag} ${path}: ${code}: cannot create this directory or write in it (name a directory you may write)`);
  }
}
