// AF_UNIX sockets as far as programs get on a machine where nobody listens: socket succeeds,
// connect finds no listener (ENOENT when the path is missing, as glibc's nscd client sees
// it, ECONNREFUSED otherwise), and an unconnected socket reads and writes as Linux's do.
// Other address families are EAFNOSUPPORT: no network stack is modelled.

import { ERRNO } from '../errno.ts';
import { type FileBackend, OpenFile } from '../fd.ts';
import { atBase } from '../files.ts';
import { FsError } from '../fs/fs-error.ts';
import { O_CLOEXEC, O_NONBLOCK, O_RDWR, S_IFMT, S_IFSOCK } from '../fs/flags.ts';
import { SOCK_DEV } from '../fs/mounts.ts';
import type { Stat } from '../fs/stat.ts';
import { POLLHUP, POLLOUT } from '../pipe.ts';
import { WaitQueue } from '../wait-queue.ts';
import type { Handler } from './table.ts';

const AF_UNSPEC = 0;
const AF_UNIX = 1;
const AF_MAX = 46;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const SOCK_RAW = 3;
const SOCK_SEQPACKET = 5;
const SOCK_TYPE_MASK = 0xf;
const SOCK_MAX = 11;
const SOCK_NONBLOCK = O_NONBLOCK;
const SOCK_CLOEXEC = O_CLOEXEC;
/** sizeof(struct sockaddr_un) and sizeof(struct sockaddr_storage). */
const SOCKADDR_UN_SIZE = 110;
const SOCKADDR_STORAGE_SIZE = 128;

/** An AF_UNIX socket that is not connected, and never will be: no peer exists. */
export class UnixSocket implements FileBackend {
  /** Nothing ever arrives: a datagram reader waits here until a signal. */
  readonly queue = new WaitQueue();
  constructor(
    readonly type: number,
    private readonly ino: number,
    private readonly clock: () => { sec: number; nsec: number },
  ) {}
  read(): Uint8Array | null {
    if (this.type === SOCK_DGRAM) return null;
    throw new FsError(this.type === SOCK_STREAM ? 'EINVAL' : 'ENOTCONN');
  }
  write(): number {
    throw new FsError('ENOTCONN');
  }
  poll(): number {
    return this.type === SOCK_DGRAM ? POLLOUT : POLLOUT | POLLHUP;
  }
  size(): null {
    return null;
  }
  stat(): Stat {
    const t = this.clock();
    return {
      dev: SOCK_DEV, ino: this.ino, mode: S_IFSOCK | 0o777, nlink: 1, uid: 0, gid: 0, rdev: 0,
      size: 0, blksize: 4096, blocks: 0, atime: t, mtime: t, ctime: t,
    };
  }
}

export const socket: Handler = (k, p, a) => {
  const [domain, typeArg, protocol] = [a[0] | 0, a[1] | 0, a[2] | 0];
  // __sys_socket's order: the flags, the family's range, the type's range, then the family.
  const flags = typeArg & ~SOCK_TYPE_MASK;
  if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) return -ERRNO.EINVAL;
  if (domain < 0 || domain >= AF_MAX) return -ERRNO.EAFNOSUPPORT;
  if ((typeArg & SOCK_TYPE_MASK) >= SOCK_MAX) return -ERRNO.EINVAL;
  if (domain !== AF_UNIX) return -ERRNO.EAFNOSUPPORT;
  if (protocol !== 0 && protocol !== AF_UNIX) return -ERRNO.EPROTONOSUPPORT;
  let type = typeArg & SOCK_TYPE_MASK;
  if (type === SOCK_RAW) type = SOCK_DGRAM; // unix_create does the same
  if (type !== SOCK_STREAM && type !== SOCK_DGRAM && type !== SOCK_SEQPACKET) return -ERRNO.ESOCKTNOSUPPORT;
  const ino = k.newPipeIno();
  const sock = new UnixSocket(type, ino, () => k.wallClock());
  const file = new OpenFile(sock, O_RDWR | (flags & SOCK_NONBLOCK), `socket:[${ino}]`);
  return p.fds.install(file, (flags & SOCK_CLOEXEC) !== 0);
};

export const connect: Handler = (k, p, a) => {
  // The address is copied in before the descriptor is looked at (__sys_connect).
  const len = a[2] | 0;
  if (len < 0 || len > SOCKADDR_STORAGE_SIZE) return -ERRNO.EINVAL;
  const addr = p.mem.read(a[1], len);
  const be = p.fds.file(a[0] | 0).backend;
  if (!(be instanceof UnixSocket)) return -ERRNO.ENOTSOCK;
  const family = len >= 2 ? addr[0] | (addr[1] << 8) : -1;
  if (be.type === SOCK_DGRAM) {
    if (len < 2) return -ERRNO.EINVAL;
    if (family === AF_UNSPEC) return 0; // dissolves an association it never had
  }
  if (len <= 2 || len > SOCKADDR_UN_SIZE || family !== AF_UNIX) return -ERRNO.EINVAL;
  if (addr[2] === 0) return -ERRNO.ECONNREFUSED; // an abstract name nobody bound
  let end = addr.indexOf(0, 2);
  if (end < 0) end = len;
  const path = String.fromCharCode(...addr.subarray(2, end));
  const inode = k.fs.resolve(atBase(p, -100, path), path, true, p);
  if ((inode.mode & S_IFMT) !== S_IFSOCK) return -ERRNO.ECONNREFUSED;
  return -ERRNO.ECONNREFUSED; // a socket file, but no listener is bound to it
};
