// A small argument parser for `procsim <command> [flags] TARGET [ARGS...]`: flags end at
// the first positional argument (or `--`), so the guest's own flags pass through untouched.

import { writeFileSync } from 'node:fs';

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

/** Write an output file named by a flag; a failure is one line, not a stack. */
export function writeOutput(flag: string, path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new UsageError(`--${flag} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
