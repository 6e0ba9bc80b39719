// procsim run: execute one program like `qemu-riscv64 ELF ARGS`.

import { writeFileSync } from 'node:fs';
import { DEFAULT_MAX_PROCS } from '../process/kernel.ts';
import { DEFAULT_KERNEL_VARIANT, KERNEL_VARIANTS } from '../process/variants/index.ts';
import { DEFAULT_MAX_INSNS, type Ending, runToExit } from '../process/run.ts';
import { signalName } from '../process/signals.ts';
import { simulate, verdictText } from '../sim/engine.ts';
import { RoundRobinStrategy } from '../sim/strategies/round-robin.ts';
import { HostConsole } from './host-console.ts';
import { type FlagSpec, intFlag, parseArgs } from './args.ts';
import { bootOrFail, parseTarget, TARGET_FLAGS } from './target.ts';

export const RUN_FLAGS: Record<string, FlagSpec> = {
  ...TARGET_FLAGS,
  'clear-env': {},
  trace: { value: true },
};

export const RUN_HELP = `procsim run [flags] ELF [ARGS...]
  Run a static riscv64 Linux program, like qemu-riscv64 ELF ARGS: its stdin, stdout and
  stderr are the host's, and procsim exits with its exit code (128+N if signal N killed it).
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
  --max-procs N      process table size; fork fails with EAGAIN when it is full
                     (default ${DEFAULT_MAX_PROCS})
  --trace FILE       run under the simulator's round-robin strategy and write the trace
                     (JSONL, see src/sim/TRACE.md) to FILE; a deadlock or a spent budget
                     then ends the run with exit 137 and leaves the processes as they were`;

export function runCommand(argv: string[]): number {
  const args = parseArgs(argv, RUN_FLAGS);
  const { target, argv: shown } = parseTarget(args, 'run', false);
  const seed = intFlag(args, 'seed', 0);
  const maxInsns = intFlag(args, 'max-insns', DEFAULT_MAX_INSNS);
  const booted = bootOrFail(target, shown[0], seed, new HostConsole());
  if (typeof booted === 'number') return booted;
  const { kernel: k, init: p } = booted;
  const tracePath = args.flags.get('trace')?.[0];
  let end: Ending;
  if (tracePath === undefined) end = runToExit(k, p, maxInsns);
  else {
    // Like plain run, no step budget: only instructions bound the run.
    const header = { path: target.path, argv: target.argv };
    const r = simulate({ kernel: k, init: p, strategy: new RoundRobinStrategy(), maxInsns, maxSteps: Infinity, trace: { header } });
    writeFileSync(tracePath, r.trace!.text());
    if (r.verdict.kind !== 'exit') {
      process.stderr.write(`procsim: ${verdictText(r.verdict)}\n`);
      return 137;
    }
    const sig = p.waitStatus & 0x7f;
    end = { exitCode: sig !== 0 ? 128 + sig : (p.waitStatus >> 8) & 0xff, signal: sig !== 0 ? sig : undefined, instructions: k.instructions };
  }
  if (end.budgetExceeded) process.stderr.write(`procsim: instruction budget of ${maxInsns} exhausted (raise it with --max-insns)\n`);
  else if (end.deadlock) process.stderr.write(`procsim: deadlock: every process is blocked (${end.deadlock.join('; ')})\n`);
  else if (end.signal !== undefined) {
    const pc = ` at pc 0x${p.cpu.pc.toString(16)}`;
    const where = end.signal === 11 || end.signal === 7 ? ` at address 0x${p.cpu.faultAddr.toString(16)},${pc.slice(3)}` : end.signal === 4 || end.signal === 5 ? pc : '';
    process.stderr.write(`procsim: guest killed by ${signalName(end.signal)}${where}\n`);
  }
  return end.exitCode;
}
