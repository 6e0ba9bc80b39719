// ppoll and pselect6: readiness of descriptors. With nothing ready the caller blocks on the
// wait queues of every stream it polls (and its timeout); any change wakes it to look again.

import { ERRNO } from '../errno.ts';
import type { OpenFile } from '../fd.ts';
import { MAX_FDS } from '../fd.ts';
import type { Kernel } from '../kernel.ts';
import { POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI } from '../pipe.ts';
import { expiry, NO_DEADLINE, NS_PER_SEC, type Process } from '../process.ts';
import { restoreTemporaryMask, useTemporaryMask } from '../signal-delivery.ts';
import type { WaitQueue } from '../wait-queue.ts';
import type { Handler } from './table.ts';

const POLLRDNORM = 0x40;
const POLLWRNORM = 0x100;

/** Readiness of a description; files and devices are always ready, as on Linux. */
function readiness(f: OpenFile): number {
  let r = f.backend.poll?.() ?? POLLIN | POLLOUT;
  if (r & POLLIN) r |= POLLRDNORM;
  if (r & POLLOUT) r |= POLLWRNORM;
  return r;
}

/** A timespec argument in exact ns (null: wait forever; -1n: malformed, EINVAL). */
function readTimeout(p: Process, addr: number): bigint | null {
  if (addr === 0) return null;
  const dv = new DataView(p.mem.read(addr, 16).buffer);
  const sec = dv.getBigInt64(0, true);
  const nsec = dv.getBigInt64(8, true);
  if (sec < 0n || nsec < 0n || nsec >= NS_PER_SEC) return -1n;
  return sec * NS_PER_SEC + nsec;
}

/**
 * The part both calls share: on first entry install the temporary signal mask and the
 * deadline; when something is ready (or time is up) restore the mask and return the
 * count; else block on the queues.
 */
function pollWait(k: Kernel, p: Process, ready: number, queues: WaitQueue[], a: { tmo: number; mask: number; maskSize: number }): number {
  if (!k.resumed(p)) {
    const ns = readTimeout(p, a.tmo);
    if (ns !== null && ns < 0n) return -ERRNO.EINVAL;
    if (a.mask !== 0) {
      if (a.maskSize !== 8) return -ERRNO.EINVAL;
      useTemporaryMask(p, p.mem.readU64(a.mask));
    }
    p.deadline = ns === null ? NO_DEADLINE : expiry(k.timeNs, ns);
  }
  if (ready > 0 || k.timeNs >= p.deadline) {
    restoreTemporaryMask(p);
    if (ready === 0 && a.tmo !== 0) p.mem.write(a.tmo, new Uint8Array(16)); // no time left
    return ready;
  }
  return k.block(p, 'poll', queues, p.deadline);
}

function queueOf(f: OpenFile, into: WaitQueue[]): void {
  const q = f.backend.queue;
  if (q !== undefined && !into.includes(q)) into.push(q);
}

export const ppoll: Handler = (k, p, a) => {
  const [fdsAddr, nfds] = [a[0], a[1]];
  if (nfds < 0 || nfds > MAX_FDS) return -ERRNO.EINVAL;
  const raw = p.mem.read(fdsAddr, nfds * 8);
  const dv = new DataView(raw.buffer);
  let ready = 0;
  const queues: WaitQueue[] = [];
  for (let i = 0; i < nfds; i++) {
    const fd = dv.getInt32(8 * i, true);
    const events = dv.getInt16(8 * i + 4, true);
    let revents = 0;
    if (fd >= 0) {
      const e = p.fds.get(fd);
      if (e === undefined) revents = POLLNVAL;
      else {
        revents = readiness(e.file) & (events | POLLERR | POLLHUP);
        queueOf(e.file, queues);
      }
    }
    dv.setInt16(8 * i + 6, revents, true);
    if (revents !== 0) ready++;
  }
  const r = pollWait(k, p, ready, queues, { tmo: a[2], mask: a[3], maskSize: a[4] });
  if (r >= 0 && nfds > 0) p.mem.write(fdsAddr, raw);
  return r;
};

const SELECT_IN = POLLIN | POLLRDNORM | POLLHUP | POLLERR;
const SELECT_OUT = POLLOUT | POLLWRNORM | POLLERR;
const SELECT_EX = POLLPRI;

export const pselect6: Handler = (k, p, a) => {
  const nfds = a[0] | 0;
  if (nfds < 0 || nfds > MAX_FDS) return -ERRNO.EINVAL;
  const bytes = Math.ceil(nfds / 64) * 8;
  const sets = [a[1], a[2], a[3]].map((addr) => (addr === 0 ? null : p.mem.read(addr, bytes)));
  const out = sets.map((s) => (s === null ? null : new Uint8Array(s.length)));
  const want = [SELECT_IN, SELECT_OUT, SELECT_EX];
  let ready = 0;
  const queues: WaitQueue[] = [];
  for (let fd = 0; fd < nfds; fd++) {
    const bit = 1 << (fd & 7);
    const asked = sets.map((s) => s !== null && (s[fd >> 3] & bit) !== 0);
    if (!asked.some(Boolean)) continue;
    const e = p.fds.get(fd);
    if (e === undefined) return -ERRNO.EBADF;
    const r = readiness(e.file);
    queueOf(e.file, queues);
    for (let i = 0; i < 3; i++) {
      if (asked[i] && r & want[i]) {
        out[i]![fd >> 3] |= bit;
        ready++;
      }
    }
  }
  // The sigmask argument is a {const sigset_t *ss; size_t ss_len} pair.
  let mask = 0;
  let maskSize = 8;
  if (a[5] !== 0) {
    const mv = new DataView(p.mem.read(a[5], 16).buffer);
    mask = Number(mv.getBigUint64(0, true));
    maskSize = Number(mv.getBigUint64(8, true));
  }
  const r = pollWait(k, p, ready, queues, { tmo: a[4], mask, maskSize });
  if (r >= 0) out.forEach((o, i) => o !== null && p.mem.write([a[1], a[2], a[3]][i], o));
  return r;
};
