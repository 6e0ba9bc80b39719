/* echo-args: prints every argv entry, argv[0] included, one per line. */
#include "rt/rt.h"

int main(int argc, char **argv, char **envp) {
  (void)envp;
  for (int i = 0; i < argc; i++) rt_printf("%s\n", argv[i]);
  return 0;
}
