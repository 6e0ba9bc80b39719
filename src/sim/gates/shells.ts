// The shells the shell gates run: busybox sh (its own static rootfs) and Debian's dash and
// bash (dynamically linked, in the Debian rootfs). The plan's gate names /bin/sh; each of
// these is a /bin/sh somewhere.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BUSYBOX_ROOTFS, DEBIAN_ROOTFS } from '../scenarios.ts';

export interface Shell {
  name: string;
  rootfs: string;
  /** The program, a path inside rootfs (also argv[0]), and the words after it before the shell's own. */
  path: string;
  argv: string[];
  env: string[];
  /** How to get the rootfs when it is missing. */
  fix: string;
}

export const SHELLS: readonly Shell[] = [
  { name: 'busybox sh', rootfs: BUSYBOX_ROOTFS, path: '/bin/busybox', argv: ['/bin/busybox', 'sh'], env: ['PATH=/bin', 'HOME=/root'], fix: 'npm run busybox' },
  { name: 'dash', rootfs: DEBIAN_ROOTFS, path: '/bin/dash', argv: ['/bin/dash'], env: ['PATH=/usr/bin:/bin', 'HOME=/root'], fix: 'npm run rootfs' },
  { name: 'bash', rootfs: DEBIAN_ROOTFS, path: '/bin/bash', argv: ['/bin/bash'], env: ['PATH=/usr/bin:/bin', 'HOME=/root'], fix: 'npm run rootfs' },
];

export const haveShell = (s: Shell): boolean => existsSync(join(s.rootfs, s.path));

/** One line naming what is missing and the command that fetches it, or undefined. */
export function missingShells(): string | undefined {
  const missing = SHELLS.filter((s) => !haveShell(s));
  if (missing.length === 0) return undefined;
  const fixes = [...new Set(missing.map((s) => s.fix))].join(' && ');
  return `${missing.map((s) => s.name).join(', ')} not found (fix: ${fixes})`;
}
