// The outcome of a run of the interp-sut guest as an observer outside the emulator can
// compare it with the reference kernel's: each process's observation lines in its own order
// (the interleaving of processes is the scheduler's and not compared), pids renamed by what
// they are (`p1`, `f4`: the child of fork node n4), and how p1 ended. The same text comes from
// a reference run and from an emulator's, so an emulator's outcome can be looked up in the
// set of the reference kernel's.

import type { Program } from '../programs/program.ts';
import { isParentFork, type MarkedLine, placeLines } from './observed.ts';

/** The canonical name of a process by its key: p1, or fN for the child of fork node nN. */
const keyName = (key: number): string => (key === 0 ? 'p1' : `f${key}`);

/** Tags whose first value is a pid (when positive). */
const PID_TAGS = new Set(['pid', 'tid', 'ppid', 'pgid', 'sid', 'setsid', 'fork', 'wait']);

/** The outcome text: one line per process ("f4: n5 pid f4; n6 ppid p1"), then "end: exited 0". */
export function outcomeText(program: Program, lines: readonly MarkedLine[], end: string): string {
  const placed = placeLines(program, lines);
  // A pid is named after the process fork returned it for, or that reported it as its own.
  const named = new Map<number, string>();
  for (const l of placed) if (isParentFork(l) && Number(l.vals[0]) > 0 && !named.has(Number(l.vals[0]))) named.set(Number(l.vals[0]), keyName(l.node));
  for (const l of placed) if (!named.has(l.pid)) named.set(l.pid, keyName(l.key));
  const procs = new Map<number, string[]>();
  for (const l of placed) {
    if (l.tag === 'start') continue;
    const v = Number(l.vals[0]);
    let first = l.vals[0];
    if (PID_TAGS.has(l.tag) && v > 0) first = named.get(v) ?? `pid${v}`;
    // p1's parent is the emulator's own business.
    if (l.tag === 'ppid' && l.key === 0) first = '-';
    const text = [`n${l.node}`, l.tag, ...(first === undefined ? [] : [first]), ...l.vals.slice(1)].join(' ');
    procs.set(l.key, [...(procs.get(l.key) ?? []), text]);
  }
  const body = [...procs].sort(([a], [b]) => a - b).map(([k, ls]) => `${keyName(k)}: ${ls.join('; ')}`);
  return [...body, `end: ${end}`].join('\n');
}

/** How many process lines of two outcomes differ (the nearest reference outcome is the one with the fewest). */
export function outcomeDistance(a: string, b: string): number {
  const x = a.split('\n');
  const y = new Set(b.split('\n'));
  return x.filter((l) => !y.has(l)).length + Math.abs(x.length - y.size);
}

/** The lines of `b` that `a` does not have, and those of `a` that `b` does not: a short diff. */
export function outcomeDiff(got: string, want: string): string {
  const g = got.split('\n');
  const w = want.split('\n');
  return [...g.filter((l) => !w.includes(l)).map((l) => `  SUT:       ${l}`), ...w.filter((l) => !g.includes(l)).map((l) => `  reference: ${l}`)].join('\n');
}
