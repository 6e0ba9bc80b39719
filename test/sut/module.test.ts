// procsim gate --sut-module: procsim's own kernels through the in-process SUT interface
// (examples/procsim-kernel.mjs), the same verdicts from the same seed, the reproduction
// command, and modules that hang, throw, return garbage, run out of memory or end their
// thread: each a one-line verdict, and the next run gets a fresh thread.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateSutGate, evaluateSutP21, SUT_EVENT_GATES, SUT_GATES, type SutOptions } from '../../src/sut/gate.ts';
import { parentStepsAfterFork } from '../../src/sim/sut/judge.ts';
import { markedLines } from '../../src/sim/sut/observed.ts';
import { decodeProgram } from '../../src/sim/programs/program.ts';
import { parseSutModuleSpec, resultRun, SutModuleError } from '../../src/sut/module.ts';
import { moduleSystem, type SystemUnderTest } from '../../src/sut/system.ts';

const ROOT = join(import.meta.dirname, '../..');
const KERNEL = join(ROOT, 'examples/procsim-kernel.mjs');
const HOSTILE = join(import.meta.dirname, 'fixtures/hostile-sut.mjs');
const gate = (id: string) => [...SUT_GATES, ...SUT_EVENT_GATES].find((g) => g.id === id)!;

const opened: SystemUnderTest[] = [];
afterAll(() => Promise.all(opened.map((s) => s.close())));
async function options(spec: string, o: Partial<SutOptions> = {}, heapMb?: number): Promise<SutOptions> {
  const sut = await moduleSystem(parseSutModuleSpec(spec), o.workers ?? 2, heapMb);
  opened.push(sut);
  return { sut, runs: 8, seed: 1, sutRuns: 2, timeoutMs: 20_000, workers: 2, ...o };
}

const procsim = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/procsim.mjs'), ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('procsim\'s kernels as SUT modules', () => {
  it('the reference kernel passes P0.1-P0.4; its outcomes are in its own set', async () => {
    const o = await options(`${KERNEL}?kernel=reference`);
    for (const id of ['P0.1', 'P0.2', 'P0.3', 'P0.4']) {
      const r = await evaluateSutGate(gate(id), o);
      expect(r.pass, `${id}: ${r.counterexample?.summary}`).toBe(true);
      expect(r.detail).toMatch(/8 generated programs, 16 runs on the SUT module .*procsim-kernel\.mjs\?kernel=reference \(procsim reference kernel, random schedules\); outcome membership: 16 runs in the reference kernel's outcome set/);
    }
  }, 120_000);

  it('legacy-rollback fails P0.1 (every process has pid 1), the same way from the same seed, and the printed command reproduces it', async () => {
    const spec = `${KERNEL}?kernel=legacy-rollback`;
    const a = await evaluateSutGate(gate('P0.1'), await options(spec));
    const b = await evaluateSutGate(gate('P0.1'), await options(spec));
    expect(a.pass).toBe(false);
    expect(a.counterexample?.summary).toMatch(/wrote it with getpid\(\) 1/);
    expect(b.counterexample).toEqual(a.counterexample);
    const replay = a.counterexample!.replay;
    expect(replay).toMatch(/^procsim sut-run --sut-module '.*kernel=legacy-rollback' --seed \d+ --gate P0.1 \S+$/);
    const [, seed, program] = /--seed (\d+) --gate P0.1 (\S+)$/.exec(replay)!;
    const r = procsim('sut-run', '--sut-module', spec, '--seed', seed, '--gate', 'P0.1', program);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^P0.1 identity: FAIL: .*wrote it with getpid\(\) 1/m);
  }, 120_000);

  it('phase1-bridge fails P0.1 from outside: a fork inside a child fails with EAGAIN, an outcome Linux never has', async () => {
    const r = await evaluateSutGate(gate('P0.1'), await options(`${KERNEL}?kernel=phase1-bridge`, { runs: 20 }));
    expect(r.pass).toBe(false);
    expect(r.counterexample?.summary).toMatch(/the SUT's outcome is not in all \d+ outcomes of the reference kernel[^]*SUT: +f\d+: [^\n]*fork -11/);
  }, 120_000);
});

describe('phase 1 from the SUT\'s process-event log (result.events)', () => {
  it('the reference kernel\'s logs pass P1.1, P1.2 and P1.4; legacy-rollback\'s empty ones fail P1.1; without logs the gates are not judged', async () => {
    const o = await options(`${KERNEL}?kernel=reference`);
    for (const id of ['P1.1', 'P1.2', 'P1.4']) {
      const r = await evaluateSutGate(gate(id), o);
      expect(r.pass, `${id}: ${r.counterexample?.summary}`).toBe(true);
      expect(r.detail).toMatch(/\(8 generated programs, 16 runs on the SUT module .*; 16 runs' event logs judged\)$/);
    }
    const legacy = await evaluateSutGate(gate('P1.1'), await options(`${KERNEL}?kernel=legacy-rollback`));
    expect(legacy.pass).toBe(false);
    expect(legacy.counterexample?.summary).toMatch(/for program '' \(after \d+ shrinks\) \(the SUT exited 0\): the log has no process events/);
    const none = await evaluateSutGate(gate('P1.2'), await options(`${KERNEL}?kernel=reference&events=0`));
    expect(none).toMatchObject({ pass: false, runs: 8, notJudged: expect.stringMatching(/^the SUT wrote no process-event log \(a command gets one with \{events\}, a module returns it as result.events/) });
  }, 120_000);
});

describe('P2.1 from outside: the order of the lines across the SUT\'s runs', () => {
  it('the reference kernel passes; legacy-rollback and phase1-bridge (rollback forks) fail, in none of their runs does the parent go on first', async () => {
    const ok = await evaluateSutP21(await options(`${KERNEL}?kernel=reference`));
    expect(ok.pass, ok.counterexample?.summary).toBe(true);
    expect(ok.detail).toMatch(/: [1-9]\d* of 1[0-6] judged runs showed it \(8 generated programs, 16 runs on the SUT module /);
    for (const kernel of ['legacy-rollback', 'phase1-bridge']) {
      const r = await evaluateSutP21(await options(`${KERNEL}?kernel=${kernel}`));
      expect(r.pass, kernel).toBe(false);
      expect(r.counterexample?.summary).toMatch(/: 0 of 1[0-6] judged runs showed it \(8 generated programs, 16 runs(; not judged: [^)]*)?\): in every run the child ran to its exit report before its parent wrote again, as under a rollback fork$/);
      expect(r.counterexample?.replay).toMatch(new RegExp(`^procsim sut-run --sut-module '.*kernel=${kernel}' --seed \\d+ --gate P2.1 \\S+$`));
    }
  }, 120_000);

  it('a run shows it when p1\'s fork line comes before the child\'s exit report', () => {
    const p = decodeProgram('f.wa');
    const lines = (...ls: string[]) => markedLines('', ls.map((l) => `@procsim ${l}\n`).join(''));
    const start = 'n0 start 0 1 1 @1';
    expect(parentStepsAfterFork(p, lines(start, 'n1 fork 2 @1', 'n1 fork 0 @2', 'n1 exit 0 @2', 'n2 wait 2 0 @1', 'n0 exit 0 @1'))).toBe(true);
    expect(parentStepsAfterFork(p, lines(start, 'n1 fork 0 @2', 'n1 exit 0 @2', 'n1 fork 2 @1', 'n2 wait 2 0 @1', 'n0 exit 0 @1'))).toBe(false);
    // Killed before its report: the run says nothing either way; no fork at all, nor does it.
    expect(parentStepsAfterFork(p, lines(start, 'n1 fork 2 @1', 'n1 fork 0 @2'))).toBeUndefined();
    expect(parentStepsAfterFork(decodeProgram('P'), lines(start, 'n1 pid 1 @1', 'n0 exit 0 @1'))).toBeUndefined();
  });
});

describe('hostile SUT modules', () => {
  const one = { runs: 1, sutRuns: 1 };
  const summary = async (mode: string, o: Partial<SutOptions> = {}, heapMb?: number) => {
    const r = await evaluateSutGate(gate('P0.2'), await options(`${HOSTILE}?mode=${mode}`, { ...one, ...o }, heapMb));
    expect(r.pass).toBe(false);
    return r.counterexample!.summary;
  };

  it('a run that never returns is "timed out" at its timeout; the gate ends', async () => {
    const t0 = performance.now();
    expect(await summary('hang', { timeoutMs: 300 })).toMatch(/: timed out: the SUT ran for more than 0.3 s$/m);
    expect(performance.now() - t0).toBeLessThan(30_000);
  }, 60_000);

  it('a throw, a result of the wrong shape and a thread that ends are one line each', async () => {
    expect(await summary('throw')).toMatch(/: the SUT module threw: emulator: illegal instruction at 0x10078$/m);
    expect(await summary('bad')).toMatch(/: the SUT module returned a bad result: stdout and stderr must be strings or Uint8Arrays$/m);
    expect(await summary('exit')).toMatch(/: the SUT module's thread died during the run: its thread exited \(code 3\)$/m);
  }, 60_000);

  it('a module that grows without bound dies out of memory in its thread, and procsim goes on', async () => {
    expect(await summary('oom', {}, 64)).toMatch(/: the SUT module's thread died during the run: .*out of memory/im);
  }, 60_000);

  it('after a hang the next run gets a fresh thread', async () => {
    const o = await options(`${HOSTILE}?mode=hang&every=2`, { workers: 1 }, undefined);
    const first = await o.sut.run('', 0, 300);
    const second = await o.sut.run('', 0, 300);
    expect(first.kind).toBe('timeout');
    // A fresh instance: its run counter starts again, so its first run hangs too.
    expect(second.kind).toBe('timeout');
    const mod = await options(`${HOSTILE}?mode=throw&every=2`, { workers: 1 });
    expect((await mod.sut.run('', 0, 5000)).kind).toBe('sut-error');
    expect(await mod.sut.run('', 0, 5000)).toMatchObject({ kind: 'exit', status: 'exited 0' });
  }, 60_000);
});

describe('--sut-module input', () => {
  it('a missing file, a module without createSut, or one whose createSut throws is a usage error in one line, before any gate runs', () => {
    expect(procsim('gate', '--sut-module', 'nope.mjs')).toMatchObject({ code: 2, stderr: 'procsim: --sut-module: no such file: nope.mjs\n' });
    const none = procsim('gate', '--sut-module', 'test/sut/fixtures/no-create.mjs');
    expect(none).toMatchObject({ code: 2, stderr: 'procsim: --sut-module test/sut/fixtures/no-create.mjs: cannot load: it exports no createSut(options) function\n' });
    const throws = procsim('gate', '--sut-module', 'test/sut/fixtures/hostile-sut.mjs?mode=load-throw');
    expect(throws).toMatchObject({ code: 2, stderr: "procsim: --sut-module test/sut/fixtures/hostile-sut.mjs?mode=load-throw: cannot load: cannot find the emulator's firmware\n" });
    const kernel = procsim('gate', '--sut-module', 'examples/procsim-kernel.mjs?kernel=nope');
    expect(kernel.code).toBe(2);
    expect(kernel.stderr).toMatch(/^procsim: .*cannot load: unknown kernel "nope" \(one of: reference, legacy-rollback, phase1-bridge\)\n$/);
    expect(procsim('gate', '--sut', 'qemu-riscv64', '--sut-module', 'x.mjs').stderr).toBe('procsim: --sut and --sut-module exclude each other: one system is gated at a time\n');
    expect(procsim('sut-run', 'f.wa').stderr).toBe("procsim: sut-run needs --sut 'CMD' or --sut-module FILE\n");
    expect(procsim('sut-run', '--sut-module', 'examples/procsim-kernel.mjs', 'f(').stderr).toMatch(/^procsim: bad program/);
  }, 60_000);

  it('parses FILE?key=value options', () => {
    expect(parseSutModuleSpec(`${KERNEL}?kernel=phase1-bridge&strategy=pct:3`).options).toEqual({ kernel: 'phase1-bridge', strategy: 'pct:3' });
    expect(() => parseSutModuleSpec('')).toThrow(SutModuleError);
  });

  it('a result needs exactly one ending and well-formed values', () => {
    const bad = (r: object) => resultRun(r as never, 0);
    expect(bad({ stdout: 'a', stderr: new Uint8Array([98]), exit: 3 })).toEqual({ kind: 'exit', status: 'exited 3', stdout: 'a', stderr: 'b', ms: 0 });
    expect(bad({ stdout: '', stderr: '', signal: 'SIGSEGV' })).toMatchObject({ kind: 'exit', status: 'killed SIGSEGV' });
    expect(bad({ stdout: 'x', stderr: '', blocked: 'p1 in wait4' })).toMatchObject({ kind: 'timeout', blocked: 'p1 in wait4', stdout: 'x' });
    for (const r of [{ stdout: '', stderr: '' }, { stdout: '', stderr: '', exit: 0, signal: 'SIGKILL' }, { stdout: '', stderr: '', exit: 256 }, { stdout: '', stderr: '', signal: 'kill' }, { stdout: '', exit: 0 }]) {
      expect(bad(r).kind, JSON.stringify(r)).toBe('sut-error');
    }
    expect(bad(null as never).kind).toBe('sut-error');
  });
});
