// Wait queues: where a blocked process parks until something it waits for changes (a
// child's exit, a pipe's buffer, a signal). A wakeup makes every waiter runnable again; the
// woken process re-executes its syscall, which completes or blocks anew.

import type { Process } from './process.ts';

export class WaitQueue {
  /** Waiters in arrival order (a plain array: wakeup order must not depend on the host). */
  private waiters: Process[] = [];

  add(p: Process): void {
    if (!this.waiters.includes(p)) this.waiters.push(p);
  }

  remove(p: Process): void {
    const i = this.waiters.indexOf(p);
    if (i >= 0) this.waiters.splice(i, 1);
  }

  /** Take every waiter off the queue, in arrival order. */
  takeAll(): Process[] {
    const out = this.waiters;
    this.waiters = [];
    return out;
  }

  get size(): number {
    return this.waiters.length;
  }

  /** Who waits, in arrival order (for the invariants' check). */
  members(): readonly Process[] {
    return this.waiters;
  }
}
