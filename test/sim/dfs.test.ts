// Exhaustive search: every distinct outcome of a program, in fewer executions than
// enumerating every schedule; preemption bounds; replay of every run; divergence.
import { describe, expect, it } from 'vitest';
import { parseSchedule } from '../../src/sim/schedule.ts';
import { ReplayStrategy } from '../../src/sim/strategies/replay.ts';
import { simulateTarget } from '../../src/sim/target.ts';
import { DfsDivergence, DfsExplorer, parseDfsSpec } from '../../src/sim/dfs/index.ts';
import { bruteForce, dfs, writers } from './dfs-support.ts';
import { guest, text } from './support.ts';

const isSubset = <T>(a: Set<T>, b: Set<T>) => [...a].every((x) => b.has(x));

describe('dfs', () => {
  it('three children writing two letters each: all 90 orders of the output', () => {
    const t = writers(['aa', 'bb', 'cc']);
    const d = dfs(t);
    const outputs = new Set(d.runs.map((r) => text(r.stdout)));
    expect(outputs.size).toBe(90); // 6! / (2! 2! 2!)
    expect(d.explorer.complete).toBe(true);
    // Without reduction the same program has 687,428 schedules (measured once: too slow for a test).
    expect(d.executions).toBeLessThan(10_000);
    expect(d.runs.every((r) => r.verdict.kind === 'exit')).toBe(true);
    console.log(`3 writers: dfs ${d.executions} executions (${d.explorer.sleepBlocked} sleep-blocked), ${d.outcomes.size} outcomes, ${outputs.size} outputs`);
  }, 60_000);

  it('a glibc guest: fork-wait prints its three children in all 6 orders', () => {
    const d = dfs(guest('fork-wait'));
    expect(d.explorer.complete).toBe(true);
    const outputs = new Set(d.runs.map((r) => text(r.stdout)));
    expect(outputs.size).toBe(6);
    for (const o of outputs) expect(o).toMatch(/^parent: forking\n(child \d: ppid matches: yes\n){3}(parent: child \d exited with \d\n){3}parent: waitpid after all: -1\n$/);
    expect(d.runs.every((r) => r.verdict.kind === 'exit' && r.verdict.status === 0)).toBe(true);
  }, 60_000);

  it('finds the outcomes of brute force with fewer executions; sleep sets alone too', () => {
    const t = writers(['ab', 'cd']);
    const all = bruteForce(t);
    const reduced = dfs(t);
    const sleep = dfs(t, { reduction: 'sleep' });
    const none = dfs(t, { reduction: 'none' });
    expect(reduced.outcomes).toEqual(all.outcomes);
    expect(sleep.outcomes).toEqual(all.outcomes);
    expect(none.outcomes).toEqual(all.outcomes);
    expect(none.executions).toBe(all.executions);
    expect(new Set(reduced.runs.map((r) => text(r.stdout))).size).toBe(6);
    expect(reduced.executions).toBeLessThan(all.executions);
    expect(reduced.executions).toBeLessThanOrEqual(sleep.executions);
    console.log(`2 writers: brute force ${all.executions}, sleep sets ${sleep.executions}, dpor ${reduced.executions}, outcomes ${all.outcomes.size}`);
  });

  it('independent steps: one execution per outcome class', () => {
    // Each child only computes and exits: nothing but the parent's waits orders them.
    const t = writers(['', '', '']);
    const all = bruteForce(t);
    const reduced = dfs(t);
    expect(reduced.outcomes).toEqual(all.outcomes);
    expect(reduced.executions).toBeLessThan(all.executions);
  });

  it('preemption bounds: outcome sets grow with the bound up to the unbounded search', () => {
    const t = writers(['ab', 'cd']);
    const full = dfs(t).outcomes;
    let prev = new Set<string>();
    const sizes: number[] = [];
    for (const pb of [0, 1, 2, 3]) {
      const d = dfs(t, parseDfsSpec(`dfs:${pb}`));
      expect(d.explorer.complete).toBe(true);
      expect(d.runs[0].strategy).toBe(`dfs:${pb}`);
      expect(isSubset(prev, d.outcomes)).toBe(true);
      expect(isSubset(d.outcomes, full)).toBe(true);
      sizes.push(d.outcomes.size);
      prev = d.outcomes;
    }
    expect(sizes[0]).toBeLessThan(sizes[1]);
    expect(sizes[1]).toBeLessThan(full.size);
    expect(sizes[3]).toBe(full.size);
  });

  it('maxExecutions stops early and says the search is not complete', () => {
    const t = writers(['ab', 'cd']);
    const d = dfs(t, { maxExecutions: 3 });
    expect(d.executions).toBe(3);
    expect(d.runs.map((r) => r.strategy)).toEqual(['dfs', 'dfs', 'dfs']);
    expect(d.explorer.complete).toBe(false);
    expect(d.explorer.next()).toBeUndefined();
  });

  it('every run replays byte for byte from its schedule', () => {
    const t = writers(['ab', 'c']);
    const d = dfs(t, {}, 7, true);
    const schedules = new Set(d.runs.map((r) => r.schedule));
    expect(schedules.size).toBe(d.runs.length);
    for (const r of d.runs) {
      const again = simulateTarget(t, { seed: 7, strategy: new ReplayStrategy(parseSchedule(r.schedule)), trace: true });
      expect(again.verdict).toEqual(r.verdict);
      expect(again.trace!.hash).toBe(r.trace!.hash);
    }
  });

  it('a run that leaves the explored prefix is an error, not a silent search', () => {
    const x = new DfsExplorer();
    x.done(simulateTarget(writers(['ab', 'cd']), { seed: 0, strategy: x.next()! }));
    // The second run branches inside the first one's prefix; another program does not fit it.
    expect(() => x.done(simulateTarget(writers(['a']), { seed: 0, strategy: x.next()! }))).toThrow(DfsDivergence);
    expect(() => new DfsExplorer().done(simulateTarget(writers(['a']), { seed: 0, strategy: new ReplayStrategy([]) }))).toThrow(/without a run/);
  });

  it('parses dfs specs', () => {
    expect(parseDfsSpec('dfs')).toEqual({});
    expect(parseDfsSpec('dfs:0')).toEqual({ preemptionBound: 0 });
    expect(parseDfsSpec('dfs:12')).toEqual({ preemptionBound: 12 });
    expect(parseDfsSpec('random')).toBeUndefined();
    expect(parseDfsSpec('dfsx')).toBeUndefined();
    expect(() => parseDfsSpec('dfs:x')).toThrow(/bad dfs spec/);
    expect(() => parseDfsSpec('dfs:-1')).toThrow(RangeError);
    expect(() => new DfsExplorer({ preemptionBound: 1, reduction: 'dpor' })).toThrow(/without reduction/);
  });
});
