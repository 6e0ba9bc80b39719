// Open file descriptions and per-process descriptor tables. A description (offset,
// status flags) is shared by every descriptor that dups it, in this or a forked process.

import { FsError } from './fs/fs-error.ts';
import type { DirInode } from './fs/inode.ts';
import type { Stat } from './fs/stat.ts';
import type { WaitQueue } from './wait-queue.ts';

/** What a description reads from and writes to: a file, a device, a pipe end, host stdio. */
export interface FileBackend {
  /**
   * Up to len bytes at offset (seekable backends) or from the stream; empty = end of file;
   * null = nothing yet (only streams with a wait queue), the caller waits or gets EAGAIN.
   */
  read(len: number, offset: number): Uint8Array | null;
  /** Bytes taken; 0 for a non-empty write means the caller waits (streams with a queue). */
  write(data: Uint8Array, offset: number): number;
  /** poll(2) readiness (POLLIN, POLLOUT, ...); absent means always ready for both. */
  poll?(): number;
  /** Woken whenever poll() may have changed. */
  readonly queue?: WaitQueue;
  /** Current size, for SEEK_END and O_APPEND; null when the backend cannot seek (ESPIPE). */
  size(): number | null;
  stat(): Stat;
  /** Called when the last descriptor referring to the description is closed. */
  release?(): void;
}

export const SEEK_SET = 0;
export const SEEK_CUR = 1;
export const SEEK_END = 2;

export class OpenFile {
  offset = 0;
  /** Descriptors (in all processes) referring to this description. */
  refs = 0;
  /** Where an open by path started (the base directory, live) and the path: /proc/<pid>/fd/N
   *  shows the canonical path computed from them when read, as Linux's d_path does. */
  origin: { base: DirInode; path: string } | null = null;
  constructor(
    readonly backend: FileBackend,
    /** Access mode and status flags (O_APPEND, O_NONBLOCK, ...), as F_GETFL shows them. */
    public flags: number,
    /** The path it was opened by, for traces and /proc/self/fd. */
    readonly path: string,
  ) {}

  seek(off: number, whence: number): number {
    const size = this.backend.size();
    if (size === null) throw new FsError('ESPIPE');
    let pos: number;
    if (whence === SEEK_SET) pos = off;
    else if (whence === SEEK_CUR) pos = this.offset + off;
    else if (whence === SEEK_END) pos = size + off;
    else throw new FsError('EINVAL');
    if (pos < 0) throw new FsError('EINVAL');
    this.offset = pos;
    return pos;
  }
}

export interface FdEntry {
  file: OpenFile;
  cloexec: boolean;
}

/** Linux's default RLIMIT_NOFILE soft limit. */
export const MAX_FDS = 1024;

/** Told of every descriptor closed: its table, its description, whether that was the last one. */
export type CloseHook = (table: FdTable, file: OpenFile, last: boolean) => void;

export class FdTable {
  private slots: (FdEntry | undefined)[] = [];
  /** Told of every close (file locks go on it); a forked child's table has the same. */
  onClose: CloseHook | null = null;

  get(fd: number): FdEntry | undefined {
    return fd >= 0 ? this.slots[fd] : undefined;
  }

  /** The description behind fd, or EBADF. */
  file(fd: number): OpenFile {
    const e = this.get(fd);
    if (e === undefined) throw new FsError('EBADF');
    return e.file;
  }

  /** Install at the lowest free descriptor >= min; EMFILE when none is left. */
  install(file: OpenFile, cloexec: boolean, min = 0): number {
    let fd = min;
    while (this.slots[fd] !== undefined) fd++;
    if (fd >= MAX_FDS) throw new FsError('EMFILE');
    this.installAt(fd, file, cloexec);
    return fd;
  }

  /** Install at fd, closing what was there (dup2 semantics). */
  installAt(fd: number, file: OpenFile, cloexec: boolean): void {
    file.refs++;
    this.close(fd);
    this.slots[fd] = { file, cloexec };
  }

  close(fd: number): boolean {
    const e = this.get(fd);
    if (e === undefined) return false;
    this.slots[fd] = undefined;
    const last = --e.file.refs === 0;
    this.onClose?.(this, e.file, last);
    if (last) e.file.backend.release?.();
    return true;
  }

  /** close_range: every open descriptor in [first, last] closed, or (cloexec) marked O_CLOEXEC. */
  closeRange(first: number, last: number, cloexec: boolean): void {
    const end = Math.min(last, this.slots.length - 1);
    for (let fd = first; fd <= end; fd++) {
      const e = this.slots[fd];
      if (e === undefined) continue;
      if (cloexec) e.cloexec = true;
      else this.close(fd);
    }
  }

  /** The size Linux's descriptor table would have grown to (FDSize in /proc/<pid>/status). */
  tableSize(): number {
    let size = 64;
    while (size < this.slots.length) size *= 2;
    return size;
  }

  closeAll(): void {
    for (let fd = 0; fd < this.slots.length; fd++) this.close(fd);
  }

  closeOnExec(): void {
    for (let fd = 0; fd < this.slots.length; fd++) if (this.slots[fd]?.cloexec) this.close(fd);
  }

  /** A copy for a forked child: same descriptions, shared offsets. */
  clone(): FdTable {
    const t = new FdTable();
    t.onClose = this.onClose;
    this.slots.forEach((e, fd) => {
      if (e !== undefined) {
        e.file.refs++;
        t.slots[fd] = { file: e.file, cloexec: e.cloexec };
      }
    });
    return t;
  }

  /** The description behind each descriptor, by number (for comparing tables). */
  snapshot(): (OpenFile | undefined)[] {
    return this.slots.map((e) => e?.file);
  }

  /** Open descriptors in ascending order. */
  open(): number[] {
    const out: number[] = [];
    this.slots.forEach((e, fd) => e !== undefined && out.push(fd));
    return out;
  }
}
