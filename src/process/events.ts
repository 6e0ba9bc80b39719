// Process events: what happened to which process, in order, for a host to drain (the
// analogue of an emulator's drain-process-events export). The ring is bounded; events that
// do not fit are counted and reported at the next drain, never silently lost.

export type ProcessEventKind = 'spawn' | 'exec' | 'exit' | 'signal' | 'wait-wakeup' | 'reap';

export interface ProcessEvent {
  /** Position in the kernel's whole event stream, from 0 (gaps show dropped events). */
  seq: number;
  kind: ProcessEventKind;
  pid: number;
  /** spawn: the parent; wait-wakeup and reap: the waiting parent. */
  ppid?: number;
  /** exec: the program path. */
  path?: string;
  /** exit and reap: the wait status (Linux encoding). */
  status?: number;
  /** signal: the signal number; sender pid in `from` (0 for the kernel). */
  sig?: number;
  from?: number;
}

export interface Drained {
  events: ProcessEvent[];
  /** Events lost to overflow since the previous drain. */
  dropped: number;
}

export const DEFAULT_EVENT_CAPACITY = 4096;

export class EventRing {
  private buf: ProcessEvent[] = [];
  private seq = 0;
  private dropped = 0;
  /** Every event dropped since the kernel started. */
  totalDropped = 0;

  constructor(readonly capacity = DEFAULT_EVENT_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`event ring capacity must be a positive integer, got ${capacity}`);
  }

  push(e: Omit<ProcessEvent, 'seq'>): void {
    const ev = { seq: this.seq++, ...e };
    if (this.buf.length >= this.capacity) {
      this.dropped++;
      this.totalDropped++;
      return;
    }
    this.buf.push(ev);
  }

  /** Everything buffered, oldest first, and how many events did not fit. */
  drain(): Drained {
    const out = { events: this.buf, dropped: this.dropped };
    this.buf = [];
    this.dropped = 0;
    return out;
  }

  get length(): number {
    return this.buf.length;
  }
}
