// Generated process programs: the tree of process operations the interp guest
// (scenarios/guests/interp.c) runs, and its text form, which is the guest's argv[1] and
// appears as such in replay commands. Every operation is a node, numbered in pre-order from 1
// (n1, n2, ...): the guest tags what it observes with that number. Operations that name a
// fork or a pipe refer to its node number; they may only name nodes the process has itself
// executed or inherited at fork (earlier operations of its own block or of the blocks that
// enclose it), which decodeProgram checks.
//
// Text: one letter per operation, some followed by a number (see interp.c):
//   P Q T G S g s y o i V E     getpid getppid gettid getpgid getsid setpgid setsid yield out in getvar execfail
//   vN xN                       setvar N, exit N
//   f BLOCK .   e BLOCK .       fork (the child runs BLOCK, then exits 0), execve of itself with BLOCK
//   wa wg wcN wpN (+h)          wait4 for -1, 0, node N's child, node N's child's group (h: WNOHANG)
//   p pc                        pipe, pipe with O_CLOEXEC
//   WN RN CNr CNw DNr DNw kN    write, read, close an end, dup2 an end onto 0/1, kill(node N's child, SIGTERM)
// Only letters, digits and '.': no shell quoting needed.

export type Selector =
  | { kind: 'any' }
  | { kind: 'group' }
  | { kind: 'child'; fork: number }
  | { kind: 'pgroup'; fork: number };

export type SimpleOpName = 'getpid' | 'getppid' | 'gettid' | 'getpgid' | 'getsid' | 'setpgid' | 'setsid' | 'yield' | 'out' | 'in' | 'getvar' | 'execFail';

export type Op =
  | { op: SimpleOpName }
  | { op: 'setvar'; value: number }
  | { op: 'fork'; child: Op[] }
  | { op: 'exec'; image: Op[] }
  | { op: 'exit'; code: number }
  | { op: 'wait'; sel: Selector; nohang: boolean }
  | { op: 'pipe'; cloexec: boolean }
  | { op: 'write' | 'read'; pipe: number }
  | { op: 'close' | 'dup2'; pipe: number; end: 'r' | 'w' }
  | { op: 'kill'; fork: number };

export type Program = Op[];

/** Most nodes a program may have (the guest's node table). */
export const MAX_NODES = 250;
/** Largest number an operation may carry (exit code, variable value). */
export const MAX_VALUE = 100_000;

const SIMPLE: Record<string, SimpleOpName> = {
  P: 'getpid', Q: 'getppid', T: 'gettid', G: 'getpgid', S: 'getsid', g: 'setpgid', s: 'setsid',
  y: 'yield', o: 'out', i: 'in', V: 'getvar', E: 'execFail',
};
const SIMPLE_LETTER = Object.fromEntries(Object.entries(SIMPLE).map(([l, n]) => [n, l])) as Record<SimpleOpName, string>;

export function encodeProgram(p: Program): string {
  return p.map(encodeOp).join('');
}

function encodeOp(o: Op): string {
  switch (o.op) {
    case 'setvar':
      return `v${o.value}`;
    case 'fork':
      return `f${encodeProgram(o.child)}.`;
    case 'exec':
      return `e${encodeProgram(o.image)}.`;
    case 'exit':
      return `x${o.code}`;
    case 'wait': {
      const s = o.sel;
      const sel = s.kind === 'any' ? 'a' : s.kind === 'group' ? 'g' : `${s.kind === 'child' ? 'c' : 'p'}${s.fork}`;
      return `w${sel}${o.nohang ? 'h' : ''}`;
    }
    case 'pipe':
      return o.cloexec ? 'pc' : 'p';
    case 'write':
      return `W${o.pipe}`;
    case 'read':
      return `R${o.pipe}`;
    case 'close':
      return `C${o.pipe}${o.end}`;
    case 'dup2':
      return `D${o.pipe}${o.end}`;
    case 'kill':
      return `k${o.fork}`;
    default:
      return SIMPLE_LETTER[o.op];
  }
}

export class ProgramSyntaxError extends Error {}

/** The program a text encodes; a ProgramSyntaxError (one line) when it is not one. */
export function decodeProgram(text: string): Program {
  let at = 0;
  const fail = (why: string): never => {
    throw new ProgramSyntaxError(`bad program ${JSON.stringify(text)}: at character ${at + 1}: ${why}`);
  };
  const num = (): number => {
    const m = /^[0-9]+/.exec(text.slice(at));
    if (m === null) return fail('expected a number');
    const v = Number(m[0]);
    if (v > MAX_VALUE) fail(`number ${m[0]} is larger than ${MAX_VALUE}`);
    at += m[0].length;
    return v;
  };
  const end = (): 'r' | 'w' => {
    const c = text[at];
    if (c !== 'r' && c !== 'w') fail('expected r or w (the pipe end)');
    at++;
    return c as 'r' | 'w';
  };
  const block = (nested: boolean): Op[] => {
    const ops: Op[] = [];
    while (at < text.length && text[at] !== '.') ops.push(op());
    if (nested) {
      if (text[at] !== '.') fail("expected '.' to close the block");
      at++;
    }
    return ops;
  };
  const op = (): Op => {
    const c = text[at++];
    if (SIMPLE[c] !== undefined) return { op: SIMPLE[c] };
    switch (c) {
      case 'v':
        return { op: 'setvar', value: num() };
      case 'x':
        return { op: 'exit', code: num() };
      case 'f':
        return { op: 'fork', child: block(true) };
      case 'e':
        return { op: 'exec', image: block(true) };
      case 'w': {
        const k = text[at++];
        let sel: Selector;
        if (k === 'a') sel = { kind: 'any' };
        else if (k === 'g') sel = { kind: 'group' };
        else if (k === 'c' || k === 'p') sel = { kind: k === 'c' ? 'child' : 'pgroup', fork: num() };
        else {
          at--;
          return fail('expected a wait selector (a, g, cN, pN)');
        }
        const nohang = text[at] === 'h';
        if (nohang) at++;
        return { op: 'wait', sel, nohang };
      }
      case 'p': {
        const cloexec = text[at] === 'c';
        if (cloexec) at++;
        return { op: 'pipe', cloexec };
      }
      case 'W':
        return { op: 'write', pipe: num() };
      case 'R':
        return { op: 'read', pipe: num() };
      case 'C':
        return { op: 'close', pipe: num(), end: end() };
      case 'D':
        return { op: 'dup2', pipe: num(), end: end() };
      case 'k':
        return { op: 'kill', fork: num() };
      default:
        at--;
        return fail(`unknown operation ${JSON.stringify(c)}`);
    }
  };
  const program = block(false);
  if (at < text.length) fail("unexpected '.'");
  const problem = checkProgram(program);
  if (problem !== undefined) throw new ProgramSyntaxError(`bad program ${JSON.stringify(text)}: ${problem}`);
  return program;
}

/** A node of a program with its number and what encloses it. */
export interface ProgramNode {
  id: number;
  op: Op;
  /** Number of the fork or exec whose block holds this node (0 at top level). */
  parent: number;
}

/** Every node, by number (index 0 unused). */
export function programNodes(p: Program): ProgramNode[] {
  const out: ProgramNode[] = [{ id: 0, op: { op: 'yield' }, parent: 0 }];
  const walk = (ops: Op[], parent: number): void => {
    for (const op of ops) {
      const id = out.length;
      out.push({ id, op, parent });
      if (op.op === 'fork') walk(op.child, id);
      if (op.op === 'exec') walk(op.image, id);
    }
  };
  walk(p, 0);
  return out;
}

/** What an operation refers to: a fork node or a pipe node. */
function reference(o: Op): { kind: 'fork' | 'pipe'; id: number } | undefined {
  if (o.op === 'wait' && (o.sel.kind === 'child' || o.sel.kind === 'pgroup')) return { kind: 'fork', id: o.sel.fork };
  if (o.op === 'kill') return { kind: 'fork', id: o.fork };
  if (o.op === 'write' || o.op === 'read' || o.op === 'close' || o.op === 'dup2') return { kind: 'pipe', id: o.pipe };
  return undefined;
}

/**
 * Walk a program in pre-order with the fork and pipe nodes in scope at each node: those the
 * process running it has executed before (its block's earlier nodes, and those of every
 * enclosing block before the fork or exec that leads here).
 */
export function walkScopes(p: Program, visit: (id: number, op: Op, scope: { forks: readonly number[]; pipes: readonly number[] }) => void): void {
  let next = 1;
  const walk = (ops: Op[], forks: number[], pipes: number[]): void => {
    const f = forks.slice();
    const q = pipes.slice();
    for (const op of ops) {
      const id = next++;
      visit(id, op, { forks: f, pipes: q });
      if (op.op === 'fork') walk(op.child, f, q);
      if (op.op === 'exec') walk(op.image, f, q);
      if (op.op === 'fork') f.push(id);
      if (op.op === 'pipe') q.push(id);
    }
  };
  walk(p, [], []);
}

/** Why a program cannot run (bad reference, too many nodes, a value out of range), or undefined. */
export function checkProgram(p: Program): string | undefined {
  let problem: string | undefined;
  let count = 0;
  walkScopes(p, (id, op, scope) => {
    count = id;
    if (problem !== undefined) return;
    const ref = reference(op);
    if (ref !== undefined && !(ref.kind === 'fork' ? scope.forks : scope.pipes).includes(ref.id)) {
      problem = `n${id} (${op.op}) refers to n${ref.id}, which is not a ${ref.kind} this process has run`;
    }
    const v = op.op === 'exit' ? op.code : op.op === 'setvar' ? op.value : 0;
    if (!Number.isInteger(v) || v < 0 || v > MAX_VALUE) problem = `n${id} (${op.op}): ${v} is not a number from 0 to ${MAX_VALUE}`;
  });
  if (count > MAX_NODES) return `${count} operations, more than ${MAX_NODES}`;
  return problem;
}

/** Number of fork nodes, nested ones included. */
export function countForks(p: Program): number {
  let n = 0;
  walkScopes(p, (_id, op) => {
    if (op.op === 'fork') n++;
  });
  return n;
}
