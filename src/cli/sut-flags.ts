// The flags that name a system under test (gate and sut-run): --sut 'CMD' or --sut-module
// FILE, with --sut-timeout and --workers; and opening it (a module loads in worker threads
// before anything runs, so a module that cannot load is one usage error).

import { parseSutCommand, SutCommandError } from '../sut/command.ts';
import { DEFAULT_SUT_TIMEOUT_S, DEFAULT_SUT_WORKERS } from '../sut/gate.ts';
import { parseSutModuleSpec, SutModuleError } from '../sut/module.ts';
import { commandSystem, moduleSystem, type SystemUnderTest } from '../sut/system.ts';
import { type FlagSpec, intFlag, type Parsed, UsageError } from './args.ts';

export const SUT_FLAGS: Record<string, FlagSpec> = {
  sut: { value: true },
  'sut-module': { value: true },
  'sut-timeout': { value: true },
  workers: { value: true },
};

export const SUT_HELP = `  --sut 'CMD'      gate an external riscv64 emulator instead, black-box: each generated
                   program runs as CMD ELF PROGRAM (or where CMD says {elf} and {args}).
                   Safe form: --sut 'unshare --pid --fork --mount-proc setpriv
                   --reuid=65534 --regid=65534 --clear-groups qemu-riscv64'
  --sut-module F   an in-process emulator: F is a module exporting createSut(options)
                   (F?key=value&... passes options), run in worker threads, no process per
                   run (examples/README.md); examples/procsim-kernel.mjs?kernel=K is procsim's own
  --sut-timeout S  seconds a SUT run may take before it is ended: "timed out" (default ${DEFAULT_SUT_TIMEOUT_S})
  --workers N      SUT runs at a time (default ${DEFAULT_SUT_WORKERS})`;

export interface OpenedSystem {
  system: SystemUnderTest;
  workers: number;
  timeoutMs: number;
}

/** The SUT the flags name, opened; undefined without --sut or --sut-module (then their companions are usage errors). */
export async function openSystem(args: Parsed): Promise<OpenedSystem | undefined> {
  const cmd = args.flags.get('sut')?.[0];
  const mod = args.flags.get('sut-module')?.[0];
  if (cmd === undefined && mod === undefined) {
    for (const f of ['sut-timeout', 'workers']) if (args.flags.has(f)) throw new UsageError(`--${f} goes with --sut or --sut-module`);
    return undefined;
  }
  if (cmd !== undefined && mod !== undefined) throw new UsageError('--sut and --sut-module exclude each other: one system is gated at a time');
  const workers = intFlag(args, 'workers', DEFAULT_SUT_WORKERS);
  if (workers < 1) throw new UsageError('--workers must be at least 1');
  const t = args.flags.get('sut-timeout')?.[0] ?? String(DEFAULT_SUT_TIMEOUT_S);
  if (!/^\d+(\.\d+)?$/.test(t) || Number(t) <= 0 || Number(t) > 86400) throw new UsageError(`--sut-timeout must be a number of seconds above 0 (at most 86400), got ${JSON.stringify(t)}`);
  const timeoutMs = Number(t) * 1000;
  try {
    const system = cmd !== undefined ? commandSystem(parseSutCommand(cmd)) : await moduleSystem(parseSutModuleSpec(mod!), workers);
    return { system, workers, timeoutMs };
  } catch (e) {
    if (e instanceof SutCommandError || e instanceof SutModuleError) throw new UsageError(e.message);
    throw e;
  }
}
