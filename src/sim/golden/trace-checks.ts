// Process-model contracts that a trace alone can show, for any program (the golden traces
// run real programs, not generated ones, so the contract properties of src/sim/contracts,
// which judge a generated program's own observations, do not apply to them). Written with
// the trace predicates of src/sim/predicates.ts:
//   - each process is spawned once, by a process that exists, and does nothing after it exits
//     (no rollback: a process that ended stays ended);
//   - each child is reaped at most once, by its parent or the reaper it was handed to, after
//     it exited, and wait4 reports the status the child exited with;
//   - a fork returns the new child's name to the parent (P0.2), never a reaped process.

import { before, never, type Verdict } from '../predicates.ts';
import type { TraceEvent } from '../programs/observations.ts';
import type { TraceChecker } from './golden.ts';

/** The body lines of a trace as events. */
export function traceEvents(lines: readonly string[]): TraceEvent[] {
  return lines.map((l, i) => ({ ...(JSON.parse(l) as object), i }) as TraceEvent);
}

function perProcess(events: readonly TraceEvent[]): Verdict[] {
  const procs = [...new Set(events.filter((e) => e.event === 'spawn').map((e) => e.proc!))];
  return procs.flatMap((p) => {
    const spawnedHere = (e: TraceEvent): boolean => e.event === 'spawn' && e.proc === p;
    const exitedHere = (e: TraceEvent): boolean => e.event === 'exit' && e.proc === p;
    const exit = events.find(exitedHere);
    const reaps = events.filter((e) => e.event === 'reap' && e.proc === p);
    const waits = events.filter((e) => e.sys === 'wait4' && e.ret === p);
    return [
      never(`${p} spawned twice`, events, (e) => spawnedHere(e) && e !== events.find(spawnedHere)),
      before(`${p} acts only once spawned`, events, spawnedHere, (e) => e.proc === p && e.sys !== undefined),
      never(`${p} acts after its exit`, events, (e) => exit !== undefined && e.i > exit.i && e.proc === p && e.sys !== undefined),
      reaps.length > 1 ? { ok: false, message: `${p} reaped ${reaps.length} times` } : { ok: true },
      before(`${p} reaped after it exited`, events, exitedHere, (e) => e.event === 'reap' && e.proc === p),
      // A wait with a NULL status pointer reports no status.
      never(`wait4 reports ${p} with a status other than its exit's (${exit?.status})`, waits, (e) => e.status !== undefined && e.status !== exit?.status),
    ];
  });
}

/** The violations of the trace contracts in a trace body; none for a correct kernel. */
export const checkTraceContracts: TraceChecker = (lines) => {
  const events = traceEvents(lines);
  const spawnedBy = new Map(events.filter((e) => e.event === 'spawn').map((e) => [e.proc!, e]));
  const forks = events.filter((e) => e.sys === 'clone' && typeof e.ret === 'string');
  const verdicts = [
    ...perProcess(events),
    never('a spawn by a process that does not exist', events, (e) => e.event === 'spawn' && e.parent !== null && !spawnedBy.has(String(e.parent))),
    // The child is spawned by this very call (a rollback fork returns it on the retry).
    never('fork returns a process that is not its new child', forks, (e) => {
      const spawn = spawnedBy.get(String(e.ret));
      return spawn === undefined || spawn.parent !== e.proc || (!e.retry && spawn.step !== e.step);
    }),
  ];
  return verdicts.flatMap((x) => (x.ok ? [] : [x.message]));
};
