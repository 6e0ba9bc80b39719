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
