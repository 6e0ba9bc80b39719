/* rollback MODE: what a fork looks like to a guest, in the observations that tell the
 * kernel variants apart (reference, legacy-rollback, phase1-bridge). stdout is unbuffered,
 * so lines appear in the order the processes wrote them.
 *   identity  pid, ppid and tid on both sides of a fork, and fork's return value
 *   nested    a fork inside a fork child
 *   order     the child sleeps 1 ms of virtual time, then exits: when does the parent resume?
 *   memory    the child's writes to globals, heap and stack, seen from the parent afterwards
 *   wait      two children exit before any wait: which wait reports what
 *   wnohang   waitpid(WNOHANG) right after fork
 *   fds       the child redirects fd 1 into a file, closes an inherited pipe end, opens more
 *   exec      the child execs this program ("execd" mode, exit 7); a parent O_CLOEXEC fd
 *   signal    the child signals itself by getpid() */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *self;

static void err(const char *label, long r) {
  if (r < 0) printf("%s: -1 %s\n", label, strerrorname_np(errno));
  else printf("%s: %ld\n", label, r);
}

static const char *status_str(int st) {
  static char buf[64];
  if (WIFEXITED(st)) snprintf(buf, sizeof buf, "exited %d", WEXITSTATUS(st));
  else if (WIFSIGNALED(st)) snprintf(buf, sizeof buf, "killed by SIG%s", sigabbrev_np(WTERMSIG(st)));
  else snprintf(buf, sizeof buf, "raw %#x", st);
  return buf;
}

static pid_t must_fork(void) {
  pid_t p = fork();
  if (p < 0) {
    printf("FAIL fork: %s\n", strerrorname_np(errno));
    _exit(99);
  }
  return p;
}

static void ids(const char *who) {
  printf("%s: pid=%d ppid=%d tid=%ld\n", who, getpid(), getppid(), syscall(SYS_gettid));
}

static void mode_identity(void) {
  ids("parent");
  pid_t p = must_fork();
  if (p == 0) {
    ids("child");
    _exit(getpid() & 0xff);
  }
  printf("parent: fork returned %d\n", p);
  int st;
  pid_t r = waitpid(p, &st, 0);
  printf("parent: waitpid returned the child: %s, %s\n", r == p ? "yes" : "no", status_str(st));
  ids("parent");
}

static void mode_nested(void) {
  pid_t p = must_fork();
  if (p == 0) {
    pid_t q = fork();
    if (q == 0) _exit(0);
    err("child: nested fork", q < 0 ? -1 : 0);
    if (q > 0) waitpid(q, NULL, 0);
    _exit(0);
  }
  waitpid(p, NULL, 0);
}

static long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000L + t.tv_nsec;
}

static void mode_order(void) {
  long before = now_ns();
  pid_t p = must_fork();
  if (p == 0) {
    struct timespec ms = {0, 1000000};
    nanosleep(&ms, NULL);
    printf("child: exiting\n");
    _exit(0);
  }
  long after = now_ns();
  printf("parent: resumed\n");
  printf("parent: resumed after the child's 1 ms sleep: %s\n", after - before >= 1000000 ? "yes" : "no");
  waitpid(p, NULL, 0);
}

static int global = 1;

static void mode_memory(void) {
  int local = 1;
  int *heap = malloc(sizeof *heap);
  *heap = 1;
  pid_t p = must_fork();
  if (p == 0) {
    global = local = *heap = 2;
    printf("child: wrote 2: global=%d local=%d heap=%d\n", global, local, *heap);
    _exit(0);
  }
  waitpid(p, NULL, 0);
  printf("parent: global=%d local=%d heap=%d\n", global, local, *heap);
}

/* Which of two pids r is. */
static const char *which(pid_t r, pid_t a, pid_t b) {
  return r == a ? "A" : r == b ? "B" : r < 0 ? strerrorname_np(errno) : "other";
}

static void mode_wait(void) {
  int st = 0;
  err("waitpid(-1) before any fork", waitpid(-1, &st, 0));
  pid_t a = must_fork();
  if (a == 0) _exit(3);
  pid_t b = must_fork();
  if (b == 0) _exit(4);
  pid_t r = waitpid(a, &st, 0);
  printf("waitpid(A): %s", which(r, a, b));
  printf(r > 0 ? ", %s\n" : "\n", status_str(st));
  r = waitpid(-1, &st, 0);
  printf("waitpid(-1): %s", which(r, a, b));
  printf(r > 0 ? ", %s\n" : "\n", status_str(st));
  r = waitpid(-1, &st, WNOHANG);
  printf("waitpid(-1, WNOHANG): %s\n", r == 0 ? "0" : which(r, a, b));
}

static void mode_wnohang(void) {
  pid_t p = must_fork();
  if (p == 0) _exit(5);
  int st = 0;
  pid_t r = waitpid(p, &st, WNOHANG);
  printf("waitpid(child, WNOHANG): %s", r == p ? "the child" : r == 0 ? "0" : strerrorname_np(errno));
  printf(r == p ? ", %s\n" : "\n", status_str(st));
  err("waitpid(child, WNOHANG) again", waitpid(p, &st, WNOHANG));
}

static void mode_fds(void) {
  int pfd[2];
  if (pipe(pfd) != 0) _exit(98); /* fds 3 and 4 */
  pid_t p = must_fork();
  if (p == 0) {
    int f = open("/tmp/out", O_CREAT | O_WRONLY | O_TRUNC, 0644); /* 5 */
    dup2(f, 1);
    close(pfd[1]);
    open("/dev/null", O_RDONLY); /* 6, left open */
    printf("child: this goes to /tmp/out\n");
    _exit(0);
  }
  waitpid(p, NULL, 0);
  printf("parent: after the child\n");
  fprintf(stderr, "parent: fd 5 (child's file): %s\n", fcntl(5, F_GETFD) < 0 ? strerrorname_np(errno) : "open");
  fprintf(stderr, "parent: fd 6 (child's /dev/null): %s\n", fcntl(6, F_GETFD) < 0 ? strerrorname_np(errno) : "open");
  fprintf(stderr, "parent: write to the pipe: %s\n", write(pfd[1], "x", 1) == 1 ? "ok" : strerrorname_np(errno));
  char buf[256];
  int f = open("/tmp/out", O_RDONLY);
  ssize_t n = read(f, buf, sizeof buf - 1);
  buf[n < 0 ? 0 : n] = 0;
  fprintf(stderr, "parent: /tmp/out holds:\n%s", buf);
}

static void mode_exec(void) {
  int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t p = must_fork();
  if (p == 0) {
    char *argv[] = {(char *)self, "execd", NULL};
    execv(self, argv);
    _exit(97);
  }
  int st;
  waitpid(p, &st, 0);
  printf("parent: child %s\n", status_str(st));
  printf("parent: own O_CLOEXEC fd %d: %s\n", fd, fcntl(fd, F_GETFD) < 0 ? strerrorname_np(errno) : "open");
}

static void mode_execd(void) {
  printf("execd: pid=%d ppid=%d\n", getpid(), getppid());
  exit(7);
}

static void mode_signal(void) {
  pid_t p = must_fork();
  if (p == 0) {
    kill(getpid(), SIGTERM);
    _exit(9);
  }
  int st;
  waitpid(p, &st, 0);
  printf("parent: child %s\n", status_str(st));
  ids("parent");
}

static const struct {
  const char *name;
  void (*run)(void);
} MODES[] = {
    {"identity", mode_identity}, {"nested", mode_nested}, {"order", mode_order},
    {"memory", mode_memory},     {"wait", mode_wait},     {"wnohang", mode_wnohang},
    {"fds", mode_fds},           {"exec", mode_exec},     {"execd", mode_execd},
    {"signal", mode_signal},
};

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  self = argv[0];
  for (size_t i = 0; argc == 2 && i < sizeof MODES / sizeof MODES[0]; i++) {
    if (strcmp(argv[1], MODES[i].name) == 0) {
      MODES[i].run();
      return 0;
    }
  }
  fprintf(stderr, "usage: %s MODE (see the source)\n", argc > 0 ? argv[0] : "rollback");
  return 2;
}
