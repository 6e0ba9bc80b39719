// The VFS against real Linux: scripted edge cases and generated operation sequences must give
// the same outcome (value or errno) at every step and the same tree at the end.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as F from '../../../src/process/fs/flags.ts';
import { HostSide, type Op, UMASK, VfsSide, compare } from './linux-oracle.ts';

const host = new HostSide();
const mem = new VfsSide();
let savedUmask = 0;

beforeAll(() => {
  savedUmask = process.umask(UMASK);
});
afterAll(() => {
  process.umask(savedUmask);
  host.dispose();
});

const mk = (p: string): Op => ({ k: 'mkdir', p, mode: 0o755 });
const touch = (p: string, data = 'x'): Op => ({ k: 'open', p, flags: F.O_CREAT | F.O_WRONLY, data });
const open = (p: string, flags: number, data = ''): Op => ({ k: 'open', p, flags, data });

const scripts: Record<string, Op[]> = {
  'trailing slashes': [
    mk('d'),
    touch('f'),
    { k: 'stat', p: 'd/' },
    { k: 'stat', p: 'f/' },
    { k: 'unlink', p: 'f/' },
    { k: 'rmdir', p: 'd/' },
    mk('e/'),
    { k: 'symlink', target: 'x', p: 's/' },
    { k: 'symlink', target: 'e', p: 'le' },
    { k: 'lstat', p: 'le/' },
    { k: 'unlink', p: 'le/' },
    { k: 'rmdir', p: 'le/' },
    { k: 'rmdir', p: 'le' },
    open('g/', F.O_CREAT | F.O_WRONLY),
    open('e/', F.O_CREAT | F.O_WRONLY),
    open('f/', F.O_RDONLY),
    { k: 'rename', p: 'f/', q: 'h' },
    { k: 'rename', p: 'f', q: 'h/' },
    { k: 'rename', p: 'e/', q: 'e2/' },
    { k: 'link', p: 'f', q: 'n/' },
    { k: 'link', p: 'f/', q: 'n' },
  ],
  'dots and the root': [
    mk('d'),
    mk('.'),
    mk('..'),
    mk('d/.'),
    { k: 'rmdir', p: '.' },
    { k: 'rmdir', p: '..' },
    { k: 'rmdir', p: 'd/.' },
    { k: 'rmdir', p: 'd/..' },
    { k: 'unlink', p: '.' },
    { k: 'unlink', p: 'd/..' },
    { k: 'rename', p: 'd/.', q: 'x' },
    { k: 'rename', p: 'd', q: '.' },
    { k: 'rename', p: 'd', q: 'd/..' },
    open('.', F.O_CREAT | F.O_RDONLY),
    open('.', F.O_CREAT | F.O_EXCL | F.O_RDONLY),
    open('.', F.O_RDWR),
    open('.', F.O_RDONLY | F.O_TRUNC),
    { k: 'symlink', target: 'x', p: '.' },
    { k: 'link', p: 'd', q: 'd2' },
    { k: 'readdir', p: 'd/..//d/./' },
    touch('d/../d//f'),
    { k: 'read', p: 'd/f' },
  ],
  'symlink loops and chains': [
    { k: 'symlink', target: 'a', p: 'a' },
    { k: 'stat', p: 'a' },
    { k: 'lstat', p: 'a' },
    { k: 'readlink', p: 'a' },
    open('a', F.O_CREAT | F.O_WRONLY),
    { k: 'symlink', target: 'c', p: 'b' },
    { k: 'symlink', target: 'b', p: 'c' },
    { k: 'stat', p: 'b/x' },
    mk('d'),
    { k: 'symlink', target: 'd/nofile', p: 'dang' },
    open('dang', F.O_CREAT | F.O_WRONLY, 'through'),
    { k: 'read', p: 'd/nofile' },
    { k: 'symlink', target: 'd/other', p: 'dang2' },
    open('dang2', F.O_CREAT | F.O_EXCL | F.O_WRONLY),
    open('dang2', F.O_CREAT | F.O_NOFOLLOW | F.O_WRONLY),
    open('dang', F.O_RDONLY | F.O_NOFOLLOW),
    { k: 'readlink', p: 'd' },
    { k: 'readlink', p: 'd/nofile' },
    mk('dang2'),
    { k: 'symlink', target: 'd/', p: 'slash' },
    { k: 'stat', p: 'slash' },
    { k: 'symlink', target: 'dang/', p: 'fslash' },
    { k: 'stat', p: 'fslash' },
  ],
  'rename edge cases': [
    mk('a'),
    mk('a/b'),
    mk('c'),
    touch('c/f'),
    touch('g'),
    { k: 'rename', p: 'a', q: 'a/b/x' },
    { k: 'rename', p: 'a', q: 'a' },
    { k: 'rename', p: 'a/b', q: 'a' },
    { k: 'rename', p: 'a', q: 'c' },
    { k: 'rename', p: 'a', q: 'g' },
    { k: 'rename', p: 'g', q: 'a' },
    { k: 'rename', p: 'a/b', q: 'c/f' },
    { k: 'rmdir', p: 'a/b' },
    { k: 'rename', p: 'c', q: 'a' },
    { k: 'stat', p: 'a/f' },
    { k: 'link', p: 'g', q: 'h' },
    { k: 'rename', p: 'g', q: 'h' },
    { k: 'stat', p: 'g' },
    { k: 'rename', p: 'nothing', q: 'z' },
    { k: 'rename', p: 'g', q: 'nodir/z' },
    { k: 'rename', p: 'a/f', q: 'g' },
    { k: 'stat', p: 'g' },
  ],
  'hard links': [
    touch('f', 'one'),
    { k: 'link', p: 'f', q: 'g' },
    { k: 'link', p: 'f', q: 'g' },
    { k: 'stat', p: 'f' },
    { k: 'write', p: 'g', off: 3, data: 'two' },
    { k: 'unlink', p: 'f' },
    { k: 'stat', p: 'g' },
    { k: 'read', p: 'g' },
    mk('d'),
    { k: 'link', p: 'd', q: 'e' },
    { k: 'symlink', target: 'g', p: 's' },
    { k: 'link', p: 's', q: 't' },
    { k: 'lstat', p: 't' },
    { k: 'link', p: 'missing', q: 'm' },
  ],
  'open flags': [
    open('f', F.O_CREAT | F.O_EXCL | F.O_WRONLY, 'hello'),
    open('f', F.O_CREAT | F.O_EXCL | F.O_WRONLY),
    open('f', F.O_RDONLY | F.O_TRUNC),
    { k: 'stat', p: 'f' },
    open('f', F.O_WRONLY, 'ab'),
    open('f', F.O_CREAT | F.O_DIRECTORY | F.O_RDONLY),
    open('f', F.O_DIRECTORY | F.O_RDONLY),
    open('nonexistent', F.O_RDONLY),
    open('f/x', F.O_CREAT | F.O_WRONLY),
    mk('d'),
    open('d', F.O_WRONLY),
    open('d', F.O_DIRECTORY | F.O_RDWR),
    open('d', F.O_CREAT | F.O_WRONLY),
    { k: 'write', p: 'f', off: 10, data: 'sparse' },
    { k: 'read', p: 'f' },
    { k: 'truncate', p: 'f', len: 3 },
    { k: 'truncate', p: 'f', len: 12 },
    { k: 'read', p: 'f' },
    { k: 'truncate', p: 'd', len: 0 },
    { k: 'chmod', p: 'f', mode: 0o4711 },
    { k: 'access', p: 'f', mode: F.X_OK },
    { k: 'chmod', p: 'f', mode: 0o600 },
    { k: 'access', p: 'f', mode: F.X_OK },
    { k: 'access', p: 'f', mode: F.W_OK | F.R_OK },
    { k: 'access', p: 'd', mode: F.X_OK },
    { k: 'read', p: 'd' },
  ],
  'removal errors': [
    mk('d'),
    touch('d/f'),
    { k: 'rmdir', p: 'd' },
    { k: 'unlink', p: 'd' },
    { k: 'rmdir', p: 'd/f' },
    { k: 'unlink', p: 'd/f/g' },
    { k: 'unlink', p: 'nothing' },
    { k: 'rmdir', p: 'nothing' },
    { k: 'unlink', p: 'd/f' },
    { k: 'rmdir', p: 'd' },
    { k: 'readdir', p: '.' },
  ],
};

describe('VFS vs real Linux: scripted edge cases', () => {
  for (const [name, ops] of Object.entries(scripts)) {
    it(name, () => {
      expect(compare(host, mem, ops)).toBeUndefined();
    });
  }
});

// ---- generated sequences ----

const name = fc.constantFrom('a', 'b', 'c');
const comp = fc.oneof({ weight: 16, arbitrary: name }, { weight: 1, arbitrary: fc.constant('.') }, { weight: 1, arbitrary: fc.constant('..') });
const comps = fc.oneof(
  { weight: 6, arbitrary: fc.array(comp, { minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.array(comp, { minLength: 2, maxLength: 2 }) },
  { weight: 1, arbitrary: fc.array(comp, { minLength: 3, maxLength: 3 }) },
);
const path = fc
  .tuple(comps, fc.constantFrom('', '', '', '', '', '', '', '', '', '/'), fc.constantFrom('/', '/', '/', '/', '/', '/', '/', '/', '/', '//'))
  .filter(([cs]) => cs.filter((c) => c === '..').length <= 2)
  .map(([cs, tail, sep]) => cs.join(sep) + tail);
const target = fc
  .tuple(fc.array(fc.oneof({ weight: 8, arbitrary: name }, { weight: 1, arbitrary: fc.constant('.') }), { minLength: 1, maxLength: 2 }), fc.constantFrom('', '', '', '/'))
  .map(([cs, tail]) => cs.join('/') + tail);
const data = fc.string({ unit: fc.constantFrom('x', 'y', 'z'), maxLength: 6 });
const accmode = fc.constantFrom(F.O_RDONLY, F.O_WRONLY, F.O_RDWR);
const flagBits = fc.tuple(
  fc.constantFrom(F.O_CREAT, F.O_CREAT, 0),
  fc.constantFrom(F.O_EXCL, 0, 0),
  fc.constantFrom(F.O_TRUNC, 0, 0),
  fc.constantFrom(F.O_DIRECTORY, 0, 0, 0, 0),
  fc.constantFrom(F.O_NOFOLLOW, 0, 0, 0),
);
const extra = flagBits.map((bits) => bits.reduce<number>((a, b) => a | b, 0));

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant('mkdir' as const), p: path, mode: fc.constantFrom(0o755, 0o700, 0o1777) }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('open' as const), p: path, flags: fc.tuple(accmode, extra).map(([a, e]) => a | e), data }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('write' as const), p: path, off: fc.nat(8), data }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('truncate' as const), p: path, len: fc.nat(8) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('unlink' as const), p: path }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('rmdir' as const), p: path }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('rename' as const), p: path, q: path }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('symlink' as const), target, p: path }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('link' as const), p: path, q: path }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('readlink' as const), p: path }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('stat' as const), p: path }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('lstat' as const), p: path }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('readdir' as const), p: path }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('read' as const), p: path }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('chmod' as const), p: path, mode: fc.constantFrom(0o644, 0o755, 0o000, 0o4711) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('access' as const), p: path, mode: fc.constantFrom(F.F_OK, F.X_OK, F.W_OK) }) },
);

describe('VFS vs real Linux: generated operation sequences', () => {
  it('same outcome at every step and the same final tree', () => {
    let opsRun = 0;
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 5, maxLength: 40, size: 'max' }), (ops) => {
        opsRun += ops.length;
        const diff = compare(host, mem, ops);
        if (diff) throw new Error(diff);
      }),
      { numRuns: Number(process.env.FS_ORACLE_RUNS ?? 300) },
    );
    console.log(`fs oracle: ${opsRun} operations compared with Linux`);
  });
});
