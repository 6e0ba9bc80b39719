// --rootfs: a host directory or a tar archive.

import { readFileSync, statSync } from 'node:fs';
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
  if (/\.tar$/.test(arg)) return { kind: 'tar', bytes: new Uint8Array(readFileSync(arg)) };
  throw new UsageError(`--rootfs ${arg}: expected a directory or a .tar archive`);
}
