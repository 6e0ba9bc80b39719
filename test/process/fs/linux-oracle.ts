// Runs the same filesystem operations on the VFS and on the real Linux filesystem (node:fs in
// a temporary directory), so tests can compare outcomes, errnos and resulting trees.
//
// Both sides get the same sandbox shape, /r1/r2/root, and operations run relative to `root`.
// Paths hold at most two ".." and symlink targets none, so no walk climbs above r1.
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsError } from '../../../src/process/fs/fs-error.ts';
import * as F from '../../../src/process/fs/flags.ts';
import type { DirInode, Inode } from '../../../src/process/fs/inode.ts';
import { Vfs } from '../../../src/process/fs/vfs.ts';
import { tickingClock } from './helpers.ts';

export type Op =
  | { k: 'mkdir'; p: string; mode: number }
  | { k: 'open'; p: string; flags: number; data: string }
  | { k: 'write'; p: string; off: number; data: string }
  | { k: 'truncate'; p: string; len: number }
  | { k: 'unlink'; p: string }
  | { k: 'rmdir'; p: string }
  | { k: 'rename'; p: string; q: string; flags?: number }
  | { k: 'symlink'; target: string; p: string }
  | { k: 'link'; p: string; q: string }
  | { k: 'readlink'; p: string }
  | { k: 'stat'; p: string }
  | { k: 'lstat'; p: string }
  | { k: 'readdir'; p: string }
  | { k: 'read'; p: string }
  | { k: 'chmod'; p: string; mode: number }
  | { k: 'access'; p: string; mode: number };

export const UMASK = 0o022;
const C = fs.constants;

/** Our open flags in the host's numbering (the same on x86-64, but do not rely on it). */
function hostFlags(flags: number): number {
  const pairs: [number, number][] = [
    [F.O_WRONLY, C.O_WRONLY],
    [F.O_RDWR, C.O_RDWR],
    [F.O_CREAT, C.O_CREAT],
    [F.O_EXCL, C.O_EXCL],
    [F.O_TRUNC, C.O_TRUNC],
    [F.O_DIRECTORY, C.O_DIRECTORY],
    [F.O_NOFOLLOW, C.O_NOFOLLOW],
  ];
  let out = 0;
  for (const [ours, host] of pairs) if ((flags & ours) === ours && ours !== 0) out |= host;
  return out;
}

const bytes = (s: string) => Buffer.from(s, 'latin1');

function describeStat(mode: number, nlink: number, size: number): string {
  const type = mode & F.S_IFMT;
  // Directory sizes are filesystem-specific (ext4 blocks vs tmpfs entry counts).
  return `type=${type.toString(8)} perm=${(mode & 0o7777).toString(8)} nlink=${nlink}` + (type === F.S_IFDIR ? '' : ` size=${size}`);
}

export class HostSide {
  readonly tmp = fs.mkdtempSync(join(tmpdir(), 'procsim-fs-oracle-'));
  readonly top = join(this.tmp, 'r1');
  readonly root = join(this.top, 'r2', 'root');

  reset(): void {
    fs.rmSync(this.top, { recursive: true, force: true });
    fs.mkdirSync(this.root, { recursive: true, mode: 0o755 });
  }
  dispose(): void {
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }
  private h(p: string): string {
    return `${this.root}/${p}`;
  }

  apply(op: Op): string {
    try {
      return this.run(op);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (!code) throw e;
      return code;
    }
  }

  private run(op: Op): string {
    switch (op.k) {
      case 'mkdir':
        fs.mkdirSync(this.h(op.p), op.mode);
        return 'ok';
      case 'open': {
        const fd = fs.openSync(this.h(op.p), hostFlags(op.flags), 0o644);
        try {
          if ((op.flags & F.O_ACCMODE) !== F.O_RDONLY) fs.writeSync(fd, bytes(op.data), 0, op.data.length, 0);
        } finally {
          fs.closeSync(fd);
        }
        return 'ok';
      }
      case 'write': {
        const fd = fs.openSync(this.h(op.p), C.O_WRONLY);
        try {
          fs.writeSync(fd, bytes(op.data), 0, op.data.length, op.off);
        } finally {
          fs.closeSync(fd);
        }
        return 'ok';
      }
      case 'truncate':
        fs.truncateSync(this.h(op.p), op.len);
        return 'ok';
      case 'unlink':
        fs.unlinkSync(this.h(op.p));
        return 'ok';
      case 'rmdir':
        fs.rmdirSync(this.h(op.p));
        return 'ok';
      case 'rename':
        fs.renameSync(this.h(op.p), this.h(op.q));
        return 'ok';
      case 'symlink':
        fs.symlinkSync(op.target, this.h(op.p));
        return 'ok';
      case 'link':
        fs.linkSync(this.h(op.p), this.h(op.q));
        return 'ok';
      case 'readlink':
        return fs.readlinkSync(this.h(op.p), 'latin1');
      case 'stat': {
        const st = fs.statSync(this.h(op.p));
        return describeStat(st.mode, st.nlink, st.size);
      }
      case 'lstat': {
        const st = fs.lstatSync(this.h(op.p));
        return describeStat(st.mode, st.nlink, st.size);
      }
      case 'readdir':
        return fs.readdirSync(this.h(op.p), 'latin1').sort().join(',');
      case 'read':
        return fs.readFileSync(this.h(op.p)).toString('latin1');
      case 'chmod':
        fs.chmodSync(this.h(op.p), op.mode);
        return 'ok';
      case 'access':
        fs.accessSync(this.h(op.p), op.mode);
        return 'ok';
    }
  }

  /** The tree under r1: one line per entry with type, permissions, links and content. */
  tree(): string[] {
    const out: string[] = [];
    const groups = new Map<number, string>();
    const visit = (abs: string, rel: string) => {
      for (const name of fs.readdirSync(abs, 'latin1').sort()) {
        const p = `${abs}/${name}`;
        const r = `${rel}/${name}`;
        const st = fs.lstatSync(p);
        let line = `${r} ${describeStat(st.mode, st.nlink, st.size)}`;
        if (st.isSymbolicLink()) line += ` -> ${fs.readlinkSync(p, 'latin1')}`;
        if (st.isFile()) line += ` "${fs.readFileSync(p).toString('latin1')}"`;
        if (!st.isDirectory()) {
          if (!groups.has(st.ino)) groups.set(st.ino, r);
          line += ` same-as=${groups.get(st.ino)}`;
        }
        out.push(line);
        if (st.isDirectory()) visit(p, r);
      }
    };
    visit(this.top, '');
    return out;
  }
}

export class VfsSide {
  vfs!: Vfs;
  root!: DirInode;
  top!: DirInode;

  reset(): void {
    this.vfs = new Vfs({ clock: tickingClock() });
    this.top = this.vfs.ensureDir('/r1');
    this.root = this.vfs.ensureDir('/r1/r2/root');
  }

  apply(op: Op): string {
    try {
      return this.run(op);
    } catch (e) {
      if (e instanceof FsError) return e.code;
      throw e;
    }
  }

  private run(op: Op): string {
    const v = this.vfs;
    const r = this.root;
    switch (op.k) {
      case 'mkdir':
        v.mkdir(r, op.p, op.mode & ~UMASK);
        return 'ok';
      case 'open': {
        const { inode } = v.open(r, op.p, op.flags, 0o644 & ~UMASK);
        if ((op.flags & F.O_ACCMODE) !== F.O_RDONLY) v.write(inode, 0, bytes(op.data));
        return 'ok';
      }
      case 'write':
        v.write(v.open(r, op.p, F.O_WRONLY).inode, op.off, bytes(op.data));
        return 'ok';
      case 'truncate':
        v.truncate(v.open(r, op.p, F.O_RDWR).inode, op.len);
        return 'ok';
      case 'unlink':
        v.unlink(r, op.p);
        return 'ok';
      case 'rmdir':
        v.rmdir(r, op.p);
        return 'ok';
      case 'rename':
        v.rename(r, op.p, r, op.q, op.flags ?? 0);
        return 'ok';
      case 'symlink':
        v.symlink(op.target, r, op.p);
        return 'ok';
      case 'link':
        v.link(r, op.p, r, op.q);
        return 'ok';
      case 'readlink':
        return v.readlink(r, op.p);
      case 'stat':
      case 'lstat': {
        const st = v.stat(v.resolve(r, op.p, op.k === 'stat'));
        return describeStat(st.mode, st.nlink, st.size);
      }
      case 'readdir': {
        const dir = v.open(r, op.p, F.O_RDONLY | F.O_DIRECTORY).inode as DirInode;
        return [...v.readdir(dir)]
          .map((d) => d.name)
          .filter((n) => n !== '.' && n !== '..')
          .sort()
          .join(',');
      }
      case 'read': {
        const { inode } = v.open(r, op.p, F.O_RDONLY);
        return Buffer.from(v.read(inode, 0, 1 << 20)).toString('latin1');
      }
      case 'chmod':
        v.chmod(v.resolve(r, op.p), op.mode);
        return 'ok';
      case 'access':
        v.access(v.resolve(r, op.p), op.mode);
        return 'ok';
    }
  }

  tree(): string[] {
    const out: string[] = [];
    const groups = new Map<Inode, string>();
    const visit = (dir: DirInode, rel: string) => {
      const names = [...dir.entries().keys()].sort();
      for (const name of names) {
        const inode = dir.get(name)!;
        const r = `${rel}/${name}`;
        const st = this.vfs.stat(inode);
        let line = `${r} ${describeStat(st.mode, st.nlink, st.size)}`;
        if (inode.kind === 'symlink') line += ` -> ${inode.target}`;
        if (inode.kind === 'file') line += ` "${Buffer.from(this.vfs.read(inode, 0, inode.size)).toString('latin1')}"`;
        if (inode.kind !== 'dir') {
          if (!groups.has(inode)) groups.set(inode, r);
          line += ` same-as=${groups.get(inode)}`;
        }
        out.push(line);
        if (inode.kind === 'dir') visit(inode, r);
      }
    };
    visit(this.top, '');
    return out;
  }
}

/** Runs `ops` on both sides from empty sandboxes; returns the first divergence, if any. */
export function compare(host: HostSide, mem: VfsSide, ops: Op[]): string | undefined {
  host.reset();
  mem.reset();
  for (let i = 0; i < ops.length; i++) {
    const want = host.apply(ops[i]);
    const got = mem.apply(ops[i]);
    if (want !== got) return `op ${i} ${JSON.stringify(ops[i])}: linux ${JSON.stringify(want)}, vfs ${JSON.stringify(got)}`;
  }
  const want = host.tree().join('\n');
  const got = mem.tree().join('\n');
  if (want !== got) return `trees differ after ${ops.length} ops:\n--- linux\n${want}\n--- vfs\n${got}`;
  return undefined;
}
