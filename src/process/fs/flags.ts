// Linux constants of the file API as riscv64 (asm-generic) defines them.

// open(2) flags.
export const O_ACCMODE = 0o3;
export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_DSYNC = 0o10000;
export const O_DIRECT = 0o40000;
export const O_LARGEFILE = 0o100000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_NOATIME = 0o1000000;
export const O_CLOEXEC = 0o2000000;
export const O_SYNC = 0o4010000;
export const O_PATH = 0o10000000;
export const O_TMPFILE = 0o20200000;

// fcntl(2) commands.
export const F_DUPFD = 0;
export const F_GETFD = 1;
export const F_SETFD = 2;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const F_GETLK = 5;
export const F_SETLK = 6;
export const F_SETLKW = 7;
export const F_OFD_GETLK = 36;
export const F_OFD_SETLK = 37;
export const F_OFD_SETLKW = 38;
export const F_DUPFD_CLOEXEC = 1030;

// *at(2) flags.
export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_REMOVEDIR = 0x200;
export const AT_SYMLINK_FOLLOW = 0x400;
export const AT_EACCESS = 0x200;
export const AT_EMPTY_PATH = 0x1000;

// renameat2(2) flags.
export const RENAME_NOREPLACE = 1;
export const RENAME_EXCHANGE = 2;
export const RENAME_WHITEOUT = 4;

// access(2) modes.
export const F_OK = 0;
export const X_OK = 1;
export const W_OK = 2;
export const R_OK = 4;

// File types and permission bits of st_mode.
export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;
export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;
export const S_ISVTX = 0o1000;
export const S_IXUGO = 0o111;
/** The bits chmod may change. */
export const S_IALLUGO = 0o7777;

// linux_dirent64 d_type values.
export const DT_UNKNOWN = 0;
export const DT_FIFO = 1;
export const DT_CHR = 2;
export const DT_DIR = 4;
export const DT_BLK = 6;
export const DT_REG = 8;
export const DT_LNK = 10;
export const DT_SOCK = 12;

// utimensat(2) special nanosecond values.
export const UTIME_NOW = (1 << 30) - 1;
export const UTIME_OMIT = (1 << 30) - 2;

// Limits.
export const PATH_MAX = 4096;
export const NAME_MAX = 255;
/** Symlinks followed in one path walk before ELOOP (include/linux/namei.h MAXSYMLINKS). */
export const MAXSYMLINKS = 40;

/** glibc's makedev for device numbers that fit 32 bits (major < 4096, minor < 2^20). */
export function makedev(major: number, minor: number): number {
  if (major < 0 || major > 0xfff || minor < 0 || minor > 0xfffff) {
    throw new RangeError(`makedev: device ${major}:${minor} out of range`);
  }
  return (((minor & 0xfff00) << 12) | (major << 8) | (minor & 0xff)) >>> 0;
}

/** glibc's major() and minor() for 32-bit device numbers. */
export function major(dev: number): number {
  return (dev >>> 8) & 0xfff;
}
export function minor(dev: number): number {
  return (dev & 0xff) | ((dev >>> 12) & 0xfff00);
}

// statx(2) mask bits.
export const STATX_TYPE = 0x1;
export const STATX_MODE = 0x2;
export const STATX_NLINK = 0x4;
export const STATX_UID = 0x8;
export const STATX_GID = 0x10;
export const STATX_ATIME = 0x20;
export const STATX_MTIME = 0x40;
export const STATX_CTIME = 0x80;
export const STATX_INO = 0x100;
export const STATX_SIZE = 0x200;
export const STATX_BLOCKS = 0x400;
export const STATX_BASIC_STATS = 0x7ff;
export const STATX_BTIME = 0x800;
export const STATX_MNT_ID = 0x1000;
/** Reserved for future struct statx expansion: asking for it is EINVAL. */
export const STATX__RESERVED = 0x80000000;
export const STATX_ATTR_IMMUTABLE = 0x10;
export const STATX_ATTR_APPEND = 0x20;
export const STATX_ATTR_NODUMP = 0x40;
export const STATX_ATTR_AUTOMOUNT = 0x1000;
export const STATX_ATTR_MOUNT_ROOT = 0x2000;
export const STATX_ATTR_DAX = 0x200000;
export const AT_NO_AUTOMOUNT = 0x800;
export const AT_STATX_SYNC_TYPE = 0x6000;
