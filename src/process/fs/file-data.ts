// Byte storage of a regular file: fixed-size chunks, allocated on demand.
//
// Chunks make appends amortised O(1) (the last chunk grows by doubling, earlier chunks never
// move), keep multi-MiB files cheap to grow, and leave holes of sparse files unallocated
// (a hole reads as zeros). A file seeded from an archive starts as views into the archive's
// bytes; a view is copied the first time it is written (copy-on-write). A page a mapping
// uses is a view of its chunk (the page cache): MAP_SHARED writes land in the file, and
// write() shows in every mapping, as on Linux.
import { Page, PAGE_SIZE } from '../../emu/memory.ts';
import { FsError } from './fs-error.ts';

export const CHUNK_SHIFT = 16;
export const CHUNK_SIZE = 1 << CHUNK_SHIFT;
/** Largest file size accepted (EFBIG beyond): 1 TiB keeps chunk indexes small integers. */
export const MAX_FILE_SIZE = 2 ** 40;
const MIN_ALLOC = 64;

export class FileData {
  /** chunks[i] holds bytes [i*CHUNK_SIZE, ...); it may be shorter than CHUNK_SIZE and
   *  bytes past its length (or a missing chunk) read as zero. */
  private chunks: (Uint8Array | undefined)[] = [];
  /** Indexes of chunks that are borrowed views (never written in place). */
  private borrowed: Set<number> | undefined;
  size = 0;
  /** The borrowed bytes while the file still is exactly them (never written or truncated). */
  pristine: Uint8Array | null = null;
  /** The page cache: page index -> a page over this file's own bytes (in a pinned chunk). */
  private pages: Map<number, Page> | undefined;
  /** Chunks pages are views of: full-size and owned, never reallocated or dropped. */
  private pinned: Set<number> | undefined;

  /** A file whose content starts as `bytes` (not copied: borrowed until first written). */
  static borrowing(bytes: Uint8Array): FileData {
    const d = new FileData();
    d.size = bytes.length;
    d.pristine = bytes;
    if (bytes.length === 0) return d;
    d.borrowed = new Set();
    for (let i = 0, off = 0; off < bytes.length; i++, off += CHUNK_SIZE) {
      d.chunks.push(bytes.subarray(off, Math.min(off + CHUNK_SIZE, bytes.length)));
      d.borrowed.add(i);
    }
    return d;
  }

  /** Copies up to `len` bytes from `offset` (fewer at end of file). */
  read(offset: number, len: number): Uint8Array {
    const end = Math.min(this.size, offset + len);
    if (offset >= end) return new Uint8Array(0);
    const out = new Uint8Array(end - offset);
    let pos = offset;
    while (pos < end) {
      const ci = Math.floor(pos / CHUNK_SIZE);
      const inChunk = pos - ci * CHUNK_SIZE;
      const n = Math.min(end - pos, CHUNK_SIZE - inChunk);
      const chunk = this.chunks[ci];
      if (chunk && inChunk < chunk.length) {
        out.set(chunk.subarray(inChunk, Math.min(chunk.length, inChunk + n)), pos - offset);
      }
      pos += n;
    }
    return out;
  }

  /**
   * Page `index` of the file, for a mapping: its bytes are the file's (a MAP_SHARED mapping
   * writes the file in place; a private one copies the page on its first write). Mapped
   * memory can change the file unseen, so the file is no longer pristine.
   */
  mappedPage(index: number): Page {
    let page = this.pages?.get(index);
    if (page !== undefined) return page;
    this.pristine = null;
    const ci = Math.floor((index * PAGE_SIZE) / CHUNK_SIZE);
    const chunk = this.writable(ci, CHUNK_SIZE);
    (this.pinned ??= new Set()).add(ci);
    const at = index * PAGE_SIZE - ci * CHUNK_SIZE;
    page = new Page(chunk.subarray(at, at + PAGE_SIZE));
    (this.pages ??= new Map()).set(index, page);
    return page;
  }

  /** Writes all of `data` at `offset`, growing the file as needed. */
  write(offset: number, data: Uint8Array): void {
    const end = offset + data.length;
    if (data.length > 0) this.pristine = null;
    if (end > MAX_FILE_SIZE) throw new FsError('EFBIG');
    if (this.pages !== undefined) this.touchMapped(offset, end);
    let pos = offset;
    while (pos < end) {
      const ci = Math.floor(pos / CHUNK_SIZE);
      const inChunk = pos - ci * CHUNK_SIZE;
      const n = Math.min(end - pos, CHUNK_SIZE - inChunk);
      const chunk = this.writable(ci, inChunk + n);
      chunk.set(data.subarray(pos - offset, pos - offset + n), inChunk);
      pos += n;
    }
    if (end > this.size) this.size = end;
  }

  /** Sets the size; bytes past a shrink point are dropped so a later growth reads zeros. */
  truncate(size: number): void {
    if (size > MAX_FILE_SIZE) throw new FsError('EFBIG');
    if (size !== this.size) this.pristine = null;
    if (size > this.size && this.pages !== undefined) this.touchMapped(this.size, size);
    if (size < this.size) {
      const keep = Math.ceil(size / CHUNK_SIZE);
      if (this.pinned === undefined) {
        if (this.chunks.length > keep) this.chunks.length = keep;
      } else {
        // A mapped chunk stays (its pages are views of it), zeroed as a dropped one reads.
        for (let i = keep; i < this.chunks.length; i++) {
          if (this.pinned.has(i)) this.chunks[i]!.fill(0);
          else this.chunks[i] = undefined;
        }
      }
      if (this.borrowed) for (const i of [...this.borrowed]) if (i >= keep) this.borrowed.delete(i);
      const ci = Math.floor(size / CHUNK_SIZE);
      const inChunk = size - ci * CHUNK_SIZE;
      const last = this.chunks[ci];
      if (last && inChunk < last.length) {
        if (this.borrowed?.has(ci)) {
          this.chunks[ci] = last.slice(0, inChunk);
          this.borrowed.delete(ci);
        } else {
          last.fill(0, inChunk);
        }
      }
    }
    this.size = size;
  }

  /**
   * Bytes [from, to) are about to change: mapped pages there drop their decoded code, and
   * what a mapping wrote past the old end of file (kept in a pinned chunk) reads as zeros
   * once the file grows over it.
   */
  private touchMapped(from: number, to: number): void {
    for (let i = Math.floor(from / PAGE_SIZE); i < Math.ceil(to / PAGE_SIZE); i++) {
      const page = this.pages!.get(i);
      if (page !== undefined) page.decoded = null;
    }
    if (to <= this.size) return;
    const start = Math.max(from, this.size);
    for (let ci = Math.floor(start / CHUNK_SIZE); ci * CHUNK_SIZE < to; ci++) {
      if (!this.pinned!.has(ci)) continue;
      const base = ci * CHUNK_SIZE;
      this.chunks[ci]!.fill(0, Math.max(0, start - base), Math.min(CHUNK_SIZE, to - base));
    }
  }

  /** Chunk `ci`, owned and at least `need` bytes long. */
  private writable(ci: number, need: number): Uint8Array {
    let chunk = this.chunks[ci];
    const owned = !this.borrowed?.has(ci);
    if (chunk && owned && chunk.length >= need) return chunk;
    let cap = Math.max(MIN_ALLOC, chunk ? chunk.length : 0);
    while (cap < need) cap *= 2;
    // Only the file's last chunk grows gradually; a chunk followed by data is full-size.
    if (cap > CHUNK_SIZE || (ci + 1) * CHUNK_SIZE < this.size) cap = CHUNK_SIZE;
    const fresh = new Uint8Array(cap);
    if (chunk) fresh.set(chunk);
    this.chunks[ci] = fresh;
    if (!owned) this.borrowed!.delete(ci);
    return fresh;
  }
}
