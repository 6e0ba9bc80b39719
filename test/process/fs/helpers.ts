// Shared test fixtures: a ticking virtual clock, a deterministic random source, small VFS helpers.
import { Vfs } from '../../../src/process/fs/vfs.ts';
import { FsError } from '../../../src/process/fs/fs-error.ts';
import type { Clock } from '../../../src/process/fs/inode.ts';
import { O_CREAT, O_TRUNC, O_WRONLY } from '../../../src/process/fs/flags.ts';

/** A clock that advances one second per reading, so every timestamp is distinct. */
export function tickingClock(start = 1_000): Clock & { reads: () => number } {
  let t = start;
  const clock = () => ({ sec: t++, nsec: 500 });
  return Object.assign(clock, { reads: () => t - start });
}

/** Deterministic bytes: i-th byte ever produced is (i * 7 + 3) & 0xff. */
export function countingRandom(): (n: number) => Uint8Array {
  let i = 0;
  return (n) => Uint8Array.from({ length: n }, () => (i++ * 7 + 3) & 0xff);
}

export function newVfs(): Vfs {
  return new Vfs({ clock: tickingClock() });
}

/** The errno name an operation throws, or 'ok'. */
export function errnoOf(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (e instanceof FsError) return e.code;
    throw e;
  }
}

export const text = (s: string) => new TextEncoder().encode(s);
export const untext = (b: Uint8Array) => new TextDecoder().decode(b);

/** Creates (or replaces) a regular file with the given content. */
export function writeFile(vfs: Vfs, path: string, content: string): void {
  const { inode } = vfs.open(vfs.root, path, O_CREAT | O_WRONLY | O_TRUNC, 0o644);
  vfs.write(inode, 0, text(content));
}

export function readFile(vfs: Vfs, path: string): string {
  const inode = vfs.resolve(vfs.root, path);
  return untext(vfs.read(inode, 0, inode.size));
}
