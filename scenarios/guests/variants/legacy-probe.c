/* legacy-probe MODE [ARGS]: what a static glibc program observes of the process model, for
 * the behaviours that the legacy emulator was seen to have (issue 10). stdout is unbuffered,
 * so lines appear in the order the processes wrote them.
 *   forks CODE...   one child per CODE, each exiting with it at once; then waitpid(first
 *                   child), waitpid(-1)
 *   waitargs        waitpid with a pid nobody has and WNOHANG|WUNTRACED, after one fork
 *   memory V        the child stores V in a .data global, a .bss global, the heap, a private
 *                   anonymous mapping and the stack; the parent reads them afterwards
 *   waits-parent    the child reads a pipe the parent writes once fork has returned
 *   signals         kill of the child after it exited, of self, raise, SIGPIPE, then abort()
 *   enosys          rt_sigsuspend, setpgid, setsid, waitid, renameat2
 *   exec PATH       execv(PATH) (exits 1 with the error if it returns) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *status_str(int st) {
  static char buf[64];
  if (WIFEXITED(st)) snprintf(buf, sizeof buf, "exited %d", WEXITSTATUS(st));
  else if (WIFSIGNALED(st)) snprintf(buf, sizeof buf, "killed by SIG%s", sigabbrev_np(WTERMSIG(st)));
  else snprintf(buf, sizeof buf, "raw %#x", st);
  return buf;
}

/* "label: R" or "label: -1 ERRNO". */
static void result(const char *label, long r) {
  if (r < 0) printf("%s: -1 %s\n", label, strerrorname_np(errno));
  else printf("%s: %ld\n", label, r);
}

/* A wait's outcome: the pid and status, or the error. */
static void waited(const char *label, pid_t r, int st) {
  if (r > 0) printf("%s: %d %s\n", label, r, status_str(st));
  else result(label, r);
}

static pid_t must_fork(void) {
  pid_t p = fork();
  if (p < 0) {
    printf("FAIL fork: %s\n", strerrorname_np(errno));
    _exit(99);
  }
  return p;
}

static void mode_forks(int n, char **codes) {
  pid_t first = 0;
  for (int i = 0; i < n; i++) {
    pid_t p = must_fork();
    if (p == 0) _exit(atoi(codes[i]));
    if (i == 0) first = p;
    printf("fork %d: %d\n", i, p);
  }
  int st = 0;
  waited("waitpid(first)", waitpid(first, &st, 0), st);
  waited("waitpid(-1)", waitpid(-1, &st, 0), st);
}

static void mode_waitargs(void) {
  pid_t p = must_fork();
  if (p == 0) _exit(3);
  int st = 0;
  waited("waitpid(424242, WNOHANG|WUNTRACED)", waitpid(424242, &st, WNOHANG | WUNTRACED), st);
  waited("waitpid(child)", waitpid(p, &st, 0), st);
}

static int data_global = 1; /* .data */
static int bss_global;      /* .bss */

static void mode_memory(int v) {
  volatile int stack = 1;
  int *heap = malloc(sizeof *heap);
  int *map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (heap == NULL || map == MAP_FAILED) _exit(98);
  *heap = *map = 1;
  bss_global = 1;
  pid_t p = must_fork();
  if (p == 0) {
    data_global = bss_global = *heap = *map = stack = v;
    _exit(0);
  }
  waitpid(p, NULL, 0);
  printf("parent: data=%d bss=%d heap=%d mmap=%d stack=%d\n", data_global, bss_global, *heap, *map, stack);
}

static void mode_waits_parent(void) {
  int pfd[2];
  if (pipe(pfd) != 0) _exit(98);
  pid_t p = must_fork();
  if (p == 0) {
    char c;
    result("child: read from the parent", read(pfd[0], &c, 1));
    _exit(0);
  }
  result("parent: write to the child", write(pfd[1], "x", 1));
  waitpid(p, NULL, 0);
}

static void mode_signals(void) {
  pid_t p = must_fork();
  if (p == 0) {
    result("child: kill(getpid(), SIGTERM)", kill(getpid(), SIGTERM));
    _exit(9);
  }
  result("parent: kill(child, SIGKILL) after its exit", kill(p, SIGKILL));
  int st = 0;
  waited("parent: waitpid(child)", waitpid(p, &st, 0), st);
  result("parent: kill(getpid(), SIGTERM)", kill(getpid(), SIGTERM));
  result("parent: raise(SIGUSR1)", raise(SIGUSR1));
  int pfd[2];
  if (pipe(pfd) != 0) _exit(98);
  close(pfd[0]);
  result("parent: write to a pipe without reader", write(pfd[1], "x", 1));
  printf("parent: abort()\n");
  abort();
}

static void mode_enosys(void) {
  sigset_t none;
  sigemptyset(&none);
  result("rt_sigsuspend", sigsuspend(&none));
  result("setpgid(0, 0)", setpgid(0, 0));
  result("setsid", setsid());
  siginfo_t si;
  result("waitid(P_ALL, WEXITED|WNOHANG)", waitid(P_ALL, 0, &si, WEXITED | WNOHANG));
  int f = open("/tmp/a", O_CREAT | O_WRONLY, 0644);
  close(f);
  result("renameat2(/tmp/a, /tmp/b)", syscall(SYS_renameat2, AT_FDCWD, "/tmp/a", AT_FDCWD, "/tmp/b", 0));
  result("rename(/tmp/a, /tmp/b)", rename("/tmp/a", "/tmp/b"));
}

static void mode_exec(const char *path) {
  char *argv[] = {(char *)path, NULL};
  execv(path, argv);
  printf("execv(%s): -1 %s\n", path, strerrorname_np(errno));
  exit(1);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  const char *mode = argc >= 2 ? argv[1] : "";
  if (strcmp(mode, "forks") == 0) mode_forks(argc - 2, argv + 2);
  else if (strcmp(mode, "waitargs") == 0 && argc == 2) mode_waitargs();
  else if (strcmp(mode, "memory") == 0 && argc == 3) mode_memory(atoi(argv[2]));
  else if (strcmp(mode, "waits-parent") == 0 && argc == 2) mode_waits_parent();
  else if (strcmp(mode, "signals") == 0 && argc == 2) mode_signals();
  else if (strcmp(mode, "enosys") == 0 && argc == 2) mode_enosys();
  else if (strcmp(mode, "exec") == 0 && argc == 3) mode_exec(argv[2]);
  else {
    fprintf(stderr, "usage: %s MODE [ARGS] (see the source)\n", argc > 0 ? argv[0] : "legacy-probe");
    return 2;
  }
  return 0;
}
