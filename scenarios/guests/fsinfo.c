// What dynamically linked programs ask of the kernel beyond the basics, printed as facts that
// are the same on every Linux: statx of a file made here, statx flag checks, fadvise,
// copy_file_range, close_range, /dev/tty without a controlling terminal, a pipe reopened
// through /proc/self/fd and /dev/fd, AF_UNIX connect without a listener, xattrs of a fresh
// file, the shape of /proc and /sys files, and /proc/self/{cmdline,environ,auxv}. Usage:
// fsinfo DIR (DIR must not exist; it is made, used and removed).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/auxv.h>
#include <sys/xattr.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC 4
#endif

static const char *err(long r) { return r < 0 ? strerrorname_np(errno) : "ok"; }

static int slurp(const char *path, char *buf, size_t n) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  size_t got = 0;
  ssize_t r;
  while (got + 1 < n && (r = read(fd, buf + got, n - 1 - got)) > 0) got += r;
  buf[got] = 0;
  close(fd);
  return (int)got;
}

static char big[1 << 16];

/* Whether the file holds exactly the strings of v, each with its NUL. */
static int nul_joined_is(const char *path, char **v) {
  int n = slurp(path, big, sizeof big), at = 0;
  for (; *v; v++) {
    size_t len = strlen(*v) + 1;
    if (at + (int)len > n || memcmp(big + at, *v, len) != 0) return 0;
    at += len;
  }
  return at == n;
}

/* /proc/self/auxv: whole (type, value) pairs ending in AT_NULL, agreeing with getauxval. */
static void auxv_facts(void) {
  int n = slurp("/proc/self/auxv", big, sizeof big);
  unsigned long *w = (unsigned long *)big;
  int pairs = n / 16, agree = 1, pagesz = 0;
  for (int i = 0; i < pairs; i++) {
    if (w[2 * i] == AT_PAGESZ) pagesz = (int)w[2 * i + 1];
    if ((w[2 * i] == AT_PHDR || w[2 * i] == AT_ENTRY || w[2 * i] == AT_RANDOM || w[2 * i] == AT_EXECFN) && getauxval(w[2 * i]) != w[2 * i + 1]) agree = 0;
  }
  printf("auxv: whole pairs %s, ends with AT_NULL %s, AT_PAGESZ %d, agrees with getauxval %s\n", n % 16 == 0 ? "yes" : "no",
         pairs > 0 && w[2 * pairs - 2] == AT_NULL ? "yes" : "no", pagesz, agree ? "yes" : "no");
}

int main(int argc, char **argv) {
  if (argc != 2 || argv[1][0] != '/') {
    fprintf(stderr, "usage: fsinfo /ABSOLUTE/NEW/DIR\n");
    return 2;
  }
  setvbuf(stdout, NULL, _IONBF, 0);
  umask(022);
  const char *dir = argv[1];
  char f[4096], g[4096];
  snprintf(f, sizeof f, "%s/f", dir);
  snprintf(g, sizeof g, "%s/g", dir);
  printf("mkdir: %s\n", err(mkdir(dir, 0755)));

  // statx of a file made here.
  int fd = open(f, O_CREAT | O_RDWR, 0644);
  printf("write: %zd\n", write(fd, "hello", 5));
  struct statx x;
  memset(&x, 0, sizeof x);
  long r = statx(AT_FDCWD, f, 0, STATX_BASIC_STATS | STATX_BTIME, &x);
  printf("statx: %s basic=%s btime=%s mnt_id=%s type=%s perm=%o size=%llu nlink=%u\n", err(r),
         (x.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS ? "yes" : "no", x.stx_mask & STATX_BTIME ? "yes" : "no",
         x.stx_mask & STATX_MNT_ID ? "yes" : "no", S_ISREG(x.stx_mode) ? "reg" : "other", x.stx_mode & 07777,
         (unsigned long long)x.stx_size, x.stx_nlink);
  struct statx y;
  r = statx(fd, "", AT_EMPTY_PATH, STATX_INO, &y);
  printf("statx fd: %s same ino=%s\n", err(r), y.stx_ino == x.stx_ino ? "yes" : "no");
  r = statx(AT_FDCWD, dir, 0, STATX_BASIC_STATS, &y);
  printf("statx dir: %s type=%s mount_root=%s\n", err(r), S_ISDIR(y.stx_mode) ? "dir" : "other",
         y.stx_attributes & STATX_ATTR_MOUNT_ROOT ? "yes" : "no");
  r = statx(AT_FDCWD, "/proc", 0, STATX_BASIC_STATS, &y);
  printf("statx /proc: %s mount_root=%s known=%s\n", err(r), y.stx_attributes & STATX_ATTR_MOUNT_ROOT ? "yes" : "no",
         y.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT ? "yes" : "no");
  printf("statx \"\": %s\n", err(statx(AT_FDCWD, "", 0, STATX_BASIC_STATS, &y)));
  printf("statx both sync flags: %s\n", err(statx(AT_FDCWD, dir, 0x6000, STATX_BASIC_STATS, &y)));
  printf("statx reserved mask: %s\n", err(statx(AT_FDCWD, dir, 0, 0x80000000u, &y)));

  // statfs.
  struct statfs sf;
  r = statfs("/proc", &sf);
  printf("statfs /proc: %s proc=%s namelen=%ld\n", err(r), sf.f_type == 0x9fa0 ? "yes" : "no", (long)sf.f_namelen);

  // fadvise64.
  int p[2];
  if (pipe(p) != 0) return 1;
  printf("fadvise file: %d\n", posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL));
  printf("fadvise pipe: %s\n", strerrorname_np(posix_fadvise(p[0], 0, 0, POSIX_FADV_NORMAL)));
  printf("fadvise bad advice: %s\n", strerrorname_np(posix_fadvise(fd, 0, 0, 99)));
  r = fstatfs(p[0], &sf);
  printf("fstatfs pipe: %s pipefs=%s\n", err(r), sf.f_type == 0x50495045 ? "yes" : "no");

  // copy_file_range.
  int gd = open(g, O_CREAT | O_RDWR, 0644);
  loff_t in = 1, out = 0;
  r = copy_file_range(fd, &in, gd, &out, 100, 0);
  char buf[256];
  ssize_t n = pread(gd, buf, sizeof buf - 1, 0);
  buf[n < 0 ? 0 : n] = 0;
  printf("copy_file_range: %ld in=%lld out=%lld g=%s\n", r, (long long)in, (long long)out, buf);
  printf("copy_file_range to a pipe: %s\n", err(copy_file_range(fd, &in, p[1], NULL, 1, 0)));
  printf("copy_file_range flags: %s\n", err(copy_file_range(fd, NULL, gd, NULL, 1, 1)));

  // close_range.
  dup2(fd, 20);
  dup2(fd, 21);
  dup2(fd, 22);
  printf("close_range 21: %s\n", err(syscall(SYS_close_range, 21, 21, 0)));
  printf("fd 21: %s\n", err(fcntl(21, F_GETFD)));
  printf("close_range cloexec: %s\n", err(syscall(SYS_close_range, 20, 22, CLOSE_RANGE_CLOEXEC)));
  printf("fd 20: %ld fd 22: %ld\n", (long)fcntl(20, F_GETFD), (long)fcntl(22, F_GETFD));
  printf("close_range 22..21: %s\n", err(syscall(SYS_close_range, 22, 21, 0)));
  printf("close_range 20..~0: %s\n", err(syscall(SYS_close_range, 20, ~0u, 0)));
  printf("fd 22: %s\n", err(fcntl(22, F_GETFD)));

  // /dev/tty without a controlling terminal.
  printf("open /dev/tty: %s\n", err(open("/dev/tty", O_RDWR)));

  // A pipe reopened through /proc/self/fd and /dev/fd.
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", p[1]);
  int w2 = open(path, O_WRONLY);
  printf("reopen write end: %s\n", err(w2));
  printf("write: %zd\n", write(w2, "via proc", 8));
  close(w2);
  n = read(p[0], buf, sizeof buf);
  printf("read: %.*s\n", (int)(n < 0 ? 0 : n), buf);
  snprintf(path, sizeof path, "/dev/fd/%d", p[0]);
  int r2 = open(path, O_RDONLY);
  printf("reopen read end: %s\n", err(r2));
  printf("write: %zd\n", write(p[1], "via dev", 7));
  n = read(r2, buf, sizeof buf);
  printf("read: %.*s\n", (int)(n < 0 ? 0 : n), buf);
  snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
  n = readlink(path, buf, sizeof buf);
  printf("link: %s\n", n > 6 && memcmp(buf, "pipe:[", 6) == 0 ? "pipe:[...]" : "?");
  close(r2);

  // AF_UNIX without a listener.
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  printf("socket: %s cloexec=%ld\n", err(s), (long)fcntl(s, F_GETFD));
  struct sockaddr_un sun = {.sun_family = AF_UNIX};
  strcpy(sun.sun_path, "/procsim-no-such-dir/socket");
  printf("connect missing: %s\n", err(connect(s, (struct sockaddr *)&sun, sizeof sun)));
  snprintf(sun.sun_path, sizeof sun.sun_path, "%s", dir);
  printf("connect dir: %s\n", err(connect(s, (struct sockaddr *)&sun, sizeof sun)));
  printf("write unconnected: %s\n", err(write(s, "x", 1)));
  printf("read unconnected: %s\n", err(read(s, buf, 1)));
  printf("socket AF_UNIX type 4: %s\n", err(socket(AF_UNIX, 4, 0)));
  close(s);

  // Extended attributes of a fresh file.
  printf("lgetxattr user.procsim: %s\n", err(lgetxattr(f, "user.procsim", buf, sizeof buf)));
  printf("getxattr empty name: %s\n", err(getxattr(f, "", buf, sizeof buf)));
  printf("lgetxattr missing file: %s\n", err(lgetxattr("/procsim-no-such-file", "user.a", buf, sizeof buf)));

  // /proc and /sys.
  slurp("/proc/self/status", big, sizeof big);
  printf("status keys:");
  char *line = big;
  for (int i = 0; i < 8 && line && *line; i++) {
    char *colon = strchr(line, ':');
    printf(" %.*s", (int)(colon ? colon - line : 0), line);
    line = strchr(line, '\n');
    if (line) line++;
  }
  printf("\n");
  char *um = strstr(big, "\nUmask:");
  printf("%.*s\n", um ? 11 : 0, um ? um + 1 : "");
  char *st = strstr(big, "\nState:");
  printf("%.*s\n", st ? 18 : 0, st ? st + 1 : "");
  char want[64];
  snprintf(want, sizeof want, "\nPid:\t%d\n", getpid());
  printf("status pid matches: %s\n", strstr(big, want) ? "yes" : "no");
  slurp("/proc/self/stat", big, sizeof big);
  int pid;
  char comm[64], state;
  (void)state;
  printf("stat: %s", sscanf(big, "%d %63s %c", &pid, comm, &state) == 3 && pid == getpid() ? "pid ok" : "?");
  printf(" %s\n", comm);
  slurp("/proc/self/maps", big, sizeof big);
  printf("maps has [stack]: %s\n", strstr(big, "[stack]\n") ? "yes" : "no");
  slurp("/proc/mounts", big, sizeof big);
  printf("mounts has /proc: %s\n", strstr(big, " /proc proc ") ? "yes" : "no");
  slurp("/proc/filesystems", big, sizeof big);
  printf("filesystems has proc: %s\n", strstr(big, "nodev\tproc\n") ? "yes" : "no");
  slurp("/proc/meminfo", big, sizeof big);
  printf("meminfo starts: %.9s\n", big);
  int len = slurp("/proc/sys/vm/overcommit_memory", big, sizeof big);
  printf("overcommit_memory: %s\n", len == 2 && big[0] >= '0' && big[0] <= '2' && big[1] == '\n' ? "one digit" : "?");
  slurp("/sys/devices/system/cpu/online", big, sizeof big);
  printf("cpu online starts: %c\n", big[0]);
  slurp("/proc/stat", big, sizeof big);
  printf("stat starts: %.5s\n", big);
  printf("cmdline is argv: %s\n", nul_joined_is("/proc/self/cmdline", argv) ? "yes" : "no");
  printf("environ is envp: %s\n", nul_joined_is("/proc/self/environ", environ) ? "yes" : "no");
  argv[0][0] ^= 1; // Linux reads the strings from the process: an in-place change shows
  printf("cmdline after argv[0] changed: %s\n", nul_joined_is("/proc/self/cmdline", argv) ? "follows" : "stale");
  argv[0][0] ^= 1;
  auxv_facts();

  close(fd);
  close(gd);
  printf("unlink: %s %s\n", err(unlink(f)), err(unlink(g)));
  printf("rmdir: %s\n", err(rmdir(dir)));
  return 0;
}
