/* pm-lock MODE...: advisory file locks.
 *   record   fcntl POSIX record locks seen from a fork child: conflicts, F_GETLK's answer,
 *            ranges by SEEK_SET/CUR/END and negative lengths, splits and merges, and any
 *            close of the file dropping them all
 *   errors   fcntl's and flock's checks: EINVAL, EOVERFLOW, EBADF, EFAULT
 *   fork     a child does not inherit its parent's locks; its own go when it exits
 *   wait     F_SETLKW waits for the holder; two processes waiting for each other: one of
 *            them gets EDEADLK, the other its lock
 *   restart  a handled signal cuts F_SETLKW and a blocking flock short: EINTR, or a
 *            restart under SA_RESTART
 *   ofd      open file description locks: owned by the description (a second open of the
 *            file conflicts, a fork child shares them), kept until its last close
 *   flock    flock(2): per description, apart from fcntl locks, conversions that are not
 *            atomic, LOCK_NB, a blocking flock woken by the holder's last close
 *
 * A child only prints while its parent waits for it, so the output does not depend on the
 * schedule; F_GETLK's pid is only compared with the owner's. */
#include "pm.h"
#include <limits.h>
#include <sys/file.h>

static char path[32];

static int temp_file(void) {
  strcpy(path, "/tmp/pm-lock-XXXXXX");
  int fd = (int)must("mkstemp", mkstemp(path));
  char b[100] = {0};
  must("write", write(fd, b, sizeof b));
  return fd;
}

static int lk(int fd, int cmd, int type, int whence, off_t start, off_t len) {
  struct flock l = {.l_type = (short)type, .l_whence = (short)whence, .l_start = start, .l_len = len};
  return fcntl(fd, cmd, &l);
}

/* What F_GETLK (or F_OFD_GETLK) says of a request: "unlocked", or the lock in the way. */
static const char *getlk(int fd, int cmd, int type, off_t start, off_t len, pid_t owner) {
  static char buf[96];
  struct flock l = {.l_type = (short)type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
  if (fcntl(fd, cmd, &l) < 0) {
    snprintf(buf, sizeof buf, "-1 %s", strerrorname_np(errno));
    return buf;
  }
  if (l.l_type == F_UNLCK) return "unlocked";
  const char *who = l.l_pid == owner ? "the owner" : l.l_pid == -1 ? "pid -1" : "another pid";
  snprintf(buf, sizeof buf, "%s at %lld len %lld by %s", l.l_type == F_WRLCK ? "write" : l.l_type == F_RDLCK ? "read" : "?",
           (long long)l.l_start, (long long)l.l_len, who);
  return buf;
}

/* A fork child asks F_GETLK what stands in the way of a request, and says. */
static void child_sees(const char *label, int fd, int type, off_t start, off_t len) {
  pid_t owner = getpid();
  if (pm_fork() == 0) {
    printf("%s: %s\n", label, getlk(fd, F_GETLK, type, start, len, owner));
    child_exit(0);
  }
  reap_any();
}

/* A fork child tries F_SETLK, and says what it got. */
static void child_tries(const char *label, int fd, int type, off_t start, off_t len) {
  if (pm_fork() == 0) {
    res(label, lk(fd, F_SETLK, type, SEEK_SET, start, len));
    child_exit(0);
  }
  reap_any();
}

static void mode_record(void) {
  int fd = temp_file();
  res("write lock on [0,10)", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
  printf("own F_GETLK over it: %s\n", getlk(fd, F_GETLK, F_WRLCK, 0, 10, getpid()));
  child_sees("a child's F_GETLK at 5", fd, F_WRLCK, 5, 1);
  child_sees("a child's F_GETLK for reading at 9", fd, F_RDLCK, 9, 1);
  child_sees("a child's F_GETLK at 10", fd, F_WRLCK, 10, 1);
  child_tries("a child's read lock at 5", fd, F_RDLCK, 5, 1);
  child_tries("a child's read lock on [10,15)", fd, F_RDLCK, 10, 5);
  res("read lock on [20,25)", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 20, 5));
  child_tries("a child's read lock at 22", fd, F_RDLCK, 22, 1);
  child_tries("a child's write lock at 24", fd, F_WRLCK, 24, 1);
  res("unlock at 3", lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 3, 1));
  child_sees("a child's F_GETLK at 3", fd, F_WRLCK, 3, 1);
  child_sees("a child's F_GETLK over [0,10)", fd, F_WRLCK, 0, 10);
  child_sees("a child's F_GETLK over [3,10)", fd, F_WRLCK, 3, 7);
  res("write lock at 3 again", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 3, 1));
  child_sees("a child's F_GETLK over [1,10): merged", fd, F_WRLCK, 1, 9);
  res("read lock on [5,7) inside it", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 5, 2));
  child_sees("a child's read F_GETLK over [0,10)", fd, F_RDLCK, 0, 10);
  child_sees("a child's read F_GETLK over [5,7)", fd, F_RDLCK, 5, 2);
  child_sees("a child's write F_GETLK at 5", fd, F_WRLCK, 5, 1);
  child_sees("a child's read F_GETLK over [6,10)", fd, F_RDLCK, 6, 4);
  res("write lock from 50 to the end (len 0)", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 50, 0));
  child_sees("a child's F_GETLK at 1000", fd, F_WRLCK, 1000, 1);
  must("lseek", lseek(fd, 30, SEEK_SET));
  res("read lock at the offset (SEEK_CUR, len 2)", lk(fd, F_SETLK, F_RDLCK, SEEK_CUR, 0, 2));
  child_sees("a child's F_GETLK at 31", fd, F_WRLCK, 31, 1);
  res("write lock start 50 len -5", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 50, -5));
  child_sees("a child's F_GETLK at 45: merged with the one at 50", fd, F_WRLCK, 45, 1);
  res("write lock at SEEK_END - 60, len 2", lk(fd, F_SETLK, F_WRLCK, SEEK_END, -60, 2));
  child_sees("a child's F_GETLK over [40,42)", fd, F_WRLCK, 40, 2);
  int other = (int)must("open", open(path, O_RDONLY));
  res("close of another descriptor of the file", close(other));
  child_sees("a child's F_GETLK over all of it", fd, F_WRLCK, 0, 0);
  close(fd);
  unlink(path);
}

static void mode_errors(void) {
  int fd = temp_file();
  err("l_type 5", lk(fd, F_SETLK, 5, SEEK_SET, 0, 1));
  err("F_GETLK of F_UNLCK", lk(fd, F_GETLK, F_UNLCK, SEEK_SET, 0, 1));
  err("l_whence 7", lk(fd, F_SETLK, F_WRLCK, 7, 0, 1));
  err("start -1", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, -1, 1));
  err("start 0, len -1", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, -1));
  res("start 1, len -1", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 1, -1));
  must("lseek", lseek(fd, 1, SEEK_SET));
  err("SEEK_CUR at 1, start LLONG_MAX", lk(fd, F_SETLK, F_WRLCK, SEEK_CUR, LLONG_MAX, 1));
  err("start 10, len LLONG_MAX", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, LLONG_MAX));
  res("start LLONG_MAX, len 1", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, LLONG_MAX, 1));
  err("F_GETLK of a bad l_type", lk(fd, F_GETLK, 7, SEEK_SET, 0, 1));
  int rdonly = (int)must("open", open(path, O_RDONLY));
  int wronly = (int)must("open", open(path, O_WRONLY));
  err("write lock through O_RDONLY", lk(rdonly, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
  err("read lock through O_WRONLY", lk(wronly, F_SETLK, F_RDLCK, SEEK_SET, 0, 1));
  res("unlock through O_RDONLY", lk(rdonly, F_SETLK, F_UNLCK, SEEK_SET, 0, 1));
  printf("F_GETLK for writing through O_RDONLY: %s\n", getlk(rdonly, F_GETLK, F_WRLCK, 0, 1, getpid()));
  err("a bad struct flock pointer", fcntl(fd, F_SETLK, (struct flock *)8));
  err("F_GETLK into a bad pointer", fcntl(fd, F_GETLK, (struct flock *)8));
  err("a closed descriptor", lk(99, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
  int opath = (int)must("open O_PATH", open(path, O_PATH));
  err("an O_PATH descriptor", lk(opath, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
  struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1, .l_pid = 5};
  err("F_OFD_SETLK with l_pid 5", fcntl(fd, F_OFD_SETLK, &l));
  l.l_pid = 1;
  err("F_OFD_GETLK with l_pid 1", fcntl(fd, F_OFD_GETLK, &l));
  err("fcntl command 1000", fcntl(fd, 1000, 0));
  err("flock op 0", flock(fd, 0));
  err("flock LOCK_SH|LOCK_EX", flock(fd, LOCK_SH | LOCK_EX));
  err("flock LOCK_NB alone", flock(fd, LOCK_NB));
  err("flock of a closed descriptor", flock(99, LOCK_EX));
  err("flock op 0 of a closed descriptor", flock(99, 0));
  err("flock of an O_PATH descriptor", flock(opath, LOCK_SH));
  res("flock LOCK_UN with no lock", flock(fd, LOCK_UN));
  res("flock LOCK_SH through O_WRONLY", flock(wronly, LOCK_SH));
  close(opath);
  close(rdonly);
  close(wronly);
  close(fd);
  unlink(path);
}

static void mode_fork(void) {
  int fd = temp_file();
  pid_t parent = getpid();
  res("parent: write lock at 0", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
  if (pm_fork() == 0) {
    err("child: the same lock", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
    printf("child: F_GETLK at 0: %s\n", getlk(fd, F_GETLK, F_WRLCK, 0, 1, parent));
    res("child: unlock at 0 (it holds nothing there)", lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1));
    child_exit(0);
  }
  printf("child: %s\n", status_str(reap_any()));
  printf("the parent's own F_GETLK at 0: its own lock is no conflict: %s\n", getlk(fd, F_GETLK, F_WRLCK, 0, 1, parent));
  child_sees("a new child's F_GETLK at 0", fd, F_WRLCK, 0, 1);

  struct gate held = gate_new(), done = gate_new();
  pid_t c = pm_fork();
  if (c == 0) {
    if (lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, 1) < 0) die("child lock");
    gate_release(held, 1);
    gate_wait(done);
    child_exit(0);
  }
  gate_wait(held);
  printf("while the child lives: %s\n", getlk(fd, F_GETLK, F_WRLCK, 10, 1, c));
  err("the parent's lock at 10", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, 1));
  gate_release(done, 1);
  printf("child: %s\n", status_str(reap(c)));
  printf("after it exited: %s\n", getlk(fd, F_GETLK, F_WRLCK, 10, 1, c));
  gate_close(held);
  gate_close(done);
  close(fd);
  unlink(path);
}

/* In a child: whether the parent has let the gate go already (a byte is there now). */
static int released(struct gate g) {
  fcntl(g.r, F_SETFL, O_NONBLOCK);
  return gate_wait(g);
}

/* In the parent: give a child time to block, say what comes next, and let the gate go. */
static void announce_release(const char *line, struct gate g) {
  usleep(20000);
  printf("%s\n", line);
  fflush(stdout);
  gate_release(g, 1);
}

static void mode_wait(void) {
  int fd = temp_file();
  struct gate unlocked = gate_new();
  res("parent: write lock on [0,10)", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
  if (pm_fork() == 0) {
    res("child: F_SETLKW at 5", lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 5, 1));
    yes("child: it returned after the parent's unlock", released(unlocked));
    child_exit(0);
  }
  announce_release("parent: unlocking", unlocked);
  must("unlock", lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 10));
  printf("child: %s\n", status_str(reap_any()));

  /* Each holds one byte and waits for the other's. */
  struct gate holds = gate_new();
  must("lock 0", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
  pid_t c = pm_fork();
  if (c == 0) {
    if (lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 1, 1) < 0) die("child lock 1");
    gate_release(holds, 1);
    int r = lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1);
    if (r < 0 && errno == EDEADLK) {
      lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 1, 1);
      child_exit(1);
    }
    child_exit(r == 0 ? 0 : 2);
  }
  gate_wait(holds);
  int r = lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1);
  int parent_deadlock = r < 0 && errno == EDEADLK;
  if (parent_deadlock) lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1);
  int st = reap(c);
  int child_deadlock = WIFEXITED(st) && WEXITSTATUS(st) == 1;
  yes("exactly one of the two got EDEADLK", parent_deadlock + child_deadlock == 1);
  yes("the other got the lock it waited for", parent_deadlock ? WIFEXITED(st) && WEXITSTATUS(st) == 0 : r == 0);
  gate_close(unlocked);
  gate_close(holds);
  close(fd);
  unlink(path);
}

static volatile sig_atomic_t handled;
static void on_usr1(int sig) {
  (void)sig;
  handled++;
}

/* In a child: wait for a lock the parent holds (SIGUSR1 handled since before the fork). */
static void child_waits(int fd, int restart, int use_flock, struct gate done) {
  int fd2 = use_flock ? (int)must("open", open(path, O_RDWR)) : fd;
  int r = use_flock ? flock(fd2, LOCK_EX) : lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1);
  int e = errno;
  gate_release(done, 1);
  printf("child: %s%s: %s\n", use_flock ? "flock(LOCK_EX)" : "F_SETLKW", restart ? " with SA_RESTART" : "", r == 0 ? "0" : strerrorname_np(e));
  yes("child: the handler ran", handled > 0);
  child_exit(0);
}

/* In the parent: signal the child every 5 ms until it says its call returned (restart: 5 times, then unlock). */
static void parent_signals(pid_t c, int fd, int restart, int use_flock, struct gate done) {
  fcntl(done.r, F_SETFL, O_NONBLOCK);
  char b;
  for (int i = 0; restart ? i < 5 : read(done.r, &b, 1) != 1; i++) {
    if (i == 2000) die("the child's call never returned");
    kill(c, SIGUSR1);
    usleep(5000);
  }
  if (use_flock) must("LOCK_UN", flock(fd, LOCK_UN));
  else must("unlock", lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1));
  printf("child: %s\n", status_str(reap(c)));
  if (use_flock) must("LOCK_EX", flock(fd, LOCK_EX));
  else must("lock", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
}

static void mode_restart(void) {
  int fd = temp_file();
  must("lock", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
  must("flock", flock(fd, LOCK_EX));
  for (int use_flock = 0; use_flock <= 1; use_flock++) {
    for (int restart = 0; restart <= 1; restart++) {
      struct sigaction sa = {0};
      sa.sa_handler = on_usr1;
      sa.sa_flags = restart ? SA_RESTART : 0;
      sigaction(SIGUSR1, &sa, NULL);
      handled = 0;
      struct gate done = gate_new();
      pid_t c = pm_fork();
      if (c == 0) child_waits(fd, restart, use_flock, done);
      parent_signals(c, fd, restart, use_flock, done);
      gate_close(done);
    }
  }
  close(fd);
  unlink(path);
}

static void mode_ofd(void) {
  int fd1 = temp_file();
  int fd2 = (int)must("open", open(path, O_RDWR));
  res("OFD write lock on [0,10) through fd1", lk(fd1, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10));
  err("an OFD lock at 5 through a second open", lk(fd2, F_OFD_SETLK, F_WRLCK, SEEK_SET, 5, 1));
  err("a POSIX lock at 5 through it", lk(fd2, F_SETLK, F_RDLCK, SEEK_SET, 5, 1));
  printf("F_GETLK through it: %s\n", getlk(fd2, F_GETLK, F_WRLCK, 0, 1, getpid()));
  printf("F_OFD_GETLK through it: %s\n", getlk(fd2, F_OFD_GETLK, F_WRLCK, 3, 1, getpid()));
  printf("F_OFD_GETLK through fd1: %s\n", getlk(fd1, F_OFD_GETLK, F_WRLCK, 0, 10, getpid()));
  if (pm_fork() == 0) {
    res("child: an OFD lock on [5,20) through the shared fd1", lk(fd1, F_OFD_SETLK, F_WRLCK, SEEK_SET, 5, 15));
    child_exit(0);
  }
  printf("child: %s\n", status_str(reap_any()));
  printf("the child's lock is the description's: %s\n", getlk(fd2, F_OFD_GETLK, F_WRLCK, 0, 100, getpid()));
  res("close of the second open", close(fd2));
  int fd3 = (int)must("open", open(path, O_RDWR));
  printf("the OFD lock outlives it: %s\n", getlk(fd3, F_OFD_GETLK, F_RDLCK, 0, 1, getpid()));
  res("a POSIX write lock at 50 through a third open", lk(fd3, F_SETLK, F_WRLCK, SEEK_SET, 50, 1));
  err("an OFD lock at 50 through it", lk(fd3, F_OFD_SETLK, F_WRLCK, SEEK_SET, 50, 1));
  res("close of fd1, the description's last", close(fd1));
  printf("then the OFD lock is gone: %s\n", getlk(fd3, F_OFD_GETLK, F_WRLCK, 0, 20, getpid()));
  printf("and the POSIX lock too (any close drops them): %s\n", getlk(fd3, F_OFD_GETLK, F_WRLCK, 50, 1, getpid()));
  close(fd3);
  unlink(path);
}

static void mode_flock(void) {
  int fd1 = temp_file();
  int fd2 = (int)must("open", open(path, O_RDWR));
  res("LOCK_EX on fd1", flock(fd1, LOCK_EX));
  err("LOCK_EX|LOCK_NB on a second open", flock(fd2, LOCK_EX | LOCK_NB));
  err("LOCK_SH|LOCK_NB on it", flock(fd2, LOCK_SH | LOCK_NB));
  res("LOCK_EX on fd1 again", flock(fd1, LOCK_EX));
  int d = (int)must("dup", dup(fd1));
  res("LOCK_SH through a dup of fd1: the lock converts", flock(d, LOCK_SH));
  res("then LOCK_SH|LOCK_NB on the second open", flock(fd2, LOCK_SH | LOCK_NB));
  err("LOCK_EX|LOCK_NB on fd1", flock(fd1, LOCK_EX | LOCK_NB));
  res("the failed conversion dropped fd1's lock: LOCK_EX|LOCK_NB on the second open", flock(fd2, LOCK_EX | LOCK_NB));
  res("a POSIX write lock through fd1 beside it", lk(fd1, F_SETLK, F_WRLCK, SEEK_SET, 0, 0));
  close(d);
  if (pm_fork() == 0) {
    res("child: LOCK_EX|LOCK_NB on the inherited second open", flock(fd2, LOCK_EX | LOCK_NB));
    res("child: LOCK_UN on it", flock(fd2, LOCK_UN));
    child_exit(0);
  }
  printf("child: %s\n", status_str(reap_any()));
  res("the child's unlock was the description's: LOCK_EX|LOCK_NB on fd1", flock(fd1, LOCK_EX | LOCK_NB));

  struct gate closed = gate_new();
  if (pm_fork() == 0) {
    close(fd1);
    int fd4 = (int)must("open", open(path, O_RDWR));
    res("child: LOCK_EX on its own open", flock(fd4, LOCK_EX));
    yes("child: it returned after the parent's last close of fd1", released(closed));
    child_exit(0);
  }
  announce_release("parent: closing fd1", closed);
  close(fd1);
  printf("child: %s\n", status_str(reap_any()));
  gate_close(closed);
  close(fd2);
  unlink(path);
}

static const struct pm_mode MODES[] = {
    {"record", mode_record}, {"errors", mode_errors}, {"fork", mode_fork},
    {"wait", mode_wait},     {"ofd", mode_ofd},       {"flock", mode_flock}, {"restart", mode_restart},
};

int main(int argc, char **argv) { return pm_main(argc, argv, MODES, COUNT(MODES)); }
