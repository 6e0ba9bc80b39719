// Memory syscalls: brk, mmap, munmap, mprotect, mremap, madvise.

import { ADDR_LIMIT, PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE } from '../../emu/memory.ts';
import { contentPage } from '../../emu/content-pages.ts';
import { ERRNO } from '../errno.ts';
import { InodeBackend } from '../files.ts';
import { FsError } from '../fs/fs-error.ts';
import { brkLimit, canGrowInto, findMmapSpace, fixedMappingAllowed, MAX_MAPPING } from '../address-space.ts';
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

export const mmap: Handler = (_k, p, a) => {
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
  let content: Uint8Array | null = null;
  let pristine: Uint8Array | null = null;
  /** Bytes of the mapping that the file backs (all of it for an anonymous mapping). */
  let inFile = size;
  if ((flags & MAP_ANONYMOUS) === 0) {
    const file = p.fds.file(fd);
    if ((file.flags & 3) === 1) return -ERRNO.EACCES; // write-only descriptor
    if (type !== MAP_PRIVATE && prot & PROT_WRITE) {
      // Writes through a shared file mapping would have to reach the file: not modelled.
      return -ERRNO.ENODEV;
    }
    const known = file.backend.size();
    if (known === null) return -ERRNO.ENODEV;
    inFile = Math.min(size, Math.max(0, pageUp(known - off)));
    const be = file.backend;
    pristine = be instanceof InodeBackend && be.inode.kind === 'file' ? be.inode.data.pristine : null;
    if (pristine === null) content = file.backend.read(size, off);
  }
  p.mem.map(where, size, prot, type !== MAP_PRIVATE && content === null && pristine === null);
  if (pristine !== null) {
    // The file is still the bytes it was seeded with: share its pages instead of copying.
    const pages = Math.ceil(Math.min(size, Math.max(0, pristine.length - off)) / PAGE_SIZE);
    for (let i = 0; i < pages; i++) p.mem.sharePage(where / PAGE_SIZE + i, contentPage(pristine, off / PAGE_SIZE + i));
  } else if (content !== null && content.length > 0) p.mem.poke(where, content);
  // Pages wholly past the end of the file fault with SIGBUS (the file's size at mmap time:
  // a file that grows later does not make them readable here, as it would on Linux).
  if (inFile < size) p.mem.markPastEof(where + inFile, size - inFile);
  return where;
};

export const munmap: Handler = (_k, p, a) => {
  const [addr, len] = [a[0], a[1]];
  if (addr % PAGE_SIZE !== 0 || len <= 0 || addr < 0 || addr + len > ADDR_LIMIT) return -ERRNO.EINVAL;
  p.mem.unmap(addr, pageUp(len));
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
    if (newLen < oldLen) p.mem.unmap(old + newLen, oldLen - newLen);
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
  p.mem.map(where, newLen, prot);
  p.mem.poke(where, p.mem.peek(old, oldLen));
  p.mem.unmap(old, oldLen);
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

