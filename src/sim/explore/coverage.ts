// What a sweep exercised (explore --coverage): for every syscall, the results its runs saw
// (ok, blocked, interrupted by a signal while blocked, or an errno), and the faults injected, by kind. Read from each run's trace;
// counts of disjoint runs add up, so workers and shards merge to the whole sweep's coverage.

import type { Trace } from '../trace.ts';

export interface Coverage {
  /** Syscall name -> result ("ok", "blocked", "ENOENT", ...) -> steps. */
  calls: Record<string, Record<string, number>>;
  /** Fault kind -> injections. */
  faults: Record<string, number>;
}

export const emptyCoverage = (): Coverage => ({ calls: {}, faults: {} });

function bump(m: Record<string, number>, k: string, n = 1): void {
  m[k] = (m[k] ?? 0) + n;
}

/** Add a run's trace to c. */
export function addTrace(c: Coverage, trace: Trace): void {
  for (const text of trace.lines) {
    const l = JSON.parse(text) as { sys?: string; errno?: string; block?: string; fault?: string; interrupts?: string; delivered?: string[] };
    if (l.interrupts !== undefined) bump((c.calls[l.interrupts] ??= {}), 'interrupted');
    if (l.sys === undefined) continue;
    // A call that would block with a handler to run is cut short by it (EINTR, or a restart).
    const result = l.errno ?? (l.block === undefined ? 'ok' : l.delivered !== undefined ? 'interrupted' : 'blocked');
    bump((c.calls[l.sys] ??= {}), result);
    if (l.fault !== undefined) bump(c.faults, l.fault.split(' ')[0]);
  }
}

/** The coverage of several disjoint parts of a sweep. */
export function mergeCoverage(parts: readonly Coverage[]): Coverage {
  const out = emptyCoverage();
  for (const p of parts) {
    for (const [sys, results] of Object.entries(p.calls)) for (const [r, n] of Object.entries(results)) bump((out.calls[sys] ??= {}), r, n);
    for (const [k, n] of Object.entries(p.faults)) bump(out.faults, k, n);
  }
  return sorted(out);
}

/** Keys in order (syscalls, then results: ok, blocked, errnos), so equal coverage prints equally. */
export function sorted(c: Coverage): Coverage {
  const rank = (r: string): string => (r === 'ok' ? '0' : r === 'blocked' ? '1' : r === 'interrupted' ? '2' : `3${r}`);
  const calls: Coverage['calls'] = {};
  for (const sys of Object.keys(c.calls).sort()) {
    calls[sys] = Object.fromEntries(Object.entries(c.calls[sys]).sort(([a], [b]) => (rank(a) < rank(b) ? -1 : 1)));
  }
  return { calls, faults: Object.fromEntries(Object.entries(c.faults).sort(([a], [b]) => (a < b ? -1 : 1))) };
}

/** The coverage as report lines: one per syscall, with its results. */
export function coverageLines(c: Coverage): string[] {
  const out = [`coverage: ${Object.keys(c.calls).length} syscalls`];
  for (const [sys, results] of Object.entries(c.calls)) {
    out.push(`  ${sys}: ${Object.entries(results).map(([r, n]) => `${r} ${n}`).join(', ')}`);
  }
  const faults = Object.entries(c.faults);
  out.push(`  faults injected: ${faults.length === 0 ? 'none' : faults.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  return out;
}

const NAME = /^(?!__proto__$)[a-z0-9_]+$/;
const RESULT = /^(ok|blocked|interrupted|E[A-Z0-9]+)$/;

/** Why a report's coverage field is malformed (null: it is fine). */
export function badCoverage(v: unknown): string | null {
  const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (!isObject(v) || !isObject(v.calls) || !isObject(v.faults) || Object.keys(v).length !== 2) return 'coverage is not {calls, faults}';
  const counts = (m: Record<string, unknown>, key: RegExp): boolean => Object.entries(m).every(([k, n]) => key.test(k) && Number.isSafeInteger(n) && (n as number) > 0);
  for (const [sys, results] of Object.entries(v.calls)) {
    if (!NAME.test(sys) || !isObject(results) || !counts(results, RESULT)) return `coverage of ${JSON.stringify(sys)} is malformed`;
  }
  return counts(v.faults, NAME) ? null : 'coverage.faults is malformed';
}
