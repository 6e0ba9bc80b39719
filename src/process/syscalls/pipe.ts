// pipe2: a pipe's two ends as descriptors.

import { ERRNO } from '../errno.ts';
import { OpenFile } from '../fd.ts';
import { O_CLOEXEC, O_DIRECT, O_NONBLOCK, O_RDONLY, O_WRONLY } from '../fs/flags.ts';
import { Pipe, PipeReadEnd, PipeWriteEnd } from '../pipe.ts';
import type { Handler } from './table.ts';

export const pipe2: Handler = (k, p, a) => {
  const flags = a[1] | 0;
  if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) return -ERRNO.EINVAL;
  if (flags & O_DIRECT) return -ERRNO.EINVAL; // packet mode is not modelled
  const pipe = new Pipe(k.newPipeIno(), () => k.wallClock(), (q) => k.wakeQueue(q));
  const name = `pipe:[${pipe.ino}]`;
  const status = flags & O_NONBLOCK;
  const r = new OpenFile(new PipeReadEnd(pipe), O_RDONLY | status, name);
  const w = new OpenFile(new PipeWriteEnd(pipe), O_WRONLY | status, name);
  const cloexec = (flags & O_CLOEXEC) !== 0;
  const rfd = p.fds.install(r, cloexec);
  let wfd: number;
  try {
    wfd = p.fds.install(w, cloexec);
  } catch (e) {
    p.fds.close(rfd);
    throw e;
  }
  const b = new Uint8Array(8);
  const dv = new DataView(b.buffer);
  dv.setInt32(0, rfd, true);
  dv.setInt32(4, wfd, true);
  try {
    p.mem.write(a[0], b);
  } catch (e) {
    p.fds.close(rfd);
    p.fds.close(wfd);
    throw e;
  }
  return 0;
};
