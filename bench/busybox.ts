// busybox `sh -c 'printf hi | cat'` runs per second: the riscv64 busybox on procsim (a
// fresh kernel per run, in its rootfs), its amd64 twin natively and the riscv64 build under
// qemu-riscv64 (one spawn per run for both). The pair comes from `npm run busybox`. procsim
// runs it as the oracle tests do (test/support/busybox.ts): after a builtin `cd` to its HOME.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { GUEST_BUSYBOX, NATIVE_BIN, requireBusybox, runProcsimBusybox } from '../test/support/busybox.ts';
import { which } from '../test/support/real-linux.ts';
import { BENCH_CACHE, built } from './build.ts';
import { median, nowMs, progress, progressDone, rate, REPS, ROOT, sandboxCostMs, sandboxed, speedup } from './common.ts';

export const PIPELINE_SCRIPT = 'printf hi | cat';
const RUNS = 4 * REPS;

/** Times of RUNS runs, less `overhead` each (the sandbox's own cost, for host programs). */
function timed(run: () => string, who: string, overhead = 0): number[] {
  for (let i = 0; i < 3; i++) run(); // warm up (JIT, page cache)
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = nowMs();
    const out = run();
    ms.push(Math.max(0, nowMs() - t - overhead));
    if (out !== 'hi') throw new Error(`${who} printed ${JSON.stringify(out)}`);
  }
  return ms;
}

/** A host program's stdout, run sandboxed (common.ts sandboxed). */
function spawnOut(cmd: string, args: string[], env: Record<string, string>, who: string): string {
  const [file, argv] = sandboxed(cmd, args);
  const r = spawnSync(file, argv, { env, cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  if (r.error) throw new Error(`${who}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${who} exited ${r.status ?? r.signal}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** A PATH directory where `cat` starts qemu-riscv64 on the riscv64 busybox, as binfmt_misc would. */
function binfmtShimDir(): string {
  const shim = built('host/binfmt-shim.c', 'host');
  const dir = join(BENCH_CACHE, 'binfmt');
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'cat'))) symlinkSync(relative(dir, shim), join(dir, 'cat'));
  return dir;
}

let qemuRate: number | string | undefined;

/**
 * Runs per second of the pipeline on the riscv64 busybox under qemu-riscv64 (measured once
 * per bench), or why it cannot run.
 */
export function qemuPipelinePerSecond(): number | string {
  if (qemuRate !== undefined) return qemuRate;
  const qemuPath = which('qemu-riscv64');
  if (qemuPath === null) return (qemuRate = 'qemu-riscv64: not installed');
  const env = { PATH: binfmtShimDir(), BINFMT_SHIM_QEMU: qemuPath, BINFMT_SHIM_TARGET: GUEST_BUSYBOX };
  progress('busybox on qemu-riscv64');
  qemuRate = 1000 / median(timed(() => spawnOut(qemuPath, [GUEST_BUSYBOX, 'sh', '-c', PIPELINE_SCRIPT], env, 'qemu busybox'), 'qemu busybox', sandboxCostMs()));
  progressDone();
  return qemuRate;
}

export function busyboxPipeline(): void {
  console.log(`\nbusybox sh -c '${PIPELINE_SCRIPT}', whole runs:`);
  const missing = requireBusybox('skipped');
  if (missing !== null) return console.log(`  ${missing}`);
  let insns = 0;
  progress('busybox on procsim');
  const ours = 1000 / median(
    timed(() => {
      const r = runProcsimBusybox(PIPELINE_SCRIPT);
      if (r.exitCode !== 0) throw new Error(`procsim busybox exited ${r.exitCode}: ${r.stderr.toString().trim()}`);
      insns = r.instructions;
      return r.stdout.toString();
    }, 'procsim busybox'),
  );
  progress('busybox native');
  const native = 1000 / median(
    timed(() => spawnOut(join(NATIVE_BIN, 'busybox'), ['sh', '-c', PIPELINE_SCRIPT], { PATH: NATIVE_BIN }, 'native busybox'), 'native busybox', sandboxCostMs()),
  );
  progressDone();
  console.log(`  procsim (riscv64, fresh kernel + rootfs per run)  ${rate(ours).padStart(7)} runs/s  (${insns.toLocaleString('en-US')} guest insns/run)`);
  console.log(`  native amd64 twin (spawn per run)                 ${rate(native).padStart(7)} runs/s   ${speedup(ours, native)}`);
  const theirs = qemuPipelinePerSecond();
  if (typeof theirs === 'string') return console.log(`  ${theirs}`);
  console.log(`  qemu-riscv64 riscv64 busybox (spawn per run)      ${rate(theirs).padStart(7)} runs/s   ${speedup(ours, theirs)}`);
  console.log(
    '  (qemu-user cannot execve a riscv64 binary without binfmt_misc: the shell\'s exec of\n' +
      '   /proc/self/exe as cat fails with ENOEXEC and it searches PATH, which here holds only\n' +
      '   bench/host/binfmt-shim.c: a fresh qemu-riscv64 on busybox with argv[0] = cat, as\n' +
      '   binfmt_misc would start. With the host PATH it would run the host\'s /usr/bin/cat.)',
  );
}
