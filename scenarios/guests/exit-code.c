/* exit-code STATUS [exit]: terminates with STATUS (the kernel keeps STATUS & 0xff).
 * With "exit" it uses exit(2) (SYS_exit) instead of exit_group(2). */
#include "rt/rt.h"

int main(int argc, char **argv, char **envp) {
  (void)envp;
  if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "exit") != 0)) {
    rt_dprintf(2, "usage: exit-code STATUS [exit]\n");
    return 2;
  }
  long status = rt_arg_long(argc, argv, 1, 0);
  if (argc == 3) sys_exit((int)status);
  sys_exit_group((int)status);
}
