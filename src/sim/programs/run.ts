// Run a generated program on the interp guest under a list of choices, and read back what
// its processes observed. The target is exactly what `procsim replay` builds for
// `scenarios/guests/bin/interp PROGRAM` (the ELF at /bin/interp, argv as typed, empty
// environment, cwd /), so the printed replay command reproduces the run's trace byte for byte.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KernelVariantName } from '../../process/variants/index.ts';
import { GuidedStrategy } from '../strategies/guided.ts';
import type { Strategy } from '../strategy.ts';
import { simulateTarget, type Target, type TargetRun } from '../target.ts';
import { checkProgram, encodeProgram, type Program, ProgramSyntaxError } from './program.ts';
import { parseRun, type RunView } from './observations.ts';
import { replayCommandLine } from '../replay-command.ts';

/** The interp guest as the replay command names it (relative to the repository root). */
export const INTERP_ARG = 'scenarios/guests/bin/interp';
/** Where the guest finds itself to execve (replay puts the ELF at /bin/NAME). */
const INTERP_GUEST_PATH = '/bin/interp';

/** The interp guest built for external emulators (procsim gate --sut), from the same source. */
export const SUT_INTERP_ARG = 'scenarios/guests/bin/interp-sut';

const guestElfs = new Map<string, Uint8Array>();

/** The bytes of a committed guest of scenarios/guests/bin, by its repository path. */
export function guestElf(arg: string): Uint8Array {
  let elf = guestElfs.get(arg);
  if (elf === undefined) {
    const path = fileURLToPath(new URL(`../../../${arg}`, import.meta.url));
    try {
      elf = new Uint8Array(readFileSync(path));
    } catch (e) {
      const name = arg.slice(arg.lastIndexOf('/') + 1);
      throw new Error(`${name} guest ${path} is missing (${(e as NodeJS.ErrnoException).code}): rebuild with \`bash scenarios/guests/build.sh free ${name}\``);
    }
    guestElfs.set(arg, elf);
  }
  return elf;
}

const interp = (): Uint8Array => guestElf(INTERP_ARG);

export interface GeneratedOptions {
  kernel: KernelVariantName;
  /** Run seed (default 0). */
  seed?: number;
  /** Choices, as indexes into the ready list (any naturals). */
  choices?: readonly number[];
  /** Process-event ring capacity (default: the kernel's). */
  eventCapacity?: number;
  /** Also write the process-event log (result.eventLog). */
  eventLog?: boolean;
}

export interface GeneratedRun extends RunView {
  program: Program;
  text: string;
  kernel: KernelVariantName;
  result: TargetRun;
  /** The command that replays this very run. */
  replay: string;
}

/** The replay command of a run of `text` (with its schedule; without one, the random strategy runs it). */
export function replayCommand(kernel: KernelVariantName, seed: number, schedule: string | undefined, text: string, eventCapacity?: number): string {
  const how = schedule === undefined ? [] : ['--schedule', schedule];
  const ring = eventCapacity === undefined ? [] : ['--event-capacity', String(eventCapacity)];
  return replayCommandLine(['--seed', String(seed), ...how, '--kernel', kernel, ...ring, INTERP_ARG, text]);
}

export function generatedTarget(text: string, kernel: KernelVariantName, eventCapacity?: number): Target {
  const t: Target = { path: INTERP_GUEST_PATH, elf: interp(), argv: [INTERP_ARG, text], env: [], kernel, createCwd: true, cwd: '/' };
  if (eventCapacity !== undefined) t.eventCapacity = eventCapacity;
  return t;
}

export function runGenerated(program: Program, opts: GeneratedOptions): GeneratedRun {
  return runGeneratedWith(program, new GuidedStrategy(opts.choices ?? [], 'index'), opts);
}

/** runGenerated under any strategy (an exhaustive search's); `opts.choices` is not used. */
export function runGeneratedWith(program: Program, strategy: Strategy, opts: GeneratedOptions): GeneratedRun {
  const text = encodeProgram(program);
  const problem = checkProgram(program);
  if (problem !== undefined) throw new ProgramSyntaxError(`bad program ${JSON.stringify(text)}: ${problem}`);
  const seed = opts.seed ?? 0;
  const result = simulateTarget(generatedTarget(text, opts.kernel, opts.eventCapacity), { seed, strategy, trace: true, events: opts.eventLog });
  return {
    ...parseRun(result),
    program,
    text,
    kernel: opts.kernel,
    result,
    replay: replayCommand(opts.kernel, seed, result.schedule, text, opts.eventCapacity),
  };
}
