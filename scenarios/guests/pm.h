/* pm.h: helpers shared by the process-model guests (pm-*.c).
 *
 * Every pm guest takes mode names as arguments and runs each in turn, printing "== MODE =="
 * and then "label: value" lines. Output must not depend on scheduling or on pid values
 * (procsim's first process is pid 1, a Linux one is not): children print only while the
 * parent is blocked waiting for them, or report through exit statuses and pipes, and pids
 * are only ever compared, never printed. stdout is fully buffered (a pipe), so it is flushed
 * before every fork, or the child would print the parent's pending text again. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Prints "label: yes" or "label: no". */
static inline void yes(const char *label, int ok) { printf("%s: %s\n", label, ok ? "yes" : "no"); }

/* Prints "label: R" for a successful call or "label: -1 ENAME"; returns r. */
static inline long res(const char *label, long r) {
  if (r < 0) printf("%s: -1 %s\n", label, strerrorname_np(errno));
  else printf("%s: %ld\n", label, r);
  return r;
}

/* Prints "label: -1 ENAME" when r is -1, or "label: succeeded (R)": for calls that must fail
 * with a given errno, where the value of an unexpected success would be a pid. */
static inline void err(const char *label, long r) {
  if (r == -1) printf("%s: -1 %s\n", label, strerrorname_np(errno));
  else printf("%s: succeeded\n", label);
}

/* A call the test itself relies on failed: say which, and stop with status 99. */
static inline void die(const char *what) {
  printf("FAIL %s: %s\n", what, strerrorname_np(errno));
  fflush(stdout);
  _exit(99);
}

static inline long must(const char *what, long r) {
  if (r < 0) die(what);
  return r;
}

/* fork() with the stdio buffers flushed first, so that nothing is printed twice. */
static inline pid_t pm_fork(void) {
  fflush(NULL);
  pid_t p = fork();
  if (p < 0) die("fork");
  return p;
}

/* Ends a child: flush what it printed, then leave without running the parent's atexit work. */
static inline void child_exit(int code) {
  fflush(NULL);
  _exit(code);
}

/* A wait status in words: "exited N", "killed by SIGNAME" (the core-dump bit is left out:
 * it depends on the host's core limits), "stopped by SIGNAME", or the raw value. */
static inline const char *status_str(int st) {
  static char buf[64];
  if (WIFEXITED(st)) snprintf(buf, sizeof buf, "exited %d", WEXITSTATUS(st));
  else if (WIFSIGNALED(st)) snprintf(buf, sizeof buf, "killed by SIG%s", sigabbrev_np(WTERMSIG(st)));
  else if (WIFSTOPPED(st)) snprintf(buf, sizeof buf, "stopped by SIG%s", sigabbrev_np(WSTOPSIG(st)));
  else snprintf(buf, sizeof buf, "raw %#x", st);
  return buf;
}

/* waitpid that retries on EINTR (a handler may run while the parent waits) and stops the
 * test if the wait fails. Returns the status. */
static inline int reap(pid_t pid) {
  int st;
  pid_t r;
  do r = waitpid(pid, &st, 0);
  while (r < 0 && errno == EINTR);
  if (r != pid) die("waitpid");
  return st;
}

/* The status of whichever child ends first (the one there is), retrying on EINTR. */
static inline int reap_any(void) {
  int st;
  pid_t r;
  do r = wait(&st);
  while (r < 0 && errno == EINTR);
  if (r < 0) die("wait");
  return st;
}

/* A gate holds children until the parent lets them go: a pipe from which each waiting child
 * takes one byte. Releasing writes bytes rather than closing, so copies of the write end
 * inherited by other children do not matter. */
struct gate { int r, w; };

static inline struct gate gate_new(void) {
  int fd[2];
  must("pipe", pipe(fd));
  return (struct gate){fd[0], fd[1]};
}

/* In a child: block until released. Returns 1 when a byte came, 0 otherwise. */
static inline int gate_wait(struct gate g) {
  char c;
  ssize_t n;
  do n = read(g.r, &c, 1);
  while (n < 0 && errno == EINTR);
  return n == 1;
}

static inline void gate_release(struct gate g, int children) {
  for (int i = 0; i < children; i++) must("gate write", write(g.w, "x", 1));
}

static inline void gate_close(struct gate g) {
  close(g.r);
  close(g.w);
}

/* Reads until EOF or cap; returns the byte count. */
static inline size_t read_all(int fd, char *buf, size_t cap) {
  size_t got = 0;
  while (got < cap) {
    ssize_t n = read(fd, buf + got, cap - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die("read");
    if (n == 0) break;
    got += (size_t)n;
  }
  return got;
}

struct pm_mode {
  const char *name;
  void (*run)(void);
};

/* Runs the modes named on the command line, in order. */
static inline int pm_main(int argc, char **argv, const struct pm_mode *modes, size_t n) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s MODE...\nmodes:", argv[0]);
    for (size_t i = 0; i < n; i++) fprintf(stderr, " %s", modes[i].name);
    fprintf(stderr, "\n");
    return 2;
  }
  for (int a = 1; a < argc; a++) {
    size_t i = 0;
    while (i < n && strcmp(modes[i].name, argv[a]) != 0) i++;
    if (i == n) {
      fprintf(stderr, "%s: unknown mode '%s'\n", argv[0], argv[a]);
      return 2;
    }
    printf("== %s ==\n", modes[i].name);
    modes[i].run();
    fflush(stdout);
  }
  return 0;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
