/* The smallest useful guest: a greeting and how many argv/envp entries it received. */
#include "rt/rt.h"

int main(int argc, char **argv, char **envp) {
  (void)argv;
  int envc = 0;
  while (envp[envc]) envc++;
  rt_printf("hello from procsim\n");
  rt_printf("argc=%d envc=%d\n", argc, envc);
  return 0;
}
