/* pm-spawn MODE...: the other ways to start a process.
 *   vfork        vfork + _exit: the parent resumes after the child is done and gets its status
 *   vfork-exec   vfork + execve of this program
 *   spawn        posix_spawn of this program with file actions (dup2 of stdout into a pipe,
 *                close) and attributes (new process group, signal mask, default signals)
 *   spawn-fail   posix_spawn of a missing program reports ENOENT to the caller
 * Modes other than "vfork" need a Linux that can exec the guest binary from a guest (native,
 * not qemu-user, which also runs vfork and posix_spawn's CLONE_VM child as a plain fork).
 * The spawned program runs as "pm-spawn spawned HOW", which is not a mode. */
#include "pm.h"
#include <spawn.h>

static int spawned(int argc, char **argv) {
  printf("spawned (%s): argc %d", argc > 2 ? argv[2] : "?", argc);
  for (char **e = environ; *e; e++) printf(", env \"%s\"", *e);
  printf("\n");
  if (argc > 2 && strcmp(argv[2], "posix_spawn") == 0) {
    sigset_t m;
    sigprocmask(SIG_BLOCK, NULL, &m);
    struct sigaction sa;
    sigaction(SIGUSR2, NULL, &sa);
    yes("spawned: leads its own group", getpgid(0) == getpid());
    yes("spawned: SIGUSR1 blocked by the attributes", sigismember(&m, SIGUSR1));
    yes("spawned: SIGUSR2 reset to default", sa.sa_handler == SIG_DFL);
    err("spawned: fd closed by the file actions", fcntl(atoi(argv[3]), F_GETFD));
  }
  return 4;
}

static void mode_vfork(void) {
  pid_t me = getpid();
  fflush(NULL);
  pid_t p = vfork();
  if (p < 0) die("vfork");
  if (p == 0) {
    /* Only write and _exit are allowed here: the child may be borrowing the parent's memory. */
    static const char msg[] = "vfork child ran\n";
    _exit(getppid() == me && write(1, msg, sizeof msg - 1) > 0 ? 9 : 1);
  }
  printf("parent after vfork: child %s\n", status_str(reap(p)));
}

static void mode_vfork_exec(void) {
  fflush(NULL);
  pid_t p = vfork();
  if (p < 0) die("vfork");
  if (p == 0) {
    char *args[] = {"pm-spawn", "spawned", "vfork", NULL}, *env[] = {"X=vfork", NULL};
    execve("/proc/self/exe", args, env);
    _exit(127);
  }
  printf("parent after vfork+exec: child %s\n", status_str(reap(p)));
}

static void mode_spawn(void) {
  int out[2], extra[2];
  must("pipe", pipe(out));
  must("pipe", pipe(extra));
  char fdnum[16];
  snprintf(fdnum, sizeof fdnum, "%d", extra[0]);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_addclose(&fa, out[0]);
  posix_spawn_file_actions_addclose(&fa, out[1]);
  posix_spawn_file_actions_addclose(&fa, extra[0]);
  posix_spawnattr_t at;
  posix_spawnattr_init(&at);
  sigset_t m, def;
  sigemptyset(&m);
  sigaddset(&m, SIGUSR1);
  sigemptyset(&def);
  sigaddset(&def, SIGUSR2);
  signal(SIGUSR2, SIG_IGN); /* ignored here, default in the child */
  posix_spawnattr_setsigmask(&at, &m);
  posix_spawnattr_setsigdefault(&at, &def);
  posix_spawnattr_setpgroup(&at, 0);
  posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
  char *args[] = {"pm-spawn", "spawned", "posix_spawn", fdnum, NULL}, *env[] = {"Y=spawn", NULL};
  pid_t p = 0;
  fflush(NULL);
  int r = posix_spawn(&p, "/proc/self/exe", &fa, &at, args, env);
  printf("posix_spawn: %s\n", r == 0 ? "0" : strerrorname_np(r));
  close(out[1]);
  char buf[1024];
  size_t n = read_all(out[0], buf, sizeof buf - 1);
  buf[n] = 0;
  printf("parent read the child's stdout:\n%s", buf);
  printf("child %s\n", status_str(reap(p)));
  yes("parent's group unchanged", getpgid(0) != p);
  signal(SIGUSR2, SIG_DFL);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&at);
  close(out[0]);
  close(extra[0]);
  close(extra[1]);
}

static void mode_spawn_fail(void) {
  char *args[] = {"nothing", NULL}, *env[] = {NULL};
  pid_t p = 0;
  fflush(NULL);
  int r = posix_spawn(&p, "/tmp/pm-spawn-no/such/program", NULL, NULL, args, env);
  printf("posix_spawn missing program: %s\n", r == 0 ? "0" : strerrorname_np(r));
  err("then wait", wait(NULL));
}

static const struct pm_mode MODES[] = {
    {"vfork", mode_vfork},
    {"vfork-exec", mode_vfork_exec},
    {"spawn", mode_spawn},
    {"spawn-fail", mode_spawn_fail},
};

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "spawned") == 0) return spawned(argc, argv);
  return pm_main(argc, argv, MODES, COUNT(MODES));
}
