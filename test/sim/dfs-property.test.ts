// Property: on generated tiny multi-process programs, exhaustive search with reduction finds
// exactly the outcomes (verdict, output, how every process ended) of brute-force enumeration
// of every schedule, and never needs more executions.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { A0, BUF, DATA_ADDR, Prog, R, S2, S3, S4, S5, SYS, ZERO } from '../process/kernel/harness.ts';
import * as A from '../support/rv-asm.ts';
import { SIGCHLD, SIGUSR1 } from '../../src/process/signals.ts';
import type { Target } from '../../src/sim/target.ts';
import { bruteForce, dfs } from './dfs-support.ts';
import { program } from './support.ts';

/**
 * out: write the process's letter to stdout; pw: write it to the pipe; pr: read a byte from
 * the pipe and echo it to stdout; close: close the pipe's write end; ppid: print getppid();
 * probe: kill(0, 0); kill: SIGUSR1 to p1 (which dies of it); spawn: fork a grandchild that
 * exits with its getppid() (its parent's pid, or 1 once reparented) and is never waited for;
 * poll: wait4(-1, WNOHANG), printing the letter if it collected a child.
 */
const OPS = ['out', 'pw', 'pr', 'close', 'ppid', 'probe', 'kill', 'spawn', 'poll'] as const;
type Op = (typeof OPS)[number];

interface Spec {
  parent: Op[];
  children: Op[][];
  /** How p1 collects its children at the end: wait4(-1) each time, or wait4(pid) in creation order. */
  waits: 'any' | 'each';
}

const LETTERS = 'Pabc';
const READ_FD = 3;
/** Where p1 keeps its children's pids. */
const PIDS = BUF + 0x100;
const WRITE_FD = 4;

function emit(p: Prog, op: Op, who: number, n: number): void {
  const letter = DATA_ADDR + who;
  const l = `o${who}_${n}`;
  switch (op) {
    case 'out':
      p.sys(SYS.write, 1, letter, 1);
      return;
    case 'pw':
      p.sys(SYS.write, WRITE_FD, letter, 1);
      return;
    case 'pr':
      p.sys(SYS.read, READ_FD, BUF, 1).i(A.mv(S2, A0)).b('bge', S2, ZERO, l).li(S2, 0).label(l).sys(SYS.write, 1, BUF, R(S2));
      return;
    case 'close':
      p.sys(SYS.close, WRITE_FD);
      return;
    case 'ppid':
      p.sys(SYS.getppid).i(A.addi(S3, A0, 48)).li(S4, BUF).i(A.sb(S3, S4, 0)).sys(SYS.write, 1, BUF, 1);
      return;
    case 'probe':
      p.sys(SYS.kill, 0, 0);
      return;
    case 'kill':
      p.sys(SYS.kill, 1, SIGUSR1);
      return;
    case 'spawn':
      p.sys(SYS.clone, SIGCHLD, 0, 0, 0, 0).b('bne', A0, 0, l).sys(SYS.getppid).sys(SYS.exit, R(A0)).label(l);
      return;
    case 'poll':
      p.sys(SYS.wait4, -1, 0, 1, 0).i(A.slt(S2, ZERO, A0)).sys(SYS.write, 1, letter, R(S2));
      return;
  }
}

function build(spec: Spec): Target {
  const p = new Prog();
  p.sys(SYS.pipe2, BUF, 0); // fds 3 and 4
  spec.children.forEach((_, i) =>
    p.sys(SYS.clone, SIGCHLD, 0, 0, 0, 0).b('beq', A0, 0, `c${i}`).li(S4, PIDS + 8 * i).i(A.sd(A0, S4, 0)),
  );
  spec.parent.forEach((op, n) => emit(p, op, 0, n));
  spec.children.forEach((_, i) => {
    if (spec.waits === 'any') p.sys(SYS.wait4, -1, 0, 0, 0);
    else p.li(S4, PIDS + 8 * i).i(A.ld(S5, S4, 0)).sys(SYS.wait4, R(S5), 0, 0, 0);
  });
  p.sys(SYS.exit, 0);
  spec.children.forEach((ops, i) => {
    p.label(`c${i}`);
    ops.forEach((op, n) => emit(p, op, i + 1, n));
    p.sys(SYS.exit, 10 + i);
  });
  return program(p.elf(new Uint8Array(Buffer.from(LETTERS, 'latin1'))));
}

// The parent never reads (it would wait forever on its own write end) nor kills itself.
const parentOp = fc.constantFrom<Op>('out', 'pw', 'close', 'ppid', 'probe', 'spawn', 'poll');
const childOp = fc.constantFrom<Op>(...OPS.filter((op) => op !== 'poll'));
const specs = fc.record({
  parent: fc.array(parentOp, { maxLength: 1 }),
  children: fc.array(fc.array(childOp, { maxLength: 2 }), { minLength: 1, maxLength: 3 }),
  waits: fc.constantFrom<'any' | 'each'>('any', 'each'),
});

/** Brute force stays small: programs with more schedules than this are skipped. */
const LIMIT = 400;

describe('dfs property', () => {
  it('dfs finds exactly the outcomes of every schedule, in no more executions', () => {
    let checked = 0;
    let saved = 0;
    fc.assert(
      fc.property(specs, (spec) => {
        const t = build(spec);
        let all;
        try {
          all = bruteForce(t, 0, LIMIT);
        } catch {
          fc.pre(false);
          return;
        }
        const reduced = dfs(t);
        expect(reduced.explorer.complete).toBe(true);
        expect([...reduced.outcomes].sort()).toEqual([...all.outcomes].sort());
        expect(reduced.executions).toBeLessThanOrEqual(all.executions);
        const sleep = dfs(t, { reduction: 'sleep' });
        expect([...sleep.outcomes].sort()).toEqual([...all.outcomes].sort());
        checked++;
        saved += all.executions - reduced.executions;
      }),
      { numRuns: 40, seed: 4242 },
    );
    expect(checked).toBeGreaterThan(20);
    expect(saved).toBeGreaterThan(0);
  }, 120_000);
});
