// The tree every simulated system starts with, laid over the seeded root (if any):
//   /tmp    1777, /root 0700, /proc (empty: the kernel mounts its provider there)
//   /dev    null, zero, full, random, urandom (0666; drivers registered in vfs.devices;
//           random bytes from the caller's seeded source), tty (5:0, no driver: opening it
//           is ENXIO, as for a process without a controlling terminal), shm/ (1777, for
//           POSIX shared memory and semaphores), and the symlinks
//           fd -> /proc/self/fd, stdin/stdout/stderr -> /proc/self/fd/0..2
//   /etc    passwd (root, uid 0, home /root, shell /bin/sh) and group (root, gid 0)
// Existing directories and files are kept (a rootfs's own /etc/passwd wins), except that the
// /dev memory devices are always ours.
import { DEV_TTY, type RandomSource, memoryDevices } from './devices.ts';
import type { DirInode, Inode } from './inode.ts';
import type { Vfs } from './vfs.ts';
import { FsError, notADirectory } from './fs-error.ts';

const ETC_FILES: [string, string][] = [
  ['passwd', 'root:x:0:0:root:/root:/bin/sh\n'],
  ['group', 'root:x:0:\n'],
];

const DEV_LINKS: [string, string][] = [
  ['fd', '/proc/self/fd'],
  ['stdin', '/proc/self/fd/0'],
  ['stdout', '/proc/self/fd/1'],
  ['stderr', '/proc/self/fd/2'],
];

/** The kind of what is at path itself (a final symlink not followed), if its parent can be walked to. */
function kindAt(vfs: Vfs, path: string): string | undefined {
  try {
    return vfs.walk(vfs.root, path, 'parent').inode?.kind;
  } catch {
    return undefined;
  }
}

function dirWithMode(vfs: Vfs, path: string, mode: number): DirInode {
  const why = 'every system has it';
  let existed: boolean;
  let dir: DirInode;
  try {
    const found = vfs.walk(vfs.root, path, 'follow').inode;
    if (found !== undefined && found.kind !== 'dir') throw notADirectory(path, found.kind, why);
    existed = found !== undefined;
    dir = vfs.ensureDir(path, mode);
  } catch (e) {
    if (!(e instanceof FsError)) throw e;
    // A symlink that leads nowhere (or through a file), or a parent that is not a directory.
    throw notADirectory(path, kindAt(vfs, path), why);
  }
  if (!existed) vfs.chmod(dir, mode);
  return dir;
}

function replace(vfs: Vfs, dir: DirInode, name: string, inode: Inode): void {
  const old = dir.get(name);
  if (old?.kind === 'dir') vfs.rmdir(dir, name);
  else if (old) vfs.unlink(dir, name);
  dir.add(name, inode);
}

export function installDefaultTree(vfs: Vfs, random: RandomSource): void {
  dirWithMode(vfs, '/tmp', 0o1777);
  dirWithMode(vfs, '/root', 0o700);
  dirWithMode(vfs, '/proc', 0o555);
  const dev = dirWithMode(vfs, '/dev', 0o755);
  for (const [name, rdev, driver] of memoryDevices(random)) {
    vfs.devices.register(rdev, driver);
    const old = dev.get(name);
    if (old?.kind !== 'device' || old.rdev !== rdev) replace(vfs, dev, name, vfs.newDevice(0o666, rdev));
  }
  if (!dev.get('tty')) dev.add('tty', vfs.newDevice(0o666, DEV_TTY));
  dirWithMode(vfs, '/dev/shm', 0o1777);
  for (const [name, target] of DEV_LINKS) if (!dev.get(name)) dev.add(name, vfs.newSymlink(target));
  const etc = dirWithMode(vfs, '/etc', 0o755);
  for (const [name, text] of ETC_FILES) {
    if (etc.get(name)) continue;
    const f = vfs.newFile(0o644);
    vfs.write(f, 0, Buffer.from(text));
    etc.add(name, f);
  }
}
