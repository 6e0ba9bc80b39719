// npm run bench: emulator speed, measured in one run beside qemu-riscv64 on the same binaries.
// Figures are medians of several repetitions; ratios compare figures from this same run.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { guestPath, type GuestName } from '../test/support/guests.ts';
import { busyboxPipeline } from './busybox.ts';
import { dfsForkWait, pctVersusRandom, schedulesBusybox, schedulesForkWait } from './explore.ts';
import { haveQemu, median, nowMs, progress, progressDone, REPS, ROOT, section } from './common.ts';
import { forkCycles, forkResident } from './fork.ts';
import { workloads } from './workloads.ts';
import { emulate, qemu } from './runners.ts';

/**
 * MIPS with startup subtracted: the difference between a long and a short run. qemu runs
 * qemuLarge instead of large (its difference at `large` is a few ms, below the noise of a
 * spawn); the guests' work is linear in their argument, so its instruction count scales.
 */
function mips(name: GuestName, small: string, large: string, qemuLarge: string): void {
  const bin = guestPath(name);
  emulate(bin, [small]); // warm the JIT
  const ours: number[] = [];
  const theirs: number[] = [];
  let insnDelta = 0;
  const qemuScale = (Number(qemuLarge) - Number(small)) / (Number(large) - Number(small));
  for (let i = 0; i < REPS; i++) {
    const a = emulate(bin, [small]);
    const b = emulate(bin, [large]);
    insnDelta = b.insns - a.insns;
    ours.push(insnDelta / (b.ms - a.ms) / 1000);
    if (haveQemu) {
      if (i === 0 && qemu(bin, [large]).out !== b.out) throw new Error(`${name}: qemu and procsim disagree on ${large}`);
      const qa = qemu(bin, [small]);
      const qb = qemu(bin, [qemuLarge]);
      theirs.push((insnDelta * qemuScale) / (qb.ms - qa.ms) / 1000);
    }
  }
  const m = median(ours);
  const q = haveQemu ? median(theirs) : NaN;
  console.log(
    `${name.padEnd(12)} ${(insnDelta / 1e6).toFixed(1).padStart(7)} M insns   procsim ${m.toFixed(1).padStart(6)} MIPS` +
      (haveQemu ? `   qemu-riscv64 ${q.toFixed(0).padStart(6)} MIPS   ratio 1:${(q / m).toFixed(1)}` : '   (qemu-riscv64 not installed)'),
  );
}

/** Time from starting `procsim run` to the first byte of its output, as a user sees it. */
function firstOutput(bin: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = nowMs();
    const child = spawn(process.execPath, [join(ROOT, 'bin/procsim.mjs'), 'run', bin], { stdio: ['ignore', 'pipe', 'inherit'] });
    let done = false;
    child.stdout.on('data', () => {
      if (!done) {
        done = true;
        resolve(nowMs() - t);
      }
    });
    child.on('error', reject);
    child.on('exit', () => !done && reject(new Error(`${bin} printed nothing`)));
  });
}

async function main(): Promise<void> {
  // Other work on the machine moves every figure: say how busy it was.
  const load = loadavg()[0].toFixed(2);
  console.log(`procsim bench (median of ${REPS}; node ${process.version}; load average ${load} on ${availableParallelism()} cores)\n`);
  console.log('CPU-bound and memory-bound guests, startup subtracted:');
  await section('cpu-loop', () => mips('cpu-loop', '1000000', '6000000', '51000000'));
  await section('mem-traffic', () => mips('mem-traffic', '1', '6', '201'));
  await section('glibc hello world', helloWorld);
  await section('fork-cycle', forkCycles);
  await section('fork-resident', forkResident);
  await section('busybox', busyboxPipeline);
  await section('workloads', workloads);
  await section('fork-wait schedules', schedulesForkWait);
  await section('busybox schedules', schedulesBusybox);
  await section('PCT vs random', pctVersusRandom);
  await section('dfs on fork-wait', dfsForkWait);
}

async function helloWorld(): Promise<void> {
  const hello = guestPath('hello-glibc');
  if (!existsSync(hello)) return console.log(`\nglibc hello world: skipped (${hello} not built: run npm run guests)`);
  const r = emulate(hello, []);
  const t: number[] = [];
  progress('hello-glibc: procsim run');
  for (let i = 0; i < REPS; i++) t.push(await firstOutput(hello));
  const q: number[] = [];
  if (haveQemu) for (let i = 0; i < REPS; i++) q.push(qemu(hello, []).ms);
  progressDone();
  console.log(`\nglibc hello world: ${r.insns} instructions executed`);
  console.log(
    `  procsim run -> first output: ${median(t).toFixed(0)} ms (node start-up included)` +
      (haveQemu ? `; qemu-riscv64 whole run: ${median(q).toFixed(1)} ms` : ''),
  );
}

await main();
