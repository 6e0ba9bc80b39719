// How runs end besides p1's exit, and the kernel situations the trace must show, on small
// assembled programs: deadlock, the two budgets, virtual time, signals, and a strategy bug.
import { describe, expect, it } from 'vitest';
import * as A from '../support/rv-asm.ts';
import { A0, BUF, crossedPipeReaders, Prog, R, S0, S1, SYS } from '../process/kernel/harness.ts';
import { SIGCHLD, SIGSTOP, SIGTERM } from '../../src/process/signals.ts';
import { simulateTarget } from '../../src/sim/target.ts';
import { verdictText } from '../../src/sim/engine.ts';
import { parseStrategy } from '../../src/sim/strategies/index.ts';
import type { Strategy } from '../../src/sim/strategy.ts';
import { program } from './support.ts';

const sim = (elf: Uint8Array, seed = 0, extra: { maxInsns?: number; maxSteps?: number; strategy?: Strategy } = {}) =>
  simulateTarget(program(elf), { seed, strategy: extra.strategy ?? parseStrategy('random'), trace: true, ...extra });
const body = (r: ReturnType<typeof sim>) => r.trace!.lines.map((l) => JSON.parse(l));

const deadlock = crossedPipeReaders().elf();

describe('verdicts', () => {
  it('no runnable process, some blocked: a deadlock finding naming who waits on what', () => {
    for (const seed of [0, 1, 2]) {
      const r = sim(deadlock, seed);
      expect(r.verdict).toEqual({ kind: 'deadlock', blocked: [{ proc: 'p1', reason: 'read' }, { proc: 'p2', reason: 'read' }] });
      expect(r.procs.map((p) => p.status)).toEqual(['blocked in read', 'blocked in read']);
      expect(body(r).at(-1)).toEqual({ end: 'deadlock', blocked: { p1: 'read', p2: 'read' } });
      expect(body(r).filter((l) => l.block === 'read').map((l) => l.proc).sort()).toEqual(['p1', 'p2']);
    }
  });

  it('a stopped process is part of the deadlock report', () => {
    const stopper = new Prog()
      .sys(SYS.clone, SIGCHLD, 0, 0, 0, 0)
      .b('bne', A0, 0, 'parent')
      .sys(SYS.getpid)
      .i(A.mv(S0, A0))
      .sys(SYS.kill, R(S0), SIGSTOP)
      .sys(SYS.exit, 0)
      .label('parent')
      .sys(SYS.wait4, -1, 0, 0, 0)
      .sys(SYS.exit, 0)
      .elf();
    for (const seed of [0, 1, 2]) {
      const r = sim(stopper, seed);
      expect(r.verdict).toEqual({ kind: 'deadlock', blocked: [{ proc: 'p1', reason: 'wait' }, { proc: 'p2', reason: 'stopped' }] });
      expect(verdictText(r.verdict)).toContain('p2: stopped');
    }
  });

  it('a hang becomes an instruction-budget verdict with its trace', () => {
    const spin = new Prog().sys(SYS.getpid).label('spin').j('spin').elf();
    const r = sim(spin, 0, { maxInsns: 50_000 });
    expect(r.verdict).toEqual({ kind: 'budget', budget: 'instructions', limit: 50_000 });
    expect(r.instructions).toBe(50_000);
    expect(body(r).filter((l) => l.event === undefined).map((l) => l.sys ?? l.end)).toEqual(['getpid', 'budget']);
    expect(r.procs[0].status).toBe('running');
  });

  it('a syscall loop becomes a step-budget verdict', () => {
    const loop = new Prog().label('l').sys(SYS.getpid).j('l').elf();
    const r = sim(loop, 0, { maxSteps: 100 });
    expect(r.verdict).toEqual({ kind: 'budget', budget: 'steps', limit: 100 });
    expect(r.steps).toBe(100);
    expect(body(r).filter((l) => l.sys === 'getpid')).toHaveLength(100);
  });

  it('time is virtual: a sleep moves the clock to its deadline and a timeout wakes the sleeper', () => {
    const sleeper = new Prog().li(S0, BUF).li(S1, 5).i(A.sd(S1, S0, 0)).sys(SYS.nanosleep, BUF, 0).sys(SYS.exit, 4).elf();
    const r = sim(sleeper);
    expect(r.verdict).toEqual({ kind: 'exit', status: 4 << 8 });
    const lines = body(r);
    expect(lines.find((l) => l.sys === 'nanosleep' && !l.retry)).toMatchObject({ args: { req: { sec: 5, nsec: 0 } }, block: 'sleep' });
    expect(lines.find((l) => l.timeout !== undefined)).toEqual({ step: 1, timeout: ['p1'] });
    expect(lines.find((l) => l.sys === 'nanosleep' && l.retry)).toMatchObject({ ret: 0 });
  });

  it('signals: the sender, the interrupted wait, the death, in every order the schedule allows', () => {
    // The parent waits on a pipe forever; the child kills it with SIGTERM.
    const prog = new Prog()
      .sys(SYS.pipe2, BUF, 0)
      .sys(SYS.clone, SIGCHLD, 0, 0, 0, 0)
      .b('bne', A0, 0, 'parent')
      .sys(SYS.getppid)
      .i(A.mv(S0, A0))
      .sys(SYS.kill, { reg: S0 }, SIGTERM)
      .sys(SYS.exit, 0)
      .label('parent')
      .sys(SYS.read, 3, BUF + 64, 1)
      .sys(SYS.exit, 1)
      .elf();
    const shapes = new Set<string>();
    for (let seed = 0; seed < 12; seed++) {
      const r = sim(prog, seed);
      expect(r.verdict).toEqual({ kind: 'exit', status: SIGTERM });
      const lines = body(r);
      expect(lines.find((l) => l.sys === 'kill')).toMatchObject({ proc: 'p2', args: { pid: 'p1', sig: 'SIGTERM' }, ret: 0 });
      expect(lines.find((l) => l.event === 'signal' && l.sig === 'SIGTERM')).toMatchObject({ proc: 'p1', from: 'p2' });
      const death = lines.find((l) => l.proc === 'p1' && l.killed !== undefined);
      expect(death).toMatchObject({ killed: 'SIGTERM' });
      shapes.add(lines.some((l) => l.proc === 'p1' && l.block === 'read') ? 'killed while blocked' : 'killed before reading');
      expect(lines.find((l) => l.event === 'exit' && l.proc === 'p1')).toMatchObject({ status: 'killed SIGTERM' });
    }
    expect(shapes).toEqual(new Set(['killed while blocked', 'killed before reading']));
  });

  it('a strategy that breaks its contract is reported as a crash of the run, not thrown', () => {
    const bad: Strategy = { spec: 'bad', begin() {}, choose: (ready) => ready.length };
    const r = sim(deadlock, 0, { strategy: bad });
    expect(r.verdict).toEqual({ kind: 'crash', message: 'strategy bad chose 1 of 1 ready processes' });
    expect(body(r).at(-1)).toEqual({ end: 'crash', message: 'strategy bad chose 1 of 1 ready processes' });
  });

  it('guest bytes stay bytes, and the file stays ASCII', () => {
    const data = Uint8Array.from([0x68, 0x69, 0x00, 0x0a, 0xff, 0x80, 0x5c, 0x22]);
    const prog = new Prog().sys(SYS.write, 1, 0x200000 + 0x100, data.length).sys(SYS.exit, 0);
    const elf = prog.elf(new Uint8Array([...new Uint8Array(0x100), ...data]));
    const r = sim(elf);
    const line = r.trace!.lines.find((l) => l.includes('"write"'))!;
    expect(line).toMatch(/^[\x20-\x7e]+$/);
    expect(Buffer.from(JSON.parse(line).args.buf, 'latin1')).toEqual(Buffer.from(data));
    expect(r.stdout).toEqual(data);
  });
});
