// The one error type of the in-memory filesystem: a Linux errno the kernel returns as -errno.
import { ERRNO, type ErrnoName } from '../errno.ts';

export class FsError extends Error {
  readonly errno: number;
  constructor(
    readonly code: ErrnoName,
    detail?: string,
  ) {
    super(detail ? `${code}: ${detail}` : code);
    this.errno = ERRNO[code];
  }
}

/** The root filesystem has something else where procsim's tree needs a directory (/proc, /tmp, /dev, ...): a rootfs that cannot boot. */
export class RootfsLayoutError extends Error {}

const KIND_NAMES: Record<string, string> = { file: 'regular file', symlink: 'symbolic link', device: 'device file', special: 'special file' };

/** The error for a rootfs whose `path` is an inode of `kind` (or a path through a non-directory) where a directory must be. */
export function notADirectory(path: string, kind: string | undefined, why: string): RootfsLayoutError {
  const what = kind === undefined ? 'a component of its path is not a directory' : `the rootfs has a ${KIND_NAMES[kind] ?? kind} there`;
  return new RootfsLayoutError(`${path} must be a directory (${why}), but ${what}: remove it from the rootfs`);
}
