// What an external emulator's run of the interp-sut guest shows: its marked observation lines
// ("@procsim n7 pid 5 @12", see scenarios/guests/interp.c), read from stdout and stderr, and
// the World view they amount to. No trace says who wrote a line, so the writer is the process
// that runs the line's node (the program's structure fixes it: each block is run by one
// process), and the events a trace would have are put in where the lines prove they happened:
// a fork before the first line of either side, an execve before the first line of the new
// image, a process's exit right after its last line (the earliest it may have exited; right
// after its fork if it wrote none). The
// phase-0 predicates then judge this view as they judge a trace (src/sim/contracts/world.ts).

import { errnoName } from '../../process/errno.ts';
import { signalName } from '../../process/signals.ts';
import type { Json } from '../decode.ts';
import type { Observation, TraceEvent } from '../programs/observations.ts';
import { type Op, programNodes, type Program, type ProgramNode } from '../programs/program.ts';
import type { WorldView } from '../contracts/world.ts';

/** One marked line: node, tag and values as interp.c writes them, and the writer's own getpid(). */
export interface MarkedLine {
  node: number;
  tag: string;
  vals: string[];
  /** The writer's getpid() (the `@N` at the end). */
  pid: number;
  /** The line without its mark and pid: "n7 pid 5". */
  text: string;
}

/** Output that is not what the interp-sut guest writes: the message says what is wrong. */
export class ObservationError extends Error {}

const MARK = '@procsim ';
const LINE = /^n([0-9]+) ([a-z0-9]+)((?: [^ @]+)*) @(-?[0-9]+)$/;

function linesOf(out: string): MarkedLine[] {
  const lines: MarkedLine[] = [];
  for (let at = out.indexOf(MARK); at >= 0; at = out.indexOf(MARK, at + 1)) {
    const end = out.indexOf('\n', at);
    const body = out.slice(at + MARK.length, end < 0 ? undefined : end);
    const m = LINE.exec(body);
    if (m === null || end < 0) throw new ObservationError(`unreadable observation ${JSON.stringify(out.slice(at, end < 0 ? at + 80 : end))}${end < 0 ? ' (cut off)' : ''}`);
    const vals = m[3].trim() === '' ? [] : m[3].trim().split(' ');
    lines.push({ node: Number(m[1]), tag: m[2], vals, pid: Number(m[4]), text: `n${m[1]} ${m[2]}${m[3]}` });
  }
  return lines;
}

/** The marked lines of a run, from whichever stream carries them (the guest's stderr, or stdout if the SUT merges them). */
export function markedLines(stdout: string, stderr: string): MarkedLine[] {
  const out = linesOf(stdout);
  const err = linesOf(stderr);
  if (out.length > 0 && err.length > 0) {
    throw new ObservationError('observations on both stdout and stderr: their order is lost (the SUT must keep the guest\'s stderr on one stream)');
  }
  return out.length > 0 ? out : err;
}

/** Tags each operation writes (node 0: the first image's start and end). */
const TAGS: Record<Op['op'], readonly string[]> = {
  getpid: ['pid'], getppid: ['ppid'], gettid: ['tid'], getpgid: ['pgid'], getsid: ['sid'], setpgid: ['setpgid'], setsid: ['setsid'],
  yield: ['yield'], out: ['out'], in: ['in'], getvar: ['var'], execFail: ['execfail'], setvar: ['set'], fork: ['fork', 'exit'],
  exec: ['exec', 'fd', 'exit'], exit: ['exit'], wait: ['wait'], pipe: ['pipe'], write: ['write'], read: ['read'], close: ['close'],
  dup2: ['dup2'], kill: ['kill'],
};

/** The syscall a tag reports on (the ones absent report none of their own). */
const SYS: Record<string, string> = {
  pid: 'getpid', ppid: 'getppid', tid: 'gettid', pgid: 'getpgid', sid: 'getsid', setpgid: 'setpgid', setsid: 'setsid', yield: 'sched_yield',
  out: 'write', in: 'read', wait: 'wait4', pipe: 'pipe2', write: 'write', read: 'read', close: 'close', dup2: 'dup3', kill: 'kill',
  execfail: 'execve', exec: 'execve',
};

/** Which process runs each node, and in which image: the program's structure. */
class Structure {
  readonly nodes: ProgramNode[];

  constructor(program: Program) {
    this.nodes = programNodes(program);
  }

  op(n: number): Op['op'] | undefined {
    return n === 0 ? undefined : this.nodes[n]?.op.op;
  }

  /** The process running node n: 0 for p1, else the fork node whose child it is. */
  owner(n: number): number {
    let p = this.nodes[n].parent;
    while (p !== 0 && this.op(p) === 'exec') p = this.nodes[p].parent;
    return p;
  }

  /** The innermost execve image node n is part of (0: the first image); a fork child starts in its parent's. */
  image(n: number): number {
    for (let p = this.nodes[n].parent; p !== 0; p = this.nodes[p].parent) if (this.op(p) === 'exec') return p;
    return 0;
  }
}

/** A line with its writer (process key: 0 for p1, else its fork node) and image. */
export interface Placed extends MarkedLine {
  key: number;
  image: number;
}

/** Each line with its writer and image; an ObservationError for a line the program cannot write. */
export function placeLines(program: Program, lines: readonly MarkedLine[]): Placed[] {
  return place(new Structure(program), lines);
}

/** The parent's report of a fork (the child's own is "fork 0" under the same node). */
export const isParentFork = (l: Placed): boolean => l.tag === 'fork' && l.key !== l.node;

function place(s: Structure, lines: readonly MarkedLine[]): Placed[] {
  const childSpoke = new Set<number>();
  return lines.map((l) => {
    const op = s.op(l.node);
    if (l.node !== 0 && op === undefined) throw new ObservationError(`observation "${l.text}" names node n${l.node}, which the program does not have`);
    const tags = op === undefined ? ['start', 'exit'] : TAGS[op];
    if (!tags.includes(l.tag)) throw new ObservationError(`observation "${l.text}" is not one node n${l.node} (${op ?? 'the program'}) writes`);
    if (l.node === 0) return { ...l, key: 0, image: 0 };
    // A fork's "fork 0" and "exit" are the child's (a second "fork 0" can only be the parent's).
    if (op === 'fork' && ((l.tag === 'fork' && l.vals[0] === '0' && !childSpoke.has(l.node)) || l.tag === 'exit')) {
      if (l.tag === 'fork') childSpoke.add(l.node);
      return { ...l, key: l.node, image: s.image(l.node) };
    }
    // An image's descriptor reports and its end belong to the image itself.
    const inImage = op === 'exec' && (l.tag === 'fd' || l.tag === 'exit');
    return { ...l, key: s.owner(l.node), image: inImage ? l.node : s.image(l.node) };
  });
}

/**
 * The World view of an emulator's run of `program`. A `blocked` run never ended (it timed
 * out): a process whose last line is not its exit report is taken to be still blocked.
 */
export function outsideView(program: Program, lines: readonly MarkedLine[], blocked = false): WorldView {
  const s = new Structure(program);
  const placed = place(s, lines);
  const start = placed[0];
  if (start === undefined || start.tag !== 'start' || start.vals.length !== 3) {
    throw new ObservationError(`the run's first observation is ${start === undefined ? 'missing' : `"${start.text}"`}, not the guest's start report`);
  }
  /** What each fork returned in its parent. */
  const forkRet = new Map<number, number>(placed.filter(isParentFork).map((l) => [l.node, Number(l.vals[0])]));
  // Names by first sight of a process (its own line, or its parent's report of its fork).
  const names = new Map<number, string>([[0, 'p1']]);
  const name = (key: number): string => {
    let n = names.get(key);
    if (n === undefined) names.set(key, (n = `p${names.size + 1}`));
    return n;
  };
  for (const l of placed) {
    if (l.key !== 0) name(l.key);
    if (isParentFork(l) && Number(l.vals[0]) > 0) name(l.node);
  }
  const pids = new Map<string, number>();
  for (const [key, n] of names) pids.set(n, key === 0 ? start.pid : forkRet.get(key) ?? placed.find((l) => l.key === key)!.pid);
  const nameOfPid = (pid: number): string | undefined => {
    let found: string | undefined;
    for (const [n, p] of pids) if (p === pid) found = n;
    return found;
  };

  const lastLine = new Map<number, number>();
  placed.forEach((l, k) => lastLine.set(l.key, k));
  const statusOf = (key: number): string => {
    const exit = placed.find((l) => l.key === key && l.tag === 'exit');
    const reaped = placed.find((l) => l.tag === 'wait' && nameOfPid(Number(l.vals[0])) === names.get(key) && l.vals[1] === 'killed');
    const killed = reaped === undefined ? undefined : `killed ${signalName(Number(reaped.vals[2]))}`;
    if (exit === undefined) return killed ?? 'killed (no exit observed)';
    // A kill sent to it may land between its exit report and its exit.
    const sent = placed.some((l) => l.tag === 'kill' && l.vals[0] === '0' && (s.nodes[l.node].op as { fork?: number }).fork === key);
    return sent && killed !== undefined ? killed : `exited ${Number(exit.vals[0]) & 0xff}`;
  };

  const events: TraceEvent[] = [];
  const obs: Observation[] = [];
  const last = new Map<string, TraceEvent>();
  /** Events are numbered by the observation line (from 1) that shows them: a "step" in messages is a line. */
  let line = 0;
  const push = (e: Omit<TraceEvent, 'i'>): TraceEvent => {
    const ev: TraceEvent = { ...e, i: events.length, step: line };
    events.push(ev);
    if (ev.proc !== undefined && ev.event === undefined) last.set(ev.proc, ev);
    return ev;
  };
  const writerPid = new Map<number, number>();
  const stuck: { proc: string; reason: string }[] = [];
  const unreportedAfter = new Map<string, number>();
  const image = new Map<number, number>([[0, 0]]);
  /** The process runs image `img` from now: an execve if it was in an older one. */
  const enter = (key: number, img: number): void => {
    if (image.get(key) === img) return;
    push({ proc: name(key), sys: 'execve', args: { path: 'interp-sut' } });
    image.set(key, img);
  };
  const spawn = (key: number): void => {
    if (image.has(key)) return;
    const parent = s.owner(key);
    spawn(parent);
    // The fork ran in the image that holds the fork node (the parent may have exec'd into it).
    enter(parent, s.image(key));
    image.set(key, s.image(key));
    push({ proc: name(parent), sys: 'clone', args: { flags: 'SIGCHLD' }, ret: name(key) });
    push({ event: 'spawn', proc: name(key), parent: name(parent) });
    // A child that never wrote a line (killed at once) may have exited right after its fork.
    if (!lastLine.has(key)) unreportedAfter.set(name(key), push({ event: 'exit', proc: name(key), status: statusOf(key) }).i);
  };
  const result = (v: number): { ret?: Json; errno?: string } => (v < 0 ? { errno: errnoName(-v) ?? `errno ${-v}` } : { ret: v });
  /** A pid as a trace shows it: the process's name, or the number. */
  const pidArg = (v: number): Json => nameOfPid(v) ?? v;
  const selector = (l: Placed): Json => {
    const op = s.nodes[l.node].op;
    if (op.op !== 'wait' || op.sel.kind === 'any') return -1;
    if (op.sel.kind === 'group') return 0;
    const child = forkRet.get(op.sel.fork) ?? 0;
    const arg = pidArg(child);
    return op.sel.kind === 'child' ? arg : typeof arg === 'string' ? `-${arg}` : -child;
  };

  placed.forEach((l, k) => {
    line = k + 1;
    spawn(l.key);
    const proc = name(l.key);
    enter(l.key, l.image);
    const v = Number(l.vals[0]);
    if (isParentFork(l) && v > 0) spawn(l.node);
    else if (isParentFork(l)) push({ proc, sys: 'clone', args: { flags: 'SIGCHLD' }, ...result(v) });
    else if (SYS[l.tag] !== undefined && l.vals[0] !== 'none') {
      const r = l.tag === 'wait' && v > 0 ? { ret: pidArg(v) } : result(v);
      push({ proc, sys: SYS[l.tag], ...(l.tag === 'wait' ? { args: { pid: selector(l) } } : {}), ...r });
    }
    const reports = l.tag !== 'start' && l.tag !== 'exit' && l.tag !== 'set' && l.tag !== 'var' && l.tag !== 'fd' && l.key !== l.node;
    const call = reports && l.vals[0] !== 'none' ? last.get(proc) : undefined;
    const write = push({ proc, sys: 'write', args: { fd: 3, buf: `${l.text}\n` }, ret: l.text.length + 1 });
    if (l.node !== 0 || l.tag !== 'start') {
      const o: Observation = { i: write.i, proc, node: l.node, tag: l.tag, vals: l.vals, text: l.text };
      if (call !== undefined) o.call = call;
      obs.push(o);
      writerPid.set(o.i, l.pid);
    }
    if (lastLine.get(l.key) === k) {
      const status = statusOf(l.key);
      if (blocked && l.tag !== 'exit' && !status.startsWith('killed ')) {
        stuck.push({ proc, reason: 'seen from outside: no exit' });
        return;
      }
      const exit = push({ event: 'exit', proc, status });
      if (l.tag !== 'exit') unreportedAfter.set(proc, exit.i);
    }
  });
  const [ppid, pgid, sid] = start.vals.map(Number);
  return {
    program,
    events,
    obs,
    pids,
    verdict: blocked ? { kind: 'deadlock', blocked: stuck } : { kind: 'exit', status: 0 },
    outside: { top: { ppid, pgid, sid }, reaperIsP1: start.pid === 1, writerPid, unreportedAfter },
  };
}
