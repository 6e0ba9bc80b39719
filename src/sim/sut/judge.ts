// Judging an external emulator's run of a generated program on the phase-0 gates it can be
// judged on from outside: the gate's own predicate (phase0.ts) on the World made of the
// run's observations, and membership of its outcome in the reference kernel's outcome set.

import { execHolds, forkHolds, identityHolds, waitHolds } from '../contracts/phase0.ts';
import { World } from '../contracts/world.ts';
import { all, always, fail, OK, type Verdict } from '../predicates.ts';
import type { Program } from '../programs/program.ts';
import { isParentFork, ObservationError, outsideView, placeLines, type MarkedLine } from './observed.ts';
import { outcomeDiff, outcomeDistance, outcomeText } from './outcome.ts';
import type { ReferenceOutcomes } from './reference.ts';

/** The gates an emulator is judged on from outside. */
export type SutGateId = 'P0.1' | 'P0.2' | 'P0.3' | 'P0.4';

/** P0.1 from outside also checks the pid every line carries: the writer's getpid(). */
function writersHold(w: World): Verdict {
  const pids = w.run.outside?.writerPid ?? new Map<number, number>();
  return always('every observation carries its writer\'s getpid(): what fork returned for it in its parent', w.run.obs, (o) => {
    const got = pids.get(o.i);
    return got === w.pid(o.proc) || `${o.proc} (pid ${w.pid(o.proc)} by its fork) wrote it with getpid() ${got}`;
  });
}

export const SUT_PREDICATES: Record<SutGateId, (w: World) => Verdict> = {
  'P0.1': (w) => all(identityHolds(w), writersHold(w)),
  'P0.2': forkHolds,
  'P0.3': waitHolds,
  'P0.4': execHolds,
};

export interface Membership {
  /** member; outside (a violation: the search was complete); unconfirmed (outside the bounded set found); not judged. */
  kind: 'member' | 'outside' | 'unconfirmed' | 'not judged';
  outcome: string;
  /** Why it was not judged, or the nearest reference outcome and the difference. */
  note?: string;
}

/** The emulator's outcome against the reference set; judged only when p1 is the init of its pid namespace, as the reference's. */
export function membership(program: Program, lines: readonly MarkedLine[], end: string, ref: ReferenceOutcomes): Membership {
  const outcome = outcomeText(program, lines, end);
  const start = lines[0];
  if (start.pid !== 1) {
    return {
      kind: 'not judged',
      outcome,
      note: `p1 has pid ${start.pid}, not 1: it is not the init of a pid namespace, so its orphans outlive it (the reference kernel's do not; run the SUT under unshare --pid --fork)`,
    };
  }
  if (ref.outcomes.has(outcome)) return { kind: 'member', outcome };
  let nearest = '';
  let best = Infinity;
  for (const o of ref.outcomes) {
    const d = outcomeDistance(outcome, o);
    if (d < best) [best, nearest] = [d, o];
  }
  const found = ref.complete ? `all ${ref.outcomes.size} outcomes of the reference kernel (an exhaustive search of ${ref.executions} executions)` : `the ${ref.outcomes.size} outcomes found in ${ref.executions} executions of a bounded search`;
  return {
    kind: ref.complete ? 'outside' : 'unconfirmed',
    outcome,
    note: `the SUT's outcome is not in ${found}; the nearest reference outcome differs in:\n${outcomeDiff(outcome, nearest)}\nSUT outcome:\n${outcome}\nnearest reference outcome:\n${nearest}`,
  };
}

export interface ObservedJudgement {
  verdict: Verdict;
  membership?: Membership;
}

/** One run's output judged on one gate: the predicate, then the outcome membership (`blocked`: the run never ended). */
export function judgeObserved(gate: SutGateId, program: Program, lines: readonly MarkedLine[], end: string, ref: () => ReferenceOutcomes, blocked = false): ObservedJudgement {
  let w: World;
  try {
    w = new World(outsideView(program, lines, blocked));
  } catch (e) {
    if (e instanceof ObservationError) return { verdict: fail(`unreadable output: ${e.message}`) };
    throw e;
  }
  const v = SUT_PREDICATES[gate](w);
  if (!v.ok) return { verdict: v };
  const m = membership(program, lines, end, ref());
  return { verdict: m.kind === 'outside' ? fail(m.note!) : OK, membership: m };
}

/**
 * P2.1 from outside, on one run: did p1 write a line after its first fork (the fork line it
 * writes once fork returned) before that child reported its exit (which it does before it
 * exits)? Lines are in the order they were written. Undefined when p1 forked no child or the
 * child left no exit report (killed): the run shows nothing either way.
 */
export function parentStepsAfterFork(program: Program, lines: readonly MarkedLine[]): boolean | undefined {
  const placed = placeLines(program, lines);
  const fork = placed.findIndex((l) => l.key === 0 && isParentFork(l) && Number(l.vals[0]) > 0);
  if (fork < 0) return undefined;
  const child = placed[fork].node;
  let exit = -1;
  placed.forEach((l, i) => {
    if (l.key === child && l.tag === 'exit') exit = i;
  });
  return exit < 0 ? undefined : fork < exit;
}
