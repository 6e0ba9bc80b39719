// A captured console with a bound: the first `keep` bytes of each stream, then only the count
// and the digest of the rest, whatever the sizes of the writes.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CapturedConsole, concat } from '../../src/process/console.ts';
import { StdioBackend } from '../../src/process/files.ts';

describe('CapturedConsole', () => {
  it('keeps the first keep bytes of each stream, then counts and digests the rest', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 12 }), fc.array(fc.uint8Array({ maxLength: 40 })), fc.nat(120), (outs, errs, keep) => {
        const c = new CapturedConsole(undefined, keep);
        for (const o of outs) c.writeStdout(o);
        for (const e of errs) c.writeStderr(e);
        for (const [writes, got, cut] of [[outs, c.stdout, c.cut.stdout], [errs, c.stderr, c.cut.stderr]] as const) {
          const all = concat([...writes]);
          expect(got).toEqual(all.subarray(0, keep));
          if (all.length <= keep) expect(cut).toBeUndefined();
          else expect(cut).toEqual({ bytes: all.length - keep, sha256: createHash('sha256').update(all.subarray(keep)).digest('hex') });
        }
      }),
    );
  });

  it('keeps everything by default, and copies what it is given', () => {
    const c = new CapturedConsole();
    const b = new Uint8Array([1, 2, 3]);
    c.writeStdout(b);
    b[0] = 9;
    expect([...c.stdout]).toEqual([1, 2, 3]);
    expect(c.cut).toEqual({});
  });
});

describe('the standard streams as a file', () => {
  it('a write returns what the host stream took: a short host write is a short write, as on Linux', () => {
    const taken: number[] = [];
    const host = {
      readStdin: () => new Uint8Array(0),
      writeStdout: (d: Uint8Array) => (taken.push(d.length), Math.min(3, d.length)),
      writeStderr: () => undefined,
    };
    const clock = () => ({ sec: 0, nsec: 0 });
    expect(new StdioBackend(host, 1, clock).write(new Uint8Array(10))).toBe(3);
    expect(new StdioBackend(host, 2, clock).write(new Uint8Array(10))).toBe(10);
    expect(taken).toEqual([10]);
  });
});
