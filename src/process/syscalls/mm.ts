// Memory syscalls: brk, mmap, munmap, mprotect, mremap, madvise.

import { ADDR_LIMIT, PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE } from '../../emu/memory.ts';
import { contentPage } from '../../emu/content-pages.ts';
import { ERRNO } from '../errno.ts';
import { InodeBackend } from '../files.ts';
import { FsError } from '../fs/fs-error.ts';
import { brkLimit, canGrowInto, findMmapSpace, fixedMappingAllowed, MAX_MAPPING } from '../address-space.ts';
import { fdPath } from '../procfs.ts';
import type { Handler } from './table.ts';

export const MAP_PRIVATE = 0x02;
/** MAP_SHARED_VALIDATE, also the mask of the mapping-type bits. */
export const MAP_SHARED_VALIDATE = 0x03;
const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;
const MAP_FIXED_NOREPLACE = 0x100000;
const MREMAP_MAYMOVE = 1;
const MREMAP_FIXED = 2;
const MADV_DONTNEED = 4;

const pageUp = (n: number): number => Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;

export const brk: Handler = (_k, p, a) => {
  const want = a[0];
  if (want < p.brkStart || want >= brkLimit(p.brkStart)) return p.brk;
  const oldTop = pageUp(p.brk);
  const newTop = pageUp(want);
  if (newTop > oldTop) {
    if (p.mem.anyMapped(oldTop, newTop - oldTop)) return p.brk;
    try {
      p.mem.map(oldTop, newTop - oldTop, PROT_READ | PROT_WRITE);
    } catch {
      return p.brk; // over the memory limit: Linux reports failure by not moving the break
    }
  } else if (newTop < oldTop) p.mem.unmap(newTop, oldTop - newTop);
  p.brk = want;
  return want;
};

export const mmap: Handler = (k, p, a) => {
  const [addr, len, prot, flags, fd, off] = [a[0], a[1], a[2] | 0, a[3] | 0, a[4] | 0, a[5]];
  const type = flags & MAP_SHARED_VALIDATE;
  if (len <= 0 || type === 0 || off % PAGE_SIZE !== 0 || off < 0) return -ERRNO.EINVAL;
  if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) return -ERRNO.EINVAL;
  const size = pageUp(len);
  if (size > MAX_MAPPING) return -ERRNO.ENOMEM;
  const fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) !== 0;
  let where: number;
  if (fixed) {
    if (addr % PAGE_SIZE !== 0) return -ERRNO.EINVAL;
    if (!fixedMappingAllowed(addr, size)) return -ERRNO.ENOMEM;
    if (flags & MAP_FIXED_NOREPLACE && p.mem.anyMapped(addr, size)) return -ERRNO.EEXIST;
    where = addr;
  } else {
    where = findMmapSpace(p.mem, size, addr);
    if (where < 0) return -ERRNO.ENOMEM;
  }
  if ((flags & MAP_ANONYMOUS) !== 0) {
    p.mem.map(where, size, prot, type !== MAP_PRIVATE);
    p.mappings.cut(where, where + size);
    return where;
  }
  const file = p.fds.file(fd);
  // Linux's order: a shared writable mapping needs a descriptor open for writing, every
  // mapping one open for reading, and then a file that can be mapped at all.
  const sharedWrite = type !== MAP_PRIVATE && (prot & PROT_WRITE) !== 0;
  if (sharedWrite && (file.flags & 3) !== 2) return -ERRNO.EACCES;
  if ((file.flags & 3) === 1) return -ERRNO.EACCES;
  const be = file.backend;
  const known = be.size();
  if (known === null || (be instanceof InodeBackend && be.inode.kind === 'dir')) return -ERRNO.ENODEV;
  const inode = be instanceof InodeBackend && be.inode.kind === 'file' ? be.inode : null;
  // Shared writable memory of a device (Linux's shared /dev/zero) is not modelled.
  if (sharedWrite && inode === null) return -ERRNO.ENODEV;
  /** Bytes of the mapping that the file backs. */
  const inFile = Math.min(size, Math.max(0, pageUp(known - off)));
  const filePages = inFile / PAGE_SIZE;
  const first = where / PAGE_SIZE;
  const pristine = inode?.data.pristine ?? null;
  if (inode !== null && (type !== MAP_PRIVATE || pristine === null)) {
    // The file's own pages (its page cache): a shared mapping writes them in place, a
    // private one copies a page on its first write and sees the file's changes until then.
    p.mem.map(where, size, prot, type !== MAP_PRIVATE);
    for (let i = 0; i < filePages; i++) p.mem.sharePage(first + i, inode.data.mappedPage(off / PAGE_SIZE + i));
  } else if (pristine !== null) {
    // The file is still the bytes it was seeded with: pages shared by every run that maps them.
    p.mem.map(where, size, prot);
    const pages = Math.ceil(Math.min(size, Math.max(0, pristine.length - off)) / PAGE_SIZE);
    for (let i = 0; i < pages; i++) p.mem.sharePage(first + i, contentPage(pristine, off / PAGE_SIZE + i));
  } else {
    // Not a regular file (a device, a /proc file): a copy of what it reads now.
    const content = be.read(size, off);
    p.mem.map(where, size, prot);
    if (content !== null && content.length > 0) p.mem.poke(where, content);
  }
  if (be instanceof InodeBackend) {
    const { dev, ino } = be.inode;
    p.mappings.add({ start: where, end: where + size, path: fdPath(k, p, file, be.inode), offset: off, dev, ino, shared: type !== MAP_PRIVATE });
  } else p.mappings.cut(where, where + size);
  // Pages wholly past the end of the file fault with SIGBUS (the file's size at mmap time:
  // a file that grows later does not make them readable here, as it would on Linux).
  if (inFile < size) p.mem.markPastEof(where + inFile, size - inFile);
  return where;
};

const MS_ASYNC = 1;
const MS_INVALIDATE = 2;
const MS_SYNC = 4;

/** Shared file mappings are the file's own pages, so there is nothing to write back. */
export const msync: Handler = (_k, p, a) => {
  const [addr, len, flags] = [a[0], a[1], a[2] | 0];
  if (addr % PAGE_SIZE !== 0 || flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC) || (flags & MS_ASYNC && flags & MS_SYNC)) return -ERRNO.EINVAL;
  for (let at = addr; at < addr + pageUp(len); at += PAGE_SIZE) if (p.mem.protOf(at / PAGE_SIZE) < 0) return -ERRNO.ENOMEM;
  return 0;
};

export const munmap: Handler = (_k, p, a) => {
  const [addr, len] = [a[0], a[1]];
  if (addr % PAGE_SIZE !== 0 || len <= 0 || addr < 0 || addr + len > ADDR_LIMIT) return -ERRNO.EINVAL;
  p.mem.unmap(addr, pageUp(len));
  p.mappings.cut(addr, addr + pageUp(len));
  return 0;
};

export const mprotect: Handler = (_k, p, a) => {
  const [addr, len, prot] = [a[0], a[1], a[2] | 0];
  if (addr % PAGE_SIZE !== 0 || len < 0 || prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) return -ERRNO.EINVAL;
  if (len === 0) return 0;
  return p.mem.protect(addr, pageUp(len), prot) ? 0 : -ERRNO.ENOMEM;
};

export const mremap: Handler = (_k, p, a) => {
  const [old, oldLen, newLen, flags] = [a[0], pageUp(a[1]), pageUp(a[2]), a[3] | 0];
  if (old % PAGE_SIZE !== 0 || newLen === 0 || flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) return -ERRNO.EINVAL;
  if (flags & MREMAP_FIXED) return -ERRNO.EINVAL; // no caller of ours needs it; say so rather than guess
  const prot = p.mem.protOf(old / PAGE_SIZE);
  if (prot < 0 || oldLen === 0) return -ERRNO.EFAULT;
  for (let a2 = old; a2 < old + oldLen; a2 += PAGE_SIZE) if (p.mem.protOf(a2 / PAGE_SIZE) < 0) return -ERRNO.EFAULT;
  if (newLen <= oldLen) {
    if (newLen < oldLen) {
      p.mem.unmap(old + newLen, oldLen - newLen);
      p.mappings.cut(old + newLen, old + oldLen);
    }
    return old;
  }
  const growth = newLen - oldLen;
  if (canGrowInto(old, newLen) && !p.mem.anyMapped(old + oldLen, growth)) {
    p.mem.map(old + oldLen, growth, prot);
    return old;
  }
  if ((flags & MREMAP_MAYMOVE) === 0) return -ERRNO.ENOMEM;
  const where = findMmapSpace(p.mem, newLen);
  if (where < 0) return -ERRNO.ENOMEM;
  p.mem.move(old, oldLen, where);
  p.mem.map(where + oldLen, growth, prot);
  p.mappings.move(old, oldLen, where);
  return where;
};

export const madvise: Handler = (_k, p, a) => {
  const [addr, len, advice] = [a[0], a[1], a[2] | 0];
  if (addr % PAGE_SIZE !== 0 || len < 0) return -ERRNO.EINVAL;
  if (advice === MADV_DONTNEED) {
    // Private anonymous pages read back as zeros afterwards: remap them fresh.
    for (let at = addr; at < addr + pageUp(len); at += PAGE_SIZE) {
      const prot = p.mem.protOf(at / PAGE_SIZE);
      if (prot < 0) throw new FsError('ENOMEM');
      p.mem.map(at, PAGE_SIZE, prot);
    }
  }
  return 0;
};

