// Synthetic directories: the hook through which the kernel provides /proc.
//
// The kernel mounts a SyntheticDir at a path (Vfs.mountSynthetic). Each lookup in it calls
// the provider with the context object the caller passed to the path walk (for /proc: the
// calling process), and the node it returns becomes a fresh inode for this walk only:
// - 'file': read-only content generated now (open/read see this snapshot);
// - 'symlink': a target path, and optionally `jump`, an inode the link leads to directly
//   (a magic link like /proc/self/fd/N or /proc/self/exe, which works even when the file
//   has no name any more), and permission bits other than 0777 (fd links show the access
//   mode: r-x for reading, -wx for writing);
// - 'dir': a nested synthetic directory.
// Entries cannot be created, removed or renamed. Inode numbers are stable per path within
// the mount (the mount root is ino 1) and the mount has its own st_dev.
import type { Clock, Inode } from './inode.ts';
import { DirInode, FileInode, SymlinkInode } from './inode.ts';
import { FileData } from './file-data.ts';
import { S_IFLNK } from './flags.ts';

export type SyntheticNode =
  | { kind: 'dir'; dir: SyntheticDir; mode?: number }
  | { kind: 'symlink'; target: string; jump?: Inode; mode?: number }
  | { kind: 'file'; content: Uint8Array; mode?: number };

export interface SyntheticDir {
  /** The entry `name` as seen by the context `ctx`, or undefined when absent (ENOENT). */
  lookup(name: string, ctx: unknown): SyntheticNode | undefined;
  /** The names getdents lists, in that order. */
  list(ctx: unknown): string[];
}

/** State of one synthetic mount: its device number and its stable inode numbers. */
export class SyntheticMount {
  private inos = new Map<string, number>([['', 1]]);
  constructor(
    readonly dev: number,
    readonly clock: Clock,
  ) {}

  inoFor(key: string): number {
    let ino = this.inos.get(key);
    if (ino === undefined) {
      ino = this.inos.size + 1;
      this.inos.set(key, ino);
    }
    return ino;
  }
}

/** What a synthetic DirInode is bound to. */
export interface SyntheticBinding {
  provider: SyntheticDir;
  mount: SyntheticMount;
  /** Path of the directory inside the mount ('' for the mount root). */
  key: string;
}

/** Creates the inode for the synthetic entry `name` of `dir`, or undefined when absent. */
export function syntheticLookup(dir: DirInode, name: string, ctx: unknown): Inode | undefined {
  const { provider, mount, key } = dir.synthetic!;
  const node = provider.lookup(name, ctx);
  if (!node) return undefined;
  const childKey = `${key}/${name}`;
  const ino = mount.inoFor(childKey);
  const now = mount.clock();
  switch (node.kind) {
    case 'file': {
      const f = new FileInode(mount.dev, ino, node.mode ?? 0o444, now, FileData.borrowing(node.content));
      f.readOnly = true;
      return f;
    }
    case 'symlink': {
      const l = new SymlinkInode(mount.dev, ino, now, node.target, node.jump);
      if (node.mode !== undefined) l.mode = S_IFLNK | (node.mode & 0o777);
      return l;
    }
    case 'dir': {
      const d = new DirInode(mount.dev, ino, node.mode ?? 0o555, now, dir);
      d.name = name;
      d.synthetic = { provider: node.dir, mount, key: childKey };
      return d;
    }
  }
}
