// The guest's standard streams connected to the host's (procsim run).

import { readSync, writeSync } from 'node:fs';
import type { Console } from '../process/console.ts';

function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) {
    try {
      off += writeSync(fd, data, off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      if (code === 'EPIPE') return; // the host reader went away; the guest keeps running
      throw e;
    }
  }
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
  writeStdout(data: Uint8Array): void {
    writeAll(1, data);
  }
  writeStderr(data: Uint8Array): void {
    writeAll(2, data);
  }
}
