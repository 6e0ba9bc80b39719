// 1,000 random seeds on a small forking guest (planted-window: a parent and a child racing
// over a file): each run, replayed from its seed and from its schedule string, gives the
// same trace, byte for byte.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { guestPath } from '../support/guests.ts';
import { parseSchedule } from '../../src/sim/schedule.ts';
import { parseStrategy } from '../../src/sim/strategies/index.ts';
import { ReplayStrategy } from '../../src/sim/strategies/replay.ts';
import { simulateTarget, type Target } from '../../src/sim/target.ts';

const target: Target = { path: '/bin/planted-window', elf: new Uint8Array(readFileSync(guestPath('planted-window'))), argv: ['planted-window', '2'] };

describe('replay', () => {
  it('1,000 random seeds: the same trace from the seed and from the schedule', () => {
    const first = parseStrategy('random');
    const again = parseStrategy('random');
    const hashes = new Set<string>();
    const verdicts = new Set<string>();
    for (let seed = 0; seed < 1000; seed++) {
      const a = simulateTarget(target, { seed, strategy: first, trace: true });
      const b = simulateTarget(target, { seed, strategy: again, trace: true });
      const c = simulateTarget(target, { seed, strategy: new ReplayStrategy(parseSchedule(a.schedule)), trace: true });
      const text = a.trace!.text();
      if (b.trace!.text() !== text || c.trace!.text() !== text) {
        expect.fail(`seed ${seed}: traces differ (seed replay ${b.trace!.hash}, schedule replay ${c.trace!.hash}, first run ${a.trace!.hash})`);
      }
      hashes.add(a.trace!.hash);
      verdicts.add(a.verdict.kind === 'exit' ? String(a.verdict.status) : a.verdict.kind);
    }
    // Many different runs, both the correct ending and the planted abort among them.
    expect(hashes.size).toBeGreaterThan(50);
    expect(verdicts.size).toBeGreaterThan(1);
  });
});
