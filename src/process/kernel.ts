// The simulated kernel: owns the process table, the filesystem, virtual time and the seeded
// random stream, and executes syscalls. It knows nothing of scheduling strategies: a driver
// (run.ts, or the simulator) picks which runnable process goes next. Each process runs
// until its next syscall (advance); a step executes that syscall (execute), which may block
// the process on wait queues until a wakeup makes it runnable and the syscall runs again.

import seedrandom from 'seedrandom';
import { Stop } from '../emu/cpu.ts';
import { MemFault, OutOfMemory, PAGE_SIZE, PageBudget } from '../emu/memory.ts';
import { ElfError } from '../emu/elf.ts';
import { ERRNO } from './errno.ts';
import { execImage, type ExecArgs } from './exec.ts';
import { EventRing, type ProcessEvent } from './events.ts';
import { FsError } from './fs/fs-error.ts';
import { createFs, type RootfsSource } from './fs/index.ts';
import type { Vfs } from './fs/vfs.ts';
import { mountProc } from './procfs.ts';
import { Deadlines } from './deadlines.ts';
import { cpuTimerDue, ITIMER_PROF, ITIMER_REAL, ITIMER_VIRTUAL, rearm } from './itimers.ts';
import { clockOf, expire, firesAt, type PosixTimer, sent, taken } from './posix-timers.ts';
import { NO_DEADLINE, NS_PER_SEC, Process, type SigInfo } from './process.ts';
import { SIGALRM, SIGBUS, SIGILL, SIGKILL, SIGPIPE, SIGPROF, SIGSEGV, SIGTRAP, SIGVTALRM } from './signals.ts';
import {
  BUS_ADRALN,
  BUS_ADRERR,
  deliverPending,
  forceSignal,
  oomKill,
  hasDeliverable,
  ILL_ILLOPC,
  killPending,
  SEGV_ACCERR,
  SEGV_MAPERR,
  sendSignal,
  SI_KERNEL,
  TRAP_BRKPT,
  type SendInfo,
} from './signal-delivery.ts';
import { terminate } from './lifecycle.ts';
import type { Handler } from './syscalls/table.ts';
import { createVariant, DEFAULT_KERNEL_VARIANT, type KernelVariant, type KernelVariantName } from './variants/index.ts';
import type { Console } from './console.ts';
import { OpenFile } from './fd.ts';
import { InodeBackend, StdioBackend } from './files.ts';
import { LockTable } from './locks.ts';
import { O_RDONLY, O_WRONLY } from './fs/flags.ts';
import { SYS } from './sysno.ts';
import type { WaitQueue } from './wait-queue.ts';

export interface KernelOptions {
  console: Console;
  /** Initial filesystem: a host directory or tar archive (copy-on-write), else just the default tree. */
  rootfs?: RootfsSource;
  /** Host files exposed at guest paths (read lazily). */
  binds?: { path: string; hostPath: string }[];
  /** In-memory files to add (path, contents, mode). */
  files?: { path: string; bytes: Uint8Array; mode: number }[];
  /** Run seed: the only source of randomness (getrandom, AT_RANDOM, /dev/urandom). */
  seed: number;
  /** Process table size (default 512): fork fails with EAGAIN when it is full. */
  maxProcs?: number;
  /** Capacity of the process-event ring (default 4096). */
  eventCapacity?: number;
  /** The machine's memory in bytes (default DEFAULT_MEMORY_LIMIT): past it, the OOM kill. */
  memoryLimit?: number;
  /** Which kernel semantics to run (default 'reference'; see variants/index.ts). */
  variant?: KernelVariantName;
}

/** Fixed start of the virtual wall clock: 2025-01-01T00:00:00Z. */
export const EPOCH_SEC = 1_735_689_600;

export const DEFAULT_MAX_PROCS = 512;
/**
 * The simulated machine's memory: 4 GiB, the MemTotal of /proc/meminfo (MEM_TOTAL_KB). A fixed size, not a
 * share of the host's, so that where a run runs out of memory is part of the run (the same
 * on every host); the host pays about this much at most per run in flight.
 */
export const DEFAULT_MEMORY_LIMIT = 4 * 2 ** 30;
/** Pids count up to here, then wrap to PID_WRAP (Linux's pid_max and RESERVED_PIDS). */
const PID_MAX = 32768;
const PID_WRAP = 300;
/** Each entry holds at most three ids (pid, pgid, sid): this many always leave a free pid. */
export const MAX_PROCS_LIMIT = Math.floor((PID_MAX - PID_WRAP) / 3) - 1;

/** Syscall arguments a0..a5 as signed 64-bit values (exact below 2^53). */
export type Args = Float64Array;

/** Returned by a handler that set the registers itself (execve, rt_sigreturn). */
export const KEEP_REGS = 2 ** 40;
/** Returned by a handler that parked the process (see Kernel.block). */
export const BLOCKED = 2 ** 41;

/** Read the syscall arguments a0..a5 of p (stopped at an ecall) into `out`, as signed 64-bit values. */
export function readSyscallArgs(p: Process, out: Args): void {
  const x = p.cpu.x;
  for (let i = 0; i < 6; i++) out[i] = x[21 + 2 * i] * 4294967296 + (x[20 + 2 * i] >>> 0);
}

/** Watches executed syscalls (the simulator's trace): number, arguments, and what the handler returned. */
export type SyscallObserver = (p: Process, nr: number, args: Args, ret: number) => void;

export class Kernel {
  readonly fs: Vfs;
  readonly console: Console;
  readonly seed: number;
  /** The semantics this kernel runs: its syscall handlers and hooks. */
  readonly variant: KernelVariant;
  private readonly handlers: readonly (Handler | undefined)[];
  /**
   * Virtual nanoseconds since boot: one per retired instruction, plus sleeps. Exact (a
   * bigint): a float64 stops counting nanoseconds past 2^53 (104 days), and a sleep may
   * reach KTIME_MAX (292 years).
   */
  timeNs = 0n;

  /** timeNs as a number, for displays (/proc/uptime): exact below 2^53 ns only. */
  get nowNs(): number {
    return Number(this.timeNs);
  }
  /** Instructions retired by all processes. */
  instructions = 0;
  /** Signals queued on every process (sigqueue.ts): root's count against RLIMIT_SIGPENDING. */
  sigqueued = 0;
  private rng: seedrandom.PRNG;
  /** The process table: live processes and zombies, in creation order. */
  readonly procs = new Map<number, Process>();
  readonly maxProcs: number;
  /** Every page of every process counts here (Memory.budget). */
  readonly memory: PageBudget;
  private lastPid = 0;
  /** Process events for a host to drain (spawn, exec, exit, signal, wait-wakeup, reap). */
  readonly events: EventRing;
  /** Advisory file locks (fcntl, flock), by file: an inode, or another backend itself. */
  readonly locks = new LockTable(
    (f) => (f.backend instanceof InodeBackend ? f.backend.inode : f.backend),
    (q) => this.wakeQueue(q),
  );
  /** Unknown syscalls seen, by number: they return ENOSYS and are reported. */
  readonly unknownSyscalls = new Map<number, number>();
  private readonly args: Args = new Float64Array(6);
  /** Blocked processes with a timeout, earliest deadline first. */
  private sleepers: Process[] = [];
  /** Processes with an armed ITIMER_REAL. */
  private readonly realTimers = new Deadlines<Process>((p) => p.itimers[ITIMER_REAL].at, (a, b) => a.pid - b.pid);
  /** POSIX timers on a time clock that will fire (those on CPU time count in cpuTimerAt). */
  private readonly posixTimers = new Deadlines<PosixTimer>(firesAt, (a, b) => a.owner.pid - b.owner.pid || a.id - b.id);
  private nextPipeIno = 0x20000;
  /** Told of every syscall the kernel executes (null: nobody watches). */
  syscallObserver: SyscallObserver | null = null;
  /**
   * Asked before a syscall runs for the first time (not when a blocked one runs again): a
   * result to return instead of running it (a -errno), or null to run it. Like seccomp's
   * SECCOMP_RET_ERRNO: how a simulation injects the failures Linux may give.
   */
  syscallInterposer: ((p: Process, nr: number, a: Args) => number | null) | null = null;
  /**
   * Check that a failed syscall leaves its caller's descriptor table as it was (no fd made
   * and not rolled back, none lost): the first breach is kept here (invariants.ts reads it).
   */
  checkFailedCalls = false;
  failedCallBreach: string | null = null;

  constructor(opts: KernelOptions) {
    this.console = opts.console;
    this.seed = opts.seed;
    this.variant = createVariant(opts.variant ?? DEFAULT_KERNEL_VARIANT);
    this.handlers = this.variant.handlers;
    this.maxProcs = opts.maxProcs ?? DEFAULT_MAX_PROCS;
    if (!Number.isInteger(this.maxProcs) || this.maxProcs < 1 || this.maxProcs > MAX_PROCS_LIMIT) {
      throw new RangeError(`maxProcs must be an integer from 1 to ${MAX_PROCS_LIMIT}, got ${opts.maxProcs}`);
    }
    const limit = opts.memoryLimit ?? DEFAULT_MEMORY_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < PAGE_SIZE) throw new RangeError(`memoryLimit must be a whole number of bytes, at least ${PAGE_SIZE}, got ${opts.memoryLimit}`);
    this.memory = new PageBudget(Math.floor(limit / PAGE_SIZE));
    this.events = new EventRing(opts.eventCapacity);
    this.rng = seedrandom(`procsim:${opts.seed}`);
    this.fs = createFs({
      clock: () => this.wallClock(),
      random: (n) => this.random(n),
      rootfs: opts.rootfs,
      binds: opts.binds,
    });
    for (const f of opts.files ?? []) {
      const slash = f.path.lastIndexOf('/');
      const dir = this.fs.ensureDir(f.path.slice(0, slash) || '/');
      const name = f.path.slice(slash + 1);
      if (dir.get(name)) this.fs.unlink(dir, name);
      dir.add(name, this.fs.newLazyFile(f.mode, f.bytes.length, () => f.bytes));
    }
    mountProc(this);
  }

  /** Virtual wall-clock time (CLOCK_REALTIME). */
  wallClock(): { sec: number; nsec: number } {
    return { sec: EPOCH_SEC + Number(this.timeNs / NS_PER_SEC), nsec: Number(this.timeNs % NS_PER_SEC) };
  }

  /** n bytes from the run's seeded random stream. */
  random(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.rng.int32();
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = v >>> (8 * j);
    }
    return out;
  }

  emit(e: Omit<ProcessEvent, 'seq'>): void {
    if (this.variant.events) this.events.push(e);
  }

  newPipeIno(): number {
    return this.nextPipeIno++;
  }

  // ---- the process table ----------------------------------------------------------------

  /** Next free pid, or null when the table is full. Deterministic: counts up, wraps like Linux. */
  allocPid(): number | null {
    if (this.procs.size >= this.maxProcs) return null;
    let pid = this.lastPid;
    for (;;) {
      pid = pid + 1 >= PID_MAX ? PID_WRAP : pid + 1;
      if (!this.procs.has(pid) && !this.idInUse(pid)) break;
    }
    this.lastPid = pid;
    return pid;
  }

  /** A pid still naming a process group or session may not be reused (as on Linux). */
  private idInUse(id: number): boolean {
    for (const q of this.procs.values()) if (q.pgid === id || q.sid === id) return true;
    return false;
  }

  /** Create the first process (pid 1, pgid 1, sid 1, ppid 0); throws ElfError/FsError for a bad program. */
  spawnInit(args: ExecArgs, cwd?: string): Process {
    const pid = this.allocPid();
    if (pid === null) throw new Error('process table full');
    const p = new Process(pid);
    p.mem.budget = this.memory;
    p.cwd = cwd === undefined ? this.fs.root : this.fs.resolveDir(this.fs.root, cwd);
    p.cpu.timeSource = () => Number(this.timeNs / 100n); // a 10 MHz timebase, as on common boards
    p.fds.onClose = (t, f, last) => this.locks.closed(t, f, last);
    this.installStdio(p);
    execImage(this, p, args);
    this.procs.set(pid, p);
    this.emit({ kind: 'spawn', pid, ppid: 0 });
    this.emit({ kind: 'exec', pid, path: p.exe });
    return p;
  }

  private installStdio(p: Process): void {
    const modes = [O_RDONLY, O_WRONLY, O_WRONLY];
    for (const fd of [0, 1, 2] as const) {
      const f = new OpenFile(new StdioBackend(this.console, fd, () => this.wallClock()), modes[fd], `pipe:[${fd}]`);
      p.fds.installAt(fd, f, false);
    }
  }

  // ---- running processes ------------------------------------------------------------------

  /** Processes that can take a step now, in table order. */
  runnable(): Process[] {
    const out: Process[] = [];
    for (const p of this.procs.values()) if (p.state === 'running') out.push(p);
    return out;
  }

  /** Run p's instructions until it reaches its next syscall, dies, or `budget` instructions pass. */
  advance(p: Process, budget: number): void {
    if (p.state !== 'running' || p.atSyscall) return;
    // Between instructions is a kernel entry too (as a timer interrupt would be): a process
    // that computes without syscalls still receives its signals, SIGKILL included.
    if (p.pending !== 0n) {
      if (killPending(p)) return terminate(this, p, SIGKILL);
      if (deliverPending(this, p) && p.state !== 'running') return;
    }
    const cpu = p.cpu;
    const before = cpu.instret;
    // An armed timer cuts the slice where it expires, so a loop that waits for its signal gets it.
    let run = budget;
    const timer = this.nextTimer();
    if (timer !== NO_DEADLINE) {
      const real = timer - this.timeNs;
      if (real < BigInt(run)) run = Math.max(1, Number(real));
    }
    if (p.cpuTimerAt - before < run) run = Math.max(1, p.cpuTimerAt - before);
    const stop = cpu.run(run);
    this.timeNs += BigInt(cpu.instret - before);
    this.instructions += cpu.instret - before;
    if (timer <= this.timeNs) this.fireRealTimers();
    if (cpu.instret >= p.cpuTimerAt) this.fireCpuTimers(p);
    switch (stop) {
      case Stop.Ecall:
        p.atSyscall = true;
        break;
      case Stop.Fault:
        if (cpu.faultOutOfMemory) oomKill(this, p);
        else if (cpu.faultAccess === 'misaligned') forceSignal(this, p, SIGBUS, BUS_ADRALN, cpu.faultAddr);
        else if (cpu.faultPastEof) forceSignal(this, p, SIGBUS, BUS_ADRERR, cpu.faultAddr);
        else forceSignal(this, p, SIGSEGV, cpu.faultMapped ? SEGV_ACCERR : SEGV_MAPERR, cpu.faultAddr);
        break;
      case Stop.Illegal:
        forceSignal(this, p, SIGILL, ILL_ILLOPC, cpu.pc);
        break;
      case Stop.Ebreak:
        if (this.variant.onBreakpoint !== undefined) this.variant.onBreakpoint(this, p);
        else forceSignal(this, p, SIGTRAP, TRAP_BRKPT, cpu.pc);
        break;
    }
  }

  /**
   * One kernel step for p: deliver a pending signal or execute p's pending syscall; then
   * signals raised by the syscall are delivered. A syscall that blocked runs again first
   * when woken (a wait4 woken by its child's exit returns the child even though SIGCHLD is
   * pending too, as on Linux); only if it would block again does a signal interrupt it.
   */
  execute(p: Process): void {
    if (p.state !== 'running' || !p.atSyscall) return;
    if (p.pending !== 0n) {
      if (killPending(p)) return terminate(this, p, SIGKILL);
      if (p.blockedIn < 0 && deliverPending(this, p)) return;
    }
    this.syscall(p);
    if (p.state !== 'running' || p.pending === 0n) return;
    if (!p.atSyscall || p.interruptible) deliverPending(this, p);
  }

  /** Execute p's pending syscall if it has one, then run it to its next one. */
  step(p: Process, budget: number): void {
    this.execute(p);
    this.advance(p, budget);
  }

  /** Number of the syscall p is stopped at. */
  syscallNr(p: Process): number {
    return p.cpu.x[34];
  }

  private syscall(p: Process): void {
    const a = this.args;
    readSyscallArgs(p, a);
    const nr = p.cpu.x[34];
    const h = this.handlers[nr];
    let r: number;
    const fdsBefore = this.checkFailedCalls ? p.fds.snapshot() : null;
    const forced = this.syscallInterposer !== null && p.blockedIn < 0 ? this.syscallInterposer(p, nr, a) : null;
    if (forced !== null) r = forced;
    else if (h === undefined) {
      this.unknownSyscalls.set(nr, (this.unknownSyscalls.get(nr) ?? 0) + 1);
      r = -ERRNO.ENOSYS;
    } else {
      try {
        r = h(this, p, a);
      } catch (e) {
        if (e instanceof FsError) {
          r = -e.errno;
          if (e.code === 'EPIPE') sendSignal(this, p, SIGPIPE, { code: SI_KERNEL, pid: 0 });
        } else if (e instanceof OutOfMemory) {
          oomKill(this, p);
          r = -ERRNO.ENOMEM;
        } else if (e instanceof MemFault) r = -ERRNO.EFAULT;
        else if (e instanceof RangeError && e.message === 'ENOMEM') r = -ERRNO.ENOMEM;
        else if (e instanceof ElfError) r = -ERRNO.ENOEXEC;
        else throw e;
      }
    }
    if (this.syscallObserver !== null) this.syscallObserver(p, nr, a, r);
    if (fdsBefore !== null && r < 0 && r > -4096 && this.failedCallBreach === null) this.checkFailedCall(p, nr, r, fdsBefore);
    if (r === BLOCKED) return;
    p.endSyscall();
    if (!p.alive) return;
    if (r === KEEP_REGS) p.atSyscall = false;
    else p.returnFromSyscall(r);
  }

  /** A failed call changed p's descriptors: keep the first such breach. close frees its fd even when it fails. */
  private checkFailedCall(p: Process, nr: number, r: number, before: readonly (OpenFile | undefined)[]): void {
    if (nr === SYS.close || nr === SYS.close_range || !p.alive) return;
    const after = p.fds.snapshot();
    const n = Math.max(before.length, after.length);
    for (let fd = 0; fd < n; fd++) {
      if (before[fd] === after[fd]) continue;
      const what = after[fd] === undefined ? 'closed' : before[fd] === undefined ? 'opened' : 'replaced';
      this.failedCallBreach = `pid ${p.pid}: syscall ${nr} failed with errno ${-r} but ${what} fd ${fd}`;
      return;
    }
  }

  // ---- blocking and wakeups ---------------------------------------------------------------

  /**
   * Park p in its current syscall until one of `queues` is woken or virtual time reaches
   * `deadline`; the syscall then runs again. A handler returns what this returns. If a
   * signal is already deliverable, p stays runnable and the next step interrupts the call
   * (unless the wait is uninterruptible, as vfork's is: only SIGKILL ends it).
   */
  block(p: Process, reason: string, queues: WaitQueue[], deadline = NO_DEADLINE, interruptible = true): number {
    p.blockedIn = p.cpu.x[34];
    p.blockReason = reason;
    p.deadline = deadline;
    p.interruptible = interruptible;
    if ((interruptible && hasDeliverable(p)) || killPending(p)) return BLOCKED;
    p.state = 'blocked';
    p.waitingOn = queues;
    for (const q of queues) q.add(p);
    if (deadline !== NO_DEADLINE) this.addSleeper(p);
    return BLOCKED;
  }

  /** True when p's current syscall is a re-execution after it blocked. */
  resumed(p: Process): boolean {
    return p.blockedIn >= 0;
  }

  /** Blocked processes with a timeout, earliest first (for the invariants' check). */
  sleeping(): readonly Process[] {
    return this.sleepers;
  }

  wake(p: Process): void {
    if (p.state !== 'blocked') return;
    p.state = 'running';
    for (const q of p.waitingOn) q.remove(p);
    p.waitingOn = [];
    if (p.deadline !== NO_DEADLINE) this.removeSleeper(p);
  }

  wakeQueue(q: WaitQueue): void {
    for (const p of q.takeAll()) this.wake(p);
  }

  private addSleeper(p: Process): void {
    let i = this.sleepers.length;
    while (i > 0 && this.sleepers[i - 1].deadline > p.deadline) i--;
    this.sleepers.splice(i, 0, p);
  }

  private removeSleeper(p: Process): void {
    const i = this.sleepers.indexOf(p);
    if (i >= 0) this.sleepers.splice(i, 1);
  }

  /** Earliest timeout among blocked processes and ITIMER_REAL timers (NO_DEADLINE when none). */
  nextDeadline(): bigint {
    const sleep = this.sleepers.length > 0 ? this.sleepers[0].deadline : NO_DEADLINE;
    const timer = this.nextTimer();
    return sleep < timer ? sleep : timer;
  }

  /** Earliest expiry of an ITIMER_REAL or a POSIX timer on a time clock. */
  private nextTimer(): bigint {
    return this.realTimers.next < this.posixTimers.next ? this.realTimers.next : this.posixTimers.next;
  }

  /**
   * Wake every process whose timeout has passed and fire the ITIMER_REAL timers that are due;
   * returns how many of these changed something (a timer's signal that was already pending
   * and wakes no one does not).
   */
  fireTimers(): number {
    let n = 0;
    while (this.sleepers.length > 0 && this.sleepers[0].deadline <= this.timeNs) {
      this.wake(this.sleepers[0]);
      n++;
    }
    return n + this.fireRealTimers();
  }

  private fireRealTimers(): number {
    let n = 0;
    for (const p of this.realTimers.take(this.timeNs)) {
      rearm(p.itimers[ITIMER_REAL], this.timeNs);
      this.realTimers.update(p);
      if (this.timerSignal(p, SIGALRM)) n++;
    }
    for (const t of this.posixTimers.take(this.timeNs)) if (this.firePosixTimer(t)) n++;
    return n;
  }

  /** POSIX timer t expired: send its signal (or count an overrun); true if that changed its owner. */
  private firePosixTimer(t: PosixTimer): boolean {
    const p = t.owner;
    const info = expire(t);
    let changed = false;
    if (info !== null) {
      const [pending, state] = [p.pending, p.state];
      sendSignal(this, p, t.signo, info, t.toThread ? 'thread' : 'process');
      sent(t, p.sigqueue.some((e) => e.info === info), clockOf(t, this.timeNs));
      changed = p.pending !== pending || p.state !== state;
    }
    this.rescheduleTimer(t);
    return changed;
  }

  /** t's expiry changed: file it where the kernel looks for the next one. */
  private rescheduleTimer(t: PosixTimer): void {
    if (t.cpu) t.owner.cpuTimerAt = cpuTimerDue(t.owner);
    else this.posixTimers.update(t);
  }

  /**
   * Arm POSIX timer t to expire at `at` on its clock (null: disarm) and then every
   * `interval`; one already due fires now. Its overrun count starts again.
   */
  armPosixTimer(t: PosixTimer, at: bigint | null, interval: bigint): void {
    t.at = at;
    t.interval = interval;
    t.awaitingRearm = false;
    t.overrun = 0;
    if (at !== null && !t.silent && at <= clockOf(t, this.timeNs)) this.firePosixTimer(t);
    else this.rescheduleTimer(t);
  }

  /** A POSIX timer's signal was taken (or flushed): it may be rearmed now. */
  timerSignalTaken(info: SigInfo): void {
    const t = info.timer!;
    taken(t, info, clockOf(t, this.timeNs));
    this.rescheduleTimer(t);
  }

  /** timer_delete, exec, exit: p's POSIX timers (all, or one) are gone; a pending signal stays. */
  deletePosixTimers(p: Process, only?: PosixTimer): void {
    for (const t of only === undefined ? [...p.posixTimers.values()] : [only]) {
      t.deleted = true;
      t.at = null;
      p.posixTimers.delete(t.id);
      this.rescheduleTimer(t);
    }
  }

  /** p's ITIMER_VIRTUAL and ITIMER_PROF count its instructions: send what expired. */
  private fireCpuTimers(p: Process): void {
    const now = BigInt(p.cpu.instret);
    for (const [which, sig] of [[ITIMER_VIRTUAL, SIGVTALRM], [ITIMER_PROF, SIGPROF]]) {
      const t = p.itimers[which];
      if (t.at === null || t.at > now) continue;
      rearm(t, now);
      this.timerSignal(p, sig);
    }
    for (const t of p.posixTimers.values()) {
      const at = t.cpu ? firesAt(t) : null;
      if (at !== null && at <= now) this.firePosixTimer(t);
    }
    p.cpuTimerAt = cpuTimerDue(p);
  }

  /** A timer's signal, from the kernel as Linux sends it (SI_KERNEL); true if it changed p. */
  private timerSignal(p: Process, sig: number): boolean {
    const [pending, state] = [p.pending, p.state];
    sendSignal(this, p, sig, { code: SI_KERNEL, pid: 0 });
    return p.pending !== pending || p.state !== state;
  }

  /** Set one of p's interval timers (at: expiry on its clock, null: disarm). */
  setItimer(p: Process, which: number, at: bigint | null, interval: bigint): void {
    p.itimers[which] = { at, interval };
    if (which === ITIMER_REAL) this.realTimers.update(p);
    else p.cpuTimerAt = cpuTimerDue(p);
  }

  /** An exiting process's timers end with it (nothing to do, on every exit, when none is armed). */
  disarmTimers(p: Process): void {
    if (p.posixTimers.size > 0) this.deletePosixTimers(p);
    if (p.itimers[ITIMER_REAL].at === null && p.cpuTimerAt === Infinity) return;
    for (const which of [ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF]) this.setItimer(p, which, null, 0n);
  }

  /** Nothing can run: move virtual time to the next timeout and fire it. False if there is none. */
  skipToNextDeadline(): boolean {
    const d = this.nextDeadline();
    if (d === NO_DEADLINE) return false;
    if (d > this.timeNs) this.timeNs = d;
    return this.fireTimers() > 0;
  }

  // ---- signals and death ------------------------------------------------------------------

  sendSignal(target: Process, sig: number, info: SendInfo): number {
    return sendSignal(this, target, sig, info);
  }

  /** Terminate p with a wait status (exit: code << 8; killed: the signal number). */
  terminate(p: Process, waitStatus: number): void {
    terminate(this, p, waitStatus);
  }
}
