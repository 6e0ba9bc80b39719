// Happens-before and races of one execution, for source-DPOR (Abdulla et al., "Optimal
// dynamic partial order reduction", POPL 2014, Algorithm 1). Event e happens before f when
// they are in program order, when e created f's process, or transitively through dependent
// steps of different processes. Two events race when they are dependent, of different
// processes, and nothing else orders them; reversing a race means running, at the state
// before the first event, one of the initials of what follows it that does not depend on it.

import type { Footprint } from '../footprint.ts';

export interface Event {
  /** Canonical id of the process that took the step. */
  proc: number;
  fp: Footprint;
  /** Processes ready at the state before the step. */
  ready: readonly number[];
}

/** A race to reverse: at event index `at`, one of `initials` (process ids, in order of first step) should run. */
export interface Reversal {
  at: number;
  initials: number[];
}

/**
 * Races (i, j) of `events` with j >= from (earlier ones were handled when their run was
 * analysed: the prefix is the same), as reversals. A race whose second process was not
 * ready before the first event (the first woke it up or created it) cannot be reversed
 * and is left out.
 */
export function reversals(events: readonly Event[], from: number): Reversal[] {
  const n = events.length;
  const words = (n + 31) >>> 5;
  // before[j]: bitset of the events that happen before event j.
  const before: Uint32Array[] = [];
  const has = (set: Uint32Array, i: number) => (set[i >>> 5] & (1 << (i & 31))) !== 0;
  const lastOf = new Map<number, number>();
  const creator = new Map<number, number>();
  for (let j = 0; j < n; j++) {
    for (const q of events[j].ready) if (!creator.has(q)) creator.set(q, j - 1);
  }
  const out: Reversal[] = [];
  for (let j = 0; j < n; j++) {
    const e = events[j];
    const acc = new Uint32Array(words);
    const join = (k: number) => {
      const b = before[k];
      for (let w = 0; w < words; w++) acc[w] |= b[w];
      acc[k >>> 5] |= 1 << (k & 31);
    };
    const prev = lastOf.get(e.proc) ?? creator.get(e.proc) ?? -1;
    const races: number[] = [];
    // Latest first: an event already known to happen before j adds nothing and is no race.
    for (let k = j - 1; k >= 0; k--) {
      if (has(acc, k)) continue;
      if (k === prev) join(k);
      else if (events[k].proc !== e.proc && events[k].fp.dependent(e.fp)) {
        join(k);
        races.push(k);
      }
    }
    before.push(acc);
    lastOf.set(e.proc, j);
    if (j < from) continue;
    for (const i of races) {
      const r = initials(events, before, i, j);
      if (r !== null) out.push({ at: i, initials: r });
    }
  }
  return out;
}

/**
 * Initials of v = (the events after i that do not happen after i), then proc(j): the
 * processes ready before i whose first step in v has no predecessor in v. Null when the
 * race cannot be reversed: proc(j) was not ready before i and nothing in v made it ready
 * (i itself woke or created it).
 */
function initials(events: readonly Event[], before: readonly Uint32Array[], i: number, j: number): number[] | null {
  const has = (set: Uint32Array, k: number) => (set[k >>> 5] & (1 << (k & 31))) !== 0;
  // v as a bitset: an event is free when nothing of v so far happens before it.
  const inV = new Uint32Array(before[j].length);
  const free = (b: Uint32Array) => {
    for (let w = 0; w < inV.length; w++) if ((b[w] & inV[w]) !== 0) return false;
    return true;
  };
  const out: number[] = [];
  const seen = new Set<number>();
  for (let m = i + 1; m < j; m++) {
    if (has(before[m], i)) continue;
    const q = events[m].proc;
    if (!seen.has(q)) {
      seen.add(q);
      if (free(before[m])) out.push(q);
    }
    inV[m >>> 5] |= 1 << (m & 31);
  }
  const pj = events[j].proc;
  const ready = events[i].ready;
  if (!ready.includes(pj) && free(before[j])) return null;
  if (!seen.has(pj) && free(before[j])) out.push(pj);
  const enabled = out.filter((q) => ready.includes(q));
  return enabled.length > 0 ? enabled : null;
}
