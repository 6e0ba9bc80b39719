/* pm-exec MODE...: execve replaces the calling process's image and nothing else.
 *   image   a child execs this program again (/proc/self/exe): pid, ppid and pgid kept,
 *           argv/envp passed exactly, plain fds kept with their shared offsets, O_CLOEXEC fds
 *           closed, handled signals reset while ignored ones and the mask stay, setpgid on
 *           the exec'd child fails; the parent is untouched
 *   fail    failed execve calls (ENOENT, EACCES, ENOEXEC, a script with a missing
 *           interpreter) return the error and leave the image intact, in the process and in
 *           a child that then exits normally
 * "image" needs a Linux that can exec the guest binary from a guest (native, not qemu-user).
 * The exec'd program runs as "pm-exec exec-child ...", which is not a mode. */
#include "pm.h"
#include <sys/stat.h>

static int global_var = 5;

static void on_usr1(int sig) { (void)sig; }

/* argv of the exec'd child: its identity before exec, the fds it was given, extra args. */
enum { A_PID = 2, A_PPID, A_PGID, A_PLAIN, A_CLOEXEC, A_GATE, A_FILE, A_EXTRA };

static int exec_child(int argc, char **argv) {
  if (argc < A_EXTRA) return 97;
  printf("exec'd: argc %d, argv[0] %s\n", argc, argv[0]);
  for (int i = A_EXTRA; i < argc; i++) printf("exec'd: argv[%d] \"%s\"\n", i, argv[i]);
  for (char **e = environ; *e; e++) printf("exec'd: env \"%s\"\n", *e);
  yes("exec'd: pid kept", getpid() == atoi(argv[A_PID]));
  yes("exec'd: ppid kept", getppid() == atoi(argv[A_PPID]));
  yes("exec'd: pgid kept", getpgid(0) == atoi(argv[A_PGID]));
  yes("exec'd: globals are the new image's", global_var == 5);
  int plain = atoi(argv[A_PLAIN]), cloexec = atoi(argv[A_CLOEXEC]);
  res("exec'd: F_GETFD plain fd", fcntl(plain, F_GETFD));
  err("exec'd: F_GETFD O_CLOEXEC fd", fcntl(cloexec, F_GETFD));
  struct sigaction sa;
  sigaction(SIGUSR1, NULL, &sa);
  yes("exec'd: handled SIGUSR1 reset to default", sa.sa_handler == SIG_DFL);
  sigaction(SIGUSR2, NULL, &sa);
  yes("exec'd: ignored SIGUSR2 still ignored", sa.sa_handler == SIG_IGN);
  sigset_t mask;
  sigprocmask(SIG_BLOCK, NULL, &mask);
  yes("exec'd: blocked SIGHUP still blocked", sigismember(&mask, SIGHUP));
  char two[3] = {0};
  res("exec'd: read 2 bytes of the shared file", read(atoi(argv[A_FILE]), two, 2));
  printf("exec'd: they are \"%s\"\n", two);
  fflush(stdout);
  /* Tell the parent the exec is done, then wait for it to try setpgid on us. */
  const char msg[] = "hello through a kept fd";
  must("write kept fd", write(plain, msg, sizeof msg - 1));
  close(plain);
  char c;
  return read(atoi(argv[A_GATE]), &c, 1) == 1 ? 3 : 96;
}

static void mode_image(void) {
  int plain[2], cloexec[2];
  must("pipe", pipe(plain));
  must("pipe2", pipe2(cloexec, O_CLOEXEC));
  struct gate g = gate_new();
  char path[] = "/tmp/pm-exec-XXXXXX";
  int file = (int)must("mkstemp", mkstemp(path));
  must("unlink", unlink(path));
  must("write file", write(file, "abcdef", 6));
  must("lseek", lseek(file, 0, SEEK_SET));
  signal(SIGUSR1, on_usr1);
  signal(SIGUSR2, SIG_IGN);
  sigset_t hup, old;
  sigemptyset(&hup);
  sigaddset(&hup, SIGHUP);
  sigprocmask(SIG_BLOCK, &hup, &old);

  pid_t me = getpid();
  pid_t p = pm_fork();
  if (p == 0) {
    global_var = 6;
    char num[A_EXTRA][16];
    long vals[A_EXTRA] = {[A_PID] = getpid(), [A_PPID] = getppid(), [A_PGID] = getpgid(0),
                          [A_PLAIN] = plain[1], [A_CLOEXEC] = cloexec[1], [A_GATE] = g.r,
                          [A_FILE] = file};
    char *args[A_EXTRA + 3] = {"pm-exec", "exec-child"};
    for (int i = A_PID; i < A_EXTRA; i++) {
      snprintf(num[i], sizeof num[i], "%ld", vals[i]);
      args[i] = num[i];
    }
    args[A_EXTRA] = "two words";
    args[A_EXTRA + 1] = "";
    char *env[] = {"A=1", "B=x=y", "EMPTY=", NULL};
    close(plain[0]);
    execve("/proc/self/exe", args, env);
    die("execve");
  }
  close(plain[1]);
  char buf[64];
  size_t n = read_all(plain[0], buf, sizeof buf - 1); /* EOF: the exec'd child closed it */
  buf[n] = 0;
  printf("parent: read \"%s\"\n", buf);
  err("parent: setpgid(exec'd child)", setpgid(p, p));
  gate_release(g, 1);
  int st = reap(p);
  printf("parent: child %s\n", status_str(st));
  yes("parent: pid unchanged", getpid() == me);
  yes("parent: global unchanged", global_var == 5);
  res("parent: F_GETFD own O_CLOEXEC fd", fcntl(cloexec[1], F_GETFD));
  n = read_all(file, buf, sizeof buf - 1);
  buf[n] = 0;
  printf("parent: rest of the shared file \"%s\"\n", buf);
  struct sigaction sa;
  sigaction(SIGUSR1, NULL, &sa);
  yes("parent: SIGUSR1 still handled", sa.sa_handler == on_usr1);
  sigprocmask(SIG_SETMASK, &old, NULL);
  signal(SIGUSR1, SIG_DFL);
  signal(SIGUSR2, SIG_DFL);
  close(plain[0]);
  close(cloexec[0]);
  close(cloexec[1]);
  close(file);
  gate_close(g);
}

/* A file in /tmp with the given contents and mode; returns its (static) path. */
static const char *make_file(const char *contents, mode_t mode) {
  static char path[32];
  strcpy(path, "/tmp/pm-exec-XXXXXX");
  int fd = (int)must("mkstemp", mkstemp(path));
  must("write", write(fd, contents, strlen(contents)));
  must("fchmod", fchmod(fd, mode));
  close(fd);
  return path;
}

static void try_exec(const char *label, const char *path) {
  char *args[] = {"pm-exec", "exec-child", NULL};
  char *env[] = {NULL};
  int local = 17;
  err(label, execve(path, args, env));
  yes("  image intact", local == 17 && global_var == 5);
}

static void mode_fail(void) {
  try_exec("execve missing file", "/tmp/pm-exec-no/such/file");
  try_exec("execve directory", "/tmp");
  const char *f = make_file("#!/bin/sh\necho x\n", 0644);
  try_exec("execve file without x bit", f);
  unlink(f);
  f = make_file("just some data, not a program\n", 0755);
  try_exec("execve data file", f);
  unlink(f);
  f = make_file("\177ELF\2\1\1\0\0\0\0\0\0\0\0\0truncated", 0755);
  try_exec("execve truncated ELF", f);
  unlink(f);
  f = make_file("#!/tmp/pm-exec-no/such/interpreter\n", 0755);
  try_exec("execve script with missing interpreter", f);

  pid_t p = pm_fork();
  if (p == 0) {
    char *args[] = {"x", NULL}, *env[] = {NULL};
    execve(f, args, env);
    printf("child: execve failed with %s, still running\n", strerrorname_np(errno));
    child_exit(4);
  }
  printf("parent: child %s\n", status_str(reap(p)));
  unlink(f);
}

static const struct pm_mode MODES[] = {
    {"image", mode_image},
    {"fail", mode_fail},
};

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "exec-child") == 0) return exec_child(argc, argv);
  return pm_main(argc, argv, MODES, COUNT(MODES));
}
