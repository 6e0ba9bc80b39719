/* fork-wait: forks 3 children; child i prints its index and exits with status i; the parent
 * waits for them in creation order and prints each status. (Children's output order is up to
 * the scheduler; the parent's is fixed.) */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
  pid_t kids[3];
  printf("parent: forking\n");
  fflush(stdout); /* or the children would inherit and re-print the buffered text */
  for (int i = 0; i < 3; i++) {
    pid_t p = fork();
    if (p < 0) {
      perror("fork");
      return 1;
    }
    if (p == 0) {
      printf("child %d: ppid matches: %s\n", i, getppid() > 0 ? "yes" : "no");
      exit(i);
    }
    kids[i] = p;
  }
  for (int i = 0; i < 3; i++) {
    int status;
    pid_t r = waitpid(kids[i], &status, 0);
    if (r != kids[i]) {
      perror("waitpid");
      return 1;
    }
    if (WIFEXITED(status)) printf("parent: child %d exited with %d\n", i, WEXITSTATUS(status));
    else printf("parent: child %d raw status %#x\n", i, status);
  }
  printf("parent: waitpid after all: %d\n", (int)waitpid(-1, NULL, 0));
  return 0;
}
