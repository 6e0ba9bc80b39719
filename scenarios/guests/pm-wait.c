/* pm-wait MODE...: how a parent learns what became of its children.
 *   status     exit codes (& 0xff) and deaths by signal, as raw wait statuses
 *   wnohang    0 while the child runs, the child once it is done, ECHILD when none is left
 *   echild     waiting with no matching child, for oneself, for a reaped child
 *   many       20 children reaped by wait(-1): each exactly once
 *   selectors  waitpid -1, >0, 0 (own group) and <-1 (another group)
 *   waitid     P_PID/P_PGID/P_ALL, si_code and si_status, WNOHANG, WNOWAIT, EINVAL
 *   cycles     200 fork/wait cycles in a row
 *   stale      a blocked waitpid(0) sleeps on when its child leaves the group and exits */
#include "pm.h"
#include <sched.h>

/* Children killed by a signal close stderr first: qemu-user writes a line there about the
 * signal, which real Linux does not. */
static void die_by(int sig) {
  close(2);
  if (sig == SIGSEGV) { /* a real fault, not kill() */
    int *volatile bad = (int *)8;
    *bad = 1;
  }
  if (sig == SIGABRT) abort();
  kill(getpid(), sig);
  _exit(100); /* not reached */
}

static void mode_status(void) {
  static const int codes[] = {0, 1, 42, 255, 256, 257, -1, 1000};
  for (size_t i = 0; i < COUNT(codes); i++) {
    pid_t p = pm_fork();
    if (p == 0) exit(codes[i]);
    int st = reap(p);
    printf("exit(%d): status 0x%04x, %s\n", codes[i], st, status_str(st));
  }
  static const int sigs[] = {SIGTERM, SIGKILL, SIGUSR1, SIGHUP, SIGINT, SIGABRT, SIGSEGV};
  for (size_t i = 0; i < COUNT(sigs); i++) {
    pid_t p = pm_fork();
    if (p == 0) die_by(sigs[i]);
    int st = reap(p);
    /* Bit 0x80 (core dumped) depends on the host's core limit: left out. */
    printf("SIG%s: status 0x%04x, %s\n", sigabbrev_np(sigs[i]), st & 0x7f7f, status_str(st));
  }
}

static void mode_wnohang(void) {
  struct gate g = gate_new();
  pid_t p = pm_fork();
  if (p == 0) child_exit(gate_wait(g) ? 5 : 1);
  int st = -1;
  res("waitpid(child, WNOHANG) while it runs", waitpid(p, &st, WNOHANG));
  res("waitpid(-1, WNOHANG) while it runs", waitpid(-1, &st, WNOHANG));
  yes("status untouched", st == -1);
  gate_release(g, 1);
  /* Done soon, but when is the scheduler's choice: poll until it is reaped. */
  pid_t r = 0;
  int polls = 0;
  while ((r = waitpid(p, &st, WNOHANG)) == 0 && polls < 1000000) {
    polls++;
    sched_yield();
  }
  yes("polling with WNOHANG reaps the child", r == p);
  printf("child %s\n", status_str(st));
  err("waitpid(-1, WNOHANG) with no children", waitpid(-1, &st, WNOHANG));
  gate_close(g);
}

static void mode_echild(void) {
  int st;
  err("wait() with no children", wait(&st));
  err("waitpid(0) with no children", waitpid(0, &st, 0));
  err("waitpid(self)", waitpid(getpid(), &st, 0));
  pid_t p = pm_fork();
  if (p == 0) child_exit(3);
  printf("child %s\n", status_str(reap(p)));
  err("waitpid(reaped child)", waitpid(p, &st, 0));
  err("waitpid(reaped child, WNOHANG)", waitpid(p, &st, WNOHANG));
  err("wait() again", wait(&st));
}

static void mode_many(void) {
  enum { N = 20 };
  pid_t kids[N];
  for (int i = 0; i < N; i++) {
    kids[i] = pm_fork();
    if (kids[i] == 0) child_exit(10 + i);
  }
  int reaped[N] = {0}, bad = 0;
  for (int n = 0; n < N; n++) {
    int st;
    pid_t r = wait(&st);
    int i = 0;
    while (i < N && kids[i] != r) i++;
    if (i == N || !WIFEXITED(st) || WEXITSTATUS(st) != 10 + i) bad++;
    else reaped[i]++;
  }
  int once = 1;
  for (int i = 0; i < N; i++) once &= reaped[i] == 1;
  printf("children: %d\n", N);
  yes("each reaped once with its own status", once && bad == 0);
  err("wait() after all", wait(NULL));
}

/* Which of two pids r is: a's name, b's, the errno's, or "other". */
static const char *which(pid_t r, pid_t a, const char *an, pid_t b, const char *bn) {
  return r == a ? an : r == b ? bn : r == -1 ? strerrorname_np(errno) : "other";
}

static void mode_selectors(void) {
  /* a and b stay in our group; c leads a new group that d joins; e is waited for by pid. */
  struct gate g = gate_new(), ready = gate_new();
  pid_t a = pm_fork();
  if (a == 0) child_exit(gate_wait(g) ? 1 : 90);
  pid_t b = pm_fork();
  if (b == 0) child_exit(gate_wait(g) ? 2 : 90);
  pid_t c = pm_fork();
  if (c == 0) {
    setpgid(0, 0);
    must("ready", write(ready.w, "c", 1));
    child_exit(gate_wait(g) ? 3 : 90);
  }
  setpgid(c, c); /* either side may win the race; both ask for the same */
  pid_t d = pm_fork();
  if (d == 0) {
    setpgid(0, c);
    must("ready", write(ready.w, "d", 1));
    child_exit(gate_wait(g) ? 4 : 90);
  }
  setpgid(d, c);
  pid_t e = pm_fork();
  if (e == 0) child_exit(gate_wait(g) ? 5 : 90);
  gate_wait(ready);
  gate_wait(ready);
  yes("c and d in the new group", getpgid(c) == c && getpgid(d) == c);
  int st;
  res("waitpid(-c, WNOHANG) while they run", waitpid(-c, &st, WNOHANG));
  gate_release(g, 5);

  pid_t r = waitpid(e, &st, 0);
  printf("waitpid(e): %s, %s\n", r == e ? "e" : "other", status_str(st));
  /* Our group holds a and b only: waitpid(0) must not return c or d. */
  for (int i = 0; i < 2; i++) {
    r = waitpid(0, &st, 0);
    const char *who = which(r, a, "a", b, "b");
    printf("waitpid(0): a or b: %s, status matches: %s\n", r == a || r == b ? "yes" : who,
           WEXITSTATUS(st) == (r == a ? 1 : 2) ? "yes" : "no");
  }
  err("waitpid(0) then", waitpid(0, &st, WNOHANG));
  for (int i = 0; i < 2; i++) {
    r = waitpid(-c, &st, 0);
    const char *who = which(r, c, "c", d, "d");
    printf("waitpid(-c): c or d: %s, status matches: %s\n", r == c || r == d ? "yes" : who,
           WEXITSTATUS(st) == (r == c ? 3 : 4) ? "yes" : "no");
  }
  err("waitpid(-c) then", waitpid(-c, &st, 0));
  err("waitpid(-1) then", waitpid(-1, &st, 0));
  gate_close(g);
  gate_close(ready);
}

static void show_info(const char *label, int r, const siginfo_t *si, pid_t expect) {
  if (r < 0) {
    printf("%s: -1 %s\n", label, strerrorname_np(errno));
    return;
  }
  const char *code = si->si_code == CLD_EXITED   ? "CLD_EXITED"
                     : si->si_code == CLD_KILLED ? "CLD_KILLED"
                     : si->si_code == CLD_DUMPED ? "CLD_DUMPED"
                     : si->si_code == 0          ? "0"
                                                 : "other";
  printf("%s: %d signo=%s pid=%s code=%s status=%d\n", label, r,
         si->si_signo == SIGCHLD ? "SIGCHLD" : si->si_signo == 0 ? "0" : "other",
         si->si_pid == expect ? "child" : si->si_pid == 0 ? "0" : "other", code, si->si_status);
}

static void mode_waitid(void) {
  siginfo_t si;
  struct gate g = gate_new();
  pid_t p = pm_fork();
  if (p == 0) child_exit(gate_wait(g) ? 7 : 90);
  memset(&si, 0, sizeof si); /* Linux zeroes it; qemu-user leaves it alone */
  show_info("waitid(P_PID, WNOHANG) while it runs", waitid(P_PID, p, &si, WEXITED | WNOHANG), &si, p);
  gate_release(g, 1);
  memset(&si, 0, sizeof si);
  show_info("waitid(P_PID, WNOWAIT)", waitid(P_PID, p, &si, WEXITED | WNOWAIT), &si, p);
  memset(&si, 0, sizeof si);
  show_info("waitid(P_ALL) after WNOWAIT", waitid(P_ALL, 0, &si, WEXITED), &si, p);
  err("waitid(P_PID) reaped", waitid(P_PID, p, &si, WEXITED));

  p = pm_fork();
  if (p == 0) {
    setpgid(0, 0);
    die_by(SIGTERM);
  }
  setpgid(p, p);
  memset(&si, 0, sizeof si);
  show_info("waitid(P_PGID) killed child", waitid(P_PGID, p, &si, WEXITED), &si, p);
  err("waitid without WEXITED", waitid(P_ALL, 0, &si, 0));
  err("waitid(P_ALL) no children", waitid(P_ALL, 0, &si, WEXITED));
  gate_close(g);
}

static void mode_cycles(void) {
  enum { N = 200 };
  int ok = 0;
  for (int i = 0; i < N; i++) {
    pid_t p = pm_fork();
    if (p == 0) _exit(i & 0xff);
    int st = reap(p);
    ok += WIFEXITED(st) && WEXITSTATUS(st) == (i & 0xff);
  }
  printf("cycles: %d, statuses right: %d\n", N, ok);
  err("wait() after all", wait(NULL));
}

static volatile sig_atomic_t poked;
static void on_poke(int sig) { (void)sig; poked = 1; }

/* Linux wakes a blocked wait only for a change of a child its selector takes at that time
 * (child_wait_callback): b is in our group when we block, leaves it and exits; the wait sleeps
 * on until c's signal wakes it, then looks again before it sees the signal (do_wait's loop):
 * no child left in the group, so ECHILD, not EINTR, and only then the handler ran. The sleeps
 * order b and c after the parent blocks; c leaves the group before anyone waits (both sides
 * ask, so neither race matters). */
static void mode_stale(void) {
  struct sigaction sa = {.sa_handler = on_poke}; /* no SA_RESTART: a wait still asleep ends with EINTR */
  must("sigaction", sigaction(SIGUSR1, &sa, NULL));
  pid_t parent = getpid();
  pid_t b = pm_fork();
  if (b == 0) {
    usleep(200000);
    setpgid(0, 0);
    child_exit(3);
  }
  pid_t c = pm_fork();
  if (c == 0) {
    setpgid(0, 0);
    usleep(600000);
    kill(parent, SIGUSR1);
    child_exit(4);
  }
  setpgid(c, c);
  int st;
  err("waitpid(0) as its child leaves the group and exits", waitpid(0, &st, 0));
  yes("the signal woke it", poked);
  printf("b: %s\n", status_str(reap(b)));
  printf("c: %s\n", status_str(reap(c)));
  err("waitpid(-1) then", waitpid(-1, &st, 0));
  signal(SIGUSR1, SIG_DFL);
}

static const struct pm_mode MODES[] = {
    {"status", mode_status},   {"wnohang", mode_wnohang},     {"echild", mode_echild},
    {"many", mode_many},       {"selectors", mode_selectors}, {"waitid", mode_waitid},
    {"cycles", mode_cycles},   {"stale", mode_stale},
};

int main(int argc, char **argv) { return pm_main(argc, argv, MODES, COUNT(MODES)); }
