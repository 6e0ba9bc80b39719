// Phase 1 contracts (plan: "In-runtime process model + host-aware process table"): identity
// comes from the process table, whose events (spawn, exec, exit, wait-wakeup, reap) the
// host drains in order; wait4(WNOHANG) returns 0 while the child runs; an exit emits a
// wait wakeup and the entry is reaped exactly once.

import { all, always, before, exactlyOnce, eventually, fail, never, OK, type Verdict } from '../predicates.ts';
import { programArb } from '../programs/arbitrary.ts';
import type { Observation, TraceEvent } from '../programs/observations.ts';
import { type GeneratedRun, runGenerated } from '../programs/run.ts';
import { type Case, casesOf, type ContractProperty, type Judgement, universal } from './property.ts';
import type { KernelVariantName } from '../../process/variants/index.ts';
import type { World } from './world.ts';

const ECHILD = -10;

const eventsOf = (w: World, kind: string, proc?: string): TraceEvent[] =>
  w.run.events.filter((e) => e.event === kind && (proc === undefined || e.proc === proc));
const tagged = (w: World, ...tags: string[]): Observation[] => w.run.obs.filter((o) => tags.includes(o.tag));
const at = (o: Observation): number => o.call?.i ?? o.i;

/** Parent of a process according to the table's events: its spawn event, then p1 once that parent's exit event is out. */
function tableParent(w: World, p: string, i: number): string | null | undefined {
  const spawn = eventsOf(w, 'spawn', p)[0];
  if (spawn === undefined) return undefined;
  const parent = spawn.parent;
  if (typeof parent !== 'string') return null;
  const exit = eventsOf(w, 'exit', parent)[0];
  return exit !== undefined && exit.i < i ? 'p1' : parent;
}

/** P1.1: the table knows every process (one spawn event naming its creator) and getpid/getppid answer from it. */
export function tableIdentityHolds(w: World): Verdict {
  return all(
    ...w.procs.map((p) => exactlyOnce(`a spawn event for ${p}`, w.run.events, (e) => e.event === 'spawn' && e.proc === p)),
    always('a spawn event names the creator as parent', eventsOf(w, 'spawn'), (e) => (e.parent ?? null) === w.creator(e.proc!) || `created by ${w.creator(e.proc!) ?? 'nobody'}`),
    always('getpid() is the table\'s pid', tagged(w, 'pid'), (o) => Number(o.vals[0]) === w.pid(o.proc) || `the table has ${o.proc} as pid ${w.pid(o.proc)}`),
    always('getppid() is the table\'s parent', tagged(w, 'ppid'), (o) => {
      const parent = tableParent(w, o.proc, at(o));
      const want = parent === null || parent === undefined ? 0 : w.pid(parent);
      return Number(o.vals[0]) === want || `the table has ${parent ?? 'no parent'} (pid ${want})`;
    }),
  );
}

/** P1.2: process events come out in lifecycle order, at the step they happen, nothing dropped. */
export function eventOrderHolds(w: World): Verdict {
  const ev = w.run.events;
  const steps = ev.filter((e) => e.event === undefined && e.proc !== undefined);
  const perProc = w.procs.flatMap((p): Verdict[] => {
    const mine = ev.filter((e) => e.proc === p);
    const exited = w.exitedAt(p) < Infinity;
    return [
      exactlyOnce(`spawn of ${p}`, mine, (e) => e.event === 'spawn'),
      before(`${p}'s spawn event precedes its steps`, mine, (e) => e.event === 'spawn', (e) => e.event === undefined),
      exited ? exactlyOnce(`exit event of ${p}`, mine, (e) => e.event === 'exit') : OK,
      always(`${p}'s exit event carries its exit status`, mine.filter((e) => e.event === 'exit'), (e) => e.status === w.exitStatus(p) || `${p} ${w.exitStatus(p)}`),
      before(`${p} exits before it is reaped`, mine, (e) => e.event === 'exit', (e) => e.event === 'reap'),
      before(`${p} exits before its parent is woken for it`, mine, (e) => e.event === 'exit', (e) => e.event === 'wait-wakeup'),
      never(`${p} steps after its exit event`, mine.slice(mine.findIndex((e) => e.event === 'exit') + 1 || mine.length), (e) => e.event === undefined && e.sys !== undefined),
    ];
  });
  let last = 0;
  return all(
    never('events are dropped', ev, (e) => e.event === 'dropped'),
    always('events are drained in step order', ev.filter((e) => e.step !== undefined), (e) => {
      const ok = e.step! >= last;
      last = e.step!;
      return ok || 'out of order';
    }),
    always('a spawn event comes at the step of the fork that made it', eventsOf(w, 'spawn').filter((e) => e.proc !== 'p1'), (e) => {
      const clone = steps.find((s) => s.i === w.spawnedAt(e.proc!));
      return clone?.step === e.step || `the fork was at step ${clone?.step}`;
    }),
    ...perProc,
  );
}

/** P1.3: wait4(WNOHANG) returns 0 exactly while matching children run and none has exited. */
export function nohangHolds(w: World): Verdict {
  const nohang = tagged(w, 'wait').filter((o) => {
    const op = w.op(o);
    return o.vals[0] !== 'none' && op?.op === 'wait' && op.nohang;
  });
  return always('wait4(WNOHANG) is 0 while matching children all run, a child once one has exited, ECHILD with none', nohang, (o) => {
    const call = o.call;
    if (call?.sys !== 'wait4') return 'not observed right after wait4';
    const kids = w.matching(o.proc, call.args?.pid, call.i);
    const running = kids.filter((c) => w.exitedAt(c) > call.i);
    const r = Number(o.vals[0]);
    if (kids.length === 0) return r === ECHILD || 'no matching child: expected ECHILD';
    if (running.length === kids.length) return r === 0 || `${running.join(', ')} still running: expected 0`;
    const c = w.nameOf(r);
    return (r > 0 && c !== undefined && kids.includes(c) && w.exitedAt(c) < call.i) || `expected an exited child among ${kids.join(', ')}`;
  });
}

/** P1.4: a child's exit emits a wait wakeup; a wait that collects it reaps its entry once, at that step. */
export function wakeupReapHolds(w: World): Verdict {
  const collected = tagged(w, 'wait').filter((o) => Number(o.vals[0]) > 0 && o.call?.sys === 'wait4');
  const blocked = w.run.events.filter((e) => e.sys === 'wait4' && e.block !== undefined);
  return all(
    ...collected.map((o): Verdict => {
      const c = w.nameOf(Number(o.vals[0]));
      if (c === undefined) return { ok: false, message: `wait4 of ${o.proc} returned pid ${o.vals[0]}, no process of this run` };
      return all(
        exactlyOnce(`reap event of ${c}`, w.run.events, (e) => e.event === 'reap' && e.proc === c),
        always(`${c} is reaped at the step its wait returns, for its waiter`, eventsOf(w, 'reap', c), (e) => (e.step === o.call!.step && e.parent === o.proc) || `wait4 of ${o.proc} at step ${o.call!.step}`),
        eventually(`a wait-wakeup for ${c}`, w.run.events, (e) => e.event === 'wait-wakeup' && e.proc === c),
      );
    }),
    always('a blocked wait4 resumes only after a wait-wakeup event for its caller', blocked, (b) => {
      const retry = w.run.events.find((e) => e.i > b.i && e.proc === b.proc && e.event === undefined);
      if (retry === undefined || retry.sys !== 'wait4' || retry.block !== undefined) return true;
      return w.run.events.some((e) => e.i > b.i && e.i < retry.i && e.event === 'wait-wakeup' && e.parent === b.proc) || `resumed at step ${retry.step} without one`;
    }),
  );
}

const programs = casesOf(programArb());

/** A ring of one event: every step that makes two or more events overflows it. */
export const TINY_RING = 1;

/** Process events of a run by step: those drained, and how many were counted as dropped. */
function eventsByStep(run: GeneratedRun): Map<number, { kept: string[]; dropped: number }> {
  const out = new Map<number, { kept: string[]; dropped: number }>();
  for (const e of run.events) {
    if (e.event === undefined || e.step === undefined) continue;
    const at = out.get(e.step) ?? { kept: [], dropped: 0 };
    out.set(e.step, at);
    if (e.event === 'dropped') at.dropped += Number((e as { count?: number }).count ?? 0);
    else {
      const { i: _i, ...rest } = e;
      at.kept.push(JSON.stringify(rest));
    }
  }
  return out;
}

/** Whether `sub` is `all` with some elements left out, order kept. */
function isSubsequence(sub: readonly string[], all: readonly string[]): boolean {
  let j = 0;
  for (const x of all) if (j < sub.length && sub[j] === x) j++;
  return j === sub.length;
}

/**
 * P1.2, drain through a bounded buffer: with a ring too small for a step's events the run is
 * the same, and at every step the host gets the events that fit, in order, plus a count of
 * the others: overflow is counted, never silent.
 */
export function drainHolds(full: GeneratedRun, tiny: GeneratedRun): Verdict {
  if (tiny.result.schedule !== full.result.schedule || tiny.result.steps !== full.result.steps) {
    return fail(`a ring of ${TINY_RING} event changed the run: ${tiny.result.steps} steps, schedule ${tiny.result.schedule}; with the default ring ${full.result.steps} steps, ${full.result.schedule}`);
  }
  const want = eventsByStep(full);
  const got = eventsByStep(tiny);
  for (const step of new Set([...want.keys(), ...got.keys()])) {
    const w = want.get(step) ?? { kept: [], dropped: 0 };
    const g = got.get(step) ?? { kept: [], dropped: 0 };
    if (g.kept.length + g.dropped !== w.kept.length) {
      return fail(`at step ${step} the host drained ${g.kept.length} events and was told of ${g.dropped} dropped, but ${w.kept.length} happened (ring of ${TINY_RING})`);
    }
    if (!isSubsequence(g.kept, w.kept)) return fail(`at step ${step} the drained events are not the ones that happened, in order: ${g.kept.join(' ')}`);
  }
  return OK;
}

const orderHolds = universal(eventOrderHolds);

/** P1.2's judge: the order and once-only checks with the default ring, then the drain check with a tiny one. */
function judgeEventStream(kernel: KernelVariantName, c: Case): Judgement {
  const ordered = orderHolds(kernel, c);
  if (!ordered.verdict.ok) return ordered;
  const tiny = runGenerated(c.program, { kernel, choices: c.choices, eventCapacity: TINY_RING });
  return { run: tiny, verdict: drainHolds(ordered.run, tiny) };
}

export const P1_1: ContractProperty = {
  id: 'P1.1',
  name: 'identity from the table',
  phase: 1,
  statement: 'every process has one spawn event naming its creator; getpid/getppid answer what the table says (reaper after the parent\'s exit)',
  cases: programs,
  judge: universal(tableIdentityHolds),
};

export const P1_2: ContractProperty = {
  id: 'P1.2',
  name: 'event stream order and drain',
  phase: 1,
  statement: 'spawn, exit, wait-wakeup and reap events come once each, in lifecycle order, at the step they happen, none dropped; a ring too small for them keeps what fits, in order, and counts the rest',
  cases: programs,
  judge: judgeEventStream,
};

export const P1_3: ContractProperty = {
  id: 'P1.3',
  name: 'WNOHANG returns 0 while the child runs',
  phase: 1,
  statement: 'wait4(WNOHANG) returns 0 exactly while matching children run, an exited one otherwise, ECHILD without any',
  cases: programs,
  judge: universal(nohangHolds),
};

export const P1_4: ContractProperty = {
  id: 'P1.4',
  name: 'wakeup emitted and reaped once',
  phase: 1,
  statement: 'a collected child has one reap event at the wait\'s step and a wait-wakeup; a blocked wait4 resumes after a wakeup',
  cases: programs,
  judge: universal(wakeupReapHolds),
};

export const PHASE1: ContractProperty[] = [P1_1, P1_2, P1_3, P1_4];
