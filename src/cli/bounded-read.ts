// Reading a host file that procsim holds whole (a hermetic run's --stdin, a rootfs tar, a
// hermetic target's ELF) with a bound, so that /dev/zero, an endless pipe or a huge file is a
// one-line usage error instead of the host's memory. Streams (a pipe for --stdin) are read
// until EOF up to the bound; anything else must be a regular file no larger than it.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { UsageError } from './args.ts';

const MiB = 1 << 20;
const human = (n: number): string => (n % (1 << 30) === 0 ? `${n / (1 << 30)} GiB` : `${Math.round(n / MiB)} MiB`);

export interface BoundedRead {
  /** The flag as the message names it: "--stdin FILE". */
  what: string;
  max: number;
  /** Why it is held whole and what to do instead, for the message. */
  fix: string;
  /** Pipes and sockets are read to EOF (else: regular files only). */
  streams?: boolean;
}

export function readBounded(path: string, o: BoundedRead): Uint8Array {
  let fd;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new UsageError(`${o.what}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    const stream = st.isFIFO() || st.isSocket();
    if (!st.isFile() && !(o.streams === true && stream)) throw new UsageError(`${o.what}: not a regular file${o.streams === true ? ' or a pipe' : ''}`);
    if (st.isFile() && st.size > o.max) throw new UsageError(`${o.what}: ${human(st.size)} is more than the ${human(o.max)} procsim reads (${o.fix})`);
    // A pipe gives 64 KiB a read: each chunk is filled before the next is made, so memory is
    // what was read, not one 8 MiB buffer per read.
    const chunks: Uint8Array[] = [];
    let total = 0;
    let buf = new Uint8Array(0);
    let fill = 0;
    for (;;) {
      if (fill === buf.length) {
        if (fill > 0) chunks.push(buf);
        buf = new Uint8Array(Math.min(8 * MiB, o.max + 1 - total));
        fill = 0;
      }
      let n;
      try {
        n = readSync(fd, buf, fill, buf.length - fill, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') continue;
        throw new UsageError(`${o.what}: ${code ?? (e as Error).message}`);
      }
      if (n === 0) break;
      fill += n;
      total += n;
      if (total > o.max) throw new UsageError(`${o.what}: more than the ${human(o.max)} procsim reads (${o.fix})`);
    }
    if (fill > 0) chunks.push(buf.subarray(0, fill));
    if (chunks.length === 1) return chunks[0];
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/** A hermetic run's stdin: every run of a sweep gets the same bytes, so they are held. */
export const STDIN_MAX = 256 * MiB;
/** A rootfs tar is held whole (its files are slices of it). */
export const TAR_MAX = 2047 * MiB;
/** A hermetic target's ELF. */
export const ELF_MAX = 1024 * MiB;
