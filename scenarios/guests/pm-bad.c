/* pm-bad MODE...: bad requests get an errno, and the process carries on.
 *   forkbomb  fork until fork fails or a cap is reached; every failure must be EAGAIN (real
 *             Linux may hit the cap first, a fixed-size process table fails earlier), and
 *             every child is reaped afterwards
 *   memory    runaway brk and mmap: ENOMEM, with the break and the process intact
 *   efault    bad pointers handed to system calls: EFAULT, in the process and in a child
 *   storm     never ends: a child and its parent send each other SIGUSR1 in a loop, forever
 *   faultloop never ends: a SIGSEGV handler returns to the faulting load, which faults again
 *             (these two are for procsim's step and time budgets; Linux runs them forever)
 *   hog       8 children each touch 16 MiB at once; the parent counts how they ended (a
 *             machine with less memory OOM-kills some: SIGKILL) and carries on
 *   flood     600 MiB to stdout in 1 MiB writes (each block's first byte its number), then
 *             one line: for the bound on what procsim keeps of a run's output
 * (A data file handed to execve is in pm-exec's "fail" mode: ENOEXEC.) */
#include "pm.h"
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>

static void mode_forkbomb(void) {
  enum { CAP = 600 }; /* above procsim's table of 512 */
  static pid_t kids[CAP];
  struct gate g = gate_new();
  int n = 0, failures = 0, eagain = 0;
  while (n < CAP) {
    fflush(NULL);
    pid_t p = fork();
    if (p == 0) _exit(gate_wait(g) ? 0 : 90);
    if (p < 0) {
      failures++;
      eagain += errno == EAGAIN;
      if (failures == 3) break; /* failing again after a failure is enough */
      continue;
    }
    kids[n++] = p;
  }
  yes("fork failures are EAGAIN", eagain == failures);
  gate_release(g, n);
  int reaped = 0;
  for (int i = 0; i < n; i++) reaped += WIFEXITED(reap(kids[i]));
  yes("every child reaped", reaped == n);
  err("then wait", wait(NULL));
  /* The table has room again. */
  pid_t p = pm_fork();
  if (p == 0) _exit(5);
  printf("fork afterwards: child %s\n", status_str(reap(p)));
  gate_close(g);
}

/* Requests no address space can satisfy. (Growing a megabyte at a time until the kernel
 * refuses is no oracle: how far that gets depends on the host, and qemu-user spends host
 * memory on every page it is asked to track.) */
static void mode_memory(void) {
  char *before = sbrk(0);
  void *r = sbrk((intptr_t)1 << 50);
  printf("sbrk(1 PiB): %s\n", r == (void *)-1 ? strerrorname_np(errno) : "succeeded");
  yes("break unchanged", sbrk(0) == before);
  /* The raw brk system call reports failure by returning the old break. */
  yes("raw brk(huge) returns the old break", syscall(SYS_brk, before + ((long)1 << 50)) == (long)before);
  r = mmap(NULL, (size_t)1 << 50, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("mmap(1 PiB): %s\n", r == MAP_FAILED ? strerrorname_np(errno) : "succeeded");
  r = mmap(NULL, (size_t)1 << 50, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  printf("mmap(1 PiB, PROT_NONE, MAP_NORESERVE): %s\n", r == MAP_FAILED ? strerrorname_np(errno) : "succeeded");
  errno = 0;
  void *m = malloc((size_t)1 << 50);
  printf("malloc(1 PiB): %s\n", m == NULL ? strerrorname_np(errno) : "succeeded");
  char *small = malloc(100);
  yes("malloc afterwards", small != NULL);
  free(small);
  char *p = sbrk(1 << 16);
  yes("sbrk(64 KiB) afterwards", p == before && sbrk(0) == before + (1 << 16));
  p[(1 << 16) - 1] = 1;
}

/* Volatile, so the compiler does not see (and warn about) what the calls are given. */
static void *volatile BAD = (void *)8;

static void efaults(const char *who) {
  char label[64];
#define TRY(what, call) (snprintf(label, sizeof label, "%s: %s", who, what), err(label, call))
  int fd[2];
  must("pipe", pipe(fd));
  must("write", write(fd[1], "data", 4));
  TRY("read into a bad buffer", read(fd[0], BAD, 4));
  TRY("write from a bad buffer", write(fd[1], BAD, 4));
  TRY("open a bad path", open(BAD, O_RDONLY));
  TRY("pipe into a bad array", pipe(BAD));
  TRY("fstat into a bad buffer", fstat(0, BAD));
  TRY("uname into a bad buffer", uname(BAD));
  TRY("nanosleep from a bad pointer", nanosleep(BAD, NULL));
  TRY("execve a bad path", execve(BAD, (char *[]){NULL}, (char *[]){NULL}));
  TRY("execve a bad argv", execve("/proc/self/exe", BAD, (char *[]){NULL}));
  char ok[5] = {0};
  res("and the data is still there", read(fd[0], ok, 4));
  close(fd[0]);
  close(fd[1]);
#undef TRY
}

static void mode_efault(void) {
  efaults("parent");
  pid_t p = pm_fork();
  if (p == 0) {
    efaults("child");
    child_exit(0);
  }
  printf("child %s\n", status_str(reap(p)));
  int st = 0;
  p = pm_fork();
  if (p == 0) _exit(3);
  err("wait4 into a bad status pointer", wait4(p, BAD, 0, NULL));
  /* Linux reaps the child before it finds the pointer bad. */
  err("waitpid for it again", waitpid(p, &st, 0));
}

static volatile long hits;
static void count_hit(int sig) { (void)sig; hits++; }

static void mode_storm(void) {
  signal(SIGUSR1, count_hit);
  pid_t parent = getpid();
  pid_t p = pm_fork();
  for (pid_t to = p == 0 ? parent : p;;) kill(to, SIGUSR1);
}

static volatile int *volatile nowhere = (int *)16;

static void mode_faultloop(void) {
  signal(SIGSEGV, count_hit);
  printf("%d\n", *nowhere);
}

static void mode_hog(void) {
  enum { KIDS = 8, SIZE = 16 << 20 };
  pid_t kids[KIDS];
  struct gate g = gate_new();
  for (int i = 0; i < KIDS; i++) {
    fflush(NULL);
    kids[i] = pm_fork();
    if (kids[i] == 0) {
      if (!gate_wait(g)) _exit(90);
      volatile char *m = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (m == MAP_FAILED) _exit(91);
      for (long at = 0; at < SIZE; at += 4096) {
        m[at] = 1;
        if (at % (1 << 20) == 0) sched_yield(); /* let the others grow too */
      }
      _exit(0);
    }
  }
  gate_release(g, KIDS);
  int exited = 0, killed = 0;
  for (int i = 0; i < KIDS; i++) {
    int st = reap(kids[i]);
    exited += WIFEXITED(st) && WEXITSTATUS(st) == 0;
    killed += WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
  }
  printf("hog children: %d exited 0, %d killed by SIGKILL, %d otherwise\n", exited, killed, KIDS - exited - killed);
  char *after = malloc(1 << 20);
  yes("the parent carries on", after != NULL && memset(after, 2, 1 << 20) == after);
}

static void mode_flood(void) {
  enum { BLOCK = 1 << 20, BLOCKS = 600 };
  static char buf[BLOCK];
  memset(buf, 'x', BLOCK);
  for (int i = 0; i < BLOCKS; i++) {
    buf[0] = (char)i;
    for (long at = 0; at < BLOCK;) {
      long n = write(1, buf + at, BLOCK - at);
      if (n <= 0) _exit(91);
      at += n;
    }
  }
  printf("flood: %d MiB written\n", BLOCKS);
}

static const struct pm_mode MODES[] = {
    {"forkbomb", mode_forkbomb},
    {"memory", mode_memory},
    {"efault", mode_efault},
    {"hog", mode_hog},
    {"storm", mode_storm},
    {"faultloop", mode_faultloop},
    {"flood", mode_flood},
};

int main(int argc, char **argv) { return pm_main(argc, argv, MODES, COUNT(MODES)); }
