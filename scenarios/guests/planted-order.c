/* planted-order: a planted ordering bug of depth 2, for exploration benchmarks and tests.
 * The parent forks child A, then child B, then probes two files. A creates /tmp/a after
 * N harmless syscalls (argv[1], default 20); B creates /tmp/b at once. The bug: the parent
 * sees /tmp/a but not /tmp/b, i.e. its probe falls after A's create and before B's. A
 * random walk rarely lets A run N steps ahead; PCT does it whenever A outranks the parent
 * and the parent outranks B. The bug aborts (SIGABRT). Raw syscalls only, so each process
 * makes few steps. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void create(const char *path) {
  long fd = syscall(SYS_openat, AT_FDCWD, path, O_CREAT | O_WRONLY, 0644);
  if (fd >= 0) syscall(SYS_close, fd);
}

static int exists(const char *path) { return syscall(SYS_faccessat, AT_FDCWD, path, F_OK) == 0; }

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 20;
  pid_t a = fork();
  if (a == 0) {
    for (int i = 0; i < n; i++) syscall(SYS_getppid);
    create("/tmp/a");
    syscall(SYS_exit_group, 0);
  }
  pid_t b = fork();
  if (b == 0) {
    create("/tmp/b");
    syscall(SYS_exit_group, 0);
  }
  if (exists("/tmp/a") && !exists("/tmp/b")) abort();
  syscall(SYS_wait4, -1, 0, 0, 0);
  syscall(SYS_wait4, -1, 0, 0, 0);
  return 0;
}
