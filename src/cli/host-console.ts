// The guest's standard streams connected to the host's: all three (procsim run), or output
// only, after fixed input (procsim replay).

import { readSync, writeSync } from 'node:fs';
import { type Console, FixedInputConsole } from '../process/console.ts';
import { ERRNO, type ErrnoName } from '../process/errno.ts';
import { FsError } from '../process/fs/fs-error.ts';

/**
 * A host stream that cannot take the bytes (stdout on /dev/full: ENOSPC; a pipe whose reader
 * went away: EPIPE, and the kernel adds SIGPIPE; EIO, EFBIG, ...)
 * fails the guest's write with that errno, as the same program under Linux or qemu would
 * see it; an unknown host error is EIO.
 */
function guestError(code: string | undefined): FsError {
  return new FsError(code !== undefined && code in ERRNO ? (code as ErrnoName) : 'EIO');
}

/** Write all of data, or what the host took before it failed (a short write: the next one fails). */
function writeAll(fd: number, data: Uint8Array): number {
  let off = 0;
  while (off < data.length) {
    try {
      off += writeSync(fd, data, off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      if (off > 0) return off;
      throw guestError(code);
    }
  }
  return off;
}

export class HostConsole implements Console {
  readStdin(len: number): Uint8Array {
    const buf = new Uint8Array(Math.min(len, 65536));
    for (;;) {
      try {
        return buf.subarray(0, readSync(0, buf, 0, buf.length, null));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') continue;
        if (code === 'EOF') return new Uint8Array(0);
        throw e;
      }
    }
  }
  writeStdout(data: Uint8Array): number {
    return writeAll(1, data);
  }
  writeStderr(data: Uint8Array): number {
    return writeAll(2, data);
  }
}

/**
 * A hermetic run's console (replay): stdin is the given bytes, and output goes to the host's
 * stdout and stderr as the guest writes it, so a run's output is never held whole. The run
 * must not depend on the host: a host stream that cannot take the bytes changes nothing the
 * guest sees; the first such failure is kept for the command to report.
 */
export class ForwardingConsole extends FixedInputConsole {
  hostError: string | null = null;
  writeStdout(data: Uint8Array): void {
    this.forward(1, data);
  }
  writeStderr(data: Uint8Array): void {
    this.forward(2, data);
  }
  private forward(fd: number, data: Uint8Array): void {
    if (this.hostError !== null) return;
    try {
      writeAll(fd, data);
    } catch (e) {
      const code = (e as FsError).code;
      if (code === 'EPIPE') return; // the host reader went away: the run goes on as it would anywhere
      this.hostError = `${fd === 1 ? 'stdout' : 'stderr'}: ${code === 'ENOSPC' ? 'ENOSPC: no space left on device' : code}`;
    }
  }
}
