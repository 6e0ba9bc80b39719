// The mount table: which filesystem each st_dev belongs to, as /proc/mounts, mountinfo,
// statfs and statx (stx_mnt_id) show it. The in-memory filesystem is one tmpfs-like mount at
// /, the kernel mounts proc at /proc and a small sysfs at /sys; pipes and sockets live on
// Linux's internal pipefs and sockfs, which statfs reports but /proc/mounts does not list.
import { makedev } from './flags.ts';
import { ROOT_DEV } from './vfs.ts';

export interface MountInfo {
  /** Mount id (mountinfo's first field, statx's stx_mnt_id). */
  id: number;
  parent: number;
  dev: number;
  /** Mount point ('' for the internal filesystems that are mounted nowhere). */
  path: string;
  source: string;
  fstype: string;
  /** Per-mount options, as /proc/mounts shows them. */
  opts: string;
  /** Superblock options (mountinfo's last field). */
  superOpts: string;
  /** f_type of statfs. */
  magic: number;
  /** ST_* mount flags (without ST_VALID). */
  flags: number;
}

export const TMPFS_MAGIC = 0x01021994;
export const PROC_SUPER_MAGIC = 0x9fa0;
export const SYSFS_MAGIC = 0x62656572;
export const PIPEFS_MAGIC = 0x50495045;
export const SOCKFS_MAGIC = 0x534f434b;

export const ST_RDONLY = 0x1;
export const ST_NOSUID = 0x2;
export const ST_NODEV = 0x4;
export const ST_NOEXEC = 0x8;
export const ST_RELATIME = 0x400;
/** Always set in f_flags: the flags are valid. */
export const ST_VALID = 0x20;

export const PROC_DEV = makedev(0, 4);
export const SYS_DEV = makedev(0, 21);
export const PIPE_DEV = makedev(0, 12);
export const SOCK_DEV = makedev(0, 8);

const NOSUID_NODEV_NOEXEC = ST_NOSUID | ST_NODEV | ST_NOEXEC;

/** The mounts /proc/mounts lists, in mount order. */
export const MOUNTS: readonly MountInfo[] = [
  { id: 21, parent: 1, dev: ROOT_DEV, path: '/', source: 'tmpfs', fstype: 'tmpfs', opts: 'rw,relatime', superOpts: 'rw', magic: TMPFS_MAGIC, flags: ST_RELATIME },
  { id: 22, parent: 21, dev: PROC_DEV, path: '/proc', source: 'proc', fstype: 'proc', opts: 'rw,nosuid,nodev,noexec,relatime', superOpts: 'rw', magic: PROC_SUPER_MAGIC, flags: NOSUID_NODEV_NOEXEC | ST_RELATIME },
  { id: 23, parent: 21, dev: SYS_DEV, path: '/sys', source: 'sysfs', fstype: 'sysfs', opts: 'ro,nosuid,nodev,noexec,relatime', superOpts: 'ro', magic: SYSFS_MAGIC, flags: ST_RDONLY | NOSUID_NODEV_NOEXEC | ST_RELATIME },
];

const INTERNAL: readonly MountInfo[] = [
  { id: 12, parent: 12, dev: PIPE_DEV, path: '', source: 'pipefs', fstype: 'pipefs', opts: 'rw', superOpts: 'rw', magic: PIPEFS_MAGIC, flags: 0 },
  { id: 8, parent: 8, dev: SOCK_DEV, path: '', source: 'sockfs', fstype: 'sockfs', opts: 'rw', superOpts: 'rw', magic: SOCKFS_MAGIC, flags: 0 },
];

/** The mount a device number belongs to (the root mount for an unknown one). */
export function mountOfDev(dev: number): MountInfo {
  return MOUNTS.find((m) => m.dev === dev) ?? INTERNAL.find((m) => m.dev === dev) ?? MOUNTS[0];
}

/** /proc/mounts: "source mountpoint fstype options 0 0" per line. */
export function procMounts(): string {
  return MOUNTS.map((m) => `${m.source} ${m.path} ${m.fstype} ${m.opts} 0 0\n`).join('');
}

/** /proc/self/mountinfo (Documentation/filesystems/proc.rst 3.5). */
export function procMountinfo(): string {
  return MOUNTS.map(
    (m) => `${m.id} ${m.parent} ${(m.dev >>> 8) & 0xfff}:${m.dev & 0xff} / ${m.path} ${m.opts} - ${m.fstype} ${m.source} ${m.superOpts}\n`,
  ).join('');
}
