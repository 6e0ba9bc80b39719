// procsim run: execute one program like `qemu-riscv64 ELF ARGS`.

import { DEFAULT_MAX_PROCS } from '../process/kernel.ts';
import { DEFAULT_KERNEL_VARIANT, KERNEL_VARIANTS } from '../process/variants/index.ts';
import type { Process } from '../process/process.ts';
import { DEFAULT_MAX_INSNS, DEFAULT_MAX_STEPS, runToExit } from '../process/run.ts';
import { SIGBUS, SIGILL, SIGPIPE, SIGSEGV, SIGTRAP, signalName } from '../process/signals.ts';
import { simulate, verdictText } from '../sim/engine.ts';
import { RoundRobinStrategy } from '../sim/strategies/round-robin.ts';
import { HostConsole } from './host-console.ts';
import { checkOutputFile, type FlagSpec, intFlag, OutputLines, parseArgs } from './args.ts';
import { boot, shellStatus } from '../process/run.ts';
import { parseTarget, startOrFail, TARGET_FLAGS } from './target.ts';

const RUN_FLAGS: Record<string, FlagSpec> = {
  ...TARGET_FLAGS,
  'clear-env': {},
  trace: { value: true },
  'max-steps': { value: true },
  'time-limit': { value: true },
  events: { value: true },
};

/** Default wall-clock limit of a run, in seconds: a guest that never ends gets a verdict. */
const DEFAULT_TIME_LIMIT = 600;

export const RUN_HELP = `procsim run [flags] ELF [ARGS...]
  Run a riscv64 Linux program (static, or dynamically linked with its ld.so in --rootfs),
  like qemu-riscv64 ELF ARGS: its stdin, stdout and stderr are the host's, and procsim
  exits with its exit code (128+N if signal N killed it).
  --rootfs DIR|TAR   the guest's root filesystem: a copy-on-write image of a host directory
                     or tar archive (the host is never written); ELF is a path inside it.
                     Without it the guest sees the default tree (/tmp, /dev, /proc, /etc)
                     plus ELF at its host absolute path, and starts in the host's cwd path.
  --env K=V          set a guest environment variable (repeatable)
  --clear-env        start from an empty environment instead of the host's
  --cwd DIR          the guest's starting directory (default: the host cwd, or / with --rootfs)
  --seed N           run seed: getrandom, AT_RANDOM and /dev/urandom derive from it (default 0)
  --max-insns N      instruction budget; exhausting it kills the guest (exit 137)
                     (default ${DEFAULT_MAX_INSNS})
  --kernel NAME      kernel semantics: ${KERNEL_VARIANTS.join(', ')}
                     (default ${DEFAULT_KERNEL_VARIANT})
  --max-steps N      step budget (a step: one process's run to its next syscall or fault);
                     exhausting it kills the guest (exit 137) (default ${DEFAULT_MAX_STEPS})
  --time-limit S     wall-clock limit in seconds, 0 for none; reaching it kills the guest
                     (exit 137) (default ${DEFAULT_TIME_LIMIT}): a run that would never end
                     (a signal storm, a fault handler that returns forever) ends with a verdict
  --max-procs N      process table size; fork fails with EAGAIN when it is full
                     (default ${DEFAULT_MAX_PROCS})
  --event-capacity N size of the kernel's process-event ring (default 4096); events that
                     do not fit between two drains are counted as dropped
  --memory-limit SIZE  the machine's memory, e.g. 512M or 4G (default 4G, the MemTotal of
                     /proc/meminfo): a process whose page fault finds none left is killed
                     by SIGKILL, as Linux's OOM killer does (exit 137)
  --trace FILE       run under the simulator's round-robin strategy and write the trace
                     (JSONL, see src/sim/TRACE.md) to FILE; a deadlock or a spent budget
                     then ends the run with exit 137 and leaves the processes as they were
  --events FILE      as --trace, and write the kernel's process events, drained after every
                     step, to FILE (JSONL, see src/sim/EVENTS.md; procsim check-events FILE)`;

export function runCommand(argv: string[]): number {
  const args = parseArgs(argv, RUN_FLAGS);
  const target = parseTarget(args, 'run', false);
  const seed = intFlag(args, 'seed', 0);
  const maxInsns = intFlag(args, 'max-insns', DEFAULT_MAX_INSNS);
  const maxSteps = intFlag(args, 'max-steps', DEFAULT_MAX_STEPS);
  const timeLimit = intFlag(args, 'time-limit', DEFAULT_TIME_LIMIT);
  const tracePath = args.flags.get('trace')?.[0];
  if (tracePath !== undefined) checkOutputFile('trace', tracePath);
  const eventsPath = args.flags.get('events')?.[0];
  if (eventsPath !== undefined) checkOutputFile('events', eventsPath);
  const booted = startOrFail(target.argv[0], () => boot(target, seed, new HostConsole()));
  if (typeof booted === 'number') return booted;
  const { kernel: k, init: p } = booted;
  const say = (s: string) => process.stderr.write(`procsim: ${s}\n`);
  if (tracePath === undefined && eventsPath === undefined) {
    const deadline = timeLimit === 0 ? Infinity : Date.now() + timeLimit * 1000;
    const end = runToExit(k, p, maxInsns, { maxSteps, interrupt: () => Date.now() > deadline });
    if (end.budgetExceeded) say(`instruction budget of ${maxInsns} exhausted (raise it with --max-insns)`);
    else if (end.stepsExceeded) say(`step budget of ${maxSteps} exhausted (raise it with --max-steps)`);
    else if (end.interrupted) say(`wall-clock limit of ${timeLimit} s reached after ${k.instructions} instructions (raise it with --time-limit, 0 for none)`);
    else if (end.deadlock) say(`deadlock: every process is blocked (${end.deadlock.join('; ')})`);
    // A SIGPIPE death is how `procsim run yes | head` ends: as shells do, it is not reported.
    else if (end.signal !== undefined && end.signal !== SIGPIPE) say(killedText(p));
    return end.exitCode;
  }
  // The same budgets as plain run (the wall clock aside: a traced run is bounded by its steps).
  const header = { path: target.path, argv: target.argv };
  const out = tracePath !== undefined ? new OutputLines('trace', tracePath) : undefined;
  const eventsOut = eventsPath !== undefined ? new OutputLines('events', eventsPath) : undefined;
  const r = simulate({
    kernel: k,
    init: p,
    strategy: new RoundRobinStrategy(),
    maxInsns,
    maxSteps,
    ...(out !== undefined ? { trace: { header, sink: out.line } } : {}),
    ...(eventsOut !== undefined ? { events: { header, sink: eventsOut.line } } : {}),
  });
  out?.close();
  eventsOut?.close();
  if (r.verdict.kind !== 'exit') {
    say(verdictText(r.verdict));
    return 137;
  }
  // A SIGPIPE death is how `procsim run yes | head` ends: as shells do, it is not reported.
  if ((p.waitStatus & 0x7f) !== 0 && (p.waitStatus & 0x7f) !== SIGPIPE) say(killedText(p));
  return shellStatus(p.waitStatus);
}

/** The signal that killed p, and where for the signals a fault raises. */
function killedText(p: Process): string {
  const sig = p.waitStatus & 0x7f;
  const pc = `pc 0x${p.cpu.pc.toString(16)}`;
  const where =
    sig === SIGSEGV || sig === SIGBUS ? ` at address 0x${p.cpu.faultAddr.toString(16)}, ${pc}` : sig === SIGILL || sig === SIGTRAP ? ` at ${pc}` : '';
  return `guest killed by ${signalName(sig)}${where}`;
}
