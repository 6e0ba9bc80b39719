// A guest process: identity, its hart, address space, descriptors, signal state, and where
// it is in its life (running, blocked in a syscall, zombie, reaped).

import { Cpu } from '../emu/cpu.ts';
import { Memory } from '../emu/memory.ts';
import type { InitialStack } from '../emu/stack.ts';
import { FdTable } from './fd.ts';
import { FileMappings } from './mappings.ts';
import { type Itimer, noTimers } from './itimers.ts';
import type { PosixTimer } from './posix-timers.ts';
import type { DirInode } from './fs/inode.ts';
import { noUsage, type Usage } from './accounting.ts';
import type { QueuedSignal } from './sigqueue.ts';
import { SIGCHLD } from './signals.ts';
import { WaitQueue } from './wait-queue.ts';

/**
 * running: runnable (at its next syscall, or computing toward it);
 * blocked: parked in a syscall on wait queues until a wakeup;
 * stopped: by a stop signal, until SIGCONT or SIGKILL;
 * zombie: exited, its status not yet collected; reaped: gone from the table.
 */
export type ProcState = 'running' | 'blocked' | 'stopped' | 'zombie' | 'reaped';

/** A stop or continue not yet reported to the parent's wait (WUNTRACED, WCONTINUED). */
export type JobChange = { kind: 'stopped'; sig: number } | { kind: 'continued' } | null;

export interface SigAction {
  handler: number; // SIG_DFL 0, SIG_IGN 1, or a guest address
  flags: number;
  mask: bigint;
  restorer: number;
}

/** What the kernel records about a pending signal (the part of siginfo a handler sees). */
export interface SigInfo {
  code: number;
  /** Sending process (0 for the kernel). */
  pid: number;
  /** SIGCHLD: the child's exit code or signal. */
  status?: number;
  /** SIGSEGV/SIGBUS: the faulting address. */
  addr?: number;
  /** SIGCHLD: the child's user and system time, in clock ticks. */
  utime?: bigint;
  stime?: bigint;
  /**
   * rt_sigqueueinfo, rt_tgsigqueueinfo: the sender's own siginfo, Linux's 48 bytes of
   * kernel_siginfo (si_signo is set from the signal sent); the fields above are read from it.
   */
  raw?: Uint8Array;
  /** A POSIX timer's signal: the timer, told when the signal is taken (posix-timers.ts). */
  timer?: PosixTimer;
}

export const NSIG = 64;
/**
 * Virtual time is exact integer nanoseconds (a bigint: a float64 stops counting them past
 * 2^53 ns, 104 days). A wait without a timeout has this deadline, past any time a run reaches.
 */
export const NO_DEADLINE = 1n << 80n;
/** Linux's KTIME_MAX: timeouts saturate here (ktime_add_safe), as the clock would. */
export const KTIME_MAX = (1n << 63n) - 1n;
export const NS_PER_SEC = 1_000_000_000n;
/** now + ns, saturated at KTIME_MAX as Linux computes a timer's expiry. */
export const expiry = (now: bigint, ns: bigint): bigint => (now + ns > KTIME_MAX ? (now > KTIME_MAX ? now : KTIME_MAX) : now + ns);
export const SIG_DFL = 0;
export const SIG_IGN = 1;

export class Process {
  parent: Process | null = null;
  /** Children in the order they became ours (creation or reparenting), as Linux lists them. */
  children: Process[] = [];
  pgid: number;
  sid: number;
  state: ProcState = 'running';
  /** Wait status (Linux encoding) once a zombie. */
  waitStatus = 0;
  /** Last stop or continue, until a wait reports it. */
  jobChange: JobChange = null;
  /** Signal sent to the parent when this process exits (the low byte of clone's flags). */
  exitSignal = SIGCHLD;
  /** Set once the process has called execve (setpgid on it then fails with EACCES). */
  didExec = false;
  /** PR_SET_CHILD_SUBREAPER: orphaned descendants are reparented here instead of to pid 1. */
  subreaper = false;
  cpu: Cpu;
  mem: Memory;
  /** The files mem's ranges show (/proc/<pid>/maps); shared with mem by a vfork child. */
  mappings = new FileMappings();
  fds = new FdTable();
  /** Working directory; set by the kernel when the process is created. */
  cwd!: DirInode;
  umask = 0o022;
  /** Program break: its floor (end of the image) and its current value. */
  brkStart = 0;
  brk = 0;
  /** The program's writable PT_LOAD segments (.data, .bss; not its ld.so's), [start, end). */
  dataSegments: readonly [number, number][] = [];
  /** Path of the running executable, for /proc/self/exe. */
  exe = '';
  /** Where exec put the arguments, environment and auxv (for /proc/self/cmdline, environ, auxv). */
  startup: InitialStack = { sp: 0, argv: [], envp: [], auxv: new Uint8Array(0) };
  /** Name shown by PR_GET_NAME (the basename of the executable, 15 bytes at most). */
  comm = '';
  clearChildTid = 0;

  // ---- scheduling -----------------------------------------------------------------------
  /** The pc is at an ecall whose syscall has not executed yet. */
  atSyscall = false;
  /** Syscall number this process blocked in (still pending; -1 when none). */
  blockedIn = -1;
  /** Why it is blocked, for traces and deadlock reports. */
  blockReason = '';
  /** Queues it is parked on while blocked. */
  waitingOn: WaitQueue[] = [];
  /** Signals may interrupt the wait (all waits but vfork's). */
  interruptible = true;
  /** Virtual time (ns since boot) at which a blocked syscall times out (NO_DEADLINE: never). */
  deadline: bigint = NO_DEADLINE;
  /** Bytes a blocking write already moved before it had to wait (it resumes after them). */
  ioDone = 0;
  /**
   * What the blocked syscall returns when a handler interrupts it, if not EINTR, and what it
   * does then (nanosleep writes the time left).
   */
  interrupted: (() => number) | null = null;
  /** Woken by wait4/waitid when a child changes state. */
  readonly childWait = new WaitQueue();
  /**
   * The children a blocked wait4/waitid is for (its pid, group or any, taken when it blocked):
   * only a change of one of them wakes it, as Linux's child_wait_callback decides.
   */
  waitSelector: ((c: Process) => boolean) | null = null;
  /** A vfork child borrows its parent's memory and holds the parent until exec or exit. */
  vforkParent: Process | null = null;
  /**
   * Linux's scheduling attributes (syscalls/sched.ts): recorded and reported, never used to
   * pick who runs. policy is SCHED_OTHER (0) etc.; rtPriority 1..99 under FIFO/RR, else 0.
   */
  policy = 0;
  rtPriority = 0;
  /** Nice value, -20..19. */
  nice = 0;
  /** SCHED_RESET_ON_FORK: a fork child starts without RT policy or negative nice. */
  resetOnFork = false;

  // ---- signals --------------------------------------------------------------------------
  actions: SigAction[] = Array.from({ length: NSIG + 1 }, () => ({ handler: SIG_DFL, flags: 0, mask: 0n, restorer: 0 }));
  sigmask = 0n;
  /**
   * Pending signals (bit sig-1): the union of the thread's own set and the process's shared
   * one, and the siginfo queued with them, in arrival order (sigqueue.ts).
   */
  pending = 0n;
  threadPending = 0n;
  sharedPending = 0n;
  sigqueue: QueuedSignal[] = [];
  /** The signals a blocked rt_sigtimedwait waits for: their arrival wakes it, blocked or not. */
  sigwaitSet = 0n;
  /** The mask to restore after a syscall that runs under a temporary one (rt_sigsuspend, ppoll). */
  savedMask: bigint | null = null;
  altstack = { sp: 0, size: 0, flags: 0 };
  /** setitimer's ITIMER_REAL, _VIRTUAL, _PROF (itimers.ts); a fork child starts with none. */
  itimers: Itimer[] = noTimers();
  /** Instruction count at which a CPU timer expires (Infinity: none armed). */
  cpuTimerAt = Infinity;
  /** timer_create's timers, by id (posix-timers.ts); a fork child starts with none. */
  posixTimers = new Map<number, PosixTimer>();
  /** The id the next timer_create gives (Linux counts up, per process). */
  nextTimerId = 0;
  rlimits = new Map<number, [bigint, bigint]>();

  // ---- accounting (accounting.ts) ----------------------------------------------------------
  /** cpu.instret when the process was created: its CPU time counts from there. */
  cpuStart = 0;
  /** Resident set (KiB) recorded at exit, when its memory goes. */
  maxrssKb = 0;
  /** Totals of the children a wait reaped (with their own reaped children's). */
  childUsage: Usage = noUsage();

  constructor(
    readonly pid: number,
    mem = new Memory(),
  ) {
    this.pgid = pid;
    this.sid = pid;
    this.mem = mem;
    this.cpu = new Cpu(mem);
  }

  /** The syscall in progress is over (done, interrupted or abandoned): forget its wait state. */
  endSyscall(): void {
    this.interrupted = null;
    this.waitSelector = null;
    this.blockedIn = -1;
    this.ioDone = 0;
    this.deadline = NO_DEADLINE;
    this.interruptible = true;
    this.sigwaitSet = 0n;
  }

  /** Return r from the syscall at the pc: a0 = r, and go on after the ecall. */
  returnFromSyscall(r: number): void {
    const x = this.cpu.x;
    x[20] = r | 0;
    x[21] = Math.floor(r / 4294967296) | 0;
    this.cpu.pc += 4;
    this.atSyscall = false;
  }

  get ppid(): number {
    return this.parent?.pid ?? 0;
  }

  /** Alive: running, blocked or stopped (not yet exited). */
  get alive(): boolean {
    return this.state === 'running' || this.state === 'blocked' || this.state === 'stopped';
  }
}
