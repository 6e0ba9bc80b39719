// The facts of a run as the trace shows them, independent of what the guest believed: who
// created whom (clone results), when each process exited and how (exit calls, kills, exit
// events), which wait returned which child, and each process's group and session over time
// (setpgid/setsid results). The contracts compare the guest's observations with these.
//
// The same view serves an external emulator (procsim gate --sut), built from its marked
// observations alone (src/sim/sut/observed.ts): there a process's exit is only known to lie
// somewhere after its last observation and before the wait that reaped it, p1's parent,
// group and session are the emulator's, and the reaper may be no process of the run. The
// questions that depend on it (who is the parent, which children can match a wait) then
// answer with what may be and what must be; on a trace both are the same.

import { signalName } from '../../process/signals.ts';
import type { Json } from '../decode.ts';
import { programNodes, type Op, type Program } from '../programs/program.ts';
import type { Observation, RunView, TraceEvent } from '../programs/observations.ts';

/** What a World is built from: a traced run's view, or one made of an emulator's observations. */
export interface WorldView extends RunView {
  program: Program;
  /** Set when the view comes from outside (no trace): the facts a trace would have given. */
  outside?: OutsideFacts;
}

export interface OutsideFacts {
  /** p1's parent, group and session when it started (a traced p1 has 0, its pid, its pid). */
  top: { ppid: number; pgid: number; sid: number };
  /** Orphans go to p1 (it is the init of its pid namespace); otherwise their reaper is unknown. */
  reaperIsP1: boolean;
  /** The getpid() each observation's writer reported with it, by the observation's index. */
  writerPid: Map<number, number>;
  /**
   * Processes killed without an exit report, and the index after their last line: the call
   * they were in may have run unreported (a setpgid, a setsid, a wait that reaped a child).
   */
  unreportedAfter: Map<string, number>;
}

/** A parent that is no process of the run: the reaper of an emulator whose init is not p1. */
export const UNKNOWN_REAPER = '(the reaper)';

interface Ids {
  /** From this trace index on. */
  from: number;
  /** From outside, the change may have happened as early as this index (else: from). */
  earliest: number;
  pgid: number;
  sid: number;
}

const NAME = /^p[0-9]+$/;
const isName = (v: Json | undefined): v is string => typeof v === 'string' && NAME.test(v);

export class World {
  /** Creator of each process (null for p1) and the clone line that made it. */
  private readonly spawned = new Map<string, { parent: string | null; at: number }>();
  private readonly exits = new Map<string, { at: number; status: string }>();
  private readonly reaps = new Map<string, { at: number; by: string }>();
  /** The child each clone line created, by trace index. */
  private readonly clones = new Map<number, string>();
  private readonly ids = new Map<string, Ids[]>();
  private readonly nodes: Op[];

  constructor(readonly run: WorldView) {
    this.nodes = programNodes(run.program).map((n) => n.op);
    this.spawned.set('p1', { parent: null, at: -1 });
    const p1 = this.pid('p1');
    const top = run.outside?.top;
    this.ids.set('p1', [{ from: -1, earliest: -1, pgid: top?.pgid ?? p1, sid: top?.sid ?? p1 }]);
    for (const e of run.events) this.learn(e);
    for (const [p, after] of run.outside?.unreportedAfter ?? []) this.ids.get(p)?.push({ from: Infinity, earliest: after, pgid: this.pid(p), sid: this.pid(p) });
  }

  /** Index of each process's latest step so far (while learning). */
  private readonly lastStep = new Map<string, number>();
  /** From outside: the earliest index each step's call may have run at (right after its process's previous step). */
  private readonly earliestOf = new Map<number, number>();

  /** The earliest index the step at i may have run at (i itself on a trace). */
  private earliest(i: number): number {
    return this.earliestOf.get(i) ?? i;
  }

  /** What getppid() returns in p1. */
  get topPpid(): number {
    return this.run.outside?.top.ppid ?? 0;
  }

  private learn(e: TraceEvent): void {
    const p = e.proc;
    if (p === undefined) return;
    const exited = (status: string): void => {
      if (!this.exits.has(p)) this.exits.set(p, { at: e.i, status });
    };
    if (e.event === 'exit' && typeof e.status === 'string') exited(e.status);
    if (e.event !== undefined) return;
    // From outside a call is known only to lie after the caller's previous step.
    const earliest = this.run.outside === undefined ? e.i : (this.lastStep.get(p) ?? -1) + 1;
    this.lastStep.set(p, e.i);
    if (earliest !== e.i) this.earliestOf.set(e.i, earliest);
    if (e.killed !== undefined) exited(`killed ${e.killed}`);
    const done = e.ret === undefined && e.errno === undefined && e.block === undefined;
    if ((e.sys === 'exit' || e.sys === 'exit_group') && done) exited(`exited ${Number(e.args?.status ?? 0) & 0xff}`);
    // A rollback fork blocks the parent in clone (the child is made, its name is the next
    // one) and returns on the retry (the child's name; legacy-rollback's count from 100):
    // the child exists from the first line.
    if (e.sys === 'clone' && !e.retry && (isName(e.ret) || e.block !== undefined)) {
      const c = isName(e.ret) ? e.ret : `p${this.spawned.size + 1}`;
      this.spawned.set(c, { parent: p, at: e.i });
      this.clones.set(e.i, c);
      const mine = this.idsAt(p, e.i);
      this.ids.set(c, [{ from: e.i, earliest: e.i, pgid: mine.pgid, sid: mine.sid }]);
    }
    if (e.sys === 'wait4' && isName(e.ret) && !this.reaps.has(e.ret)) this.reaps.set(e.ret, { at: e.i, by: p });
    if (e.sys === 'setpgid' && e.ret === 0) this.ids.get(p)?.push({ from: e.i, earliest, pgid: this.pid(p), sid: this.idsAt(p, e.i).sid });
    if (e.sys === 'setsid' && e.errno === undefined && e.ret !== undefined) this.ids.get(p)?.push({ from: e.i, earliest, pgid: this.pid(p), sid: this.pid(p) });
  }

  /** The process the clone at trace index i created, if it created one. */
  createdAt(i: number): string | undefined {
    return this.clones.get(i);
  }

  /** The program operation an observation reports on. */
  op(o: Observation): Op | undefined {
    return this.nodes[o.node];
  }

  get procs(): string[] {
    return [...this.spawned.keys()];
  }

  pid(name: string): number {
    const pid = this.run.pids.get(name);
    if (pid === undefined) throw new Error(`no process ${name} in this run`);
    return pid;
  }

  /** The process with this pid among those of the run (the latest one if reused). */
  nameOf(pid: number): string | undefined {
    let found: string | undefined;
    for (const [n, p] of this.run.pids) if (p === pid) found = n;
    return found;
  }

  creator(name: string): string | null {
    return this.spawned.get(name)?.parent ?? null;
  }

  /** Trace index of the clone that created the process (-1 for p1). */
  spawnedAt(name: string): number {
    return this.spawned.get(name)?.at ?? Infinity;
  }

  /** Trace index of the process's exit (from outside: the earliest it may have exited). */
  exitedAt(name: string): number {
    return this.exits.get(name)?.at ?? Infinity;
  }

  /** From this index on the process has surely exited (from outside: once a wait reaped it). */
  surelyExitedAt(name: string): number {
    return this.run.outside === undefined ? this.exitedAt(name) : this.reapedAt(name);
  }

  exitStatus(name: string): string | undefined {
    return this.exits.get(name)?.status;
  }

  reapedAt(name: string): number {
    return this.reaps.get(name)?.at ?? Infinity;
  }

  /**
   * Who the parent may be at trace index i: the creator while it lives, then the reaper (p1,
   * or UNKNOWN_REAPER from outside when p1 is not the init); both while the creator may or
   * may not have exited yet; none for p1.
   */
  parentsAt(name: string, i: number): string[] {
    const c = this.creator(name);
    if (c === null) return [];
    const reaper = this.run.outside === undefined || this.run.outside.reaperIsP1 ? 'p1' : UNKNOWN_REAPER;
    // The call at i ran somewhere from earliest(i) to i.
    if (this.exitedAt(c) >= i) return [c];
    if (this.surelyExitedAt(c) < this.earliest(i)) return [reaper];
    return [c, reaper];
  }

  /** The groups the process may be in at index i: one, or (from outside, while a change may or may not have happened) the old and the new. */
  pgidsAt(name: string, i: number): number[] {
    const h = this.ids.get(name) ?? [];
    const lo = this.earliest(i);
    // Every entry that may be in force at some point from lo to i: it may have begun by i,
    // and no later one surely began before lo.
    const live = h.filter((x, k) => x.earliest < i && !h.slice(k + 1).some((y) => y.from < lo));
    return [...new Set(live.map((x) => x.pgid))];
  }

  idsAt(name: string, i: number): Ids {
    const h = this.ids.get(name) ?? [];
    let cur = h[0];
    for (const x of h) if (x.from < i) cur = x;
    return cur;
  }

  /**
   * Children of `parent` at index i not reaped before it, matching a wait4 selector as the
   * trace shows it: those that may be its children, or (`must`) those that surely are.
   */
  matching(parent: string, sel: Json | undefined, i: number, certainty: 'may' | 'must' = 'may'): string[] {
    const unreported = (p: string | null): boolean => p !== null && (this.run.outside?.unreportedAfter.get(p) ?? Infinity) < i;
    const mine = (c: string): boolean => {
      const ps = this.parentsAt(c, i);
      if (certainty === 'may') return ps.includes(parent);
      // A child whose creator was killed in an unreported call may have been reaped by it.
      return ps.length === 1 && ps[0] === parent && !unreported(this.creator(c));
    };
    const kids = this.procs.filter((c) => c !== 'p1' && this.spawnedAt(c) < i && this.reapedAt(c) >= i && mine(c));
    const group = (g: number) => kids.filter((c) => (certainty === 'may' ? this.pgidsAt(c, i).includes(g) : this.pgidsAt(c, i).every((x) => x === g)));
    if (sel === -1) return kids;
    if (sel === 0) return group(this.idsAt(parent, i).pgid);
    if (typeof sel === 'string' && NAME.test(sel)) return kids.filter((c) => c === sel);
    if (typeof sel === 'string' && NAME.test(sel.slice(1)) && sel[0] === '-') return group(this.pid(sel.slice(1)));
    if (typeof sel === 'number' && sel < -1) return group(-sel);
    return [];
  }
}

/** A step that replaced the caller's image: execve that did not return. */
export function execSucceeded(e: TraceEvent): boolean {
  return e.sys === 'execve' && e.ret === undefined && e.errno === undefined && e.block === undefined;
}

/** The wait status a guest observation spells ("exited 3", "killed 15") in the trace's words. */
export function observedStatus(o: Observation): string {
  const [, kind, v] = o.vals;
  return kind === 'killed' ? `killed ${signalName(Number(v))}` : `${kind} ${v}`;
}
