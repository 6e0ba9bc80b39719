// Fault injection: the environment misbehaving the ways Linux may (FoundationDB's BUGGIFY,
// madsim). Each fault is a failure a program must handle, injected at a point of the run:
//   fork    fork, vfork or clone fails with EAGAIN (RLIMIT_NPROC, no pid, no memory)
//   mem     mmap, mremap or a brk that grows fails with ENOMEM
//   signal  a signal the process handles arrives from outside (si_code SI_USER, pid 0) when
//           a syscall blocks, so it returns EINTR or restarts under SA_RESTART
//   fd      a call that makes a descriptor (openat, pipe2, dup, dup3, fcntl F_DUPFD, socket)
//           fails with EMFILE (the process's RLIMIT_NOFILE reached)
//   io      a write to a regular file fails with ENOSPC (the disk is full), an fsync with EIO
// A fault is named by where it happens, not when: the nth point of its kind in one process
// (`p2`'s 1st fork), so a schedule with faults replays exactly and a shrunk one keeps its
// faults where they were. The decisions come from the run seed (a stream of their own,
// apart from the strategy's and the kernel's) or from a schedule string that lists them.

import seedrandom from 'seedrandom';
import type { Args, Kernel } from '../process/kernel.ts';
import { ERRNO } from '../process/errno.ts';
import { InodeBackend } from '../process/files.ts';
import { F_DUPFD, F_DUPFD_CLOEXEC } from '../process/fs/flags.ts';
import { type Process, SIG_DFL, SIG_IGN } from '../process/process.ts';
import { SI_USER } from '../process/sigqueue.ts';
import { sigbit, SIGKILL, SIGSTOP, signalName } from '../process/signals.ts';
import { SYS } from '../process/sysno.ts';
import type { ProcNames } from './names.ts';

export const FAULT_KINDS = ['fork', 'mem', 'signal', 'fd', 'io'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** One injected fault: the nth point of its kind in process `proc` (canonical number). */
export interface Fault {
  kind: FaultKind;
  proc: number;
  nth: number;
}

/** What `--faults LIST[:RATE]` asks for. */
export interface FaultSpec {
  kinds: FaultKind[];
  /** Chance that a point of one of these kinds is faulted. */
  rate: number;
  /** Swarm testing: each run injects only a subset of the kinds, drawn from its seed. */
  swarm?: boolean;
}

export const DEFAULT_FAULT_RATE = 0.1;

/** Parse `fork,mem,signal` or `fork:0.5`; throws RangeError naming what is accepted. */
export function parseFaultSpec(text: string): FaultSpec {
  const [list, rateText, ...rest] = text.split(':');
  const rate = rateText === undefined ? DEFAULT_FAULT_RATE : Number(rateText);
  if (rest.length > 0 || !(rate > 0 && rate <= 1) || (rateText !== undefined && !/^(0?\.\d+|1(\.0*)?|0)$/.test(rateText))) {
    throw new RangeError(`--faults ${text}: the rate after ':' must be a number above 0 and at most 1 (e.g. fork,mem:0.2)`);
  }
  const kinds: FaultKind[] = [];
  for (const k of list.split(',')) {
    if (!(FAULT_KINDS as readonly string[]).includes(k)) throw new RangeError(`--faults ${text}: unknown fault '${k}' (use ${FAULT_KINDS.join(', ')})`);
    if (!kinds.includes(k as FaultKind)) kinds.push(k as FaultKind);
  }
  return { kinds, rate };
}

export const faultSpecText = (s: FaultSpec): string => `${s.kinds.join(',')}${s.rate === DEFAULT_FAULT_RATE ? '' : `:${s.rate}`}${s.swarm ? ' (swarm)' : ''}`;

/** Whether a fault happens at a point: drawn from the seed, or read from a list. */
export interface FaultPolicy {
  decide(f: Fault): boolean;
}

export class RandomFaults implements FaultPolicy {
  private readonly rng: seedrandom.PRNG;
  private readonly rate: number;
  /** The kinds this run injects: all of the spec's, or under swarm a nonempty subset. */
  readonly kinds: readonly FaultKind[];
  constructor(spec: FaultSpec, seed: number) {
    this.kinds = spec.swarm ? swarmKinds(spec.kinds, seedrandom(`procsim-swarm:${seed}`)) : spec.kinds;
    this.rate = spec.rate;
    this.rng = seedrandom(`procsim-faults:${seed}`);
  }
  decide(f: Fault): boolean {
    // A point of a kind this run does not inject draws nothing from the stream.
    return this.kinds.includes(f.kind) && this.rng.quick() < this.rate;
  }
}

/**
 * Swarm testing (Groce et al.): each kind is on with chance 1/2, at least one. A run with
 * fewer kinds of faults goes deeper into each; over a sweep every combination is tried.
 */
function swarmKinds(kinds: readonly FaultKind[], rng: seedrandom.PRNG): FaultKind[] {
  const on = kinds.filter(() => rng.quick() < 0.5);
  return on.length > 0 ? on : [kinds[Math.floor(rng.quick() * kinds.length)]];
}

export class PlannedFaults implements FaultPolicy {
  constructor(private readonly faults: readonly Fault[]) {}
  decide(f: Fault): boolean {
    return this.faults.some((g) => g.kind === f.kind && g.proc === f.proc && g.nth === f.nth);
  }
}

/** Not imported from syscalls/clone.ts: loading it from here would enter the syscall table's import cycle first. */
const CLONE_THREAD = 0x10000;
const MAKES_FD = new Set<number>([SYS.openat, SYS.pipe2, SYS.dup, SYS.dup3, SYS.socket]);
const WRITES = new Set<number>([SYS.write, SYS.writev, SYS.pwrite64]);

/** Whether fd of p is a regular file (where a disk can fill up or fail). */
function regularFile(p: Process, fd: number): boolean {
  const b = p.fds.get(fd)?.file.backend;
  return b instanceof InodeBackend && b.inode.kind === 'file';
}

/** The kind of fault the syscall p is about to run could take, if any, and the errno it gets. */
function syscallFault(p: Process, nr: number, a: Args): [FaultKind, number] | null {
  if (nr === SYS.clone) return (a[0] & CLONE_THREAD) !== 0 ? null : ['fork', ERRNO.EAGAIN];
  if (nr === SYS.mmap || nr === SYS.mremap) return ['mem', ERRNO.ENOMEM];
  if (nr === SYS.brk) return a[0] > p.brk ? ['mem', ERRNO.ENOMEM] : null;
  if (MAKES_FD.has(nr)) return ['fd', ERRNO.EMFILE];
  if (nr === SYS.fcntl) return (a[1] | 0) === F_DUPFD || (a[1] | 0) === F_DUPFD_CLOEXEC ? ['fd', ERRNO.EMFILE] : null;
  if (WRITES.has(nr)) return regularFile(p, a[0] | 0) ? ['io', ERRNO.ENOSPC] : null;
  if (nr === SYS.fsync || nr === SYS.fdatasync) return regularFile(p, a[0] | 0) ? ['io', ERRNO.EIO] : null;
  return null;
}

/** The signal a signal fault sends p: the lowest one it has a handler for and does not block (0: none). */
function handledSignal(p: Process): number {
  for (let sig = 1; sig < p.actions.length; sig++) {
    if (sig === SIGKILL || sig === SIGSTOP) continue;
    const h = p.actions[sig].handler;
    if (h !== SIG_DFL && h !== SIG_IGN && !(p.sigmask & sigbit(sig))) return sig;
  }
  return 0;
}

/**
 * Injects the faults of one run into its kernel: syscall faults through the kernel's
 * interposer, signal faults when a step leaves a process blocked. Keeps the list of those
 * injected, for the schedule string.
 */
export class FaultInjector {
  readonly injected: Fault[] = [];
  private readonly points = new Map<string, number>();
  /** What the current step's fault was, for its trace line (null: none). */
  stepFault: string | null = null;

  constructor(private readonly policy: FaultPolicy) {}

  attach(k: Kernel, names: ProcNames): void {
    k.syscallInterposer = (p, nr, a) => {
      const f = syscallFault(p, nr, a);
      if (f === null || !this.point(f[0], names.id(p))) return null;
      this.stepFault = f[0];
      return nr === SYS.brk ? p.brk : -f[1]; // brk fails by leaving the break where it was
    };
  }

  detach(k: Kernel): void {
    k.syscallInterposer = null;
  }

  /** After a step of p: if it left p blocked in a call a handled signal could interrupt, maybe send one. */
  afterStep(k: Kernel, p: Process, names: ProcNames): void {
    if (p.state !== 'blocked' || !p.interruptible) return;
    const sig = handledSignal(p);
    if (sig === 0 || !this.point('signal', names.id(p))) return;
    this.stepFault = `signal ${signalName(sig)}`;
    k.sendSignal(p, sig, { code: SI_USER, pid: 0 });
  }

  /** A point of `kind` in process `proc`: counted, and faulted if the policy says so. */
  private point(kind: FaultKind, proc: number): boolean {
    const key = `${kind}:${proc}`;
    const nth = (this.points.get(key) ?? 0) + 1;
    this.points.set(key, nth);
    const f = { kind, proc, nth };
    if (!this.policy.decide(f)) return false;
    this.injected.push(f);
    return true;
  }
}
