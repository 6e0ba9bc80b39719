// /proc: the per-process views the guest can look at (/proc/self, /proc/<pid>/exe, fd/N, comm).

import { InodeBackend } from './files.ts';
import type { SyntheticDir, SyntheticNode } from './fs/synthetic.ts';
import type { Kernel } from './kernel.ts';
import type { Process } from './process.ts';

const PROC_DEV = 0x4;

const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

function fdDir(p: Process): SyntheticDir {
  return {
    list: () => p.fds.open().map(String),
    lookup(name): SyntheticNode | undefined {
      if (!/^\d+$/.test(name)) return undefined;
      const e = p.fds.get(Number(name));
      if (e === undefined) return undefined;
      const be = e.file.backend;
      return { kind: 'symlink', target: e.file.path, jump: be instanceof InodeBackend ? be.inode : undefined };
    },
  };
}

function pidDir(k: Kernel, p: Process): SyntheticDir {
  return {
    list: () => ['comm', 'exe', 'fd'],
    lookup(name): SyntheticNode | undefined {
      switch (name) {
        case 'exe': {
          let jump;
          try {
            jump = k.fs.resolve(k.fs.root, p.exe, true, p);
          } catch {
            jump = undefined; // the executable was removed: the link still reads
          }
          return { kind: 'symlink', target: p.exe, jump };
        }
        case 'comm':
          return { kind: 'file', content: latin1(p.comm + '\n') };
        case 'fd':
          return { kind: 'dir', dir: fdDir(p), mode: 0o500 };
        default:
          return undefined;
      }
    },
  };
}

export function mountProc(k: Kernel): void {
  const live = (): Process[] => [...k.procs.values()].filter((q) => q.state !== 'reaped');
  const root: SyntheticDir = {
    list: () => ['self', ...live().map((q) => String(q.pid))],
    lookup(name, ctx): SyntheticNode | undefined {
      if (name === 'self') return { kind: 'symlink', target: String((ctx as Process).pid) };
      if (!/^\d+$/.test(name)) return undefined;
      const q = k.procs.get(Number(name));
      if (q === undefined || q.state === 'reaped') return undefined;
      return { kind: 'dir', dir: pidDir(k, q) };
    },
  };
  k.fs.mountSynthetic('/proc', root, PROC_DEV);
}
