// A system under test as the gates see it: something that runs one generated program (the
// interp-sut guest with the program's text) and gives back how it went. Two kinds: a command
// (--sut 'CMD': a process per run) and a module (--sut-module FILE: worker threads in
// procsim's own process). Each names itself for reports and says how to reproduce a run.

import { chmodSync, closeSync, copyFileSync, fstatSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SUT_INTERP_ARG } from '../sim/programs/run.ts';
import { runSut, shellQuote, type SutCommand, sutArgv, type SutRun, wantsEvents } from './command.ts';
import { SutModule, type SutModuleSpec } from './module.ts';

/** Most bytes kept of each of stdout and stderr per run. */
export const SUT_MAX_OUTPUT = 1 << 20;

export interface SystemUnderTest {
  /** "SUT qemu-riscv64", "SUT module procsim-kernel.mjs?kernel=reference". */
  readonly label: string;
  /** For the JSON report: { command } or { module }. */
  readonly describe: { command: string } | { module: string; name: string };
  /** Whether runs come with a process-event log: yes ({events} in the command), no, or per run (a module's results say). */
  readonly events: 'yes' | 'no' | 'per run';
  /** Run program `text` once; `seed` is offered to a SUT that schedules from a seed. */
  run(text: string, seed: number, timeoutMs: number): Promise<SutRun>;
  /** The one command that runs `text` on the SUT again, as a user types it (judged on `gate`, where it can be). */
  reproduce(text: string, seed: number, gate?: string): string;
  close(): Promise<void>;
}

/** The committed guest, by its host path. */
export const guestPath = (): string => resolve(fileURLToPath(new URL(`../../${SUT_INTERP_ARG}`, import.meta.url)));

/** The guest for a command SUT: a copy in a scratch directory any user can read (the SUT may drop privileges). */
export function stageGuest(): { elf: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'procsim-sut-'));
  chmodSync(dir, 0o755);
  const elf = join(dir, 'interp-sut');
  copyFileSync(guestPath(), elf);
  chmodSync(elf, 0o755);
  return { elf, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Most bytes of a process-event log read back from a command SUT. */
export const SUT_MAX_EVENTS = 16 << 20;

export function commandSystem(cmd: SutCommand): SystemUnderTest {
  const staged = stageGuest();
  const events = wantsEvents(cmd);
  let runs = 0;
  return {
    label: `SUT ${cmd.text}`,
    describe: { command: cmd.text },
    events: events ? 'yes' : 'no',
    run: async (text, _seed, timeoutMs) => {
      // Each run its own log file in the scratch directory (any user may write there).
      const log = join(dirname(staged.elf), `events-${++runs}.jsonl`);
      const run = await runSut(sutArgv(cmd, staged.elf, [text], log), { timeoutMs, maxOutput: SUT_MAX_OUTPUT, cwd: dirname(staged.elf) });
      if (!events) return run;
      const text2 = readLog(log);
      rmSync(log, { force: true });
      return run.kind === 'exit' && text2 !== undefined ? { ...run, events: text2 } : run;
    },
    reproduce: (text) => sutArgv(cmd, guestPath(), [text], 'events.jsonl').map(shellQuote).join(' '),
    close: async () => staged.dispose(),
  };
}

/** The log a command SUT wrote, at most SUT_MAX_EVENTS bytes of it (a longer one is cut: its last line then reads as malformed). */
function readLog(path: string): string | undefined {
  let fd;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const buf = Buffer.alloc(Math.min(SUT_MAX_EVENTS, Math.max(0, fstatSync(fd).size)));
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** `heapMb`: each thread's heap (default SUT_MODULE_HEAP_MB). */
export async function moduleSystem(spec: SutModuleSpec, workers: number, heapMb?: number): Promise<SystemUnderTest> {
  const m = await SutModule.open(spec, workers, heapMb);
  const elf = guestPath();
  return {
    label: `SUT module ${spec.text}${m.name !== spec.text ? ` (${m.name})` : ''}`,
    describe: { module: spec.text, name: m.name },
    events: 'per run',
    run: async (text, seed, timeoutMs) => {
      const run = await m.run({ elf, argv: [elf, text], env: [], stdin: new Uint8Array(0), seed }, timeoutMs);
      return run.kind === 'exit' && (run.stdout.length > SUT_MAX_OUTPUT || run.stderr.length > SUT_MAX_OUTPUT) ? { kind: 'too-large', stdout: '', stderr: '', ms: run.ms } : run;
    },
    reproduce: (text, seed, gate) =>
      ['procsim', 'sut-run', '--sut-module', spec.text, '--seed', String(seed), ...(gate !== undefined ? ['--gate', gate] : []), text === '' ? "''" : text].map((w) => (w === "''" ? w : shellQuote(w))).join(' '),
    close: () => m.close(),
  };
}
