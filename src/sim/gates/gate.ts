// What a phase gate is: one checkable promise of the migration plan (BRIEF.md, "The
// contracts"), named by its gate id (P0.1 ... P3.2). Properties, scenarios, oracle
// comparisons and cost measurements all present themselves this way, so `procsim gate`, the
// vitest suites and the reports treat them alike.

import type { KernelVariantName } from '../../process/variants/index.ts';

export interface GateOptions {
  kernel: KernelVariantName;
  /** How many generated cases (programs x schedules) or schedules a property tries. */
  runs: number;
  /** Seed of the generators; the same seed gives the same verdict and counterexample. */
  seed: number;
  /** Directory for counterexample traces; none written when absent. */
  outDir?: string;
}

export interface Counterexample {
  /** One paragraph a person reads: the (shrunk) program and what went wrong. */
  summary: string;
  /** A `procsim replay ...` command line that reproduces the failing run exactly. */
  replay: string;
  /** File the failing run's trace was saved to (under GateOptions.outDir). */
  trace?: string;
}

export interface GateResult {
  pass: boolean;
  /** Cases tried (property runs, scenario schedules, measurements). */
  runs: number;
  /** A line on what was checked or measured, for the report. */
  detail?: string;
  counterexample?: Counterexample;
  /** Set when the gate could not be judged (an external emulator's run shows too little): why. Such a gate has not passed. */
  notJudged?: string;
}

export interface Gate {
  /** "P0.1" ... "P3.2". */
  id: string;
  /** "identity", "fork return values and next instruction", ... */
  name: string;
  phase: 0 | 1 | 2 | 3;
  evaluate(opts: GateOptions): GateResult | Promise<GateResult>;
}
