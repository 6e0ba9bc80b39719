// /proc and /sys: the views of the kernel the guest can read. Every file is generated when
// it is looked up (open reads that snapshot) from kernel state only: virtual time, the
// process table, the address space, never the host. Formats follow Linux (fs/proc/array.c,
// task_mmu.c, meminfo.c, stat.c, arch/riscv/kernel/cpu.c).
//
// /proc/<pid>: auxv, cgroup, cmdline, comm, environ, exe, cwd, root, fd/ (pipes reopen: see fdLink), fdinfo/, stat, status,
//   maps, mounts, mountinfo; /proc/self -> <pid>.
// /proc: cpuinfo, meminfo, stat, uptime, loadavg, version, filesystems, mounts -> self/mounts,
//   sys/vm/overcommit_memory, sys/kernel/{pid_max,ostype,osrelease,hostname}.
// /sys/devices/system/cpu: online, possible, present, cpu0/.

import { PAGE_SIZE } from '../emu/memory.ts';
import { STACK_SIZE, STACK_TOP } from '../emu/stack.ts';
import { concat } from './console.ts';
import type { OpenFile } from './fd.ts';
import { InodeBackend, realPath, StdioBackend } from './files.ts';
import { major, minor, O_PATH, S_IFIFO, S_IFMT, S_IFSOCK } from './fs/flags.ts';
import { type Inode, SpecialInode } from './fs/inode.ts';
import { MOUNTS, PIPE_DEV, PROC_DEV, SYS_DEV, procMounts, procMountinfo } from './fs/mounts.ts';
import type { SyntheticDir, SyntheticNode } from './fs/synthetic.ts';
import { EPOCH_SEC, type Kernel } from './kernel.ts';
import { PipeEnd, reopenPipe } from './pipe.ts';
import { NSIG, type Process, SIG_DFL, SIG_IGN } from './process.ts';
import { limitOf, RLIMIT_SIGPENDING } from './rlimits.ts';
import { clockTicks, cpuTimeNs } from './accounting.ts';
import { TRAMPOLINE } from './signal-frame.ts';
import { SCHED_FIFO, SCHED_RR } from './syscalls/sched.ts';

const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const file = (s: string, mode?: number): SyntheticNode => ({ kind: 'file', content: latin1(s), mode });

/** A directory of fixed entries, each made when looked up. */
function staticDir(entries: Record<string, () => SyntheticNode>): SyntheticDir {
  return {
    list: () => Object.keys(entries),
    lookup: (name) => (Object.hasOwn(entries, name) ? entries[name]() : undefined),
  };
}

// ---- the system --------------------------------------------------------------------------

/** What sysinfo reports: 4 GiB of RAM, half of it free. */
export const MEM_TOTAL_KB = 4 << 20;
export const MEM_FREE_KB = 2 << 20;
/** Linux's USER_HZ: clock ticks of /proc/stat and /proc/<pid>/stat. */
const HZ = 100;
const NS_PER_TICK = 1e9 / HZ;
/** Root's capabilities: all 41 of Linux 6.x (CAP_LAST_CAP = 40). */
export const CAP_FULL = (1n << 41n) - 1n;
export const ISA = 'rv64imafdc_zicsr_zifencei';
const KERNEL_RELEASE = '6.1.0-procsim';

function cpuinfo(): string {
  return (
    'processor\t: 0\nhart\t\t: 0\n' +
    `isa\t\t: ${ISA}\nmmu\t\t: sv39\nmvendorid\t: 0x0\nmarchid\t\t: 0x0\nmimpid\t\t: 0x0\nhart isa\t: ${ISA}\n\n`
  );
}

function meminfo(): string {
  const rows: [string, number][] = [
    ['MemTotal', MEM_TOTAL_KB], ['MemFree', MEM_FREE_KB], ['MemAvailable', MEM_FREE_KB], ['Buffers', 0],
    ['Cached', 0], ['SwapCached', 0], ['Active', 0], ['Inactive', 0], ['Active(anon)', 0], ['Inactive(anon)', 0],
    ['Active(file)', 0], ['Inactive(file)', 0], ['Unevictable', 0], ['Mlocked', 0], ['SwapTotal', 0],
    ['SwapFree', 0], ['Dirty', 0], ['Writeback', 0], ['AnonPages', 0], ['Mapped', 0], ['Shmem', 0],
    ['KReclaimable', 0], ['Slab', 0], ['SReclaimable', 0], ['SUnreclaim', 0], ['KernelStack', 0],
    ['PageTables', 0], ['NFS_Unstable', 0], ['Bounce', 0], ['WritebackTmp', 0], ['CommitLimit', MEM_TOTAL_KB / 2],
    ['Committed_AS', 0], ['VmallocTotal', 67108863], ['VmallocUsed', 0], ['VmallocChunk', 0], ['Percpu', 0],
    ['HugePages_Total', -1], ['HugePages_Free', -1], ['HugePages_Rsvd', -1], ['HugePages_Surp', -1], ['Hugepagesize', 2048],
    ['Hugetlb', 0],
  ];
  return rows
    .map(([k, v]) => (v < 0 ? `${(k + ':').padEnd(16)}${'0'.padStart(6)}\n` : `${(k + ':').padEnd(16)}${String(v).padStart(8)} kB\n`))
    .join('');
}

function ticks(ns: number): number {
  return Math.floor(ns / NS_PER_TICK);
}

function procStat(k: Kernel): string {
  const user = ticks(k.instructions);
  const idle = ticks(Math.max(0, k.nowNs - k.instructions));
  const cpu = `${user} 0 0 ${idle} 0 0 0 0 0 0`;
  const running = [...k.procs.values()].filter((q) => q.state === 'running').length;
  const blocked = 0; // D state (uninterruptible disk waits) does not exist here
  return (
    `cpu  ${cpu}\ncpu0 ${cpu}\nintr 0\nctxt 0\nbtime ${EPOCH_SEC}\nprocesses ${k.procs.size}\n` +
    `procs_running ${running}\nprocs_blocked ${blocked}\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n`
  );
}

function centis(ns: number): string {
  const cs = Math.floor(ns / 1e7);
  return `${Math.floor(cs / 100)}.${String(cs % 100).padStart(2, '0')}`;
}

function uptime(k: Kernel): string {
  return `${centis(k.nowNs)} ${centis(Math.max(0, k.nowNs - k.instructions))}\n`;
}

function loadavg(k: Kernel): string {
  const live = [...k.procs.values()].filter((q) => q.alive);
  const running = live.filter((q) => q.state === 'running').length;
  const last = Math.max(0, ...k.procs.keys());
  return `0.00 0.00 0.00 ${running}/${live.length} ${last}\n`;
}

const FILESYSTEMS = ['nodev\tsysfs', 'nodev\ttmpfs', 'nodev\tbdev', 'nodev\tproc', 'nodev\tcgroup2', 'nodev\tdevtmpfs',
  'nodev\tsockfs', 'nodev\tpipefs', 'nodev\tramfs', 'nodev\tdevpts', 'nodev\tmqueue', '\text4', 'nodev\toverlay'];

// ---- one process -------------------------------------------------------------------------

/** Linux's task state letter and name. */
function taskState(p: Process): [string, string] {
  switch (p.state) {
    case 'running':
      return ['R', 'running'];
    case 'blocked':
      return ['S', 'sleeping'];
    case 'stopped':
      return ['T', 'stopped'];
    default:
      return ['Z', 'zombie'];
  }
}

const hex16 = (v: bigint): string => v.toString(16).padStart(16, '0');

/** Signal sets of a process: ignored and caught dispositions as masks (bit sig-1). */
function dispositions(p: Process): { ign: bigint; cgt: bigint } {
  let ign = 0n;
  let cgt = 0n;
  for (let sig = 1; sig <= NSIG; sig++) {
    const h = p.actions[sig].handler;
    if (h === SIG_IGN) ign |= 1n << BigInt(sig - 1);
    else if (h !== SIG_DFL) cgt |= 1n << BigInt(sig - 1);
  }
  return { ign, cgt };
}

/** Page-aligned up. */
const pageUp = (n: number): number => Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;

export interface MapRegion {
  start: number;
  end: number;
  prot: number;
  /** A file's path, [heap], [stack], [vdso], or '' (anonymous). */
  name: string;
  /** For a file: the file offset of start, its device and inode. */
  offset: number;
  dev: number;
  ino: number;
  shared: boolean;
}

/**
 * The address space as Linux's VMAs would show it: runs of mapped pages with one protection,
 * split where a file mapping, the heap and the stack begin and end; a file mapping is named
 * by its path (p.mappings), the rest [heap], [stack], [vdso] (the signal trampoline) or
 * nothing.
 */
export function memoryRegions(p: Process): MapRegion[] {
  const heapStart = pageUp(p.brkStart);
  const heapEnd = pageUp(p.brk);
  const stackLo = STACK_TOP - STACK_SIZE;
  const fixedCuts = [heapStart, heapEnd, stackLo, STACK_TOP, TRAMPOLINE, TRAMPOLINE + PAGE_SIZE];
  const special = (a: number): string =>
    a >= heapStart && a < heapEnd ? '[heap]' : a >= stackLo && a < STACK_TOP ? '[stack]' : a >= TRAMPOLINE && a < TRAMPOLINE + PAGE_SIZE ? '[vdso]' : '';
  const out: MapRegion[] = [];
  for (const [first, end, prot] of p.mem.regions()) {
    let start = first * PAGE_SIZE;
    const stop = end * PAGE_SIZE;
    const files = p.mappings.overlapping(start, stop);
    const cuts = [...fixedCuts, ...files.flatMap((m) => [m.start, m.end])].filter((c) => c > start && c < stop).sort((a, b) => a - b);
    for (const cut of [...new Set(cuts), stop]) {
      const file = files.find((m) => m.start <= start && m.end > start);
      out.push(
        file === undefined
          ? { start, end: cut, prot, name: special(start), offset: 0, dev: 0, ino: 0, shared: false }
          : { start, end: cut, prot, name: file.path, offset: file.offset + (start - file.start), dev: file.dev, ino: file.ino, shared: file.shared },
      );
      start = cut;
    }
  }
  return out;
}

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');
const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** /proc/<pid>/maps (show_map_vma: the name starts in column 74). */
export function procMaps(p: Process): string {
  return memoryRegions(p)
    .map((r) => {
      const perms = `${r.prot & 1 ? 'r' : '-'}${r.prot & 2 ? 'w' : '-'}${r.prot & 4 ? 'x' : '-'}${r.shared ? 's' : 'p'}`;
      const head = `${hex8(r.start)}-${hex8(r.end)} ${perms} ${hex8(r.offset)} ${hex2(major(r.dev))}:${hex2(minor(r.dev))} ${r.ino} `;
      return r.name === '' ? `${head}\n` : `${head.padEnd(73)}${r.name}\n`;
    })
    .join('');
}

function vmStats(p: Process): { size: number; rss: number; heap: number; stack: number } {
  const kb = (bytes: number) => Math.floor(bytes / 1024);
  let stack = 0;
  for (const r of memoryRegions(p)) if (r.name === '[stack]') stack += r.end - r.start;
  return {
    size: kb(p.mem.mappedPages * PAGE_SIZE),
    rss: kb(p.mem.touchedPages() * PAGE_SIZE),
    heap: kb(Math.max(0, pageUp(p.brk) - pageUp(p.brkStart))),
    stack: kb(stack),
  };
}

/** /proc/<pid>/status, with the fields of Linux 6.1's proc_pid_status, in its order. */
export function procStatus(k: Kernel, p: Process): string {
  const [st, stName] = taskState(p);
  const alive = p.state !== 'zombie';
  const { ign, cgt } = dispositions(p);
  const vm = alive ? vmStats(p) : null;
  const kb = (v: number) => `${String(v).padStart(8)} kB`;
  const lines = [
    `Name:\t${p.comm}`,
    `Umask:\t${p.umask.toString(8).padStart(4, '0')}`,
    `State:\t${st} (${stName})`,
    `Tgid:\t${p.pid}`,
    'Ngid:\t0',
    `Pid:\t${p.pid}`,
    `PPid:\t${p.ppid}`,
    'TracerPid:\t0',
    'Uid:\t0\t0\t0\t0',
    'Gid:\t0\t0\t0\t0',
    `FDSize:\t${alive ? p.fds.tableSize() : 0}`,
    'Groups:\t0 ',
    `NStgid:\t${p.pid}`,
    `NSpid:\t${p.pid}`,
    `NSpgid:\t${p.pgid}`,
    `NSsid:\t${p.sid}`,
  ];
  if (vm !== null) {
    lines.push(
      `VmPeak:\t${kb(vm.size)}`, `VmSize:\t${kb(vm.size)}`, `VmLck:\t${kb(0)}`, `VmPin:\t${kb(0)}`,
      `VmHWM:\t${kb(vm.rss)}`, `VmRSS:\t${kb(vm.rss)}`, `RssAnon:\t${kb(vm.rss)}`, `RssFile:\t${kb(0)}`,
      `RssShmem:\t${kb(0)}`, `VmData:\t${kb(vm.heap)}`, `VmStk:\t${kb(vm.stack)}`, `VmExe:\t${kb(0)}`,
      `VmLib:\t${kb(0)}`, `VmPTE:\t${kb(0)}`, `VmSwap:\t${kb(0)}`, `HugetlbPages:\t${kb(0)}`,
      'CoreDumping:\t0', 'THP_enabled:\t1',
    );
  }
  lines.push(
    `Threads:\t${alive ? 1 : 0}`,
    // Linux: the signals queued for the user (every process is root here), of the soft limit.
    `SigQ:\t${k.sigqueued}/${limitOf(p, RLIMIT_SIGPENDING)[0]}`,
    `SigPnd:\t${hex16(p.threadPending)}`,
    `ShdPnd:\t${hex16(p.sharedPending)}`,
    `SigBlk:\t${hex16(p.sigmask)}`,
    `SigIgn:\t${hex16(ign)}`,
    `SigCgt:\t${hex16(cgt)}`,
    `CapInh:\t${hex16(0n)}`,
    `CapPrm:\t${hex16(CAP_FULL)}`,
    `CapEff:\t${hex16(CAP_FULL)}`,
    `CapBnd:\t${hex16(CAP_FULL)}`,
    `CapAmb:\t${hex16(0n)}`,
    'NoNewPrivs:\t0',
    'Seccomp:\t0',
    'Seccomp_filters:\t0',
    'Speculation_Store_Bypass:\tunknown',
    'SpeculationIndirectBranch:\tunsupported',
    'Cpus_allowed:\t1',
    'Cpus_allowed_list:\t0',
    'Mems_allowed:\t1',
    'Mems_allowed_list:\t0',
    'voluntary_ctxt_switches:\t0',
    'nonvoluntary_ctxt_switches:\t0',
  );
  return lines.join('\n') + '\n';
}

/** /proc/<pid>/stat: the 52 fields of do_task_stat. */
export function procPidStat(p: Process): string {
  const [st] = taskState(p);
  const alive = p.state !== 'zombie';
  const { ign, cgt } = dispositions(p);
  const [utime, cutime, cstime] = [cpuTimeNs(p), p.childUsage.utime, p.childUsage.stime].map(clockTicks);
  const vsize = alive ? p.mem.mappedPages * PAGE_SIZE : 0;
  const rss = alive ? p.mem.touchedPages() : 0;
  const low = (v: bigint) => String(v & 0xffffffffn); // the legacy signal fields: 32 bits
  const exitCode = p.state === 'zombie' ? p.waitStatus : 0;
  // task_prio: 20 + nice for a fair task, -1 - rt_priority under FIFO/RR.
  const prio = p.policy === SCHED_FIFO || p.policy === SCHED_RR ? -1 - p.rtPriority : 20 + p.nice;
  const f = [
    p.pid, `(${p.comm})`, st, p.ppid, p.pgid, p.sid, 0, -1, 0x400000, 0, 0, 0, 0, utime, 0, cutime, cstime, prio, p.nice, alive ? 1 : 0, 0,
    0, vsize, rss, '18446744073709551615', 0, 0, 0, 0, 0, low(p.threadPending), low(p.sigmask),
    low(ign), low(cgt), 0, 0, 0, p.exitSignal, 0, p.rtPriority, p.policy, 0, 0, 0, 0, 0, pageUp(p.brkStart), 0, 0, 0, 0, exitCode,
  ];
  return f.join(' ') + '\n';
}

/**
 * What /proc/<pid>/fd/N links to, and for a pipe (or the pipe-like host stdio) the inode
 * that opening the link reaches: opening it gives a new description of the same pipe, for
 * reading or writing as the open asks (fifo_open on pipefs never waits for a partner).
 */
function fdLink(k: Kernel, p: Process, file: OpenFile): SyntheticNode {
  const be = file.backend;
  if (be instanceof InodeBackend) return { kind: 'symlink', target: fdPath(k, p, file, be.inode), jump: be.inode };
  const st = be.stat();
  if (be instanceof PipeEnd || be instanceof StdioBackend) {
    const name = be instanceof PipeEnd ? `pipe:[${be.pipe.ino}]` : file.path;
    const inode = new SpecialInode(PIPE_DEV, st.ino, S_IFIFO | 0o600, st.mtime);
    inode.reopen = (flags: number) => ({
      backend: be instanceof PipeEnd ? reopenPipe(be.pipe, flags & 3) : be,
      name,
    });
    return { kind: 'symlink', target: name, jump: inode };
  }
  const type = st.mode & S_IFMT;
  const jump = type === S_IFSOCK || type === S_IFIFO ? new SpecialInode(st.dev, st.ino, st.mode, st.mtime) : undefined;
  return { kind: 'symlink', target: file.path, jump };
}

/** The path /proc/<pid>/fd/N shows for a file opened by path: where it is now, as d_path. */
export function fdPath(k: Kernel, p: Process, file: OpenFile, inode: Inode): string {
  try {
    if (inode.kind === 'dir') return k.fs.pathOf(inode);
    const path = file.origin === null ? file.path : realPath(k.fs, file.origin.base, file.origin.path, p);
    return inode.nlink === 0 ? `${path} (deleted)` : path;
  } catch {
    return file.path; // its directory is gone
  }
}

/** proc_fd_instantiate: r and x for a readable description, w and x for a writable one. */
function fdLinkMode(flags: number): number {
  if (flags & O_PATH) return 0;
  const acc = flags & 3;
  return (acc !== 1 ? 0o500 : 0) | (acc !== 0 ? 0o300 : 0);
}

function fdDir(k: Kernel, p: Process): SyntheticDir {
  return {
    list: () => p.fds.open().map(String),
    lookup(name): SyntheticNode | undefined {
      if (!/^\d+$/.test(name)) return undefined;
      const e = p.fds.get(Number(name));
      return e === undefined ? undefined : { ...fdLink(k, p, e.file), mode: fdLinkMode(e.file.flags) } as SyntheticNode;
    },
  };
}

function fdinfoDir(p: Process): SyntheticDir {
  return {
    list: () => p.fds.open().map(String),
    lookup(name): SyntheticNode | undefined {
      if (!/^\d+$/.test(name)) return undefined;
      const e = p.fds.get(Number(name));
      if (e === undefined) return undefined;
      const flags = e.file.flags | (e.cloexec ? 0o2000000 : 0);
      return file(`pos:\t${e.file.offset}\nflags:\t0${flags.toString(8)}\nmnt_id:\t${MOUNTS[0].id}\nino:\t${e.file.backend.stat().ino}\n`);
    },
  };
}

/**
 * The strings exec put on the stack, each read where it was put, as the process's memory
 * holds it now (Linux reads cmdline and environ from the process too, so a program that
 * rewrites its argv in place shows the new text), each ending in its NUL. Gone with the
 * memory: a zombie's, or a string whose page was unmapped, reads as nothing.
 */
function stackStrings(p: Process, spans: readonly [number, number][]): Uint8Array {
  if (p.state === 'zombie') return new Uint8Array(0);
  return concat(
    spans.map(([at, len]) => {
      try {
        return p.mem.peek(at, len + 1);
      } catch {
        return new Uint8Array(0);
      }
    }),
  );
}

function pidDir(k: Kernel, p: Process): SyntheticDir {
  const entries: Record<string, () => SyntheticNode> = {
    // The auxiliary vector as exec built it (Linux keeps a copy: rewriting the stack does not change it).
    auxv: () => ({ kind: 'file', content: p.state === 'zombie' ? new Uint8Array(0) : p.startup.auxv, mode: 0o400 }),
    cmdline: () => ({ kind: 'file', content: stackStrings(p, p.startup.argv) }),
    environ: () => ({ kind: 'file', content: stackStrings(p, p.startup.envp), mode: 0o400 }),
    // One cgroup v2 hierarchy, the process at its root (as in a container's namespace).
    cgroup: () => file('0::/\n'),
    comm: () => file(p.comm + '\n', 0o644),
    cwd: () => ({ kind: 'symlink', target: k.fs.pathOf(p.cwd), jump: p.cwd }),
    exe: () => {
      let jump;
      try {
        jump = k.fs.resolve(k.fs.root, p.exe, true, p);
      } catch {
        jump = undefined; // the executable was removed: the link still reads
      }
      return { kind: 'symlink', target: p.exe, jump };
    },
    fd: () => ({ kind: 'dir', dir: fdDir(k, p), mode: 0o500 }),
    fdinfo: () => ({ kind: 'dir', dir: fdinfoDir(p), mode: 0o555 }),
    maps: () => file(p.state === 'zombie' ? '' : procMaps(p)),
    mountinfo: () => file(procMountinfo()),
    mounts: () => file(procMounts()),
    root: () => ({ kind: 'symlink', target: '/', jump: k.fs.root }),
    stat: () => file(procPidStat(p)),
    status: () => file(procStatus(k, p)),
  };
  return staticDir(entries);
}

function sysDir(): SyntheticDir {
  return staticDir({
    vm: () => ({ kind: 'dir', dir: staticDir({ overcommit_memory: () => file('0\n', 0o644) }) }),
    kernel: () => ({
      kind: 'dir',
      dir: staticDir({
        hostname: () => file('procsim\n', 0o644),
        ngroups_max: () => file('65536\n'),
        osrelease: () => file(`${KERNEL_RELEASE}\n`),
        ostype: () => file('Linux\n'),
        pid_max: () => file('32768\n', 0o644),
      }),
    }),
  });
}

export function mountProc(k: Kernel): void {
  const live = (): Process[] => [...k.procs.values()].filter((q) => q.state !== 'reaped');
  const top: Record<string, () => SyntheticNode> = {
    cpuinfo: () => file(cpuinfo()),
    filesystems: () => file(FILESYSTEMS.join('\n') + '\n'),
    loadavg: () => file(loadavg(k)),
    meminfo: () => file(meminfo()),
    mounts: () => ({ kind: 'symlink', target: 'self/mounts' }),
    stat: () => file(procStat(k)),
    sys: () => ({ kind: 'dir', dir: sysDir() }),
    uptime: () => file(uptime(k)),
    version: () => file(`Linux version ${KERNEL_RELEASE} (procsim) #1 SMP PREEMPT procsim\n`),
  };
  const root: SyntheticDir = {
    list: () => ['self', ...Object.keys(top), ...live().map((q) => String(q.pid))],
    lookup(name, ctx): SyntheticNode | undefined {
      if (name === 'self') return { kind: 'symlink', target: String((ctx as Process).pid) };
      if (Object.hasOwn(top, name)) return top[name]();
      if (!/^\d+$/.test(name)) return undefined;
      const q = k.procs.get(Number(name));
      if (q === undefined || q.state === 'reaped') return undefined;
      return { kind: 'dir', dir: pidDir(k, q) };
    },
  };
  k.fs.mountSynthetic('/proc', root, PROC_DEV);
  mountSys(k);
}

/** /sys with the CPU topology glibc and libuv read: one CPU, number 0. */
function mountSys(k: Kernel): void {
  const cpu = staticDir({
    cpu0: () => ({ kind: 'dir', dir: staticDir({ online: () => file('1\n', 0o644) }) }),
    kernel_max: () => file('0\n'),
    offline: () => file('\n'),
    online: () => file('0\n'),
    possible: () => file('0\n'),
    present: () => file('0\n'),
  });
  const dir = (d: SyntheticDir): SyntheticNode => ({ kind: 'dir', dir: d });
  const root = staticDir({
    devices: () => dir(staticDir({ system: () => dir(staticDir({ cpu: () => dir(cpu) })) })),
    fs: () => dir(staticDir({})),
    kernel: () => dir(staticDir({})),
  });
  try {
    k.fs.mountSynthetic('/sys', root, SYS_DEV);
  } catch {
    // A rootfs with files under /sys keeps them (mounting would hide them): no sysfs then.
  }
}
