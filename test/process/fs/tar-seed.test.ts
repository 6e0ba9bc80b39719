// Seeding from tar archives made by the system `tar` in every format it writes.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFs } from '../../../src/process/fs/index.ts';
import * as F from '../../../src/process/fs/flags.ts';
import type { Inode } from '../../../src/process/fs/inode.ts';
import { TarError, parseTar } from '../../../src/process/fs/tar.ts';
import type { Vfs } from '../../../src/process/fs/vfs.ts';
import { countingRandom, errnoOf, readFile, tickingClock } from './helpers.ts';

let work: string;
let src: string;
let haveDevice = false;
const LONG_DIR = 'a-directory-with-a-rather-long-name/' + 'sub-directory-that-pushes-past-one-hundred-bytes';
const LONG_FILE = `${LONG_DIR}/and-a-file-name-too.txt`;
const LONG_TARGET = '../../' + 'x'.repeat(120);
const MTIME = 1_600_000_000;

beforeAll(() => {
  work = fs.mkdtempSync(join(tmpdir(), 'procsim-tar-'));
  src = join(work, 'src');
  fs.mkdirSync(join(src, 'bin'), { recursive: true });
  fs.mkdirSync(join(src, 'private'), { mode: 0o700 });
  fs.chmodSync(join(src, 'private'), 0o700);
  fs.writeFileSync(join(src, 'bin', 'prog'), 'binary\0content');
  fs.chmodSync(join(src, 'bin', 'prog'), 0o755);
  fs.writeFileSync(join(src, 'private', 'key'), 'k');
  fs.chmodSync(join(src, 'private', 'key'), 0o400);
  fs.writeFileSync(join(src, 'empty'), '');
  fs.writeFileSync(join(src, 'big'), Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 31) & 0xff)));
  fs.linkSync(join(src, 'bin', 'prog'), join(src, 'bin', 'prog-hard'));
  fs.symlinkSync('prog', join(src, 'bin', 'rel'));
  fs.symlinkSync('/bin/prog', join(src, 'abs'));
  fs.mkdirSync(join(src, LONG_DIR), { recursive: true });
  fs.writeFileSync(join(src, LONG_FILE), 'long');
  fs.writeFileSync(join(src, 'n\u00e4me'), 'umlaut');
  execFileSync('mkfifo', [join(src, 'pipe')]);
  try {
    execFileSync('mknod', [join(src, 'nulldev'), 'c', '1', '3']);
    haveDevice = true;
  } catch {
    console.warn('tar-seed: mknod not permitted here; device entries are not covered');
  }
  for (const p of execFileSync('find', [src], { encoding: 'utf8' }).trim().split('\n')) {
    execFileSync('touch', ['-h', '-d', `@${MTIME}`, p]);
  }
});

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

function archive(format: string, extra: string[] = [], gzip = false): Uint8Array {
  const out = join(work, `${format}${gzip ? '.tgz' : '.tar'}`);
  execFileSync('tar', [`--format=${format}`, ...(gzip ? ['-z'] : []), '-C', src, '-cf', out, ...extra, '.']);
  return fs.readFileSync(out);
}

function fromTar(bytes: Uint8Array): Vfs {
  return createFs({ clock: tickingClock(), random: countingRandom(), rootfs: { kind: 'tar', bytes } });
}

/** Checks the seeded tree against the source tree on the host, entry by entry. */
function expectSameTree(vfs: Vfs, skip: (rel: string) => boolean = () => false) {
  const inodeOfHostIno = new Map<number, Inode>();
  const visit = (abs: string, rel: string) => {
    for (const name of fs.readdirSync(abs).sort()) {
      const p = join(abs, name);
      const r = `${rel}/${name}`;
      if (skip(r)) continue;
      const st = fs.lstatSync(p);
      const vpath = Buffer.from(r).toString('latin1');
      const inode = vfs.resolve(vfs.root, vpath, false);
      const vst = vfs.stat(inode);
      expect([r, vst.mode.toString(8)]).toEqual([r, st.mode.toString(8)]);
      expect([r, vst.mtime.sec]).toEqual([r, MTIME]);
      if (st.isFile()) {
        expect(Buffer.compare(Buffer.from(vfs.read(inode, 0, st.size + 1)), fs.readFileSync(p))).toBe(0);
        expect([r, vst.nlink]).toEqual([r, st.nlink]);
        const seen = inodeOfHostIno.get(st.ino);
        if (seen) expect(inode).toBe(seen);
        inodeOfHostIno.set(st.ino, inode);
      }
      if (st.isSymbolicLink()) expect(vfs.readlink(vfs.root, vpath)).toBe(fs.readlinkSync(p));
      if (st.isCharacterDevice()) expect(vst.rdev).toBe(F.makedev(1, 3));
      if (st.isDirectory()) visit(p, r);
    }
  };
  visit(src, '');
}

describe('seeding from tar', () => {
  it('GNU format: long names, long link targets, hard links, symlinks, FIFOs, devices', () => {
    fs.symlinkSync(LONG_TARGET, join(src, 'long-link'));
    execFileSync('touch', ['-h', '-d', `@${MTIME}`, join(src, 'long-link'), src]);
    try {
      const vfs = fromTar(archive('gnu'));
      expectSameTree(vfs);
      expect(vfs.readlink(vfs.root, '/long-link')).toBe(LONG_TARGET);
      expect(readFile(vfs, '/' + LONG_FILE)).toBe('long');
      expect(vfs.resolve(vfs.root, '/pipe', false).mode & F.S_IFMT).toBe(F.S_IFIFO);
      if (haveDevice) {
        const dev = vfs.open(vfs.root, '/nulldev', F.O_RDWR).inode;
        expect(vfs.write(dev, 0, new Uint8Array(3))).toBe(3); // driven by the /dev/null driver
      }
    } finally {
      fs.unlinkSync(join(src, 'long-link'));
    }
  });

  it('POSIX pax format', () => {
    expectSameTree(fromTar(archive('posix')));
  });

  it('plain ustar (long paths split with the prefix field)', () => {
    expectSameTree(fromTar(archive('ustar')));
  });

  it('gzip-compressed archives', () => {
    expectSameTree(fromTar(archive('gnu', [], true)));
  });

  it('sets the root from "./", keeps hard links as one inode, and borrows file bytes', () => {
    const bytes = archive('gnu');
    const vfs = fromTar(bytes);
    expect(vfs.stat(vfs.root).mode).toBe(F.S_IFDIR | (fs.statSync(src).mode & 0o7777));
    const prog = vfs.resolve(vfs.root, '/bin/prog');
    expect(vfs.resolve(vfs.root, '/bin/prog-hard')).toBe(prog);
    expect(prog.nlink).toBe(2);
    vfs.write(prog, 0, new TextEncoder().encode('BINARY'));
    expect(readFile(vfs, '/bin/prog-hard')).toBe('BINARY\0content');
    // the archive bytes were not written through
    expect(Buffer.from(bytes).includes(Buffer.from('binary\0content'))).toBe(true);
    // the default tree is still laid over it
    expect(vfs.resolve(vfs.root, '/dev/zero').kind).toBe('device');
    expect(readFile(vfs, '/etc/passwd')).toContain('root:x:0:0');
  });

  it('parses deterministically', () => {
    const bytes = archive('gnu');
    const list = (v: Vfs) => Buffer.from(v.getdents(v.root, 0, 8192).bytes).toString('hex');
    expect(list(fromTar(bytes))).toBe(list(fromTar(bytes)));
    expect(parseTar(bytes).map((e) => e.path)).toEqual(parseTar(bytes).map((e) => e.path));
  });
});

describe('bad archives', () => {
  const seedErr = (bytes: Uint8Array) => {
    try {
      fromTar(bytes);
      return 'ok';
    } catch (e) {
      expect(e).toBeInstanceOf(TarError);
      expect((e as Error).message).not.toContain('\n');
      return (e as Error).message;
    }
  };

  it('a corrupt header checksum', () => {
    const bytes = Uint8Array.from(archive('gnu'));
    bytes[600] ^= 0x55; // inside the second header's name
    expect(seedErr(bytes)).toMatch(/^tar: bad header checksum at offset 512$/);
  });

  it('a truncated archive', () => {
    const bytes = archive('gnu');
    const bigAt = parseTar(bytes).findIndex((e) => e.path === 'big');
    expect(bigAt).toBeGreaterThanOrEqual(0);
    const cut = Buffer.from(bytes).indexOf(Buffer.from('big\0')) + 512 + 1000;
    expect(seedErr(bytes.subarray(0, cut))).toMatch(/^tar: truncated entry at offset \d+$/);
    expect(seedErr(bytes.subarray(0, 100))).toBe('tar: archive shorter than one header');
  });

  it('garbage and bad gzip', () => {
    expect(seedErr(new Uint8Array(1024).fill(0x41))).toMatch(/^tar: bad (numeric field|header checksum)/);
    expect(seedErr(Uint8Array.of(0x1f, 0x8b, 1, 2, 3))).toMatch(/^tar: bad gzip data/);
  });

  it('entries escaping the root', () => {
    const dir = join(work, 'escape');
    fs.mkdirSync(join(dir, 'in'), { recursive: true });
    fs.writeFileSync(join(dir, 'evil'), 'x');
    const out = join(work, 'escape.tar');
    execFileSync('tar', ['-C', join(dir, 'in'), '-P', '-cf', out, '../evil']);
    expect(seedErr(fs.readFileSync(out))).toMatch(/escapes the root/);
  });

  it('an empty archive seeds nothing but the default tree', () => {
    const vfs = fromTar(new Uint8Array(1024));
    expect(errnoOf(() => vfs.resolve(vfs.root, '/tmp'))).toBe('ok');
  });
});
