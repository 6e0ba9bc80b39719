/* write-stderr: one line to stderr, one to stdout, exit status 3. */
#include "rt/rt.h"

int main(int argc, char **argv, char **envp) {
  (void)argc, (void)argv, (void)envp;
  rt_dprintf(2, "write-stderr: this goes to stderr\n");
  rt_printf("write-stderr: this goes to stdout\n");
  return 3;
}
