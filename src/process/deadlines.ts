// Things that expire on virtual time (processes' ITIMER_REAL, POSIX timers on a time clock),
// and the earliest expiry among them: where the driver moves the clock when nothing can run,
// and where a running process's slice is cut.

import { NO_DEADLINE } from './process.ts';

export class Deadlines<T> {
  private armed: T[] = [];
  /** Earliest expiry (NO_DEADLINE when none): a bigint compare on the hot path. */
  next = NO_DEADLINE;

  constructor(
    /** When x expires (null: it is not armed). */
    private readonly at: (x: T) => bigint | null,
    /** The order of things that expire at the same time (a host-independent one). */
    private readonly tiebreak: (a: T, b: T) => number,
  ) {}

  /** x's expiry changed (armed, rearmed or disarmed). */
  update(x: T): void {
    const i = this.armed.indexOf(x);
    const on = this.at(x) !== null;
    if (!on && i >= 0) this.armed.splice(i, 1);
    if (on && i < 0) this.armed.push(x);
    this.recompute();
  }

  /** What expired by `now`, earliest first, taken out of the set (the caller rearms and updates). */
  take(now: bigint): T[] {
    const due = this.armed.filter((x) => this.at(x)! <= now);
    if (due.length === 0) return due;
    due.sort((a, b) => {
      const [x, y] = [this.at(a)!, this.at(b)!];
      return x < y ? -1 : x > y ? 1 : this.tiebreak(a, b);
    });
    this.armed = this.armed.filter((x) => !due.includes(x));
    this.recompute();
    return due;
  }

  private recompute(): void {
    let n = NO_DEADLINE;
    for (const x of this.armed) {
      const at = this.at(x)!;
      if (at < n) n = at;
    }
    this.next = n;
  }
}
