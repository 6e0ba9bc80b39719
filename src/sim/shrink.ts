// Schedule shrinking: from a failing run's choices to a schedule that fails the same way
// with the fewest context switches, then the fewest choices. A context switch is a choice
// that names a different process than the choice before it. Candidates are edits of the
// best schedule so far, seen as blocks (maximal runs of one process): move a block onto
// the next or previous block of its process, drop a block, hand a block to its neighbour,
// cut the tail, move a block boundary by one, shorten a block. Each candidate runs
// under GuidedStrategy (the caller's `run`), which follows it as far as it fits and then
// keeps the last process running, so a candidate never adds a switch it does not ask for;
// the run's own choices, not the candidate, become the next best. The search restarts
// after every improvement and stops at a fixpoint (no candidate improves) or at the budget.

import type { Fault } from './faults.ts';

/** Choices that name a different process than the choice before them. */
export function contextSwitches(choices: readonly number[]): number {
  let n = 0;
  for (let i = 1; i < choices.length; i++) if (choices[i] !== choices[i - 1]) n++;
  return n;
}

/** Whether a is a smaller schedule than b: fewer switches, then fewer choices. */
export function smallerSchedule(a: readonly number[], b: readonly number[]): boolean {
  const sa = contextSwitches(a);
  const sb = contextSwitches(b);
  return sa < sb || (sa === sb && a.length < b.length);
}

export interface ShrinkOptions {
  /** Most candidate runs to try (default 500). */
  maxRuns?: number;
}

export interface Shrunk<R> {
  /** The smallest failing run found (the start run when nothing smaller fails). */
  run: R;
  switches: number;
  /** Candidate runs tried. */
  tried: number;
  /** Whether the search reached a fixpoint (false: stopped by the budget). */
  fixpoint: boolean;
}

const DEFAULT_SHRINK_RUNS = 500;

interface Block {
  id: number;
  len: number;
}

function blocks(choices: readonly number[]): Block[] {
  const out: Block[] = [];
  for (const id of choices) {
    const last = out.at(-1);
    if (last !== undefined && last.id === id) last.len++;
    else out.push({ id, len: 1 });
  }
  return out;
}

const flatten = (bs: readonly Block[]): number[] => bs.flatMap((b) => Array<number>(b.len).fill(b.id));

/** Edits of `choices`, the ones that can remove switches first. */
function* candidates(choices: readonly number[]): Generator<number[]> {
  const bs = blocks(choices);
  yield [];
  // Move a block onto the next (or previous) block of its process: that process's steps
  // run later (or earlier) in one piece, everything else keeps its order.
  for (let j = 0; j < bs.length; j++) {
    const next = bs.findIndex((b, k) => k > j && b.id === bs[j].id);
    if (next >= 0) yield flatten(bs.flatMap((b, k) => (k === j ? [] : k === next ? [{ id: b.id, len: b.len + bs[j].len }] : [b])));
    let prev = j - 1;
    while (prev >= 0 && bs[prev].id !== bs[j].id) prev--;
    if (prev >= 0) yield flatten(bs.flatMap((b, k) => (k === j ? [] : k === prev ? [{ id: b.id, len: b.len + bs[j].len }] : [b])));
  }
  // Drop a block: its neighbours may join.
  for (let j = bs.length - 1; j >= 0; j--) yield flatten(bs.filter((_, k) => k !== j));
  // Hand a block to the process before it, or after it.
  for (let j = 1; j < bs.length; j++) yield flatten(bs.map((b, k) => (k === j ? { id: bs[j - 1].id, len: b.len } : b)));
  for (let j = 0; j + 1 < bs.length; j++) yield flatten(bs.map((b, k) => (k === j ? { id: bs[j + 1].id, len: b.len } : b)));
  // Cut the tail: whole blocks, then half of what is left.
  for (let j = 1; j < bs.length; j++) yield flatten(bs.slice(0, j));
  for (let n = choices.length >> 1; n > 0; n >>= 1) yield choices.slice(0, choices.length - n);
  // Move a boundary by one: the block gives its first choice to the block before, or takes
  // the first choice of the block after. Same switches; the failure may then need fewer.
  for (let j = 1; j < bs.length; j++) {
    const moved = bs.map((b) => ({ ...b }));
    moved[j - 1].len++;
    moved[j].len--;
    yield flatten(moved);
    const back = bs.map((b) => ({ ...b }));
    back[j - 1].len--;
    back[j].len++;
    yield flatten(back);
  }
  // Shorten a block by half, or by one.
  for (let j = 0; j < bs.length; j++) {
    for (const cut of new Set([bs[j].len >> 1, 1])) {
      if (cut < 1) continue;
      yield flatten(bs.map((b, k) => (k === j ? { id: b.id, len: b.len - cut } : b)));
    }
  }
}

/**
 * Shrink the failing run `start`: `run(choices)` runs a candidate (under GuidedStrategy,
 * same seed and target), `fails(r)` says whether it still fails the same way.
 */
export function shrinkSchedule<R extends { choices: number[] }>(
  start: R,
  run: (choices: number[]) => R,
  fails: (r: R) => boolean,
  opts: ShrinkOptions = {},
): Shrunk<R> {
  const maxRuns = opts.maxRuns ?? DEFAULT_SHRINK_RUNS;
  let best = start;
  let tried = 0;
  const seen = new Set<string>();
  for (;;) {
    let improved = false;
    for (const c of candidates(best.choices)) {
      const key = c.join('.');
      if (seen.has(key)) continue;
      if (tried >= maxRuns) return { run: best, switches: contextSwitches(best.choices), tried, fixpoint: false };
      seen.add(key);
      tried++;
      const r = run(c);
      if (fails(r) && smallerSchedule(r.choices, best.choices)) {
        best = r;
        improved = true;
        break;
      }
    }
    if (!improved) return { run: best, switches: contextSwitches(best.choices), tried, fixpoint: true };
  }
}

/** Most runs shrinkFaults tries one fault at for its position (the nth point). */
const MAX_FAULT_POSITIONS = 64;

/**
 * Shrink the faults of a failing run (before its schedule): none at all if the failure
 * stays without them; else one fault alone, at its own point or another of its kind and
 * process (a dropped fault moves the numbering of the points after it: a failed brk adds
 * glibc's fallback mmap); else every fault the failure does not need, dropped one at a time.
 */
export function shrinkFaults<R extends { choices: number[]; faults: Fault[] }>(
  start: R,
  run: (choices: number[], faults: Fault[]) => R,
  fails: (r: R) => boolean,
): { run: R; tried: number } {
  let tried = 0;
  const attempt = (faults: Fault[]): R | null => {
    tried++;
    const r = run(start.choices, faults);
    return fails(r) ? r : null;
  };
  if (start.faults.length === 0) return { run: start, tried };
  const none = attempt([]);
  if (none !== null) return { run: none, tried };
  if (start.faults.length > 1) {
    for (const f of start.faults) {
      for (let nth = 1; nth <= Math.min(f.nth + 2, MAX_FAULT_POSITIONS); nth++) {
        const alone = attempt([{ ...f, nth }]);
        if (alone !== null) return { run: alone, tried };
      }
    }
  }
  let best = start;
  for (let i = best.faults.length - 1; i >= 0; i--) {
    const r = attempt(best.faults.filter((_, j) => j !== i));
    if (r !== null) best = r;
  }
  return { run: best, tried };
}
