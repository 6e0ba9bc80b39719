/* planted-window: a planted bug that needs three context switches, for shrinking tests.
 * Child A creates /tmp/f, makes N harmless syscalls (argv[1], default 3), removes it and
 * exits. The parent, after N harmless syscalls of its own, probes /tmp/f twice, N syscalls
 * apart. The bug: the first probe sees the file and the second does not, i.e. A runs to
 * its create, the parent to its first probe, A to its remove, then the parent again. The
 * bug aborts (SIGABRT). Raw syscalls only, so each process makes few steps. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static int exists(const char *path) { return syscall(SYS_faccessat, AT_FDCWD, path, F_OK) == 0; }

static void idle(int n) {
  for (int i = 0; i < n; i++) syscall(SYS_getppid);
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 3;
  pid_t a = fork();
  if (a == 0) {
    long fd = syscall(SYS_openat, AT_FDCWD, "/tmp/f", O_CREAT | O_WRONLY, 0644);
    if (fd >= 0) syscall(SYS_close, fd);
    idle(n);
    syscall(SYS_unlinkat, AT_FDCWD, "/tmp/f", 0);
    syscall(SYS_exit_group, 0);
  }
  idle(n);
  int first = exists("/tmp/f");
  idle(n);
  int second = exists("/tmp/f");
  if (first && !second) abort();
  syscall(SYS_wait4, -1, 0, 0, 0);
  return 0;
}
