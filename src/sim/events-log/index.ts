// The process-event log: its format (EVENTS.md), procsim's writer, the parser and the checker.

export { EVENTS_VERSION, EVENT_KINDS, type DropRecord, type EventLog, type LogHeader, type LogRecord } from './format.ts';
export { EventLogWriter } from './writer.ts';
export { parseEventLog, type ParseResult } from './parse.ts';
export { checkEventLog, CONTRACT_NAMES, type ContractId, type ContractResult, type EventsReport, type EventVerdict } from './check.ts';
