// procsim run: execute one program like `qemu-riscv64 ELF ARGS`.

import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ElfError } from '../emu/elf.ts';
import { FsError } from '../process/fs/fs-error.ts';
import { DEFAULT_MAX_PROCS, MAX_PROCS_LIMIT, Kernel } from '../process/kernel.ts';
import { DEFAULT_KERNEL_VARIANT, KERNEL_VARIANTS, parseKernelVariant, type KernelVariantName } from '../process/variants/index.ts';
import { DEFAULT_MAX_INSNS, runToExit } from '../process/run.ts';
import { rootfsSource } from './rootfs.ts';
import { HostConsole } from './host-console.ts';
import { type FlagSpec, intFlag, parseArgs, UsageError } from './args.ts';
import { signalName } from '../process/signals.ts';

export const RUN_FLAGS: Record<string, FlagSpec> = {
  rootfs: { value: true },
  env: { value: true, repeat: true },
  'clear-env': {},
  cwd: { value: true },
  seed: { value: true },
  'max-insns': { value: true },
  kernel: { value: true },
  'max-procs': { value: true },
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
                     (default ${DEFAULT_MAX_PROCS})`;

const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

function kernelFlag(value: string | undefined): KernelVariantName {
  if (value === undefined) return DEFAULT_KERNEL_VARIANT;
  try {
    return parseKernelVariant(value);
  } catch (e) {
    throw new UsageError(`--kernel: ${(e as Error).message}`);
  }
}

export function runCommand(argv: string[]): number {
  const args = parseArgs(argv, RUN_FLAGS);
  const [target, ...guestArgs] = args.positionals;
  if (target === undefined) throw new UsageError('run: missing ELF (see procsim run --help)');
  const seed = intFlag(args, 'seed', 0);
  const maxInsns = intFlag(args, 'max-insns', DEFAULT_MAX_INSNS);
  const variant = kernelFlag(args.flags.get('kernel')?.[0]);
  const maxProcs = intFlag(args, 'max-procs', DEFAULT_MAX_PROCS);
  if (maxProcs < 1 || maxProcs > MAX_PROCS_LIMIT) {
    throw new UsageError(`--max-procs must be from 1 to ${MAX_PROCS_LIMIT}, got ${maxProcs}`);
  }
  const rootfsArg = args.flags.get('rootfs')?.[0];

  const env = new Map<string, string>();
  if (!args.flags.has('clear-env')) {
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env.set(k, v);
  }
  for (const kv of args.flags.get('env') ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env wants K=V, got ${JSON.stringify(kv)}`);
    env.set(kv.slice(0, eq), kv.slice(eq + 1));
  }

  let guestPath = target;
  const binds: { path: string; hostPath: string }[] = [];
  if (rootfsArg === undefined) {
    const host = resolve(target);
    if (!existsSync(host)) throw new UsageError(`run: ${target}: no such file`);
    if (!statSync(host).isFile()) throw new UsageError(`run: ${target}: not a regular file`);
    guestPath = host;
    binds.push({ path: host, hostPath: host });
  }
  const cwd = args.flags.get('cwd')?.[0] ?? (rootfsArg === undefined ? process.cwd() : '/');

  const k = new Kernel({ console: new HostConsole(), seed, variant, maxProcs, rootfs: rootfsArg === undefined ? undefined : rootfsSource(rootfsArg), binds });
  if (rootfsArg === undefined) k.fs.ensureDir(Buffer.from(cwd).toString('latin1'));
  let p;
  try {
    p = k.spawnInit(
      { path: Buffer.from(guestPath).toString('latin1'), argv: [target, ...guestArgs].map(enc), envp: [...env].map(([k2, v]) => enc(`${k2}=${v}`)) },
      Buffer.from(cwd).toString('latin1'),
    );
  } catch (e) {
    if (e instanceof ElfError) {
      process.stderr.write(`procsim: ${e.message}\n`);
      return 126;
    }
    if (e instanceof FsError) {
      const why = { ENOENT: 'no such file', EACCES: 'permission denied (not an executable file)', ENOEXEC: 'not an executable format', ENOTDIR: 'a path component is not a directory' }[e.code as string] ?? e.code;
      process.stderr.write(`procsim: ${target}: ${why}\n`);
      return e.code === 'ENOENT' ? 127 : 126;
    }
    throw e;
  }
  const end = runToExit(k, p, maxInsns);
  if (end.budgetExceeded) process.stderr.write(`procsim: instruction budget of ${maxInsns} exhausted (raise it with --max-insns)\n`);
  else if (end.deadlock) process.stderr.write(`procsim: deadlock: every process is blocked (${end.deadlock.join('; ')})\n`);
  else if (end.signal !== undefined) {
    const pc = ` at pc 0x${p.cpu.pc.toString(16)}`;
    const where = end.signal === 11 || end.signal === 7 ? ` at address 0x${p.cpu.faultAddr.toString(16)},${pc.slice(3)}` : end.signal === 4 || end.signal === 5 ? pc : '';
    process.stderr.write(`procsim: guest killed by ${signalName(end.signal)}${where}\n`);
  }
  return end.exitCode;
}
