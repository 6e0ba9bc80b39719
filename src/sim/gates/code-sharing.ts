// P3.2, code and decode caches shared between parent and child (plan phase 3: lazy copy of
// exec-only/code regions). Checked on the emulator's own structures with fork-touch's "code"
// mode, where both processes have run a function on a read-write-execute page:
//   - right after fork (the child at its first syscall), every executable page of the child
//     is the parent's physical page, so the child runs the parent's pre-decoded instructions
//     (Page.decoded, the same array) without decoding anything again;
//   - once the child has rewritten the function and run it (at its exit), that page alone is
//     the child's own, the parent's page and its decoded instructions are untouched, and
//     every other code page is still shared.

import { type Memory, type Page, PAGE_SIZE, PROT_WRITE } from '../../emu/memory.ts';
import { SYS } from '../../process/sysno.ts';
import type { Gate, GateOptions, GateResult } from './gate.ts';
import { replayLine, saveTrace } from './gate-run.ts';
import { type ProbeRun, probeFork } from './fork-probe.ts';
import { executablePages } from './pages.ts';

/** Code pages of the parent at fork: address, physical page, and its decoded instructions then. */
type CodeMap = Map<number, { page: Page; decoded: unknown[] | null }>;

function codeMap(mem: Memory): CodeMap {
  return new Map(executablePages(mem).map((a) => {
    const page = mem.execPage(a);
    return [a, { page, decoded: page.decoded }];
  }));
}

const hex = (a: number): string => `0x${a.toString(16)}`;

/** What is wrong with the child's code pages against the parent's, or undefined. */
function compare(parent: Memory, child: Memory, atFork: CodeMap, rewritten: boolean): string | undefined {
  const writable = (a: number): boolean => (parent.protOf(a / PAGE_SIZE) & PROT_WRITE) !== 0;
  const decodedAtFork = [...atFork.values()].filter((c) => c.decoded !== null).length;
  if (decodedAtFork === 0) return 'the parent had no decoded code at fork';
  if (![...atFork.keys()].some(writable)) return 'fork-touch mapped no writable code page';
  for (const [a, before] of atFork) {
    const mine = child.execPage(a);
    const theirs = parent.execPage(a);
    if (theirs !== before.page) return `the parent's code page ${hex(a)} was replaced`;
    if (before.decoded !== null && theirs.decoded !== before.decoded) return `the parent's decoded code of page ${hex(a)} was dropped`;
    if (rewritten && writable(a)) {
      if (mine === theirs) return `the child rewrote code page ${hex(a)} and still shares it with the parent`;
    } else if (mine !== theirs) {
      return `code page ${hex(a)} is a copy in the child, not the parent's page${rewritten ? ' (the child wrote only the other code page)' : ' (right after fork)'}`;
    }
  }
  return undefined;
}

function evaluate(opts: GateOptions): GateResult {
  let shared = 0;
  /** One run, looked at when the child is at `childAt` (after rewriting its code or not). */
  const look = (childAt: number, rewritten: boolean): { probe: ProbeRun; problem?: string } => {
    let problem: string | undefined;
    const probe = probeFork(['16', '4', '1', 'code'], opts.kernel, opts.seed, {
      childAt,
      atFork: (_k, parent) => codeMap(parent.mem),
      atChild: (_k, parent, child, atFork) => {
        problem = compare(parent.mem, child.mem, atFork, rewritten);
        shared = [...atFork.values()].filter((c) => c.decoded !== null).length;
      },
    });
    return { probe, problem: problem ?? (probe.probed ? undefined : `the run never reached the point looked at (${probe.run.verdict.kind})`) };
  };
  const looks = [look(SYS.sched_yield, false), look(SYS.exit_group, true)];
  for (const { probe, problem } of looks) {
    if (problem === undefined) continue;
    const trace = saveTrace(opts.outDir, `P3.2-${opts.kernel}`, probe.run);
    return {
      pass: false,
      runs: looks.length,
      detail: problem,
      counterexample: {
        summary: `fork-touch 16 4 1 code on ${opts.kernel}: ${problem}`,
        replay: replayLine(probe.cli, opts.seed, probe.run.schedule),
        ...(trace ? { trace } : {}),
      },
    };
  }
  return {
    pass: true,
    runs: looks.length,
    detail: `right after fork the child runs the parent's ${shared} decoded code pages; the one it rewrote became its own while the parent's kept its decoded code`,
  };
}

export const CODE_SHARING_GATE: Gate = { id: 'P3.2', name: 'code and decode caches shared between parent and child', phase: 3, evaluate };
