// procsim check-events: judge a process-event log written by any emulator (src/sim/EVENTS.md)
// on the phase-1 contracts a log alone decides.

import { readFileSync } from 'node:fs';
import { checkEventLog, type EventsReport, parseEventLog } from '../sim/events-log/index.ts';
import { type FlagSpec, parseArgs, UsageError } from './args.ts';

const CHECK_EVENTS_FLAGS: Record<string, FlagSpec> = { json: {} };

export const CHECK_EVENTS_HELP = `procsim check-events [--json] FILE.jsonl
  Judge a process-event log (one JSON object per line: spawn, exec, exit, signal,
  wait-wakeup and reap events with seq numbers, and a drop record per drain that lost
  events; format in src/sim/EVENTS.md; procsim run --events FILE writes one) on the
  phase-1 contracts an event log decides: P1.1 (every pid spawned once, by a live parent),
  P1.2 (seq accounted for, nothing of a pid after its exit or reap), P1.4 (a wakeup after
  each exit, one reap by the parent or the reaper, with the exit's status). A check that
  lost events could explain is undecidable, not failed; P1.3 needs syscalls (n/a).
  --json       print the report as JSON (events, dropped, ok, contracts[] with id, name,
               verdict, line, why) instead of the table
  Exit code: 0 when every decidable contract passes, 1 when one fails or a line is not a
  record of the format (each printed as FILE:LINE: why), 2 for a usage error.`;

function table(file: string, r: EventsReport): string {
  const rows = r.contracts.map((c) => [c.id, c.verdict, c.line === null ? (c.verdict === 'fail' ? 'whole log' : '-') : `${file}:${c.line}`, c.why ?? c.name]);
  const head = ['contract', 'verdict', 'first offending line', 'why'];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const fmt = (row: string[]) => row.map((v, i) => (i === row.length - 1 ? v : v.padEnd(width[i]))).join('  ');
  const summary = `${r.events} events, ${r.dropped} dropped: ${r.ok ? 'every decidable contract holds' : 'a contract fails'}`;
  return [fmt(head), ...rows.map(fmt), summary].join('\n');
}

export function checkEventsCommand(argv: string[]): number {
  const args = parseArgs(argv, CHECK_EVENTS_FLAGS);
  if (args.positionals.length !== 1) throw new UsageError(`check-events takes one FILE.jsonl, got ${args.positionals.length === 0 ? 'none' : args.positionals.length} (see --help)`);
  const file = args.positionals[0];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const fix = code === 'ENOENT' ? 'no such file (name an existing log, e.g. one procsim run --events FILE wrote)' : code === 'EISDIR' ? 'is a directory (name a .jsonl file)' : `${code}: cannot read it (name a file you may read)`;
    throw new UsageError(`check-events: ${file}: ${fix}`);
  }
  const { log, errors } = parseEventLog(text);
  if (errors.length > 0) {
    for (const e of errors) process.stderr.write(`${file}:${e.line}: ${e.message}\n`);
    process.stderr.write(`procsim: ${file}: ${errors.length} line${errors.length === 1 ? '' : 's'} not in the event-log format (see src/sim/EVENTS.md)\n`);
    return 1;
  }
  const report = checkEventLog(log);
  console.log(args.flags.has('json') ? JSON.stringify({ file, ...report }, null, 2) : table(file, report));
  return report.ok ? 0 : 1;
}
