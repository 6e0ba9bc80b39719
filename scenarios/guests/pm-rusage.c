/* pm-rusage MODE...: CPU-time accounting. Times are only ever compared (procsim's CPU time is
 * its instruction count, Linux's the real thing), and user and system time are summed (how
 * Linux splits them depends on its accounting; procsim puts everything in user time).
 *   self      clock_gettime(CLOCK_PROCESS_CPUTIME_ID), getrusage(RUSAGE_SELF, RUSAGE_THREAD),
 *             times() and /proc/self/stat agree after burning CPU; a fork child starts at 0;
 *             ru_maxrss; bad arguments
 *   children  a reaped child's time (with its own reaped children's) is in wait4's rusage and
 *             then in RUSAGE_CHILDREN, times()'s cutime and /proc/self/stat; nothing before the
 *             reap, nor for a child reaped because SIGCHLD is ignored; SIGCHLD's si_utime */
#include "pm.h"
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/times.h>
#include <time.h>

/* ms of CPU time on clock c. */
static long cpu_ms(clockid_t c) {
  struct timespec t;
  clock_gettime(c, &t);
  return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Computes until the process has used `ms` more milliseconds of CPU. */
static void burn(long ms) {
  long end = cpu_ms(CLOCK_PROCESS_CPUTIME_ID) + ms;
  volatile unsigned x = 0;
  while (cpu_ms(CLOCK_PROCESS_CPUTIME_ID) < end)
    for (int i = 0; i < 20000; i++) x += i;
}

static long tv_ms(struct timeval a, struct timeval b) {
  return (a.tv_sec + b.tv_sec) * 1000 + (a.tv_usec + b.tv_usec) / 1000;
}

/* ru_utime + ru_stime in ms. */
static long ru_ms(const struct rusage *r) { return tv_ms(r->ru_utime, r->ru_stime); }

static long usage_ms(int who) {
  struct rusage r;
  must("getrusage", getrusage(who, &r));
  return ru_ms(&r);
}

/* Fields 14-17 of /proc/self/stat (utime, stime, cutime, cstime), in ticks. */
static void stat_times(long t[4]) {
  char buf[1024];
  int fd = open("/proc/self/stat", O_RDONLY);
  if (fd < 0) die("open /proc/self/stat");
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) die("read /proc/self/stat");
  buf[n] = 0;
  char *s = strrchr(buf, ')') + 2; /* field 3 */
  for (int f = 3; f < 14; f++) s = strchr(s, ' ') + 1;
  for (int i = 0; i < 4; i++) t[i] = strtol(s, &s, 10);
}

static long ticks_ms(clock_t t) { return (long)t * 1000 / sysconf(_SC_CLK_TCK); }

static void mode_self(void) {
  printf("clock ticks per second: %ld\n", sysconf(_SC_CLK_TCK));
  burn(30);
  long clk = cpu_ms(CLOCK_PROCESS_CPUTIME_ID);
  yes("CPU time after burning 30 ms: at least 30 ms", clk >= 30);
  long self = usage_ms(RUSAGE_SELF);
  yes("RUSAGE_SELF: at least 30 ms, at most the CPU clock", self >= 30 && self <= cpu_ms(CLOCK_PROCESS_CPUTIME_ID));
  yes("RUSAGE_THREAD: the same", usage_ms(RUSAGE_THREAD) >= 30);
  yes("thread CPU clock: the same", cpu_ms(CLOCK_THREAD_CPUTIME_ID) >= 30);
  struct tms t;
  clock_t now = times(&t);
  yes("times() returns clock ticks", now != (clock_t)-1);
  yes("times(): utime + stime at least 20 ms", ticks_ms(t.tms_utime + t.tms_stime) >= 20);
  yes("times(): no children yet", t.tms_cutime == 0 && t.tms_cstime == 0);
  long st[4];
  stat_times(st);
  yes("/proc/self/stat: utime + stime at least 20 ms", ticks_ms(st[0] + st[1]) >= 20);
  struct rusage r;
  must("getrusage", getrusage(RUSAGE_SELF, &r));
  yes("ru_maxrss > 0", r.ru_maxrss > 0);
  must("getrusage", getrusage(RUSAGE_CHILDREN, &r));
  yes("RUSAGE_CHILDREN: nothing yet", ru_ms(&r) == 0 && r.ru_maxrss == 0);

  pid_t c = pm_fork();
  if (c == 0) {
    long mine = cpu_ms(CLOCK_PROCESS_CPUTIME_ID);
    struct tms ct;
    times(&ct);
    long ru = usage_ms(RUSAGE_SELF);
    /* The parent's 30 ms are not ours: a child starts at 0. */
    child_exit((mine < 10 ? 1 : 0) | (ticks_ms(ct.tms_utime + ct.tms_stime) < 10 ? 2 : 0) | (ru < 10 ? 4 : 0) |
               (ct.tms_cutime == 0 ? 8 : 0));
  }
  int s = WEXITSTATUS(reap(c));
  printf("fork child starts at 0: clock %s, times %s, getrusage %s, no children %s\n", s & 1 ? "yes" : "no",
         s & 2 ? "yes" : "no", s & 4 ? "yes" : "no", s & 8 ? "yes" : "no");
  yes("the child's time did not become ours", cpu_ms(CLOCK_PROCESS_CPUTIME_ID) - clk < 10);

  err("getrusage(2)", getrusage(2, &r));
  err("getrusage(RUSAGE_BOTH)", getrusage(-2, &r));
}

static volatile sig_atomic_t chld_ticks = -1;
static void on_chld(int sig, siginfo_t *si, void *ctx) {
  (void)sig;
  (void)ctx;
  chld_ticks = si->si_utime + si->si_stime;
}

static void mode_children(void) {
  long base = usage_ms(RUSAGE_CHILDREN); /* earlier modes' children */
  struct sigaction sa = {.sa_sigaction = on_chld, .sa_flags = SA_SIGINFO | SA_RESTART};
  sigemptyset(&sa.sa_mask);
  must("sigaction", sigaction(SIGCHLD, &sa, NULL));
  int done[2];
  must("pipe", pipe(done));
  /* The child burns 20 ms, reaps a grandchild that burned 30 ms, and reports when done. */
  pid_t c = pm_fork();
  if (c == 0) {
    close(done[0]);
    pid_t g = pm_fork();
    if (g == 0) {
      burn(30);
      child_exit(0);
    }
    struct rusage gr;
    int st;
    if (wait4(g, &st, 0, &gr) != g) die("wait4 grandchild");
    burn(20);
    long own = cpu_ms(CLOCK_PROCESS_CPUTIME_ID);
    child_exit(ru_ms(&gr) >= 30 && own >= 20 && own < 40 ? 0 : 1); /* the grandchild's is not its own */
  }
  close(done[1]);
  char b;
  while (read(done[0], &b, 1) < 0 && errno == EINTR) {
  } /* EOF: the child has exited, not yet reaped */
  close(done[0]);
  yes("before the reap: RUSAGE_CHILDREN unchanged", usage_ms(RUSAGE_CHILDREN) == base);
  struct rusage r;
  int st;
  pid_t w;
  do w = wait4(c, &st, 0, &r);
  while (w < 0 && errno == EINTR);
  if (w != c) die("wait4");
  printf("child %s\n", status_str(st));
  long reported = ru_ms(&r);
  yes("wait4's rusage: the child and its grandchild, at least 50 ms", reported >= 50);
  yes("wait4's ru_maxrss > 0", r.ru_maxrss > 0);
  long total = usage_ms(RUSAGE_CHILDREN);
  yes("after the reap: RUSAGE_CHILDREN grew by what wait4 reported", total - base >= reported - 1 && total - base <= reported + 1);
  struct tms t;
  times(&t);
  yes("times(): cutime + cstime at least 40 ms", ticks_ms(t.tms_cutime + t.tms_cstime) >= 40);
  long stt[4];
  stat_times(stt);
  yes("/proc/self/stat: cutime + cstime at least 40 ms", ticks_ms(stt[2] + stt[3]) >= 40);
  yes("SIGCHLD's si_utime + si_stime: the child's own 20 ms or so", chld_ticks >= 1 && ticks_ms(chld_ticks) < 45);

  /* Reaped because SIGCHLD is ignored: not counted. */
  signal(SIGCHLD, SIG_IGN);
  c = pm_fork();
  if (c == 0) {
    burn(20);
    child_exit(0);
  }
  err("SIGCHLD ignored: waitpid", waitpid(c, &st, 0));
  long after = usage_ms(RUSAGE_CHILDREN);
  yes("an automatically reaped child is not counted", after >= total - 1 && after <= total + 1);
  signal(SIGCHLD, SIG_DFL);

  /* waitid with WNOWAIT reports without counting; its rusage argument is filled too. */
  c = pm_fork();
  if (c == 0) {
    burn(10);
    child_exit(0);
  }
  siginfo_t si;
  while (syscall(SYS_waitid, P_PID, c, &si, WEXITED | WNOWAIT, &r) < 0 && errno == EINTR) {
  }
  yes("waitid WNOWAIT: rusage at least 10 ms", ru_ms(&r) >= 10);
  yes("waitid WNOWAIT: not counted", usage_ms(RUSAGE_CHILDREN) <= after + 1);
  while (syscall(SYS_waitid, P_PID, c, &si, WEXITED, &r) < 0 && errno == EINTR) {
  }
  yes("waitid: counted once reaped", usage_ms(RUSAGE_CHILDREN) >= after + 10);
}

static const struct pm_mode MODES[] = {{"self", mode_self}, {"children", mode_children}};

int main(int argc, char **argv) { return pm_main(argc, argv, MODES, COUNT(MODES)); }
