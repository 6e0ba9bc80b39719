/* fault [read|write|rodata|jump]: prints a line, then makes a bad memory access that must
 * kill the process with SIGSEGV: a load from / store to an unmapped low address, a store
 * into read-only data, or a jump to an unmapped address. */
#include "rt/rt.h"

static const char rodata[] = "read-only";

int main(int argc, char **argv, char **envp) {
  (void)envp;
  const char *kind = argc > 1 ? argv[1] : "read";
  rt_printf("fault: %s\n", kind);
  unsigned long addr = 16;
  __asm__("" : "+r"(addr)); /* hide the constant so the compiler cannot reason about it */
  volatile unsigned long *bad = (volatile unsigned long *)addr;
  if (strcmp(kind, "read") == 0) return (int)*bad;
  if (strcmp(kind, "write") == 0) {
    *bad = 1;
    return 0;
  }
  if (strcmp(kind, "rodata") == 0) {
    *(volatile char *)rodata = 'X';
    return 0;
  }
  if (strcmp(kind, "jump") == 0) {
    void (*volatile fn)(void) = (void (*)(void))0x40;
    fn();
    return 0;
  }
  rt_dprintf(2, "usage: fault [read|write|rodata|jump]\n");
  return 2;
}
