// Follows a recorded schedule. Where the run no longer fits it (the recorded process is not
// ready, the schedule runs out, or the run ends with choices left over) it says where.

import { type FaultPolicy, PlannedFaults } from '../faults.ts';
import { encodeSchedule, parseRunSchedule } from '../schedule.ts';
import { type ChoiceContext, type ProcRef, ScheduleDivergence, type Strategy } from '../strategy.ts';

const names = (ready: readonly ProcRef[]): string => ready.map((r) => r.name).join(' ');

export class ReplayStrategy implements Strategy {
  readonly spec: string;

  constructor(private readonly choices: readonly number[]) {
    this.spec = encodeSchedule(choices);
  }

  begin(_seed: number): void {}

  choose(ready: readonly ProcRef[], ctx: ChoiceContext): number {
    if (ready.length === 1) return 0;
    const n = ctx.decision;
    if (n >= this.choices.length) {
      throw new ScheduleDivergence(
        `diverged at step ${ctx.step + 1}: the schedule ended after ${this.choices.length} choices, but ${names(ready)} are ready`,
      );
    }
    const want = this.choices[n];
    const i = ready.findIndex((r) => r.id === want);
    if (i < 0) {
      throw new ScheduleDivergence(
        `diverged at step ${ctx.step + 1}, choice ${n + 1} of ${this.choices.length}: the schedule runs p${want}, but only ${names(ready)} are ready`,
      );
    }
    return i;
  }

  end(decisions: number): string | undefined {
    if (decisions >= this.choices.length) return undefined;
    return `diverged: the run ended after ${decisions} choices, but the schedule has ${this.choices.length}`;
  }
}

/** How to run a schedule string: its choices replayed, its faults (if any) injected where it says. */
export function scheduleRun(schedule: string): { strategy: ReplayStrategy; faults?: FaultPolicy } {
  const { choices, faults } = parseRunSchedule(schedule);
  return { strategy: new ReplayStrategy(choices), ...(faults.length > 0 ? { faults: new PlannedFaults(faults) } : {}) };
}
