// Exhaustive search by brute force: every schedule with at most `preemptionBound` preemptions
// (a switch away from the process that ran last while it could go on), depth first, each
// execution re-run from the start. No partial-order reduction: equivalent schedules are all
// run, so keep scenarios small. It has the explorer shape of src/sim/dfs (next / done /
// complete / executions), so the outcome sets can move to that search when it lands.

import type { SimResult } from '../engine.ts';
import type { ChoiceContext, ProcRef, Strategy } from '../strategy.ts';

export interface Explorer {
  /** The strategy for the next execution, or undefined when the search is over. */
  next(): Strategy | undefined;
  /** The execution started by the last next() ended so. */
  done(result: SimResult): void;
  /** Every schedule within the bounds was run. */
  readonly complete: boolean;
  readonly executions: number;
}

export interface EnumerateOptions {
  preemptionBound: number;
  maxExecutions: number;
}

/** One decision of the current path. */
interface Decision {
  /** Ready process count. */
  n: number;
  /** Index (in the ready list) of the process that ran last, or -1 if it is not ready. */
  last: number;
  chosen: number;
  /** Alternatives not tried yet, in index order. */
  untried: number[];
  /** Preemptions on the path before this decision. */
  before: number;
}

const isPreemption = (d: { last: number }, i: number): boolean => d.last >= 0 && i !== d.last;

export class BoundedEnumerator implements Explorer {
  private path: Decision[] = [];
  /** Choices the next execution replays before it goes its own way. */
  private prefix: number[] = [];
  private started = false;
  private exhausted = false;
  executions = 0;

  constructor(private readonly opts: EnumerateOptions) {}

  get complete(): boolean {
    return this.exhausted;
  }

  next(): Strategy | undefined {
    if (this.exhausted || this.executions >= this.opts.maxExecutions) return undefined;
    if (this.started && !this.backtrack()) {
      this.exhausted = true;
      return undefined;
    }
    this.started = true;
    return this.strategy();
  }

  done(_result: SimResult): void {
    this.executions++;
    if (this.executions >= this.opts.maxExecutions && !this.hasUntried()) this.exhausted = true;
  }

  private hasUntried(): boolean {
    return this.path.some((d) => d.untried.length > 0);
  }

  /** Move to the deepest decision with an untried alternative; false when there is none. */
  private backtrack(): boolean {
    while (this.path.length > 0) {
      const d = this.path[this.path.length - 1];
      const alt = d.untried.shift();
      if (alt !== undefined) {
        d.chosen = alt;
        this.prefix = this.path.map((x) => x.chosen);
        return true;
      }
      this.path.pop();
    }
    return false;
  }

  /** Replays the prefix, then keeps running the last process (no preemption) and records. */
  private strategy(): Strategy {
    const prefix = this.prefix;
    const path = this.path;
    const bound = this.opts.preemptionBound;
    let lastId = 0;
    return {
      spec: `enumerate:${prefix.join('.')}`,
      begin(): void {
        lastId = 0;
      },
      choose(ready: readonly ProcRef[], ctx: ChoiceContext): number {
        let i: number;
        if (ready.length > 1) {
          const d = ctx.decision;
          const last = ready.findIndex((r) => r.id === lastId);
          if (d < prefix.length) {
            if (path[d].n !== ready.length) throw new Error(`enumerate: run ${prefix.join('.')} did not repeat itself at decision ${d}`);
            i = prefix[d];
          } else {
            i = Math.max(0, last);
            const before = d === 0 ? 0 : path[d - 1].before + (isPreemption(path[d - 1], path[d - 1].chosen) ? 1 : 0);
            const untried: number[] = [];
            for (let j = 0; j < ready.length; j++) {
              if (j !== i && before + (isPreemption({ last }, j) ? 1 : 0) <= bound) untried.push(j);
            }
            path.push({ n: ready.length, last, chosen: i, untried, before });
          }
        } else i = 0;
        lastId = ready[i].id;
        return i;
      },
    };
  }
}
