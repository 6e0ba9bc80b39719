// The reference kernel's outcomes of a generated program on the interp-sut guest: what an
// emulator may show for it. Found by the exhaustive search (src/sim/dfs, with its reduction:
// two orders of commuting steps give every process the same observations), bounded by a
// number of executions; a search that hit the bound says so, and then an emulator's outcome
// outside the set is "not among the N found", never a violation. Cached per program text.

import { DfsExplorer } from '../dfs/index.ts';
import { encodeProgram, type Program } from '../programs/program.ts';
import { guestElf, SUT_INTERP_ARG } from '../programs/run.ts';
import { simulateTarget, type Target } from '../target.ts';
import { verdictText } from '../engine.ts';
import { markedLines } from './observed.ts';
import { outcomeText } from './outcome.ts';

/** Executions the search of one program may take (a few seconds at most). */
export const DEFAULT_REFERENCE_BUDGET = 2000;

export interface ReferenceOutcomes {
  outcomes: Set<string>;
  /** The search covered every schedule (the set is all the reference kernel can do). */
  complete: boolean;
  /** Some run blocked for ever (its outcome ends BLOCKED_END). */
  blocks: boolean;
  executions: number;
}

/**
 * How a run that blocks for ever ends (Linux has such runs: a wait4 for a group whose last
 * child left it and exited sleeps on). Seen from outside, that is a SUT run that times out.
 */
export const BLOCKED_END = 'blocked for ever';

/** Where the guest sits in the reference run: execve finds it again through argv[0]. */
const GUEST_PATH = '/bin/interp-sut';

export function sutTarget(text: string): Target {
  return { path: GUEST_PATH, elf: guestElf(SUT_INTERP_ARG), argv: [GUEST_PATH, text], env: [], kernel: 'reference', createCwd: true, cwd: '/' };
}

const text = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

const cache = new Map<string, ReferenceOutcomes>();

export function referenceOutcomes(program: Program, budget = DEFAULT_REFERENCE_BUDGET): ReferenceOutcomes {
  const t = encodeProgram(program);
  const key = `${budget}:${t}`;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const target = sutTarget(t);
  const search = new DfsExplorer({ maxExecutions: budget, unorderedOutput: true });
  const outcomes = new Set<string>();
  let blocks = false;
  for (let s = search.next(); s !== undefined; s = search.next()) {
    const run = simulateTarget(target, { seed: 0, strategy: s });
    search.done(run);
    const p1 = run.procs[0]?.status ?? 'not started';
    blocks ||= run.verdict.kind === 'deadlock';
    const end = run.verdict.kind === 'exit' ? p1 : run.verdict.kind === 'deadlock' ? BLOCKED_END : verdictText(run.verdict);
    outcomes.add(outcomeText(program, markedLines(text(run.stdout), text(run.stderr)), end));
  }
  const r = { outcomes, complete: search.complete, blocks, executions: search.executions };
  cache.set(key, r);
  return r;
}
