// A contract property and the gate made from it. A property takes a generated case (a
// program and a schedule as choices) and a kernel, runs it, and judges the run with the
// trace predicates; existential properties run several schedules and judge them together.
// The same property serves the vitest suites (properties/) and `procsim gate`: the gate runs
// it under fc.check and turns a failure into the shrunk counterexample with its replay
// command and trace.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { KernelVariantName } from '../../process/variants/index.ts';
import { verdictText } from '../engine.ts';
import type { Gate, GateOptions, GateResult } from '../gates/gate.ts';
import { fail, OK, type Verdict } from '../predicates.ts';
import { choicesArb } from '../programs/arbitrary.ts';
import { encodeProgram, type Program } from '../programs/program.ts';
import { IterativeBoundedSearch } from '../dfs/index.ts';
import { type GeneratedRun, replayCommand, runGenerated, runGeneratedWith } from '../programs/run.ts';
import { World } from './world.ts';

export interface Case {
  program: Program;
  /** Schedule: indexes into the ready list at each choice. */
  choices: number[];
}

export interface Judgement {
  verdict: Verdict;
  /** The run the verdict is about (for an existential property: the first schedule tried). */
  run: GeneratedRun;
}

export interface ContractProperty {
  id: string;
  name: string;
  phase: 0 | 1 | 2;
  /** What is checked, in one line. */
  statement: string;
  cases: fc.Arbitrary<Case>;
  judge(kernel: KernelVariantName, c: Case): Judgement;
}

/**
 * fast-check parameters every contract check uses besides runs and seed: without bias, so
 * that most cases are programs of several forks rather than the smallest ones.
 */
export const CHECK_PARAMS = { unbiased: true } as const;

/** Cases from a program generator and the schedule generator. */
export function casesOf(programs: fc.Arbitrary<Program>): fc.Arbitrary<Case> {
  return fc.record({ program: programs, choices: choicesArb });
}

/** A run that did not end by p1's exit or a deadlock says nothing about the contract: it fails. */
export function cleanEnd(run: GeneratedRun): Verdict {
  const v = run.verdict;
  return v.kind === 'exit' || v.kind === 'deadlock' ? OK : fail(`the run did not end cleanly: ${verdictText(v)}`);
}

/** A universal property: one run per case, judged by `check` on its world. */
export function universal(check: (w: World) => Verdict): (kernel: KernelVariantName, c: Case) => Judgement {
  return (kernel, c) => {
    const run = runGenerated(c.program, { kernel, choices: c.choices });
    const clean = cleanEnd(run);
    return { run, verdict: clean.ok ? check(new World(run)) : clean };
  };
}

/** Schedules an existential property tries first, besides the generated one. */
export const SEARCH_SCHEDULES: readonly (readonly number[])[] = [[], new Array<number>(64).fill(0), new Array<number>(64).fill(1)];

/**
 * Most executions of the exhaustive search an existential property falls back on. The search
 * has no reduction (a witness is about the order of two steps that may commute, and a
 * partial-order reduction keeps only one order of those) and goes by increasing preemptions:
 * a plain depth-first search can spend all of these reordering the ends of one prefix.
 */
export const EXHAUSTIVE_CAP = 200;

/**
 * An existential property: some schedule has a run where `witness` holds, and every run tried
 * satisfies `always` (when given). The generated schedule and SEARCH_SCHEDULES come first;
 * when none is a witness, every schedule of the program is searched (up to EXHAUSTIVE_CAP),
 * so a failure says whether no schedule exists or none was found.
 */
export function existential(
  what: string,
  witness: (w: World) => boolean,
  always?: (w: World) => Verdict,
): (kernel: KernelVariantName, c: Case) => Judgement {
  /** The verdict a run settles (a broken rule, or the witness), or undefined to go on looking. */
  const judge = (run: GeneratedRun): Verdict | undefined => {
    const clean = cleanEnd(run);
    if (!clean.ok) return clean;
    const w = new World(run);
    const v = always?.(w) ?? OK;
    if (!v.ok) return v;
    return witness(w) ? OK : undefined;
  };
  return (kernel, c) => {
    let first: GeneratedRun | undefined;
    for (const choices of [...SEARCH_SCHEDULES, c.choices]) {
      const run = runGenerated(c.program, { kernel, choices });
      first ??= run;
      const verdict = judge(run);
      if (verdict !== undefined) return { run, verdict };
    }
    const search = new IterativeBoundedSearch(EXHAUSTIVE_CAP);
    for (let s = search.next(); s !== undefined; s = search.next()) {
      const run = runGeneratedWith(c.program, s, { kernel });
      search.done(run.result);
      const verdict = judge(run);
      if (verdict !== undefined) return { run, verdict };
    }
    const searched = search.complete
      ? `none exists: the exhaustive search covered all ${search.executions}`
      : `none in the first ${search.executions} of an exhaustive search, which got to ${search.preemptionBound} preemptions`;
    return { run: first!, verdict: fail(`no schedule in which ${what} (${searched}, after ${SEARCH_SCHEDULES.length + 1} fixed ones)`) };
  };
}

/** A file name for a counterexample trace. */
const traceName = (id: string, kernel: string): string => `${id.replace(/[^A-Za-z0-9.]/g, '_')}-${kernel}.trace.jsonl`;

/** Evaluate a property as a gate: fc.check over `runs` cases from `seed`, shrunk on failure. */
export function evaluateProperty(p: ContractProperty, opts: GateOptions): GateResult {
  const out = fc.check(
    fc.property(p.cases, (c) => p.judge(opts.kernel, c).verdict.ok),
    { ...CHECK_PARAMS, numRuns: opts.runs, seed: opts.seed },
  );
  if (!out.failed) return { pass: true, runs: out.numRuns, detail: `${p.statement} (${out.numRuns} generated cases on ${opts.kernel})` };
  if (out.counterexample === null) {
    return { pass: false, runs: out.numRuns, detail: `property threw: ${String(out.errorInstance)}` };
  }
  const [c] = out.counterexample;
  let judged: Judgement;
  try {
    judged = p.judge(opts.kernel, c);
  } catch (e) {
    // The judge itself broke on this case (a bug of the harness): say so with the case.
    const text = encodeProgram(c.program);
    const why = e instanceof Error ? e.message : String(e);
    const summary = `${p.id} ${p.name} could not judge program ${text || "''"} under choices [${c.choices.join(',')}]: ${why}`;
    return { pass: false, runs: out.numRuns, detail: p.statement, counterexample: { summary, replay: replayCommand(opts.kernel, 0, undefined, text) } };
  }
  const { verdict, run } = judged;
  const why = verdict.ok ? `property threw: ${String(out.errorInstance)}` : verdict.message;
  const summary = `${p.id} ${p.name} fails on ${opts.kernel} for program ${run.text === '' ? "''" : run.text} (after ${out.numShrinks} shrinks): ${why}`;
  const result: GateResult = { pass: false, runs: out.numRuns, detail: p.statement, counterexample: { summary, replay: run.replay } };
  if (opts.outDir !== undefined && run.result.trace !== undefined) {
    mkdirSync(opts.outDir, { recursive: true });
    const file = join(opts.outDir, traceName(p.id, opts.kernel));
    writeFileSync(file, run.result.trace.text());
    result.counterexample!.trace = file;
  }
  return result;
}

export function gateOf(p: ContractProperty): Gate {
  return { id: p.id, name: p.name, phase: p.phase, evaluate: (opts) => evaluateProperty(p, opts) };
}
