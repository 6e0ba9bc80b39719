/* pm-orphan MODE...: what happens to children whose parent dies.
 *   orphan   a grandchild outlives its parent: it is reparented to this process (a child
 *            subreaper, as pid 1 would be), which then reaps it
 *   zombie   a grandchild that already exited when its parent died is reaped by us too
 *   nested   a child of ours is the subreaper: orphans below it go to it, not to us
 * This process makes itself a child subreaper (PR_SET_CHILD_SUBREAPER), so that orphans come
 * to it both under Linux and under procsim, where it is pid 1. qemu-user rejects that prctl:
 * these modes need native Linux. */
#include "pm.h"
#include <sys/prctl.h>

static void subreaper(void) {
  res("PR_SET_CHILD_SUBREAPER", prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
  int on = 0;
  res("PR_GET_CHILD_SUBREAPER", prctl(PR_GET_CHILD_SUBREAPER, &on, 0, 0, 0));
  printf("subreaper flag: %d\n", on);
}

/* Forks a child that forks a grandchild and exits once the grandchild has seen it; the
 * grandchild then waits to be released and reports on the pipe whether it was first the
 * child's, and then the caller's (who must have reaped the child before the release).
 * Returns the child's pid; *report is the read end of the pipe. */
static pid_t orphan_maker(struct gate release, int *report) {
  pid_t me = getpid();
  struct gate ready = gate_new();
  int fd[2];
  must("pipe", pipe(fd));
  pid_t c = pm_fork();
  if (c == 0) {
    pid_t gc = pm_fork();
    if (gc == 0) {
      pid_t first = getppid();
      must("ready", write(ready.w, "r", 1));
      if (!gate_wait(release)) _exit(90);
      pid_t now = getppid();
      char r[3] = {first != me ? 'y' : 'n', now == me ? 'y' : 'n', now != first ? 'y' : 'n'};
      _exit(write(fd[1], r, 3) == 3 ? 6 : 91);
    }
    _exit(gate_wait(ready) ? 0 : 1); /* leaves gc behind once it has seen us */
  }
  close(fd[1]);
  gate_close(ready);
  *report = fd[0];
  return c;
}

/* Reaps the orphan maker, releases the orphan and prints what it saw and how it ended. */
static void adopt(pid_t c, struct gate release, int report) {
  printf("parent of the grandchild %s\n", status_str(reap(c)));
  gate_release(release, 1);
  char r[3] = {0};
  read_all(report, r, 3);
  yes("grandchild: first parent was the child", r[0] == 'y');
  yes("grandchild: reparented to the subreaper", r[1] == 'y');
  yes("grandchild: reparented away from the dead parent", r[2] == 'y');
  int st;
  pid_t w = wait(&st);
  printf("the subreaper reaped the orphan: %s, %s\n", w > 0 && w != c ? "yes" : "no", status_str(st));
  err("then wait", wait(NULL));
  close(report);
}

static void mode_orphan(void) {
  subreaper();
  struct gate g = gate_new();
  int report;
  pid_t c = orphan_maker(g, &report);
  adopt(c, g, report);
  gate_close(g);
}

static void mode_nested(void) {
  pid_t s = pm_fork();
  if (s == 0) {
    subreaper();
    struct gate g = gate_new();
    int report;
    pid_t c = orphan_maker(g, &report);
    adopt(c, g, report);
    child_exit(0);
  }
  printf("subreaper child %s\n", status_str(reap(s)));
  err("top: wait (the orphan was not ours)", wait(NULL));
}

static void mode_zombie(void) {
  subreaper();
  pid_t c = pm_fork();
  if (c == 0) {
    pid_t gc = pm_fork();
    if (gc == 0) _exit(8);
    /* Exit only once gc is a zombie (WNOWAIT leaves it unreaped): we hand over a zombie. */
    siginfo_t si;
    _exit(waitid(P_PID, gc, &si, WEXITED | WNOWAIT) == 0 ? 0 : 1);
  }
  /* By the time c can be reaped, its zombie child is ours: two waits reap both. */
  int seen = 0, bad = 0;
  for (int i = 0; i < 2; i++) {
    int st;
    pid_t w = wait(&st);
    if (w == c && WIFEXITED(st) && WEXITSTATUS(st) == 0) seen |= 1;
    else if (w > 0 && w != c && WIFEXITED(st) && WEXITSTATUS(st) == 8) seen |= 2;
    else bad++;
  }
  yes("reaped the child (exit 0) and its zombie child (exit 8)", seen == 3 && bad == 0);
  err("then wait", wait(NULL));
}

static const struct pm_mode MODES[] = {
    {"orphan", mode_orphan},
    {"zombie", mode_zombie},
    {"nested", mode_nested},
};

int main(int argc, char **argv) { return pm_main(argc, argv, MODES, COUNT(MODES)); }
