// Exhaustive depth-first search over schedules, stateless: there is no kernel snapshot, so
// every execution runs from the start, replays the prefix it shares with the previous one
// and branches where that one left an alternative unexplored. Reduction (default: source-
// DPOR with sleep sets) skips schedules that only reorder independent steps (footprint.ts):
// every distinct outcome is still reached. With a preemption bound the search enumerates
// every schedule within the bound, without reduction (sleep sets and DPOR do not preserve
// bounded completeness), as CHESS and loom count preemptions: switching away from the
// process that ran last while it is still ready.
//
// Search nodes are steps (forced ones too: they order dependent steps), kept for the current
// execution: the processes ready there, the one that ran, the sleep set (processes whose step
// here was explored through an equivalent schedule), those explored here so far, and those
// still to explore (backtrack).

import type { SimResult } from '../engine.ts';
import type { Footprint } from '../footprint.ts';
import type { ChoiceContext, ProcRef, Strategy } from '../strategy.ts';
import { reversals } from './races.ts';

/** none: every schedule; sleep: sleep sets; dpor: source-DPOR with sleep sets. */
export type Reduction = 'none' | 'sleep' | 'dpor';

export interface DfsOptions {
  /** Most preemptions per execution (search without reduction); unbounded when absent. */
  preemptionBound?: number;
  /** Stop after this many executions (complete stays false if the space was not exhausted). */
  maxExecutions?: number;
  /** Default dpor, or none with a preemption bound. */
  reduction?: Reduction;
  /**
   * The outcomes searched for do not depend on the order of console output (each process's
   * own output stays in order): writes to stdout/stderr commute, which prunes most schedules
   * of a program that reports on stderr (the gate of an external emulator, src/sim/sut).
   */
  unorderedOutput?: boolean;
}

interface Node {
  ready: number[];
  /** The process that runs here in the current execution. */
  chosen: number;
  /** Footprint of that step in the current execution. */
  fp: Footprint | null;
  sleep: number[];
  /** Processes already run here, in order (the current one last). */
  done: number[];
  backtrack: Set<number>;
  /** Preemptions before this step. */
  preemptions: number;
}

export class DfsDivergence extends Error {}

export class DfsExplorer {
  readonly reduction: Reduction;
  private readonly bound: number;
  /** As the command line spells the search (`dfs`, `dfs:2`). */
  readonly spec: string;
  private readonly maxExecutions: number;
  private readonly unorderedOutput: boolean;
  private nodes: Node[] = [];
  /** Node where the next execution leaves the previous one (nodes before it are replayed). */
  private branch = 0;
  private running: DfsRun | null = null;
  private exhausted = false;
  private runs = 0;
  /** Executions that ended up only reordering an explored one (every ready process asleep). */
  sleepBlocked = 0;
  /** The preemption bound kept some schedule out: a complete search covered only the bounded space. */
  boundPruned = false;

  constructor(opts: DfsOptions = {}) {
    const bound = opts.preemptionBound;
    if (bound !== undefined && !(Number.isInteger(bound) && bound >= 0)) throw new RangeError(`preemption bound must be a natural number, got ${bound}`);
    const max = opts.maxExecutions;
    if (max !== undefined && !(Number.isInteger(max) && max >= 1)) throw new RangeError(`maxExecutions must be a positive integer, got ${max}`);
    this.reduction = opts.reduction ?? (bound === undefined ? 'dpor' : 'none');
    if (bound !== undefined && this.reduction !== 'none') throw new RangeError(`a preemption bound explores without reduction (got reduction ${this.reduction})`);
    this.bound = bound ?? Infinity;
    this.spec = bound === undefined ? 'dfs' : `dfs:${bound}`;
    this.maxExecutions = max ?? Infinity;
    this.unorderedOutput = opts.unorderedOutput ?? false;
  }

  /** Executions reported through done(). */
  get executions(): number {
    return this.runs;
  }

  /** True once the whole (bounded) space was searched. */
  get complete(): boolean {
    return this.exhausted;
  }

  /** Strategy for the next execution, or undefined when the space is exhausted (or maxExecutions reached). */
  next(): Strategy | undefined {
    if (this.running !== null) throw new Error('DfsExplorer.next() called again before done() reported the previous run');
    if (this.exhausted || this.runs >= this.maxExecutions) return undefined;
    this.running = new DfsRun(this);
    return this.running;
  }

  /** Report the result of the run made with the strategy next() returned last. */
  done(result: SimResult): void {
    const run = this.running;
    if (run === null) throw new Error('DfsExplorer.done() called without a run from next()');
    this.running = null;
    this.runs++;
    if (run.error !== null) throw new DfsDivergence(run.error);
    if (this.nodes.length !== result.steps) {
      throw new DfsDivergence(
        `dfs: execution ${this.runs} ended after ${result.steps} steps where the explored prefix has ${this.nodes.length} (is the program deterministic?)`,
      );
    }
    const choices = this.nodes.filter((n) => n.ready.length > 1).map((n) => n.chosen);
    if (choices.join() !== result.choices.join()) throw new DfsDivergence(`dfs: execution ${this.runs} recorded choices ${result.schedule} that are not the explorer's`);
    this.nodes.at(-1)?.fp?.settle();
    if (this.reduction === 'dpor') this.addDisabled();
    const blocked = run.blockedAt;
    if (blocked !== null) {
      this.sleepBlocked++;
      this.nodes.length = blocked;
    }
    if (this.reduction === 'dpor') this.addReversals();
    this.exhausted = !this.pickBranch();
  }

  /**
   * A ready process that a step kills, or whose step the end of the run cuts off, never
   * takes the step that would race with it: running it first is the reversal.
   */
  private addDisabled(): void {
    const n = this.nodes.length;
    for (let i = this.branch; i < n; i++) {
      const node = this.nodes[i];
      const after = i + 1 < n ? this.nodes[i + 1].ready : [];
      for (const q of node.ready) if (q !== node.chosen && !after.includes(q)) node.backtrack.add(q);
    }
  }

  private addReversals(): void {
    const events = this.nodes.map((n) => ({ proc: n.chosen, fp: n.fp!, ready: n.ready }));
    for (const r of reversals(events, this.branch)) {
      const node = this.nodes[r.at];
      if (r.initials.some((q) => node.backtrack.has(q))) continue;
      node.backtrack.add(r.initials[0]);
    }
  }

  /** Deepest node with something left to explore becomes the branch point of the next execution. */
  private pickBranch(): boolean {
    for (let s = this.nodes.length - 1; s >= 0; s--) {
      const node = this.nodes[s];
      const c = node.ready.find((q) => node.backtrack.has(q) && !node.done.includes(q) && !node.sleep.includes(q) && this.allowed(s, q));
      if (c === undefined) continue;
      this.nodes.length = s + 1;
      node.done.push(c);
      node.chosen = c;
      node.fp = null;
      this.branch = s;
      return true;
    }
    return false;
  }

  /** Running q at node s switches away from a still-ready process: a preemption. */
  preempts(s: number, ready: readonly number[], q: number): boolean {
    if (s === 0) return false;
    const last = this.nodes[s - 1].chosen;
    return last !== q && ready.includes(last);
  }

  private allowed(s: number, q: number): boolean {
    const node = this.nodes[s];
    return node.preemptions + (this.preempts(s, node.ready, q) ? 1 : 0) <= this.bound;
  }

  /** The node for step s of the current run (replayed, the branch point, or a new one); its choice. */
  step(s: number, ready: readonly ProcRef[], ctx: ChoiceContext, run: DfsRun): number {
    const ids = ready.map((r) => r.id);
    if (ctx.footprint === undefined) throw new Error('dfs needs the footprints of the run loop (ChoiceContext.footprint)');
    const fpOf = (q: number): Footprint => {
      const fp = ctx.footprint!(ids.indexOf(q));
      if (this.unorderedOutput) fp.unorderConsole();
      return fp;
    };
    const prev = s > 0 ? this.nodes[s - 1] : null;
    prev?.fp?.settle();
    let node: Node;
    if (s < this.nodes.length) {
      node = this.nodes[s];
      if (node.ready.join() !== ids.join()) {
        run.error = `dfs: the run diverged from the explored prefix at step ${s + 1}: ready ${ids.map((q) => `p${q}`).join(' ')}, expected ${node.ready.map((q) => `p${q}`).join(' ')} (is the program deterministic?)`;
        throw new DfsDivergence(run.error);
      }
    } else {
      const sleep = this.reduction === 'none' || prev === null ? [] : run.sleepAfter(prev.fp!, ids);
      const eligible = ids.filter((q) => !sleep.includes(q) && this.allowedNew(s, ids, q, prev));
      let chosen: number;
      if (eligible.length === 0) {
        // Every ready process is asleep: whatever runs now only reorders an explored execution.
        if (run.blockedAt === null) run.blockedAt = s;
        chosen = prev !== null && ids.includes(prev.chosen) ? prev.chosen : ids[0];
      } else chosen = prev !== null && eligible.includes(prev.chosen) ? prev.chosen : eligible[0];
      const preemptions = prev === null ? 0 : prev.preemptions + (this.preempts(s - 1, prev.ready, prev.chosen) ? 1 : 0);
      node = {
        ready: ids,
        chosen,
        fp: null,
        sleep,
        done: [chosen],
        backtrack: new Set(this.reduction === 'dpor' ? [chosen] : eligible),
        preemptions,
      };
      this.nodes.push(node);
    }
    node.fp = fpOf(node.chosen);
    // Sleep set of the next node: the processes asleep here or explored here before, whose
    // step commutes with the one taken (only needed where the run leaves the old path).
    if (s >= this.branch && this.reduction !== 'none') {
      const asleep = [...node.sleep, ...node.done.filter((q) => q !== node.chosen)].filter((q) => ids.includes(q));
      run.sleepers = asleep.map((q) => ({ q, fp: fpOf(q) }));
    } else run.sleepers = [];
    return ids.indexOf(node.chosen);
  }

  /** A new node: q may run within the preemption bound (preemptions counted up to node s). */
  private allowedNew(s: number, ready: readonly number[], q: number, prev: Node | null): boolean {
    if (this.bound === Infinity || prev === null) return true;
    const before = prev.preemptions + (this.preempts(s - 1, prev.ready, prev.chosen) ? 1 : 0);
    const ok = before + (this.preempts(s, ready, q) ? 1 : 0) <= this.bound;
    if (!ok) this.boundPruned = true;
    return ok;
  }
}

/** The strategy of one execution: follows the explorer. */
class DfsRun implements Strategy {
  readonly spec: string;
  error: string | null = null;
  /** First step where every ready process was asleep (the rest of the run is redundant). */
  blockedAt: number | null = null;
  /** Footprints, at the last step, of the processes that may sleep at the next one. */
  sleepers: { q: number; fp: Footprint }[] = [];

  constructor(private readonly explorer: DfsExplorer) {
    this.spec = explorer.spec;
  }

  begin(_seed: number): void {}

  choose(ready: readonly ProcRef[], ctx: ChoiceContext): number {
    return this.explorer.step(ctx.step, ready, ctx, this);
  }

  /** Sleep set after a step with footprint `taken`: sleepers whose step commutes with it and are still ready. */
  sleepAfter(taken: Footprint, ready: readonly number[]): number[] {
    return this.sleepers.filter((z) => ready.includes(z.q) && !z.fp.dependent(taken)).map((z) => z.q);
  }
}
