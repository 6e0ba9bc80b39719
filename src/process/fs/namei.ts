// Path walk, after Linux fs/namei.c.
//
// Every component but the last must resolve to a directory (ENOTDIR otherwise, ENOENT when
// absent); symlinks met on the way are followed (relative targets from the link's
// directory, absolute ones from the root), at most MAXSYMLINKS per walk (ELOOP). "." stays,
// ".." goes to the parent (the root is its own parent), repeated slashes are one. What
// happens to the last component depends on the mode:
// - 'follow': a final symlink is followed (stat, open, execve);
// - 'nofollow': a final symlink is returned as is (lstat, readlink, O_NOFOLLOW), unless the
//   path ends with a slash, which forces following, as in Linux;
// - 'parent': the last component is looked up but never followed (create, unlink, rename);
// - 'create': as 'follow', but a last component written with a trailing slash is EISDIR,
//   checked before it is looked up (open with O_CREAT).
// Paths of PATH_MAX bytes or more and components over NAME_MAX bytes are ENAMETOOLONG.
import { FsError } from './fs-error.ts';
import { MAXSYMLINKS, NAME_MAX, PATH_MAX } from './flags.ts';
import type { DirInode, Inode } from './inode.ts';
import { syntheticLookup } from './synthetic.ts';

export type FinalMode = 'follow' | 'nofollow' | 'parent' | 'create';

/** What kind of name the last component is (Linux's LAST_NORM, LAST_DOT, ...). */
export type LastKind = 'norm' | 'dot' | 'dotdot' | 'root';

export interface WalkResult {
  /** The directory holding the last component (for 'norm'); else the directory walked to. */
  dir: DirInode;
  /** The last component ('' when kind is 'root'). */
  name: string;
  kind: LastKind;
  /** What the last component names, or undefined when it does not exist. */
  inode: Inode | undefined;
  /** The path (or, for a followed final symlink, its target) ended with a slash. */
  trailing: boolean;
}

/** The entry `name` of `dir`, or undefined. Removed directories have no entries. */
export function lookupChild(dir: DirInode, name: string, ctx: unknown): Inode | undefined {
  if (dir.dead) return undefined;
  if (dir.synthetic) return syntheticLookup(dir, name, ctx);
  return dir.get(name);
}

function components(path: string): string[] {
  return path.split('/').filter((c) => c !== '');
}

/**
 * Walks `path` from `base` (relative paths) or `root` (absolute paths). `ctx` is passed
 * to synthetic directory providers untouched.
 */
export function walk(root: DirInode, base: DirInode, path: string, mode: FinalMode, ctx: unknown): WalkResult {
  if (path.length === 0) throw new FsError('ENOENT');
  if (path.length >= PATH_MAX) throw new FsError('ENAMETOOLONG');
  let comps = components(path);
  let trailing = path.endsWith('/') && comps.length > 0;
  let cur = path.charCodeAt(0) === 47 ? root : base;
  let links = 0;
  let i = 0;
  for (;;) {
    if (i === comps.length) return { dir: cur, name: '', kind: cur === root ? 'root' : 'dot', inode: cur, trailing };
    const name = comps[i];
    const last = i === comps.length - 1;
    if (name === '.') {
      if (last) return { dir: cur, name, kind: 'dot', inode: cur, trailing };
      i++;
      continue;
    }
    if (name === '..') {
      const up = cur === root ? root : cur.parent;
      if (last) return { dir: cur, name, kind: 'dotdot', inode: up, trailing };
      cur = up;
      i++;
      continue;
    }
    if (name.length > NAME_MAX) throw new FsError('ENAMETOOLONG');
    if (last && trailing && mode === 'create') throw new FsError('EISDIR');
    const child = lookupChild(cur, name, ctx);
    if (child === undefined) {
      if (last) return { dir: cur, name, kind: 'norm', inode: undefined, trailing };
      throw new FsError('ENOENT');
    }
    if (child.kind === 'symlink' && (!last || mode === 'follow' || mode === 'create' || (mode === 'nofollow' && trailing))) {
      if (++links > MAXSYMLINKS) throw new FsError('ELOOP');
      if (child.jump) {
        if (last) return { dir: cur, name, kind: 'norm', inode: child.jump, trailing };
        if (child.jump.kind !== 'dir') throw new FsError('ENOTDIR');
        cur = child.jump;
        i++;
        continue;
      }
      const target = child.target;
      if (target.length === 0) throw new FsError('ENOENT');
      const rest = comps.slice(i + 1);
      if (rest.length === 0) trailing = trailing || target.endsWith('/');
      comps = components(target).concat(rest);
      if (target.charCodeAt(0) === 47) cur = root;
      i = 0;
      continue;
    }
    if (last) return { dir: cur, name, kind: 'norm', inode: child, trailing };
    if (child.kind !== 'dir') throw new FsError('ENOTDIR');
    cur = child;
    i++;
  }
}
