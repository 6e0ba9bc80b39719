// Judging a SUT run's process-event log (what its drain export wrote, src/sim/EVENTS.md) on
// the phase-1 contracts a log decides (P1.1, P1.2, P1.4: check-events' rules), and P1.1 also
// against what the guest observed: every process that wrote an observation, by the pid it
// reported, has its spawn in the table (the initial process, the log's init, aside).

import { checkEventLog, type ContractId } from '../events-log/check.ts';
import { parseEventLog } from '../events-log/parse.ts';
import { fail, OK, type Verdict } from '../predicates.ts';
import type { MarkedLine } from './observed.ts';

export type EventGateId = 'P1.1' | 'P1.2' | 'P1.4';

export interface EventsJudgement {
  verdict: Verdict;
  /** judged: the log decided the contract; undecidable: events were dropped where it mattered. */
  decided: 'judged' | 'undecidable';
}

export function judgeEvents(gate: EventGateId, text: string, lines: readonly MarkedLine[]): EventsJudgement {
  const { log, errors } = parseEventLog(text);
  if (errors.length > 0) return { verdict: fail(`unreadable event log: line ${errors[0].line}: ${errors[0].message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`), decided: 'judged' };
  const c = checkEventLog(log).contracts.find((x) => x.id === (gate as ContractId))!;
  if (c.verdict === 'fail') return { verdict: fail(`${c.why}${c.line !== null ? ` (event log line ${c.line})` : ''}`), decided: 'judged' };
  if (gate === 'P1.1') {
    const spawned = new Set<number>();
    for (const r of log.records) if ('event' in r && r.event.kind === 'spawn') spawned.add(r.event.pid);
    const init = log.header?.init ?? lines[0]?.pid;
    const missing = lines.find((l) => l.pid !== init && !spawned.has(l.pid));
    if (missing !== undefined) return { verdict: fail(`pid ${missing.pid} wrote "${missing.text}" but the event log has no spawn of it`), decided: 'judged' };
  }
  return { verdict: OK, decided: c.verdict === 'undecidable' ? 'undecidable' : 'judged' };
}
