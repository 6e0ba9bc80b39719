// Exploration as a library: outcomes and failures of a sweep, the same report for any
// number of worker threads, shards that merge to the unsharded report, determinism checks,
// property checks, and replay commands that reproduce what they name.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { guestPath } from '../support/guests.ts';
import { explore, type ExploreOptions, shardRuns } from '../../src/sim/explore/explore.ts';
import { failureOf, outcomeOf } from '../../src/sim/explore/outcome.ts';
import { buildReport, MergeError, mergeReports, parseReport, type Report } from '../../src/sim/explore/report.ts';
import { fixedStrategy } from '../../src/sim/explore/sweep.ts';
import { parseSchedule } from '../../src/sim/schedule.ts';
import { ReplayStrategy } from '../../src/sim/strategies/replay.ts';
import { simulateTarget, type Target } from '../../src/sim/target.ts';

const planted = (name: 'planted-order' | 'planted-window', n: number): Target => ({
  path: `/bin/${name}`,
  elf: new Uint8Array(readFileSync(guestPath(name))),
  argv: [name, String(n)],
});
const window2 = planted('planted-window', 2);
const ARGS = ['planted-window', '2'];

const report = async (o: Partial<ExploreOptions> = {}): Promise<Report> =>
  buildReport(await explore({ target: window2, strategy: 'random', seed: 7, runs: 90, ...o }), ARGS, o.checkDeterminism ?? false);

describe('explore', () => {
  it('counts every run once, distinct outcomes ordered by first run, each replayable from its schedule', async () => {
    const r = await report();
    expect(r.runs).toBe(90);
    expect(r.outcomes.reduce((n, o) => n + o.count, 0)).toBe(90);
    expect(r.outcomes.length).toBeGreaterThan(1);
    expect(r.outcomes.map((o) => o.firstRun)).toEqual([...r.outcomes.map((o) => o.firstRun)].sort((a, b) => a - b));
    expect(r.outcomes[0].firstRun).toBe(0);
    expect(new Set(r.outcomes.map((o) => JSON.stringify([o.stdout, o.stderr, o.verdict, o.procs]))).size).toBe(r.outcomes.length);
    for (const o of r.outcomes) {
      expect(o.seed).toBe(7 + o.firstRun);
      expect(o.replay).toBe(`procsim replay --seed ${o.seed} --schedule ${o.schedule} planted-window 2`);
      const again = simulateTarget(window2, { seed: o.seed, strategy: new ReplayStrategy(parseSchedule(o.schedule)) });
      const { stdout, stderr, verdict, procs } = outcomeOf(again);
      expect({ stdout, stderr, verdict, procs }).toEqual({ stdout: o.stdout, stderr: o.stderr, verdict: o.verdict, procs: o.procs });
    }
  });

  it('reports the planted failure with a shrunk schedule of 2 context switches that replays to its trace', async () => {
    const r = await report();
    expect(r.failures).toHaveLength(1);
    const [f] = r.failures;
    expect(f).toMatchObject({ class: 'fault SIGABRT', message: 'p1 killed SIGABRT' });
    expect(f.count).toBe(r.outcomes.filter((o) => o.verdict === 'p1 killed SIGABRT').reduce((n, o) => n + o.count, 0));
    expect(f.shrunk).toMatchObject({ switches: 2, fixpoint: true });
    const again = simulateTarget(window2, { seed: f.seed, strategy: new ReplayStrategy(parseSchedule(f.shrunk!.schedule)), trace: true });
    expect(failureOf(again)?.class).toBe('fault SIGABRT');
    expect(again.trace!.hash).toBe(f.shrunk!.trace);
    expect(f.shrunk!.replay).toBe(`procsim replay --seed ${f.seed} --schedule ${f.shrunk!.schedule} planted-window 2`);
  });

  it('gives exactly the one-worker report with 2 or 3 worker threads', async () => {
    const one = JSON.stringify(await report());
    expect(JSON.stringify(await report({ workers: 2 }))).toBe(one);
    expect(JSON.stringify(await report({ workers: 3, shrink: {} }))).toBe(one);
  });

  it('splits the runs into shards that merge, in any order, to the unsharded report', async () => {
    expect(shardRuns(7, { index: 2, count: 3 })).toEqual([1, 4]);
    expect([1, 2, 3].flatMap((index) => shardRuns(10, { index, count: 3 })).sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    const whole = await report({ strategy: 'pct' });
    const shards = await Promise.all([3, 1, 2].map((index) => report({ strategy: 'pct', shard: { index, count: 3 } })));
    expect(shards.map((s) => s.runs)).toEqual([30, 30, 30]);
    expect(JSON.stringify(mergeReports(shards))).toBe(JSON.stringify(whole));
    const two = mergeReports(shards.slice(0, 2));
    expect(two.shard).toEqual({ count: 3, indexes: [1, 3] });
    expect(JSON.stringify(mergeReports([two, shards[2]]))).toBe(JSON.stringify(whole));
    // Through JSON and back.
    const parsed = shards.map((s, i) => parseReport(JSON.stringify(s), `s${i}.json`));
    expect(mergeReports(parsed)).toEqual(whole);
  });

  it('refuses to merge reports that do not fit together', async () => {
    const a = await report({ runs: 10, shard: { index: 1, count: 2 } });
    const b = await report({ runs: 10, shard: { index: 2, count: 2 }, seed: 8 });
    expect(() => mergeReports([a, a])).toThrow(/shard 1\/2 appears twice/);
    expect(() => mergeReports([a, b])).toThrow(/another sweep/);
    const whole = await report({ runs: 10 });
    expect(() => mergeReports([whole])).toThrow(/covers the whole sweep/);
    expect(() => mergeReports([])).toThrow(MergeError);
    expect(() => parseReport('{', 'x.json')).toThrow(/x.json: not JSON/);
    expect(() => parseReport(JSON.stringify({ ...a, runs: 'many' }), 'x.json')).toThrow(/runs is not an integer/);
    expect(() => parseReport(JSON.stringify({ ...a, outcomes: [{}] }), 'x.json')).toThrow(/lacks count/);
  });

  it('fixes a PCT bound so that runs do not depend on each other', () => {
    const base = { target: window2, seed: 0 };
    expect(fixedStrategy(base, 'random')).toBe('random');
    expect(fixedStrategy(base, 'pct:2:9')).toBe('pct:2:9');
    expect(fixedStrategy(base, 'pct:2')).toMatch(/^pct:2:\d+$/);
    expect(fixedStrategy(base, 'pct')).toBe(fixedStrategy(base, 'pct'));
    expect(() => fixedStrategy(base, 'bogus')).toThrow(RangeError);
  });

  it('with checkDeterminism runs each seed twice and finds no difference', async () => {
    const r = await report({ runs: 20, checkDeterminism: true });
    expect(r.checkDeterminism).toBe(true);
    expect(r.runs).toBe(20);
    expect(r.failures.map((f) => f.class)).toEqual(['fault SIGABRT']);
  });

  it('reports a broken property as its own failure class, shrunk like the others', async () => {
    const r = buildReport(
      await explore({
        target: window2,
        strategy: 'random',
        seed: 0,
        runs: 40,
        checks: [{ name: 'child-first', check: (run) => (run.choices[0] === 1 ? 'p1 took the first choice' : undefined) }],
      }),
      ARGS,
      false,
    );
    const f = r.failures.find((x) => x.class === 'property child-first');
    expect(f?.message).toBe('p1 took the first choice');
    expect(f?.shrunk?.switches).toBe(0);
    await expect(explore({ target: window2, strategy: 'random', seed: 0, runs: 4, workers: 2, checks: [{ name: 'x', check: () => undefined }] })).rejects.toThrow(/single worker/);
  });

  it('PCT finds the depth-2 ordering bug of planted-order, the random walk does not', async () => {
    const order = planted('planted-order', 20);
    const classes = async (strategy: string) => (await explore({ target: order, strategy, seed: 0, runs: 100, shrink: false })).tally.failures.map((f) => f.class);
    expect(await classes('pct:2')).toEqual(['fault SIGABRT']);
    expect(await classes('random')).toEqual([]);
  });
});
