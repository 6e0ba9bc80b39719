// Pipes: a 64 KiB byte ring shared by a read end and a write end. The ends never block by
// themselves: they report "nothing now" (read: null, write: 0 bytes taken) and the syscall
// layer parks the caller on the pipe's wait queue, which is woken by every state change.

import type { FileBackend } from './fd.ts';
import { FsError } from './fs/fs-error.ts';
import { S_IFIFO } from './fs/flags.ts';
import type { Stat } from './fs/stat.ts';
import { WaitQueue } from './wait-queue.ts';

export const PIPE_CAPACITY = 65536;
/** Writes up to this size are atomic: all of it goes in at once, never interleaved. */
export const PIPE_BUF = 4096;

export const POLLIN = 0x1;
export const POLLPRI = 0x2;
export const POLLOUT = 0x4;
export const POLLERR = 0x8;
export const POLLHUP = 0x10;
export const POLLNVAL = 0x20;

type Clock = () => { sec: number; nsec: number };

export class Pipe {
  private buf = new Uint8Array(PIPE_CAPACITY);
  private head = 0;
  len = 0;
  readers = 0;
  writers = 0;
  readonly queue = new WaitQueue();

  constructor(
    readonly ino: number,
    private readonly clock: Clock,
    /** Makes the queue's waiters runnable (the kernel's wakeup). */
    private readonly wake: (q: WaitQueue) => void,
  ) {}

  /** Something a waiter may care about changed: bytes moved or an end closed. */
  changed(): void {
    if (this.queue.size > 0) this.wake(this.queue);
  }

  get space(): number {
    return PIPE_CAPACITY - this.len;
  }

  take(max: number): Uint8Array {
    const n = Math.min(max, this.len);
    const out = new Uint8Array(n);
    const first = Math.min(n, PIPE_CAPACITY - this.head);
    out.set(this.buf.subarray(this.head, this.head + first), 0);
    out.set(this.buf.subarray(0, n - first), first);
    this.head = (this.head + n) % PIPE_CAPACITY;
    this.len -= n;
    if (n > 0) this.changed();
    return out;
  }

  put(data: Uint8Array): number {
    const n = Math.min(data.length, this.space);
    const tail = (this.head + this.len) % PIPE_CAPACITY;
    const first = Math.min(n, PIPE_CAPACITY - tail);
    this.buf.set(data.subarray(0, first), tail);
    this.buf.set(data.subarray(first, n), 0);
    this.len += n;
    if (n > 0) this.changed();
    return n;
  }

  stat(): Stat {
    const t = this.clock();
    return {
      dev: 0xc, ino: this.ino, mode: S_IFIFO | 0o600, nlink: 1, uid: 0, gid: 0, rdev: 0,
      size: 0, blksize: 4096, blocks: 0, atime: t, mtime: t, ctime: t,
    };
  }
}

/** What both ends share: the pipe, its queue, no offset, the pipe's stat. */
export abstract class PipeEnd implements FileBackend {
  constructor(readonly pipe: Pipe) {}
  get queue(): WaitQueue {
    return this.pipe.queue;
  }
  size(): null {
    return null;
  }
  stat(): Stat {
    return this.pipe.stat();
  }
  abstract read(len: number): Uint8Array | null;
  abstract write(data: Uint8Array): number;
  abstract poll(): number;
}

export class PipeReadEnd extends PipeEnd {
  constructor(pipe: Pipe) {
    super(pipe);
    pipe.readers++;
  }
  /** Bytes now, [] at end of file (no writer left), null when the caller would have to wait. */
  read(len: number): Uint8Array | null {
    const p = this.pipe;
    if (p.len > 0) return len === 0 ? new Uint8Array(0) : p.take(len);
    return p.writers === 0 || len === 0 ? new Uint8Array(0) : null;
  }
  write(): number {
    throw new FsError('EBADF');
  }
  poll(): number {
    const p = this.pipe;
    return (p.len > 0 ? POLLIN : 0) | (p.writers === 0 ? POLLHUP : 0);
  }
  release(): void {
    this.pipe.readers--;
    this.pipe.changed();
  }
}

export class PipeWriteEnd extends PipeEnd {
  constructor(pipe: Pipe) {
    super(pipe);
    pipe.writers++;
  }
  read(): Uint8Array {
    throw new FsError('EBADF');
  }
  /** Bytes taken now: all or nothing up to PIPE_BUF, else as many as fit. EPIPE without readers. */
  write(data: Uint8Array): number {
    const p = this.pipe;
    if (data.length === 0) return 0; // Linux checks for readers only when there is something to write
    if (p.readers === 0) throw new FsError('EPIPE');
    if (data.length <= PIPE_BUF && p.space < data.length) return 0;
    return p.put(data);
  }
  poll(): number {
    const p = this.pipe;
    const out = p.space >= PIPE_BUF ? POLLOUT : 0;
    return p.readers === 0 ? out | POLLERR : out;
  }
  release(): void {
    this.pipe.writers--;
    this.pipe.changed();
  }
}

/** Both ends in one description: a pipe reopened O_RDWR through /proc/<pid>/fd/N (fifo_open). */
export class PipeRdwrEnd extends PipeEnd {
  constructor(pipe: Pipe) {
    super(pipe);
    pipe.readers++;
    pipe.writers++;
  }
  read(len: number): Uint8Array | null {
    return PipeReadEnd.prototype.read.call(this, len);
  }
  write(data: Uint8Array): number {
    return PipeWriteEnd.prototype.write.call(this, data);
  }
  poll(): number {
    return PipeReadEnd.prototype.poll.call(this) | PipeWriteEnd.prototype.poll.call(this);
  }
  release(): void {
    this.pipe.readers--;
    this.pipe.writers--;
    this.pipe.changed();
  }
}

/**
 * A new description of the pipe behind `end`, opened with `flags` (access mode and status
 * flags), as opening /proc/<pid>/fd/N of a pipe does on Linux: never waits, whatever end
 * N was.
 */
export function reopenPipe(pipe: Pipe, acc: number): FileBackend {
  if (acc === 0) return new PipeReadEnd(pipe);
  if (acc === 1) return new PipeWriteEnd(pipe);
  return new PipeRdwrEnd(pipe);
}
