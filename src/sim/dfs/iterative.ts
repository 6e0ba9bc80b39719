// Iterative preemption bounding (CHESS's iterative context bounding): search every schedule
// with at most 0 preemptions, then at most 1, 2, ... within one budget of executions. A
// witness needing few preemptions (most do) turns up after a handful of executions, where a
// plain depth-first search can spend its whole budget reordering the last steps of one
// prefix. Each round repeats the schedules of the rounds before it (the search is stateless);
// the space is covered once a round completes with nothing kept out by its bound.

import type { SimResult } from '../engine.ts';
import type { Strategy } from '../strategy.ts';
import { DfsExplorer } from './explorer.ts';

export class IterativeBoundedSearch {
  private round: DfsExplorer;
  private bound = 0;
  private before = 0;
  private covered = false;

  constructor(private readonly maxExecutions: number) {
    if (!(Number.isInteger(maxExecutions) && maxExecutions >= 1)) throw new RangeError(`maxExecutions must be a positive integer, got ${maxExecutions}`);
    this.round = this.start();
  }

  /** Executions reported through done(), over every round. */
  get executions(): number {
    return this.before + this.round.executions;
  }

  /** True once every schedule, whatever its preemptions, was run. */
  get complete(): boolean {
    return this.covered;
  }

  /** The preemption bound of the round in progress (or of the last one). */
  get preemptionBound(): number {
    return this.bound;
  }

  next(): Strategy | undefined {
    if (this.covered || this.executions >= this.maxExecutions) return undefined;
    const s = this.round.next();
    if (s !== undefined) return s;
    if (!this.round.complete) return undefined;
    if (!this.round.boundPruned) {
      this.covered = true;
      return undefined;
    }
    this.before += this.round.executions;
    this.bound++;
    this.round = this.start();
    return this.round.next();
  }

  done(result: SimResult): void {
    this.round.done(result);
  }

  private start(): DfsExplorer {
    return new DfsExplorer({ preemptionBound: this.bound, maxExecutions: this.maxExecutions - this.before });
  }
}
