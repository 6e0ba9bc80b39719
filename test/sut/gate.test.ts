// procsim gate --sut on real emulators: Debian's qemu-riscv64 (wrapped: uid 65534, its own pid
// namespace) passes P0.1-P0.3 and fails P0.4 (without binfmt_misc its execve of a riscv64
// program fails: the shrunk counterexample is an exec); SUTs that print garbage, crash or
// hang get a clear verdict; procsim's own legacy kernel run as a command fails P0.1 and its
// reference kernel passes.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeProgram } from '../../src/sim/programs/program.ts';
import { DfsExplorer } from '../../src/sim/dfs/index.ts';
import { sutTarget } from '../../src/sim/sut/reference.ts';
import { simulateTarget } from '../../src/sim/target.ts';
import { parseSutCommand, runSut, sutArgv, type SutRun } from '../../src/sut/command.ts';
import { evaluateSutGate, evaluateSutP21, judgeSutRun, SUT_EVENT_GATES, SUT_GATES, type SutOptions } from '../../src/sut/gate.ts';
import { commandSystem, stageGuest, type SystemUnderTest } from '../../src/sut/system.ts';
import { guardedSuite } from '../support/oracle.ts';
import { requireOracle, which } from '../support/real-linux.ts';

const WRAP = 'unshare --pid --fork --mount-proc setpriv --reuid=65534 --regid=65534 --clear-groups';
const gate = (id: string) => [...SUT_GATES, ...SUT_EVENT_GATES].find((g) => g.id === id)!;
const opened: SystemUnderTest[] = [];
afterAll(() => Promise.all(opened.map((s) => s.close())));
const options = (cmd: string, o: Partial<SutOptions> = {}): SutOptions => {
  const sut = commandSystem(parseSutCommand(cmd));
  opened.push(sut);
  return { sut, runs: 8, seed: 1, sutRuns: 2, timeoutMs: 10_000, workers: 2, ...o };
};

const needs = requireOracle('gate --sut on qemu-riscv64', ['qemu']) ?? (which('unshare') === null ? 'gate --sut: unshare not found (fix: apt-get install util-linux)' : null);

guardedSuite('gate --sut on qemu-riscv64', needs, () => {
  const qemu = `${WRAP} qemu-riscv64`;

  it('P0.1, P0.2 and P0.3 pass', async () => {
    for (const id of ['P0.1', 'P0.2', 'P0.3']) {
      // 15 s: a run takes about 0.1 s (seconds on a loaded CI machine), and one that blocks for
      // ever as the reference kernel can (fGPfQgP..Pwawgx0 now and then) is judged when it times out.
      const r = await evaluateSutGate(gate(id), options(qemu, { timeoutMs: 15_000 }));
      expect(r.pass, `${id}: ${r.counterexample?.summary}`).toBe(true);
      expect(r.detail).toMatch(/8 generated programs, 16 runs on the SUT unshare .* qemu-riscv64; outcome membership: \d+ runs in the reference kernel's outcome set/);
    }
  }, 120_000);

  it('P2.1 passes: the parent goes on after fork in some run (host threads: in most)', async () => {
    const r = await evaluateSutP21(options(qemu, { timeoutMs: 5_000 }));
    expect(r.pass, r.counterexample?.summary).toBe(true);
    expect(r.detail).toMatch(/: [1-9]\d* of \d+ judged runs showed it \(8 generated programs, 16 runs on the SUT unshare .* qemu-riscv64/);
  }, 120_000);

  it('P0.4 fails: the shrunk counterexample is an execve, with the command that reproduces it', async () => {
    const r = await evaluateSutGate(gate('P0.4'), options(qemu, { runs: 20 }));
    expect(r.pass).toBe(false);
    const cx = r.counterexample!;
    expect(cx.summary).toMatch(/^P0.4 exec isolation fails on SUT .* for program [^ ]*e[^ ]* \(after \d+ shrinks\).*execve of the program's own image failed \(-8\)/);
    const program = /for program ([^ ]+)/.exec(cx.summary)![1];
    expect(program).toBe('e.');
    expect(cx.replay).toBe(`${qemu} ${join(import.meta.dirname, '../../scenarios/guests/bin/interp-sut')} e.`);
  }, 60_000);
});

guardedSuite('gate --sut on broken SUTs', which('unshare') === null ? 'gate --sut: unshare not found (fix: apt-get install util-linux)' : null, () => {
  const sh = (script: string) => `${WRAP} sh -c '${script}' sh`;

  it('garbage and crashes are one clear verdict each', async () => {
    const garbage = await evaluateSutGate(gate('P0.2'), options(sh('echo "@procsim no such thing" >&2'), { runs: 1, sutRuns: 1 }));
    expect(garbage.counterexample?.summary).toMatch(/\(the SUT exited 0\): unreadable output \(exited 0\): unreadable observation "@procsim no such thing"/);
    const silent = await evaluateSutGate(gate('P0.2'), options(sh('echo hello'), { runs: 1, sutRuns: 1 }));
    expect(silent.counterexample?.summary).toMatch(/no observations: the SUT exited 0 without running the guest \(stderr: "", stdout: "hello"\)/);
    // Not the shell itself: it is pid 1 of its namespace, which ignores the signal.
    const crash = await evaluateSutGate(gate('P0.2'), options(sh('sh -c "kill -SEGV \\$\\$"; exit $?'), { runs: 1, sutRuns: 1 }));
    expect(crash.counterexample?.summary).toMatch(/no observations: the SUT (killed SIGSEGV|exited 139) without running the guest/);
  }, 60_000);

  it('a hung SUT is "timed out" within the timeout, and the gate ends', async () => {
    const t0 = performance.now();
    const r = await evaluateSutGate(gate('P0.2'), options(sh('sleep 60'), { runs: 1, sutRuns: 1, timeoutMs: 300 }));
    expect(r.pass).toBe(false);
    expect(r.counterexample?.summary).toMatch(/: timed out: the SUT ran for more than 0.3 s/);
    expect(performance.now() - t0).toBeLessThan(30_000);
  }, 60_000);
});

describe('a SUT run that times out', () => {
  // p1 forks f1, which forks f4 and exits; f4, now p1's child, leaves p1's group and exits
  // while p1's wait4(0) sleeps: Linux never wakes that wait (its selector no longer takes f4),
  // so some schedules block for ever, and a SUT that hangs there is right.
  const BLOCKING = 'fGPfQgP..Pwawgx0';
  const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
  /** The reference kernel's runs of a program, as a SUT's output: which ones blocked for ever. */
  function referenceRuns(text: string): { blocked: boolean; stdout: string; stderr: string }[] {
    const search = new DfsExplorer({ maxExecutions: 2000, unorderedOutput: true });
    const runs = [];
    for (let st = search.next(); st !== undefined; st = search.next()) {
      const r = simulateTarget(sutTarget(text), { seed: 0, strategy: st });
      search.done(r);
      runs.push({ blocked: r.verdict.kind === 'deadlock', stdout: latin1(r.stdout), stderr: latin1(r.stderr) });
    }
    expect(search.complete).toBe(true);
    return runs;
  }
  const timedOut = (r: { stdout: string; stderr: string }): SutRun => ({ kind: 'timeout', stdout: r.stdout, stderr: r.stderr, ms: 5000 });

  it('is right where the reference kernel blocks for ever with the same output', () => {
    const runs = referenceRuns(BLOCKING);
    const blocked = runs.filter((r) => r.blocked);
    expect(blocked.length).toBeGreaterThan(0);
    for (const r of blocked) {
      const j = judgeSutRun('P0.3', decodeProgram(BLOCKING), timedOut(r), 2000, 5000);
      expect(j.verdict).toEqual({ ok: true });
      expect(j.membership?.kind).toBe('member');
    }
  });

  it('is a hang where it does not: a run that ended, or a program that never blocks', () => {
    const ended = referenceRuns(BLOCKING).find((r) => !r.blocked)!;
    const j = judgeSutRun('P0.3', decodeProgram(BLOCKING), timedOut(ended), 2000, 5000);
    expect(!j.verdict.ok && j.verdict.message).toMatch(/^timed out: the SUT ran for more than 5 s: the SUT's outcome is not in all \d+ outcomes of the reference kernel/);
    const never = referenceRuns('fPQ.wa');
    expect(never.some((r) => r.blocked)).toBe(false);
    const k = judgeSutRun('P0.3', decodeProgram('fPQ.wa'), timedOut(never[0]), 2000, 5000);
    expect(!k.verdict.ok && k.verdict.message).toBe(`timed out: the SUT ran for more than 5 s, and the reference kernel never blocks on this program (an exhaustive search of ${never.length} executions)`);
  });
});

describe('procsim\'s own kernels as command SUTs', () => {
  const procsim = (kernel: string) => `${process.execPath} ${join(import.meta.dirname, '../../bin/procsim.mjs')} run --kernel ${kernel}`;
  const judge = async (kernel: string, text: string) => {
    const staged = stageGuest();
    try {
      const p = decodeProgram(text);
      const run = await runSut(sutArgv(parseSutCommand(procsim(kernel)), staged.elf, [text]), { timeoutMs: 30_000, maxOutput: 1 << 20, cwd: '/tmp' });
      return judgeSutRun('P0.1', p, run, 500, 30_000);
    } finally {
      staged.dispose();
    }
  };

  it('{events}: the log `run --events` writes is judged on phase 1, the reference passes P1.2; a garbage log fails in one line; without {events} P1 is not judged', async () => {
    const r = await evaluateSutGate(gate('P1.2'), options(`${procsim('reference')} --events {events}`, { runs: 3, sutRuns: 1, timeoutMs: 30_000 }));
    expect(r.pass, r.counterexample?.summary).toBe(true);
    expect(r.detail).toMatch(/3 runs' event logs judged\)$/);
    const garbage = await evaluateSutGate(gate('P1.1'), options(`sh -c 'echo not json > "$1"; shift; exec "$@"' sh {events} ${procsim('reference')}`, { runs: 1, sutRuns: 1, timeoutMs: 30_000 }));
    expect(garbage.counterexample?.summary).toMatch(/: unreadable event log: line 1: /);
    expect(await evaluateSutGate(gate('P1.4'), options(procsim('reference')))).toMatchObject({ pass: false, runs: 0, notJudged: expect.stringMatching(/^the SUT wrote no process-event log/) });
  }, 120_000);

  it('legacy-rollback fails P0.1 (every process has pid 1); reference passes, its outcome in the reference set', async () => {
    const legacy = await judge('legacy-rollback', 'fPQ.wa');
    expect(!legacy.verdict.ok && legacy.verdict.message).toMatch(/p2 observes "n2 pid 1".*expected p2's pid 100/);
    const reference = await judge('reference', 'fPQ.wa');
    expect(reference.verdict).toEqual({ ok: true });
    expect(reference.membership?.kind).toBe('member');
  }, 60_000);
});
