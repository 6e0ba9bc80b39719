/* exec-child: a child execs this program again (/proc/self/exe) and the parent goes on.
 *
 * The parent forks; the child changes a global, then execs itself with "exec'd PID PPID";
 * the new image checks that pid and ppid were kept and that the global is the new image's,
 * and exits 3. The parent writes a line of its own while the child runs (unbuffered, so
 * where it lands among the child's lines is up to the scheduler), then waits and checks
 * that nothing of it changed. No pid is printed, only compared. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int global = 1;

static void say(const char *s) {
  if (write(1, s, strlen(s)) < 0) _exit(90);
}

static void yes(const char *label, int ok) {
  char buf[128];
  snprintf(buf, sizeof buf, "%s: %s\n", label, ok ? "yes" : "no");
  say(buf);
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "exec'd") == 0) {
    yes("exec'd: pid kept", getpid() == atoi(argv[2]));
    yes("exec'd: ppid kept", getppid() == atoi(argv[3]));
    yes("exec'd: global is the new image's", global == 1);
    return 3;
  }
  pid_t me = getpid();
  pid_t p = fork();
  if (p < 0) return 1;
  if (p == 0) {
    global = 2;
    char pid[16], ppid[16];
    snprintf(pid, sizeof pid, "%d", (int)getpid());
    snprintf(ppid, sizeof ppid, "%d", (int)getppid());
    char *args[] = {argv[0], "exec'd", pid, ppid, NULL};
    char *env[] = {NULL};
    execve("/proc/self/exe", args, env);
    say("child: execve failed\n");
    _exit(127);
  }
  say("parent: waiting\n");
  int st;
  if (waitpid(p, &st, 0) != p) return 1;
  char buf[64];
  snprintf(buf, sizeof buf, "parent: child exited %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
  say(buf);
  yes("parent: pid unchanged", getpid() == me);
  yes("parent: global unchanged", global == 1);
  return 0;
}
