// The process-event log (EVENTS.md): what an emulator's drain export writes, one JSON object
// per line. procsim's own kernel writes it (writer.ts) and `procsim check-events` judges it.

import type { ProcessEvent, ProcessEventKind } from '../../process/events.ts';

export const EVENTS_VERSION = 1;

export const EVENT_KINDS: readonly ProcessEventKind[] = ['spawn', 'exec', 'exit', 'signal', 'wait-wakeup', 'reap'];

/** Optional first line: the format version and the initial process (no spawn needed for it). */
export interface LogHeader {
  'procsim-events': number;
  init?: number;
  [k: string]: unknown;
}

/** A drain lost `dropped` events: seq `seq` .. seq+dropped-1. */
export interface DropRecord {
  dropped: number;
  seq: number;
}

/** One line of the log body, with its line number in the file (from 1). */
export type LogRecord = { line: number } & ({ event: ProcessEvent } | { drop: DropRecord });

export interface EventLog {
  /** Line 1, when it is a header. */
  header?: LogHeader;
  /** Events and drop records, in file order. */
  records: LogRecord[];
  /** Lines in the file. */
  lines: number;
}
