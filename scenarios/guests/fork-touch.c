/* fork-touch MAPPED TOUCHED WRITES [code]: what a fork costs, in pages.
 *
 * Maps MAPPED private anonymous pages and writes the first TOUCHED of them, then forks; the
 * child calls sched_yield (a point where the host sees it before it wrote anything), writes
 * the first WRITES pages and exits, the parent waits for it. The host counts
 * the physical pages in use when the parent is at fork and when the child is at its exit
 * (src/sim/gates/fork-cost.ts, code-sharing.ts): with copy-on-write the difference follows WRITES, not MAPPED
 * nor TOUCHED.
 *
 * With "code", a page mapped read-write-execute holds a tiny function (li a0, 42; ret) that
 * both processes have run before the child rewrites it to return 7; the parent still gets 42
 * after the child has exited. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096

/* li a0, N; ret */
static void emit(unsigned *code, unsigned n) {
  code[0] = 0x00000513u | (n << 20);
  code[1] = 0x00008067u;
  __builtin___clear_cache((char *)code, (char *)(code + 2));
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: fork-touch MAPPED TOUCHED WRITES [code]\n");
    return 2;
  }
  long mapped = atol(argv[1]), touched = atol(argv[2]), writes = atol(argv[3]);
  int code = argc > 4 && strcmp(argv[4], "code") == 0;
  if (touched > mapped) touched = mapped;
  if (writes > mapped) writes = mapped;
  char *mem = mmap(NULL, (size_t)mapped * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return 3;
  for (long i = 0; i < touched; i++) mem[i * PAGE] = 1;

  unsigned *fn = NULL;
  if (code) {
    fn = mmap(NULL, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (fn == MAP_FAILED) return 3;
    emit(fn, 42);
    if (((int (*)(void))fn)() != 42) return 4;
  }

  pid_t p = fork();
  if (p < 0) return 5;
  if (p == 0) {
    sched_yield(); /* a syscall before any write: the host looks at the fresh child here */
    for (long i = 0; i < writes; i++) mem[i * PAGE] = 2;
    if (code) {
      if (((int (*)(void))fn)() != 42) _exit(6);
      emit(fn, 7);
      if (((int (*)(void))fn)() != 7) _exit(7);
    }
    _exit(0);
  }
  int st;
  if (waitpid(p, &st, 0) != p) return 8;
  if (code && ((int (*)(void))fn)() != 42) return 9;
  printf("child %s %d\n", WIFEXITED(st) ? "exited" : "killed", WIFEXITED(st) ? WEXITSTATUS(st) : st & 0x7f);
  return 0;
}
