// Seeding from a host directory: lazy, copy-on-write, deterministic, never writing the host.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFs } from '../../../src/process/fs/index.ts';
import * as F from '../../../src/process/fs/flags.ts';
import type { DirInode } from '../../../src/process/fs/inode.ts';
import type { Vfs } from '../../../src/process/fs/vfs.ts';
import { countingRandom, errnoOf, readFile, text, tickingClock, writeFile } from './helpers.ts';

let host: string;

/** Everything about a host tree except atimes (reading a file may move its atime). */
function snapshot(root: string): string[] {
  const out: string[] = [];
  const visit = (dir: string) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = fs.lstatSync(p, { bigint: true });
      let line = `${p} mode=${st.mode} size=${st.size} ino=${st.ino} nlink=${st.nlink} mtime=${st.mtimeNs} ctime=${st.ctimeNs}`;
      if (st.isFile()) line += ` sha=${createHash('sha256').update(fs.readFileSync(p)).digest('hex')}`;
      if (st.isSymbolicLink()) line += ` -> ${fs.readlinkSync(p)}`;
      out.push(line);
      if (st.isDirectory()) visit(p);
    }
  };
  const st = fs.lstatSync(root, { bigint: true });
  out.push(`${root} mode=${st.mode} mtime=${st.mtimeNs} ctime=${st.ctimeNs}`);
  visit(root);
  return out;
}

function seeded(): Vfs {
  return createFs({ clock: tickingClock(), random: countingRandom(), rootfs: { kind: 'host-dir', path: host } });
}

beforeEach(() => {
  host = fs.mkdtempSync(join(tmpdir(), 'procsim-host-seed-'));
  fs.mkdirSync(join(host, 'bin'));
  fs.writeFileSync(join(host, 'bin', 'tool'), '#!/bin/sh\necho tool\n', { mode: 0o755 });
  fs.chmodSync(join(host, 'bin', 'tool'), 0o755);
  fs.writeFileSync(join(host, 'secret'), 'private', { mode: 0o600 });
  fs.chmodSync(join(host, 'secret'), 0o600);
  fs.mkdirSync(join(host, 'etc', 'deep', 'er'), { recursive: true });
  fs.writeFileSync(join(host, 'etc', 'passwd'), 'root:x:0:0:host-root:/root:/bin/ash\n');
  fs.writeFileSync(join(host, 'etc', 'deep', 'er', 'leaf'), 'leaf');
  fs.mkdirSync(join(host, 'empty'));
  fs.symlinkSync('bin/tool', join(host, 'rel-link'));
  fs.symlinkSync('/etc/passwd', join(host, 'abs-link'));
  fs.writeFileSync(join(host, 'caf\u00e9'), 'utf8 name');
  fs.writeFileSync(join(host, 'big'), Buffer.alloc(3 << 20, 0xab));
  fs.linkSync(join(host, 'secret'), join(host, 'secret-hard'));
  execFileSync('mkfifo', [join(host, 'fifo')]);
  for (const n of ['zeta', 'alpha', 'Mid', '_u']) fs.writeFileSync(join(host, 'etc', n), n);
});

afterEach(() => {
  fs.rmSync(host, { recursive: true, force: true });
});

describe('seeding from a host directory', () => {
  it('mirrors files, directories, symlinks and permission bits; leaves out other types', () => {
    const vfs = seeded();
    expect(readFile(vfs, '/bin/tool')).toBe('#!/bin/sh\necho tool\n');
    expect(vfs.stat(vfs.resolve(vfs.root, '/bin/tool')).mode).toBe(F.S_IFREG | 0o755);
    expect(vfs.stat(vfs.resolve(vfs.root, '/secret')).mode).toBe(F.S_IFREG | 0o600);
    expect(vfs.readlink(vfs.root, '/rel-link')).toBe('bin/tool');
    expect(readFile(vfs, '/rel-link')).toBe('#!/bin/sh\necho tool\n');
    expect(readFile(vfs, '/abs-link')).toBe('root:x:0:0:host-root:/root:/bin/ash\n'); // the rootfs's passwd wins
    expect(readFile(vfs, '/etc/deep/er/leaf')).toBe('leaf');
    expect(readFile(vfs, '/' + Buffer.from('caf\u00e9').toString('latin1'))).toBe('utf8 name');
    expect(errnoOf(() => vfs.resolve(vfs.root, '/fifo'))).toBe('ENOENT');
    expect(vfs.resolve(vfs.root, '/big').size).toBe(3 << 20);
    // host hard links become separate files
    expect(vfs.resolve(vfs.root, '/secret')).not.toBe(vfs.resolve(vfs.root, '/secret-hard'));
    // the default tree is laid over it
    expect(vfs.stat(vfs.resolve(vfs.root, '/tmp')).mode).toBe(F.S_IFDIR | 0o1777);
    expect(vfs.resolve(vfs.root, '/dev/null').kind).toBe('device');
  });

  it('lists host directories in sorted byte order, the same every time', () => {
    const a = seeded();
    const etc = [...a.readdir(a.resolveDir(a.root, '/etc'))].map((d) => d.name);
    expect(etc).toEqual(['.', '..', 'Mid', '_u', 'alpha', 'deep', 'passwd', 'zeta', 'group']);
    const b = seeded();
    const bytes = (v: Vfs, p: string) => Buffer.from(v.getdents(v.resolveDir(v.root, p), 0, 8192).bytes).toString('hex');
    expect(bytes(a, '/')).toBe(bytes(b, '/'));
    expect(bytes(a, '/etc')).toBe(bytes(b, '/etc'));
  });

  it('reads the host lazily: directories when first used, files when first read', () => {
    const vfs = seeded();
    // Not yet listed or read: host changes made now are still seen.
    fs.writeFileSync(join(host, 'etc', 'deep', 'late'), 'late');
    fs.writeFileSync(join(host, 'etc', 'deep', 'er', 'leaf'), 'LEAF');
    expect(readFile(vfs, '/etc/deep/late')).toBe('late');
    expect(readFile(vfs, '/etc/deep/er/leaf')).toBe('LEAF');
    // Once taken, the in-memory copy is the file.
    fs.writeFileSync(join(host, 'etc', 'deep', 'er', 'leaf'), 'host again');
    fs.writeFileSync(join(host, 'etc', 'deep', 'later'), 'x');
    expect(readFile(vfs, '/etc/deep/er/leaf')).toBe('LEAF');
    expect(errnoOf(() => vfs.resolve(vfs.root, '/etc/deep/later'))).toBe('ENOENT');
  });

  it('writes, truncates, unlinks, renames, chmods and creations never touch the host', () => {
    const before = snapshot(host);
    const vfs = seeded();
    const tool = vfs.open(vfs.root, '/bin/tool', F.O_WRONLY).inode;
    vfs.write(tool, 0, text('overwritten'));
    const big = vfs.open(vfs.root, '/big', F.O_RDWR).inode;
    vfs.write(big, 1 << 20, text('middle'));
    vfs.truncate(vfs.resolve(vfs.root, '/secret'), 2);
    vfs.unlink(vfs.root, '/etc/passwd');
    vfs.rename(vfs.root, '/etc/deep', vfs.root, '/moved');
    vfs.rename(vfs.root, '/abs-link', vfs.root, '/empty/link');
    vfs.chmod(vfs.resolve(vfs.root, '/secret-hard'), 0o777);
    vfs.unlink(vfs.root, '/moved/er/leaf');
    vfs.rmdir(vfs.root, '/moved/er');
    writeFile(vfs, '/empty/new', 'new');
    vfs.mkdir(vfs.root, '/bin/sub', 0o755);
    vfs.symlink('x', vfs.root, '/bin/sub/l');
    vfs.link(vfs.root, '/rel-link', vfs.root, '/bin/hard');
    expect(readFile(vfs, '/bin/tool')).toBe('overwrittencho tool\n');
    expect(Buffer.from(vfs.read(big, (1 << 20) - 1, 8)).toString('latin1')).toBe('\xabmiddle\xab');
    expect(readFile(vfs, '/secret')).toBe('pr');
    expect(snapshot(host)).toEqual(before);
  });

  it('host entries that vanish before they are read are EIO for the guest, never a crash', () => {
    const vfs = seeded();
    const leaf = vfs.resolve(vfs.root, '/etc/deep/er/leaf');
    fs.rmSync(join(host, 'etc', 'deep', 'er', 'leaf'));
    expect(errnoOf(() => vfs.read(leaf, 0, 10))).toBe('EIO');
    fs.rmSync(join(host, 'bin'), { recursive: true });
    expect(errnoOf(() => vfs.resolve(vfs.root, '/bin/tool'))).toBe('EIO');
  });

  it('bad host directories get a one-line error', () => {
    expect(() => createFs({ clock: tickingClock(), random: countingRandom(), rootfs: { kind: 'host-dir', path: join(host, 'nope') } })).toThrow(
      /^rootfs .*nope: ENOENT/,
    );
    expect(() => createFs({ clock: tickingClock(), random: countingRandom(), rootfs: { kind: 'host-dir', path: join(host, 'secret') } })).toThrow(
      /not a directory$/,
    );
  });
});

describe('binding a host file', () => {
  it('shows the file at the given path, parents created, content read lazily', () => {
    const elf = join(host, 'bin', 'tool');
    const vfs = createFs({ clock: tickingClock(), random: countingRandom(), binds: [{ path: elf, hostPath: elf }] });
    fs.appendFileSync(elf, 'appended\n'); // before first read: seen
    const inode = vfs.resolve(vfs.root, elf);
    expect(vfs.stat(inode).mode).toBe(F.S_IFREG | 0o755);
    // The content read wins over the size seen at bind time (host files should not change).
    expect(Buffer.from(vfs.read(inode, 0, 1000)).toString()).toBe('#!/bin/sh\necho tool\nappended\n');
    expect(inode.size).toBe(29);
    expect(errnoOf(() => vfs.mayExec(inode))).toBe('ok');
    const parent = vfs.resolve(vfs.root, join(host, 'bin')) as DirInode;
    expect(vfs.stat(parent).mode).toBe(F.S_IFDIR | 0o755);
    expect([...vfs.readdir(parent)].map((d) => d.name)).toEqual(['.', '..', 'tool']);
  });

  it('refuses directories and missing files, replaces an existing file', () => {
    const mk = (path: string, hostPath: string) => createFs({ clock: tickingClock(), random: countingRandom(), binds: [{ path, hostPath }] });
    expect(() => mk('/x', join(host, 'bin'))).toThrow(/not a regular file/);
    expect(() => mk('/x', join(host, 'missing'))).toThrow(/^bind .*missing: ENOENT/);
    expect(() => mk('relative', join(host, 'secret'))).toThrow(/bad target path/);
    const vfs = createFs({ clock: tickingClock(), random: countingRandom(), rootfs: { kind: 'host-dir', path: host }, binds: [{ path: '/etc/passwd', hostPath: join(host, 'secret') }] });
    expect(readFile(vfs, '/etc/passwd')).toBe('private');
  });
});
