// PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte,
// ASPLOS 2010): every process gets a random distinct priority when it first shows up, and
// the highest-priority ready process always runs. d-1 change points are drawn uniformly from
// the choices 1..k; at the one with value i, the process about to run drops to priority i,
// below every initial priority. A bug of depth d shows up with probability at least
// 1/(n k^(d-1)) per run. k, the length of a run in choices, is learned: each run uses the
// longest run seen so far (or the bound given in the spec, which replays pass).

import seedrandom from 'seedrandom';
import type { ChoiceContext, ProcRef, Strategy } from '../strategy.ts';

const DEFAULT_PCT_DEPTH = 3;
/** Most change points a run may have (depth - 1): each costs a draw and an entry per run. */
export const MAX_PCT_DEPTH = 10_000;
/** First guess at the number of choices in a run, before any run has been seen. */
const DEFAULT_PCT_BOUND = 50;

interface Entry {
  id: number;
  /** 0 while at its initial priority; the change point value i once demoted. */
  demoted: number;
}

export class PctStrategy implements Strategy {
  spec: string;
  private bound: number;
  private rng: seedrandom.PRNG = seedrandom('procsim-sched:pct:0');
  /** Highest priority first: initial priorities, then demoted ones by value, highest first. */
  private order: Entry[] = [];
  private known = new Set<number>();
  /** Choice number (1-based) -> change point value i. */
  private changes = new Map<number, number>();

  /** `fixedBound`: use this k for every run instead of learning it. */
  constructor(
    readonly depth = DEFAULT_PCT_DEPTH,
    private readonly fixedBound?: number,
  ) {
    if (!Number.isSafeInteger(depth) || depth < 1 || depth > MAX_PCT_DEPTH) {
      throw new RangeError(`PCT depth must be a positive integer, at most ${MAX_PCT_DEPTH}, got ${depth}`);
    }
    if (fixedBound !== undefined && (!Number.isSafeInteger(fixedBound) || fixedBound < 1)) {
      throw new RangeError(`PCT step bound must be a positive integer, got ${fixedBound}`);
    }
    this.bound = fixedBound ?? DEFAULT_PCT_BOUND;
    this.spec = this.specFor(this.bound);
  }

  private specFor(k: number): string {
    return `pct:${this.depth}:${k}`;
  }

  begin(seed: number): void {
    this.rng = seedrandom(`procsim-sched:pct:${seed}`);
    this.order = [];
    this.known.clear();
    this.changes.clear();
    this.spec = this.specFor(this.bound);
    // d-1 distinct change points from 1..k (fewer when k is smaller than that): the first
    // d-1 steps of a Fisher-Yates shuffle of [1..k], with only the moved slots stored (k
    // may be as large as a safe integer).
    const moved = new Map<number, number>();
    const at = (i: number): number => moved.get(i) ?? i + 1;
    const k = this.bound;
    const n = Math.min(this.depth - 1, k);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.rng.quick() * (k - i));
      const [pi, pj] = [at(i), at(j)];
      moved.set(i, pj);
      moved.set(j, pi);
      this.changes.set(pj, i + 1);
    }
  }

  choose(ready: readonly ProcRef[], ctx: ChoiceContext): number {
    for (const r of ready) if (!this.known.has(r.id)) this.admit(r.id);
    if (ready.length === 1) return 0;
    const change = this.changes.get(ctx.decision + 1);
    if (change !== undefined) this.demote(this.best(ready), change);
    const best = this.best(ready);
    return ready.findIndex((r) => r.id === best);
  }

  end(decisions: number): undefined {
    if (this.fixedBound === undefined) this.bound = Math.max(this.bound, decisions);
    return undefined;
  }

  /** A new process: a random place among the initial priorities. */
  private admit(id: number): void {
    this.known.add(id);
    const initial = this.order.findIndex((e) => e.demoted > 0);
    const slots = (initial < 0 ? this.order.length : initial) + 1;
    this.order.splice(Math.floor(this.rng.quick() * slots), 0, { id, demoted: 0 });
  }

  private demote(id: number, value: number): void {
    const at = this.order.findIndex((e) => e.id === id);
    const [e] = this.order.splice(at, 1);
    e.demoted = value;
    let i = this.order.length;
    while (i > 0 && this.order[i - 1].demoted > 0 && this.order[i - 1].demoted < value) i--;
    this.order.splice(i, 0, e);
  }

  private best(ready: readonly ProcRef[]): number {
    for (const e of this.order) if (ready.some((r) => r.id === e.id)) return e.id;
    throw new Error('PCT: no ready process has a priority');
  }
}
