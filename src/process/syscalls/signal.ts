// Signal dispositions and masks. Delivery to handlers comes with the multi-process kernel.

import { ERRNO } from '../errno.ts';
import { NSIG } from '../process.ts';
import { SIGKILL, SIGSTOP } from '../signals.ts';
import type { Handler } from './table.ts';

const SIG_BLOCK = 0;
const SIG_UNBLOCK = 1;
const SIG_SETMASK = 2;
/** SIGKILL and SIGSTOP can be neither caught nor blocked. */
const UNBLOCKABLE = (1n << BigInt(SIGKILL - 1)) | (1n << BigInt(SIGSTOP - 1));

/** struct sigaction of riscv64 (no sa_restorer): handler @0, flags @8, mask @16. */
export const rt_sigaction: Handler = (_k, p, a) => {
  const [sig, act, oact, size] = [a[0] | 0, a[1], a[2], a[3]];
  if (size !== 8 || sig < 1 || sig > NSIG) return -ERRNO.EINVAL;
  if (act !== 0 && (sig === SIGKILL || sig === SIGSTOP)) return -ERRNO.EINVAL;
  const cur = p.actions[sig];
  const next = act !== 0 ? new DataView(p.mem.read(act, 24).buffer) : null;
  if (oact !== 0) {
    const b = new Uint8Array(24);
    const dv = new DataView(b.buffer);
    dv.setBigUint64(0, BigInt(cur.handler), true);
    dv.setBigUint64(8, BigInt(cur.flags >>> 0), true);
    dv.setBigUint64(16, cur.mask, true);
    p.mem.write(oact, b);
  }
  if (next !== null) {
    cur.handler = Number(next.getBigUint64(0, true));
    cur.flags = Number(next.getBigUint64(8, true) & 0xffffffffn);
    cur.mask = next.getBigUint64(16, true) & ~UNBLOCKABLE;
  }
  return 0;
};

export const rt_sigprocmask: Handler = (_k, p, a) => {
  const [how, set, oset, size] = [a[0] | 0, a[1], a[2], a[3]];
  if (size !== 8) return -ERRNO.EINVAL;
  const old = p.sigmask;
  if (set !== 0) {
    const s = new DataView(p.mem.read(set, 8).buffer).getBigUint64(0, true);
    if (how === SIG_BLOCK) p.sigmask = old | s;
    else if (how === SIG_UNBLOCK) p.sigmask = old & ~s;
    else if (how === SIG_SETMASK) p.sigmask = s;
    else return -ERRNO.EINVAL;
    p.sigmask &= ~UNBLOCKABLE;
  }
  if (oset !== 0) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, old, true);
    p.mem.write(oset, b);
  }
  return 0;
};
