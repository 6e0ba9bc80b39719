// Running one guest binary, on procsim (in this process) or under qemu-riscv64, either timed
// as a whole run or timed between marks: lines the guest writes to stdout, one write()
// each, that the host stamps as they arrive (procsim: in the kernel's write; qemu: when the
// pipe delivers them).

import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Console } from '../src/process/console.ts';
import { Kernel } from '../src/process/kernel.ts';
import { DEFAULT_MAX_INSNS, runProgram, runToExit } from '../src/process/run.ts';
import { liveBytes, nowMs, sandboxCostMs, sandboxed } from './common.ts';

const text = (b: Uint8Array): string => Buffer.from(b).toString();
const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

/** A whole run on procsim; a non-zero exit throws with the guest's stderr. */
export function emulate(bin: string, args: string[]): { ms: number; insns: number; out: string } {
  const elf = readFileSync(bin);
  const t = nowMs();
  const r = runProgram({ elf, path: '/prog', argv: ['/prog', ...args] });
  const ms = nowMs() - t;
  if (r.exitCode !== 0) throw new Error(`procsim: ${bin} ${args.join(' ')} exited ${r.exitCode}: ${text(r.stderr).trim()}`);
  return { ms, insns: r.instructions, out: text(r.stdout) };
}

/** A whole run under qemu-riscv64 (spawn included, the sandbox's own cost not); a non-zero exit throws. */
export function qemu(bin: string, args: string[]): { ms: number; out: string } {
  const [cmd, argv] = sandboxed('qemu-riscv64', [bin, ...args]);
  const cost = sandboxCostMs();
  const t = nowMs();
  const out = execFileSync(cmd, argv).toString();
  return { ms: Math.max(0, nowMs() - t - cost), out };
}

export interface Mark {
  text: string;
  /** When the mark arrived (ms). */
  at: number;
  /** When the guest went on after it (ms): later than `at` by the host's sampling. */
  resumed: number;
  /** Live host bytes, sampled at the marks asked for (procsim only). */
  live?: number;
}

/** Milliseconds from the end of mark i to the arrival of mark i+1, for each i. */
export const gaps = (marks: Mark[]): number[] => marks.slice(1).map((m, i) => m.at - marks[i].resumed);

/** Stamps every stdout write as a mark; samples live host memory at the marks in `sampleAt`. */
class MarkConsole implements Console {
  readonly marks: Mark[] = [];
  readonly err: Uint8Array[] = [];
  constructor(private readonly sampleAt: ReadonlySet<string>) {}
  readStdin(): Uint8Array {
    return new Uint8Array(0);
  }
  writeStdout(data: Uint8Array): void {
    const at = nowMs();
    const t = text(data).trim();
    const live = this.sampleAt.has(t) ? liveBytes() : undefined;
    this.marks.push({ text: t, at, resumed: nowMs(), live });
  }
  writeStderr(data: Uint8Array): void {
    this.err.push(data.slice());
  }
}

/** A run on procsim with its stdout writes stamped as marks. */
export function emulateMarked(bin: string, args: string[], sampleAt: ReadonlySet<string>): Mark[] {
  const console = new MarkConsole(sampleAt);
  const k = new Kernel({ console, seed: 0, files: [{ path: '/prog', bytes: readFileSync(bin), mode: 0o755 }] });
  const init = k.spawnInit({ path: '/prog', argv: ['/prog', ...args].map(enc), envp: [] });
  const end = runToExit(k, init, DEFAULT_MAX_INSNS);
  if (end.exitCode !== 0) {
    const why = end.deadlock ? `deadlock (${end.deadlock.join('; ')})` : Buffer.concat(console.err).toString().trim();
    throw new Error(`procsim: ${bin} ${args.join(' ')} exited ${end.exitCode}: ${why}`);
  }
  return console.marks;
}

/** A run under qemu-riscv64 with its stdout lines stamped as they arrive. */
export function qemuMarked(bin: string, args: string[]): Promise<Mark[]> {
  return new Promise((resolve, reject) => {
    const marks: Mark[] = [];
    const err: Buffer[] = [];
    const [cmd, argv] = sandboxed('qemu-riscv64', [bin, ...args]);
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => {
      const at = nowMs();
      for (const t of chunk.toString().split('\n')) if (t !== '') marks.push({ text: t, at, resumed: at });
    });
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(marks) : reject(new Error(`qemu-riscv64: ${bin} ${args.join(' ')} exited ${code}: ${Buffer.concat(err).toString().trim()}`)),
    );
  });
}
