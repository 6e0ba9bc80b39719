/* C side of start-up: records the auxiliary vector, runs main, exits the whole process. */
#include "rt.h"

static const unsigned long *rt_auxv;

int main(int argc, char **argv, char **envp);

__attribute__((noreturn, used)) void __rt_start_c(long argc, char **argv, char **envp) {
  char **p = envp;
  while (*p) p++;
  rt_auxv = (const unsigned long *)(p + 1);
  sys_exit_group(main((int)argc, argv, envp));
}

unsigned long rt_getauxval(unsigned long type) {
  for (const unsigned long *a = rt_auxv; a[0] != AT_NULL; a += 2)
    if (a[0] == type) return a[1];
  return 0;
}

int rt_parse_long(const char *s, long *out) {
  int neg = 0;
  unsigned long v = 0, base = 10;
  if (*s == '-' || *s == '+') neg = *s++ == '-';
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) base = 16, s += 2;
  if (!*s) return -1;
  for (; *s; s++) {
    unsigned d;
    if (*s >= '0' && *s <= '9') d = (unsigned)(*s - '0');
    else if (base == 16 && *s >= 'a' && *s <= 'f') d = (unsigned)(*s - 'a' + 10);
    else if (base == 16 && *s >= 'A' && *s <= 'F') d = (unsigned)(*s - 'A' + 10);
    else return -1;
    if (v > (~0UL - d) / base) return -1; /* overflow */
    v = v * base + d;
  }
  *out = neg ? -(long)v : (long)v;
  return 0;
}

long rt_arg_long(int argc, char **argv, int i, long dflt) {
  long v;
  if (i >= argc) return dflt;
  if (rt_parse_long(argv[i], &v) != 0) {
    rt_dprintf(2, "%s: bad number '%s'\n", argv[0], argv[i]);
    sys_exit_group(2);
  }
  return v;
}
