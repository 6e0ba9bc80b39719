// Helpers for the dfs tests: brute-force enumeration of every schedule (no reduction, an
// oracle independent of the explorer), dfs runs, and outcomes of runs.
import { simulateTarget, type Target, type TargetRun } from '../../src/sim/target.ts';
import { verdictText } from '../../src/sim/engine.ts';
import type { ChoiceContext, ProcRef, Strategy } from '../../src/sim/strategy.ts';
import { DfsExplorer, type DfsOptions } from '../../src/sim/dfs/index.ts';
import { A0, DATA_ADDR, Prog, SYS } from '../process/kernel/harness.ts';
import { SIGCHLD } from '../../src/process/signals.ts';
import { program, text } from './support.ts';

/** What a run ends with: the verdict, the console output and how every process ended. */
export function outcome(r: TargetRun): string {
  return JSON.stringify([verdictText(r.verdict), text(r.stdout), text(r.stderr), r.procs.map((p) => `${p.name} ${p.status}`)]);
}

/** Takes ready[prefix[d]] at decision d, then the first ready process; notes how many were ready. */
class Odometer implements Strategy {
  readonly spec = 'odometer';
  readonly sizes: number[] = [];
  constructor(private readonly prefix: readonly number[]) {}
  begin(): void {}
  choose(ready: readonly ProcRef[], ctx: ChoiceContext): number {
    if (ready.length === 1) return 0;
    this.sizes[ctx.decision] = ready.length;
    return this.prefix[ctx.decision] ?? 0;
  }
}

export interface Enumeration {
  outcomes: Set<string>;
  executions: number;
}

/** Every schedule of the target, run one by one. */
export function bruteForce(target: Target, seed = 0, limit = 5000): Enumeration {
  const outcomes = new Set<string>();
  let prefix: number[] = [];
  for (let n = 1; ; n++) {
    if (n > limit) throw new Error(`more than ${limit} schedules`);
    const s = new Odometer(prefix);
    const r = simulateTarget(target, { seed, strategy: s });
    outcomes.add(outcome(r));
    const idx = s.sizes.map((_, d) => prefix[d] ?? 0);
    let d = idx.length - 1;
    while (d >= 0 && idx[d] + 1 >= s.sizes[d]) d--;
    if (d < 0) return { outcomes, executions: n };
    prefix = [...idx.slice(0, d), idx[d] + 1];
  }
}

export interface DfsSearch extends Enumeration {
  explorer: DfsExplorer;
  runs: TargetRun[];
}

export function dfs(target: Target, opts: DfsOptions = {}, seed = 0, trace = false): DfsSearch {
  const explorer = new DfsExplorer(opts);
  const outcomes = new Set<string>();
  const runs: TargetRun[] = [];
  for (let s; (s = explorer.next()) !== undefined; ) {
    const r = simulateTarget(target, { seed, strategy: s, trace });
    explorer.done(r);
    outcomes.add(outcome(r));
    runs.push(r);
  }
  return { outcomes, executions: explorer.executions, explorer, runs };
}

/** p1 forks one child per word; child i writes its word to stdout one letter per write; p1 waits for all. */
export function writers(words: readonly string[]): Target {
  const p = new Prog();
  words.forEach((_, i) => p.sys(SYS.clone, SIGCHLD, 0, 0, 0, 0).b('beq', A0, 0, `c${i}`));
  words.forEach(() => p.sys(SYS.wait4, -1, 0, 0, 0));
  p.sys(SYS.exit, 0);
  let at = 0;
  words.forEach((word, i) => {
    p.label(`c${i}`);
    for (let j = 0; j < word.length; j++) p.sys(SYS.write, 1, DATA_ADDR + at + j, 1);
    p.sys(SYS.exit, 0);
    at += word.length;
  });
  return program(p.elf(new Uint8Array(Buffer.from(words.join(''), 'latin1'))));
}
