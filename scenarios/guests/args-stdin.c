/* args-stdin [ARG...]: prints argv and $PROCSIM_VAR, reads all of stdin and prints its length,
 * line count and FNV-1a checksum, writes a line to stderr, and exits with 10 + the number of
 * arguments. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
  for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
  const char *v = getenv("PROCSIM_VAR");
  printf("PROCSIM_VAR=%s\n", v ? v : "(unset)");

  size_t len = 0, lines = 0;
  uint64_t h = 0xCBF29CE484222325ULL;
  unsigned char buf[3000]; /* not a power of two: reads straddle the writer's chunks */
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n < 0) {
      perror("args-stdin: read");
      return 1;
    }
    if (n == 0) break;
    for (ssize_t i = 0; i < n; i++) {
      h = (h ^ buf[i]) * 0x100000001B3ULL;
      lines += buf[i] == '\n';
    }
    len += (size_t)n;
  }
  printf("stdin: %zu bytes, %zu lines, fnv1a=%016llx\n", len, lines, (unsigned long long)h);
  fprintf(stderr, "args-stdin: done with %d args\n", argc - 1);
  return 10 + argc - 1;
}
