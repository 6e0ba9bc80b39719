// Phase 0 behavioural contracts (BRIEF.md, "The contracts"; plan gates 1-4) as properties
// over generated programs and schedules: identity, fork, wait4, execve isolation.

import { all, always, exactlyOnce, OK, type Verdict } from '../predicates.ts';
import { programArb } from '../programs/arbitrary.ts';
import type { Observation, TraceEvent } from '../programs/observations.ts';
import { casesOf, type ContractProperty, universal } from './property.ts';
import { execSucceeded, observedStatus, UNKNOWN_REAPER, type World } from './world.ts';

const EBADF = -9;
const ECHILD = -10;
const ENOENT = -2;
const EPERM = -1;

const val = (o: Observation, k = 0): number => Number(o.vals[k]);
const tagged = (w: World, ...tags: string[]): Observation[] => w.run.obs.filter((o) => tags.includes(o.tag));
/** Trace index of the call an observation reports on (the observation itself if none). */
const at = (o: Observation): number => o.call?.i ?? o.i;
const expect = (got: number, want: number, what: string): true | string => got === want || `expected ${what} ${want}`;

/** P0.1: identity observations agree with the trace's facts. */
export function identityHolds(w: World): Verdict {
  return all(
    always('getpid() is the caller\'s pid', tagged(w, 'pid'), (o) => expect(val(o), w.pid(o.proc), `${o.proc}'s pid`)),
    always('gettid() is the pid (single-threaded processes)', tagged(w, 'tid'), (o) => expect(val(o), w.pid(o.proc), `${o.proc}'s pid`)),
    always('getppid() is the parent\'s pid (p1\'s own, the reaper\'s once the parent has exited: from outside, with an unknown reaper, any pid after the parent\'s last observation)', tagged(w, 'ppid'), (o) => {
      const parents = w.parentsAt(o.proc, at(o));
      if (parents.length === 0) return expect(val(o), w.topPpid, 'p1\'s ppid');
      if (parents.includes(UNKNOWN_REAPER) && val(o) >= 0) return true;
      const known = parents.filter((p) => p !== UNKNOWN_REAPER);
      if (parents.length === 1 && known.length === 1) return expect(val(o), w.pid(known[0]), `the pid of ${known[0]}`);
      return known.some((p) => val(o) === w.pid(p)) || `expected the pid of ${[...known.map((p) => `${p} ${w.pid(p)}`), ...parents.filter((p) => p === UNKNOWN_REAPER)].join(' or ')}`;
    }),
    always('getpgid(0) is the caller\'s group (p1: its pid; a child: its parent\'s at fork; setpgid/setsid change it)', tagged(w, 'pgid'), (o) =>
      expect(val(o), w.idsAt(o.proc, at(o)).pgid, 'pgid'),
    ),
    always('getsid(0) is the caller\'s session', tagged(w, 'sid'), (o) => expect(val(o), w.idsAt(o.proc, at(o)).sid, 'sid')),
    always('setpgid(0,0) succeeds except for a session leader (EPERM)', tagged(w, 'setpgid'), (o) => {
      const leader = w.idsAt(o.proc, at(o)).sid === w.pid(o.proc);
      return expect(val(o), leader ? EPERM : 0, leader ? 'for a session leader' : 'for a non-leader');
    }),
    always('setsid() returns the pid except for a group leader (EPERM)', tagged(w, 'setsid'), (o) => {
      const leader = w.idsAt(o.proc, at(o)).pgid === w.pid(o.proc);
      return expect(val(o), leader ? EPERM : w.pid(o.proc), leader ? 'for a group leader' : 'the pid');
    }),
  );
}

/** Each process's variable as the program's setvar/getvar see it: private after fork, reset by execve. */
function variableHolds(w: World): Verdict {
  const vars = new Map<string, number>([['p1', 0]]);
  const want = new Map<number, number>();
  const obsAt = new Map(w.run.obs.map((o) => [o.i, o]));
  for (const e of w.run.events) {
    const p = e.proc;
    if (p === undefined || e.event !== undefined) continue;
    const child = w.createdAt(e.i);
    if (child !== undefined) vars.set(child, vars.get(p) ?? 0);
    if (execSucceeded(e)) vars.set(p, 0);
    const o = obsAt.get(e.i);
    if (o?.tag === 'set') vars.set(p, val(o));
    if (o?.tag === 'var') want.set(o.i, vars.get(p) ?? 0);
  }
  return always('the variable reads what this process last set (inherited at fork, 0 after execve): memory is private', tagged(w, 'var'), (o) =>
    expect(val(o), want.get(o.i) ?? NaN, 'the value'),
  );
}

/** Steps of each process, in order. */
function stepsOf(w: World, p: string): TraceEvent[] {
  return w.run.events.filter((e) => e.proc === p && e.event === undefined);
}

/** P0.2: fork returns the child's pid to the parent and 0 to the child, which resumes right after it. */
export function forkHolds(w: World): Verdict {
  const forks = tagged(w, 'fork');
  return all(
    always('fork() succeeds and returns the new child\'s pid to the parent', forks.filter((o) => o.call !== undefined), (o) => {
      const c = o.call!;
      if (c.sys !== 'clone') return `observed after ${c.sys}, not clone`;
      if (c.errno !== undefined) return `fork failed with ${c.errno}`;
      if (typeof c.ret !== 'string') return `clone returned ${JSON.stringify(c.ret)}`;
      return expect(val(o), w.pid(c.ret), `the pid of ${c.ret}`);
    }),
    always('a child\'s first syscall is the report of its fork() returning 0 (it continues from the next instruction)', w.procs.filter((p) => p !== 'p1').map((p) => stepsOf(w, p).find((e) => e.sys !== undefined)).filter((e) => e !== undefined), (e) => {
      const o = w.run.obs.find((x) => x.i === e.i);
      if (o === undefined || o.tag !== 'fork') return 'the child did something else first';
      return expect(val(o), 0, 'fork() in the child to return');
    }),
    variableHolds(w),
  );
}

/** P0.3: wait4 returns a matching exited child with its status, each child once; blocks, 0 and ECHILD as Linux. */
export function waitHolds(w: World): Verdict {
  const waits = tagged(w, 'wait').filter((o) => o.vals[0] !== 'none');
  const byProc = new Map<string, Observation[]>();
  for (const o of w.run.obs) byProc.set(o.proc, [...(byProc.get(o.proc) ?? []), o]);
  return all(
    always('wait4 reports a matching child that has exited, with its status, and reaps it once; 0 only under WNOHANG while matching children run; ECHILD only with no matching child', waits, (o) => {
      const call = o.call;
      if (call?.sys !== 'wait4') return 'not observed right after wait4';
      const op = w.op(o);
      const nohang = op?.op === 'wait' && op.nohang;
      // From outside a child's exit and its reparenting are known only within bounds: a
      // result is wrong only if no child that may match explains it (the two are one on a trace).
      const kids = w.matching(o.proc, call.args?.pid, call.i);
      const sure = w.matching(o.proc, call.args?.pid, call.i, 'must');
      const r = val(o);
      if (r > 0) {
        const c = w.nameOf(r);
        if (c === undefined || !kids.includes(c)) return `pid ${r} is not a matching unreaped child (matching: ${kids.join(', ') || 'none'})`;
        if (w.exitedAt(c) > call.i) return `${c} has not exited`;
        if (w.reapedAt(c) < call.i) return `${c} was already reaped`;
        const st = observedStatus(o);
        return st === w.exitStatus(c) || `${c} ${w.exitStatus(c)}, but the status reads ${st}`;
      }
      if (r === 0) {
        if (!nohang) return 'returned 0 without WNOHANG';
        if (kids.length === 0) return 'returned 0 with no matching child';
        const gone = sure.filter((c) => w.surelyExitedAt(c) < call.i);
        return gone.length === 0 || `returned 0 although ${gone.join(', ')} had exited`;
      }
      if (r === ECHILD) return sure.length === 0 || `ECHILD although ${sure.join(', ')} ${sure.length > 1 ? 'are' : 'is'} an unreaped matching child`;
      return `unexpected result ${r}`;
    }),
    always('a parent left blocked in wait4 has no exited matching child (no lost wakeup)', stuckWaits(w), (e) => {
      const end = w.run.events.length;
      const gone = w.matching(e.proc!, e.args?.pid, end).filter((c) => w.exitedAt(c) < end);
      return gone.length === 0 || `${gone.join(', ')} exited, yet ${e.proc} was never woken`;
    }),
    ...waits.map((o) => {
      const mine = byProc.get(o.proc)!;
      const prev = mine[mine.indexOf(o) - 1];
      const span = stepsOf(w, o.proc).filter((e) => e.i < o.i && (prev === undefined || e.i > prev.i));
      return exactlyOnce(`a wait4 of ${o.proc} completes for node n${o.node} (a blocked parent resumes once)`, span, (e) => e.sys === 'wait4' && e.block === undefined);
    }),
  );
}

/** The wait4 calls that processes were still blocked in when a run deadlocked. */
function stuckWaits(w: World): TraceEvent[] {
  const v = w.run.verdict;
  if (v.kind !== 'deadlock') return [];
  return v.blocked
    .filter((b) => b.reason === 'wait')
    .flatMap((b) => stepsOf(w, b.proc).filter((e) => e.sys === 'wait4').slice(-1));
}

/** Pipe ends each process holds, by pipe node: the descriptor model fork copies and execve trims. */
type Ends = Map<number, { r: boolean; w: boolean; cloexec: boolean }>;

/** P0.4: execve changes only the caller's image: others' descriptors and memory are untouched; fds follow the exec rules. */
export function execHolds(w: World): Verdict {
  const held = new Map<string, Ends>([['p1', new Map()]]);
  const obsAt = new Map(w.run.obs.map((o) => [o.i, o]));
  const problems: Observation[] = [];
  const why = new Map<number, string>();
  const flag = (o: Observation, msg: string): void => {
    problems.push(o);
    why.set(o.i, msg);
  };
  for (const e of w.run.events) {
    const p = e.proc;
    if (p === undefined || e.event !== undefined) continue;
    const mine = held.get(p) ?? new Map();
    const child = w.createdAt(e.i);
    if (child !== undefined) held.set(child, new Map([...mine].map(([k, v]) => [k, { ...v }])));
    if (execSucceeded(e)) {
      for (const [k, v] of mine) if (v.cloexec) mine.set(k, { ...v, r: false, w: false });
    }
    const o = obsAt.get(e.i);
    if (o === undefined) continue;
    const op = w.op(o);
    if (o.tag === 'pipe' && op?.op === 'pipe' && val(o) === 0) mine.set(o.node, { r: true, w: true, cloexec: op.cloexec });
    if (o.tag === 'fd') {
      const m = /^([0-9]+)([rw])$/.exec(o.vals[0] ?? '');
      const end = m === null ? undefined : mine.get(Number(m[1]));
      const open = end !== undefined && end[m![2] as 'r' | 'w'];
      if (open !== (o.vals[1] === 'ok')) flag(o, open ? 'a plain descriptor this process never closed is gone after its execve' : 'an O_CLOEXEC descriptor survived execve');
      if (!open && end !== undefined) end[m![2] as 'r' | 'w'] = false;
    }
    if (op !== undefined && (op.op === 'write' || op.op === 'read' || op.op === 'close' || op.op === 'dup2') && ['write', 'read', 'close', 'dup2'].includes(o.tag)) {
      const side = op.op === 'close' || op.op === 'dup2' ? op.end : op.op === 'write' ? 'w' : 'r';
      const end = mine.get(op.pipe);
      if (end?.[side] && val(o) === EBADF) flag(o, `${p} never closed this descriptor, yet it is gone (EBADF)`);
      if (op.op === 'close' && end !== undefined) end[side] = false;
    }
    if (o.tag === 'execfail' && val(o) !== ENOENT) flag(o, 'a failed execve must return ENOENT');
    if (o.tag === 'exec') flag(o, `execve of the program's own image failed (${val(o)})`);
    held.set(p, mine);
  }
  return all(
    problems.length === 0 ? OK : always('descriptors change only by the holder\'s own close and execve (O_CLOEXEC closed, plain ones kept); a failed execve returns ENOENT; execve of the program itself succeeds', problems, (o) => why.get(o.i)!),
    variableHolds(w),
  );
}

const programs = casesOf(programArb());
/** P0.4 leans on descriptors and images: more pipes and execs than the others. */
const fdPrograms = casesOf(programArb({ pipeWeight: 3, imageWeight: 2 }));

export const P0_1: ContractProperty = {
  id: 'P0.1',
  name: 'identity',
  phase: 0,
  statement: 'getpid/gettid/getppid/getpgid/getsid observations match the trace: own pid, parent (or reaper), inherited and changed group and session',
  cases: programs,
  judge: universal(identityHolds),
};

export const P0_2: ContractProperty = {
  id: 'P0.2',
  name: 'fork return values and next instruction',
  phase: 0,
  statement: 'fork returns the child pid to the parent and 0 to the child as its first step; memory is private to each side',
  cases: programs,
  judge: universal(forkHolds),
};

export const P0_3: ContractProperty = {
  id: 'P0.3',
  name: 'wait status and exactly-once resume',
  phase: 0,
  statement: 'wait4 returns a matching exited child with its status, reaps it once, 0/ECHILD only when Linux would, and completes once per call',
  cases: programs,
  judge: universal(waitHolds),
};

export const P0_4: ContractProperty = {
  id: 'P0.4',
  name: 'exec isolation',
  phase: 0,
  statement: 'execve in one process leaves the others\' descriptors and memory intact, keeps plain fds, closes O_CLOEXEC ones; a failed execve returns ENOENT',
  cases: fdPrograms,
  judge: universal(execHolds),
};

export const PHASE0: ContractProperty[] = [P0_1, P0_2, P0_3, P0_4];

