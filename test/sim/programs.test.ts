import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { choicesArb, forkingProgramArb, MAX_FORKS, programArb } from '../../src/sim/programs/arbitrary.ts';
import { checkProgram, countForks, decodeProgram, encodeProgram, programNodes, ProgramSyntaxError } from '../../src/sim/programs/program.ts';
import { INTERP_ARG, runGenerated } from '../../src/sim/programs/run.ts';
import { CHECK_PARAMS } from '../../src/sim/contracts/property.ts';
import { World } from '../../src/sim/contracts/world.ts';
import { parseSchedule } from '../../src/sim/schedule.ts';
import { ReplayStrategy } from '../../src/sim/strategies/replay.ts';
import { simulateTarget } from '../../src/sim/target.ts';
import { guestPath, REPO_ROOT } from '../support/guests.ts';

const texts = (run: ReturnType<typeof runGenerated>) => run.obs.map((o) => `${o.proc}: ${o.text}`);

describe('program text', () => {
  test.prop([programArb()], { numRuns: 300 })('decode(encode(p)) is p, and generated programs are valid', (p) => {
    expect(checkProgram(p)).toBeUndefined();
    const text = encodeProgram(p);
    expect(text).toMatch(/^[A-Za-z0-9.]*$/);
    expect(decodeProgram(text)).toEqual(p);
    expect(countForks(p)).toBeLessThanOrEqual(MAX_FORKS);
  });

  it('numbers nodes in pre-order, through fork and exec blocks', () => {
    const p = decodeProgram('pfPewa..W1wc2h');
    expect(programNodes(p).slice(1).map((n) => `${n.id}:${n.op.op}@${n.parent}`)).toEqual([
      '1:pipe@0', '2:fork@0', '3:getpid@2', '4:exec@2', '5:wait@4', '6:write@0', '7:wait@0',
    ]);
  });

  it.each([
    ['Z', /at character 1: unknown operation "Z"/],
    ['fP', /at character 3: expected '\.' to close the block/],
    ['P.', /unexpected '\.'/],
    ['wz', /expected a wait selector/],
    ['x', /expected a number/],
    ['v999999', /larger than 100000/],
    ['W1', /n1 \(write\) refers to n1, which is not a pipe this process has run/],
    ['fk1.', /n2 \(kill\) refers to n1, which is not a fork/],
    ['f.pfW2.C3r', /n5 \(close\) refers to n3, which is not a pipe/],
  ])('rejects %j with one clear line', (text, why) => {
    expect(() => decodeProgram(text)).toThrow(ProgramSyntaxError);
    expect(() => decodeProgram(text)).toThrow(why);
    try {
      decodeProgram(text);
    } catch (e) {
      expect((e as Error).message).not.toContain('\n');
    }
  });

  it('refuses to run a program tree that is not valid', () => {
    expect(() => runGenerated([{ op: 'kill', fork: 1 }], { kernel: 'reference' })).toThrow(/^bad program "k1": n1 \(kill\) refers to n1, which is not a fork this process has run$/);
    expect(() => runGenerated([{ op: 'exit', code: -1 }], { kernel: 'reference' })).toThrow(/n1 \(exit\): -1 is not a number from 0 to 100000/);
  });

  test.prop([forkingProgramArb({}, { waitAfterFork: true })], { numRuns: 50 })('forking programs start with a fork, then wait for its child', (p) => {
    expect(p[0].op).toBe('fork');
    expect(p[1]).toEqual({ op: 'wait', sel: { kind: 'child', fork: 1 }, nohang: false });
  });
});

describe('the interp guest', () => {
  it('reports each operation, tagged by node, from the process that ran it', () => {
    const p = decodeProgram('PQfPQGv3V.wc3Vx7');
    const parentFirst = runGenerated(p, { kernel: 'reference' });
    expect(parentFirst.verdict).toEqual({ kind: 'exit', status: 7 << 8 });
    const child = ['p2: n3 fork 0', 'p2: n4 pid 2', 'p2: n5 ppid 1', 'p2: n6 pgid 1', 'p2: n7 set 3', 'p2: n8 var 3'];
    expect(texts(parentFirst)).toEqual(['p1: n1 pid 1', 'p1: n2 ppid 0', 'p1: n3 fork 2', ...child, 'p1: n9 wait 2 exited 0', 'p1: n10 var 0']);
    // the wait blocked until the child's exit woke it
    expect(parentFirst.events.some((e) => e.proc === 'p1' && e.sys === 'wait4' && e.block === 'wait')).toBe(true);
    const childFirst = runGenerated(p, { kernel: 'reference', choices: [1] });
    expect(texts(childFirst)).toEqual(['p1: n1 pid 1', 'p1: n2 ppid 0', ...child, 'p1: n3 fork 2', 'p1: n9 wait 2 exited 0', 'p1: n10 var 0']);
  });

  it('execs itself with a sub-program: same process, plain fds kept, O_CLOEXEC ones closed', () => {
    const run = runGenerated(decodeProgram('ppcfePW1W2..wa'), { kernel: 'reference' });
    expect(texts(run).filter((l) => l.startsWith('p2'))).toEqual([
      'p2: n3 fork 0', 'p2: n4 fd 1r ok', 'p2: n4 fd 1w ok', 'p2: n4 fd 2r -9', 'p2: n4 fd 2w -9', 'p2: n5 pid 2', 'p2: n6 write 1', 'p2: n7 write -9',
    ]);
    expect(run.events.some((e) => e.event === 'exec' && e.proc === 'p2' && e.path === '/bin/interp')).toBe(true);
  });

  it('gives the guest a bad program: one line on stderr, exit 2', () => {
    const run = runGenerated([], { kernel: 'reference' });
    expect(run.obs).toEqual([]);
    const bad = simulateTarget({ path: '/bin/interp', elf: readFileSync(guestPath('interp')), argv: [INTERP_ARG, 'PZ'] }, { seed: 0, strategy: new ReplayStrategy([]) });
    expect(bad.verdict).toEqual({ kind: 'exit', status: 2 << 8 });
    expect(Buffer.from(bad.stderr).toString()).toBe("n1 pid 1\ninterp: bad program at 'Z': unknown operation\n");
  });

  test.prop([programArb(), choicesArb], { numRuns: 25 })('the printed replay command reproduces the run (same schedule, same trace)', (p, choices) => {
    const run = runGenerated(p, { kernel: 'phase1-bridge', choices });
    const m = /--schedule (\S+) --kernel (\S+) (\S+) (\S+)$/.exec(run.replay)!;
    expect(m[3]).toBe(INTERP_ARG);
    expect(m[4]).toBe(run.text === '' ? "''" : run.text);
    const again = simulateTarget(
      { path: '/bin/interp', elf: readFileSync(guestPath('interp')), argv: [INTERP_ARG, run.text], env: [], kernel: 'phase1-bridge', createCwd: true, cwd: '/' },
      { seed: 0, strategy: new ReplayStrategy(parseSchedule(m[1])), trace: true },
    );
    expect(again.trace!.hash).toBe(run.result.trace!.hash);
  });

  it('procsim replay, as printed, prints the same trace hash', () => {
    const run = runGenerated(decodeProgram('pfW1x3.R1wa'), { kernel: 'reference', choices: [1, 0, 1] });
    const dir = mkdtempSync(join(tmpdir(), 'procsim-interp-'));
    try {
      const args = run.replay.split(' ').slice(1);
      execFileSync(process.execPath, [join(REPO_ROOT, 'bin', 'procsim.mjs'), ...args.slice(0, 1), '--trace', join(dir, 't.jsonl'), ...args.slice(1)], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      expect(readFileSync(join(dir, 't.jsonl'), 'utf8')).toBe(run.result.trace!.text());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('what generated cases exercise', () => {
  it('reaches the behaviours the contracts are about, not only trivial programs', () => {
    const seen = new Map<string, number>();
    const saw = (what: string) => seen.set(what, (seen.get(what) ?? 0) + 1);
    for (const [p, choices] of fc.sample(fc.tuple(programArb(), choicesArb), { ...CHECK_PARAMS, numRuns: 300, seed: 9 })) {
      const run = runGenerated(p, { kernel: 'reference', choices });
      const w = new World(run);
      const kinds = new Set<string>();
      for (const o of run.obs) {
        if (o.tag === 'ppid' && o.proc !== 'p1' && w.parentsAt(o.proc, o.call!.i)[0] === 'p1' && w.creator(o.proc) !== 'p1') kinds.add('getppid of an orphan');
        if (o.tag === 'wait' && o.vals[0] === '0') kinds.add('WNOHANG 0');
        if (o.tag === 'wait' && o.vals[0] === '-10') kinds.add('ECHILD');
        if (o.tag === 'wait' && o.vals[1] === 'killed') kinds.add('killed child');
        if (o.tag === 'setsid' && Number(o.vals[0]) > 0) kinds.add('setsid');
        if (o.tag === 'fd') kinds.add('execve with pipes');
      }
      if (run.events.some((e) => e.sys === 'wait4' && e.block === 'wait')) kinds.add('blocked wait');
      if (run.result.procs.length >= 4) kinds.add('4+ processes');
      if (run.result.choices.length >= 10) kinds.add('10+ choices');
      kinds.forEach(saw);
    }
    for (const what of ['getppid of an orphan', 'WNOHANG 0', 'ECHILD', 'killed child', 'setsid', 'execve with pipes', 'blocked wait', '4+ processes', '10+ choices']) {
      expect(seen.get(what) ?? 0, what).toBeGreaterThanOrEqual(3);
    }
  });
});
