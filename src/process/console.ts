// The host side of the guest's standard streams: where fd 0 reads from and fds 1 and 2
// write to. The CLI connects the host's own streams; tests capture into buffers.

import { createHash, type Hash } from 'node:crypto';

export interface Console {
  /** Up to len bytes of standard input; an empty array is end of file. */
  readStdin(len: number): Uint8Array;
  /** Take the bytes; a host stream that took only part of them says how many (else all). */
  writeStdout(data: Uint8Array): number | void;
  writeStderr(data: Uint8Array): number | void;
}

/** Standard input from fixed bytes (a hermetic run's): the same reads in every run. */
export abstract class FixedInputConsole implements Console {
  private pos = 0;
  constructor(private readonly input: Uint8Array = new Uint8Array(0)) {}
  readStdin(len: number): Uint8Array {
    const chunk = this.input.subarray(this.pos, this.pos + len);
    this.pos += chunk.length;
    return chunk.slice();
  }
  abstract writeStdout(data: Uint8Array): number | void;
  abstract writeStderr(data: Uint8Array): number | void;
}

/** What a capture with a bound dropped of one stream: how many bytes, and a digest of them. */
export interface CutOutput {
  bytes: number;
  sha256: string;
}

/** One captured stream: every byte up to `keep`, then only a count and a digest of the rest. */
class Capture {
  private parts: Uint8Array[] = [];
  private kept = 0;
  private dropped = 0;
  private digest: Hash | null = null;
  constructor(private readonly keep: number) {}
  write(data: Uint8Array): void {
    const room = Math.max(0, this.keep - this.kept);
    if (data.length <= room) {
      this.parts.push(data.slice());
      this.kept += data.length;
      return;
    }
    if (room > 0) this.parts.push(data.slice(0, room));
    this.kept += room;
    this.dropped += data.length - room;
    (this.digest ??= createHash('sha256')).update(data.subarray(room));
  }
  get bytes(): Uint8Array {
    return concat(this.parts);
  }
  get cut(): CutOutput | undefined {
    return this.digest === null ? undefined : { bytes: this.dropped, sha256: this.digest.copy().digest('hex') };
  }
}

/**
 * A console with fixed input and captured output; `keep` bounds the bytes kept of each of
 * stdout and stderr (an exploration keeps every distinct outcome: a guest writing gigabytes
 * must not hold them all), past which only their count and digest are.
 */
export class CapturedConsole extends FixedInputConsole {
  private readonly out: Capture;
  private readonly err: Capture;
  constructor(input?: Uint8Array, keep = Infinity) {
    super(input);
    this.out = new Capture(keep);
    this.err = new Capture(keep);
  }
  writeStdout(data: Uint8Array): void {
    this.out.write(data);
  }
  writeStderr(data: Uint8Array): void {
    this.err.write(data);
  }
  get stdout(): Uint8Array {
    return this.out.bytes;
  }
  get stderr(): Uint8Array {
    return this.err.bytes;
  }
  /** What the bound dropped of each stream (undefined: nothing). */
  get cut(): { stdout?: CutOutput; stderr?: CutOutput } {
    const stdout = this.out.cut;
    const stderr = this.err.cut;
    return { ...(stdout !== undefined ? { stdout } : {}), ...(stderr !== undefined ? { stderr } : {}) };
  }
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
