// --rootfs: a host directory or a tar archive.

import { statSync } from 'node:fs';
import { readBounded, TAR_MAX } from './bounded-read.ts';
import type { RootfsSource } from '../process/fs/index.ts';
import { UsageError } from './args.ts';

export function rootfsSource(arg: string): RootfsSource {
  let st;
  try {
    st = statSync(arg);
  } catch {
    throw new UsageError(`--rootfs ${arg}: no such file or directory`);
  }
  if (st.isDirectory()) return { kind: 'host-dir', path: arg };
  if (/\.tar$/.test(arg)) return { kind: 'tar', bytes: readBounded(arg, { what: `--rootfs ${arg}`, max: TAR_MAX, fix: 'a tar is held whole: unpack it and pass the directory' }) };
  throw new UsageError(`--rootfs ${arg}: expected a directory or a .tar archive`);
}
