// Iterative preemption bounding: the same schedules as a plain exhaustive search, fewer
// preemptions first, one budget over every round.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DfsExplorer, IterativeBoundedSearch } from '../../src/sim/dfs/index.ts';
import { forkingProgramArb } from '../../src/sim/programs/arbitrary.ts';
import { decodeProgram, type Program } from '../../src/sim/programs/program.ts';
import { runGeneratedWith } from '../../src/sim/programs/run.ts';
import { World } from '../../src/sim/contracts/world.ts';
import { waitBeforeExitShown } from '../../src/sim/contracts/phase2.ts';

interface Search {
  next(): ReturnType<DfsExplorer['next']>;
  done: DfsExplorer['done'];
  readonly complete: boolean;
  readonly executions: number;
}

/** The schedules (as recorded) a search runs on a program, in order, up to `until` holding. */
function schedules(program: Program, search: Search, until?: (s: string, run: ReturnType<typeof runGeneratedWith>) => boolean): string[] {
  const out: string[] = [];
  for (let s = search.next(); s !== undefined; s = search.next()) {
    const run = runGeneratedWith(program, s, { kernel: 'reference' });
    search.done(run.result);
    out.push(run.result.schedule);
    if (until?.(run.result.schedule, run)) break;
  }
  return out;
}

/** Small programs: plain search complete within this many schedules (the rest are skipped). */
const CAP = 150;

describe('iterative preemption bounding', () => {
  it('runs exactly the schedules of a plain exhaustive search, bound by bound', () => {
    let compared = 0;
    fc.assert(
      fc.property(forkingProgramArb({ pipeWeight: 0, depth: 1, block: 3 }), (program) => {
        const plain = new DfsExplorer({ reduction: 'none', maxExecutions: CAP });
        const all = schedules(program, plain);
        fc.pre(plain.complete);
        const iter = new IterativeBoundedSearch(CAP * 20);
        const seen = schedules(program, iter);
        expect(iter.complete).toBe(true);
        expect(iter.executions).toBe(seen.length);
        expect([...new Set(seen)].sort()).toEqual([...new Set(all)].sort());
        // Every round repeats the rounds before it: the first round's schedules open the second.
        const bound0 = new IterativeBoundedSearch(CAP);
        const first = schedules(program, new DfsExplorer({ preemptionBound: 0, maxExecutions: CAP }));
        expect(schedules(program, bound0).slice(0, first.length)).toEqual(first);
        compared++;
      }),
      { numRuns: 40, seed: 1234 },
    );
    expect(compared).toBeGreaterThan(20);
  }, 120_000);

  it('stops at its budget, across rounds, and says it is not complete', () => {
    const program = decodeProgram('ffsP.fs.wg.wc1wawawa');
    const s = new IterativeBoundedSearch(20);
    expect(schedules(program, s)).toHaveLength(20);
    expect(s.complete).toBe(false);
    expect(s.preemptionBound).toBeGreaterThan(0);
    expect(s.next()).toBeUndefined();
    expect(() => new IterativeBoundedSearch(0)).toThrow(RangeError);
  });

  it('finds a one-preemption witness that a plain search reaches only after its first 200 schedules', () => {
    // P2.3's counterexample from a CI run: the wait for f1 comes first and collects it only if
    // f1's children both leave its group before f1 waits (else f1 sleeps for ever).
    const program = decodeProgram('ffsP.fs.wg.wc1wawawa');
    const witness = (_: string, run: ReturnType<typeof runGeneratedWith>): boolean => waitBeforeExitShown(new World(run));
    const plain = schedules(program, new DfsExplorer({ reduction: 'none', maxExecutions: 1000 }), witness);
    const iter = schedules(program, new IterativeBoundedSearch(1000), witness);
    expect(plain.length).toBeGreaterThan(200);
    expect(iter.length).toBeLessThan(20);
  });
});
