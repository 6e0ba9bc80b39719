/* fork-resident MAPPED TOUCHED HELD CYCLES ROUNDS: fork cost against resident memory.
 *
 * Maps MAPPED MiB of private anonymous memory and writes the first TOUCHED MiB of it, then
 * writes marks to stdout, one write() each, so the host can time the phases between them:
 *   "T"  memory touched
 *   "H"  HELD children forked, each alive (blocked reading a pipe) and sharing the memory
 *   "R"  before each of ROUNDS rounds of CYCLES fork + _exit(0) + waitpid
 *   "E"  after the last round
 * The host samples its own memory at T and H (bytes per live child) and times R..R..E
 * (per-fork time, one figure per round). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static void mark(const char *m) {
  if (write(1, m, 2) != 2) _exit(3);
}

static void die(const char *what) {
  perror(what);
  exit(1);
}

static void reap(pid_t pid) {
  int status;
  if (waitpid(pid, &status, 0) != pid || status != 0) {
    fprintf(stderr, "waitpid %d: status %#x\n", (int)pid, status);
    exit(1);
  }
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: fork-resident MAPPED_MIB TOUCHED_MIB HELD CYCLES ROUNDS\n");
    return 2;
  }
  size_t mapped = strtoul(argv[1], NULL, 10) << 20, touched = strtoul(argv[2], NULL, 10) << 20;
  long held = strtol(argv[3], NULL, 10), cycles = strtol(argv[4], NULL, 10), rounds = strtol(argv[5], NULL, 10);
  if (touched > mapped) touched = mapped;

  char *mem = mmap(NULL, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) die("mmap");
  memset(mem, 0x5a, touched);
  mark("T\n");

  int ready[2], go[2];
  if (pipe(ready) < 0 || pipe(go) < 0) die("pipe");
  pid_t *kids = calloc(held > 0 ? held : 1, sizeof *kids);
  for (long i = 0; i < held; i++) {
    kids[i] = fork();
    if (kids[i] < 0) die("fork");
    if (kids[i] == 0) {
      char c;
      close(go[1]);
      if (write(ready[1], "x", 1) != 1) _exit(4);
      _exit(read(go[0], &c, 1) == 0 ? 0 : 5); /* EOF once the parent closes go[1] */
    }
  }
  for (long i = 0; i < held; i++) {
    char c;
    if (read(ready[0], &c, 1) != 1) die("read ready");
  }
  mark("H\n");
  close(go[1]);
  for (long i = 0; i < held; i++) reap(kids[i]);

  for (long r = 0; r < rounds; r++) {
    mark("R\n");
    for (long i = 0; i < cycles; i++) {
      pid_t pid = fork();
      if (pid < 0) die("fork");
      if (pid == 0) _exit(0);
      reap(pid);
    }
  }
  mark("E\n");
  /* The touched memory must still hold what was written: forks must not have disturbed it. */
  for (size_t i = 0; i < touched; i += 4096)
    if (mem[i] != 0x5a) {
      fprintf(stderr, "byte %zu changed\n", i);
      return 1;
    }
  return 0;
}
