// fork benchmarks on glibc guests: whole fork + _exit + waitpid cycles per second, and the
// cost of one such cycle against the memory the parent has mapped and touched.

import { built } from './build.ts';
import { duration, haveQemu, liveBytes, median, progress, progressDone, rate, REPS, speedup } from './common.ts';
import { emulate, emulateMarked, gaps, qemu, qemuMarked, type Mark } from './runners.ts';

/** Cycle counts of the short and long runs whose difference is timed. */
const PROCSIM_N: [number, number] = [200, 2200];
const QEMU_N: [number, number] = [20, 220];

/** fork-cycle N: cycles per second with start-up subtracted (long run minus short run). */
export function forkCycles(): void {
  const bin = built('guests/fork-cycle.c', 'riscv64');
  console.log('\nfork + _exit + waitpid, glibc guest (bench/guests/fork-cycle.c), start-up subtracted:');
  const perCycle = (n: [number, number], run: (arg: string) => { ms: number; out: string; insns?: number }) => {
    const ms: number[] = [];
    let insns = NaN;
    for (let i = 0; i < REPS; i++) {
      const [a, b] = n.map((c) => {
        const r = run(String(c));
        if (r.out !== `${c} cycles\n`) throw new Error(`fork-cycle ${c} printed ${JSON.stringify(r.out)}`);
        return r;
      });
      ms.push((b.ms - a.ms) / (n[1] - n[0]));
      if (a.insns !== undefined && b.insns !== undefined) insns = (b.insns - a.insns) / (n[1] - n[0]);
    }
    return { ms: median(ms), insns };
  };
  progress('fork-cycle on procsim');
  emulate(bin, [String(PROCSIM_N[0])]); // warm the JIT
  const ours = perCycle(PROCSIM_N, (arg) => emulate(bin, [arg]));
  progressDone();
  console.log(
    `  procsim        ${rate(1000 / ours.ms).padStart(7)} cycles/s  ${duration(ours.ms).padStart(9)}/cycle` +
      `  (${ours.insns.toFixed(0)} guest insns/cycle; N = ${PROCSIM_N.join(' vs ')})`,
  );
  if (!haveQemu) return console.log('  qemu-riscv64   not installed');
  progress('fork-cycle on qemu-riscv64');
  const theirs = perCycle(QEMU_N, (arg) => qemu(bin, [arg]));
  progressDone();
  console.log(
    `  qemu-riscv64   ${rate(1000 / theirs.ms).padStart(7)} cycles/s  ${duration(theirs.ms).padStart(9)}/cycle` +
      `  (N = ${QEMU_N.join(' vs ')})   ${speedup(1000 / ours.ms, 1000 / theirs.ms)}`,
  );
}

/** Rows of fork-resident: MiB mapped, MiB touched. */
const RESIDENT: [number, number][] = [
  [1, 1],
  [16, 16],
  [256, 256],
  [256, 1],
];
/** Children kept alive at once to weigh what one live child costs the host. */
const HELD = 16;
/** Cycles per timed round: rounds of about 100 ms on each side. */
const PROCSIM_K = 2000;
const QEMU_K = 50;

/** Per-cycle time of each round between the R marks (the last round ends at E). */
function perRound(marks: Mark[], k: number): number[] {
  const from = marks.findIndex((m) => m.text === 'R');
  const rounds = marks.slice(from);
  if (from < 0 || rounds.at(-1)?.text !== 'E') throw new Error(`fork-resident marks: ${marks.map((m) => m.text).join(' ')}`);
  return gaps(rounds).map((ms) => ms / k);
}

/** fork-resident: per-cycle time against MiB touched (and mapped), host bytes per live child. */
export async function forkResident(): Promise<void> {
  const bin = built('guests/fork-resident.c', 'riscv64');
  console.log(
    `\nfork + _exit + waitpid against resident memory (bench/guests/fork-resident.c), median of ${REPS} rounds` +
      ` of ${PROCSIM_K} (procsim) / ${QEMU_K} (qemu) cycles:`,
  );
  console.log('  mapped   touched   procsim/cycle  qemu/cycle   ratio                   procsim host memory per live child');
  for (const [mapped, touched] of RESIDENT) {
    liveBytes(); // the previous row's garbage goes now, not inside this row's sample
    progress(`fork-resident ${mapped}/${touched} MiB on procsim`);
    const marks = emulateMarked(bin, [mapped, touched, HELD, PROCSIM_K, REPS].map(String), new Set(['T', 'H']));
    const ours = median(perRound(marks, PROCSIM_K));
    const [t, h] = ['T', 'H'].map((x) => marks.find((m) => m.text === x)?.live ?? NaN);
    let theirs = NaN;
    if (haveQemu) {
      progress(`fork-resident ${mapped}/${touched} MiB on qemu-riscv64`);
      theirs = median(perRound(await qemuMarked(bin, [mapped, touched, HELD, QEMU_K, REPS].map(String)), QEMU_K));
    }
    progressDone();
    console.log(
      `  ${`${mapped} MiB`.padStart(7)}  ${`${touched} MiB`.padStart(7)}   ${duration(ours).padStart(10)}` +
        `  ${(haveQemu ? duration(theirs) : 'n/a').padStart(10)}   ${(haveQemu ? speedup(1 / ours, 1 / theirs) : '').padEnd(22)}` +
        `  ${((h - t) / HELD / 1024).toFixed(1)} KiB`,
    );
  }
  console.log(`  (memory: live JS heap + array buffers after a full GC, with ${HELD} children blocked at once, minus before they were forked)`);
}
