// The run loop on a real glibc guest (fork-wait: three children print, the parent waits for
// each): determinism, replay from schedule strings, divergence, and the interleavings the
// strategies reach.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulateTarget } from '../../src/sim/target.ts';
import { parseSchedule } from '../../src/sim/schedule.ts';
import { parseStrategy } from '../../src/sim/strategies/index.ts';
import { ReplayStrategy } from '../../src/sim/strategies/replay.ts';
import { guest, text } from './support.ts';

const forkWait = guest('fork-wait');
const run = (seed: number, strategy = 'random') => simulateTarget(forkWait, { seed, strategy: parseStrategy(strategy), trace: true });
const replay = (seed: number, schedule: string) => simulateTarget(forkWait, { seed, strategy: new ReplayStrategy(parseSchedule(schedule)), trace: true });

const PARENT_TAIL = ['parent: child 0 exited with 0', 'parent: child 1 exited with 1', 'parent: child 2 exited with 2', 'parent: waitpid after all: -1', ''];

describe('simulate', () => {
  it('same seed twice in one process: the same trace, byte for byte, of a correct run', () => {
    const a = run(11);
    const b = run(11);
    expect(a.trace!.text()).toBe(b.trace!.text());
    expect(a.trace!.hash).toBe(b.trace!.hash);
    expect(a.verdict).toEqual({ kind: 'exit', status: 0 });
    const lines = text(a.stdout).split('\n');
    expect(lines[0]).toBe('parent: forking');
    expect(lines.slice(1, 4).sort()).toEqual(['child 0: ppid matches: yes', 'child 1: ppid matches: yes', 'child 2: ppid matches: yes']);
    expect(lines.slice(4)).toEqual(PARENT_TAIL);
    expect(a.procs.map((p) => `${p.name} ${p.status}`)).toEqual(['p1 exited 0', 'p2 exited 0', 'p3 exited 1', 'p4 exited 2']);
    expect(a.choices.length).toBeGreaterThan(3);
    expect(a.schedule).toMatch(/^s1:[a-d0-9]+$/);
  });

  it('any random run replays from its schedule string to the same trace file, byte for byte', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const a = run(seed);
        const b = replay(seed, a.schedule);
        expect(b.verdict).toEqual(a.verdict);
        expect(b.schedule).toBe(a.schedule);
        expect(b.trace!.text()).toBe(a.trace!.text());
        seen.add(a.trace!.hash);
      }),
      { numRuns: 60 },
    );
    expect(seen.size).toBeGreaterThan(10); // the property ran over many different runs
  });

  it('a schedule that does not fit ends the run with a divergence verdict saying where', () => {
    const r = replay(0, 's1:b20');
    expect(r.verdict.kind).toBe('divergence');
    expect(r.verdict).toMatchObject({ message: expect.stringMatching(/^diverged at step \d+, choice \d+ of 20: the schedule runs p2, but only p1( p\d)* are ready$/) });
    expect(r.trace!.lines.at(-1)).toMatch(/^\{"end":"divergence","message":"diverged at step/);
    const short = replay(0, 's1:ab');
    expect(short.verdict).toMatchObject({ kind: 'divergence', message: expect.stringMatching(/the schedule ended after 2 choices, but p1 p2 p3 are ready/) });
    const long = replay(0, `${run(0).schedule}a`);
    expect(long.verdict).toMatchObject({ kind: 'divergence', message: expect.stringMatching(/^diverged: the run ended after \d+ choices, but the schedule has \d+$/) });
  });

  it('random and PCT reach several orders of the children, and the same ones for the same seeds', () => {
    for (const strategy of ['random', 'pct']) {
      const outs = new Set<string>();
      for (let seed = 0; seed < 30; seed++) {
        const r = run(seed, strategy);
        expect(r.verdict).toEqual({ kind: 'exit', status: 0 });
        outs.add(text(r.stdout));
      }
      expect(outs.size, strategy).toBeGreaterThan(1);
    }
    expect(run(5, 'pct:3:40').trace!.text()).toBe(run(5, 'pct:3:40').trace!.text());
  });

  it('onStep sees every step: who was ready and who ran; the choices are the steps with two or more', () => {
    const seen: { ready: string[]; chosen: string }[] = [];
    const r = simulateTarget(forkWait, { seed: 8, strategy: parseStrategy('random'), onStep: (s) => seen.push({ ready: s.ready.map((p) => p.name), chosen: s.chosen.name }) });
    expect(seen).toHaveLength(r.steps);
    for (const s of seen) expect(s.ready).toContain(s.chosen);
    expect(seen.filter((s) => s.ready.length > 1).map((s) => Number(s.chosen.slice(1)))).toEqual(r.choices);
    expect(r.trace).toBeUndefined();
  });

  it('round-robin runs the children in creation order', () => {
    const r = run(0, 'rr');
    expect(text(r.stdout).split('\n').slice(1, 4)).toEqual(['child 0: ppid matches: yes', 'child 1: ppid matches: yes', 'child 2: ppid matches: yes']);
  });

  it('the trace: canonical names for pids, decoded calls, blocks, wakeups and process events', () => {
    const t = run(3).trace!;
    const header = JSON.parse(t.header);
    expect(header).toEqual({ 'procsim-trace': 1, seed: 3, kernel: 'reference', path: '/bin/fork-wait', argv: ['fork-wait'] });
    const body = t.lines.map((l) => JSON.parse(l));
    expect(body[0]).toEqual({ step: 0, event: 'spawn', proc: 'p1', parent: null });
    expect(body[1]).toEqual({ step: 0, event: 'exec', proc: 'p1', path: '/bin/fork-wait' });
    const clones = body.filter((l) => l.sys === 'clone');
    expect(clones.map((l) => l.ret)).toEqual(['p2', 'p3', 'p4']);
    expect(clones[0].args.flags).toBe('CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD');
    expect(body.filter((l) => l.event === 'spawn').map((l) => [l.proc, l.parent])).toEqual([['p1', null], ['p2', 'p1'], ['p3', 'p1'], ['p4', 'p1']]);
    const waits = body.filter((l) => l.sys === 'wait4' && 'ret' in l);
    expect(waits.map((l) => [l.args.pid, l.ret, l.status])).toEqual([['p2', 'p2', 'exited 0'], ['p3', 'p3', 'exited 1'], ['p4', 'p4', 'exited 2']]);
    expect(body.find((l) => l.sys === 'wait4' && l.errno !== undefined)).toMatchObject({ args: { pid: -1 }, errno: 'ECHILD' });
    expect(body.find((l) => l.sys === 'write')).toMatchObject({ proc: 'p1', args: { fd: 1, buf: 'parent: forking\n', count: 16 }, ret: 16 });
    expect(body.find((l) => l.sys === 'getppid')).toMatchObject({ ret: 'p1' });
    // Every block is followed by a wakeup of that process and a retry of its call.
    for (const [i, l] of body.entries()) {
      if (l.block === undefined) continue;
      const wake = body.findIndex((m, j) => j > i && (m.wakes ?? []).includes(l.proc));
      expect(wake).toBeGreaterThan(i);
      expect(body.slice(wake + 1).find((m) => m.proc === l.proc && m.sys !== undefined)).toMatchObject({ sys: l.sys, retry: true });
    }
    expect(body.at(-1)).toEqual({ end: 'exit', status: 'exited 0' });
    // Steps are numbered 1, 2, ... without gaps.
    const steps = body.filter((l) => l.sys !== undefined).map((l) => l.step);
    expect(steps).toEqual(steps.map((_, i) => i + 1));
    expect(JSON.parse(t.footer)).toMatchObject({ schedule: expect.stringMatching(/^s1:/), steps: steps.length, hash: t.hash });
    expect(t.text()).toBe(`${[t.header, ...t.lines, t.footer].join('\n')}\n`);
  });

  it('with a run that blocks: some seed parks the parent in wait4 and wakes it', () => {
    const blocked = Array.from({ length: 20 }, (_, seed) => run(seed).trace!.lines.join('\n')).filter((t) => t.includes('"block":"wait"'));
    expect(blocked.length).toBeGreaterThan(0);
  });

  it('the legacy-rollback kernel runs too: no process events, its fork blocks the parent', () => {
    const r = simulateTarget({ ...forkWait, kernel: 'legacy-rollback' }, { seed: 1, strategy: parseStrategy('random'), trace: true });
    // wait4 returns the one remembered child, not the one asked for: fork-wait gives up.
    expect(r.verdict).toEqual({ kind: 'exit', status: 1 << 8 });
    expect(JSON.parse(r.trace!.header).kernel).toBe('legacy-rollback');
    expect(r.trace!.lines.some((l) => l.includes('"event"'))).toBe(false);
    expect(r.trace!.lines.some((l) => l.includes('"block":"rollback-fork"'))).toBe(true);
    // Children run first and alone (in creation order under any schedule), and getppid is 0.
    expect(text(r.stdout).split('\n').slice(1, 4)).toEqual(['child 0: ppid matches: no', 'child 1: ppid matches: no', 'child 2: ppid matches: no']);
  });
});
