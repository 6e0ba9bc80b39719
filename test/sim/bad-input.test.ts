// Bad input to the simulator's own pieces: golden paths that are not files, PCT bounds as
// large as a safe integer. A clear GoldenError or RangeError, or a result; never a host
// error without a name.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { checkGoldenTrace, GoldenError, goldenPath, readGoldenOutcomes, writeGolden } from '../../src/sim/golden/golden.ts';
import { findScenario } from '../../src/sim/scenarios.ts';
import { MAX_PCT_DEPTH, PctStrategy } from '../../src/sim/strategies/pct.ts';

describe('golden files that are directories', () => {
  const dir = mkdtempSync(join(tmpdir(), 'procsim-golden-dir-'));
  const s = findScenario('fork-wait')!;

  it('an outcomes path that is a directory: a GoldenError naming the file and the fix', () => {
    mkdirSync(goldenPath('fork-wait', 'reference', 'outcomes', dir), { recursive: true });
    expect(() => readGoldenOutcomes('fork-wait', 'reference', dir)).toThrow(GoldenError);
    expect(() => readGoldenOutcomes('fork-wait', 'reference', dir)).toThrow(/fork-wait\/reference\.outcomes\.json: is a directory, not a golden file; remove it and regenerate it with `procsim golden --update`/);
  });

  it('a trace path that is a directory: a GoldenError when checking, and when updating (it cannot be written)', () => {
    mkdirSync(goldenPath('fork-wait', 'reference', 'trace', dir), { recursive: true });
    expect(() => checkGoldenTrace(s, 'reference', { dir })).toThrow(/reference\.trace\.jsonl: is a directory/);
    const c = checkGoldenTrace(s, 'reference', { dir, update: true });
    expect(c.state).toBe('differs');
    expect(() => writeGolden(c)).toThrow(GoldenError);
    expect(() => writeGolden(c)).toThrow(/reference\.trace\.jsonl: is a directory, not a golden file: remove it/);
  });
});

/** The change points as the array shuffle drew them before (kept to pin the stream). */
function arrayChangePoints(depth: number, bound: number, seed: number): [number, number][] {
  const rng = seedrandom(`procsim-sched:pct:${seed}`);
  const points = Array.from({ length: bound }, (_, i) => i + 1);
  const out: [number, number][] = [];
  for (let i = 0; i < Math.min(depth - 1, bound); i++) {
    const j = i + Math.floor(rng.quick() * (points.length - i));
    [points[i], points[j]] = [points[j], points[i]];
    out.push([points[i], i + 1]);
  }
  return out;
}

describe('PCT change points', () => {
  it('are the ones the array shuffle drew, for any depth, bound and seed (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 300 }), fc.nat(), (depth, bound, seed) => {
        const s = new PctStrategy(depth, bound);
        s.begin(seed);
        expect([...s['changes']]).toEqual(arrayChangePoints(depth, bound, seed));
      }),
    );
  });

  it('a bound of 2^32 or 2^53-1 takes no memory of its size: d-1 points within 1..k', () => {
    for (const k of [2 ** 32, Number.MAX_SAFE_INTEGER]) {
      const s = new PctStrategy(4, k);
      s.begin(7);
      const points = [...s['changes'].keys()];
      expect(points).toHaveLength(3);
      for (const p of points) expect(p >= 1 && p <= k && Number.isSafeInteger(p)).toBe(true);
      expect(s.spec).toBe(`pct:4:${k}`);
    }
  });

  it('a depth past MAX_PCT_DEPTH is a RangeError naming the range', () => {
    expect(() => new PctStrategy(MAX_PCT_DEPTH + 1, 3)).toThrow(/PCT depth must be a positive integer, at most 10000/);
    expect(() => new PctStrategy(2 ** 32, 3)).toThrow(RangeError);
  });
});
