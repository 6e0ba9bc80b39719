/* fork-cycle N: N rounds of fork(); the child _exit(0)s at once; the parent waitpid()s it.
 * The bench runs two N values and divides the time difference by the cycle difference,
 * so start-up cancels out. Prints "N cycles" when every child was reaped with status 0. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: fork-cycle N\n");
    return 2;
  }
  long n = strtol(argv[1], NULL, 10);
  for (long i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid < 0) {
      perror("fork");
      return 1;
    }
    if (pid == 0) _exit(0);
    int status;
    if (waitpid(pid, &status, 0) != pid || status != 0) {
      fprintf(stderr, "cycle %ld: waitpid failed or status %#x\n", i, status);
      return 1;
    }
  }
  printf("%ld cycles\n", n);
  return 0;
}
