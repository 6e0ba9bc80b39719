// Exhaustive search through explore: the executions of the dfs explorer counted like the
// runs of a sweep, whether the space was searched to completion, failures shrunk, and the
// same report for any number of workers and shards (the search runs whole in shard 1).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { guestPath } from '../support/guests.ts';
import { explore, type ExploreOptions } from '../../src/sim/explore/explore.ts';
import { buildReport, mergeReports, type Report } from '../../src/sim/explore/report.ts';
import { parseSchedule } from '../../src/sim/schedule.ts';
import { ReplayStrategy } from '../../src/sim/strategies/replay.ts';
import { simulateTarget, type Target } from '../../src/sim/target.ts';
import { guest, text } from './support.ts';

const forkWait = guest('fork-wait');
const window2: Target = { path: '/bin/planted-window', elf: new Uint8Array(readFileSync(guestPath('planted-window'))), argv: ['planted-window', '2'] };

const search = async (target: Target, o: Partial<ExploreOptions> = {}): Promise<{ report: Report; notes: string[] }> => {
  const r = await explore({ target, strategy: 'dfs', seed: 0, runs: 1000, ...o });
  return { report: buildReport(r, ['t'], false), notes: r.notes };
};

describe('explore --strategy dfs', () => {
  it('searches the 3-child race of fork-wait to completion: the 6 orders of the children', async () => {
    const { report } = await search(forkWait, { strategy: 'dfs:0' });
    expect(report.complete).toBe(true);
    expect(report.runs).toBeGreaterThanOrEqual(6);
    expect(report.outcomes).toHaveLength(6);
    expect(new Set(report.outcomes.map((o) => o.stdout.split('\n').slice(1, 4).join()))).toHaveProperty('size', 6);
    expect(report.failures).toEqual([]);
    for (const o of report.outcomes) {
      const again = simulateTarget(forkWait, { seed: 0, strategy: new ReplayStrategy(parseSchedule(o.schedule)) });
      expect(text(again.stdout)).toBe(o.stdout);
    }
  });

  it('stops at --runs executions and says the search is not complete', async () => {
    const { report } = await search(forkWait, { runs: 5 });
    expect(report).toMatchObject({ runs: 5, complete: false });
  });

  it('finds the planted failure and shrinks it; the same report for workers and shards', async () => {
    const { report } = await search(window2);
    expect(report.complete).toBe(true);
    expect(report.failures).toEqual([expect.objectContaining({ class: 'fault SIGABRT', shrunk: expect.objectContaining({ switches: 2 }) })]);
    const workers = await search(window2, { workers: 2 });
    expect(workers.notes).toEqual(['dfs: the search runs in one thread (--workers 2 not used)']);
    expect(JSON.stringify(workers.report)).toBe(JSON.stringify(report));
    const shards = await Promise.all([1, 2].map((index) => search(window2, { shard: { index, count: 2 } })));
    expect(shards[1].report.runs).toBe(0);
    expect(shards[1].notes).toEqual(['dfs: shard 1/2 runs the whole search; this shard runs nothing']);
    expect(JSON.stringify(mergeReports(shards.map((s) => s.report)))).toBe(JSON.stringify(report));
  });

  it('--check-determinism replays every execution and compares traces', async () => {
    const { report } = await search(window2, { checkDeterminism: true });
    expect(report.failures.map((f) => f.class)).toEqual(['fault SIGABRT']);
  });
});
