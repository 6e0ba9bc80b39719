// The reference producer of process-event logs: procsim's kernel drains, as JSONL lines.

import type { Drained, ProcessEvent } from '../../process/events.ts';
import { EVENTS_VERSION, type LogHeader } from './format.ts';

/** The ProcessEvent fields in the documented order, absent ones left out. */
function eventLine(e: ProcessEvent): string {
  const { seq, kind, pid, ppid, path, status, sig } = e;
  // A signal the kernel itself sends may carry no sender: the format says 0.
  const from = kind === 'signal' ? (e.from ?? 0) : undefined;
  return JSON.stringify({ seq, kind, pid, ppid, path, status, sig, from });
}

export class EventLogWriter {
  /** The lines so far (header first), when no sink takes them. */
  readonly lines: string[] = [];
  /** The seq the next event will have (every event so far is a line or counted dropped). */
  private next = 0;
  private readonly put: (line: string) => void;

  /** With `sink`, every line goes there as it is made and none is kept (a log of any length). */
  constructor(init: number, header: Record<string, unknown> = {}, sink?: (line: string) => void) {
    this.put = sink ?? ((l) => this.lines.push(l));
    const h: LogHeader = { 'procsim-events': EVENTS_VERSION, init, ...header };
    this.put(JSON.stringify(h));
  }

  /**
   * One drain. procsim's ring keeps the oldest events and drops the newest, so the lost ones
   * are those right after the drain's last kept event: the drop record follows the events.
   */
  drain({ events, dropped }: Drained): void {
    for (const e of events) {
      this.put(eventLine(e));
      this.next = e.seq + 1;
    }
    if (dropped > 0) {
      this.put(JSON.stringify({ dropped, seq: this.next }));
      this.next += dropped;
    }
  }

  /** The log as one text (only when no sink took the lines). */
  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}
