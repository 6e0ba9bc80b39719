// The kernel's bookkeeping, checked: nothing leaked and nothing freed early. After any step
// (a fault injected or not) every open file description is referenced by exactly as many
// descriptors as it counts, every pipe end by as many descriptions, a blocked process is on
// the queues it lists and only a blocked one, the process tree links both ways, a dead
// process holds no descriptors, timers, queued signals or waits, every lock has a live
// owner, and a failed syscall left its caller's descriptors as they were (the kernel checks
// that one as it goes: Kernel.checkFailedCalls). The seeds' lesson: a launch that fails half-way or a teardown that forgets a
// holder is a leak of this kind. Cheap enough to run after every step of a small program.

import { OpenFile } from './fd.ts';
import type { FdTable } from './fd.ts';
import type { Kernel } from './kernel.ts';
import { NO_DEADLINE, type Process } from './process.ts';
import { Pipe, PipeEnd, PipeReadEnd, PipeRdwrEnd, PipeWriteEnd } from './pipe.ts';

const alive = (p: Process): boolean => p.state !== 'zombie' && p.state !== 'reaped';

/** The first broken invariant, as one line naming the process or object; null when all hold. */
export function brokenInvariant(k: Kernel): string | null {
  if (k.failedCallBreach !== null) return k.failedCallBreach;
  const procs = [...k.procs.values()];
  const live = procs.filter(alive);
  // Descriptors: each table once (a vfork child or the legacy model shares one).
  const tables = new Set<FdTable>(live.map((p) => p.fds));
  const counted = new Map<OpenFile, number>();
  for (const t of tables) {
    for (const fd of t.open()) {
      const f = t.get(fd)!.file;
      counted.set(f, (counted.get(f) ?? 0) + 1);
    }
  }
  for (const [f, n] of counted) {
    if (f.refs !== n) return `open file ${f.path}: ${n} descriptors refer to it, but it counts ${f.refs}`;
  }
  const ends = new Map<Pipe, { readers: number; writers: number }>();
  for (const f of counted.keys()) {
    const b = f.backend;
    if (!(b instanceof PipeEnd)) continue;
    const e = ends.get(b.pipe) ?? { readers: 0, writers: 0 };
    if (b instanceof PipeReadEnd || b instanceof PipeRdwrEnd) e.readers++;
    if (b instanceof PipeWriteEnd || b instanceof PipeRdwrEnd) e.writers++;
    ends.set(b.pipe, e);
  }
  for (const [pipe, e] of ends) {
    if (pipe.readers !== e.readers || pipe.writers !== e.writers) {
      return `pipe:[${pipe.ino}]: ${e.readers} read and ${e.writers} write descriptions are open, but it counts ${pipe.readers} and ${pipe.writers}`;
    }
    for (const q of pipe.queue.members()) if (q.state !== 'blocked' || !q.waitingOn.includes(pipe.queue)) return `pipe:[${pipe.ino}]: pid ${q.pid} is on its wait queue but not blocked on it (${q.state})`;
  }
  for (const p of procs) {
    const who = `pid ${p.pid}`;
    if (p.state === 'blocked') {
      for (const q of p.waitingOn) if (!q.members().includes(p)) return `${who} is blocked on a wait queue that does not hold it`;
      if ((p.deadline !== NO_DEADLINE) !== k.sleeping().includes(p)) return `${who} is blocked with deadline ${p.deadline} but ${k.sleeping().includes(p) ? 'is' : 'is not'} among the sleepers`;
    } else if (p.waitingOn.length > 0) return `${who} is ${p.state} but still on ${p.waitingOn.length} wait queues`;
    if (p.parent !== null && p.parent.state !== 'reaped' && !p.parent.children.includes(p)) return `${who}'s parent pid ${p.parent.pid} does not list it as a child`;
    for (const c of p.children) {
      if (c.parent !== p) return `${who} lists pid ${c.pid} as a child, whose parent is ${c.parent?.pid ?? 'none'}`;
      if (!k.procs.has(c.pid)) return `${who} lists pid ${c.pid} as a child, which is not in the process table`;
    }
    if (alive(p)) continue;
    // A dead process holds nothing but its exit status (and its table entry, until reaped).
    if (p.fds.open().length > 0 && !live.some((q) => q.fds === p.fds)) return `${who} is ${p.state} but holds ${p.fds.open().length} descriptors`;
    if (p.posixTimers.size > 0 || p.itimers.some((t) => t.at !== null)) return `${who} is ${p.state} but has armed timers`;
    if (p.sigqueue.length > 0) return `${who} is ${p.state} but has ${p.sigqueue.length} queued signals`;
    if (k.sleeping().includes(p)) return `${who} is ${p.state} but among the sleepers`;
    if (p.mem.touchedPages() > 0 && !live.some((q) => q.mem === p.mem)) return `${who} is ${p.state} but still holds ${p.mem.touchedPages()} pages`;
  }
  const queued = procs.reduce((n, p) => n + p.sigqueue.length, 0);
  if (queued !== k.sigqueued) return `${queued} signals are queued on processes, but the kernel counts ${k.sigqueued}`;
  for (const [, lock, kind] of k.locks.held()) {
    const ok = lock.owner instanceof OpenFile ? lock.owner.refs > 0 : tables.has(lock.owner as FdTable);
    if (!ok) return `a ${kind} lock on [${lock.start}, ${lock.end}] outlived its owner`;
  }
  if (k.events.length > k.events.capacity) return `the event ring holds ${k.events.length} events, past its capacity ${k.events.capacity}`;
  return null;
}
