// The command an external emulator is run as (procsim gate --sut 'CMD'): CMD is split like a
// shell would split it (quotes and backslashes, no expansions), and procsim appends the ELF
// path and its arguments, as in `qemu-riscv64 ELF ARGS`; `{elf}` and `{args}` place them
// instead. Each run has a wall-clock timeout (the process group is killed by its pid, so a
// hung emulator is a verdict, never a hung procsim) and bounded output. Host time is allowed
// here: src/sut is outside the deterministic layers.

import { spawn } from 'node:child_process';

export class SutCommandError extends Error {}

/** Placeholders the command may use, and those a later gate will need. */
const PLACES = ['{elf}', '{args}', '{events}'];
const NOT_YET: Record<string, string> = {
  '{rootfs}': 'a root filesystem for the SUT is not supported yet by gate P0.1-P0.4 (they run one static ELF)',
};

export interface SutCommand {
  /** As the user typed it. */
  text: string;
  words: string[];
}

/** Split CMD into words: 'single' and "double" quotes, backslash escapes, nothing expanded. */
export function parseSutCommand(text: string): SutCommand {
  const words: string[] = [];
  let cur: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n') {
      if (cur !== undefined) words.push(cur);
      cur = undefined;
    } else if (c === "'" || c === '"') {
      // Inside double quotes a backslash escapes only " \ $ and `, as in sh.
      let j = i + 1;
      let w = '';
      while (j < text.length && text[j] !== c) {
        if (c === '"' && text[j] === '\\' && '"\\$`'.includes(text[j + 1] ?? '')) j++;
        w += text[j++];
      }
      if (j >= text.length) throw new SutCommandError(`--sut: unterminated ${c === "'" ? 'single' : 'double'} quote in ${JSON.stringify(text)}`);
      cur = (cur ?? '') + w;
      i = j;
    } else if (c === '\\' && i + 1 < text.length) {
      cur = (cur ?? '') + text[++i];
    } else cur = (cur ?? '') + c;
  }
  if (cur !== undefined) words.push(cur);
  if (words.length === 0) throw new SutCommandError('--sut needs a command, e.g. --sut qemu-riscv64');
  for (const w of words) {
    for (const [p, why] of Object.entries(NOT_YET)) if (w.includes(p)) throw new SutCommandError(`--sut: ${p}: ${why}`);
    const unknown = /\{[a-z]+\}/.exec(w)?.[0];
    if (unknown !== undefined && !PLACES.includes(unknown)) throw new SutCommandError(`--sut: unknown placeholder ${unknown} (known: ${PLACES.join(', ')})`);
    if (w.includes('{args}') && w !== '{args}') throw new SutCommandError('--sut: {args} must be a word of its own (it stands for several)');
  }
  return { text, words };
}

/** The command asks for a process-event log ({events}: the file the SUT writes it to). */
export const wantsEvents = (cmd: SutCommand): boolean => cmd.words.some((w) => w.includes('{events}'));

/** The argv that runs `elf` with `args` under the command (`events`: where {events} points). */
export function sutArgv(cmd: SutCommand, elf: string, args: readonly string[], events = 'events.jsonl'): string[] {
  const placed = cmd.words.some((w) => w.includes('{elf}') || w === '{args}');
  const words = cmd.words.map((w) => w.replaceAll('{events}', events));
  if (!placed) return [...words, elf, ...args];
  return words.flatMap((w) => (w === '{args}' ? [...args] : [w.replaceAll('{elf}', elf)]));
}

/** A word as a POSIX shell reads it back. */
export function shellQuote(w: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replaceAll("'", "'\\''")}'`;
}

export interface SutRunOptions {
  timeoutMs: number;
  /** Most bytes kept of stdout and of stderr; more is the verdict "output too large". */
  maxOutput: number;
  cwd: string;
}

export type SutRun =
  /** events: the process-event log the SUT wrote (JSONL, src/sim/EVENTS.md), if it wrote one. */
  | { kind: 'exit'; status: string; stdout: string; stderr: string; ms: number; events?: string }
  /** Killed at its timeout, or (blocked: why) reported by a SUT module as never able to end. */
  | { kind: 'timeout'; stdout: string; stderr: string; ms: number; blocked?: string }
  | { kind: 'too-large'; stdout: string; stderr: string; ms: number }
  | { kind: 'spawn-error'; message: string; ms: number }
  /** A SUT module threw, returned a bad result, or its thread died. */
  | { kind: 'sut-error'; message: string; ms: number };

/** `exited 3`, `killed SIGTERM`: how the SUT's process ended, in the trace's words. */
const statusOf = (code: number | null, signal: NodeJS.Signals | null): string => (signal !== null ? `killed ${signal}` : `exited ${code}`);

/** Run argv once: no stdin, stdout and stderr captured, in its own process group. */
export function runSut(argv: readonly string[], opts: SutRunOptions): Promise<SutRun> {
  const start = performance.now();
  const ms = (): number => performance.now() - start;
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(argv[0], argv.slice(1), { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    } catch (e) {
      resolve({ kind: 'spawn-error', message: (e as Error).message, ms: ms() });
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const sizes = [0, 0];
    let settled = false;
    const text = (bs: Buffer[]): string => Buffer.concat(bs).toString('latin1');
    const finish = (r: SutRun): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    /** End the run: the whole process group goes (by its leader's pid), streams are dropped. */
    const stop = (kind: 'timeout' | 'too-large'): void => {
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      child.stdout.destroy();
      child.stderr.destroy();
      finish({ kind, stdout: text(out), stderr: text(err), ms: ms() });
    };
    // A timer can fire late, after a busy stretch of procsim's own thread (the reference
    // search): a child that exited meanwhile is not timed out, its streams get a moment more.
    // The check waits one turn of the event loop, so that an exit already pending is seen.
    let timer = setTimeout(
      () =>
        setImmediate(() => {
          if (settled) return;
          if (child.exitCode === null && child.signalCode === null) stop('timeout');
          else timer = setTimeout(() => stop('timeout'), 1000);
        }),
      opts.timeoutMs,
    );
    const collect = (k: 0 | 1, into: Buffer[]) => (b: Buffer) => {
      sizes[k] += b.length;
      if (sizes[k] > opts.maxOutput) stop('too-large');
      else into.push(b);
    };
    child.stdout.on('data', collect(0, out));
    child.stderr.on('data', collect(1, err));
    child.on('error', (e) => finish({ kind: 'spawn-error', message: e.message, ms: ms() }));
    // 'close': the process exited and every holder of its stdout and stderr let go.
    child.on('close', (code, signal) => finish({ kind: 'exit', status: statusOf(code, signal), stdout: text(out), stderr: text(err), ms: ms() }));
  });
}

/** Run every task with at most `workers` at a time; results in task order. */
export async function pool<T>(tasks: readonly (() => Promise<T>)[], workers: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, tasks.length)) }, worker));
  return results;
}
