/* pm-identity MODE...: who a fork child is, and what it shares with its parent.
 *   fork      return values, pid/ppid/tid, pgid and sid inherited, the child continues after
 *             fork with the parent's values
 *   memory    private copies: globals, heap, stack, brk and private mappings; neither side
 *             sees the other's later writes
 *   shared    a MAP_SHARED anonymous mapping is the one thing a fork child writes back
 *   groups    setsid/setpgid/getpgid/getsid and their errnos
 * The parent itself never changes its group or session: under Linux it shares them with the
 * harness that started it. */
#include "pm.h"
#include <sys/mman.h>
#include <sys/syscall.h>

static void mode_fork(void) {
  pid_t me = getpid(), pgid = getpgid(0), sid = getsid(0);
  int before = 41; /* set before fork: the child must see it */
  before++;
  pid_t p = pm_fork();
  if (p == 0) {
    yes("child: fork returned 0", 1);
    yes("child: sees the value set before fork", before == 42);
    yes("child: pid differs from parent", getpid() != me);
    yes("child: ppid is the parent", getppid() == me);
    yes("child: tid is pid", syscall(SYS_gettid) == getpid());
    yes("child: pgid inherited", getpgid(0) == pgid);
    yes("child: sid inherited", getsid(0) == sid);
    child_exit(0);
  }
  int st = reap(p);
  printf("parent: child %s\n", status_str(st));
  yes("parent: fork returned a new pid", p > 0 && p != me);
  yes("parent: pid unchanged", getpid() == me);
  yes("parent: tid is pid", syscall(SYS_gettid) == me);

  /* Another process's group and session, while it lives and once it is reaped. */
  struct gate g = gate_new();
  p = pm_fork();
  if (p == 0) child_exit(gate_wait(g) ? 0 : 1);
  yes("parent: getpgid(child) is own pgid", getpgid(p) == pgid);
  yes("parent: getsid(child) is own sid", getsid(p) == sid);
  gate_release(g, 1);
  printf("parent: second child %s\n", status_str(reap(p)));
  err("parent: getpgid(reaped child)", getpgid(p));
  err("parent: getsid(reaped child)", getsid(p));
  gate_close(g);
}

static int global_var = 1;

static void mode_memory(void) {
  int local = 1;
  int *heap = malloc(sizeof *heap);
  if (!heap) die("malloc");
  *heap = 1;
  char *big = malloc(1 << 20); /* a megabyte, to have more than a few pages to copy */
  if (!big) die("malloc");
  memset(big, 'p', 1 << 20);
  int *priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (priv == MAP_FAILED) die("mmap");
  *priv = 1;
  char *brk_before = sbrk(0);

  struct gate g = gate_new();
  pid_t p = pm_fork();
  if (p == 0) {
    if (!gate_wait(g)) child_exit(98);
    /* The parent wrote 3 everywhere after fork and before releasing us. */
    yes("child: sees parent's later writes",
        global_var != 1 || local != 1 || *heap != 1 || *priv != 1 || big[12345] != 'p');
    global_var = local = *heap = *priv = 2;
    memset(big, 'c', 1 << 20);
    yes("child: sbrk grows", sbrk(1 << 16) == brk_before);
    yes("child: own writes visible", global_var == 2 && *heap == 2 && big[99999] == 'c');
    child_exit(0);
  }
  global_var = local = *heap = *priv = 3;
  memset(big, 'P', 1 << 20);
  gate_release(g, 1);
  printf("parent: child %s\n", status_str(reap(p)));
  yes("parent: global kept", global_var == 3);
  yes("parent: stack kept", local == 3);
  yes("parent: heap kept", *heap == 3 && big[0] == 'P' && big[(1 << 20) - 1] == 'P');
  yes("parent: private mapping kept", *priv == 3);
  yes("parent: break unchanged by child", sbrk(0) == brk_before);
  gate_close(g);
}

static void mode_shared(void) {
  int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) die("mmap shared");
  shared[0] = 1;
  struct gate g = gate_new();
  pid_t p = pm_fork();
  if (p == 0) {
    if (!gate_wait(g)) child_exit(98);
    yes("child: sees parent's write to shared page", shared[0] == 2);
    shared[1] = 7;
    child_exit(0);
  }
  shared[0] = 2;
  gate_release(g, 1);
  printf("parent: child %s\n", status_str(reap(p)));
  yes("parent: sees child's write to shared page", shared[1] == 7);
  gate_close(g);
}

static void mode_groups(void) {
  pid_t pgid = getpgid(0), sid = getsid(0);
  err("setpgid(0, -1)", setpgid(0, -1));

  /* A child that starts a session: it leads a new group in a new session. */
  struct gate ready = gate_new(), go = gate_new();
  pid_t a = pm_fork();
  if (a == 0) {
    pid_t s = setsid();
    yes("session child: setsid returns own pid", s == getpid());
    yes("session child: leads its group", getpgid(0) == getpid());
    yes("session child: leads its session", getsid(0) == getpid());
    err("session child: setsid again", setsid());
    err("session child: setpgid into parent's group", setpgid(0, pgid));
    yes("session child: parent's session unchanged", getsid(getppid()) == sid);
    fflush(stdout);
    must("ready", write(ready.w, "r", 1));
    child_exit(gate_wait(go) ? 0 : 1);
  }
  gate_wait(ready); /* the child's setsid is done */
  err("parent: setpgid(session leader child)", setpgid(a, a));
  yes("parent: getsid(child) is the child", getsid(a) == a);
  yes("parent: own session unchanged", getsid(0) == sid);
  gate_release(go, 1);
  printf("parent: session child %s\n", status_str(reap(a)));

  /* A child that leads a new group in the same session, then is moved back. */
  pid_t b = pm_fork();
  if (b == 0) {
    res("group child: setpgid(0, 0)", setpgid(0, 0));
    yes("group child: leads its group", getpgid(0) == getpid());
    yes("group child: same session", getsid(0) == sid);
    fflush(stdout);
    must("ready", write(ready.w, "r", 1));
    child_exit(gate_wait(go) ? 0 : 1);
  }
  gate_wait(ready);
  yes("parent: getpgid(child) is the child", getpgid(b) == b);
  res("parent: setpgid(child, own group)", setpgid(b, pgid));
  yes("parent: child back in parent's group", getpgid(b) == pgid);
  gate_release(go, 1);
  printf("parent: group child %s\n", status_str(reap(b)));
  /* The group b led is gone (its only member was moved, then died), so is b. */
  err("parent: setpgid(0, gone group)", setpgid(0, b));
  err("parent: setpgid(reaped child, ...)", setpgid(b, b));
  yes("parent: own group unchanged", getpgid(0) == pgid);
  gate_close(ready);
  gate_close(go);
}

static const struct pm_mode MODES[] = {
    {"fork", mode_fork},
    {"memory", mode_memory},
    {"shared", mode_shared},
    {"groups", mode_groups},
};

int main(int argc, char **argv) { return pm_main(argc, argv, MODES, COUNT(MODES)); }
