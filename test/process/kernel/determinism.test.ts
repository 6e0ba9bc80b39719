// Determinism: the same program and seed give the same output, event stream, instruction
// count and virtual time, whatever ran before. The programs are generated: a parent forks
// writers that sleep, write chunks into one shared pipe and exit with a byte from getrandom;
// the parent echoes the pipe to stdout and reports every child's pid and status. The same
// runs check the pipe's contracts under concurrent writers: each writer's bytes in order,
// writes of at most PIPE_BUF never split, EOF once the last writer exits.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as A from '../../support/rv-asm.ts';
import { CapturedConsole } from '../../../src/process/console.ts';
import { Kernel } from '../../../src/process/kernel.ts';
import { PIPE_BUF } from '../../../src/process/pipe.ts';
import { runToExit } from '../../../src/process/run.ts';
import { SIGCHLD } from '../../../src/process/signals.ts';
import { DATA_ADDR, Prog, R, S0, S1, S2, S3, S4, SYS, A0, enc } from './harness.ts';

interface Writer {
  chunks: number[];
  sleepNs: number;
}
interface Config {
  writers: Writer[];
  readSize: number;
}

const FDS = DATA_ADDR; // pipe2 result
const SLEEP = DATA_ADDR + 0x20; // a timespec per writer
const REPORT = DATA_ADDR + 0x100; // pid, status
const RAND = DATA_ADDR + 0x200; // a random byte per writer

/** Byte value of writer i's chunk j: distinct for every chunk of a program. */
const tag = (i: number, j: number) => 0x41 + 4 * i + j;

function build(cfg: Config): Uint8Array {
  const total = cfg.writers.reduce((n, w) => n + w.chunks.reduce((a, b) => a + b, 0), 0);
  const data = new Uint8Array(0x1000 + total);
  const dv = new DataView(data.buffer);
  const chunkAt: number[][] = [];
  let at = 0x1000;
  cfg.writers.forEach((w, i) => {
    dv.setBigUint64(SLEEP - DATA_ADDR + 16 * i + 8, BigInt(w.sleepNs), true);
    chunkAt.push(w.chunks.map((len, j) => {
      data.fill(tag(i, j), at, at + len);
      at += len;
      return DATA_ADDR + at - len;
    }));
  });
  const readBuf = DATA_ADDR + Math.ceil(data.length / 4096) * 4096 + 4096;

  const p = new Prog().sys(SYS.pipe2, FDS, 0).li(S0, FDS).i(A.lw(S1, S0, 0), A.lw(S2, S0, 4));
  cfg.writers.forEach((w, i) => {
    p.sys(SYS.clone, SIGCHLD, 0, 0, 0, 0).b('bne', A0, 0, `next${i}`);
    if (w.sleepNs > 0) p.sys(SYS.nanosleep, SLEEP + 16 * i, 0);
    w.chunks.forEach((len, j) => p.sys(SYS.write, R(S2), chunkAt[i][j], len));
    p.sys(SYS.getrandom, RAND + i, 1, 0).li(S3, RAND + i).i(A.lbu(S3, S3, 0)).sys(SYS.exit, R(S3));
    p.label(`next${i}`);
  });
  p.sys(SYS.close, R(S2))
    .label('read')
    .sys(SYS.read, R(S1), readBuf, cfg.readSize)
    .b('bge', 0, A0, 'done')
    .i(A.mv(S3, A0))
    .sys(SYS.write, 1, readBuf, R(S3))
    .j('read')
    .label('done');
  cfg.writers.forEach(() => {
    p.sys(SYS.wait4, -1, REPORT + 4, 0, 0).li(S4, REPORT).i(A.sw(A0, S4, 0)).sys(SYS.write, 1, REPORT, 8);
  });
  p.sys(SYS.exit, 0);
  return p.elf(data, readBuf - DATA_ADDR - data.length + cfg.readSize + 4096);
}

interface Run {
  stdout: Uint8Array;
  events: string;
  exitCode: number;
  instructions: number;
  nowNs: number;
}

function run(elf: Uint8Array, seed: number): Run {
  const console = new CapturedConsole();
  const k = new Kernel({ console, seed, files: [{ path: '/bin/gen', bytes: elf, mode: 0o755 }] });
  const init = k.spawnInit({ path: '/bin/gen', argv: [enc('gen')], envp: [] });
  const end = runToExit(k, init, 50_000_000);
  expect(end.budgetExceeded).toBeUndefined();
  expect(end.deadlock).toBeUndefined();
  return { stdout: console.stdout, events: JSON.stringify(k.events.drain()), exitCode: end.exitCode, instructions: k.instructions, nowNs: k.nowNs };
}

const chunk = fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: PIPE_BUF - 50, max: PIPE_BUF }), fc.integer({ min: PIPE_BUF + 1, max: 30000 }));
const config: fc.Arbitrary<Config> = fc.record({
  writers: fc.array(
    fc.record({ chunks: fc.array(chunk, { minLength: 1, maxLength: 4 }), sleepNs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 200_000 })) }),
    { minLength: 1, maxLength: 4 },
  ),
  readSize: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 70000 })),
});

/** The pipe's contracts on one run's output. */
function checkOutput(cfg: Config, out: Uint8Array): void {
  const total = cfg.writers.reduce((n, w) => n + w.chunks.reduce((a, b) => a + b, 0), 0);
  expect(out.length).toBe(total + 8 * cfg.writers.length);
  const piped = out.subarray(0, total);
  cfg.writers.forEach((w, i) => {
    // This writer's bytes, in the order it wrote them.
    const mine = piped.filter((b) => b >= tag(i, 0) && b < tag(i, 0) + 4);
    const want = w.chunks.flatMap((len, j) => new Array<number>(len).fill(tag(i, j)));
    expect(Buffer.from(mine).equals(Buffer.from(want))).toBe(true);
    // A write of at most PIPE_BUF is one contiguous run in the pipe.
    w.chunks.forEach((len, j) => {
      if (len > PIPE_BUF) return;
      const first = piped.indexOf(tag(i, j));
      expect(piped.subarray(first, first + len).every((b) => b === tag(i, j))).toBe(true);
    });
  });
  const report = new DataView(out.buffer, out.byteOffset + total);
  const pids = new Set<number>();
  for (let i = 0; i < cfg.writers.length; i++) {
    pids.add(report.getInt32(8 * i, true));
    expect(report.getInt32(8 * i + 4, true) & 0xff).toBe(0); // exited, not signalled
  }
  expect([...pids].sort((a, b) => a - b)).toEqual(cfg.writers.map((_, i) => i + 2));
}

describe('determinism of whole runs', () => {
  it('the same program and seed give identical output, events, instructions and time (property)', () => {
    fc.assert(
      fc.property(config, config, fc.integer({ min: 0, max: 2 ** 31 - 1 }), (cfg, other, seed) => {
        const elf = build(cfg);
        const first = run(elf, seed);
        checkOutput(cfg, first.stdout);
        run(build(other), seed + 1); // something else in between must not matter
        const second = run(elf, seed);
        expect(second).toEqual(first);
      }),
      { numRuns: 25 },
    );
  });

  it('the seed is the only source of randomness: another seed, other random bytes', () => {
    const cfg: Config = { writers: [1, 2, 3, 4].map(() => ({ chunks: [10], sleepNs: 0 })), readSize: 100 };
    const elf = build(cfg);
    const statuses = (seed: number) => {
      const out = run(elf, seed).stdout;
      const dv = new DataView(out.buffer, out.byteOffset + 40);
      return [0, 1, 2, 3].map((i) => dv.getInt32(8 * i + 4, true));
    };
    expect(statuses(7)).toEqual(statuses(7));
    expect(statuses(7)).not.toEqual(statuses(8));
  });
});
