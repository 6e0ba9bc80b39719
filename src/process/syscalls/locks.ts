// fcntl's record-lock commands (F_GETLK, F_SETLK, F_SETLKW and their OFD twins) and
// flock(2), over the kernel's lock table (locks.ts), with Linux's checks in Linux's order.

import { ERRNO } from '../errno.ts';
import { type OpenFile, SEEK_CUR, SEEK_END, SEEK_SET } from '../fd.ts';
import { F_GETLK, F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW, F_SETLKW, O_ACCMODE, O_PATH, O_RDONLY, O_WRONLY } from '../fs/flags.ts';
import type { Kernel } from '../kernel.ts';
import { F_RDLCK, F_UNLCK, F_WRLCK, type Lock, type LockType, OFFSET_MAX } from '../locks.ts';
import type { Process } from '../process.ts';
import type { Handler } from './table.ts';

/** struct flock on riscv64: l_type, l_whence (shorts), l_start, l_len (off_t), l_pid. */
const FLOCK_SIZE = 32;

/** The range a struct flock names, from its whence, start and len (flock_to_posix_lock). */
function range(f: OpenFile, whence: number, start: bigint, len: bigint): [bigint, bigint] | number {
  let base: bigint;
  if (whence === SEEK_SET) base = 0n;
  else if (whence === SEEK_CUR) base = BigInt(f.offset);
  else if (whence === SEEK_END) base = BigInt(f.backend.size() ?? 0);
  else return -ERRNO.EINVAL;
  if (start > OFFSET_MAX - base) return -ERRNO.EOVERFLOW;
  let from = base + start;
  if (from < 0n) return -ERRNO.EINVAL;
  let to: bigint;
  if (len > 0n) {
    if (len - 1n > OFFSET_MAX - from) return -ERRNO.EOVERFLOW;
    to = from + len - 1n;
  } else if (len < 0n) {
    to = from - 1n;
    from += len;
    if (from < 0n) return -ERRNO.EINVAL;
  } else to = OFFSET_MAX;
  return [from, to];
}

/** fcntl(fd, cmd, &flock) for a lock command; -EINVAL for a command that is not one. */
export function fcntlLock(k: Kernel, p: Process, f: OpenFile, cmd: number, addr: number): number {
  const ofd = cmd === F_OFD_GETLK || cmd === F_OFD_SETLK || cmd === F_OFD_SETLKW;
  const get = cmd === F_GETLK || cmd === F_OFD_GETLK;
  if (f.flags & O_PATH) return -ERRNO.EBADF;
  const raw = p.mem.read(addr, FLOCK_SIZE);
  const v = new DataView(raw.buffer, raw.byteOffset, FLOCK_SIZE);
  const type = v.getInt16(0, true);
  if (get && type !== F_RDLCK && type !== F_WRLCK) return -ERRNO.EINVAL;
  const r = range(f, v.getInt16(2, true), v.getBigInt64(8, true), v.getBigInt64(16, true));
  if (typeof r === 'number') return r;
  if (type !== F_RDLCK && type !== F_WRLCK && type !== F_UNLCK) return -ERRNO.EINVAL;
  const acc = f.flags & O_ACCMODE;
  if (!get && ((type === F_RDLCK && acc === O_WRONLY) || (type === F_WRLCK && acc === O_RDONLY))) return -ERRNO.EBADF;
  if (ofd && v.getInt32(24, true) !== 0) return -ERRNO.EINVAL;

  const key = k.locks.keyOf(f);
  const owner = ofd ? f : p.fds;
  const req = { type: type as LockType | typeof F_UNLCK, start: r[0], end: r[1], owner, pid: ofd ? -1 : p.pid };
  if (get) {
    const held = k.locks.recordConflict(key, req as Lock);
    if (held === undefined) v.setInt16(0, F_UNLCK, true);
    else {
      v.setInt16(0, held.type, true);
      v.setInt16(2, SEEK_SET, true);
      v.setBigInt64(8, held.start, true);
      v.setBigInt64(16, held.end === OFFSET_MAX ? 0n : held.end - held.start + 1n, true);
      v.setInt32(24, held.pid, true);
    }
    p.mem.write(addr, raw);
    return 0;
  }
  if (!ofd) k.locks.notWaiting(owner);
  if (req.type !== F_UNLCK) {
    const lock = req as Lock;
    const held = k.locks.recordConflict(key, lock);
    if (held !== undefined) {
      if (cmd !== F_SETLKW && cmd !== F_OFD_SETLKW) return -ERRNO.EAGAIN;
      if (!ofd && k.locks.deadlock(lock, held)) return -ERRNO.EDEADLK;
      if (!ofd) k.locks.waiting(p, key, lock);
      return k.block(p, 'lock', [k.locks.queue(key)]);
    }
  }
  k.locks.setRecord(key, req);
  return 0;
}

const LOCK_SH = 1;
const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;

/** flock(fd, op): a whole-file lock of the open file description. */
export const flock: Handler = (k, p, a) => {
  const op = a[1] | 0;
  const cmd = op & ~LOCK_NB;
  if (cmd !== LOCK_SH && cmd !== LOCK_EX && cmd !== LOCK_UN) return -ERRNO.EINVAL;
  const f = p.fds.file(a[0] | 0);
  if (f.flags & O_PATH) return -ERRNO.EBADF;
  const key = k.locks.keyOf(f);
  if (cmd === LOCK_UN) {
    k.locks.setFlock(key, f, F_UNLCK);
    return 0;
  }
  const type: LockType = cmd === LOCK_SH ? F_RDLCK : F_WRLCK;
  const mine = k.locks.flockOf(key, f);
  if (mine?.type === type) return 0;
  // A conversion is not atomic, as on Linux: the old lock goes before the new one is sought.
  if (mine !== undefined) k.locks.setFlock(key, f, F_UNLCK);
  const req: Lock = { type, start: 0n, end: OFFSET_MAX, owner: f, pid: -1 };
  if (k.locks.flockConflict(key, req) === undefined) {
    k.locks.setFlock(key, f, type);
    return 0;
  }
  return op & LOCK_NB ? -ERRNO.EAGAIN : k.block(p, 'flock', [k.locks.queue(key)]);
};
