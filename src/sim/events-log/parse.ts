// Reading a process-event log: each line one record, checked against EVENTS.md; a line that
// is not one gets one message naming its line and what is wrong with it.

import type { ProcessEvent, ProcessEventKind } from '../../process/events.ts';
import { EVENT_KINDS, EVENTS_VERSION, type EventLog, type LogHeader, type LogRecord } from './format.ts';

export interface ParseResult {
  log: EventLog;
  /** `LINE: what is wrong`, one per malformed line (the log is judged only without any). */
  errors: { line: number; message: string }[];
}

const isNat = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The fields each kind carries besides seq, kind and pid: required ones and how they look. */
const FIELDS: Record<ProcessEventKind, Record<string, 'nat' | 'string'>> = {
  spawn: { ppid: 'nat' },
  exec: { path: 'string' },
  exit: { status: 'nat' },
  signal: { sig: 'nat', from: 'nat' },
  'wait-wakeup': { ppid: 'nat' },
  reap: { ppid: 'nat', status: 'nat' },
};

function parseEvent(o: Record<string, unknown>): ProcessEvent | string {
  const { seq, kind, pid, ...rest } = o;
  if (!isNat(seq)) return `"seq" must be a non-negative integer, got ${JSON.stringify(seq)}`;
  if (!EVENT_KINDS.includes(kind as ProcessEventKind)) return `"kind" must be one of ${EVENT_KINDS.join(', ')}, got ${JSON.stringify(kind)}`;
  if (!isNat(pid) || pid === 0) return `"pid" must be a positive integer, got ${JSON.stringify(pid)}`;
  const fields = FIELDS[kind as ProcessEventKind];
  for (const [name, type] of Object.entries(fields)) {
    const v = rest[name];
    if (type === 'nat' ? !isNat(v) : typeof v !== 'string') return `a ${kind} event needs "${name}" (${type === 'nat' ? 'a non-negative integer' : 'a string'}), got ${JSON.stringify(v)}`;
  }
  const extra = Object.keys(rest).filter((k) => !(k in fields));
  if (extra.length > 0) return `a ${kind} event has no field ${extra.map((k) => JSON.stringify(k)).join(', ')} (its fields: seq, kind, pid${Object.keys(fields).map((k) => `, ${k}`).join('')})`;
  return { seq, kind: kind as ProcessEventKind, pid, ...rest } as ProcessEvent;
}

function parseHeader(o: Record<string, unknown>): LogHeader | string {
  const v = o['procsim-events'];
  if (v !== EVENTS_VERSION) return `unsupported log version ${JSON.stringify(v)} (this procsim reads "procsim-events": ${EVENTS_VERSION})`;
  if (o.init !== undefined && (!isNat(o.init) || o.init === 0)) return `"init" must be the initial process's pid (a positive integer), got ${JSON.stringify(o.init)}`;
  return o as LogHeader;
}

export function parseEventLog(text: string): ParseResult {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const log: EventLog = { records: [], lines: lines.length };
  const errors: ParseResult['errors'] = [];
  lines.forEach((raw, i) => {
    const line = i + 1;
    const bad = (message: string) => errors.push({ line, message });
    let o: unknown;
    try {
      o = JSON.parse(raw);
    } catch {
      return bad(raw.trim() === '' ? 'empty line (one JSON object per line)' : 'not JSON (one JSON object per line)');
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) return bad('not a JSON object');
    const rec = o as Record<string, unknown>;
    if ('procsim-events' in rec) {
      if (line !== 1) return bad('a header ("procsim-events") may only be the first line');
      const h = parseHeader(rec);
      if (typeof h === 'string') return bad(h);
      log.header = h;
    } else if ('dropped' in rec) {
      const { dropped, seq, ...extra } = rec;
      if (!isNat(dropped) || dropped === 0) return bad(`"dropped" must be a positive integer, got ${JSON.stringify(dropped)}`);
      if (!isNat(seq)) return bad(`a drop record needs "seq", the first lost event's (a non-negative integer), got ${JSON.stringify(seq)}`);
      if (Object.keys(extra).length > 0) return bad(`a drop record has only "dropped" and "seq", not ${Object.keys(extra).map((k) => JSON.stringify(k)).join(', ')}`);
      log.records.push({ line, drop: { dropped, seq } });
    } else {
      const e = parseEvent(rec);
      if (typeof e === 'string') return bad(e);
      log.records.push({ line, event: e } satisfies LogRecord);
    }
  });
  return { log, errors };
}
