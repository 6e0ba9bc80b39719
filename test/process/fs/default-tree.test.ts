// createFs without a rootfs: the default tree and the memory devices.
import { describe, expect, it } from 'vitest';
import { createFs } from '../../../src/process/fs/index.ts';
import * as F from '../../../src/process/fs/flags.ts';
import { DEV_NULL, DEV_URANDOM } from '../../../src/process/fs/devices.ts';
import type { DeviceInode } from '../../../src/process/fs/inode.ts';
import { countingRandom, errnoOf, readFile, text, tickingClock } from './helpers.ts';

const fresh = () => createFs({ clock: tickingClock(), random: countingRandom() });

describe('default tree', () => {
  it('has /tmp 1777, /root 0700, /proc, /dev and /etc', () => {
    const vfs = fresh();
    const mode = (p: string) => vfs.stat(vfs.resolve(vfs.root, p)).mode;
    expect(mode('/tmp')).toBe(F.S_IFDIR | 0o1777);
    expect(mode('/root')).toBe(F.S_IFDIR | 0o700);
    expect(mode('/proc')).toBe(F.S_IFDIR | 0o555);
    expect(mode('/dev')).toBe(F.S_IFDIR | 0o755);
    expect([...vfs.readdir(vfs.resolveDir(vfs.root, '/dev'))].map((d) => d.name)).toEqual([
      '.',
      '..',
      'null',
      'zero',
      'full',
      'random',
      'urandom',
      'tty',
      'shm',
      'fd',
      'stdin',
      'stdout',
      'stderr',
    ]);
    expect(readFile(vfs, '/etc/passwd')).toBe('root:x:0:0:root:/root:/bin/sh\n');
    expect(readFile(vfs, '/etc/group')).toBe('root:x:0:\n');
    expect(vfs.readlink(vfs.root, '/dev/stderr')).toBe('/proc/self/fd/2');
  });

  it('the same configuration builds the same tree, inode numbers included', () => {
    const listing = () => {
      const vfs = fresh();
      const out: string[] = [];
      const walk = (path: string) => {
        for (const d of vfs.readdir(vfs.resolveDir(vfs.root, path || '/'))) {
          if (d.name === '.' || d.name === '..') continue;
          out.push(`${path}/${d.name} ${d.ino} ${d.type}`);
          if (d.type === F.DT_DIR) walk(`${path}/${d.name}`);
        }
      };
      walk('');
      return out;
    };
    expect(listing()).toEqual(listing());
  });
});

describe('memory devices', () => {
  it('/dev/null reads empty and swallows writes', () => {
    const vfs = fresh();
    const { inode } = vfs.open(vfs.root, '/dev/null', F.O_RDWR);
    expect((inode as DeviceInode).rdev).toBe(DEV_NULL);
    expect(vfs.read(inode, 0, 100).length).toBe(0);
    expect(vfs.write(inode, 0, text('gone'))).toBe(4);
  });

  it('/dev/zero reads zeros; /dev/full reads zeros and refuses writes with ENOSPC', () => {
    const vfs = fresh();
    const zero = vfs.open(vfs.root, '/dev/zero', F.O_RDWR).inode;
    expect(vfs.read(zero, 0, 64)).toEqual(new Uint8Array(64));
    expect(vfs.write(zero, 0, text('x'))).toBe(1);
    const full = vfs.open(vfs.root, '/dev/full', F.O_RDWR).inode;
    expect(vfs.read(full, 0, 3)).toEqual(new Uint8Array(3));
    expect(errnoOf(() => vfs.write(full, 0, text('x')))).toBe('ENOSPC');
  });

  it('/dev/urandom and /dev/random take bytes from the supplied source only', () => {
    const vfs = fresh();
    const ur = vfs.open(vfs.root, '/dev/urandom', F.O_RDONLY).inode;
    expect((ur as DeviceInode).rdev).toBe(DEV_URANDOM);
    const r = vfs.open(vfs.root, '/dev/random', F.O_RDONLY).inode;
    const a = vfs.read(ur, 0, 4);
    const b = vfs.read(r, 0, 2);
    expect([...a, ...b]).toEqual([3, 10, 17, 24, 31, 38]);
    expect(vfs.write(ur, 0, text('seed'))).toBe(4);
    const again = createFs({ clock: tickingClock(), random: countingRandom() });
    expect(again.read(again.resolve(again.root, '/dev/urandom'), 0, 4)).toEqual(a);
  });

  it('the kernel can register further drivers by device number', () => {
    const vfs = fresh();
    const tty = F.makedev(4, 64);
    const dev = vfs.mknod(vfs.root, '/dev/ttyS0', F.S_IFCHR | 0o666, tty);
    expect(errnoOf(() => vfs.open(vfs.root, '/dev/ttyS0', F.O_RDWR))).toBe('ENXIO');
    const written: string[] = [];
    vfs.devices.register(tty, {
      read: () => text('typed'),
      write: (_o, d) => (written.push(Buffer.from(d).toString()), d.length),
    });
    expect(vfs.open(vfs.root, '/dev/ttyS0', F.O_RDWR).inode).toBe(dev);
    expect(vfs.write(dev, 0, text('out'))).toBe(3);
    expect(written).toEqual(['out']);
    expect(Buffer.from(vfs.read(dev, 0, 10)).toString()).toBe('typed');
  });
});
