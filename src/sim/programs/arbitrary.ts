// fast-check generators of process programs and schedules. Programs are generated with
// references as free naturals, then resolved: each reference becomes one of the nodes in
// scope (modulo their number), and an operation with nothing in scope to refer to is
// dropped. Shrinking works on the free form, so it shrinks programs and references alike
// and every shrunk candidate is still a valid program. Sizes are bounded (at most MAX_FORKS
// forks, blocks of a few operations, nesting MAX_DEPTH deep) so one run takes milliseconds.

import fc from 'fast-check';
import { countForks, type Op, type Program, type SimpleOpName } from './program.ts';

export const MAX_FORKS = 6;
export const MAX_DEPTH = 3;
const MAX_BLOCK = 6;

/** An operation whose fork/pipe references are naturals to resolve against the scope. */
type RawOp =
  | { op: SimpleOpName }
  | { op: 'setvar'; value: number }
  | { op: 'fork'; child: RawBlock }
  | { op: 'wait'; sel: 'any' | 'group' | 'child' | 'pgroup'; ref: number; nohang: boolean }
  | { op: 'pipe'; cloexec: boolean }
  | { op: 'write' | 'read' | 'kill'; ref: number }
  | { op: 'close' | 'dup2'; ref: number; end: 'r' | 'w' };

/** A block: its operations and how it ends (falls off the end, exits, or execs). */
interface RawBlock {
  ops: RawOp[];
  last: { op: 'none' } | { op: 'exit'; code: number } | { op: 'exec'; image: RawBlock };
}

export interface ProgramShape {
  /** Nesting of forks and execs (0: no fork). */
  depth?: number;
  /** Longest block. */
  block?: number;
  /** Relative weight of forks among the operations (default 3). */
  forkWeight?: number;
  /** Relative weight of pipe operations (default 1; 0 for none). */
  pipeWeight?: number;
  /** Relative weight of the variable and exec operations (default 1; 0 for none). */
  imageWeight?: number;
  /** Blocks may end in an execve (default true). */
  exec?: boolean;
  /**
   * Reads of pipes and stdin, the operations that can block for ever (default true): an
   * external emulator cannot report a deadlock, it can only hang (procsim gate --sut).
   */
  reads?: boolean;
}

const ref = fc.nat({ max: 7 });
const simple = (...names: SimpleOpName[]) => fc.constantFrom(...names).map((op): RawOp => ({ op }));

function rawBlock(depth: number, s: Required<ProgramShape>): fc.Arbitrary<RawBlock> {
  const ops: { weight: number; arbitrary: fc.Arbitrary<RawOp> }[] = [
    { weight: 3, arbitrary: simple('getpid', 'getppid', 'getpgid', 'getsid') },
    { weight: 1, arbitrary: s.reads ? simple('gettid', 'setpgid', 'setsid', 'yield', 'out', 'in') : simple('gettid', 'setpgid', 'setsid', 'yield', 'out') },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('wait' as const), sel: fc.constantFrom('any' as const, 'child' as const, 'group' as const, 'pgroup' as const), ref, nohang: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('kill' as const), ref }) },
  ];
  if (s.imageWeight > 0) {
    ops.push({ weight: s.imageWeight, arbitrary: fc.oneof(simple('getvar', 'execFail'), fc.record({ op: fc.constant('setvar' as const), value: fc.integer({ min: 1, max: 9 }) })) });
  }
  if (s.pipeWeight > 0) {
    ops.push(
      { weight: s.pipeWeight, arbitrary: fc.record({ op: fc.constant('pipe' as const), cloexec: fc.boolean() }) },
      { weight: s.pipeWeight, arbitrary: fc.record({ op: s.reads ? fc.constantFrom('write' as const, 'read' as const) : fc.constant('write' as const), ref }) },
      { weight: s.pipeWeight, arbitrary: fc.record({ op: fc.constantFrom('close' as const, 'dup2' as const), ref, end: fc.constantFrom('r' as const, 'w' as const) }) },
    );
  }
  if (depth > 0) {
    ops.push({ weight: s.forkWeight, arbitrary: rawBlock(depth - 1, s).map((child): RawOp => ({ op: 'fork', child })) });
  }
  const lasts: fc.Arbitrary<RawBlock['last']>[] = [
    fc.constant({ op: 'none' as const }),
    fc.record({ op: fc.constant('exit' as const), code: fc.constantFrom(0, 1, 2, 3, 255, 256, 257) }),
  ];
  if (depth > 0 && s.imageWeight > 0 && s.exec) lasts.push(rawBlock(depth - 1, s).map((image) => ({ op: 'exec' as const, image })));
  return fc.record({
    ops: fc.array(fc.oneof({ withCrossShrink: true }, ...ops), { maxLength: s.block, size: 'max' }),
    last: fc.oneof({ withCrossShrink: true }, { weight: 4, arbitrary: lasts[0] }, ...lasts.slice(1)),
  });
}

/**
 * The program a raw block stands for, references resolved, forks beyond MAX_FORKS dropped.
 * A top level that falls off its end first waits (wait4(-1)) once per fork in the program:
 * p1's exit ends the run, and without these its descendants would rarely get to run at all.
 */
function resolve(top: RawBlock): Program {
  const p = resolveRefs(top);
  if (top.last.op !== 'none') return p;
  return [...p, ...Array.from({ length: countForks(p) }, (): Op => ({ op: 'wait', sel: { kind: 'any' }, nohang: false }))];
}

function resolveRefs(top: RawBlock): Program {
  let next = 1;
  let forks = 0;
  const block = (b: RawBlock, forkScope: number[], pipeScope: number[]): Op[] => {
    const f = forkScope.slice();
    const q = pipeScope.slice();
    const out: Op[] = [];
    const pick = (scope: number[], r: number): number | undefined => (scope.length === 0 ? undefined : scope[r % scope.length]);
    for (const o of b.ops) {
      const id = next;
      let op: Op | undefined;
      switch (o.op) {
        case 'fork':
          if (forks >= MAX_FORKS) break;
          forks++;
          next++;
          out.push({ op: 'fork', child: block(o.child, f, q) });
          f.push(id);
          continue;
        case 'wait':
          if (o.sel === 'any' || o.sel === 'group') op = { op: 'wait', sel: { kind: o.sel }, nohang: o.nohang };
          else {
            const n = pick(f, o.ref);
            if (n !== undefined) op = { op: 'wait', sel: { kind: o.sel, fork: n }, nohang: o.nohang };
          }
          break;
        case 'kill': {
          const n = pick(f, o.ref);
          if (n !== undefined) op = { op: 'kill', fork: n };
          break;
        }
        case 'write':
        case 'read': {
          const n = pick(q, o.ref);
          if (n !== undefined) op = { op: o.op, pipe: n };
          break;
        }
        case 'close':
        case 'dup2': {
          const n = pick(q, o.ref);
          if (n !== undefined) op = { op: o.op, pipe: n, end: o.end };
          break;
        }
        case 'pipe':
          op = o;
          q.push(id);
          break;
        default:
          op = o;
      }
      if (op === undefined) continue;
      next++;
      out.push(op);
    }
    const last = b.last;
    if (last.op === 'exit') {
      next++;
      out.push({ op: 'exit', code: last.code });
    } else if (last.op === 'exec') {
      next++;
      out.push({ op: 'exec', image: block(last.image, f, q) });
    }
    return out;
  };
  return block(top, [], []);
}

const DEFAULT_SHAPE: Required<ProgramShape> = { depth: 2, block: MAX_BLOCK, forkWeight: 3, pipeWeight: 1, imageWeight: 1, exec: true, reads: true };

/** Programs of the given shape (every one valid: checkProgram accepts it). */
export function programArb(shape: ProgramShape = {}): fc.Arbitrary<Program> {
  const s = { ...DEFAULT_SHAPE, ...shape };
  if (s.depth > MAX_DEPTH) throw new RangeError(`program depth ${s.depth} is more than ${MAX_DEPTH}`);
  return rawBlock(s.depth, s).map(resolve);
}

/**
 * Programs that start with a fork (node 1) whose child runs a generated block, then (with
 * waitAfterFork) a blocking wait4 for that child, then more of the parent's operations.
 */
export function forkingProgramArb(shape: ProgramShape = {}, opts: { waitAfterFork?: boolean } = {}): fc.Arbitrary<Program> {
  const s = { ...DEFAULT_SHAPE, ...shape };
  const wait: RawOp[] = opts.waitAfterFork ? [{ op: 'wait', sel: 'child', ref: 0, nohang: false }] : [];
  return fc
    .record({ child: rawBlock(Math.max(0, s.depth - 1), s), after: rawBlock(0, s) })
    .map(({ child, after }) => resolve({ ops: [{ op: 'fork', child }, ...wait, ...after.ops], last: after.last }));
}

/** Schedules: choices read as indexes into the ready list (GuidedStrategy 'index'). */
export const choicesArb: fc.Arbitrary<number[]> = fc.array(fc.nat({ max: 7 }), { maxLength: 48 });
