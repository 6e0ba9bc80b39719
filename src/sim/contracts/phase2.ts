// Phase 2 contracts (plan: "Host scheduler + wait/wakeup semantics"): the parent continues
// right after fork, wait is a wait queue with wakeups, and wait4 has no "already exited"
// shortcut. Each has an existential part (some schedule shows the behaviour: a rollback
// fork never lets it happen) and, where it applies, a universal part every run must keep.

import { always, type Verdict } from '../predicates.ts';
import { forkingProgramArb } from '../programs/arbitrary.ts';
import type { TraceEvent } from '../programs/observations.ts';
import { casesOf, type ContractProperty, existential } from './property.ts';
import type { World } from './world.ts';

/** Phase-2 programs: no pipes (a child blocked on one forever would hide the wakeups looked for). */
const SHAPE = { pipeWeight: 0 };

/** Node 1 is the first fork, made by p1; its child is the first process p1 creates. */
function firstChild(w: World): { clone: TraceEvent; child: string } | undefined {
  const clone = w.run.events.find((e) => e.proc === 'p1' && e.sys === 'clone' && !e.retry);
  const child = clone === undefined ? undefined : w.createdAt(clone.i);
  return child === undefined ? undefined : { clone: clone!, child };
}

/** P2.1 witness: p1 takes a step after its fork and before that child exits. */
export function parentRunsFirst(w: World): boolean {
  const f = firstChild(w);
  if (f === undefined) return false;
  const exit = w.exitedAt(f.child);
  return w.run.events.some((e) => e.proc === 'p1' && e.event === undefined && e.i > f.clone.i && e.i < exit && !(e.sys === 'clone' && e.retry));
}

/** Blocked wait4 calls and the step that resumed each (undefined if none did). */
function blockedWaits(w: World): { block: TraceEvent; resume?: TraceEvent }[] {
  return w.run.events
    .filter((e) => e.sys === 'wait4' && e.block === 'wait')
    .map((block) => ({ block, resume: w.run.events.find((e) => e.i > block.i && e.proc === block.proc && e.event === undefined) }));
}

/** P2.2 universal part: a blocked wait resumes only after a step woke it, and then collects a child (or blocks again). */
export function wakeupsHold(w: World): Verdict {
  const resumed = new Map(blockedWaits(w).map((b) => [b.block, b.resume]));
  return always('a blocked wait4 resumes only when a step wakes it', [...resumed.keys()].filter((b) => resumed.get(b) !== undefined), (block) => {
    const resume = resumed.get(block);
    const woke = w.run.events.some((e) => e.i > block.i && e.i <= resume!.i && (e.wakes ?? []).includes(block.proc!));
    return woke || `${block.proc} ran again at step ${resume!.step} with nothing waking it`;
  });
}

/** P2.2 witness: a wait4 blocked, the exit of the child it waits for woke it, and it collected that child. */
export function waitQueueShown(w: World): boolean {
  return blockedWaits(w).some(({ block, resume }) => {
    if (resume === undefined || resume.sys !== 'wait4' || typeof resume.ret !== 'string') return false;
    const c = resume.ret;
    const exit = w.exitedAt(c);
    return exit > block.i && exit < resume.i && w.run.events.some((e) => e.i >= exit && e.i < resume.i && (e.wakes ?? []).includes(block.proc!));
  });
}

/** P2.3 universal part: a blocking wait4 meeting only running matching children blocks (no ECHILD, no 0, no running child). */
export function noShortcut(w: World): Verdict {
  const first = w.run.events.filter((e) => e.sys === 'wait4' && !e.retry);
  return always('wait4 without WNOHANG blocks while its matching children all run', first, (e) => {
    const nohang = String(e.args?.options ?? '').includes('WNOHANG');
    if (nohang) return true;
    const kids = w.matching(e.proc!, e.args?.pid, e.i);
    if (kids.length === 0 || kids.some((c) => w.exitedAt(c) < e.i)) return true;
    return e.block !== undefined || `${kids.join(', ')} still running, yet it returned ${e.errno ?? JSON.stringify(e.ret)}`;
  });
}

/** P2.3 witness: a wait4 called before its child exited returned that child with its real status. */
export function waitBeforeExitShown(w: World): boolean {
  return w.run.events.some((e) => {
    if (e.sys !== 'wait4' || e.retry || e.block === undefined) return false;
    const resume = w.run.events.find((r) => r.i > e.i && r.proc === e.proc && r.sys === 'wait4' && r.block === undefined);
    return resume !== undefined && typeof resume.ret === 'string' && resume.status === w.exitStatus(resume.ret) && w.exitedAt(resume.ret) > e.i;
  });
}

const forking = casesOf(forkingProgramArb(SHAPE));
const waiting = casesOf(forkingProgramArb(SHAPE, { waitAfterFork: true }));

export const P2_1: ContractProperty = {
  id: 'P2.1',
  name: 'the parent continues right after fork',
  phase: 2,
  statement: 'for every program that forks, some schedule lets the parent take a step after fork before the child exits',
  cases: forking,
  judge: existential('the parent runs between its fork and the child\'s exit', parentRunsFirst),
};

export const P2_2: ContractProperty = {
  id: 'P2.2',
  name: 'wait queue and wakeups',
  phase: 2,
  statement: 'a blocked wait4 resumes only when woken; for a fork followed by a wait, some schedule blocks the wait and the child\'s exit wakes it',
  cases: waiting,
  judge: existential('wait4 blocks and the child\'s exit wakes it', waitQueueShown, wakeupsHold),
};

export const P2_3: ContractProperty = {
  id: 'P2.3',
  name: 'no already-exited shortcut',
  phase: 2,
  statement: 'wait4 without WNOHANG blocks while matching children run; some schedule has the wait come first and still collect the child\'s status',
  cases: waiting,
  judge: existential('wait4 is called before the child exits and collects it', waitBeforeExitShown, noShortcut),
};

export const PHASE2: ContractProperty[] = [P2_1, P2_2, P2_3];
