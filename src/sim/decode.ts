// Syscall arguments and results as trace values: paths and small buffers as strings, flags
// and signals by name, pids as canonical process names. Inputs are read before the step
// (execve replaces the memory they live in), outputs (read data, pipe fds, wait status)
// right after the syscall ran. Syscalls without a spec show their six raw arguments in hex.

import { MemFault } from '../emu/memory.ts';
import { concat } from '../process/console.ts';
import { errnoName } from '../process/errno.ts';
import type { Process } from '../process/process.ts';
import { sigbit, signalName } from '../process/signals.ts';
import { SYS, type SyscallName, syscallName } from '../process/sysno.ts';
import type { ProcNames } from './names.ts';

export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** Buffers up to this size appear whole; longer ones as length, head and hash. */
const SMALL = 64;
const HEAD = 32;
/** Strings of argv/envp shown, and characters of each. */
const MAX_STRINGS = 32;

const KINDS = [
  'int', 'long', 'hex', 'fd', 'dirfd', 'path', 'in', 'iov', 'out', 'oflags', 'mode', 'pid', 'sel',
  'sig', 'sigset', 'sigact', 'clone', 'waitopt', 'argv', 'fds', 'wstatus', 'ts', 'fcntl', 'how',
] as const;
type Kind = (typeof KINDS)[number];

interface Arg {
  name: string;
  kind: Kind;
  /** in: the argument holding the length; iov: the one holding the count. */
  len?: number;
}

interface Spec {
  args: Arg[];
  /** How the result reads: a number (default), a pid, an address; none for calls that do not return. */
  ret?: 'pid' | 'hex' | 'none';
}

/** Kinds named like the argument need no `:kind`; `in:N`/`iov:N` take their length from argument N. */
function spec(text: string, ret?: Spec['ret']): Spec {
  const args = text === '' ? [] : text.split(' ').map((tok): Arg => {
    const [name, kind = name, len] = tok.split(':');
    if (!(KINDS as readonly string[]).includes(kind)) throw new Error(`decode spec ${JSON.stringify(text)}: unknown kind ${kind}`);
    return { name, kind: kind as Kind, ...(len !== undefined ? { len: Number(len) } : {}) };
  });
  return { args, ...(ret !== undefined ? { ret } : {}) };
}

const SPECS: Partial<Record<SyscallName, Spec>> = {
  getcwd: spec('buf:out size:long'),
  dup: spec('fd'),
  dup3: spec('oldfd:fd newfd:fd flags:oflags'),
  fcntl: spec('fd cmd:fcntl arg:long'),
  ioctl: spec('fd req:hex arg:hex'),
  timer_create: spec('clock:int sevp:hex idp:hex'),
  timer_settime: spec('id:int flags:int new:hex old:hex'),
  timer_gettime: spec('id:int cur:hex'),
  timer_getoverrun: spec('id:int'),
  timer_delete: spec('id:int'),
  flock: spec('fd op:int'),
  mkdirat: spec('dirfd path mode'),
  unlinkat: spec('dirfd path flags:hex'),
  symlinkat: spec('target:path dirfd path'),
  linkat: spec('olddirfd:dirfd oldpath:path newdirfd:dirfd newpath:path flags:hex'),
  renameat: spec('olddirfd:dirfd oldpath:path newdirfd:dirfd newpath:path'),
  renameat2: spec('olddirfd:dirfd oldpath:path newdirfd:dirfd newpath:path flags:hex'),
  ftruncate: spec('fd length:long'),
  faccessat: spec('dirfd path mode:int'),
  faccessat2: spec('dirfd path mode:int flags:hex'),
  chdir: spec('path'),
  fchdir: spec('fd'),
  fchmod: spec('fd mode'),
  fchmodat: spec('dirfd path mode'),
  openat: spec('dirfd path flags:oflags mode'),
  close: spec('fd'),
  pipe2: spec('fds flags:oflags'),
  getdents64: spec('fd buf:hex count:long'),
  lseek: spec('fd offset:long whence:int'),
  read: spec('fd buf:out count:long'),
  write: spec('fd buf:in:2 count:long'),
  readv: spec('fd iov:hex iovcnt:int'),
  writev: spec('fd iov:iov:2 iovcnt:int'),
  pread64: spec('fd buf:out count:long offset:long'),
  pwrite64: spec('fd buf:in:2 count:long offset:long'),
  sendfile: spec('out_fd:fd in_fd:fd offset:hex count:long'),
  ppoll: spec('fds:hex nfds:int timeout:ts sigmask:sigset'),
  readlinkat: spec('dirfd path buf:out size:long'),
  newfstatat: spec('dirfd path statbuf:hex flags:hex'),
  fstat: spec('fd statbuf:hex'),
  statx: spec('dirfd path flags:hex mask:hex statxbuf:hex'),
  exit: spec('status:int', 'none'),
  exit_group: spec('status:int', 'none'),
  waitid: spec('idtype:int id:int infop:hex options:waitopt rusage:hex'),
  set_tid_address: spec('tidptr:hex', 'pid'),
  futex: spec('uaddr:hex op:int val:int timeout:hex uaddr2:hex val3:int'),
  set_robust_list: spec('head:hex len:long'),
  nanosleep: spec('req:ts rem:hex'),
  clock_nanosleep: spec('clock:int flags:int req:ts rem:hex'),
  clock_gettime: spec('clock:int tp:hex'),
  sched_yield: spec(''),
  kill: spec('pid:sel sig'),
  tkill: spec('tid:pid sig'),
  tgkill: spec('tgid:pid tid:pid sig'),
  rt_sigsuspend: spec('mask:sigset size:long'),
  rt_sigaction: spec('sig act:sigact oldact:hex size:long'),
  rt_sigprocmask: spec('how set:sigset oldset:hex size:long'),
  rt_sigreturn: spec(''),
  sigaltstack: spec('ss:hex old:hex'),
  setpgid: spec('pid pgid:pid'),
  getpgid: spec('pid', 'pid'),
  getsid: spec('pid', 'pid'),
  setsid: spec('', 'pid'),
  uname: spec('buf:hex'),
  getrlimit: spec('resource:int rlim:hex'),
  setrlimit: spec('resource:int rlim:hex'),
  umask: spec('mask:mode'),
  prctl: spec('option:int arg2:long arg3:long arg4:long arg5:long'),
  getuid: spec(''),
  geteuid: spec(''),
  getgid: spec(''),
  getegid: spec(''),
  getpid: spec('', 'pid'),
  getppid: spec('', 'pid'),
  gettid: spec('', 'pid'),
  brk: spec('addr:hex', 'hex'),
  munmap: spec('addr:hex length:long'),
  mremap: spec('old:hex oldlen:long newlen:long flags:hex new:hex', 'hex'),
  clone: spec('flags:clone stack:hex ptid:hex tls:hex ctid:hex', 'pid'),
  execve: spec('path argv envp:argv'),
  execveat: spec('dirfd path argv envp:argv flags:hex'),
  mmap: spec('addr:hex length:long prot:int flags:hex fd offset:long', 'hex'),
  mprotect: spec('addr:hex length:long prot:int'),
  wait4: spec('pid:sel wstatus options:waitopt rusage:hex', 'pid'),
  prlimit64: spec('pid resource:int new:hex old:hex'),
  getrandom: spec('buf:hex count:long flags:hex'),
  rseq: spec('rseq:hex len:long flags:hex sig:hex'),
};

const specs: (Spec | undefined)[] = [];
for (const [name, s] of Object.entries(SPECS)) specs[SYS[name as SyscallName]] = s;

// ---- values ------------------------------------------------------------------------------

const hex = (v: number): string => (v < 0 ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`);

/** Bytes as a string of latin1 characters (the trace writer keeps the file ASCII). */
const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');

function fnv1a(b: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** A buffer: whole when small, else its length, first bytes and hash. */
function bufferValue(b: Uint8Array): Json {
  if (b.length <= SMALL) return latin1(b);
  return { len: b.length, head: latin1(b.subarray(0, HEAD)), fnv1a: fnv1a(b) };
}

/** What `read` gets from guest memory, or a note of the bad address `addr` when it faults. */
function guarded<T>(addr: number, read: () => T): T | { fault: string } {
  try {
    return read();
  } catch (e) {
    if (e instanceof MemFault || e instanceof RangeError) return { fault: hex(addr) };
    throw e;
  }
}

const readMem = (p: Process, addr: number, len: number): Uint8Array | { fault: string } => guarded(addr, () => p.mem.read(addr, len));

function memValue(p: Process, addr: number, len: number): Json {
  if (addr === 0) return null;
  const b = readMem(p, addr, Math.max(0, Math.min(len, 1 << 24)));
  return b instanceof Uint8Array ? bufferValue(b) : b;
}

function cString(p: Process, addr: number): Json {
  if (addr === 0) return null;
  return guarded(addr, () => {
    const s = p.mem.readCString(addr, 4096);
    return s === null ? { fault: 'unterminated' } : latin1(s);
  });
}

function stringArray(p: Process, addr: number): Json {
  if (addr === 0) return null;
  return guarded(addr, () => {
    const out: Json[] = [];
    for (let i = 0; ; i++) {
      const ptr = Number(p.mem.readU64(addr + 8 * i));
      if (ptr === 0) return out;
      if (i === MAX_STRINGS) {
        out.push({ more: true });
        return out;
      }
      out.push(cString(p, ptr));
    }
  });
}

/** Named bits of v, in table order, and the rest in hex: "O_WRONLY|O_CREAT|0x80000000". */
function bits(v: number, table: readonly [string, number][], zero: string): string {
  const parts: string[] = [];
  let rest = v >>> 0;
  for (const [name, bit] of table) {
    if (bit !== 0 && (rest & bit) === bit) {
      parts.push(name);
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (rest !== 0) parts.push(hex(rest));
  return parts.length === 0 ? zero : parts.join('|');
}

const OPEN_BITS: [string, number][] = [
  ['O_CREAT', 0o100], ['O_EXCL', 0o200], ['O_NOCTTY', 0o400], ['O_TRUNC', 0o1000], ['O_APPEND', 0o2000],
  ['O_NONBLOCK', 0o4000], ['O_SYNC', 0o4010000], ['O_DSYNC', 0o10000], ['O_DIRECT', 0o40000], ['O_LARGEFILE', 0o100000],
  ['O_DIRECTORY', 0o200000], ['O_NOFOLLOW', 0o400000], ['O_NOATIME', 0o1000000], ['O_CLOEXEC', 0o2000000],
  ['O_PATH', 0o10000000], ['O_TMPFILE', 0o20200000],
];
const ACCMODE = ['O_RDONLY', 'O_WRONLY', 'O_RDWR', 'O_ACCMODE'];

function openFlags(v: number): string {
  const rest = bits(v & ~3, OPEN_BITS, '');
  return rest === '' ? ACCMODE[v & 3] : `${ACCMODE[v & 3]}|${rest}`;
}

const CLONE_BITS: [string, number][] = [
  ['CLONE_VM', 0x100], ['CLONE_FS', 0x200], ['CLONE_FILES', 0x400], ['CLONE_SIGHAND', 0x800], ['CLONE_PIDFD', 0x1000],
  ['CLONE_PTRACE', 0x2000], ['CLONE_VFORK', 0x4000], ['CLONE_PARENT', 0x8000], ['CLONE_THREAD', 0x10000],
  ['CLONE_NEWNS', 0x20000], ['CLONE_SYSVSEM', 0x40000], ['CLONE_SETTLS', 0x80000], ['CLONE_PARENT_SETTID', 0x100000],
  ['CLONE_CHILD_CLEARTID', 0x200000], ['CLONE_DETACHED', 0x400000], ['CLONE_UNTRACED', 0x800000],
  ['CLONE_CHILD_SETTID', 0x1000000],
];

function cloneFlags(v: number): string {
  const sig = v & 0xff;
  const rest = bits(v & ~0xff, CLONE_BITS, '');
  const s = sig === 0 ? '' : signalName(sig);
  return [rest, s].filter((x) => x !== '').join('|') || '0';
}

const WAIT_BITS: [string, number][] = [
  ['WNOHANG', 1], ['WUNTRACED', 2], ['WEXITED', 4], ['WCONTINUED', 8], ['WNOWAIT', 0x01000000],
  ['__WNOTHREAD', 0x20000000], ['__WALL', 0x40000000], ['__WCLONE', 0x80000000],
];

const FCNTL: Record<number, string> = {
  0: 'F_DUPFD', 1: 'F_GETFD', 2: 'F_SETFD', 3: 'F_GETFL', 4: 'F_SETFL', 5: 'F_GETLK', 6: 'F_SETLK', 7: 'F_SETLKW',
  36: 'F_OFD_GETLK', 37: 'F_OFD_SETLK', 38: 'F_OFD_SETLKW', 1030: 'F_DUPFD_CLOEXEC',
};
const HOW = ['SIG_BLOCK', 'SIG_UNBLOCK', 'SIG_SETMASK'];

const sigValue = (sig: number): Json => (sig === 0 ? 0 : signalName(sig));

function sigset(p: Process, addr: number): Json {
  if (addr === 0) return null;
  const b = readMem(p, addr, 8);
  if (!(b instanceof Uint8Array)) return b;
  return sigNames(new DataView(b.buffer).getBigUint64(0, true));
}

/** The signals of a sigset, by name, lowest first. */
export function sigNames(set: bigint): string[] {
  const out: string[] = [];
  for (let sig = 1; sig <= 64; sig++) if (set & sigbit(sig)) out.push(signalName(sig));
  return out;
}

/** A struct sigaction's handler: SIG_DFL, SIG_IGN, or "handler". */
function sigact(p: Process, addr: number): Json {
  if (addr === 0) return null;
  const b = readMem(p, addr, 8);
  if (!(b instanceof Uint8Array)) return b;
  const h = new DataView(b.buffer).getBigUint64(0, true);
  return h === 0n ? 'SIG_DFL' : h === 1n ? 'SIG_IGN' : 'handler';
}

function timespec(p: Process, addr: number): Json {
  if (addr === 0) return null;
  const b = readMem(p, addr, 16);
  if (!(b instanceof Uint8Array)) return b;
  const dv = new DataView(b.buffer);
  return { sec: Number(dv.getBigInt64(0, true)), nsec: Number(dv.getBigInt64(8, true)) };
}

/** A wait status (Linux encoding) in words. */
export function waitStatusText(s: number): string {
  const sig = s & 0x7f;
  if (sig === 0) return `exited ${(s >> 8) & 0xff}`;
  if (sig === 0x7f) return `stopped ${signalName((s >> 8) & 0xff)}`;
  return `killed ${signalName(sig)}${s & 0x80 ? ' (core)' : ''}`;
}

// ---- decoding a step ---------------------------------------------------------------------

export interface Decoded {
  sys: string;
  args: { [k: string]: Json } | Json[];
}

function pidValue(names: ProcNames, pid: number): Json {
  return pid > 0 ? (names.pidName(pid) ?? pid) : pid;
}

/** kill and wait4 selectors: a pid, 0 (own group), -1 (all), or -pgid (a group, named by its leader). */
function selector(names: ProcNames, v: number): Json {
  if (v < -1) {
    const leader = names.pidName(-v);
    return leader === undefined ? v : `-${leader}`;
  }
  return pidValue(names, v);
}

function argValue(arg: Arg, a: ArrayLike<number>, v: number, p: Process, names: ProcNames): Json | undefined {
  switch (arg.kind) {
    case 'int':
    case 'fd':
      return v | 0;
    case 'long':
      return v;
    case 'hex':
      return hex(v);
    case 'dirfd':
      return (v | 0) === -100 ? 'AT_FDCWD' : v | 0;
    case 'path':
      return cString(p, v);
    case 'in':
      return memValue(p, v, a[arg.len!]);
    case 'iov':
      return iovValue(p, v, a[arg.len!] | 0);
    case 'oflags':
      return openFlags(v);
    case 'mode':
      return `0${(v >>> 0).toString(8)}`;
    case 'pid':
      return pidValue(names, v | 0);
    case 'sel':
      return selector(names, v | 0);
    case 'sig':
      return sigValue(v | 0);
    case 'sigset':
      return sigset(p, v);
    case 'sigact':
      return sigact(p, v);
    case 'clone':
      return cloneFlags(v);
    case 'waitopt':
      return bits(v, WAIT_BITS, '0');
    case 'argv':
      return stringArray(p, v);
    case 'ts':
      return timespec(p, v);
    case 'fcntl':
      return FCNTL[v | 0] ?? v | 0;
    case 'how':
      return HOW[v | 0] ?? v | 0;
    case 'out':
    case 'fds':
    case 'wstatus':
      return undefined; // outputs: filled in after the call
  }
}

/** The data a writev would gather (up to 1024 vectors), as one buffer. */
function iovValue(p: Process, addr: number, count: number): Json {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < Math.min(Math.max(count, 0), 1024); i++) {
    const v = readMem(p, addr + 16 * i, 16);
    if (!(v instanceof Uint8Array)) return v;
    const dv = new DataView(v.buffer);
    const base = Number(dv.getBigUint64(0, true));
    const len = Number(dv.getBigUint64(8, true));
    const b = len === 0 ? new Uint8Array(0) : readMem(p, base, Math.min(len, 1 << 24));
    if (!(b instanceof Uint8Array)) return b;
    parts.push(b);
  }
  return bufferValue(concat(parts));
}

/** The syscall p is about to execute: its name and its decoded inputs. */
export function decodeCall(nr: number, a: ArrayLike<number>, p: Process, names: ProcNames): Decoded {
  const s = specs[nr];
  if (s === undefined) return { sys: syscallName(nr), args: Array.from({ length: 6 }, (_, i) => hex(a[i])) };
  const args: { [k: string]: Json } = {};
  s.args.forEach((arg, i) => {
    const v = argValue(arg, a, a[i], p, names);
    if (v !== undefined) args[arg.name] = v;
  });
  return { sys: syscallName(nr), args };
}

/**
 * The syscall's result into `line`: ret (or errno), and the outputs it wrote. Called right
 * after the handler ran, while p's memory holds them.
 */
export function decodeResult(nr: number, a: ArrayLike<number>, ret: number, p: Process, names: ProcNames, line: { [k: string]: Json }): void {
  const s = specs[nr];
  if (s?.ret === 'none') return;
  if (ret < 0 && ret >= -4095) {
    line.errno = errnoName(-ret) ?? -ret;
    return;
  }
  line.ret = s?.ret === 'pid' ? pidValue(names, ret) : s?.ret === 'hex' ? hex(ret) : ret;
  if (s === undefined) return;
  s.args.forEach((arg, i) => {
    if (arg.kind === 'out' && ret >= 0) line[arg.name] = memValue(p, a[i], ret);
    else if (arg.kind === 'fds' && ret === 0) {
      const b = readMem(p, a[i], 8);
      line.fds = b instanceof Uint8Array ? [new DataView(b.buffer).getInt32(0, true), new DataView(b.buffer).getInt32(4, true)] : b;
    } else if (arg.kind === 'wstatus' && ret > 0 && a[i] !== 0) {
      const b = readMem(p, a[i], 4);
      line.status = b instanceof Uint8Array ? waitStatusText(new DataView(b.buffer).getInt32(0, true)) : b;
    }
  });
}
