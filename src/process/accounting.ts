// CPU-time and resource accounting: what clock_gettime(CLOCK_PROCESS_CPUTIME_ID), times,
// getrusage, wait4's and waitid's rusage, SIGCHLD's siginfo and /proc/<pid>/stat report.
//
// A process's CPU time is the instructions it retired since it was created, one virtual
// nanosecond each (the virtual clock's own rate). All of it is user time: the kernel's work
// is not simulated, so system time is 0. A fork child starts at 0, as Linux zeroes a child's
// times; exec keeps them. When a wait reaps a child, the child's time and the totals of its
// own reaped children are added to the parent's children totals (Linux's wait_task_zombie);
// a child reaped without a wait (SIGCHLD ignored or SA_NOCLDWAIT) is not counted, as Linux
// (since 2.6.9) does not. ru_maxrss is the resident set in KiB when asked (at exit for a
// dead process: the pages it touched; Linux reports the high-water mark, which is at least
// that); the other rusage fields (faults, blocks, context switches) are 0.

import { PAGE_SIZE } from '../emu/memory.ts';
import type { Process } from './process.ts';

/** Linux's USER_HZ: the clock ticks of times(), SIGCHLD's si_utime and /proc/<pid>/stat. */
export const USER_HZ = 100;
const NS_PER_TICK = 1_000_000_000n / BigInt(USER_HZ);

/** Times (ns) and peak resident set (KiB) of a process, or of its reaped children. */
export interface Usage {
  utime: bigint;
  stime: bigint;
  maxrssKb: number;
}

export const noUsage = (): Usage => ({ utime: 0n, stime: 0n, maxrssKb: 0 });

/** p's CPU time in ns. */
export const cpuTimeNs = (p: Process): bigint => BigInt(p.cpu.instret - p.cpuStart);

/** ns as clock ticks (nsec_to_clock_t). */
export const clockTicks = (ns: bigint): bigint => ns / NS_PER_TICK;

const rssKb = (p: Process): number => (p.mem.touchedPages() * PAGE_SIZE) / 1024;

/** p's user and system time (ns). */
export const selfTimes = (p: Process): { utime: bigint; stime: bigint } => ({ utime: cpuTimeNs(p), stime: 0n });

/** c's user and system time in clock ticks: what SIGCHLD's siginfo carries of a child. */
export function childTicks(c: Process): { utime: bigint; stime: bigint } {
  const u = selfTimes(c);
  return { utime: clockTicks(u.utime), stime: clockTicks(u.stime) };
}

/** RUSAGE_SELF (and RUSAGE_THREAD: one thread per process). */
export function selfUsage(p: Process): Usage {
  return { ...selfTimes(p), maxrssKb: p.alive ? Math.max(p.maxrssKb, rssKb(p)) : p.maxrssKb };
}

/** The process and its reaped children together: what a wait reports of a child (RUSAGE_BOTH). */
export function bothUsage(p: Process): Usage {
  const s = selfUsage(p);
  const c = p.childUsage;
  return { utime: s.utime + c.utime, stime: s.stime + c.stime, maxrssKb: Math.max(s.maxrssKb, c.maxrssKb) };
}

/** An exiting process (a zombie already) keeps its resident set for its parent's accounts: its memory goes next. */
export function recordExit(p: Process): void {
  p.maxrssKb = Math.max(p.maxrssKb, rssKb(p));
}

/** A wait reaped child c of parent: its time and its children's join the parent's children totals. */
export function accountReaped(parent: Process, c: Process): void {
  const u = bothUsage(c);
  const t = parent.childUsage;
  parent.childUsage = { utime: t.utime + u.utime, stime: t.stime + u.stime, maxrssKb: Math.max(t.maxrssKb, u.maxrssKb) };
}

/** A struct timeval (sec, usec) of ns at off; what is below a microsecond is dropped, as Linux's ns_to_timeval. */
export function setTimeval(dv: DataView, off: number, ns: bigint): void {
  const us = ns / 1000n;
  dv.setBigInt64(off, us / 1_000_000n, true);
  dv.setBigInt64(off + 8, us % 1_000_000n, true);
}

/** struct rusage: ru_utime and ru_stime (timeval), ru_maxrss, then 13 more longs left 0. */
export function rusageBytes(u: Usage): Uint8Array {
  const b = new Uint8Array(144);
  const dv = new DataView(b.buffer);
  setTimeval(dv, 0, u.utime);
  setTimeval(dv, 16, u.stime);
  dv.setBigInt64(32, BigInt(u.maxrssKb), true);
  return b;
}
