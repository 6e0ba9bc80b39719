import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHUNK_SIZE, FileData, MAX_FILE_SIZE } from '../../../src/process/fs/file-data.ts';
import { FsError } from '../../../src/process/fs/fs-error.ts';

/** Reference: a plain byte array resized on every change. */
class Model {
  bytes = new Uint8Array(0);
  write(off: number, data: Uint8Array) {
    const end = off + data.length;
    if (end > this.bytes.length) {
      const b = new Uint8Array(end);
      b.set(this.bytes);
      this.bytes = b;
    }
    this.bytes.set(data, off);
  }
  truncate(n: number) {
    const b = new Uint8Array(n);
    b.set(this.bytes.subarray(0, n));
    this.bytes = b;
  }
  read(off: number, len: number) {
    return this.bytes.slice(Math.min(off, this.bytes.length), Math.min(off + len, this.bytes.length));
  }
}

// Offsets cluster around chunk boundaries, where the interesting cases are.
const offset = fc.tuple(fc.nat(4), fc.integer({ min: -40, max: 40 })).map(([k, d]) => Math.max(0, k * CHUNK_SIZE + d));
const chunkOfBytes = fc.uint8Array({ minLength: 0, maxLength: 200 });
type FOp = { k: 'w'; off: number; data: Uint8Array } | { k: 't'; n: number } | { k: 'r'; off: number; len: number } | { k: 'big'; off: number };
const fop: fc.Arbitrary<FOp> = fc.oneof(
  fc.record({ k: fc.constant('w' as const), off: offset, data: chunkOfBytes }),
  fc.record({ k: fc.constant('t' as const), n: offset }),
  fc.record({ k: fc.constant('r' as const), off: offset, len: fc.nat(CHUNK_SIZE + 100) }),
  fc.record({ k: fc.constant('big' as const), off: offset }),
);

/** Byte equality without vitest's element-by-element deep compare (slow on 100 KiB arrays). */
function same(a: Uint8Array, b: Uint8Array): void {
  if (Buffer.compare(a, b) !== 0) expect(a).toEqual(b);
}

describe('FileData', () => {
  it('behaves like a flat byte array (with and without borrowed initial content)', () => {
    fc.assert(
      fc.property(fc.option(fc.uint8Array({ maxLength: 2 * CHUNK_SIZE + 10 }), { nil: undefined }), fc.array(fop, { maxLength: 25 }), (init, ops) => {
        const original = init?.slice();
        const d = init ? FileData.borrowing(init) : new FileData();
        const m = new Model();
        if (init) m.write(0, init);
        for (const op of ops) {
          if (op.k === 'w') {
            d.write(op.off, op.data);
            m.write(op.off, op.data);
          } else if (op.k === 't') {
            d.truncate(op.n);
            m.truncate(op.n);
          } else if (op.k === 'big') {
            // A write spanning more than one chunk.
            const data = Uint8Array.from({ length: CHUNK_SIZE + 3 }, (_, i) => (i * 13) & 0xff);
            d.write(op.off, data);
            m.write(op.off, data);
          } else {
            same(d.read(op.off, op.len), m.read(op.off, op.len));
          }
          expect(d.size).toBe(m.bytes.length);
        }
        same(d.read(0, d.size), m.bytes);
        // Borrowed bytes are never written in place.
        if (init) same(init, original!);
      }),
      { numRuns: 150 },
    );
  });

  it('appends a multi-MiB file in linear time', () => {
    const d = new FileData();
    const piece = new Uint8Array(4096).fill(7);
    const n = 2048; // 8 MiB
    for (let i = 0; i < n; i++) d.write(d.size, piece);
    expect(d.size).toBe(n * 4096);
    const tail = d.read(d.size - 10, 100);
    expect(tail).toEqual(new Uint8Array(10).fill(7));
  });

  it('keeps sparse files sparse and rejects sizes past the limit', () => {
    const d = new FileData();
    d.truncate(2 ** 36);
    expect(d.size).toBe(2 ** 36);
    expect(d.read(2 ** 35, 4)).toEqual(new Uint8Array(4));
    d.write(2 ** 36 - 1, Uint8Array.of(9));
    expect(d.read(2 ** 36 - 2, 10)).toEqual(Uint8Array.of(0, 9));
    expect(() => d.truncate(MAX_FILE_SIZE + 1)).toThrow(FsError);
    expect(() => d.write(MAX_FILE_SIZE, Uint8Array.of(1))).toThrow(/EFBIG/);
  });

  it('reads zeros after shrink-then-grow', () => {
    const d = new FileData();
    d.write(0, new Uint8Array(100).fill(5));
    d.truncate(10);
    d.truncate(100);
    expect(d.read(0, 100)).toEqual(Uint8Array.from({ length: 100 }, (_, i) => (i < 10 ? 5 : 0)));
  });
});
