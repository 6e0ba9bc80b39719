// Canonical process names: p1, p2, ... in creation order. Pids depend on the kernel (pid
// reuse, variants that fake them); creation order depends only on the schedule, so schedules
// and traces name processes this way and stay comparable across kernels.

import type { Kernel } from '../process/kernel.ts';
import type { Process } from '../process/process.ts';

export class ProcNames {
  /** Every process seen, in creation order: id n is procs[n - 1]. */
  readonly procs: Process[] = [];
  /** Their names, made once: the run loop asks for them at every step. */
  private readonly names: string[] = [];
  private readonly ids = new Map<Process, number>();
  /** The latest process seen with each pid (a pid may come back after a wrap). */
  private readonly pids = new Map<number, Process>();

  /**
   * Name the processes created since the last call (the table iterates in creation order).
   * Called after every kernel step, before a process created there can be reaped.
   */
  sync(k: Kernel): void {
    for (const p of k.procs.values()) {
      if (this.ids.has(p)) continue;
      this.procs.push(p);
      this.names.push(`p${this.procs.length}`);
      this.ids.set(p, this.procs.length);
      this.pids.set(p.pid, p);
    }
  }

  /** Creation index of p (1 for the first process). */
  id(p: Process): number {
    const id = this.ids.get(p);
    if (id === undefined) throw new Error(`pid ${p.pid} has no canonical name yet`);
    return id;
  }

  name(p: Process): string {
    return this.names[this.id(p) - 1];
  }

  /** The canonical name for a pid, or undefined when no process ever had it. */
  pidName(pid: number): string | undefined {
    const p = this.pids.get(pid);
    return p === undefined ? undefined : this.name(p);
  }
}
