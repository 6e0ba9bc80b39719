// The host side of the guest's standard streams: where fd 0 reads from and fds 1 and 2
// write to. The CLI connects the host's own streams; tests capture into buffers.

export interface Console {
  /** Up to len bytes of standard input; an empty array is end of file. */
  readStdin(len: number): Uint8Array;
  writeStdout(data: Uint8Array): void;
  writeStderr(data: Uint8Array): void;
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
  abstract writeStdout(data: Uint8Array): void;
  abstract writeStderr(data: Uint8Array): void;
}

/** A console with fixed input and captured output. */
export class CapturedConsole extends FixedInputConsole {
  private out: Uint8Array[] = [];
  private err: Uint8Array[] = [];
  writeStdout(data: Uint8Array): void {
    this.out.push(data.slice());
  }
  writeStderr(data: Uint8Array): void {
    this.err.push(data.slice());
  }
  get stdout(): Uint8Array {
    return concat(this.out);
  }
  get stderr(): Uint8Array {
    return concat(this.err);
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
