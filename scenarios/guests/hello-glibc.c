/* hello-glibc: the glibc twin of hello (stdio through glibc's static start-up), used to
 * measure how long a glibc program takes to start and print. */
#include <stdio.h>

int main(int argc, char **argv, char **envp) {
  (void)argv;
  int envc = 0;
  while (envp[envc]) envc++;
  printf("hello from procsim\n");
  printf("argc=%d envc=%d\n", argc, envc);
  return 0;
}
