// Real workloads (Debian's dash, bash, coreutils, git, python3 in the Debian rootfs): each
// under procsim (a fresh kernel per run, in-process) beside the same command on real Linux
// (qemu-riscv64 under binfmt_misc in a user namespace, every child riscv64 too; its figure
// includes the namespace setup, measured alone as `true`), and MIPS on a bash loop with the
// startup subtracted, as for the CPU-bound guests.

import { rootfsLinuxUnavailable, runInRootfsLinux } from '../test/support/rootfs-linux.ts';
import { runWorkload, WORKLOAD_ENV, WORKLOADS, type Workload } from '../test/support/workloads.ts';
import { median, nowMs, progress, progressDone } from './common.ts';

const REPS = Math.max(1, Math.min(3, Number(process.env.BENCH_REPS ?? 3)));

function onLinux(w: Workload): number {
  const t = nowMs();
  const r = runInRootfsLinux(w.argv, { env: WORKLOAD_ENV, cwd: w.cwd ?? '/root', timeoutMs: 120_000 });
  const ms = nowMs() - t;
  if (r.status !== (w.exitCode ?? 0)) throw new Error(`${w.name}: Linux exited ${r.status ?? r.signal}: ${r.stderr.toString().trim()}`);
  return ms;
}

function onProcsim(w: Workload): { ms: number; insns: number } {
  const t = nowMs();
  const r = runWorkload(w);
  const ms = nowMs() - t;
  if (r.exitCode !== (w.exitCode ?? 0)) throw new Error(`${w.name}: procsim exited ${r.exitCode}: ${Buffer.from(r.stderr).toString().trim()}`);
  return { ms, insns: r.instructions };
}

function measure(w: Workload): { ms: number; insns: number; linuxMs: number } {
  onProcsim(w); // warm: the JIT, the content pages of the libraries
  const ours: number[] = [];
  const theirs: number[] = [];
  let insns = 0;
  for (let i = 0; i < REPS; i++) {
    progress(`${w.name}: procsim ${i + 1}/${REPS}`);
    const r = onProcsim(w);
    ours.push(r.ms);
    insns = r.insns;
    progress(`${w.name}: Linux ${i + 1}/${REPS}`);
    theirs.push(onLinux(w));
  }
  progressDone();
  return { ms: median(ours), insns, linuxMs: median(theirs) };
}

export function workloads(): void {
  console.log('\nreal workloads in the Debian rootfs, whole runs (procsim in-process; Linux = qemu-riscv64 via binfmt_misc in a namespace):');
  const why = rootfsLinuxUnavailable();
  if (why !== null) return console.log(`  ${why}`);
  const setup = median(Array.from({ length: REPS }, () => onLinux({ name: 'true', argv: ['/usr/bin/true'], stdout: /^$/ })));
  console.log(`  (a Linux run's namespace setup alone, /usr/bin/true: ${setup.toFixed(0)} ms; subtracted below)`);
  console.log(`  ${'workload'.padEnd(58)} ${'insns'.padStart(8)}  ${'procsim'.padStart(9)}  ${'MIPS'.padStart(5)}  ${'Linux'.padStart(8)}  ratio`);
  for (const w of WORKLOADS) {
    try {
      const m = measure(w);
      const linux = Math.max(1, m.linuxMs - setup);
      console.log(
        `  ${w.name.slice(0, 58).padEnd(58)} ${(m.insns / 1e6).toFixed(1).padStart(7)}M  ${m.ms.toFixed(0).padStart(7)}ms  ${(m.insns / m.ms / 1000).toFixed(1).padStart(5)}  ${linux.toFixed(0).padStart(6)}ms  1:${(m.ms / linux).toFixed(1)}`,
      );
    } catch (e) {
      progressDone();
      console.log(`  ${w.name}: FAILED: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  bashLoopMips(setup);
}

/** MIPS on a bash arithmetic loop: the difference between 20,000 and 5,000 iterations. */
function bashLoopMips(setup: number): void {
  const loop = (n: number): Workload => ({ name: `bash loop ${n}`, argv: ['/bin/bash', '-c', `i=0; while [ $i -lt ${n} ]; do i=$((i+1)); done; echo $i`], stdout: /^\d+\n$/ });
  const [small, large] = [loop(5_000), loop(20_000)];
  const a = measure(small);
  const b = measure(large);
  const insns = b.insns - a.insns;
  const ours = insns / (b.ms - a.ms) / 1000;
  const theirs = insns / Math.max(1, b.linuxMs - a.linuxMs) / 1000;
  console.log(
    `  bash loop, startup subtracted: ${(insns / 1e6).toFixed(1)} M insns   procsim ${ours.toFixed(1)} MIPS   qemu-riscv64 ${theirs.toFixed(0)} MIPS   ratio 1:${(theirs / ours).toFixed(1)}` +
      ` (setup ${setup.toFixed(0)} ms cancels out)`,
  );
}
