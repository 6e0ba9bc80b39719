// Pipes as a data structure (src/process/pipe.ts), checked against an array model: random
// sequences of writes, reads and end closings keep bytes in order, respect the 64 KiB
// capacity and PIPE_BUF atomicity, report EOF only once every writer is gone and EPIPE
// once every reader is, poll bits follow the state, and waiters are woken on every change.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FsError } from '../../../src/process/fs/fs-error.ts';
import {
  Pipe, PIPE_BUF, PIPE_CAPACITY, PipeReadEnd, PipeWriteEnd, POLLERR, POLLHUP, POLLIN, POLLOUT,
} from '../../../src/process/pipe.ts';
import { Process } from '../../../src/process/process.ts';
import type { WaitQueue } from '../../../src/process/wait-queue.ts';

const clock = () => ({ sec: 0, nsec: 0 });

function errorCode(f: () => unknown): string | null {
  try {
    f();
    return null;
  } catch (e) {
    if (e instanceof FsError) return e.code;
    throw e;
  }
}

/** A pipe whose wakeups are recorded: each one takes every waiter off the queue. */
function newPipe(): { pipe: Pipe; wakeups: number[] } {
  const wakeups: number[] = [];
  const pipe = new Pipe(7, clock, (q: WaitQueue) => wakeups.push(q.takeAll().length));
  return { pipe, wakeups };
}

type Op =
  | { kind: 'write'; end: number; len: number; fill: number }
  | { kind: 'read'; end: number; len: number }
  | { kind: 'closeR'; end: number }
  | { kind: 'closeW'; end: number }
  | { kind: 'openR' }
  | { kind: 'openW' };

// Sizes cluster around the interesting boundaries: tiny, PIPE_BUF, and the capacity.
const size = fc.oneof(
  fc.integer({ min: 0, max: 16 }),
  fc.integer({ min: PIPE_BUF - 2, max: PIPE_BUF + 2 }),
  fc.integer({ min: 0, max: PIPE_CAPACITY + 100 }),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('write' as const), end: fc.nat(3), len: size, fill: fc.integer({ min: 1, max: 255 }) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('read' as const), end: fc.nat(3), len: size }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('closeR' as const), end: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('closeW' as const), end: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('openR' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('openW' as const) }) },
);

describe('pipe against an array model', () => {
  it('keeps bytes in order, honours capacity, PIPE_BUF atomicity, EOF, EPIPE and poll bits', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const { pipe, wakeups } = newPipe();
        const readers: PipeReadEnd[] = [new PipeReadEnd(pipe)];
        const writers: PipeWriteEnd[] = [new PipeWriteEnd(pipe)];
        const model: number[] = [];
        let serial = 0; // distinct byte values per write, so reordering would show
        const waiter = new Process(99);

        for (const o of ops) {
          // A waiter is parked before each op: a state change must wake it, no change must not.
          pipe.queue.add(waiter);
          const before = wakeups.length;
          let changed = false;
          switch (o.kind) {
            case 'write': {
              if (writers.length === 0) continue;
              const w = writers[o.end % writers.length];
              const data = new Uint8Array(o.len).map((_, i) => (o.fill + i + serial) & 0xff);
              serial++;
              if (readers.length === 0) {
                // Linux looks for readers only when there is something to write.
                if (data.length === 0) expect(w.write(data)).toBe(0);
                else expect(errorCode(() => w.write(data))).toBe('EPIPE');
                break;
              }
              const space = PIPE_CAPACITY - model.length;
              const n = w.write(data);
              if (o.len <= PIPE_BUF) expect(n).toBe(o.len <= space ? o.len : 0); // all or nothing
              else expect(n).toBe(Math.min(o.len, space)); // as much as fits
              model.push(...data.subarray(0, n));
              changed = n > 0;
              break;
            }
            case 'read': {
              if (readers.length === 0) continue;
              const r = readers[o.end % readers.length];
              const got = r.read(o.len);
              if (model.length > 0) {
                const want = model.splice(0, Math.min(o.len, model.length));
                expect(got).not.toBeNull();
                expect([...got!]).toEqual(want);
                changed = want.length > 0;
              } else if (writers.length === 0 || o.len === 0) {
                expect(got).toEqual(new Uint8Array(0)); // end of file (or an empty read)
              } else {
                expect(got).toBeNull(); // would block
              }
              break;
            }
            case 'closeR':
              if (readers.length === 0) continue;
              readers.splice(o.end % readers.length, 1)[0].release();
              changed = true;
              break;
            case 'closeW':
              if (writers.length === 0) continue;
              writers.splice(o.end % writers.length, 1)[0].release();
              changed = true;
              break;
            case 'openR':
              readers.push(new PipeReadEnd(pipe));
              break;
            case 'openW':
              writers.push(new PipeWriteEnd(pipe));
              break;
          }
          expect(wakeups.length - before).toBe(changed ? 1 : 0);
          if (changed) expect(wakeups[wakeups.length - 1]).toBe(1);
          pipe.queue.takeAll();

          expect(pipe.len).toBe(model.length);
          expect(pipe.readers).toBe(readers.length);
          expect(pipe.writers).toBe(writers.length);
          expect(pipe.len).toBeLessThanOrEqual(PIPE_CAPACITY);
          for (const r of readers) {
            expect(r.poll()).toBe((model.length > 0 ? POLLIN : 0) | (writers.length === 0 ? POLLHUP : 0));
          }
          for (const w of writers) {
            const out = PIPE_CAPACITY - model.length >= PIPE_BUF ? POLLOUT : 0;
            expect(w.poll()).toBe(readers.length === 0 ? out | POLLERR : out);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('wraps around the ring without losing or reordering bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 30 }), (chunks) => {
        const { pipe } = newPipe();
        const r = new PipeReadEnd(pipe);
        const w = new PipeWriteEnd(pipe);
        const sent: number[] = [];
        const got: number[] = [];
        let v = 0;
        for (const n of chunks) {
          const data = new Uint8Array(n).map(() => v++ & 0xff);
          const taken = w.write(data);
          sent.push(...data.subarray(0, taken));
          got.push(...r.read(Math.ceil(n / 2))!);
        }
        w.release();
        for (let chunk = r.read(PIPE_CAPACITY); chunk!.length > 0; chunk = r.read(PIPE_CAPACITY)) got.push(...chunk!);
        expect(got).toEqual(sent);
      }),
      { numRuns: 100 },
    );
  });

  it('reads and writes of the wrong end fail with EBADF', () => {
    const { pipe } = newPipe();
    const r = new PipeReadEnd(pipe);
    const w = new PipeWriteEnd(pipe);
    expect(errorCode(() => r.write())).toBe('EBADF');
    expect(errorCode(() => w.read())).toBe('EBADF');
    expect(r.size()).toBeNull();
    expect(r.stat().ino).toBe(7);
    expect(r.stat().mode & 0o170000).toBe(0o010000); // S_IFIFO
  });

  it('an end closing without waiters wakes nobody; with waiters wakes them all in order', () => {
    const { pipe, wakeups } = newPipe();
    const r = new PipeReadEnd(pipe);
    const w = new PipeWriteEnd(pipe);
    w.release();
    expect(wakeups).toEqual([]);
    const a = new Process(2);
    const b = new Process(3);
    pipe.queue.add(a);
    pipe.queue.add(b);
    pipe.queue.add(a); // parked once only
    expect(pipe.queue.size).toBe(2);
    r.release();
    expect(wakeups).toEqual([2]);
    expect(pipe.queue.size).toBe(0);
  });
});
