/* pm-timer MODE...: POSIX per-process timers (timer_create and friends), by raw syscall.
 *   create    what timer_create, timer_settime, timer_gettime, timer_getoverrun and
 *             timer_delete refuse, and what a fresh timer shows
 *   signal    a one-shot timer's signal and its siginfo (SI_TIMER, the timer id, sigev_value);
 *             a timer made with no sigevent sends SIGALRM with its id as the value
 *   periodic  a periodic timer whose signal is blocked: one signal, its overruns counted
 *   none      SIGEV_NONE: nothing is sent, timer_gettime counts down and a periodic one
 *             starts again
 *   abstime   TIMER_ABSTIME, in the future and the past; the old value timer_settime gives
 *   fork      a fork child has none of its parent's timers; the parent's still fires
 *   cpu       a CLOCK_PROCESS_CPUTIME_ID timer fires while the process computes, and does
 *             not count while it sleeps
 *
 * Times are small (milliseconds) and only compared, never printed. */
#include "pm.h"
#include <sys/syscall.h>
#include <time.h>

#define MS 1000000L

static volatile sig_atomic_t got, got_code, got_value, got_id, got_overrun, got_sig;

static void on_timer(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  got++;
  got_sig = sig;
  got_code = si->si_code;
  got_value = si->si_value.sival_int;
  got_id = si->si_timerid;
  got_overrun = si->si_overrun;
}

static void handle(int sig) {
  struct sigaction sa = {0};
  sa.sa_sigaction = on_timer;
  sa.sa_flags = SA_SIGINFO;
  must("sigaction", sigaction(sig, &sa, NULL));
}

static long t_create(clockid_t clk, struct sigevent *sev, int *id) { return syscall(SYS_timer_create, clk, sev, id); }
static long t_set(int id, int flags, const struct itimerspec *v, struct itimerspec *old) {
  return syscall(SYS_timer_settime, id, flags, v, old);
}
static long t_get(int id, struct itimerspec *v) { return syscall(SYS_timer_gettime, id, v); }

static struct sigevent sev_signal(int sig, int value) {
  struct sigevent s;
  memset(&s, 0, sizeof s);
  s.sigev_notify = SIGEV_SIGNAL;
  s.sigev_signo = sig;
  s.sigev_value.sival_int = value;
  return s;
}

static struct itimerspec spec(long value_ns, long interval_ns) {
  struct itimerspec v = {{interval_ns / 1000000000L, interval_ns % 1000000000L}, {value_ns / 1000000000L, value_ns % 1000000000L}};
  return v;
}

static long ns(struct timespec t) { return t.tv_sec * 1000000000L + t.tv_nsec; }

static void sleep_ns(long n) {
  struct timespec t = {n / 1000000000L, n % 1000000000L};
  while (nanosleep(&t, &t) < 0 && errno == EINTR) {
  }
}

/* Wait for the handler to have run n times in all (the signal unblocked). */
static void await(int n) {
  sigset_t none;
  sigemptyset(&none);
  while (got < n) sigsuspend(&none);
}

static void mode_create(void) {
  struct sigevent s = sev_signal(SIGUSR1, 7);
  int a = -1, b = -1;
  res("timer_create(CLOCK_MONOTONIC)", t_create(CLOCK_MONOTONIC, &s, &a));
  res("timer_create(CLOCK_REALTIME)", t_create(CLOCK_REALTIME, &s, &b));
  yes("the ids differ", a != b);
  struct itimerspec v;
  memset(&v, 0x55, sizeof v);
  res("timer_gettime of a fresh timer", t_get(a, &v));
  yes("it is disarmed", ns(v.it_value) == 0 && ns(v.it_interval) == 0);
  res("timer_getoverrun of a fresh timer", syscall(SYS_timer_getoverrun, a));
  int c;
  err("clock 99", t_create(99, &s, &c));
  err("CLOCK_MONOTONIC_RAW", t_create(CLOCK_MONOTONIC_RAW, &s, &c));
  err("CLOCK_REALTIME_COARSE", t_create(CLOCK_REALTIME_COARSE, &s, &c));
  struct sigevent bad = sev_signal(0, 0);
  err("signal 0", t_create(CLOCK_MONOTONIC, &bad, &c));
  bad = sev_signal(65, 0);
  err("signal 65", t_create(CLOCK_MONOTONIC, &bad, &c));
  bad = sev_signal(SIGUSR1, 0);
  bad.sigev_notify = SIGEV_THREAD;
  long th = t_create(CLOCK_MONOTONIC, &bad, &c);
  res("SIGEV_THREAD: the kernel takes it as SIGEV_SIGNAL", th < 0 ? th : 0);
  if (th == 0) syscall(SYS_timer_delete, c);
  bad.sigev_notify = 99;
  err("sigev_notify 99", t_create(CLOCK_MONOTONIC, &bad, &c));
  bad.sigev_notify = SIGEV_THREAD_ID;
  bad._sigev_un._tid = getpid() + 100000;
  err("SIGEV_THREAD_ID of another thread", t_create(CLOCK_MONOTONIC, &bad, &c));
  bad._sigev_un._tid = (int)syscall(SYS_gettid);
  long own = t_create(CLOCK_MONOTONIC, &bad, &c);
  res("SIGEV_THREAD_ID of its own thread", own < 0 ? own : 0);
  if (own == 0) syscall(SYS_timer_delete, c);
  err("a bad sigevent pointer", t_create(CLOCK_MONOTONIC, (struct sigevent *)8, &c));
  err("a bad id pointer", t_create(CLOCK_MONOTONIC, &s, (int *)8));
  err("timer_gettime of an unknown id", t_get(12345, &v));
  err("timer_gettime into a bad pointer", t_get(a, (struct itimerspec *)8));
  err("timer_getoverrun of an unknown id", syscall(SYS_timer_getoverrun, 12345));
  struct itimerspec w = spec(0, 0);
  w.it_value.tv_nsec = 1000000000L;
  err("timer_settime with tv_nsec 1e9", t_set(a, 0, &w, NULL));
  w = spec(0, 0);
  w.it_interval.tv_sec = -1;
  err("timer_settime with a negative interval", t_set(a, 0, &w, NULL));
  w = spec(MS, 0);
  err("timer_settime of an unknown id", t_set(12345, 0, &w, NULL));
  err("timer_settime from a bad pointer", t_set(a, 0, (struct itimerspec *)8, NULL));
  res("timer_delete", syscall(SYS_timer_delete, a));
  err("timer_delete again", syscall(SYS_timer_delete, a));
  err("timer_gettime of the deleted timer", t_get(a, &v));
  res("timer_delete of the other", syscall(SYS_timer_delete, b));
}

static void mode_signal(void) {
  handle(SIGUSR1);
  handle(SIGALRM);
  struct sigevent s = sev_signal(SIGUSR1, 42);
  int id;
  must("timer_create", t_create(CLOCK_MONOTONIC, &s, &id));
  struct itimerspec v = spec(10 * MS, 0);
  res("arm for 10 ms", t_set(id, 0, &v, NULL));
  struct itimerspec cur;
  t_get(id, &cur);
  yes("timer_gettime: up to 10 ms left, no interval", ns(cur.it_value) > 0 && ns(cur.it_value) <= 10 * MS && ns(cur.it_interval) == 0);
  await(1);
  yes("the handler ran once, for SIGUSR1", got == 1 && got_sig == SIGUSR1);
  yes("si_code is SI_TIMER", got_code == SI_TIMER);
  yes("si_value is sigev_value", got_value == 42);
  yes("si_timerid is the timer's id", got_id == id);
  printf("si_overrun: %d\n", (int)got_overrun);
  t_get(id, &cur);
  yes("then it is disarmed", ns(cur.it_value) == 0);
  sleep_ns(20 * MS);
  yes("and sends nothing more", got == 1);
  must("timer_delete", syscall(SYS_timer_delete, id));

  int n;
  must("timer_create(NULL)", t_create(CLOCK_REALTIME, NULL, &n));
  must("arm", t_set(n, 0, &v, NULL));
  await(2);
  yes("no sigevent: SIGALRM", got_sig == SIGALRM);
  yes("with the timer's id as its value", got_value == n && got_id == n);
  must("timer_delete", syscall(SYS_timer_delete, n));
}

static void mode_periodic(void) {
  handle(SIGUSR2);
  struct sigevent s = sev_signal(SIGUSR2, 3);
  int id;
  must("timer_create", t_create(CLOCK_MONOTONIC, &s, &id));
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR2);
  sigprocmask(SIG_BLOCK, &set, &old);
  struct itimerspec v = spec(MS, MS);
  res("arm every 1 ms", t_set(id, 0, &v, NULL));
  sleep_ns(30 * MS);
  sigset_t pend;
  sigpending(&pend);
  yes("blocked: its signal is pending", sigismember(&pend, SIGUSR2));
  struct itimerspec cur;
  t_get(id, &cur);
  yes("timer_gettime: interval 1 ms, at most 1 ms left", ns(cur.it_interval) == MS && ns(cur.it_value) > 0 && ns(cur.it_value) <= MS);
  sigprocmask(SIG_SETMASK, &old, NULL);
  yes("unblocked: one signal", got == 1);
  long over = syscall(SYS_timer_getoverrun, id);
  yes("timer_getoverrun: the periods missed meanwhile (at least 10)", over >= 10 && over < 100000);
  yes("si_overrun says the same", got_overrun == over);
  v = spec(0, 0);
  res("disarm", t_set(id, 0, &v, NULL));
  int before = got;
  sleep_ns(10 * MS);
  yes("nothing more after disarming", got == before);
  must("timer_delete", syscall(SYS_timer_delete, id));
}

static void mode_none(void) {
  struct sigevent s;
  memset(&s, 0, sizeof s);
  s.sigev_notify = SIGEV_NONE;
  s.sigev_signo = 0;
  int id;
  res("timer_create(SIGEV_NONE, signal 0)", t_create(CLOCK_MONOTONIC, &s, &id) < 0 ? -1 : 0);
  struct itimerspec v = spec(10 * MS, 0), cur;
  must("arm", t_set(id, 0, &v, NULL));
  t_get(id, &cur);
  yes("counting down", ns(cur.it_value) > 0 && ns(cur.it_value) <= 10 * MS);
  sleep_ns(20 * MS);
  t_get(id, &cur);
  yes("expired: 0 left", ns(cur.it_value) == 0);
  sigset_t pend;
  sigpending(&pend);
  yes("and nothing pending", sigisemptyset(&pend));
  v = spec(5 * MS, 5 * MS);
  must("arm periodic", t_set(id, 0, &v, NULL));
  sleep_ns(12 * MS);
  t_get(id, &cur);
  yes("periodic: again up to 5 ms left", ns(cur.it_value) > 0 && ns(cur.it_value) <= 5 * MS && ns(cur.it_interval) == 5 * MS);
  must("timer_delete", syscall(SYS_timer_delete, id));
}

static void mode_abstime(void) {
  handle(SIGUSR1);
  struct sigevent s = sev_signal(SIGUSR1, 1);
  int id;
  must("timer_create", t_create(CLOCK_MONOTONIC, &s, &id));
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  long at = ns(now) + 10 * MS;
  struct itimerspec v = spec(at, 0), cur;
  res("arm at now + 10 ms, TIMER_ABSTIME", t_set(id, TIMER_ABSTIME, &v, NULL));
  t_get(id, &cur);
  yes("timer_gettime shows the time left, not the absolute time", ns(cur.it_value) > 0 && ns(cur.it_value) <= 10 * MS);
  await(1);
  clock_gettime(CLOCK_MONOTONIC, &now);
  yes("it fired at or after that time", ns(now) >= at);
  v = spec(ns(now) - 5 * MS, 0);
  res("arm at a time already past", t_set(id, TIMER_ABSTIME, &v, NULL));
  await(2);
  yes("it fired", got == 2);
  int rt;
  must("timer_create", t_create(CLOCK_REALTIME, &s, &rt));
  clock_gettime(CLOCK_REALTIME, &now);
  v = spec(ns(now) + 10 * MS, 0);
  res("CLOCK_REALTIME at now + 10 ms, TIMER_ABSTIME", t_set(rt, TIMER_ABSTIME, &v, NULL));
  t_get(rt, &cur);
  yes("up to 10 ms left", ns(cur.it_value) > 0 && ns(cur.it_value) <= 10 * MS);
  await(3);
  yes("it fired", got == 3);
  v = spec(1000 * MS, 7 * MS);
  must("arm for 1 s", t_set(id, 0, &v, NULL));
  struct itimerspec old;
  v = spec(0, 0);
  res("disarm, asking for the old value", t_set(id, 0, &v, &old));
  yes("the old value: about 1 s left, interval 7 ms", ns(old.it_value) > 900 * MS && ns(old.it_value) <= 1000 * MS && ns(old.it_interval) == 7 * MS);
  err("the old value into a bad pointer", t_set(id, 0, &v, (struct itimerspec *)8));
  must("timer_delete", syscall(SYS_timer_delete, id));
  must("timer_delete", syscall(SYS_timer_delete, rt));
}

static void mode_fork(void) {
  handle(SIGUSR1);
  struct sigevent s = sev_signal(SIGUSR1, 5);
  int id;
  must("timer_create", t_create(CLOCK_MONOTONIC, &s, &id));
  struct itimerspec v = spec(20 * MS, 0), cur;
  must("arm", t_set(id, 0, &v, NULL));
  if (pm_fork() == 0) {
    err("child: timer_gettime of its parent's timer", t_get(id, &cur));
    err("child: timer_delete of it", syscall(SYS_timer_delete, id));
    int mine;
    res("child: a timer of its own", t_create(CLOCK_MONOTONIC, &s, &mine) < 0 ? -1 : 0);
    sleep_ns(30 * MS);
    yes("child: no signal from the parent's timer", got == 0);
    child_exit(0);
  }
  printf("child: %s\n", status_str(reap_any()));
  await(1);
  yes("the parent's timer fired", got == 1);
  must("timer_delete", syscall(SYS_timer_delete, id));
}

static void mode_cpu(void) {
  handle(SIGUSR1);
  struct sigevent s = sev_signal(SIGUSR1, 9);
  int id;
  res("timer_create(CLOCK_PROCESS_CPUTIME_ID)", t_create(CLOCK_PROCESS_CPUTIME_ID, &s, &id) < 0 ? -1 : 0);
  struct itimerspec v = spec(5 * MS, 0), cur;
  must("arm", t_set(id, 0, &v, NULL));
  sleep_ns(20 * MS);
  t_get(id, &cur);
  yes("a sleep does not count: most of 5 ms still left", ns(cur.it_value) > 2 * MS && got == 0);
  volatile unsigned long spin = 0;
  while (got == 0 && spin < 4000000000UL) spin++;
  yes("it fired while computing", got == 1 && got_code == SI_TIMER);
  must("timer_delete", syscall(SYS_timer_delete, id));
}

static const struct pm_mode MODES[] = {
    {"create", mode_create}, {"signal", mode_signal}, {"periodic", mode_periodic}, {"none", mode_none},
    {"abstime", mode_abstime}, {"fork", mode_fork}, {"cpu", mode_cpu},
};

int main(int argc, char **argv) { return pm_main(argc, argv, MODES, COUNT(MODES)); }
