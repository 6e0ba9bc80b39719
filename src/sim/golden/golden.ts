// Golden files: for each scenario and kernel, golden/SCENARIO/KERNEL.trace.jsonl (the trace
// of one round-robin run with the golden seed) and golden/SCENARIO/KERNEL.outcomes.json (the
// distinct outcomes of the scenario's exhaustive search). `procsim golden` compares them with
// what the code produces now and shows the first difference; `--update` rewrites them. A
// golden file that cannot be read back is a one-line GoldenError naming it and the fix.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { KernelVariantName } from '../../process/variants/index.ts';
import type { Scenario } from '../scenarios.ts';
import { REPO_ROOT, scenarioTarget } from '../scenarios.ts';
import { RoundRobinStrategy } from '../strategies/round-robin.ts';
import { lineDiff } from './diff.ts';
import { runContractViolations } from '../contracts/index.ts';
import type { TargetRun } from '../target.ts';
import { checkTraceContracts } from './trace-checks.ts';
import { expectViolation, exploreOutcomes, goldenRun, type OutcomeSet } from './outcomes.ts';

export const GOLDEN_DIR = join(REPO_ROOT, 'golden');
export const UPDATE_HINT = 'procsim golden --update';

export class GoldenError extends Error {}

export type GoldenKind = 'trace' | 'outcomes';

export function goldenPath(scenario: string, kernel: KernelVariantName, kind: GoldenKind, dir = GOLDEN_DIR): string {
  return join(dir, scenario, `${kernel}.${kind === 'trace' ? 'trace.jsonl' : 'outcomes.json'}`);
}

/**
 * Checks a golden trace body against contracts and returns the violations. The golden check
 * calls it on reference traces, which must satisfy every contract that applies to any
 * program: the trace contracts of trace-checks.ts (CheckOptions.checkTrace replaces them) and
 * the run-level contract properties (src/sim/contracts runContractViolations). The variants'
 * traces break the contracts on purpose and are not checked.
 */
export type TraceChecker = (traceLines: readonly string[]) => string[];

/** The golden run: round-robin with the golden seed, traced. */
function goldenTraceRun(s: Scenario, kernel: KernelVariantName): TargetRun {
  return goldenRun(scenarioTarget(s, kernel), new RoundRobinStrategy(), true, s.search.maxSteps);
}

export function goldenOutcomes(s: Scenario, kernel: KernelVariantName): OutcomeSet {
  return exploreOutcomes(s, kernel, scenarioTarget(s, kernel));
}

export function outcomesText(set: OutcomeSet): string {
  return `${JSON.stringify(set, null, 2)}\n`;
}

const corrupt = (file: string, why: string): GoldenError =>
  new GoldenError(`${shown(file)}: corrupt golden file (${why}); regenerate it with \`${UPDATE_HINT}\``);

const shown = (file: string): string => relative(process.cwd(), file) || file;

/** A golden file's text; a path that is not a readable file (a directory, say) is a GoldenError naming it. */
function readGolden(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    const why = code === 'EISDIR' ? 'is a directory, not a golden file' : `cannot be read (${code})`;
    throw new GoldenError(`${shown(file)}: ${why}; remove it and regenerate it with \`${UPDATE_HINT}\``);
  }
}

/** Reads a golden trace back, checking its shape and hash; throws GoldenError. */
export function parseGoldenTrace(text: string, file: string): string[] {
  const lines = text.split('\n');
  if (lines.pop() !== '') throw corrupt(file, 'does not end with a newline');
  if (lines.length < 3) throw corrupt(file, `${lines.length} line(s), want a header, a body and a footer`);
  const parsed = lines.map((l, i) => {
    try {
      const v = JSON.parse(l);
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
      return v as Record<string, unknown>;
    } catch (e) {
      throw corrupt(file, `line ${i + 1} is not a JSON object: ${(e as Error).message}`);
    }
  });
  if (parsed[0]['procsim-trace'] === undefined) throw corrupt(file, 'line 1 is not a procsim trace header');
  const body = lines.slice(1, -1);
  const h = createHash('sha256');
  for (const l of body) h.update(`${l}\n`);
  if (parsed.at(-1)!.hash !== `sha256:${h.digest('hex')}`) throw corrupt(file, 'the footer hash does not match the body');
  return body;
}

/** Reads a golden outcome set back, checking its shape; throws GoldenError. */
export function parseGoldenOutcomes(text: string, file: string): OutcomeSet {
  let j: OutcomeSet;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw corrupt(file, `not JSON: ${(e as Error).message}`);
  }
  const strings = (v: unknown): boolean => Array.isArray(v) && v.every((s) => typeof s === 'string');
  if (typeof j !== 'object' || j === null || !Array.isArray(j.outcomes)) throw corrupt(file, 'no "outcomes" list');
  if (typeof j.executions !== 'number' || typeof j.complete !== 'boolean') throw corrupt(file, '"executions" or "complete" missing');
  j.outcomes.forEach((o, i) => {
    if (typeof o?.status !== 'string' || !strings(o.stdout) || !strings(o.stderr) || typeof o.procs !== 'object' || typeof o.schedule !== 'string') {
      throw corrupt(file, `outcome ${i + 1} lacks status, procs, stdout, stderr or schedule`);
    }
  });
  return j;
}

/** One golden file compared with what the code produces now. */
export interface GoldenCheck {
  file: string;
  kind: GoldenKind;
  /** 'missing': no golden file yet. */
  state: 'same' | 'differs' | 'missing';
  /** The first difference, readable (empty when the same). */
  diff: string;
  /**
   * Reference kernel only: contract properties the golden trace breaks, or outcomes the
   * scenario's expectations do not allow.
   */
  violations: string[];
  /** What the file would hold now. */
  text: string;
}

function compare(file: string, kind: GoldenKind, text: string, opts: CheckOptions): GoldenCheck {
  if (!existsSync(file)) return { file, kind, state: 'missing', diff: '', violations: [], text };
  let golden: string;
  try {
    golden = readGolden(file);
    if (kind === 'trace') parseGoldenTrace(golden, file);
    else parseGoldenOutcomes(golden, file);
  } catch (e) {
    // Updating replaces a corrupt file; checking reports it.
    if (!(e instanceof GoldenError && opts.update)) throw e;
    return { file, kind, state: 'differs', diff: e.message, violations: [], text };
  }
  const diff = lineDiff(golden, text, { expected: `${file} (golden)`, actual: 'now' });
  return { file, kind, state: diff === '' ? 'same' : 'differs', diff, violations: [], text };
}

export interface CheckOptions {
  dir?: string;
  /** The contracts a reference golden trace must satisfy (default checkTraceContracts). */
  checkTrace?: TraceChecker;
  /** About to rewrite the files: a corrupt one is replaced instead of reported. */
  update?: boolean;
}

/** The golden trace of a scenario on a kernel, compared with a run now. */
export function checkGoldenTrace(s: Scenario, kernel: KernelVariantName, opts: CheckOptions = {}): GoldenCheck {
  const run = goldenTraceRun(s, kernel);
  const text = run.trace!.text();
  const c = compare(goldenPath(s.name, kernel, 'trace', opts.dir), 'trace', text, opts);
  if (kernel === 'reference') {
    c.violations = [...(opts.checkTrace ?? checkTraceContracts)(text.split('\n').slice(1, -2)), ...runContractViolations(run)];
  }
  return c;
}

/** The golden outcome set of a scenario on a kernel, compared with a search now. */
export function checkGoldenOutcomes(s: Scenario, kernel: KernelVariantName, opts: CheckOptions = {}): GoldenCheck {
  const set = goldenOutcomes(s, kernel);
  const c = compare(goldenPath(s.name, kernel, 'outcomes', opts.dir), 'outcomes', outcomesText(set), opts);
  // Linux semantics: every outcome of the reference kernel is one the scenario allows.
  if (kernel === 'reference') {
    c.violations = set.outcomes.flatMap((o) => {
      const why = expectViolation(o, s.expect);
      return why === undefined ? [] : [`schedule ${o.schedule}: ${why}`];
    });
  }
  return c;
}

/** The golden outcome set as committed (for the oracle and the regression gate). */
export function readGoldenOutcomes(scenario: string, kernel: KernelVariantName, dir = GOLDEN_DIR): OutcomeSet {
  const file = goldenPath(scenario, kernel, 'outcomes', dir);
  if (!existsSync(file)) throw new GoldenError(`${file} is missing: create it with \`${UPDATE_HINT} --scenario ${scenario}\``);
  return parseGoldenOutcomes(readGolden(file), file);
}

/** Writes a check's new text; returns whether the file changed. */
export function writeGolden(c: GoldenCheck): boolean {
  if (c.state === 'same') return false;
  try {
    mkdirSync(dirname(c.file), { recursive: true });
    writeFileSync(c.file, c.text);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    const why = code === 'EISDIR' ? 'is a directory, not a golden file: remove it' : `cannot be written (${code})`;
    throw new GoldenError(`${shown(c.file)}: ${why}; then run \`${UPDATE_HINT}\` again`);
  }
  return true;
}
