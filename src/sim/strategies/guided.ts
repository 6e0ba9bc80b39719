// Follows a list of choices as far as it fits and never diverges: the strategy that
// generated schedules (fast-check) and schedule shrinking run under. Each choice is read
// either as a process id (as in a schedule string) or as an index into the ready list
// (taken modulo its length, so any list of naturals is a valid schedule). Where a choice
// does not fit (an id that is not ready) or the list has run out, the process that ran last
// keeps running if it is ready, else the lowest-numbered ready one: no context switch that
// the list does not ask for. The run's own schedule (SimResult.schedule) then replays it
// exactly with the strict replay strategy.

import type { ChoiceContext, ProcRef, Strategy } from '../strategy.ts';

export type GuidedMode = 'id' | 'index';

export class GuidedStrategy implements Strategy {
  readonly spec: string;
  private last = 0;

  constructor(
    private readonly choices: readonly number[],
    private readonly mode: GuidedMode = 'id',
  ) {
    this.spec = `guided-${mode}:${choices.join('.')}`;
  }

  begin(_seed: number): void {
    this.last = 0;
  }

  choose(ready: readonly ProcRef[], ctx: ChoiceContext): number {
    let i = -1;
    if (ready.length > 1 && ctx.decision < this.choices.length) {
      const c = this.choices[ctx.decision];
      i = this.mode === 'index' ? c % ready.length : ready.findIndex((r) => r.id === c);
    }
    if (i < 0) i = Math.max(0, ready.findIndex((r) => r.id === this.last));
    this.last = ready[i].id;
    return i;
  }
}
