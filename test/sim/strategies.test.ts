// The strategies alone, on made-up ready lists: what each picks, that a seed fixes it, and
// what the replay strategy says when a run does not fit its schedule.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseStrategy } from '../../src/sim/strategies/index.ts';
import { PctStrategy } from '../../src/sim/strategies/pct.ts';
import { RandomStrategy } from '../../src/sim/strategies/random.ts';
import { GuidedStrategy, type GuidedMode } from '../../src/sim/strategies/guided.ts';
import { ReplayStrategy } from '../../src/sim/strategies/replay.ts';
import { RoundRobinStrategy } from '../../src/sim/strategies/round-robin.ts';
import { type ProcRef, ScheduleDivergence, type Strategy } from '../../src/sim/strategy.ts';

const ref = (id: number): ProcRef => ({ id, name: `p${id}`, nr: 64 });
const refs = (...ids: number[]): ProcRef[] => ids.map(ref);

/** Drive a strategy through a fixed sequence of ready sets; the ids it picked. */
function drive(s: Strategy, seed: number, readySets: number[][]): number[] {
  s.begin(seed);
  let decision = 0;
  return readySets.map((ids, step) => {
    const ready = refs(...ids);
    const i = s.choose(ready, { step, decision });
    expect(i).toBeGreaterThanOrEqual(0);
    expect(i).toBeLessThan(ready.length);
    if (ready.length > 1) decision++;
    return ready[i].id;
  });
}

const readySets = fc.array(fc.uniqueArray(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 6 }).map((a) => a.sort((x, y) => x - y)), {
  minLength: 1,
  maxLength: 60,
});

describe('random', () => {
  it('a seed fixes every choice; other seeds choose otherwise', () => {
    fc.assert(
      fc.property(readySets, fc.nat(), (sets, seed) => {
        expect(drive(new RandomStrategy(), seed, sets)).toEqual(drive(new RandomStrategy(), seed, sets));
      }),
      { numRuns: 50 },
    );
    const sets = Array.from({ length: 40 }, () => [1, 2, 3]);
    const runs = new Set(Array.from({ length: 10 }, (_, seed) => drive(new RandomStrategy(), seed, sets).join('')));
    expect(runs.size).toBe(10);
  });

  it('picks every ready process, about equally often', () => {
    const counts = [0, 0, 0, 0];
    for (const id of drive(new RandomStrategy(), 7, Array.from({ length: 3000 }, () => [1, 2, 3, 4]))) counts[id - 1]++;
    for (const c of counts) expect(c).toBeGreaterThan(600);
  });
});

describe('round-robin', () => {
  it('runs in rounds of the processes ready at the start of each, like procsim run', () => {
    // 4 appears during the round [1,2,3] and waits for the next one.
    const all = [1, 2, 3, 4];
    expect(drive(new RoundRobinStrategy(), 0, [[1, 2, 3], all, all, all, all, all, all])).toEqual([1, 2, 3, 1, 2, 3, 4]);
    // 2 is not ready at its turn: skipped; the next round starts from the ready set.
    expect(drive(new RoundRobinStrategy(), 0, [[1, 2, 3], [1, 3], [1, 3], [1, 2, 3]])).toEqual([1, 3, 1, 3]);
    expect(drive(new RoundRobinStrategy(), 0, [[1], [1, 2], [1, 2], [1, 2]])).toEqual([1, 1, 2, 1]);
  });
});

describe('PCT', () => {
  it('with depth 1 (no change points) runs one fixed priority order: the highest ready process always', () => {
    fc.assert(
      fc.property(fc.nat(), (seed) => {
        const sets = [[1, 2, 3], [1, 2, 3], [1, 2], [1, 3], [2, 3]];
        const picks = drive(new PctStrategy(1, 10), seed, sets);
        // Some priority order of 1, 2, 3 explains every pick: the highest of the ready set.
        const perms = [[1, 2, 3], [1, 3, 2], [2, 1, 3], [2, 3, 1], [3, 1, 2], [3, 2, 1]];
        const fits = perms.filter((order) => sets.every((set, i) => order.find((id) => set.includes(id)) === picks[i]));
        expect(fits.length).toBe(1);
      }),
      { numRuns: 30 },
    );
    const tops = new Set(Array.from({ length: 30 }, (_, seed) => drive(new PctStrategy(1, 10), seed, [[1, 2, 3]])[0]));
    expect(tops.size).toBe(3); // the priorities are random: each process comes first for some seed
  });

  it('a change point demotes the running process below everyone: with depth 2, the first process switches once at most', () => {
    fc.assert(
      fc.property(fc.nat(), (seed) => {
        const picks = drive(new PctStrategy(2, 20), seed, Array.from({ length: 20 }, () => [1, 2]));
        let switches = 0;
        for (let i = 1; i < picks.length; i++) if (picks[i] !== picks[i - 1]) switches++;
        expect(switches).toBeLessThanOrEqual(1);
      }),
      { numRuns: 50 },
    );
    // Over seeds, the switch lands at different choices.
    const at = new Set(
      Array.from({ length: 30 }, (_, seed) => {
        const picks = drive(new PctStrategy(2, 20), seed, Array.from({ length: 20 }, () => [1, 2]));
        return picks.findIndex((id) => id !== picks[0]);
      }),
    );
    expect(at.size).toBeGreaterThan(5);
  });

  it('learns the step bound from the longest run, and says so in its spec', () => {
    const s = new PctStrategy(3);
    expect(s.spec).toBe('pct:3:50');
    drive(s, 1, Array.from({ length: 80 }, () => [1, 2]));
    s.end(80);
    s.begin(2);
    expect(s.spec).toBe('pct:3:80');
    s.end(20);
    s.begin(3);
    expect(s.spec).toBe('pct:3:80');
    // A fixed bound (as a printed spec gives it) is kept.
    const fixed = parseStrategy('pct:3:80');
    fixed.end!(500);
    fixed.begin(0);
    expect(fixed.spec).toBe('pct:3:80');
  });

  it('a seed and spec fix every choice', () => {
    fc.assert(
      fc.property(readySets, fc.nat(), (sets, seed) => {
        expect(drive(parseStrategy('pct:3:30'), seed, sets)).toEqual(drive(parseStrategy('pct:3:30'), seed, sets));
      }),
      { numRuns: 50 },
    );
  });
});

describe('replay', () => {
  it('follows its schedule at choices and skips forced steps', () => {
    expect(drive(new ReplayStrategy([2, 1, 2]), 0, [[1], [1, 2], [2], [1, 2], [1, 2, 3]])).toEqual([1, 2, 2, 1, 2]);
  });

  it('says where a run stops fitting', () => {
    const s = new ReplayStrategy([3, 1]);
    s.begin(0);
    expect(() => s.choose(refs(1, 2), { step: 9, decision: 0 })).toThrow(
      new ScheduleDivergence('diverged at step 10, choice 1 of 2: the schedule runs p3, but only p1 p2 are ready'),
    );
    expect(() => s.choose(refs(1, 2), { step: 30, decision: 2 })).toThrow(/diverged at step 31: the schedule ended after 2 choices, but p1 p2 are ready/);
    expect(s.end!(1)).toBe('diverged: the run ended after 1 choices, but the schedule has 2');
    expect(s.end!(2)).toBeUndefined();
  });
});

describe('parseStrategy', () => {
  it('knows random, rr and pct[:D[:K]], and names the forms otherwise', () => {
    expect(parseStrategy('random').spec).toBe('random');
    expect(parseStrategy('rr').spec).toBe('rr');
    expect(parseStrategy('round-robin').spec).toBe('rr');
    expect(parseStrategy('pct').spec).toBe('pct:3:50');
    expect(parseStrategy('pct:5').spec).toBe('pct:5:50');
    expect(() => parseStrategy('dfs')).toThrow(/unknown strategy "dfs" \(one of: random \| rr \| pct\[:DEPTH\[:BOUND\]\]\)/);
    expect(() => parseStrategy('pct:0')).toThrow(/PCT depth must be a positive integer/);
    expect(() => parseStrategy('pct:2:0')).toThrow(/PCT step bound must be a positive integer/);
  });
});

describe('guided', () => {
  it('follows ids that fit, then stays on the process that ran last', () => {
    // 3 is not ready at the second choice: 1 (last to run) keeps going; after the list, 2 stays.
    expect(drive(new GuidedStrategy([1, 3, 2]), 0, [[1, 2], [1, 2], [1, 2], [1, 2], [1, 2]])).toEqual([1, 1, 2, 2, 2]);
  });

  it('reads indexes modulo the ready count; with nothing to stay on, the lowest id runs', () => {
    expect(drive(new GuidedStrategy([5, 0], 'index'), 0, [[1, 2, 3], [1, 2, 3], [1, 3], [2, 3]])).toEqual([3, 1, 1, 2]);
  });

  it('any list of naturals is a schedule: never diverges', () => {
    fc.assert(
      fc.property(readySets, fc.array(fc.nat()), fc.constantFrom<GuidedMode>('id', 'index'), (sets, choices, mode) => {
        drive(new GuidedStrategy(choices, mode), 0, sets);
      }),
      { numRuns: 100 },
    );
  });
});
