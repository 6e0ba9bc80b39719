// Round-robin in rounds, like `procsim run`'s driver: a round is the processes ready when
// it starts, in creation order; each takes one step if it is still ready when its turn
// comes; processes created during a round wait for the next one.

import type { ChoiceContext, ProcRef, Strategy } from '../strategy.ts';

export class RoundRobinStrategy implements Strategy {
  readonly spec = 'rr';
  /** Ids still to run in this round, in order. */
  private round: number[] = [];

  begin(_seed: number): void {
    this.round = [];
  }

  choose(ready: readonly ProcRef[], _ctx: ChoiceContext): number {
    for (;;) {
      if (this.round.length === 0) this.round = ready.map((r) => r.id);
      const id = this.round.shift()!;
      const i = ready.findIndex((r) => r.id === id);
      if (i >= 0) return i;
    }
  }
}
