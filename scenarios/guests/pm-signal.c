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
 *   die       the process kills itself with SIGTERM: its own exit status is the signal's
 *   order     several signals deliverable at once: lowest-numbered delivered first, each
 *             handler's frame on the last, so the highest runs first unless a handler's mask
 *             holds it back; sigsuspend's handlers run under its temporary mask
 *   timers    alarm and setitimer: ITIMER_REAL one-shot and periodic, getitimer, SIGVTALRM
 *             and SIGPROF reach a busy loop, a fork child has no timer, SIGALRM's default
 *             action kills, bad arguments
 *   queue     sigqueue: real-time signals queue with their si_value (kill()'s too), standard
 *             ones coalesce; taken standard first, then by number, each signal's instances in
 *             order; handlers get SI_QUEUE, the sender's pid and uid, the value; the
 *             RLIMIT_SIGPENDING bound; SIG_IGN discards queued instances; rt_sigqueueinfo and
 *             rt_tgsigqueueinfo errnos (no impersonating kill() toward another process)
 *   timedwait sigtimedwait, sigwaitinfo, sigwait: a pending signal at once, else sleep until one
 *             of the set comes (taken there, not by its handler, blocked or not), the timeout
 *             (EAGAIN), or another handled signal (EINTR); bad arguments */
#include "pm.h"
#include <poll.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

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

static char ran[8];
static volatile sig_atomic_t nran;
static void note_ran(int sig) { ran[nran++] = sig == SIGINT ? 'I' : sig == SIGUSR1 ? '1' : '2'; }

/* Raises sigs (blocked), then unblocks them all at once (or sigsuspends with an empty mask);
 * prints the order in which the handlers ran. */
static void deliver_at_once(const char *label, const int *sigs, int n, int suspend) {
  sigset_t all, none;
  sigemptyset(&all);
  sigemptyset(&none);
  for (int i = 0; i < n; i++) sigaddset(&all, sigs[i]);
  must("block", sigprocmask(SIG_BLOCK, &all, NULL));
  nran = 0;
  memset(ran, 0, sizeof ran);
  for (int i = 0; i < n; i++) raise(sigs[i]);
  if (suspend) sigsuspend(&none);
  else must("unblock", sigprocmask(SIG_UNBLOCK, &all, NULL));
  printf("%s: %s\n", label, ran);
  must("unblock", sigprocmask(SIG_UNBLOCK, &all, NULL));
}

static void mode_order(void) {
  struct sigaction sa = {.sa_handler = note_ran};
  for (int s = 0; s < 3; s++) must("sigaction", sigaction((int[]){SIGINT, SIGUSR1, SIGUSR2}[s], &sa, NULL));
  deliver_at_once("USR2 then USR1 raised, unblocked", (int[]){SIGUSR2, SIGUSR1}, 2, 0);
  deliver_at_once("USR2, INT, USR1 raised, unblocked", (int[]){SIGUSR2, SIGINT, SIGUSR1}, 3, 0);
  deliver_at_once("USR2 then USR1 pending, sigsuspend(empty)", (int[]){SIGUSR2, SIGUSR1}, 2, 1);
  sigaddset(&sa.sa_mask, SIGUSR2);
  must("sigaction", sigaction(SIGUSR1, &sa, NULL));
  deliver_at_once("USR1's handler blocks USR2", (int[]){SIGUSR2, SIGUSR1}, 2, 0);
  for (int s = 0; s < 3; s++) signal((int[]){SIGINT, SIGUSR1, SIGUSR2}[s], SIG_DFL);
}

static volatile sig_atomic_t fired[32];
static void count_fired(int sig) { fired[sig]++; }

static struct itimerval tv(long interval_us, long value_us) {
  return (struct itimerval){{interval_us / 1000000, interval_us % 1000000}, {value_us / 1000000, value_us % 1000000}};
}

/* Waits (sigsuspend, SIGALRM unblocked) until `n` SIGALRMs have come. */
static void await_alarms(int n) {
  sigset_t none;
  sigemptyset(&none);
  while (fired[SIGALRM] < n) sigsuspend(&none);
}

static void mode_timers(void) {
  struct sigaction sa = {.sa_handler = count_fired};
  const int sigs[] = {SIGALRM, SIGVTALRM, SIGPROF};
  for (size_t i = 0; i < COUNT(sigs); i++) must("sigaction", sigaction(sigs[i], &sa, NULL));
  sigset_t alrm;
  sigemptyset(&alrm);
  sigaddset(&alrm, SIGALRM);
  must("block", sigprocmask(SIG_BLOCK, &alrm, NULL)); /* it comes only in sigsuspend */
  printf("alarm(5): %u\n", alarm(5));
  printf("alarm(2) then: %u\n", alarm(2));
  printf("alarm(0) then: %u\n", alarm(0));

  struct itimerval it = tv(0, 20000), old;
  must("setitimer", setitimer(ITIMER_REAL, &it, NULL));
  must("getitimer", getitimer(ITIMER_REAL, &old));
  yes("armed: time left in (0, 20 ms]", old.it_value.tv_sec == 0 && old.it_value.tv_usec > 0 && old.it_value.tv_usec <= 20000);
  await_alarms(1);
  must("getitimer", getitimer(ITIMER_REAL, &old));
  yes("one-shot: SIGALRM came, then disarmed", fired[SIGALRM] == 1 && old.it_value.tv_sec == 0 && old.it_value.tv_usec == 0);

  it = tv(10000, 10000);
  must("setitimer", setitimer(ITIMER_REAL, &it, NULL));
  await_alarms(4);
  must("getitimer", getitimer(ITIMER_REAL, &old));
  printf("periodic: still armed, period %ld.%06ld\n", (long)old.it_interval.tv_sec, (long)old.it_interval.tv_usec);
  pid_t c = pm_fork();
  if (c == 0) {
    struct itimerval mine;
    getitimer(ITIMER_REAL, &mine);
    child_exit(mine.it_value.tv_sec == 0 && mine.it_value.tv_usec == 0 && mine.it_interval.tv_usec == 0 ? 0 : 1);
  }
  printf("fork child: no timer: %s\n", WEXITSTATUS(reap(c)) == 0 ? "yes" : "no");
  it = tv(0, 0);
  must("setitimer", setitimer(ITIMER_REAL, &it, &old));
  yes("disarmed: the old value was the periodic timer", old.it_interval.tv_usec == 10000);
  must("getitimer", getitimer(ITIMER_REAL, &old));
  yes("disarmed: nothing left, no period", old.it_value.tv_usec == 0 && old.it_interval.tv_usec == 0);

  /* CPU timers: a loop with no syscalls gets its signal. */
  const int cpu[] = {ITIMER_VIRTUAL, ITIMER_PROF};
  for (size_t i = 0; i < COUNT(cpu); i++) {
    it = tv(0, 2000);
    must("setitimer", setitimer(cpu[i], &it, NULL));
    int sig = cpu[i] == ITIMER_VIRTUAL ? SIGVTALRM : SIGPROF;
    while (fired[sig] == 0) {
    }
    printf("%s reached a busy loop: yes\n", sig == SIGVTALRM ? "SIGVTALRM" : "SIGPROF");
  }

  pid_t d = pm_fork();
  if (d == 0) {
    signal(SIGALRM, SIG_DFL);
    sigprocmask(SIG_UNBLOCK, &alrm, NULL);
    alarm(1);
    for (;;) pause();
  }
  printf("alarm, default action: %s\n", status_str(reap(d)));

  err("setitimer(3)", setitimer(3, &it, NULL));
  it = tv(0, 1000000);
  it.it_value.tv_sec = 0;
  it.it_value.tv_usec = 1000000;
  err("setitimer with tv_usec 1000000", setitimer(ITIMER_REAL, &it, NULL));
  err("getitimer(-1)", getitimer(-1, &old));
  for (size_t i = 0; i < COUNT(sigs); i++) signal(sigs[i], SIG_DFL);
  must("unblock", sigprocmask(SIG_UNBLOCK, &alrm, NULL));
}

/* A signal's name as the program sees it: standard ones by name, real-time ones from SIGRTMIN. */
static const char *sig_str(int sig) {
  static char buf[32];
  if (sig >= SIGRTMIN) snprintf(buf, sizeof buf, "RTMIN+%d", sig - SIGRTMIN);
  else snprintf(buf, sizeof buf, "SIG%s", sigabbrev_np(sig));
  return buf;
}

static const char *code_str(int code) {
  return code == SI_QUEUE ? "SI_QUEUE" : code == SI_USER ? "SI_USER" : code == SI_TKILL ? "SI_TKILL" : "other";
}

static sigset_t rt_and(int std) {
  sigset_t s;
  sigemptyset(&s);
  for (int i = SIGRTMIN; i <= SIGRTMAX; i++) sigaddset(&s, i);
  if (std) sigaddset(&s, std);
  return s;
}

/* Takes every pending signal of `set` without waiting, printing each. */
static void drain(const char *label, sigset_t set) {
  struct timespec zero = {0, 0};
  siginfo_t si;
  int sig;
  while ((sig = sigtimedwait(&set, &si, &zero)) > 0)
    printf("%s: %s value %d %s, from me: %s\n", label, sig_str(sig), si.si_value.sival_int, code_str(si.si_code),
           si.si_pid == getpid() && si.si_uid == getuid() ? "yes" : "no");
  printf("%s: then %s\n", label, strerrorname_np(errno));
}

static int queue(pid_t pid, int sig, int v) { return sigqueue(pid, sig, (union sigval){.sival_int = v}); }

static char order[64];
static volatile sig_atomic_t norder, info_ok;
static void note_queued(int sig, siginfo_t *si, void *ctx) {
  (void)ctx;
  norder += snprintf(order + norder, sizeof order - norder, "%d:%d ", sig - SIGRTMIN, si->si_value.sival_int);
  info_ok += si->si_signo == sig && si->si_code == SI_QUEUE && si->si_pid == getpid() && si->si_uid == getuid();
}

/* rt_sigqueueinfo / rt_tgsigqueueinfo with a siginfo of code `code`, as the raw syscalls. */
static long raw_queue(long tgid, pid_t pid, int sig, int code) {
  siginfo_t si;
  memset(&si, 0, sizeof si);
  si.si_signo = sig;
  si.si_code = code;
  si.si_pid = getpid();
  si.si_uid = getuid();
  if (tgid < 0) return syscall(SYS_rt_sigqueueinfo, pid, sig, &si);
  return syscall(SYS_rt_tgsigqueueinfo, tgid, pid, sig, &si);
}

static void mode_queue(void) {
  const int R = SIGRTMIN;
  printf("SIGRTMIN: %d, SIGRTMAX: %d\n", SIGRTMIN, SIGRTMAX);
  sigset_t all = rt_and(SIGUSR1), old;
  sigaddset(&all, SIGUSR2);
  must("block", sigprocmask(SIG_BLOCK, &all, &old));
  const int sends[][2] = {{R + 3, 1}, {SIGUSR2, 2}, {R + 1, 3}, {R + 3, 4}, {SIGUSR1, 5},
                          {R + 1, 6}, {SIGUSR1, 7}, {R + 3, 8}, {SIGUSR2, 9}, {R, 10}};
  for (size_t i = 0; i < COUNT(sends); i++) must("sigqueue", queue(getpid(), sends[i][0], sends[i][1]));
  drain("taken", all);

  /* kill() queues real-time signals too, with SI_USER and no value. */
  for (int i = 0; i < 3; i++) must("kill", kill(getpid(), R + 2));
  must("sigqueue", queue(getpid(), R + 2, 11));
  drain("after kill x3 and sigqueue", all);

  /* Handlers, each blocking every real-time signal: one at a time, in the order taken. */
  struct sigaction sa = {.sa_sigaction = note_queued, .sa_flags = SA_SIGINFO, .sa_mask = rt_and(0)};
  must("sigaction", sigaction(R + 4, &sa, NULL));
  must("sigaction", sigaction(R + 5, &sa, NULL));
  must("sigqueue", queue(getpid(), R + 5, 1));
  must("sigqueue", queue(getpid(), R + 4, 2));
  must("sigqueue", queue(getpid(), R + 5, 3));
  must("sigqueue", queue(getpid(), R + 4, 4));
  sigset_t two;
  sigemptyset(&two);
  sigaddset(&two, R + 4);
  sigaddset(&two, R + 5);
  must("unblock", sigprocmask(SIG_UNBLOCK, &two, NULL));
  printf("handlers ran: %s\n", order);
  printf("handlers got SI_QUEUE, the sender's pid and uid: %d of 4\n", (int)info_ok);
  must("block", sigprocmask(SIG_BLOCK, &two, NULL));

  /* From a child: the siginfo names it. */
  pid_t c = pm_fork();
  if (c == 0) {
    must("sigqueue", queue(getppid(), R + 6, 42));
    must("kill", kill(getppid(), R + 7));
    child_exit(0);
  }
  reap(c);
  siginfo_t si;
  struct timespec zero = {0, 0};
  sigset_t s6 = rt_and(0);
  int sig = sigtimedwait(&s6, &si, &zero);
  printf("from a child: %s value %d %s, its pid: %s, its uid: %s\n", sig_str(sig), si.si_value.sival_int,
         code_str(si.si_code), si.si_pid == c ? "yes" : "no", si.si_uid == getuid() ? "yes" : "no");
  sig = sigtimedwait(&s6, &si, &zero);
  printf("kill() from a child: %s %s, its pid: %s\n", sig_str(sig), code_str(si.si_code), si.si_pid == c ? "yes" : "no");

  /* RLIMIT_SIGPENDING: three queued at most. */
  struct rlimit rl, was;
  must("getrlimit", getrlimit(RLIMIT_SIGPENDING, &was));
  rl = (struct rlimit){3, was.rlim_max};
  must("setrlimit", setrlimit(RLIMIT_SIGPENDING, &rl));
  for (int i = 1; i <= 4; i++) {
    char label[64];
    snprintf(label, sizeof label, "limit 3: sigqueue #%d", i);
    res(label, queue(getpid(), R + 8, i));
  }
  res("limit 3: kill() of another real-time signal", kill(getpid(), R + 9));
  res("limit 3: sigqueue of a standard signal", queue(getpid(), SIGUSR1, 5));
  res("limit 3: kill() of a standard signal", kill(getpid(), SIGUSR2));
  drain("limit 3", all);
  must("setrlimit", setrlimit(RLIMIT_SIGPENDING, &was));

  /* SIG_IGN discards the queued instances, blocked as they are. */
  for (int i = 0; i < 3; i++) must("sigqueue", queue(getpid(), R + 10, i));
  signal(R + 10, SIG_IGN);
  sigset_t pending;
  sigpending(&pending);
  yes("SIG_IGN discards queued instances", !sigismember(&pending, R + 10));
  signal(R + 10, SIG_DFL);

  /* The raw syscalls' errnos. */
  struct gate g = gate_new();
  c = pm_fork();
  if (c == 0) {
    close(2);
    _exit(gate_wait(g) ? 0 : 90);
  }
  err("rt_sigqueueinfo(child, SI_USER)", raw_queue(-1, c, SIGUSR1, SI_USER));
  err("rt_sigqueueinfo(child, SI_TKILL)", raw_queue(-1, c, SIGUSR1, SI_TKILL));
  res("rt_sigqueueinfo(self, SI_USER)", raw_queue(-1, getpid(), SIGUSR1, SI_USER));
  err("sigqueue(child, 65)", queue(c, 65, 0));
  res("sigqueue(child, 0)", queue(c, 0, 0));
  err("sigqueue(0, SIGUSR1)", queue(0, SIGUSR1, 0));
  res("rt_tgsigqueueinfo(self)", raw_queue(getpid(), getpid(), R + 11, SI_QUEUE));
  err("rt_tgsigqueueinfo(tgid 0)", raw_queue(0, getpid(), R + 11, SI_QUEUE));
  err("rt_tgsigqueueinfo(tid 0)", raw_queue(getpid(), 0, R + 11, SI_QUEUE));
  err("rt_tgsigqueueinfo(other tgid)", raw_queue(c, getpid(), R + 11, SI_QUEUE));
  err("rt_tgsigqueueinfo(child, SI_USER)", raw_queue(c, c, SIGUSR1, SI_USER));
  gate_release(g, 1);
  /* Exited, not yet reaped: still found. */
  while (waitid(P_PID, c, &si, WEXITED | WNOWAIT) < 0 && errno == EINTR) {
  }
  res("rt_tgsigqueueinfo(zombie)", raw_queue(c, c, R + 11, SI_QUEUE));
  res("tgkill(zombie)", syscall(SYS_tgkill, c, c, SIGUSR1));
  res("tkill(zombie, 0)", syscall(SYS_tkill, c, 0));
  res("sigqueue(zombie)", queue(c, R + 11, 0));
  printf("child %s\n", status_str(reap(c)));
  err("sigqueue(reaped child)", queue(c, R + 11, 0));
  gate_close(g);
  drain("left", all);
  must("restore", sigprocmask(SIG_SETMASK, &old, NULL));
  signal(R + 4, SIG_DFL);
  signal(R + 5, SIG_DFL);
}

/* In a child: wait until the parent sleeps (in the call under test), as /proc shows it. */
static void until_parent_sleeps(void) {
  char path[64], buf[256];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)getppid());
  for (;;) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) die("open stat");
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) die("read stat");
    buf[n] = 0;
    char *st = strrchr(buf, ')');
    if (st != NULL && st[2] == 'S') return;
    sched_yield();
  }
}

static long ms_since(const struct timespec *t0) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static volatile sig_atomic_t handled[65];
static void count_handled(int sig) { handled[sig]++; }

static void mode_timedwait(void) {
  sigset_t usr1, usr2, both, old;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  sigemptyset(&usr2);
  sigaddset(&usr2, SIGUSR2);
  both = usr1;
  sigaddset(&both, SIGUSR2);
  must("block", sigprocmask(SIG_BLOCK, &usr1, &old));
  siginfo_t si;
  struct timespec zero = {0, 0}, t0;

  err("nothing pending, zero timeout", sigtimedwait(&usr1, &si, &zero));
  clock_gettime(CLOCK_MONOTONIC, &t0);
  struct timespec ms50 = {0, 50000000};
  err("nothing comes in 50 ms", sigtimedwait(&usr1, &si, &ms50));
  yes("waited 50 ms at least", ms_since(&t0) >= 50);

  raise(SIGUSR1);
  printf("already pending: %s\n", sig_str(sigwaitinfo(&usr1, &si)));
  raise(SIGUSR1);
  int got = 0;
  res("sigwait", sigwait(&usr1, &got));
  printf("sigwait's signal: %s\n", sig_str(got));

  /* A blocked signal of the set, sent by a child while we sleep. */
  pid_t c = pm_fork();
  if (c == 0) {
    until_parent_sleeps();
    kill(getppid(), SIGUSR1);
    child_exit(0);
  }
  int sig = sigwaitinfo(&usr1, &si);
  printf("sigwaitinfo: %s %s, from the child: %s\n", sig_str(sig), code_str(si.si_code), si.si_pid == c ? "yes" : "no");
  reap(c);

  /* Unblocked, with a handler: taken by the wait, not the handler. */
  struct sigaction sa = {.sa_handler = count_handled};
  sigemptyset(&sa.sa_mask);
  must("sigaction", sigaction(SIGUSR2, &sa, NULL));
  must("sigaction", sigaction(SIGTERM, &sa, NULL));
  c = pm_fork();
  if (c == 0) {
    until_parent_sleeps();
    sigqueue(getppid(), SIGUSR2, (union sigval){.sival_int = 77});
    child_exit(0);
  }
  struct timespec s10 = {10, 0};
  clock_gettime(CLOCK_MONOTONIC, &t0);
  sig = sigtimedwait(&usr2, &si, &s10);
  printf("unblocked SIGUSR2: %s value %d, handler ran %d\n", sig_str(sig), si.si_value.sival_int, (int)handled[SIGUSR2]);
  yes("returned before the timeout", ms_since(&t0) < 10000);
  reap(c);

  /* Another handled signal ends the wait with EINTR (SA_RESTART does not restart it). */
  sa.sa_flags = SA_RESTART;
  must("sigaction", sigaction(SIGTERM, &sa, NULL));
  c = pm_fork();
  if (c == 0) {
    until_parent_sleeps();
    kill(getppid(), SIGTERM);
    child_exit(0);
  }
  err("SIGTERM's handler interrupts", sigtimedwait(&both, &si, &s10));
  printf("its handler ran %d\n", (int)handled[SIGTERM]);
  reap(c);

  /* Blocked, ignored signals outside the set leave it sleeping; its own signal ends it. */
  c = pm_fork();
  if (c == 0) {
    until_parent_sleeps();
    kill(getppid(), SIGCHLD); /* ignored by default */
    kill(getppid(), SIGUSR1);
    child_exit(0);
  }
  sig = sigwaitinfo(&usr1, &si);
  printf("after an ignored SIGCHLD: %s\n", sig_str(sig));
  reap(c);

  struct timespec bad = {0, 1000000000};
  err("tv_nsec 1000000000", sigtimedwait(&usr1, &si, &bad));
  bad = (struct timespec){-1, 0};
  err("tv_sec -1", sigtimedwait(&usr1, &si, &bad));
  err("sigset size 16", syscall(SYS_rt_sigtimedwait, &usr1, &si, &zero, 16));
  err("unreadable set", syscall(SYS_rt_sigtimedwait, (void *)8, &si, &zero, 8));
  signal(SIGUSR2, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  must("restore", sigprocmask(SIG_SETMASK, &old, NULL));
}

static const struct pm_mode MODES[] = {
    {"defaults", mode_defaults}, {"stop", mode_stop},   {"probe", mode_probe},
    {"sigchld", mode_sigchld},   {"mask", mode_mask},   {"eintr", mode_eintr},
    {"group", mode_group},       {"die", mode_die},     {"order", mode_order},
    {"timers", mode_timers},     {"queue", mode_queue}, {"timedwait", mode_timedwait},
};

int main(int argc, char **argv) { return pm_main(argc, argv, MODES, COUNT(MODES)); }
