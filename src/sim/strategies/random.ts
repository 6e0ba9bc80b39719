// Seeded random walk: at every choice, each ready process is equally likely. Its stream is
// derived from the run seed under its own name, so it never mirrors the kernel's
// (getrandom, AT_RANDOM), which uses the same seed.

import seedrandom from 'seedrandom';
import type { ChoiceContext, ProcRef, Strategy } from '../strategy.ts';

export class RandomStrategy implements Strategy {
  readonly spec = 'random';
  private rng: seedrandom.PRNG = seedrandom('procsim-sched:random:0');

  begin(seed: number): void {
    this.rng = seedrandom(`procsim-sched:random:${seed}`);
  }

  choose(ready: readonly ProcRef[], _ctx: ChoiceContext): number {
    // A forced step draws nothing: the stream is spent on choices only.
    return ready.length === 1 ? 0 : Math.floor(this.rng.quick() * ready.length);
  }
}
