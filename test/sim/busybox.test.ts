// The simulator on a real shell: busybox sh running a pipeline. Needs the fetched busybox
// (npm run busybox); skipped with a line saying so when it is absent.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUSYBOX_ROOTFS, GUEST_BUSYBOX } from '../support/busybox.ts';
import { parseSchedule } from '../../src/sim/schedule.ts';
import { parseStrategy } from '../../src/sim/strategies/index.ts';
import { ReplayStrategy } from '../../src/sim/strategies/replay.ts';
import type { Strategy } from '../../src/sim/strategy.ts';
import { simulateTarget, type Target } from '../../src/sim/target.ts';
import { text } from './support.ts';

const have = existsSync(GUEST_BUSYBOX);
if (!have) console.warn(`[busybox] SKIPPED simulator on busybox sh: ${GUEST_BUSYBOX} missing (fix: npm run busybox)`);

const shell = (script: string): Target => ({
  path: '/bin/busybox',
  argv: ['sh', '-c', script],
  env: ['PATH=/bin', 'HOME=/root'],
  rootfs: { kind: 'host-dir', path: BUSYBOX_ROOTFS },
});
const sim = (t: Target, seed: number, strategy: Strategy) => simulateTarget(t, { seed, strategy, trace: true, maxInsns: 300_000_000 });

describe.skipIf(!have)('simulating busybox sh', () => {
  it('a pipeline: every schedule prints the same, traces differ, each replays byte for byte', () => {
    const t = shell('echo one | cat; echo two');
    const hashes = new Set<string>();
    for (let seed = 0; seed < 6; seed++) {
      const r = sim(t, seed, parseStrategy('random'));
      expect(r.verdict).toEqual({ kind: 'exit', status: 0 });
      expect(text(r.stdout)).toBe('one\ntwo\n');
      expect(r.procs.length).toBeGreaterThanOrEqual(3);
      const again = sim(t, seed, new ReplayStrategy(parseSchedule(r.schedule)));
      expect(again.trace!.text()).toBe(r.trace!.text());
      hashes.add(r.trace!.hash);
    }
    expect(hashes.size).toBeGreaterThan(1);
  });

  it('the trace shows the pipeline: pipe2, the children, the exec of cat and the pipe traffic', () => {
    const r = sim(shell('echo one | cat'), 1, parseStrategy('rr'));
    const lines = r.trace!.lines.map((l) => JSON.parse(l));
    expect(lines.find((l) => l.sys === 'pipe2')).toMatchObject({ ret: 0, fds: [3, 4] });
    expect(lines.filter((l) => l.event === 'spawn').map((l) => [l.proc, l.parent])).toEqual([['p1', null], ['p2', 'p1'], ['p3', 'p1']]);
    expect(lines.find((l) => l.sys === 'execve')).toMatchObject({ proc: 'p3', args: { argv: ['cat'] } });
    expect(lines.find((l) => l.sys === 'write' && l.args.buf === 'one\n')).toMatchObject({ proc: 'p2', ret: 4 });
    // cat moves the bytes with sendfile from the pipe (its stdin) to its stdout.
    expect(lines.find((l) => l.sys === 'sendfile')).toMatchObject({ proc: 'p3', args: { out_fd: 1, in_fd: 0 }, ret: 4 });
  });
});
