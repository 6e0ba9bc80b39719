// Runs scenarios/guests/fork-touch on a kernel and looks at the address spaces at two
// points: when the parent is at its fork (clone) and when the child is at a given syscall.
// The look happens inside the strategy, where every process is stopped at a syscall, so it
// sees memory exactly as the guests left it; the schedule is round-robin.

import type { Kernel } from '../../process/kernel.ts';
import type { Process } from '../../process/process.ts';
import { SYS } from '../../process/sysno.ts';
import type { KernelVariantName } from '../../process/variants/index.ts';
import { RoundRobinStrategy } from '../strategies/round-robin.ts';
import type { ChoiceContext, ProcRef, Strategy } from '../strategy.ts';
import type { TargetRun } from '../target.ts';
import { type CliTarget, guestCli, runKeepingKernel } from './gate-run.ts';

export interface ForkProbe<T> {
  /** Called once, when p1 is at its first clone (no child yet). */
  atFork(k: Kernel, parent: Process): T;
  /** Called once, when the first child is at syscall `childAt`. */
  atChild(k: Kernel, parent: Process, child: Process, before: T): void;
  childAt: number;
}

export interface ProbeRun {
  cli: CliTarget;
  run: TargetRun;
  /** Whether both looks happened. */
  probed: boolean;
}

/** fork-touch ARGS on `kernel` with the probe's two looks; the run keeps its trace. */
export function probeFork<T>(args: string[], kernel: KernelVariantName, seed: number, probe: ForkProbe<T>): ProbeRun {
  const cli = guestCli('fork-touch', args, kernel);
  let k: Kernel | undefined;
  let init: Process | undefined;
  let before: T | undefined;
  let probed = false;
  const rr = new RoundRobinStrategy();
  const strategy: Strategy = {
    spec: rr.spec,
    begin: (s) => rr.begin(s),
    choose(ready: readonly ProcRef[], ctx: ChoiceContext): number {
      const child = [...k!.procs.values()].find((p) => p !== init);
      if (before === undefined && child === undefined && ready.some((r) => r.id === 1 && r.nr === SYS.clone)) {
        before = probe.atFork(k!, init!);
      }
      if (!probed && before !== undefined && child !== undefined && ready.some((r) => r.id === 2 && r.nr === probe.childAt)) {
        probe.atChild(k!, init!, child, before);
        probed = true;
      }
      return rr.choose(ready, ctx);
    },
  };
  const { run } = runKeepingKernel(cli.target, seed, strategy, true, (kernel, p1) => {
    k = kernel;
    init = p1;
  });
  return { cli, run, probed };
}
