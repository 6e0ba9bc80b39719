// The footprint of a process's pending step: which shared kernel resources the step reads
// or changes, read off the kernel state just before the step. Exhaustive search uses it to
// tell steps of different processes that commute (independent) from those whose order can
// matter (dependent). Only dfs asks for footprints, lazily, so other strategies pay nothing.
//
// Access modes: r (read), a (a commutative update: two a's commute, as two children's exits
// or two closes of one pipe do), w (write). Two accesses to one resource conflict unless both
// are r or both are a. A step that does something this module cannot bound (an unknown
// syscall, time, exec, job control, a pending signal, a kernel variant other than the
// reference) is global: dependent with every other step.
//
// Deliberately not counted: the virtual clock that stat timestamps carry (every step moves
// it, so counting it would make every fstat global) and the order of process events in the
// event ring (a host's log, not kernel state a guest can observe).

import { readSyscallArgs, type Kernel } from '../process/kernel.ts';
import type { OpenFile } from '../process/fd.ts';
import { InodeBackend, StdioBackend, guestPath } from '../process/files.ts';
import { AT_EMPTY_PATH, AT_FDCWD, F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_GETFL, F_SETFD, F_SETFL, O_CREAT, O_TMPFILE, O_TRUNC } from '../process/fs/flags.ts';
import { Pipe } from '../process/pipe.ts';
import { type Process, SIG_DFL, SIG_IGN } from '../process/process.ts';
import { SA_NOCLDWAIT } from '../process/signal-delivery.ts';
import { defaultAction, SIGCHLD, SIGCONT, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU, sigbit } from '../process/signals.ts';
import { SYS } from '../process/sysno.ts';
import { MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED_VALIDATE } from '../process/syscalls/mm.ts';

/** Access modes: read, commutative update, any other change. */
const R = 1;
const A = 2;
const W = 3;
const MODE_NAME = ['', 'r', 'a', 'w'];

/**
 * Kinds of resource. Per process (the object is the Process): its signal state and liveness,
 * its child-wait queue, the order of its children list (wait reports the first match in it;
 * a fork and an adoption both append), its parent link, whether it is a zombie. Per object: a pipe, an open file
 * description (offset, status flags). Per number: a process group. Singletons: the console
 * (stdout and stderr, which order each other's output), stdin, the filesystem, the pid
 * allocator and process table, the pipe inode counter, the seeded random stream.
 */
const SIG = 0;
const KIDS = 1;
const PARENT = 2;
const PIPE = 3;
const DESC = 4;
const GROUP = 5;
const CONSOLE = 6;
const STDIN = 7;
const FS = 8;
const PIDS = 9;
const PIPE_INO = 10;
const RNG = 11;
const KID_ORDER = 12;
const ZOMBIE = 13;
const KIND_NAME = ['sig', 'kids', 'parent', 'pipe', 'desc', 'group', 'console', 'stdin', 'fs', 'pids', 'pipe-ino', 'rng', 'kid-order', 'zombie'];

const STOP_OR_CONT = new Set([SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU, SIGCONT]);

/** clone flags a plain fork may carry (besides the exit signal): they only touch the two processes' own memory. */
const FORK_FLAGS = 0x80000 | 0x100000 | 0x200000 | 0x1000000; // SETTLS, PARENT_SETTID, CHILD_CLEARTID, CHILD_SETTID

export class Footprint {
  /** Why the step depends on every other step, or null when its accesses are listed. */
  globalReason: string | null = null;
  private readonly objs: unknown[] = [];
  private readonly kinds: number[] = [];
  private readonly modes: number[] = [];
  /** The syscall ends the process (exit, exit_group): its death is accounted for. */
  private ends = false;
  /** Children of the stepping process before a fork, to find the new one afterwards. */
  private forkedFrom = -1;
  private settled = false;

  constructor(
    /** The stepping process. */
    private readonly proc: Process,
  ) {}

  get global(): boolean {
    return this.globalReason !== null;
  }

  makeGlobal(why: string): void {
    if (this.globalReason === null) this.globalReason = why;
  }

  add(kind: number, obj: unknown, mode: number): void {
    for (let i = 0; i < this.kinds.length; i++) {
      if (this.kinds[i] === kind && this.objs[i] === obj) {
        // One access per resource: the stronger mode wins (a and r together act as w).
        const m = this.modes[i];
        this.modes[i] = m === mode ? m : W;
        return;
      }
    }
    this.kinds.push(kind);
    this.objs.push(obj);
    this.modes.push(mode);
  }

  /** Console writes as commutative appends: for searches whose outcomes ignore the order of output. */
  unorderConsole(): void {
    for (let i = 0; i < this.kinds.length; i++) if (this.kinds[i] === CONSOLE) this.modes[i] = A;
  }

  /** Could the order of this step and `o` (a step of another process) matter? */
  dependent(o: Footprint): boolean {
    if (this.globalReason !== null || o.globalReason !== null) return true;
    for (let i = 0; i < this.kinds.length; i++) {
      for (let j = 0; j < o.kinds.length; j++) {
        if (this.kinds[i] !== o.kinds[j] || this.objs[i] !== o.objs[j]) continue;
        const m = this.modes[i];
        if (m === W || m !== o.modes[j]) return true;
      }
    }
    return false;
  }

  /**
   * After the step ran: what it did beyond its syscall. The process died outside exit (a
   * fatal signal raised by the call, a fault in the instructions up to its next syscall) or
   * stopped, or a new child died before its first syscall: those deaths notify parents and
   * close fds, effects no syscall footprint lists, so the step becomes global.
   */
  settle(): void {
    if (this.settled) return;
    this.settled = true;
    const p = this.proc;
    if (p.state === 'stopped') this.makeGlobal('stopped');
    else if (!p.alive && !this.ends) this.makeGlobal('died outside exit');
    if (this.forkedFrom >= 0 && p.children.length > this.forkedFrom && !p.children[p.children.length - 1].alive) {
      this.makeGlobal('new child died at once');
    }
  }

  /** The accesses as text (`w console`, `r sig:42`, ...), or `global (why)`. */
  toString(): string {
    if (this.globalReason !== null) return `global (${this.globalReason})`;
    return this.kinds
      .map((k, i) => {
        const o = this.objs[i];
        const what = o === null ? '' : `:${o instanceof Pipe ? o.ino : typeof o === 'number' ? o : (o as { pid?: number }).pid ?? '?'}`;
        return `${MODE_NAME[this.modes[i]]} ${KIND_NAME[k]}${what}`;
      })
      .join(', ');
  }

  /** Mark the step as a fork (see settle). */
  forking(): void {
    this.forkedFrom = this.proc.children.length;
  }

  /** Mark the step as ending its process. */
  ending(): void {
    this.ends = true;
  }
}

const args = new Float64Array(6);

/** Footprint of the step p takes next (p is runnable, stopped at its syscall). */
export function stepFootprint(k: Kernel, p: Process): Footprint {
  const fp = new Footprint(p);
  if (k.variant.name !== 'reference') fp.makeGlobal(`kernel ${k.variant.name}`);
  else if (p.pending !== 0n) fp.makeGlobal('pending signal');
  else if (p.vforkParent !== null) fp.makeGlobal('vfork child');
  else {
    // Any step: a signal sent meanwhile could be delivered instead of the syscall.
    fp.add(SIG, p, R);
    readSyscallArgs(p, args);
    try {
      syscallFootprint(k, p, k.syscallNr(p), args, fp);
    } catch {
      // Arguments that cannot be read (a bad path pointer): do not guess.
      fp.makeGlobal('unreadable arguments');
    }
  }
  return fp;
}

function syscallFootprint(k: Kernel, p: Process, nr: number, a: Float64Array, fp: Footprint): void {
  const i32 = (v: number) => v | 0;
  switch (nr) {
    // ---- purely local: the process's own registers, memory, ids, limits -----------------
    case SYS.getpid:
    case SYS.gettid:
    case SYS.getuid:
    case SYS.geteuid:
    case SYS.getgid:
    case SYS.getegid:
    case SYS.getresuid:
    case SYS.getresgid:
    case SYS.getgroups:
    case SYS.set_tid_address:
    case SYS.set_robust_list:
    case SYS.rseq:
    case SYS.riscv_hwprobe:
    case SYS.umask:
    case SYS.uname:
    case SYS.getcwd:
    case SYS.brk:
    case SYS.munmap:
    case SYS.mprotect:
    case SYS.mremap:
    case SYS.madvise:
    case SYS.sched_yield:
    case SYS.sigaltstack:
    case SYS.getrlimit:
    case SYS.setrlimit:
    case SYS.clock_getres:
    case SYS.dup:
      return;
    case SYS.prlimit64:
      if (i32(a[0]) !== 0 && i32(a[0]) !== p.pid) fp.makeGlobal('prlimit64 of another process');
      return;
    case SYS.mmap: {
      const flags = i32(a[3]);
      if ((flags & MAP_SHARED_VALIDATE) !== MAP_PRIVATE) fp.makeGlobal('shared mapping');
      else if ((flags & MAP_ANONYMOUS) === 0) fdAccess(k, p, i32(a[4]), 'pread', fp);
      return;
    }

    // ---- signals ------------------------------------------------------------------------
    case SYS.rt_sigaction:
    case SYS.rt_sigprocmask:
    case SYS.rt_sigpending:
    case SYS.rt_sigsuspend:
    case SYS.rt_sigreturn:
      fp.add(SIG, p, W);
      return;
    case SYS.kill:
      return killFootprint(k, p, i32(a[0]), i32(a[1]), fp);
    case SYS.tkill:
      return targetSignal(k, i32(a[0]), i32(a[1]), fp);
    case SYS.tgkill:
      return targetSignal(k, i32(a[1]), i32(a[2]), fp);

    // ---- the process table --------------------------------------------------------------
    case SYS.getppid:
      fp.add(PARENT, p, R);
      return;
    case SYS.getpgid:
    case SYS.getsid: {
      // Groups and sessions change only by setpgid/setsid (global); others' entries may go.
      const pid = i32(a[0]);
      if (pid !== 0 && pid !== p.pid) lookup(k, pid, fp);
      return;
    }
    case SYS.clone: {
      const flags = a[0];
      if (flags < 0 || flags >= 2 ** 32 || ((flags | 0) & ~0xff & ~FORK_FLAGS) !== 0) {
        fp.makeGlobal('clone with sharing flags');
        return;
      }
      fp.forking();
      fp.add(PIDS, null, W); // pid allocation order and canonical names
      fp.add(KID_ORDER, p, W); // the new child's place in the children list
      fp.add(GROUP, p.pgid, A); // a new member for kill(-pgid)
      return;
    }
    case SYS.exit:
    case SYS.exit_group:
      return exitFootprint(k, p, fp);
    case SYS.wait4:
      return waitFootprint(p, wait4Match(p, i32(a[0])), i32(a[2]), true, fp);
    case SYS.waitid:
      return waitFootprint(p, waitidMatch(p, i32(a[0]), i32(a[1])), i32(a[3]), (i32(a[3]) & WEXITED) !== 0, fp);

    // ---- descriptors --------------------------------------------------------------------
    case SYS.pipe2:
      fp.add(PIPE_INO, null, W);
      return;
    case SYS.read:
    case SYS.readv:
    case SYS.getdents64:
      return fdAccess(k, p, i32(a[0]), 'read', fp);
    case SYS.write:
    case SYS.writev:
      return fdAccess(k, p, i32(a[0]), 'write', fp);
    case SYS.pread64:
      return fdAccess(k, p, i32(a[0]), 'pread', fp);
    case SYS.pwrite64:
    case SYS.ftruncate:
    case SYS.fchmod:
    case SYS.fchown:
      return fdAccess(k, p, i32(a[0]), 'pwrite', fp);
    case SYS.lseek:
      return fdAccess(k, p, i32(a[0]), 'seek', fp);
    case SYS.fstat:
    case SYS.ioctl:
    case SYS.fsync:
    case SYS.fdatasync:
    case SYS.fchdir:
      return fdAccess(k, p, i32(a[0]), 'meta', fp);
    case SYS.close:
      return fdAccess(k, p, i32(a[0]), 'close', fp);
    case SYS.dup3:
      if (i32(a[0]) !== i32(a[1])) fdAccess(k, p, i32(a[1]), 'close', fp);
      return;
    case SYS.fcntl: {
      const cmd = i32(a[1]);
      if (cmd === F_DUPFD || cmd === F_DUPFD_CLOEXEC || cmd === F_GETFD || cmd === F_SETFD) return;
      if (cmd === F_GETFL) return fdAccess(k, p, i32(a[0]), 'flags-r', fp);
      if (cmd === F_SETFL) return fdAccess(k, p, i32(a[0]), 'flags-w', fp);
      fp.makeGlobal('fcntl command');
      return;
    }
    case SYS.sync:
      fp.add(FS, null, R);
      return;

    // ---- paths --------------------------------------------------------------------------
    case SYS.openat:
      return pathAccess(k, p, i32(a[0]), a[1], (i32(a[2]) & (O_CREAT | O_TRUNC | O_TMPFILE)) !== 0, fp);
    case SYS.newfstatat:
      if ((i32(a[3]) & AT_EMPTY_PATH) !== 0 && guestPath(p, a[1]) === '') return fdAccess(k, p, i32(a[0]), 'meta', fp);
      return pathAccess(k, p, i32(a[0]), a[1], false, fp);
    case SYS.faccessat:
    case SYS.faccessat2:
    case SYS.readlinkat:
    case SYS.statx:
      return pathAccess(k, p, i32(a[0]), a[1], false, fp);
    case SYS.chdir:
      return pathAccess(k, p, AT_FDCWD, a[0], false, fp);
    case SYS.mkdirat:
    case SYS.unlinkat:
    case SYS.fchmodat:
    case SYS.fchownat:
    case SYS.utimensat:
      return pathAccess(k, p, i32(a[0]), a[1], true, fp);
    case SYS.renameat:
    case SYS.renameat2:
    case SYS.linkat:
      pathAccess(k, p, i32(a[0]), a[1], true, fp);
      return pathAccess(k, p, i32(a[2]), a[3], true, fp);
    case SYS.symlinkat:
      return pathAccess(k, p, i32(a[1]), a[2], true, fp);

    case SYS.getrandom:
      fp.add(RNG, null, W);
      return;

    default:
      // Time (every step moves the clock), exec, setpgid/setsid, prctl, futex, poll,
      // sendfile, clone3, and syscalls this kernel does not know.
      fp.makeGlobal(`syscall ${nr}`);
  }
}

/** Would sig be discarded on arrival at t (ignored and not blocked)? */
function discarded(t: Process, sig: number): boolean {
  if (t.sigmask & sigbit(sig)) return false;
  const h = t.actions[sig].handler;
  if (h === SIG_IGN) return true;
  return h === SIG_DFL && defaultAction(sig) === 'ignore';
}

/** Sending sig to t: reads its disposition when the signal is dropped, else changes its signal state. */
function signalAccess(t: Process, sig: number, fp: Footprint): void {
  if (sig < 0 || sig > 64) return; // EINVAL before anything is looked at
  if (STOP_OR_CONT.has(sig)) return fp.makeGlobal('job control signal');
  const drops = sig === 0 || !t.alive || discarded(t, sig);
  fp.add(SIG, t, drops ? R : W);
  if (!drops && waitsForChild(t)) fp.add(KIDS, t, W); // may wake it from its wait
}

/** p sleeps in wait4/waitid (its exits' footprints look at that). */
function waitsForChild(p: Process): boolean {
  return p.state === 'blocked' && p.waitingOn.includes(p.childWait);
}

/** Looking a pid up: its entry, or the table (a fork may create it). */
function lookup(k: Kernel, pid: number, fp: Footprint): Process | undefined {
  const t = k.procs.get(pid);
  if (t === undefined) fp.add(PIDS, null, R);
  else fp.add(SIG, t, R);
  return t;
}

function targetSignal(k: Kernel, pid: number, sig: number, fp: Footprint): void {
  const t = lookup(k, pid, fp);
  if (t !== undefined) signalAccess(t, sig, fp);
}

function killFootprint(k: Kernel, p: Process, pid: number, sig: number, fp: Footprint): void {
  if (pid > 0) return targetSignal(k, pid, sig, fp);
  if (pid === -1) return fp.makeGlobal('kill(-1)');
  const pgid = pid === 0 ? p.pgid : -pid;
  fp.add(GROUP, pgid, R);
  for (const q of k.procs.values()) if (q.pgid === pgid) signalAccess(q, sig, fp);
}

/** Nearest living subreaper ancestor, else pid 1 (as lifecycle.ts reaperFor). */
function reaperFor(k: Kernel, p: Process): Process | null {
  for (let a = p.parent; a !== null; a = a.parent) if (a.subreaper && a.alive) return a;
  const init = k.procs.get(1);
  return init !== undefined && init.alive && init !== p ? init : null;
}

/** A child c became a zombie under `parent`: its wakeup, its signal, an automatic reap. */
function notifyAccess(parent: Process, c: Process, exitSignal: number, fp: Footprint): void {
  if (!parent.alive) return;
  // Exits commute, unless the parent sleeps in a wait: the first one wakes it, and what its
  // wait then collects depends on which child that was.
  fp.add(KIDS, parent, waitsForChild(parent) ? W : A);
  if (exitSignal !== 0) signalAccess(parent, exitSignal, fp);
  const chld = parent.actions[SIGCHLD];
  if (exitSignal === SIGCHLD && (chld.handler === SIG_IGN || (chld.flags & SA_NOCLDWAIT) !== 0)) reapAccess(c, fp);
}

/** Reaping c: its entry goes (kill and lookups see it), its group and the table shrink. */
function reapAccess(c: Process, fp: Footprint): void {
  fp.add(SIG, c, W);
  fp.add(GROUP, c.pgid, A);
  fp.add(PIDS, null, A);
}

function exitFootprint(k: Kernel, p: Process, fp: Footprint): void {
  fp.ending();
  // The first process takes everything with it, and its exit ends the run.
  if (p.pid === 1) return fp.makeGlobal('exit of pid 1');
  if (p.children.some((c) => c.vforkParent === p)) return fp.makeGlobal('vfork parent exits');
  fp.add(SIG, p, W);
  fp.add(ZOMBIE, p, W);
  fp.add(PARENT, p, R);
  for (const fd of p.fds.open()) closeAccess(p.fds.get(fd)!.file, fp);
  if (p.parent !== null) notifyAccess(p.parent, p, p.exitSignal, fp);
  if (p.children.length === 0) return;
  fp.add(KIDS, p, W);
  const reaper = reaperFor(k, p);
  if (reaper !== null) fp.add(KID_ORDER, reaper, W); // the orphans join its children list
  for (const c of p.children) {
    fp.add(PARENT, c, W);
    if (reaper !== null && c.state === 'zombie') {
      fp.add(ZOMBIE, c, W); // the reaper may collect it now
      notifyAccess(reaper, c, SIGCHLD, fp);
    }
  }
}

type Match = ((c: Process) => boolean) | null;

/** wait4's pid selector (syscalls/wait.ts selector); null: no child can match (an early error). */
function wait4Match(p: Process, pid: number): Match {
  if (pid === -2147483648) return null;
  if (pid === -1) return () => true;
  if (pid > 0) return (c) => c.pid === pid;
  const pgid = pid === 0 ? p.pgid : -pid;
  return (c) => c.pgid === pgid;
}

/** waitid's (idtype, id) selector; null for an early error. */
function waitidMatch(p: Process, idtype: number, id: number): Match {
  if (idtype === 0) return () => true;
  if (idtype === 1) return id <= 0 ? null : (c) => c.pid === id;
  if (idtype === 2) {
    if (id < 0) return null;
    const pgid = id === 0 ? p.pgid : id;
    return (c) => c.pgid === pgid;
  }
  return null;
}

const WNOHANG = 1;
const WEXITED = 4;
const WALL = 0x40000000;
const WCLONE = 0x80000000 | 0;

/**
 * A wait looks at the matching children in list order up to the first zombie, which it
 * reaps; with none it blocks (unless WNOHANG), and then any child's exit wakes it. Groups
 * change only by setpgid/setsid (global), so a selector matches the same children until a
 * fork or an adoption changes the list.
 */
function waitFootprint(p: Process, match: Match, options: number, exited: boolean, fp: Footprint): void {
  if (match === null) return;
  fp.add(KID_ORDER, p, R);
  for (const c of p.children) {
    if (!match(c)) continue;
    // __WALL takes every child, __WCLONE only "clone" children (exit signal not SIGCHLD).
    if (!(options & WALL) && ((options & WCLONE) !== 0) !== (c.exitSignal !== SIGCHLD)) continue;
    if (c.jobChange !== null) return fp.makeGlobal('wait with a stop or continue to report');
    if (c.state === 'zombie' && exited) {
      fp.add(ZOMBIE, c, W);
      reapAccess(c, fp);
      return;
    }
    fp.add(ZOMBIE, c, R);
  }
  if (!(options & WNOHANG)) fp.add(KIDS, p, W);
}

type FdOp = 'read' | 'write' | 'pread' | 'pwrite' | 'seek' | 'meta' | 'close' | 'flags-r' | 'flags-w';

/** Closing one descriptor of a description: the last close of a pipe end wakes the other side. */
function closeAccess(f: OpenFile, fp: Footprint): void {
  const be = f.backend;
  if ('pipe' in be && be.pipe instanceof Pipe) fp.add(PIPE, be.pipe, A);
  else if (be.release !== undefined) fp.makeGlobal('close of a released backend');
}

function fdAccess(k: Kernel, p: Process, fd: number, op: FdOp, fp: Footprint): void {
  const e = p.fds.get(fd);
  if (e === undefined) return; // EBADF, nothing shared is looked at
  const f = e.file;
  const be = f.backend;
  if (op === 'flags-r' || op === 'flags-w') return fp.add(DESC, f, op === 'flags-r' ? R : W);
  if (op === 'close') return closeAccess(f, fp);
  if ('pipe' in be && be.pipe instanceof Pipe) {
    if (op === 'meta') return fp.add(PIPE, be.pipe, R);
    // EPIPE raises SIGPIPE, which may kill the writer: a death the footprint cannot list, and
    // which settle() sees only once the step has run, not while the step waits in a sleep set.
    if ((op === 'write' || op === 'pwrite') && be.pipe.readers === 0) return fp.makeGlobal('write to a pipe without readers');
    fp.add(PIPE, be.pipe, W);
    fp.add(DESC, f, R);
    return;
  }
  if (be instanceof StdioBackend) {
    if (op === 'read' || op === 'pread') fp.add(STDIN, null, W);
    else if (op === 'write' || op === 'pwrite') fp.add(CONSOLE, null, W);
    else return; // fstat, ioctl, lseek (ESPIPE): nothing shared changes
    fp.add(DESC, f, R);
    return;
  }
  if (be instanceof InodeBackend && be.inode.dev === k.fs.dev && be.inode.kind !== 'device') {
    switch (op) {
      case 'read':
      case 'seek':
        fp.add(FS, null, R);
        fp.add(DESC, f, W); // the shared offset
        return;
      case 'write':
        fp.add(FS, null, W);
        fp.add(DESC, f, W);
        return;
      case 'pread':
      case 'meta':
        fp.add(FS, null, R);
        return;
      case 'pwrite':
        fp.add(FS, null, W);
        return;
    }
  }
  fp.makeGlobal('device or /proc file');
}

/** A path argument: the filesystem, unless it names something outside the main one (/proc, /dev, /sys). */
function pathAccess(k: Kernel, p: Process, dirfd: number, addr: number, writes: boolean, fp: Footprint): void {
  const path = guestPath(p, addr);
  if (path.includes('proc') || path.startsWith('/dev') || path.startsWith('/sys')) return fp.makeGlobal('path outside the main filesystem');
  let base = p.cwd;
  if (dirfd !== AT_FDCWD && !path.startsWith('/')) {
    const be = p.fds.get(dirfd)?.file.backend;
    if (!(be instanceof InodeBackend) || be.inode.kind !== 'dir') return fp.add(FS, null, writes ? W : R); // ENOTDIR/EBADF
    base = be.inode;
  }
  if (base.dev !== k.fs.dev) return fp.makeGlobal('path outside the main filesystem');
  // The path is not resolved here: a lookup may seed a directory lazily (allocating inode
  // numbers), and a footprint must not change the run. A symlink from elsewhere into /proc
  // or to a device therefore counts as the filesystem.
  fp.add(FS, null, writes ? W : R);
}
