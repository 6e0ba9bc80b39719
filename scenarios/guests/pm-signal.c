/* pm-signal MODE...: signals between processes.
 *   defaults  kill() with each default action: terminate, core (reported as the signal), and
 *             ignore (the child lives on and its blocking read is not interrupted)
 *   stop      SIGSTOP and SIGCONT, seen through WUNTRACED and WCONTINUED
 *   probe     kill(pid, 0) on a live child, a finished but unreaped one, a reaped one; bad
 *             signal numbers
 *   sigchld   one SIGCHLD per child exit, with CLD_EXITED, the child's pid and status;
 *             SIGCHLD ignored: children are reaped by the kernel and wait gives ECHILD
 *   mask      blocked signals stay pending and coalesce; fork inherits mask and handlers but
 *             not pending signals; SIGKILL cannot be caught or blocked
 *   eintr     ppoll and sigsuspend return EINTR after the handler; an SA_RESTART read is
 *             not disturbed
 *   group     kill(-pgid) and killpg reach every member of a group and no one else
 *   die       the process kills itself with SIGTERM: its own exit status is the signal's */
#include "pm.h"
#include <poll.h>

/* A child that waits on its own gate and exits 7 once released. */
static pid_t waiting_child(struct gate g) {
  pid_t p = pm_fork();
  if (p == 0) {
    close(2); /* qemu-user reports deaths by core signals on stderr; Linux does not */
    _exit(gate_wait(g) ? 7 : 90);
  }
  return p;
}

static void mode_defaults(void) {
  static const int sigs[] = {SIGTERM, SIGKILL, SIGUSR1, SIGUSR2, SIGHUP, SIGINT,
                             SIGALRM, SIGPIPE, SIGQUIT, SIGABRT, SIGSEGV, SIGBUS,
                             SIGFPE,  SIGILL,  SIGTRAP, SIGCHLD, SIGURG,  SIGWINCH};
  for (size_t i = 0; i < COUNT(sigs); i++) {
    /* One gate per child: a byte left behind by a killed child must not release the next. */
    struct gate g = gate_new();
    pid_t p = waiting_child(g);
    must("kill", kill(p, sigs[i]));
    /* The signal is pending before the byte arrives: a child it kills dies even if its read
     * takes the byte; a child that ignores it reads the byte and exits 7. */
    gate_release(g, 1);
    printf("SIG%s: %s\n", sigabbrev_np(sigs[i]), status_str(reap(p)));
    gate_close(g);
  }
}

static void mode_stop(void) {
  struct gate g = gate_new();
  pid_t p = waiting_child(g);
  int st;
  must("kill", kill(p, SIGSTOP));
  must("waitpid", waitpid(p, &st, WUNTRACED));
  printf("after SIGSTOP, WUNTRACED: %s\n", status_str(st));
  res("WNOHANG|WUNTRACED again", waitpid(p, &st, WNOHANG | WUNTRACED));
  must("kill", kill(p, SIGCONT));
  must("waitpid", waitpid(p, &st, WCONTINUED));
  yes("after SIGCONT, WCONTINUED: continued", WIFCONTINUED(st));
  gate_release(g, 1);
  printf("then %s\n", status_str(reap(p)));
  gate_close(g);
}

static void mode_probe(void) {
  struct gate g = gate_new();
  int done[2];
  must("pipe", pipe(done));
  pid_t p = pm_fork();
  if (p == 0) {
    close(done[0]);
    _exit(gate_wait(g) ? 0 : 90); /* exit closes done[1] */
  }
  close(done[1]);
  res("kill(live child, 0)", kill(p, 0));
  err("kill(child, 65)", kill(p, 65));
  err("kill(child, -1)", kill(p, -1));
  gate_release(g, 1);
  char c;
  read(done[0], &c, 1); /* EOF: the child has exited, nobody has reaped it */
  res("kill(exited child, 0)", kill(p, 0));
  printf("child %s\n", status_str(reap(p)));
  err("kill(reaped child, 0)", kill(p, 0));
  err("kill(reaped child, SIGTERM)", kill(p, SIGTERM));
  close(done[0]);
  gate_close(g);
}

static volatile sig_atomic_t chld_count, chld_ok;
static pid_t chld_expect;

static void on_chld(int sig, siginfo_t *si, void *ctx) {
  (void)ctx;
  chld_count++;
  chld_ok += sig == SIGCHLD && si->si_code == CLD_EXITED && si->si_pid == chld_expect &&
             si->si_status == 20 + chld_count;
}

static void mode_sigchld(void) {
  struct sigaction sa = {.sa_sigaction = on_chld, .sa_flags = SA_SIGINFO | SA_RESTART};
  sigemptyset(&sa.sa_mask);
  must("sigaction", sigaction(SIGCHLD, &sa, NULL));
  sigset_t chld, old, pending;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  enum { N = 5 };
  int pendings = 0;
  for (int i = 1; i <= N; i++) {
    /* Blocked while the child runs, so the handler runs once per child, after it is reaped. */
    sigprocmask(SIG_BLOCK, &chld, &old);
    pid_t p = pm_fork();
    if (p == 0) _exit(20 + i);
    chld_expect = p;
    reap(p);
    sigpending(&pending);
    pendings += sigismember(&pending, SIGCHLD);
    sigprocmask(SIG_SETMASK, &old, NULL);
  }
  printf("SIGCHLD pending after each exit: %d of %d\n", pendings, N);
  printf("handler ran %d times, with CLD_EXITED, the pid and the status: %d\n", (int)chld_count,
         (int)chld_ok);

  signal(SIGCHLD, SIG_IGN);
  pid_t p = pm_fork();
  if (p == 0) _exit(3);
  int st;
  /* Linux waits until the child is gone, then has nothing to report. */
  err("SIGCHLD ignored: waitpid", waitpid(p, &st, 0));
  signal(SIGCHLD, SIG_DFL);
}

static volatile sig_atomic_t usr1, usr2;
static void on_usr(int sig) {
  if (sig == SIGUSR1) usr1++;
  else usr2++;
}

static void mode_mask(void) {
  signal(SIGUSR1, on_usr);
  signal(SIGUSR2, on_usr);
  sigset_t set, old, pending;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, &old);
  kill(getpid(), SIGUSR1);
  kill(getpid(), SIGUSR1);
  sigpending(&pending);
  yes("blocked SIGUSR1 pending", sigismember(&pending, SIGUSR1));
  printf("handler runs while blocked: %d\n", (int)usr1);
  sigprocmask(SIG_SETMASK, &old, NULL);
  printf("handler runs after unblock (two sent): %d\n", (int)usr1);
  sigpending(&pending);
  yes("nothing pending after delivery", !sigismember(&pending, SIGUSR1));

  /* Pending and blocked at fork: the child inherits the mask and handlers, not the signal. */
  sigemptyset(&set);
  sigaddset(&set, SIGUSR2);
  sigprocmask(SIG_BLOCK, &set, &old);
  raise(SIGUSR2);
  pid_t p = pm_fork();
  if (p == 0) {
    sigset_t m, pend;
    sigprocmask(SIG_BLOCK, NULL, &m);
    sigpending(&pend);
    struct sigaction sa;
    sigaction(SIGUSR2, NULL, &sa);
    int ok = sigismember(&m, SIGUSR2) * 1 + !sigismember(&pend, SIGUSR2) * 2 +
             (sa.sa_handler == on_usr) * 4;
    _exit(ok);
  }
  int st = reap(p);
  printf("child: mask inherited %s, pending not inherited %s, handler inherited %s\n",
         WEXITSTATUS(st) & 1 ? "yes" : "no", WEXITSTATUS(st) & 2 ? "yes" : "no",
         WEXITSTATUS(st) & 4 ? "yes" : "no");
  sigprocmask(SIG_SETMASK, &old, NULL);
  printf("parent's SIGUSR2 handler ran after unblock: %d\n", (int)usr2);

  struct sigaction sa = {.sa_handler = on_usr};
  err("sigaction(SIGKILL)", sigaction(SIGKILL, &sa, NULL));
  err("sigaction(SIGSTOP)", sigaction(SIGSTOP, &sa, NULL));
  sigfillset(&set);
  sigprocmask(SIG_SETMASK, &set, &old);
  sigset_t now;
  sigprocmask(SIG_SETMASK, &old, &now);
  yes("SIGKILL and SIGSTOP cannot be blocked",
      !sigismember(&now, SIGKILL) && !sigismember(&now, SIGSTOP) && sigismember(&now, SIGTERM));
  signal(SIGUSR1, SIG_DFL);
  signal(SIGUSR2, SIG_DFL);
}

static void mode_eintr(void) {
  /* Handler installed and SIGUSR1 blocked before fork: whenever the parent's kill lands,
   * the child only takes it inside ppoll/sigsuspend, which unblock it atomically. */
  struct sigaction sa = {.sa_handler = on_usr}; /* no SA_RESTART */
  sigemptyset(&sa.sa_mask);
  sigaction(SIGUSR1, &sa, NULL);
  sigset_t set, old, empty;
  sigemptyset(&set);
  sigemptyset(&empty);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, &old);
  int fd[2];
  must("pipe", pipe(fd));
  pid_t p = pm_fork();
  if (p == 0) {
    struct pollfd pfd = {.fd = fd[0], .events = POLLIN};
    int r = ppoll(&pfd, 1, NULL, &empty);
    int e = errno;
    printf("child: ppoll: %d %s, handler ran %d\n", r, r < 0 ? strerrorname_np(e) : "", (int)usr1);
    child_exit(0);
  }
  must("kill", kill(p, SIGUSR1));
  printf("ppoll child %s\n", status_str(reap(p)));

  p = pm_fork();
  if (p == 0) {
    int r = sigsuspend(&empty);
    int e = errno;
    printf("child: sigsuspend: %d %s, handler ran %d\n", r, r < 0 ? strerrorname_np(e) : "", (int)usr1);
    child_exit(0);
  }
  must("kill", kill(p, SIGUSR1));
  printf("sigsuspend child %s\n", status_str(reap(p)));
  sigprocmask(SIG_SETMASK, &old, NULL);

  /* SA_RESTART and unblocked: the signal comes before the data, whenever the child takes
   * it, and the read still returns the data. */
  sa.sa_flags = SA_RESTART;
  sigaction(SIGUSR1, &sa, NULL);
  p = pm_fork();
  if (p == 0) {
    char buf[8] = {0};
    ssize_t r = read(fd[0], buf, 5);
    printf("child: SA_RESTART read: %zd \"%s\", handler ran %d\n", r, buf, (int)usr1);
    child_exit(0);
  }
  must("kill", kill(p, SIGUSR1));
  must("write", write(fd[1], "data!", 5));
  printf("SA_RESTART child %s\n", status_str(reap(p)));
  signal(SIGUSR1, SIG_DFL);
  close(fd[0]);
  close(fd[1]);
}

static void mode_group(void) {
  struct gate g = gate_new(), ready = gate_new();
  pid_t kids[4];
  /* kids 0-2 form a group led by kid 0; kid 2 ignores SIGTERM; kid 3 stays outside. */
  for (int i = 0; i < 4; i++) {
    kids[i] = pm_fork();
    if (kids[i] == 0) {
      if (i < 3) setpgid(0, i == 0 ? 0 : kids[0]);
      if (i == 2) signal(SIGTERM, SIG_IGN);
      must("ready", write(ready.w, "r", 1));
      close(2);
      _exit(gate_wait(g) ? 10 + i : 90);
    }
    if (i < 3) setpgid(kids[i], kids[0]);
  }
  for (int i = 0; i < 4; i++) gate_wait(ready); /* kid 2 has set SIG_IGN */
  must("kill group", kill(-kids[0], SIGTERM));
  err("kill(-reaped-or-missing group)", kill(-999999, SIGTERM));
  /* One byte each: a kid the signal kills may still take its byte before it dies (a read
   * that finds data completes even with a fatal signal pending). */
  gate_release(g, 4);
  for (int i = 0; i < 4; i++) printf("kid %d after kill(-pgid, SIGTERM): %s\n", i, status_str(reap(kids[i])));
  gate_close(g); /* it may still hold the bytes of the kids that died */

  struct gate g2 = gate_new();
  pid_t a = pm_fork();
  if (a == 0) {
    setpgid(0, 0);
    close(2);
    _exit(gate_wait(g2) ? 0 : 90);
  }
  setpgid(a, a);
  must("killpg", killpg(a, SIGKILL));
  printf("killpg(SIGKILL): %s\n", status_str(reap(a)));
  gate_close(g2);
  gate_close(ready);
}

static void mode_die(void) {
  printf("about to die\n");
  fflush(stdout);
  kill(getpid(), SIGTERM);
  printf("still alive\n");
}

static const struct pm_mode MODES[] = {
    {"defaults", mode_defaults}, {"stop", mode_stop},   {"probe", mode_probe},
    {"sigchld", mode_sigchld},   {"mask", mode_mask},   {"eintr", mode_eintr},
    {"group", mode_group},       {"die", mode_die},
};

int main(int argc, char **argv) { return pm_main(argc, argv, MODES, COUNT(MODES)); }
