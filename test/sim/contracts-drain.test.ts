// P1.2's drain check: a process-event ring too small for a step's events keeps what fits, in
// order, and counts the rest; the run itself is unchanged. The check sees real overflow, and
// fails when the count or the kept events do not add up.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { drainHolds, TINY_RING } from '../../src/sim/contracts/phase1.ts';
import { decodeProgram } from '../../src/sim/programs/program.ts';
import { type GeneratedRun, runGenerated } from '../../src/sim/programs/run.ts';
import { REPO_ROOT } from '../support/guests.ts';

const run = (text: string, eventCapacity?: number): GeneratedRun =>
  runGenerated(decodeProgram(text), { kernel: 'reference', choices: [1, 0, 1], ...(eventCapacity ? { eventCapacity } : {}) });

/** The run with its trace body lines edited. */
function edited(r: GeneratedRun, edit: (lines: string[]) => string[]): GeneratedRun {
  const lines = edit(r.result.trace!.lines.slice());
  return { ...r, events: lines.map((l, i) => ({ ...JSON.parse(l), i })) };
}

describe('P1.2 drain through a bounded ring', () => {
  const program = 'f.f.f.wawawa';
  const full = run(program);
  const tiny = run(program, TINY_RING);

  it('a tiny ring really overflows, and the check holds on the kernel', () => {
    const dropped = tiny.result.trace!.lines.filter((l) => l.includes('"event":"dropped"'));
    expect(dropped.length).toBeGreaterThan(0);
    expect(full.result.trace!.lines.some((l) => l.includes('"event":"dropped"'))).toBe(false);
    expect(drainHolds(full, tiny)).toEqual({ ok: true });
  });

  it('fails when a drop goes uncounted or an event is invented', () => {
    const uncounted = edited(tiny, (ls) => ls.filter((l) => !l.includes('"event":"dropped"')));
    expect(drainHolds(full, uncounted)).toMatchObject({ ok: false, message: expect.stringMatching(/^at step \d+ the host drained \d+ events and was told of 0 dropped, but \d+ happened \(ring of 1\)$/) });
    const swapped = edited(tiny, (ls) => ls.map((l) => l.replace('"event":"spawn","proc":"p2"', '"event":"spawn","proc":"p9"')));
    expect(drainHolds(full, swapped)).toMatchObject({ ok: false, message: expect.stringMatching(/drained events are not the ones that happened/) });
  });

  it('the replay command of a tiny-ring run names the ring and reproduces the trace', () => {
    expect(tiny.replay).toContain(' --event-capacity 1 ');
    const out = join(mkdtempSync(join(tmpdir(), 'procsim-drain-')), 't.jsonl');
    const words = tiny.replay.split(' ').slice(1);
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/procsim.mjs'), words[0], '--trace', out, ...words.slice(1)], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n').slice(1, -1)).toEqual(tiny.result.trace!.lines);
  });
});
