// VFS operations with their errno paths, link counts, timestamps and listings.
import { describe, expect, it } from 'vitest';
import * as F from '../../../src/process/fs/flags.ts';
import type { DirInode, FileInode } from '../../../src/process/fs/inode.ts';
import { Vfs } from '../../../src/process/fs/vfs.ts';
import { errnoOf, newVfs, readFile, text, tickingClock, writeFile } from './helpers.ts';

const names = (vfs: Vfs, dir: DirInode) => [...vfs.readdir(dir)].map((d) => d.name);

describe('open', () => {
  it('creates with O_CREAT, reports creation, honours O_EXCL and O_TRUNC', () => {
    const vfs = newVfs();
    const a = vfs.open(vfs.root, '/f', F.O_CREAT | F.O_WRONLY, 0o640);
    expect(a.created).toBe(true);
    expect(a.inode.mode).toBe(F.S_IFREG | 0o640);
    vfs.write(a.inode, 0, text('hello'));
    const b = vfs.open(vfs.root, '/f', F.O_CREAT | F.O_WRONLY, 0o600);
    expect(b).toEqual({ inode: a.inode, created: false });
    expect(b.inode.mode).toBe(F.S_IFREG | 0o640);
    expect(errnoOf(() => vfs.open(vfs.root, '/f', F.O_CREAT | F.O_EXCL | F.O_WRONLY))).toBe('EEXIST');
    vfs.open(vfs.root, '/f', F.O_RDONLY);
    expect(readFile(vfs, '/f')).toBe('hello');
    vfs.open(vfs.root, '/f', F.O_RDONLY | F.O_TRUNC);
    expect(readFile(vfs, '/f')).toBe('');
  });

  it('refuses what Linux refuses', () => {
    const vfs = newVfs();
    vfs.mkdir(vfs.root, '/d', 0o755);
    writeFile(vfs, '/f', 'x');
    vfs.symlink('/f', vfs.root, '/l');
    expect(errnoOf(() => vfs.open(vfs.root, '/d', F.O_WRONLY))).toBe('EISDIR');
    expect(errnoOf(() => vfs.open(vfs.root, '/d', F.O_RDONLY | F.O_TRUNC))).toBe('EISDIR');
    expect(errnoOf(() => vfs.open(vfs.root, '/d', F.O_CREAT | F.O_RDONLY))).toBe('EISDIR');
    expect(errnoOf(() => vfs.open(vfs.root, '/f', F.O_DIRECTORY))).toBe('ENOTDIR');
    expect(errnoOf(() => vfs.open(vfs.root, '/n', F.O_CREAT | F.O_DIRECTORY))).toBe('EINVAL');
    expect(errnoOf(() => vfs.open(vfs.root, '/l', F.O_NOFOLLOW))).toBe('ELOOP');
    expect(errnoOf(() => vfs.open(vfs.root, '/n/', F.O_CREAT | F.O_WRONLY))).toBe('EISDIR');
    expect(errnoOf(() => vfs.open(vfs.root, '/nothing', F.O_RDONLY))).toBe('ENOENT');
    expect(errnoOf(() => vfs.open(vfs.root, '/d', F.O_TMPFILE | F.O_RDWR))).toBe('EOPNOTSUPP');
    expect(vfs.open(vfs.root, '/d', F.O_DIRECTORY).inode.kind).toBe('dir');
    expect(vfs.open(vfs.root, '/l', F.O_RDONLY).inode).toBe(vfs.resolve(vfs.root, '/f'));
  });

  it('O_PATH opens without access checks, and a symlink itself with O_NOFOLLOW', () => {
    const vfs = newVfs();
    vfs.symlink('/nowhere', vfs.root, '/l');
    expect(vfs.open(vfs.root, '/l', F.O_PATH | F.O_NOFOLLOW).inode.kind).toBe('symlink');
    expect(errnoOf(() => vfs.open(vfs.root, '/l', F.O_PATH))).toBe('ENOENT');
    expect(errnoOf(() => vfs.open(vfs.root, '/l', F.O_PATH | F.O_NOFOLLOW | F.O_DIRECTORY))).toBe('ENOTDIR');
    expect(vfs.open(vfs.root, '/', F.O_PATH | F.O_WRONLY).inode).toBe(vfs.root);
  });

  it('O_CREAT through a dangling symlink creates its target', () => {
    const vfs = newVfs();
    vfs.mkdir(vfs.root, '/d', 0o755);
    vfs.symlink('d/target', vfs.root, '/l');
    const r = vfs.open(vfs.root, '/l', F.O_CREAT | F.O_WRONLY, 0o644);
    expect(r.created).toBe(true);
    expect(vfs.resolve(vfs.root, '/d/target')).toBe(r.inode);
  });
});

describe('mkdir and rmdir', () => {
  it('keeps directory link counts and only the permission and sticky bits', () => {
    const vfs = newVfs();
    const rootLinks = vfs.root.nlink;
    const d = vfs.mkdir(vfs.root, '/d', 0o7777);
    expect(d.mode).toBe(F.S_IFDIR | 0o1777);
    expect(d.nlink).toBe(2);
    expect(vfs.root.nlink).toBe(rootLinks + 1);
    vfs.mkdir(vfs.root, '/d/e', 0o755);
    expect(d.nlink).toBe(3);
    vfs.rmdir(vfs.root, '/d/e');
    expect(d.nlink).toBe(2);
    vfs.rmdir(vfs.root, '/d');
    expect(vfs.root.nlink).toBe(rootLinks);
    expect(d.nlink).toBe(0);
  });

  it('errnos', () => {
    const vfs = newVfs();
    vfs.mkdir(vfs.root, '/d', 0o755);
    writeFile(vfs, '/d/f', '');
    expect(errnoOf(() => vfs.mkdir(vfs.root, '/d', 0o755))).toBe('EEXIST');
    expect(errnoOf(() => vfs.mkdir(vfs.root, '/', 0o755))).toBe('EEXIST');
    expect(errnoOf(() => vfs.mkdir(vfs.root, '/x/y', 0o755))).toBe('ENOENT');
    expect(errnoOf(() => vfs.mkdir(vfs.root, '/d/f/y', 0o755))).toBe('ENOTDIR');
    expect(vfs.mkdir(vfs.root, '/new/', 0o755).kind).toBe('dir');
    expect(errnoOf(() => vfs.rmdir(vfs.root, '/d'))).toBe('ENOTEMPTY');
    expect(errnoOf(() => vfs.rmdir(vfs.root, '/'))).toBe('EBUSY');
    expect(errnoOf(() => vfs.rmdir(vfs.root, '/d/.'))).toBe('EINVAL');
    expect(errnoOf(() => vfs.rmdir(vfs.root, '/d/..'))).toBe('ENOTEMPTY');
    expect(errnoOf(() => vfs.rmdir(vfs.root, '/d/f'))).toBe('ENOTDIR');
    expect(errnoOf(() => vfs.rmdir(vfs.root, '/d/g'))).toBe('ENOENT');
  });

  it('a removed directory lists nothing (ENOENT), like Linux', () => {
    const vfs = newVfs();
    const d = vfs.mkdir(vfs.root, '/d', 0o755);
    vfs.rmdir(vfs.root, '/d');
    expect(errnoOf(() => [...vfs.readdir(d)])).toBe('ENOENT');
  });
});

describe('unlink and link', () => {
  it('counts hard links; an unlinked open file stays readable', () => {
    const vfs = newVfs();
    writeFile(vfs, '/f', 'data');
    const f = vfs.resolve(vfs.root, '/f');
    vfs.link(vfs.root, '/f', vfs.root, '/g');
    vfs.link(vfs.root, 'g', vfs.root, 'h');
    expect(f.nlink).toBe(3);
    expect(vfs.resolve(vfs.root, '/h')).toBe(f);
    vfs.unlink(vfs.root, '/f');
    vfs.unlink(vfs.root, '/g');
    expect(f.nlink).toBe(1);
    vfs.unlink(vfs.root, '/h');
    expect(f.nlink).toBe(0);
    expect(new TextDecoder().decode(vfs.read(f, 0, 10))).toBe('data');
    expect(names(vfs, vfs.root)).toEqual(['.', '..']);
  });

  it('link follows a symlink only with AT_SYMLINK_FOLLOW', () => {
    const vfs = newVfs();
    writeFile(vfs, '/f', '');
    vfs.symlink('f', vfs.root, '/s');
    vfs.link(vfs.root, '/s', vfs.root, '/s2');
    expect(vfs.resolve(vfs.root, '/s2', false)).toBe(vfs.resolve(vfs.root, '/s', false));
    vfs.link(vfs.root, '/s', vfs.root, '/f2', true);
    expect(vfs.resolve(vfs.root, '/f2', false)).toBe(vfs.resolve(vfs.root, '/f'));
  });

  it('errnos', () => {
    const vfs = newVfs();
    vfs.mkdir(vfs.root, '/d', 0o755);
    writeFile(vfs, '/f', '');
    expect(errnoOf(() => vfs.unlink(vfs.root, '/d'))).toBe('EISDIR');
    expect(errnoOf(() => vfs.unlink(vfs.root, '/'))).toBe('EISDIR');
    expect(errnoOf(() => vfs.unlink(vfs.root, '/f/'))).toBe('ENOTDIR');
    expect(errnoOf(() => vfs.unlink(vfs.root, '/nope'))).toBe('ENOENT');
    expect(errnoOf(() => vfs.link(vfs.root, '/d', vfs.root, '/d2'))).toBe('EPERM');
    expect(errnoOf(() => vfs.link(vfs.root, '/f', vfs.root, '/d'))).toBe('EEXIST');
    expect(errnoOf(() => vfs.link(vfs.root, '/nope', vfs.root, '/x'))).toBe('ENOENT');
    expect(errnoOf(() => vfs.link(vfs.root, '/f', vfs.root, '/x/'))).toBe('ENOENT');
  });
});

describe('symlink and readlink', () => {
  it('stores the target verbatim', () => {
    const vfs = newVfs();
    const l = vfs.symlink('../some//where/', vfs.root, '/l');
    expect(vfs.readlink(vfs.root, '/l')).toBe('../some//where/');
    expect(vfs.stat(l).size).toBe(15);
    expect(vfs.stat(l).mode).toBe(F.S_IFLNK | 0o777);
  });

  it('errnos', () => {
    const vfs = newVfs();
    writeFile(vfs, '/f', '');
    expect(errnoOf(() => vfs.symlink('', vfs.root, '/l'))).toBe('ENOENT');
    expect(errnoOf(() => vfs.symlink('x'.repeat(4096), vfs.root, '/l'))).toBe('ENAMETOOLONG');
    expect(errnoOf(() => vfs.symlink('x', vfs.root, '/f'))).toBe('EEXIST');
    expect(errnoOf(() => vfs.symlink('x', vfs.root, '/new/'))).toBe('ENOENT');
    expect(errnoOf(() => vfs.readlink(vfs.root, '/f'))).toBe('EINVAL');
    expect(errnoOf(() => vfs.readlink(vfs.root, '/nope'))).toBe('ENOENT');
  });
});

describe('rename', () => {
  function tree() {
    const vfs = newVfs();
    vfs.mkdir(vfs.root, '/a', 0o755);
    vfs.mkdir(vfs.root, '/a/sub', 0o755);
    vfs.mkdir(vfs.root, '/empty', 0o755);
    vfs.mkdir(vfs.root, '/full', 0o755);
    writeFile(vfs, '/full/x', 'x');
    writeFile(vfs, '/f', 'f');
    writeFile(vfs, '/g', 'g');
    return vfs;
  }

  it('replaces a file by a file; the replaced inode loses its link', () => {
    const vfs = tree();
    const g = vfs.resolve(vfs.root, '/g');
    vfs.rename(vfs.root, '/f', vfs.root, '/g');
    expect(readFile(vfs, '/g')).toBe('f');
    expect(g.nlink).toBe(0);
    expect(errnoOf(() => vfs.resolve(vfs.root, '/f'))).toBe('ENOENT');
  });

  it('moves a directory over an empty one, fixing parents and link counts', () => {
    const vfs = tree();
    const a = vfs.resolveDir(vfs.root, '/a');
    const full = vfs.resolveDir(vfs.root, '/full');
    const rootLinks = vfs.root.nlink;
    vfs.rename(vfs.root, '/a', vfs.root, '/empty');
    expect(vfs.root.nlink).toBe(rootLinks - 1);
    expect(vfs.resolve(vfs.root, '/empty/sub/..')).toBe(a);
    vfs.rename(vfs.root, '/empty', vfs.root, '/full/moved');
    expect(a.parent).toBe(full);
    expect(full.nlink).toBe(3);
    expect(vfs.pathOf(vfs.resolveDir(vfs.root, '/full/moved/sub'))).toBe('/full/moved/sub');
  });

  it('errnos', () => {
    const vfs = tree();
    expect(errnoOf(() => vfs.rename(vfs.root, '/a', vfs.root, '/a/sub/x'))).toBe('EINVAL');
    expect(errnoOf(() => vfs.rename(vfs.root, '/a', vfs.root, '/a/x'))).toBe('EINVAL');
    expect(errnoOf(() => vfs.rename(vfs.root, '/a/sub', vfs.root, '/a'))).toBe('ENOTEMPTY');
    expect(errnoOf(() => vfs.rename(vfs.root, '/a', vfs.root, '/full'))).toBe('ENOTEMPTY');
    expect(errnoOf(() => vfs.rename(vfs.root, '/a', vfs.root, '/f'))).toBe('ENOTDIR');
    expect(errnoOf(() => vfs.rename(vfs.root, '/f', vfs.root, '/a'))).toBe('EISDIR');
    expect(errnoOf(() => vfs.rename(vfs.root, '/nope', vfs.root, '/x'))).toBe('ENOENT');
    expect(errnoOf(() => vfs.rename(vfs.root, '/f', vfs.root, '/nodir/x'))).toBe('ENOENT');
    expect(errnoOf(() => vfs.rename(vfs.root, '/', vfs.root, '/x'))).toBe('EBUSY');
    expect(errnoOf(() => vfs.rename(vfs.root, '/a/.', vfs.root, '/x'))).toBe('EBUSY');
    expect(errnoOf(() => vfs.rename(vfs.root, '/f/', vfs.root, '/x'))).toBe('ENOTDIR');
    expect(errnoOf(() => vfs.rename(vfs.root, '/f', vfs.root, '/g', 8))).toBe('EINVAL');
    expect(errnoOf(() => vfs.rename(vfs.root, '/f', vfs.root, '/g', F.RENAME_NOREPLACE | F.RENAME_EXCHANGE))).toBe('EINVAL');
  });

  it('renaming onto the same inode does nothing', () => {
    const vfs = tree();
    vfs.link(vfs.root, '/f', vfs.root, '/f2');
    vfs.rename(vfs.root, '/f', vfs.root, '/f2');
    expect(vfs.resolve(vfs.root, '/f')).toBe(vfs.resolve(vfs.root, '/f2'));
    expect(vfs.resolve(vfs.root, '/f').nlink).toBe(2);
  });

  it('RENAME_NOREPLACE refuses an existing target', () => {
    const vfs = tree();
    expect(errnoOf(() => vfs.rename(vfs.root, '/f', vfs.root, '/g', F.RENAME_NOREPLACE))).toBe('EEXIST');
    vfs.rename(vfs.root, '/f', vfs.root, '/h', F.RENAME_NOREPLACE);
    expect(readFile(vfs, '/h')).toBe('f');
  });

  it('RENAME_EXCHANGE swaps two names, even a file and a directory', () => {
    const vfs = tree();
    const a = vfs.resolveDir(vfs.root, '/a');
    const fullLinks = vfs.resolveDir(vfs.root, '/full').nlink;
    vfs.rename(vfs.root, '/a', vfs.root, '/full/x', F.RENAME_EXCHANGE);
    expect(vfs.resolve(vfs.root, '/full/x')).toBe(a);
    expect(readFile(vfs, '/a')).toBe('x');
    expect(a.parent).toBe(vfs.resolve(vfs.root, '/full'));
    expect(vfs.resolveDir(vfs.root, '/full').nlink).toBe(fullLinks + 1);
    expect(errnoOf(() => vfs.rename(vfs.root, '/f', vfs.root, '/nope', F.RENAME_EXCHANGE))).toBe('ENOENT');
    expect(errnoOf(() => vfs.rename(vfs.root, '/full', vfs.root, '/full/x/sub', F.RENAME_EXCHANGE))).toBe('EINVAL');
  });
});

describe('stat, chmod, chown, utimens, access', () => {
  it('stat reports type, links, size, blocks and clock times; inode numbers are sequential', () => {
    const clock = tickingClock(100);
    const vfs = new Vfs({ clock });
    const f = vfs.open(vfs.root, '/f', F.O_CREAT | F.O_WRONLY, 0o644).inode;
    vfs.write(f, 0, new Uint8Array(5000));
    const st = vfs.stat(f);
    expect(st.ino).toBe(2);
    expect(st.dev).toBe(vfs.dev);
    expect(st.mode).toBe(F.S_IFREG | 0o644);
    expect(st.size).toBe(5000);
    expect(st.blksize).toBe(4096);
    expect(st.blocks).toBe(16);
    expect(st.nlink).toBe(1);
    expect([st.uid, st.gid, st.rdev]).toEqual([0, 0, 0]);
    expect(st.mtime.sec).toBeGreaterThan(st.atime.sec);
    expect(st.ctime).toEqual(st.mtime);
    expect(vfs.stat(vfs.mkdir(vfs.root, '/d', 0o755)).ino).toBe(3);
    expect(vfs.stat(vfs.root).ino).toBe(1);
    expect(vfs.stat(vfs.root).size).toBe(40 + 2 * 20);
  });

  it('reads leave atime alone; writes move mtime and ctime; directory changes move the parent', () => {
    const vfs = newVfs();
    const f = vfs.open(vfs.root, '/f', F.O_CREAT | F.O_WRONLY, 0o644).inode;
    const before = vfs.stat(f);
    vfs.read(f, 0, 10);
    expect(vfs.stat(f).atime).toEqual(before.atime);
    vfs.write(f, 0, text('x'));
    const after = vfs.stat(f);
    expect(after.mtime.sec).toBeGreaterThan(before.mtime.sec);
    const rootM = vfs.root.mtime.sec;
    vfs.unlink(vfs.root, '/f');
    expect(vfs.root.mtime.sec).toBeGreaterThan(rootM);
    expect(vfs.stat(f).ctime.sec).toBeGreaterThan(after.ctime.sec);
  });

  it('chmod keeps the type, chown sets ids (-1 keeps), both move ctime', () => {
    const vfs = newVfs();
    const d = vfs.mkdir(vfs.root, '/d', 0o755);
    const c0 = d.ctime.sec;
    vfs.chmod(d, 0o170700);
    expect(d.mode).toBe(F.S_IFDIR | 0o700);
    vfs.chown(d, 5, -1);
    expect([d.uid, d.gid]).toEqual([5, 0]);
    expect(d.ctime.sec).toBeGreaterThan(c0);
  });

  it('utimens sets, omits and uses now; rejects bad nanoseconds', () => {
    const vfs = newVfs();
    const f = vfs.newFile(0o644);
    vfs.utimens(f, { sec: 10, nsec: 1 }, { sec: 20, nsec: 2 });
    expect([f.atime, f.mtime]).toEqual([
      { sec: 10, nsec: 1 },
      { sec: 20, nsec: 2 },
    ]);
    const c = f.ctime.sec;
    vfs.utimens(f, { sec: 0, nsec: F.UTIME_OMIT }, { sec: 0, nsec: F.UTIME_NOW });
    expect(f.atime).toEqual({ sec: 10, nsec: 1 });
    expect(f.mtime.sec).toBeGreaterThan(c);
    const c2 = f.ctime;
    vfs.utimens(f, { sec: 0, nsec: F.UTIME_OMIT }, { sec: 0, nsec: F.UTIME_OMIT });
    expect(f.ctime).toEqual(c2);
    vfs.utimens(f);
    expect(f.atime).toEqual(f.mtime);
    expect(errnoOf(() => vfs.utimens(f, { sec: 0, nsec: 1e9 }))).toBe('EINVAL');
  });

  it('access and mayExec follow root semantics', () => {
    const vfs = newVfs();
    const f = vfs.newFile(0o000);
    const d = vfs.newDir(0o000);
    expect(errnoOf(() => vfs.access(f, F.R_OK | F.W_OK))).toBe('ok');
    expect(errnoOf(() => vfs.access(f, F.X_OK))).toBe('EACCES');
    expect(errnoOf(() => vfs.access(d, F.X_OK))).toBe('ok');
    expect(errnoOf(() => vfs.access(f, 8))).toBe('EINVAL');
    expect(errnoOf(() => vfs.mayExec(f))).toBe('EACCES');
    vfs.chmod(f, 0o001);
    expect(errnoOf(() => vfs.access(f, F.X_OK))).toBe('ok');
    expect(errnoOf(() => vfs.mayExec(f))).toBe('ok');
    vfs.chmod(d, 0o755);
    expect(errnoOf(() => vfs.mayExec(d))).toBe('EACCES');
    expect(errnoOf(() => vfs.mayExec(vfs.newDevice(0o777, 0x103)))).toBe('EACCES');
  });
});

describe('read, write, truncate', () => {
  it('errnos by file type', () => {
    const vfs = newVfs();
    const d = vfs.newDir(0o755);
    const l = vfs.newSymlink('x');
    const f = vfs.newFile(0o644);
    expect(errnoOf(() => vfs.read(d, 0, 1))).toBe('EISDIR');
    expect(errnoOf(() => vfs.write(d, 0, text('x')))).toBe('EISDIR');
    expect(errnoOf(() => vfs.truncate(d, 0))).toBe('EISDIR');
    expect(errnoOf(() => vfs.read(l, 0, 1))).toBe('EINVAL');
    expect(errnoOf(() => vfs.truncate(l, 0))).toBe('EINVAL');
    expect(errnoOf(() => vfs.truncate(f, -1))).toBe('EINVAL');
    expect(errnoOf(() => vfs.read(f, -1, 1))).toBe('EINVAL');
    expect(errnoOf(() => vfs.read(vfs.newDevice(0o666, F.makedev(9, 9)), 0, 1))).toBe('ENXIO');
  });

  it('writes past the end leave a hole of zeros; truncate shrinks and grows', () => {
    const vfs = newVfs();
    const f = vfs.newFile(0o644) as FileInode;
    expect(vfs.write(f, 3, text('ab'))).toBe(2);
    expect([...vfs.read(f, 0, 100)]).toEqual([0, 0, 0, 97, 98]);
    vfs.truncate(f, 4);
    vfs.truncate(f, 6);
    expect([...vfs.read(f, 0, 100)]).toEqual([0, 0, 0, 97, 0, 0]);
    expect(vfs.read(f, 6, 10).length).toBe(0);
    expect(vfs.write(f, 0, new Uint8Array(0))).toBe(0);
  });
});

describe('mknod', () => {
  it('makes FIFOs, sockets, character devices and files; refuses directories and block devices', () => {
    const vfs = newVfs();
    expect(vfs.mknod(vfs.root, '/p', F.S_IFIFO | 0o644, 0).mode).toBe(F.S_IFIFO | 0o644);
    expect(vfs.mknod(vfs.root, '/s', F.S_IFSOCK | 0o600, 0).mode).toBe(F.S_IFSOCK | 0o600);
    const c = vfs.mknod(vfs.root, '/c', F.S_IFCHR | 0o600, F.makedev(1, 3));
    expect(vfs.stat(c).rdev).toBe(0x103);
    expect(vfs.mknod(vfs.root, '/r', 0o600, 0).kind).toBe('file');
    expect(errnoOf(() => vfs.mknod(vfs.root, '/x', F.S_IFDIR | 0o755, 0))).toBe('EPERM');
    expect(errnoOf(() => vfs.mknod(vfs.root, '/x', F.S_IFBLK | 0o600, 0))).toBe('EPERM');
    expect(errnoOf(() => vfs.mknod(vfs.root, '/x', 0o170000, 0))).toBe('EINVAL');
    expect(errnoOf(() => vfs.mknod(vfs.root, '/p', F.S_IFIFO, 0))).toBe('EEXIST');
    const types = [...vfs.readdir(vfs.root)].map((d) => `${d.name}:${d.type}`);
    expect(types).toEqual(['.:4', '..:4', 'p:1', 's:12', 'c:2', 'r:8']);
  });
});

describe('getdents', () => {
  it('lists ".", "..", then entries in creation order with their types and inodes', () => {
    const vfs = newVfs();
    vfs.mkdir(vfs.root, '/z', 0o755);
    writeFile(vfs, '/a', '');
    vfs.symlink('a', vfs.root, '/m');
    const ents = [...vfs.readdir(vfs.root)];
    expect(ents.map((e) => [e.name, e.type])).toEqual([
      ['.', F.DT_DIR],
      ['..', F.DT_DIR],
      ['z', F.DT_DIR],
      ['a', F.DT_REG],
      ['m', F.DT_LNK],
    ]);
    expect(ents[0].ino).toBe(vfs.root.ino);
    expect(ents[1].ino).toBe(vfs.root.ino);
    expect(ents[2].ino).toBe(vfs.resolve(vfs.root, '/z').ino);
    expect(ents.map((e) => e.off)).toEqual([1, 2, 3, 4, 5]);
  });

  it('a resumed listing neither repeats nor skips surviving entries, whatever changed meanwhile', () => {
    const vfs = newVfs();
    for (let i = 0; i < 10; i++) writeFile(vfs, `/f${i}`, '');
    const first = [...vfs.readdir(vfs.root, 0)].slice(0, 6); // ., .., f0..f3
    const pos = first[first.length - 1].off;
    vfs.unlink(vfs.root, '/f1'); // already listed
    vfs.unlink(vfs.root, '/f4'); // not yet listed
    writeFile(vfs, '/new', '');
    const rest = [...vfs.readdir(vfs.root, pos)].map((e) => e.name);
    expect(rest).toEqual(['f5', 'f6', 'f7', 'f8', 'f9', 'new']);
  });

  it('getdents packs records up to the buffer size and resumes where it stopped', () => {
    const vfs = newVfs();
    for (let i = 0; i < 50; i++) writeFile(vfs, `/file-${i}`, '');
    const seen: string[] = [];
    let pos = 0;
    for (;;) {
      const { bytes, pos: next } = vfs.getdents(vfs.root, pos, 200);
      if (bytes.length === 0) break;
      expect(bytes.length).toBeLessThanOrEqual(200);
      const dv = new DataView(bytes.buffer);
      for (let at = 0; at < bytes.length; ) {
        const reclen = dv.getUint16(at + 16, true);
        let end = at + 19;
        while (bytes[end] !== 0) end++;
        seen.push(Buffer.from(bytes.subarray(at + 19, end)).toString('latin1'));
        at += reclen;
      }
      pos = next;
    }
    expect(seen).toEqual(['.', '..', ...Array.from({ length: 50 }, (_, i) => `file-${i}`)]);
    expect(errnoOf(() => vfs.getdents(vfs.root, 0, 8))).toBe('EINVAL');
  });

  it('two filesystems built by the same operations list identically', () => {
    const build = () => {
      const vfs = newVfs();
      for (const n of ['q', 'b', 'x', 'a']) writeFile(vfs, `/${n}`, n);
      vfs.unlink(vfs.root, '/b');
      vfs.rename(vfs.root, '/q', vfs.root, '/b');
      vfs.mkdir(vfs.root, '/m', 0o755);
      return Buffer.from(vfs.getdents(vfs.root, 0, 4096).bytes).toString('hex');
    };
    expect(build()).toBe(build());
  });
});
