// Advisory file locks: POSIX record locks (fcntl F_SETLK), open-file-description locks
// (F_OFD_SETLK) and flock(2). A POSIX lock belongs to a descriptor table, as Linux's belongs
// to its files_struct: a fork child starts with none, and closing any descriptor of the
// file drops them all. OFD and flock locks belong to the open file description: shared with
// a fork child, dropped when its last descriptor closes. POSIX and OFD locks conflict with
// each other; flock locks live apart (as on Linux's local filesystems).

import type { OpenFile } from './fd.ts';
import type { Process } from './process.ts';
import { WaitQueue } from './wait-queue.ts';

export const F_RDLCK = 0;
export const F_WRLCK = 1;
export const F_UNLCK = 2;
export type LockType = typeof F_RDLCK | typeof F_WRLCK;
/** A lock to the end of the file ends here (Linux's OFFSET_MAX). */
export const OFFSET_MAX = (1n << 63n) - 1n;

/** A held lock, or a request for one: bytes [start, end], both inclusive. */
export interface Lock {
  type: LockType;
  start: bigint;
  end: bigint;
  /** The descriptor table (POSIX) or the open file description (OFD, flock) holding it. */
  owner: object;
  /** What F_GETLK reports: the locking process's pid, -1 for an OFD lock. */
  pid: number;
}

/** The locks on one file, and who waits for one of them to go. */
interface FileLocks {
  records: Lock[];
  flocks: Lock[];
  readonly queue: WaitQueue;
}

/** Linux gives up looking for a cycle after this many waiters (MAX_DEADLK_ITERATIONS). */
const MAX_DEADLOCK_STEPS = 10;

const overlaps = (a: Lock, b: Lock): boolean => a.start <= b.end && b.start <= a.end;
const conflicts = (held: Lock, req: Lock): boolean =>
  held.owner !== req.owner && overlaps(held, req) && (held.type === F_WRLCK || req.type === F_WRLCK);

export class LockTable {
  /** By the file's identity (keyOf): kept only while it has a lock or a waiter. */
  private readonly files = new Map<object, FileLocks>();
  /** POSIX requests parked in F_SETLKW, by owner: the edges deadlock detection follows. */
  private readonly waits = new Map<object, { proc: Process; key: object; req: Lock }>();

  constructor(
    /** The file a description refers to, for locking: its inode, or the backend itself. */
    readonly keyOf: (f: OpenFile) => object,
    /** Wakes everyone parked on a queue (the kernel's wakeQueue). */
    private readonly wake: (q: WaitQueue) => void,
  ) {}

  /** The first record lock (POSIX or OFD) of another owner that stands in req's way. */
  recordConflict(key: object, req: Lock): Lock | undefined {
    return this.files.get(key)?.records.find((l) => conflicts(l, req));
  }

  /** The flock lock of another description that stands in req's way. */
  flockConflict(key: object, req: Lock): Lock | undefined {
    return this.files.get(key)?.flocks.find((l) => conflicts(l, req));
  }

  /** Where a request that conflicts parks until some lock on the file goes. */
  queue(key: object): WaitQueue {
    return this.file(key).queue;
  }

  /**
   * Set (or, type F_UNLCK, clear) req's range for its owner, which must not conflict: the
   * owner's locks of the same type that overlap or touch it merge into one; of the other
   * type, the overlapped part is replaced (so a lock can split in two).
   */
  setRecord(key: object, req: Omit<Lock, 'type'> & { type: LockType | typeof F_UNLCK }): void {
    const file = this.file(key);
    let { start, end } = req;
    const kept: Lock[] = [];
    let changed = false;
    for (const l of file.records) {
      const touches = l.start <= end + 1n && start <= l.end + 1n;
      if (l.owner !== req.owner || !touches) {
        kept.push(l);
        continue;
      }
      if (l.type === req.type) {
        start = l.start < start ? l.start : start;
        end = l.end > end ? l.end : end;
        continue;
      }
      if (!overlaps(l, req as Lock)) {
        kept.push(l);
        continue;
      }
      changed = true;
      if (l.start < req.start) kept.push({ ...l, end: req.start - 1n });
      if (l.end > req.end) kept.push({ ...l, start: req.end + 1n });
    }
    if (req.type !== F_UNLCK) kept.push({ ...req, type: req.type, start, end });
    kept.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    file.records = kept;
    // Only a lock that lost bytes (an unlock, a change of type) may let a waiter in.
    if (changed) this.changed(key, file);
    else this.forget(key, file);
  }

  /** Give description `owner` a whole-file flock lock of `type`, or none (F_UNLCK). */
  setFlock(key: object, owner: object, type: LockType | typeof F_UNLCK): void {
    const file = this.file(key);
    const others = file.flocks.filter((l) => l.owner !== owner);
    const removed = others.length < file.flocks.length;
    if (type !== F_UNLCK) others.push({ type, start: 0n, end: OFFSET_MAX, owner, pid: -1 });
    file.flocks = others;
    if (removed) this.changed(key, file);
    else this.forget(key, file);
  }

  /** The flock lock `owner` holds on the file, if any. */
  flockOf(key: object, owner: object): Lock | undefined {
    return this.files.get(key)?.flocks.find((l) => l.owner === owner);
  }

  /**
   * Would parking POSIX request `req` behind `blocker` close a cycle of owners each waiting
   * for the next (EDEADLK)? Followed as Linux does: the blocker's owner's own pending request,
   * what blocks that, and so on.
   */
  deadlock(req: Lock, blocker: Lock): boolean {
    let b: Lock | undefined = blocker;
    for (let i = 0; i < MAX_DEADLOCK_STEPS && b !== undefined; i++) {
      const w = this.waits.get(b.owner);
      if (w === undefined || w.proc.state !== 'blocked') return false;
      b = this.recordConflict(w.key, w.req);
      if (b !== undefined && b.owner === req.owner) return true;
    }
    return false;
  }

  /** proc parks with POSIX request req (F_SETLKW); cleared when it gets it or asks again. */
  waiting(proc: Process, key: object, req: Lock): void {
    this.waits.set(req.owner, { proc, key, req });
  }

  notWaiting(owner: object): void {
    const w = this.waits.get(owner);
    if (w === undefined) return;
    this.waits.delete(owner);
    const file = this.files.get(w.key);
    if (file !== undefined) this.forget(w.key, file);
  }

  /**
   * A descriptor of table `fds` referring to f was closed; `last` when it was f's last one.
   * Every POSIX lock of the table on the file goes, and on the last close f's own locks.
   */
  closed(fds: object, f: OpenFile, last: boolean): void {
    if (this.files.size === 0) return;
    const w = this.waits.get(fds);
    if (w !== undefined && !w.proc.alive) this.notWaiting(fds); // it died in F_SETLKW
    const key = this.keyOf(f);
    const file = this.files.get(key);
    if (file === undefined) return;
    const records = file.records.filter((l) => l.owner !== fds && !(last && l.owner === f));
    const flocks = last ? file.flocks.filter((l) => l.owner !== f) : file.flocks;
    if (records.length === file.records.length && flocks.length === file.flocks.length) return;
    file.records = records;
    file.flocks = flocks;
    this.changed(key, file);
  }

  /** Locks held, for /proc/locks: every file's, records then flocks. */
  *held(): Iterable<[object, Lock, 'posix' | 'ofd' | 'flock']> {
    for (const [key, file] of this.files) {
      for (const l of file.records) yield [key, l, l.pid < 0 ? 'ofd' : 'posix'];
      for (const l of file.flocks) yield [key, l, 'flock'];
    }
  }

  private file(key: object): FileLocks {
    let file = this.files.get(key);
    if (file === undefined) {
      file = { records: [], flocks: [], queue: new WaitQueue() };
      this.files.set(key, file);
    }
    return file;
  }

  private changed(key: object, file: FileLocks): void {
    this.wake(file.queue);
    this.forget(key, file);
  }

  /** Drop a file's entry once nothing is held on it and no one waits. */
  private forget(key: object, file: FileLocks): void {
    if (file.records.length > 0 || file.flocks.length > 0 || file.queue.size > 0) return;
    for (const w of this.waits.values()) if (w.key === key) return;
    this.files.delete(key);
  }
}
