// Fault injection: schedule strings carry faults and round-trip; a sweep with --faults finds
// the bug of each fault-bugs mode (and a sweep without faults never does), shrinks it to the
// one fault it needs, and the shrunk schedule replays the failure with the fault in its trace.
// Coverage counts what the runs exercised, the same for any workers or shards.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { guestPath } from '../support/guests.ts';
import { explore } from '../../src/sim/explore/explore.ts';
import { buildReport, mergeReports, parseReport } from '../../src/sim/explore/report.ts';
import { failureOf } from '../../src/sim/explore/outcome.ts';
import { FAULT_KINDS, type FaultKind, parseFaultSpec, RandomFaults } from '../../src/sim/faults.ts';
import { encodeSchedule, parseRunSchedule, parseSchedule, ScheduleSyntaxError } from '../../src/sim/schedule.ts';
import { scheduleRun } from '../../src/sim/strategies/replay.ts';
import { simulateTarget, type Target } from '../../src/sim/target.ts';

const bugs = (mode: string): Target => ({
  path: '/bin/fault-bugs',
  elf: new Uint8Array(readFileSync(guestPath('fault-bugs'))),
  argv: ['fault-bugs', mode],
});

describe('faults in schedule strings', () => {
  it('choices and faults round-trip through the string', () => {
    const fault = fc.record({ kind: fc.constantFrom(...FAULT_KINDS), proc: fc.integer({ min: 1, max: 80 }), nth: fc.integer({ min: 1, max: 5000 }) });
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 40 }), fc.array(fault, { maxLength: 6 }), (choices, faults) => {
        const s = encodeSchedule(choices, faults);
        expect(s).toMatch(/^s1:[A-Za-z0-9_.]*$/);
        expect(parseRunSchedule(s)).toEqual({ choices, faults });
      }),
    );
  });

  it('a schedule with faults is refused where only choices can be followed, and bad faults say what is expected', () => {
    expect(() => parseSchedule('s1:ab.fb2')).toThrow(/has faults \(\.fb2\)/);
    expect(() => parseRunSchedule('s1:ab.xb2')).toThrow(ScheduleSyntaxError);
    expect(() => parseRunSchedule('s1:ab.fb0')).toThrow(/expected a fault/);
    expect(parseFaultSpec('fork,signal:0.5')).toEqual({ kinds: ['fork', 'signal'], rate: 0.5 });
    expect(() => parseFaultSpec('fork,disk')).toThrow(/unknown fault 'disk' \(use fork, mem, signal, fd, io\)/);
    expect(() => parseFaultSpec('fork:0')).toThrow(/above 0 and at most 1/);
  });
});

describe('explore --faults', () => {
  const cases: [string, FaultKind, string][] = [
    ['fork', 'fork', 'fault SIGABRT'],
    ['mem', 'mem', 'fault SIGSEGV'],
    ['eintr', 'signal', 'fault SIGABRT'],
    ['fd', 'fd', 'fault SIGABRT'],
    ['io', 'io', 'fault SIGABRT'],
  ];
  for (const [mode, kind, failure] of cases) {
    it(`fault-bugs ${mode}: found only with ${kind} faults, shrunk to one, replayed from its schedule`, async () => {
      const target = bugs(mode);
      const clean = await explore({ target, strategy: 'random', seed: 1, runs: 40 });
      expect(clean.tally.failures).toEqual([]);
      const r = await explore({ target, strategy: 'random', seed: 1, runs: 40, faults: { kinds: [kind], rate: 0.5 } });
      expect(r.tally.failures.map((f) => f.class)).toEqual([failure]);
      const s = r.shrunk.get(failure)!;
      expect(s.run.faults).toHaveLength(1);
      expect(s.run.faults[0].kind).toBe(kind);
      const again = simulateTarget(target, { seed: r.tally.failures[0].seed, trace: true, ...scheduleRun(s.run.schedule) });
      expect(failureOf(again, [])?.class).toBe(failure);
      expect(again.trace!.hash).toBe(s.run.trace!.hash);
      expect(again.trace!.lines.filter((l) => l.includes('"fault":'))).toHaveLength(1);
    });
  }

  it('swarm: each run injects a nonempty subset of the kinds, drawn from its seed; over a sweep, many subsets', () => {
    const spec = { kinds: [...FAULT_KINDS], rate: 0.2, swarm: true };
    const subsets = new Set<string>();
    for (let seed = 0; seed < 64; seed++) {
      const { kinds } = new RandomFaults(spec, seed);
      expect(kinds.length).toBeGreaterThan(0);
      expect(kinds.every((k) => FAULT_KINDS.includes(k))).toBe(true);
      expect(new RandomFaults(spec, seed).kinds).toEqual(kinds);
      subsets.add(kinds.join(','));
    }
    expect(subsets.size).toBeGreaterThan(10);
    expect(new RandomFaults({ ...spec, swarm: false }, 5).kinds).toEqual(FAULT_KINDS);
  });

  it('the same seed draws the same faults: a sweep is its own replay', async () => {
    const o = { target: bugs('fork'), strategy: 'random', seed: 3, runs: 20, faults: { kinds: ['fork', 'mem'] as FaultKind[], rate: 0.3 } };
    const [a, b] = [await explore(o), await explore(o)];
    expect(a.tally).toEqual(b.tally);
    expect(a.tally.outcomes.some((e) => (e.faults?.length ?? 0) > 0)).toBe(true);
  });
});

describe('explore --coverage', () => {
  const o = { target: bugs('fork'), strategy: 'random', seed: 2, runs: 30, coverage: true, faults: { kinds: ['fork'] as FaultKind[], rate: 0.3 } };

  it('counts each syscall\'s results and the faults injected, the same in any number of workers', async () => {
    const one = await explore(o);
    const two = await explore({ ...o, workers: 2 });
    expect(two.tally.coverage).toEqual(one.tally.coverage);
    const c = one.tally.coverage!;
    // Every injected fork fault is a clone that failed with EAGAIN, and its parent's extra wait finds no child.
    expect(c.calls.clone.EAGAIN).toBe(c.faults.fork);
    expect(c.calls.clone.ok + c.faults.fork).toBe(90);
    expect(c.calls.wait4.ECHILD).toBe(c.faults.fork);
    expect(Object.keys(c.calls)).toEqual([...Object.keys(c.calls)].sort());
  });

  it('merges from shards to the whole sweep\'s, and a report with a malformed coverage is refused', async () => {
    const target = ['fault-bugs', 'fork'];
    const whole = buildReport(await explore(o), target, false);
    const parts = await Promise.all([1, 2].map(async (index) => buildReport(await explore({ ...o, shard: { index, count: 2 } }), target, false)));
    expect(mergeReports(parts)).toEqual(whole);
    expect(whole.faults).toBe('fork:0.3');
    const bad = JSON.stringify({ ...whole, coverage: { calls: { __proto__: { ok: 1 } }, faults: {} } }).replace('"calls":{}', '"calls":{"__proto__":{"ok":1}}');
    expect(() => parseReport(bad, 'r.json')).toThrow(/coverage of "__proto__" is malformed/);
    expect(() => mergeReports([parts[0], { ...parts[1], faults: 'fork:0.5' }])).toThrow(/another sweep/);
  });
});
