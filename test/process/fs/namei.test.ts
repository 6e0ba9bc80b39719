// Path resolution: every namei rule with its errno.
import { describe, expect, it } from 'vitest';
import type { DirInode } from '../../../src/process/fs/inode.ts';
import { errnoOf, newVfs, writeFile } from './helpers.ts';

function setup() {
  const vfs = newVfs();
  vfs.mkdir(vfs.root, '/usr', 0o755);
  vfs.mkdir(vfs.root, '/usr/bin', 0o755);
  writeFile(vfs, '/usr/bin/sh', '#!');
  vfs.symlink('usr/bin', vfs.root, '/bin');
  vfs.symlink('/usr/bin/sh', vfs.root, '/abs');
  vfs.symlink('../bin/sh', vfs.root, '/usr/rel');
  return vfs;
}

describe('path resolution', () => {
  it('resolves absolute and relative paths, "." and "..", repeated slashes', () => {
    const vfs = setup();
    const sh = vfs.resolve(vfs.root, '/usr/bin/sh');
    const usr = vfs.resolve(vfs.root, '/usr') as DirInode;
    expect(vfs.resolve(usr, 'bin/sh')).toBe(sh);
    expect(vfs.resolve(usr, './bin/../bin/./sh')).toBe(sh);
    expect(vfs.resolve(usr, '//usr///bin//sh')).toBe(sh);
    expect(vfs.resolve(usr, '..')).toBe(vfs.root);
    expect(vfs.resolve(usr, '.')).toBe(usr);
    expect(vfs.resolve(usr, '/')).toBe(vfs.root);
    expect(vfs.resolve(usr, '///')).toBe(vfs.root);
  });

  it('".." at the root stays at the root', () => {
    const vfs = setup();
    expect(vfs.resolve(vfs.root, '/..')).toBe(vfs.root);
    expect(vfs.resolve(vfs.root, '../../..')).toBe(vfs.root);
    expect(vfs.resolve(vfs.root, '/../usr/..')).toBe(vfs.root);
    expect(vfs.resolve(vfs.root, '../usr/bin/sh')).toBe(vfs.resolve(vfs.root, '/usr/bin/sh'));
  });

  it('follows relative and absolute symlinks, in the middle and at the end', () => {
    const vfs = setup();
    const sh = vfs.resolve(vfs.root, '/usr/bin/sh');
    expect(vfs.resolve(vfs.root, '/bin/sh')).toBe(sh);
    expect(vfs.resolve(vfs.root, '/abs')).toBe(sh);
    expect(vfs.resolve(vfs.root, '/usr/rel')).toBe(sh);
    expect(vfs.resolve(vfs.root, '/bin/../bin/sh')).toBe(sh); // ".." after a symlink is the target's parent
    expect(vfs.resolve(vfs.root, '/bin/..')).toBe(vfs.resolve(vfs.root, '/usr'));
  });

  it('does not follow the final symlink on request, unless a trailing slash forces it', () => {
    const vfs = setup();
    const link = vfs.resolve(vfs.root, '/bin', false);
    expect(link.kind).toBe('symlink');
    expect(vfs.resolve(vfs.root, '/bin/', false)).toBe(vfs.resolve(vfs.root, '/usr/bin'));
    expect(vfs.resolve(vfs.root, '/bin/sh', false).kind).toBe('file');
    expect(errnoOf(() => vfs.resolve(vfs.root, '/abs/', false))).toBe('ENOTDIR');
  });

  it('a trailing slash requires a directory', () => {
    const vfs = setup();
    expect(errnoOf(() => vfs.resolve(vfs.root, '/usr/bin/sh/'))).toBe('ENOTDIR');
    expect(vfs.resolve(vfs.root, '/usr/bin/').kind).toBe('dir');
  });

  it('ENOTDIR when a non-final component is not a directory, ENOENT when absent', () => {
    const vfs = setup();
    expect(errnoOf(() => vfs.resolve(vfs.root, '/usr/bin/sh/x'))).toBe('ENOTDIR');
    expect(errnoOf(() => vfs.resolve(vfs.root, '/abs/x'))).toBe('ENOTDIR');
    expect(errnoOf(() => vfs.resolve(vfs.root, '/usr/nope/x'))).toBe('ENOENT');
    expect(errnoOf(() => vfs.resolve(vfs.root, '/usr/nope'))).toBe('ENOENT');
    expect(errnoOf(() => vfs.resolve(vfs.root, ''))).toBe('ENOENT');
  });

  it('follows at most 40 symlinks per walk (ELOOP beyond)', () => {
    const vfs = setup();
    // l0 -> l1 -> ... -> l40 -> /usr/bin/sh: reaching sh takes 41 links from l0, 40 from l1.
    vfs.symlink('/usr/bin/sh', vfs.root, '/l40');
    for (let i = 39; i >= 0; i--) vfs.symlink(`l${i + 1}`, vfs.root, `/l${i}`);
    const sh = vfs.resolve(vfs.root, '/usr/bin/sh');
    expect(vfs.resolve(vfs.root, '/l1')).toBe(sh);
    expect(errnoOf(() => vfs.resolve(vfs.root, '/l0'))).toBe('ELOOP');
    vfs.symlink('self', vfs.root, '/self');
    expect(errnoOf(() => vfs.resolve(vfs.root, '/self'))).toBe('ELOOP');
    expect(vfs.resolve(vfs.root, '/self', false).kind).toBe('symlink');
    expect(errnoOf(() => vfs.resolve(vfs.root, '/self/x', false))).toBe('ELOOP');
  });

  it('ENAMETOOLONG for a component over 255 bytes or a path of 4096 bytes', () => {
    const vfs = setup();
    expect(errnoOf(() => vfs.resolve(vfs.root, '/' + 'n'.repeat(255)))).toBe('ENOENT');
    expect(errnoOf(() => vfs.resolve(vfs.root, '/' + 'n'.repeat(256)))).toBe('ENAMETOOLONG');
    expect(errnoOf(() => vfs.mkdir(vfs.root, '/' + 'n'.repeat(256), 0o755))).toBe('ENAMETOOLONG');
    const longOk = '/' + './'.repeat(2045) + '/usr'; // 4096 - 1 bytes
    expect(longOk.length).toBe(4095);
    expect(vfs.resolve(vfs.root, longOk).kind).toBe('dir');
    expect(errnoOf(() => vfs.resolve(vfs.root, longOk + '/'))).toBe('ENAMETOOLONG');
  });

  it('lookupForCreate gives the parent, the final name and what it names', () => {
    const vfs = setup();
    const usr = vfs.resolve(vfs.root, '/usr');
    const bin = vfs.resolve(vfs.root, '/usr/bin');
    const w = vfs.lookupForCreate(vfs.root, '/bin/new');
    expect(w.dir).toBe(bin);
    expect(w.name).toBe('new');
    expect(w.inode).toBeUndefined();
    const w2 = vfs.lookupForCreate(vfs.root, 'usr/rel');
    expect(w2.dir).toBe(usr);
    expect(w2.inode?.kind).toBe('symlink');
    expect(vfs.lookupForCreate(vfs.root, '/').kind).toBe('root');
    expect(vfs.lookupForCreate(vfs.root, '/usr/..').kind).toBe('dotdot');
    expect(vfs.lookupForCreate(vfs.root, 'usr/.').kind).toBe('dot');
    expect(vfs.lookupForCreate(vfs.root, 'usr/x/').trailing).toBe(true);
  });

  it('names are bytes: non-ASCII and odd bytes round-trip', () => {
    const vfs = setup();
    const name = Buffer.from('héllo\u{1F600}', 'utf8').toString('latin1') + '\xff\x01';
    writeFile(vfs, '/' + name, 'x');
    expect([...vfs.readdir(vfs.root)].map((d) => d.name)).toContain(name);
    expect(vfs.resolve(vfs.root, '/' + name).kind).toBe('file');
  });

  it('a removed working directory resolves nothing below it, and ".." still leads up', () => {
    const vfs = setup();
    const d = vfs.mkdir(vfs.root, '/gone', 0o755);
    vfs.rmdir(vfs.root, '/gone');
    expect(errnoOf(() => vfs.resolve(d, 'x'))).toBe('ENOENT');
    expect(errnoOf(() => vfs.mkdir(d, 'x', 0o755))).toBe('ENOENT');
    expect(errnoOf(() => vfs.open(d, 'f', 0o101, 0o644))).toBe('ENOENT');
    expect(vfs.resolve(d, '.')).toBe(d);
    expect(vfs.resolve(d, '..')).toBe(vfs.root);
    expect(errnoOf(() => vfs.pathOf(d))).toBe('ENOENT');
  });

  it('pathOf gives absolute paths that follow renames', () => {
    const vfs = setup();
    const bin = vfs.resolveDir(vfs.root, '/bin');
    expect(vfs.pathOf(bin)).toBe('/usr/bin');
    expect(vfs.pathOf(vfs.root)).toBe('/');
    vfs.rename(vfs.root, '/usr', vfs.root, '/opt');
    expect(vfs.pathOf(bin)).toBe('/opt/bin');
    expect(errnoOf(() => vfs.resolveDir(vfs.root, '/abs'))).toBe('ENOENT'); // dangling now
    vfs.rename(vfs.root, '/opt', vfs.root, '/usr');
    expect(errnoOf(() => vfs.resolveDir(vfs.root, '/abs'))).toBe('ENOTDIR');
  });
});
