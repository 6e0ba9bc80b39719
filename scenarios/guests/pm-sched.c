/* pm-sched MODE...: scheduling policies and nice values, as reported back.
 *   policy  sched_getscheduler/getparam, priority ranges of every policy, setscheduler and
 *           setparam with good and bad policies and priorities, bad pointers, unknown pids,
 *           sched_rr_get_interval; policies inherited by a fork child
 *   reset   SCHED_RESET_ON_FORK: the flag is reported, a fork child starts without it
 *   nice    nice(), getpriority/setpriority on oneself, on a child by pid, on a process
 *           group; inherited on fork; clamping to -20..19; bad which, unknown targets
 *
 * The oracle's Linux may run this as root or as an unprivileged user (uid 65534), and the
 * two differ where privilege matters: taking an RT policy, leaving SCHED_IDLE, clearing
 * SCHED_RESET_ON_FORK and lowering a nice value need CAP_SYS_NICE (EPERM or EACCES without
 * it). Those calls print "allowed or EPERM" and check their effect only if allowed, so the
 * text is the same either way; procsim's guest is root. Nice values only ever go up
 * otherwise, and are printed relative to the one the guest started with (the harness may
 * run niced). Calls that change state are made in children, except nice on the parent.
 *
 * Under qemu-user a guest process has a second host thread (qemu's RCU thread), and
 * PRIO_PROCESS changes one thread only, while getpriority(PRIO_PGRP) takes the highest
 * priority of every thread in the group: PRIO_PGRP is only read where PRIO_PGRP set every
 * thread first. PRIO_USER is never set: as root on a real host it would renice every root
 * process of the machine. */
#include "pm.h"
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>

static void *volatile BAD = (void *)8;

/* A pid that named a process, now reaped: nobody has it. */
static pid_t gone_pid(void) {
  pid_t p = pm_fork();
  if (p == 0) child_exit(0);
  reap(p);
  return p;
}

static int setsched(pid_t pid, int policy, int prio) {
  struct sched_param sp = {.sched_priority = prio};
  return sched_setscheduler(pid, policy, &sp);
}

static int setparam(pid_t pid, int prio) {
  struct sched_param sp = {.sched_priority = prio};
  return sched_setparam(pid, &sp);
}

static int getparam(pid_t pid) {
  struct sched_param sp = {.sched_priority = -1};
  return sched_getparam(pid, &sp) < 0 ? -1 : sp.sched_priority;
}

/* "allowed or EPERM: yes" for a call only a privileged caller may make. */
static int privileged(const char *label, int r) {
  yes(label, r == 0 || errno == EPERM);
  return r == 0;
}

/* The child's exit status in words, under a label. */
static void child_says(const char *label, pid_t p) { printf("%s: %s\n", label, status_str(reap(p))); }

static void mode_policy(void) {
  static const struct { const char *name; int policy; } POLICIES[] = {
      {"SCHED_OTHER", SCHED_OTHER}, {"SCHED_FIFO", SCHED_FIFO}, {"SCHED_RR", SCHED_RR},
      {"SCHED_BATCH", SCHED_BATCH}, {"SCHED_IDLE", SCHED_IDLE}, {"SCHED_DEADLINE", 6},
      {"policy 4", 4},              {"policy 1000", 1000},      {"policy -1", -1},
      {"SCHED_FIFO|SCHED_RESET_ON_FORK", SCHED_FIFO | SCHED_RESET_ON_FORK},
  };
  char label[96];
  for (size_t i = 0; i < COUNT(POLICIES); i++) {
    snprintf(label, sizeof label, "priority max %s", POLICIES[i].name);
    res(label, sched_get_priority_max(POLICIES[i].policy));
    snprintf(label, sizeof label, "priority min %s", POLICIES[i].name);
    res(label, sched_get_priority_min(POLICIES[i].policy));
  }
  res("getscheduler(0)", sched_getscheduler(0));
  yes("getscheduler(own pid) is getscheduler(0)", sched_getscheduler(getpid()) == sched_getscheduler(0));
  res("getparam(0)", getparam(0));
  err("getscheduler(-1)", sched_getscheduler(-1));
  struct sched_param sp = {0};
  err("getparam(0, NULL)", sched_getparam(0, NULL));
  err("getparam(-1)", sched_getparam(-1, &sp));
  err("getparam(0, bad pointer)", sched_getparam(0, BAD));

  res("setscheduler(SCHED_OTHER, 0)", setsched(0, SCHED_OTHER, 0));
  err("setscheduler(SCHED_OTHER, 1)", setsched(0, SCHED_OTHER, 1));
  err("setscheduler(SCHED_OTHER, -1)", setsched(0, SCHED_OTHER, -1));
  err("setscheduler(SCHED_FIFO, 0)", setsched(0, SCHED_FIFO, 0));
  err("setscheduler(SCHED_FIFO, 100)", setsched(0, SCHED_FIFO, 100));
  err("setscheduler(SCHED_RR, -1)", setsched(0, SCHED_RR, -1));
  err("setscheduler(SCHED_BATCH, 5)", setsched(0, SCHED_BATCH, 5));
  err("setscheduler(SCHED_DEADLINE, 0)", setsched(0, 6, 0));
  err("setscheduler(policy 4)", setsched(0, 4, 0));
  err("setscheduler(policy 1000)", setsched(0, 1000, 0));
  err("setscheduler(policy -1)", setsched(0, -1, 0));
  err("setscheduler(pid -1)", setsched(-1, SCHED_OTHER, 0));
  err("setscheduler(NULL param)", sched_setscheduler(0, SCHED_OTHER, NULL));
  err("setscheduler(bad param)", sched_setscheduler(0, SCHED_OTHER, BAD));
  res("setparam(0)", setparam(0, 0));
  err("setparam(5) under SCHED_OTHER", setparam(0, 5));
  err("setparam(NULL)", sched_setparam(0, NULL));
  err("setparam(bad param)", sched_setparam(0, BAD));
  res("getscheduler(0) after the failures", sched_getscheduler(0));

  struct timespec ts = {-1, -1};
  res("rr_get_interval(0)", sched_rr_get_interval(0, &ts));
  yes("rr_get_interval under SCHED_OTHER: under a second", ts.tv_sec == 0 && ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000);
  err("rr_get_interval(-1)", sched_rr_get_interval(-1, &ts));
  err("rr_get_interval(0, bad pointer)", sched_rr_get_interval(0, BAD));

  pid_t gone = gone_pid();
  err("getscheduler(reaped pid)", sched_getscheduler(gone));
  err("getparam(reaped pid)", sched_getparam(gone, &sp));
  err("setscheduler(reaped pid)", setsched(gone, SCHED_OTHER, 0));
  err("setscheduler(reaped pid, policy 4)", setsched(gone, 4, 0));
  err("setparam(reaped pid)", setparam(gone, 0));
  err("rr_get_interval(reaped pid)", sched_rr_get_interval(gone, &ts));

  /* In a child: fair policies any user may take, then one only a privileged user may leave. */
  pid_t c = pm_fork();
  if (c == 0) {
    res("child: setscheduler(SCHED_BATCH, 0)", setsched(0, SCHED_BATCH, 0));
    res("child: getscheduler", sched_getscheduler(0));
    res("child: setparam(0) keeps the policy", setparam(0, 0));
    res("child: getscheduler", sched_getscheduler(0));
    pid_t g = pm_fork();
    if (g == 0) child_exit(sched_getscheduler(0) == SCHED_BATCH ? 0 : 1);
    child_says("child: a fork child inherits SCHED_BATCH", g);
    res("child: setscheduler(SCHED_OTHER, 0)", setsched(0, SCHED_OTHER, 0));
    res("child: setscheduler(SCHED_IDLE, 0)", setsched(0, SCHED_IDLE, 0));
    res("child: getscheduler", sched_getscheduler(0));
    err("child: setparam(1) under SCHED_IDLE", setparam(0, 1));
    privileged("child: back to SCHED_OTHER: allowed or EPERM", setsched(0, SCHED_OTHER, 0));
    child_exit(0);
  }
  child_says("child", c);

  /* In a child: the RT policies, for a privileged caller. */
  c = pm_fork();
  if (c == 0) {
    struct timespec t = {-1, -1};
    if (privileged("child: setscheduler(SCHED_FIFO, 10): allowed or EPERM", setsched(0, SCHED_FIFO, 10)))
      yes("child: if allowed, reported back", sched_getscheduler(0) == SCHED_FIFO && getparam(0) == 10 &&
          sched_rr_get_interval(0, &t) == 0 && t.tv_sec == 0 && t.tv_nsec == 0);
    else
      yes("child: if allowed, reported back", 1);
    if (privileged("child: setscheduler(SCHED_RR, 5): allowed or EPERM", setsched(0, SCHED_RR, 5))) {
      int ok = sched_getscheduler(0) == SCHED_RR && getparam(0) == 5 && setparam(0, 7) == 0 && getparam(0) == 7;
      errno = 0;
      ok = ok && setparam(0, 0) == -1 && errno == EINVAL;
      pid_t g = pm_fork();
      if (g == 0) child_exit(sched_getscheduler(0) == SCHED_RR && getparam(0) == 7 ? 0 : 1);
      ok = ok && WIFEXITED(reap(g)) && setsched(0, SCHED_OTHER, 0) == 0 && sched_getscheduler(0) == SCHED_OTHER;
      yes("child: if allowed, setparam, inherited on fork, back to SCHED_OTHER", ok);
    } else {
      yes("child: if allowed, setparam, inherited on fork, back to SCHED_OTHER", 1);
    }
    child_exit(0);
  }
  child_says("child", c);
}

static void mode_reset(void) {
  pid_t c = pm_fork();
  if (c == 0) {
    res("child: setscheduler(SCHED_BATCH|SCHED_RESET_ON_FORK, 0)", setsched(0, SCHED_BATCH | SCHED_RESET_ON_FORK, 0));
    printf("child: getscheduler: %#x\n", sched_getscheduler(0));
    res("child: setparam(0) keeps the flag", setparam(0, 0));
    printf("child: getscheduler: %#x\n", sched_getscheduler(0));
    int n0 = getpriority(PRIO_PROCESS, 0);
    res("child: setpriority(nice + 2)", setpriority(PRIO_PROCESS, 0, n0 + 2));
    pid_t g = pm_fork();
    if (g == 0) {
      printf("grandchild: getscheduler: %#x\n", sched_getscheduler(0));
      yes("grandchild: a positive nice is kept", getpriority(PRIO_PROCESS, 0) == n0 + 2);
      child_exit(0);
    }
    child_says("child: grandchild", g);
    privileged("child: clearing the flag: allowed or EPERM", setsched(0, SCHED_BATCH, 0));
    child_exit(0);
  }
  child_says("child", c);

  c = pm_fork();
  if (c == 0) {
    int ok = 1;
    if (privileged("child: setscheduler(SCHED_FIFO|SCHED_RESET_ON_FORK, 10): allowed or EPERM",
                   setsched(0, SCHED_FIFO | SCHED_RESET_ON_FORK, 10))) {
      ok = sched_getscheduler(0) == (SCHED_FIFO | SCHED_RESET_ON_FORK);
      pid_t g = pm_fork();
      if (g == 0) child_exit(sched_getscheduler(0) == SCHED_OTHER && getparam(0) == 0 ? 0 : 1);
      int st = reap(g);
      ok = ok && WIFEXITED(st) && WEXITSTATUS(st) == 0;
    }
    yes("child: if allowed, a fork child is SCHED_OTHER with priority 0", ok);
    child_exit(0);
  }
  child_says("child", c);
}

static void mode_nice(void) {
  errno = 0;
  int n0 = getpriority(PRIO_PROCESS, 0);
  yes("getpriority(PRIO_PROCESS, 0) succeeds", errno == 0);
  yes("the raw syscall returns 20 - nice", syscall(SYS_getpriority, PRIO_PROCESS, 0) == 20 - n0);
  yes("getpriority(own pid) is the same", getpriority(PRIO_PROCESS, getpid()) == n0);
  yes("nice(1) returns start + 1", nice(1) == n0 + 1);
  yes("nice(0) returns start + 1", nice(0) == n0 + 1);
  yes("getpriority: start + 1", getpriority(PRIO_PROCESS, 0) == n0 + 1);

  pid_t c = pm_fork();
  if (c == 0) child_exit(getpriority(PRIO_PROCESS, 0) == n0 + 1 ? 0 : 1);
  child_says("a fork child inherits the nice value", c);

  /* A child held at a gate, reniced by its parent. */
  struct gate g = gate_new();
  c = pm_fork();
  if (c == 0) child_exit(gate_wait(g) && getpriority(PRIO_PROCESS, 0) == n0 + 3 ? 0 : 1);
  res("setpriority(child, start + 3)", setpriority(PRIO_PROCESS, c, n0 + 3));
  yes("getpriority(child): start + 3", getpriority(PRIO_PROCESS, c) == n0 + 3);
  yes("own nice unchanged", getpriority(PRIO_PROCESS, 0) == n0 + 1);
  gate_release(g, 1);
  child_says("the child sees the value its parent set", c);
  gate_close(g);

  /* A process group of our own: a child leads it, a grandchild joins it. */
  c = pm_fork();
  if (c == 0) {
    must("setpgid", setpgid(0, 0));
    res("child: setpriority(PRIO_PGRP, 0, start + 5)", setpriority(PRIO_PGRP, 0, n0 + 5));
    yes("child: getpriority(PRIO_PROCESS): start + 5", getpriority(PRIO_PROCESS, 0) == n0 + 5);
    yes("child: getpriority(PRIO_PGRP): start + 5", getpriority(PRIO_PGRP, 0) == n0 + 5);
    yes("child: getpriority(PRIO_PGRP, own pgid) is the same", getpriority(PRIO_PGRP, getpgid(0)) == n0 + 5);
    struct gate g2 = gate_new(), started = gate_new();
    pid_t gc = pm_fork();
    if (gc == 0) {
      /* Under qemu-user the grandchild's RCU thread is being made as fork returns, with the
       * nice value of that moment: the group is reniced only once it exists. */
      gate_release(started, 1);
      int ok = gate_wait(g2) && getpriority(PRIO_PROCESS, 0) == n0 + 7;
      /* Lower its own priority further: the group's is that of its best member, the child. */
      ok = ok && setpriority(PRIO_PROCESS, 0, n0 + 9) == 0 && getpriority(PRIO_PGRP, 0) == n0 + 7;
      child_exit(ok ? 0 : 1);
    }
    gate_wait(started);
    res("child: setpriority(PRIO_PGRP, 0, start + 7)", setpriority(PRIO_PGRP, 0, n0 + 7));
    yes("child: the grandchild too", getpriority(PRIO_PROCESS, gc) == n0 + 7);
    gate_release(g2, 1);
    child_says("child: grandchild", gc);
    child_exit(0);
  }
  child_says("child", c);

  pid_t gone = gone_pid();
  err("getpriority(PRIO_PROCESS, reaped pid)", getpriority(PRIO_PROCESS, gone));
  err("setpriority(PRIO_PROCESS, reaped pid)", setpriority(PRIO_PROCESS, gone, 19));
  err("getpriority(PRIO_PGRP, gone group)", getpriority(PRIO_PGRP, gone));
  err("setpriority(PRIO_PGRP, gone group)", setpriority(PRIO_PGRP, gone, 19));
  err("getpriority(PRIO_PROCESS, -1)", getpriority(PRIO_PROCESS, -1));
  errno = 0;
  getpriority(PRIO_USER, getuid());
  yes("getpriority(PRIO_USER, own uid) succeeds", errno == 0);
  err("getpriority(PRIO_USER, a uid without processes)", getpriority(PRIO_USER, 4000000));
  err("setpriority(PRIO_USER, a uid without processes)", setpriority(PRIO_USER, 4000000, 19));
  err("getpriority(which 3)", getpriority(3, 0));
  err("getpriority(which -1)", getpriority(-1, 0));
  err("setpriority(which 3)", setpriority(3, 0, 19));

  /* Clamping, in a child: the parent's nice stays where it is. */
  c = pm_fork();
  if (c == 0) {
    res("child: setpriority(100)", setpriority(PRIO_PROCESS, 0, 100));
    res("child: getpriority", getpriority(PRIO_PROCESS, 0));
    res("child: raw syscall", syscall(SYS_getpriority, PRIO_PROCESS, 0));
    res("child: nice(1) at 19", nice(1));
    int r = setpriority(PRIO_PROCESS, 0, -100);
    yes("child: setpriority(-100): allowed or EACCES", r == 0 || errno == EACCES);
    yes("child: if allowed, clamped to -20", r != 0 || getpriority(PRIO_PROCESS, 0) == -20);
    child_exit(0);
  }
  child_says("child", c);
  yes("own nice still start + 1", getpriority(PRIO_PROCESS, 0) == n0 + 1);
}

static const struct pm_mode MODES[] = {
    {"policy", mode_policy},
    {"reset", mode_reset},
    {"nice", mode_nice},
};

int main(int argc, char **argv) { return pm_main(argc, argv, MODES, COUNT(MODES)); }
