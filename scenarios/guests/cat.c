/* cat [FILE|-]...: copies the files (or stdin when none are given, or for "-") to stdout
 * with read/write until EOF. Errors print one line and make the exit status 1. */
#include "rt/rt.h"

static char buf[4096];

static int copy(int fd, const char *name) {
  for (;;) {
    long n = sys_read(fd, buf, sizeof buf);
    if (n == 0) return 0;
    if (n < 0) {
      rt_dprintf(2, "cat: %s: read error %ld\n", name, -n);
      return 1;
    }
    long w = rt_write_all(1, buf, (size_t)n);
    if (w < 0) {
      rt_dprintf(2, "cat: write error %ld\n", -w);
      return 1;
    }
  }
}

int main(int argc, char **argv, char **envp) {
  (void)envp;
  if (argc < 2) return copy(0, "-");
  int status = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-") == 0) {
      status |= copy(0, "-");
      continue;
    }
    long fd = sys_open(argv[i], O_RDONLY, 0);
    if (fd < 0) {
      rt_dprintf(2, "cat: %s: open error %ld\n", argv[i], -fd);
      status = 1;
      continue;
    }
    status |= copy((int)fd, argv[i]);
    sys_close((int)fd);
  }
  return status;
}
