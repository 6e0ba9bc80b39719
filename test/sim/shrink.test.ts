// Schedule shrinking on planted bugs: the shrunk schedule still fails the same way, replays
// exactly from its schedule string, and has the fewest context switches any failing
// schedule has, as a brute-force search over all schedules with few switches finds.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { guestPath } from '../support/guests.ts';
import { failureOf } from '../../src/sim/explore/outcome.ts';
import { contextSwitches, shrinkSchedule, smallerSchedule } from '../../src/sim/shrink.ts';
import { parseStrategy } from '../../src/sim/strategies/index.ts';
import { GuidedStrategy } from '../../src/sim/strategies/guided.ts';
import { ReplayStrategy } from '../../src/sim/strategies/replay.ts';
import { simulateTarget, type Target, type TargetRun } from '../../src/sim/target.ts';

const planted = (name: 'planted-order' | 'planted-window', n: number): Target => ({
  path: `/bin/${name}`,
  elf: new Uint8Array(readFileSync(guestPath(name))),
  argv: [name, String(n)],
});

const guided = (t: Target, seed: number, choices: number[], onReady?: (ids: number[]) => void): TargetRun =>
  simulateTarget(t, {
    seed,
    strategy: new GuidedStrategy(choices, 'id'),
    ...(onReady ? { onStep: (s) => s.ready.length > 1 && onReady(s.ready.map((r) => r.id)) } : {}),
  });

const ABORT = 'fault SIGABRT';
const fails = (r: TargetRun): boolean => failureOf(r)?.class === ABORT;

/**
 * Fewest context switches of any failing schedule with at most `bound` switches, by brute
 * force: every schedule is the guided continuation of its last deviation, so a search over
 * deviations (pruned at `bound` switches) visits each schedule once.
 */
function minimumSwitches(t: Target, seed: number, bound: number): { min: number; schedules: number } {
  let min = Infinity;
  let schedules = 0;
  const visit = (prefix: number[]): void => {
    const ready: number[][] = [];
    const r = guided(t, seed, prefix, (ids) => ready.push(ids));
    schedules++;
    if (fails(r) && contextSwitches(r.choices) <= bound) min = Math.min(min, contextSwitches(r.choices));
    for (let i = prefix.length; i < r.choices.length; i++) {
      for (const alt of ready[i]) {
        if (alt === r.choices[i]) continue;
        const next = [...r.choices.slice(0, i), alt];
        if (contextSwitches(next) <= bound) visit(next);
      }
    }
  };
  visit([]);
  return { min, schedules };
}

describe('contextSwitches and the order of schedules', () => {
  it('counts the choices that name another process than the one before', () => {
    expect(contextSwitches([])).toBe(0);
    expect(contextSwitches([2, 2, 2])).toBe(0);
    expect(contextSwitches([1, 2, 2, 1, 3])).toBe(3);
  });

  it('fewer switches first, then fewer choices', () => {
    expect(smallerSchedule([1, 1, 1, 1, 2], [1, 2, 1])).toBe(true);
    expect(smallerSchedule([1, 2], [1, 1, 2])).toBe(true);
    expect(smallerSchedule([1, 2], [2, 1])).toBe(false);
  });
});

describe('shrinkSchedule on planted bugs', () => {
  const cases: { name: 'planted-order' | 'planted-window'; n: number; min: number }[] = [
    { name: 'planted-order', n: 3, min: 1 },
    { name: 'planted-window', n: 1, min: 2 },
    { name: 'planted-window', n: 3, min: 2 },
  ];

  for (const c of cases) {
    it(`${c.name} ${c.n}: brute force finds no failing schedule below ${c.min} switches, and shrinking reaches it`, () => {
      const t = planted(c.name, c.n);
      const brute = minimumSwitches(t, 0, c.min);
      expect(brute.min).toBe(c.min);
      expect(brute.schedules).toBeGreaterThan(10);

      // Failing runs of the random walk, each shrunk to that minimum.
      const failing: TargetRun[] = [];
      const random = parseStrategy('random');
      for (let seed = 0; failing.length < 12 && seed < 2000; seed++) {
        const r = simulateTarget(t, { seed, strategy: random });
        if (fails(r)) failing.push(r);
      }
      expect(failing.length).toBe(12);
      fc.assert(
        fc.property(fc.constantFrom(...failing), (start) => {
          const s = shrinkSchedule(start, (ch) => guided(t, start.seed, ch), fails);
          expect(s.fixpoint).toBe(true);
          expect(s.switches).toBe(c.min);
          expect(contextSwitches(s.run.choices)).toBe(c.min);
          expect(s.run.choices.length).toBeLessThanOrEqual(start.choices.length);
          // The strict replay of the shrunk schedule fails the same way, choice for choice.
          const again = simulateTarget(t, { seed: start.seed, strategy: new ReplayStrategy(s.run.choices), trace: true });
          expect(failureOf(again)?.class).toBe(ABORT);
          expect(again.schedule).toBe(s.run.schedule);
        }),
        { numRuns: 12 },
      );
    });
  }

  it('keeps the start run when nothing smaller fails, and stops at its budget', () => {
    const t = planted('planted-window', 2);
    const start = [...Array(500).keys()].map((seed) => simulateTarget(t, { seed, strategy: parseStrategy('random') })).find(fails)!;
    const none = shrinkSchedule(start, (ch) => guided(t, start.seed, ch), () => false);
    expect(none.run).toBe(start);
    expect(none.fixpoint).toBe(true);
    const budget = shrinkSchedule(start, (ch) => guided(t, start.seed, ch), fails, { maxRuns: 1 });
    expect(budget.tried).toBe(1);
  });
});
