// Which file each mapped range of an address space shows, for /proc/<pid>/maps: a program's
// and its ld.so's segments, file mmaps. Memory keeps only pages and protections; the names
// live here, beside it, and follow what unmaps, replaces or moves a range.

export interface FileMapping {
  start: number;
  end: number;
  /** The path as /proc shows it. */
  path: string;
  /** File offset of `start`. */
  offset: number;
  dev: number;
  ino: number;
  shared: boolean;
}

export class FileMappings {
  /** Sorted by start, never overlapping. */
  private list: FileMapping[] = [];

  clone(): FileMappings {
    const c = new FileMappings();
    c.list = this.list.map((m) => ({ ...m }));
    return c;
  }

  /** [start, end) shows no file any more (unmapped, or mapped anew). */
  cut(start: number, end: number): void {
    const out: FileMapping[] = [];
    for (const m of this.list) {
      if (m.end <= start || m.start >= end) {
        out.push(m);
        continue;
      }
      if (m.start < start) out.push({ ...m, end: start });
      if (m.end > end) out.push({ ...m, start: end, offset: m.offset + (end - m.start) });
    }
    this.list = out;
  }

  /** A file mapped at [m.start, m.end), over whatever was there. */
  add(m: FileMapping): void {
    this.cut(m.start, m.end);
    let i = this.list.length;
    while (i > 0 && this.list[i - 1].start > m.start) i--;
    this.list.splice(i, 0, m);
  }

  /** mremap moved [from, from + len) to `to`. */
  move(from: number, len: number, to: number): void {
    const moved = this.list.filter((m) => m.start < from + len && m.end > from);
    this.cut(from, from + len);
    for (const m of moved) {
      const start = Math.max(m.start, from);
      const end = Math.min(m.end, from + len);
      this.add({ ...m, start: start - from + to, end: end - from + to, offset: m.offset + (start - m.start) });
    }
  }

  /** The mappings meeting [start, end), in address order. */
  overlapping(start: number, end: number): FileMapping[] {
    return this.list.filter((m) => m.start < end && m.end > start);
  }
}
