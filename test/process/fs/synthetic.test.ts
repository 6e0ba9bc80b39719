// Synthetic directories: a small /proc provider driven by the walk's context object.
import { describe, expect, it } from 'vitest';
import * as F from '../../../src/process/fs/flags.ts';
import type { DirInode, Inode } from '../../../src/process/fs/inode.ts';
import type { SyntheticDir, SyntheticNode } from '../../../src/process/fs/synthetic.ts';
import { Vfs } from '../../../src/process/fs/vfs.ts';
import { RootfsLayoutError } from '../../../src/process/fs/fs-error.ts';
import { errnoOf, newVfs, readFile, text, writeFile } from './helpers.ts';

interface Proc {
  pid: number;
  exe: Inode;
  exePath: string;
  fds: Map<number, Inode>;
}

const PROC_DEV = F.makedev(0, 4);

function procProvider(procs: Map<number, Proc>): SyntheticDir {
  const fdDir = (p: Proc): SyntheticDir => ({
    lookup: (name) => {
      const inode = p.fds.get(Number(name));
      return inode && String(Number(name)) === name ? { kind: 'symlink', target: `fd-${name}`, jump: inode } : undefined;
    },
    list: () => [...p.fds.keys()].sort((a, b) => a - b).map(String),
  });
  const pidDir = (p: Proc): SyntheticDir => ({
    lookup: (name): SyntheticNode | undefined => {
      if (name === 'exe') return { kind: 'symlink', target: p.exePath, jump: p.exe };
      if (name === 'status') return { kind: 'file', content: text(`Pid:\t${p.pid}\n`) };
      if (name === 'fd') return { kind: 'dir', dir: fdDir(p), mode: 0o500 };
      return undefined;
    },
    list: () => ['exe', 'fd', 'status'],
  });
  return {
    lookup: (name, ctx) => {
      if (name === 'self') return { kind: 'symlink', target: String((ctx as Proc).pid) };
      const p = procs.get(Number(name));
      return p ? { kind: 'dir', dir: pidDir(p) } : undefined;
    },
    list: () => ['self', ...[...procs.keys()].sort((a, b) => a - b).map(String)],
  };
}

function setup() {
  const vfs = newVfs();
  vfs.mkdir(vfs.root, '/proc', 0o555);
  vfs.mkdir(vfs.root, '/bin', 0o755);
  vfs.mkdir(vfs.root, '/tmp', 0o1777);
  writeFile(vfs, '/bin/prog', 'ELF');
  writeFile(vfs, '/tmp/log', 'log');
  const exe = vfs.resolve(vfs.root, '/bin/prog');
  const log = vfs.resolve(vfs.root, '/tmp/log');
  const procs = new Map<number, Proc>([
    [7, { pid: 7, exe, exePath: '/bin/prog', fds: new Map([[3, log]]) }],
    [8, { pid: 8, exe, exePath: '/bin/prog', fds: new Map() }],
  ]);
  const proc = vfs.mountSynthetic('/proc', procProvider(procs), PROC_DEV);
  return { vfs, procs, proc, p7: procs.get(7)!, p8: procs.get(8)!, exe, log };
}

const read = (vfs: Vfs, inode: Inode) => Buffer.from(vfs.read(inode, 0, 1000)).toString();

describe('synthetic directories', () => {
  it('answer lookups from the provider with the walk context', () => {
    const { vfs, p7, p8 } = setup();
    expect(vfs.readlink(vfs.root, '/proc/self', p7)).toBe('7');
    expect(vfs.readlink(vfs.root, '/proc/self', p8)).toBe('8');
    expect(read(vfs, vfs.resolve(vfs.root, '/proc/self/status', true, p7))).toBe('Pid:\t7\n');
    expect(read(vfs, vfs.resolve(vfs.root, '/proc/8/status', true, p7))).toBe('Pid:\t8\n');
    expect(errnoOf(() => vfs.resolve(vfs.root, '/proc/9', true, p7))).toBe('ENOENT');
  });

  it('magic links lead to the inode itself, even once it has no name', () => {
    const { vfs, p7, exe, log } = setup();
    expect(vfs.resolve(vfs.root, '/proc/self/exe', true, p7)).toBe(exe);
    expect(vfs.readlink(vfs.root, '/proc/self/exe', p7)).toBe('/bin/prog');
    expect(vfs.open(vfs.root, '/proc/self/fd/3', F.O_RDONLY, 0, p7).inode).toBe(log);
    vfs.unlink(vfs.root, '/bin/prog');
    expect(vfs.resolve(vfs.root, '/proc/7/exe', true, p7)).toBe(exe);
    // linkat(AT_SYMLINK_FOLLOW) through a magic link: fine while the file has a name.
    vfs.link(vfs.root, '/proc/self/fd/3', vfs.root, '/tmp/log2', true, p7);
    expect(readFile(vfs, '/tmp/log2')).toBe('log');
    expect(errnoOf(() => vfs.link(vfs.root, '/proc/self/exe', vfs.root, '/tmp/x', true, p7))).toBe('ENOENT');
  });

  it('list entries in the provider order with stable inode numbers and the mount device', () => {
    const { vfs, p7, proc } = setup();
    const list = (path: string) => [...vfs.readdir(vfs.resolveDir(vfs.root, path, p7), 0, p7)];
    const top = list('/proc');
    expect(top.map((d) => `${d.name}:${d.type}`)).toEqual(['.:4', '..:4', 'self:10', '7:4', '8:4']);
    expect(top[0].ino).toBe(1);
    expect(top[1].ino).toBe(vfs.root.ino);
    expect(list('/proc/self/fd').map((d) => d.name)).toEqual(['.', '..', '3']);
    expect(list('/proc/7').map((d) => d.ino)).toEqual(list('/proc/7').map((d) => d.ino));
    const st = vfs.stat(vfs.resolve(vfs.root, '/proc/7/status', true, p7));
    expect(st.dev).toBe(PROC_DEV);
    expect(st.ino).toBe(vfs.stat(vfs.resolve(vfs.root, '/proc/self/status', true, p7)).ino);
    expect(st.mode).toBe(F.S_IFREG | 0o444);
    expect(vfs.stat(proc).ino).toBe(1);
    expect(vfs.stat(vfs.resolve(vfs.root, '/proc/7/fd', true, p7)).mode).toBe(F.S_IFDIR | 0o500);
    // resuming a synthetic listing
    expect([...vfs.readdir(proc, top[3].off, p7)].map((d) => d.name)).toEqual(['8']);
  });

  it('"..", getcwd and walks out of the mount', () => {
    const { vfs, p7 } = setup();
    const fd = vfs.resolveDir(vfs.root, '/proc/self/fd', p7);
    expect(vfs.pathOf(fd)).toBe('/proc/7/fd');
    expect(vfs.resolve(fd, '../../..', true, p7)).toBe(vfs.root);
    expect(vfs.resolve(fd, '../../../tmp/log', true, p7)).toBe(vfs.resolve(vfs.root, '/tmp/log'));
  });

  it('cannot be modified', () => {
    const { vfs, p7 } = setup();
    expect(errnoOf(() => vfs.mkdir(vfs.root, '/proc/x', 0o755, p7))).toBe('EPERM');
    expect(errnoOf(() => vfs.open(vfs.root, '/proc/x', F.O_CREAT | F.O_WRONLY, 0o644, p7))).toBe('EACCES');
    expect(errnoOf(() => vfs.open(vfs.root, '/proc/self/status', F.O_WRONLY, 0, p7))).toBe('EACCES');
    expect(errnoOf(() => vfs.symlink('x', vfs.root, '/proc/7/x', p7))).toBe('EPERM');
    expect(errnoOf(() => vfs.unlink(vfs.root, '/proc/self', p7))).toBe('EPERM');
    expect(errnoOf(() => vfs.rmdir(vfs.root, '/proc/7', p7))).toBe('EPERM');
    expect(errnoOf(() => vfs.rmdir(vfs.root, '/proc', p7))).toBe('EBUSY');
    expect(errnoOf(() => vfs.rename(vfs.root, '/proc', vfs.root, '/p2', 0, p7))).toBe('EBUSY');
    expect(errnoOf(() => vfs.rename(vfs.root, '/tmp/log', vfs.root, '/proc/log', 0, p7))).toBe('EXDEV');
    expect(errnoOf(() => vfs.link(vfs.root, '/proc/7/status', vfs.root, '/tmp/s', false, p7))).toBe('EXDEV');
    expect(errnoOf(() => vfs.write(vfs.resolve(vfs.root, '/proc/7/status', true, p7), 0, text('x')))).toBe('EACCES');
    expect(errnoOf(() => vfs.truncate(vfs.resolve(vfs.root, '/proc/7/status', true, p7), 0))).toBe('EACCES');
  });

  it('mounting hides what a directory held, and needs a directory or a free name', () => {
    const vfs = newVfs();
    vfs.mkdir(vfs.root, '/busy', 0o755);
    writeFile(vfs, '/busy/x', '');
    writeFile(vfs, '/file', '');
    const empty: SyntheticDir = { lookup: () => undefined, list: () => [] };
    const over = vfs.mountSynthetic('/busy', empty, 9) as DirInode;
    expect([...vfs.readdir(over)].map((d) => d.name)).toEqual(['.', '..']);
    expect(errnoOf(() => vfs.resolve(vfs.root, '/busy/x'))).toBe('ENOENT');
    expect(errnoOf(() => vfs.mountSynthetic('/busy', empty, 9))).toBe('EBUSY');
    expect(() => vfs.mountSynthetic('/file', empty, 9)).toThrow(RootfsLayoutError);
    expect(() => vfs.mountSynthetic('/file/sub', empty, 9)).toThrow(/\/file\/sub must be a directory .* a component of its path is not a directory/);
    const m = vfs.mountSynthetic('/fresh', empty, 9) as DirInode;
    expect(vfs.resolve(vfs.root, '/fresh')).toBe(m);
    expect([...vfs.readdir(m)].map((d) => d.name)).toEqual(['.', '..']);
  });
});
