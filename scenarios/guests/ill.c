/* ill [zero|unimp|csr]: prints a line, then executes an illegal instruction, which must
 * kill the process with SIGILL: the all-zero (compressed) instruction, the canonical
 * `unimp` (a write to the read-only cycle CSR), or a machine-mode CSR read from user mode. */
#include "rt/rt.h"

int main(int argc, char **argv, char **envp) {
  (void)envp;
  const char *kind = argc > 1 ? argv[1] : "zero";
  rt_printf("ill: %s\n", kind);
  if (strcmp(kind, "zero") == 0) __asm__ volatile(".2byte 0");
  else if (strcmp(kind, "unimp") == 0) __asm__ volatile(".4byte 0xc0001073");
  else if (strcmp(kind, "csr") == 0) {
    unsigned long v;
    __asm__ volatile("csrr %0, mstatus" : "=r"(v));
    return (int)v;
  } else {
    rt_dprintf(2, "usage: ill [zero|unimp|csr]\n");
    return 2;
  }
  return 0;
}
