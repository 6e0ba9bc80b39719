// The scheduler's view of a run and the interface every strategy implements. A strategy
// sees only the processes ready to take a kernel step, each stopped at its next syscall,
// and picks one. It is told about every step, forced ones included (one ready process), so
// that stateful strategies (round-robin, PCT) can follow the run; only choices among two or
// more processes go into the schedule.

import type { Footprint } from './footprint.ts';

/** A process ready to take a step. */
export interface ProcRef {
  /** Canonical number: 1 for the first process created, 2 for the next, ... */
  readonly id: number;
  /** Canonical name: `p${id}`. */
  readonly name: string;
  /** Number of the syscall it is stopped at (the step executes it, or delivers a signal first). */
  readonly nr: number;
}

export interface ChoiceContext {
  /** Kernel steps taken so far in this run. */
  readonly step: number;
  /** Choices recorded so far (steps that had two or more ready processes). */
  readonly decision: number;
  /**
   * What the pending step of ready[i] touches (footprint.ts), computed on demand from the
   * kernel state of this decision: valid during this choose() call; settle() it after the step.
   */
  footprint?(i: number): Footprint;
}

export interface Strategy {
  /**
   * The strategy as a replay flag value (`random`, `rr`, `pct:3:120`): with the run seed it
   * reproduces the run. Stable once begin() has been called for a run.
   */
  readonly spec: string;
  /** A run starts with this seed (the kernel's too). */
  begin(seed: number): void;
  /**
   * Index into `ready` (sorted by id, never empty) of the process to step. May throw
   * ScheduleDivergence when it cannot follow the run (replay).
   */
  choose(ready: readonly ProcRef[], ctx: ChoiceContext): number;
  /** The run ended after `decisions` choices; a message if that does not fit the strategy (replay). */
  end?(decisions: number): string | undefined;
}

/** A strategy could not go on: the run does not fit what it was told to follow. */
export class ScheduleDivergence extends Error {}
