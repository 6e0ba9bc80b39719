/* interp-sut PROGRAM [BASE STATE]: interp for `procsim gate --sut`, where an external
 * emulator runs it: marked observations that carry the writer's pid (see interp.c). */
#define PROCSIM_SUT 1
#include "interp.c"
