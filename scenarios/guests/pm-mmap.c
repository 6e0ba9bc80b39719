/* pm-mmap MODE...: mappings of regular files, as a process sees them.
 *   shared   MAP_SHARED is the file's own memory: stores are read back by pread, writes by
 *            the mapping, a fork child's stores by its parent, a second mapping by the
 *            first; stores survive munmap; msync's checks
 *   private  MAP_PRIVATE sees the file until a page is written, then that page is the
 *            process's own; a fork child's stores stay its own
 *   errors   what a descriptor must be to be mapped: EACCES, ENODEV, EBADF, EINVAL
 *   maps     /proc/self/maps names a file's mappings, with their offsets and s or p, as
 *            they are split by munmap and mprotect
 *
 * Files are made with mkstemp in /tmp and removed at the end; their names are random, so
 * maps prints "FILE" for the file's path. Placed mappings go inside one anonymous
 * reservation (MAP_FIXED), so their order does not depend on where the kernel puts things. */
#include "pm.h"
#include <sys/mman.h>
#include <sys/stat.h>

#define PG 4096

static int temp_file(char *path, const char *what, size_t pages) {
  strcpy(path, "/tmp/pm-mmap-XXXXXX");
  int fd = (int)must("mkstemp", mkstemp(path));
  must("ftruncate", ftruncate(fd, (off_t)(pages * PG)));
  for (size_t i = 0; i < pages && what != NULL; i++) must("pwrite", pwrite(fd, what, strlen(what), (off_t)(i * PG)));
  return fd;
}

static int same(const char *mem, const char *s) { return memcmp(mem, s, strlen(s)) == 0; }

static int file_says(int fd, off_t at, const char *s) {
  char b[64] = {0};
  size_t n = strlen(s);
  return pread(fd, b, n, at) == (ssize_t)n && memcmp(b, s, n) == 0;
}

static char *map(size_t len, int prot, int flags, int fd, off_t off) {
  char *m = mmap(NULL, len, prot, flags, fd, off);
  if (m == MAP_FAILED) die("mmap");
  return m;
}

static void mode_shared(void) {
  char path[32];
  int fd = temp_file(path, NULL, 3);
  must("pwrite", pwrite(fd, "hello", 5, 0));
  char *m = map(3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  yes("the mapping shows the file", same(m, "hello"));
  memcpy(m + PG, "world", 5);
  yes("a store is read back by pread", file_says(fd, PG, "world"));
  must("pwrite", pwrite(fd, "again", 5, 2 * PG));
  yes("a pwrite is seen in the mapping", same(m + 2 * PG, "again"));

  pid_t c = pm_fork();
  if (c == 0) {
    memcpy(m + 100, "child", 5);
    child_exit(0);
  }
  reap(c);
  yes("a fork child's store is seen by its parent", same(m + 100, "child"));
  yes("and by pread", file_says(fd, 100, "child"));

  char *n = map(2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, PG);
  yes("a second mapping at offset one page shows the first's store", same(n, "world"));
  memcpy(n + PG + 8, "twice", 5);
  yes("the first sees the second's store", same(m + 2 * PG + 8, "twice"));

  res("msync(MS_SYNC)", msync(m, 3 * PG, MS_SYNC));
  res("msync(MS_ASYNC | MS_INVALIDATE)", msync(m, PG, MS_ASYNC | MS_INVALIDATE));
  err("msync of an unaligned address", msync(m + 1, PG, MS_SYNC));
  err("msync(MS_ASYNC | MS_SYNC)", msync(m, PG, MS_ASYNC | MS_SYNC));
  err("msync with an unknown flag", msync(m, PG, 0x100));
  must("munmap", munmap(n, 2 * PG));
  must("munmap", munmap(m, 3 * PG));
  close(fd);

  fd = (int)must("open", open(path, O_RDONLY));
  yes("stores are in the file after munmap and close", file_says(fd, PG, "world") && file_says(fd, 2 * PG + 8, "twice"));
  close(fd);

  /* A file of 100 bytes: the rest of its page is memory, not file. */
  fd = (int)must("open", open(path, O_RDWR | O_TRUNC));
  must("write", write(fd, "0123456789", 10));
  must("ftruncate", ftruncate(fd, 100));
  m = map(PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  yes("the page past the end reads zeros", m[100] == 0 && m[PG - 1] == 0);
  m[200] = 'x';
  struct stat st;
  must("fstat", fstat(fd, &st));
  res("a store past the end leaves the size", st.st_size);
  m[50] = 'y';
  yes("a store inside it is in the file", file_says(fd, 50, "y"));
  must("munmap", munmap(m, PG));
  close(fd);
  unlink(path);
}

static void mode_private(void) {
  char path[32];
  int fd = temp_file(path, "AAAA", 2);
  char *m = map(2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  yes("the mapping shows the file", same(m, "AAAA") && same(m + PG, "AAAA"));
  must("pwrite", pwrite(fd, "CCCC", 4, PG));
  yes("an unwritten page sees a later pwrite", same(m + PG, "CCCC"));
  m[0] = 'X';
  yes("a store is the process's own", same(m, "XAAA"));
  yes("the file is unchanged", file_says(fd, 0, "AAAA"));
  must("pwrite", pwrite(fd, "DDDD", 4, 0));
  yes("a written page no longer sees the file", same(m, "XAAA"));

  pid_t c = pm_fork();
  if (c == 0) {
    memcpy(m + PG, "kid!", 4);
    child_exit(same(m + PG, "kid!") ? 0 : 1);
  }
  printf("child stores into its copy: %s\n", status_str(reap(c)));
  yes("the parent's page is unchanged", same(m + PG, "CCCC"));
  yes("the file too", file_says(fd, PG, "CCCC"));
  must("munmap", munmap(m, 2 * PG));
  close(fd);

  fd = (int)must("open", open(path, O_RDONLY));
  m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  yes("a writable private mapping of a read-only descriptor", m != MAP_FAILED);
  if (m != MAP_FAILED) {
    m[1] = 'Z';
    yes("takes stores that stay out of the file", same(m, "DZDD") && file_says(fd, 0, "DDDD"));
    munmap(m, PG);
  }
  close(fd);
  unlink(path);
}

static void mode_errors(void) {
  char path[32];
  int fd = temp_file(path, "data", 1);
  close(fd);
  int ro = (int)must("open", open(path, O_RDONLY));
  int wo = (int)must("open", open(path, O_WRONLY));
  err("MAP_SHARED, PROT_WRITE of an O_RDONLY descriptor", (long)mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0));
  char *m = mmap(NULL, PG, PROT_READ, MAP_SHARED, ro, 0);
  yes("MAP_SHARED, PROT_READ of it works", m != MAP_FAILED && same(m, "data"));
  if (m != MAP_FAILED) munmap(m, PG);
  err("MAP_SHARED of an O_WRONLY descriptor", (long)mmap(NULL, PG, PROT_READ, MAP_SHARED, wo, 0));
  err("MAP_PRIVATE of an O_WRONLY descriptor", (long)mmap(NULL, PG, PROT_READ, MAP_PRIVATE, wo, 0));
  err("MAP_SHARED, PROT_WRITE of an O_WRONLY descriptor", (long)mmap(NULL, PG, PROT_WRITE, MAP_SHARED, wo, 0));
  int dir = (int)must("open /tmp", open("/tmp", O_RDONLY | O_DIRECTORY));
  err("a directory", (long)mmap(NULL, PG, PROT_READ, MAP_PRIVATE, dir, 0));
  int p[2];
  must("pipe", pipe(p));
  err("a pipe's read end", (long)mmap(NULL, PG, PROT_READ, MAP_PRIVATE, p[0], 0));
  err("a pipe's read end, MAP_SHARED, PROT_WRITE", (long)mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, p[0], 0));
  err("a closed descriptor", (long)mmap(NULL, PG, PROT_READ, MAP_PRIVATE, 99, 0));
  err("an unaligned offset", (long)mmap(NULL, PG, PROT_READ, MAP_PRIVATE, ro, 100));
  err("length 0", (long)mmap(NULL, 0, PROT_READ, MAP_PRIVATE, ro, 0));
  err("neither shared nor private", (long)mmap(NULL, PG, PROT_READ, 0, ro, 0));
  char *gone = map(PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  must("munmap", munmap(gone, PG));
  err("msync of unmapped memory", msync(gone, PG, MS_SYNC));
  close(p[0]);
  close(p[1]);
  close(dir);
  close(ro);
  close(wo);
  unlink(path);
}

/* Prints "PERMS OFFSET" for every line of /proc/self/maps that names path. */
static void print_maps(const char *label, const char *path) {
  char buf[16384];
  int fd = (int)must("open maps", open("/proc/self/maps", O_RDONLY));
  size_t n = read_all(fd, buf, sizeof buf - 1);
  close(fd);
  buf[n] = 0;
  printf("%s:", label);
  for (char *line = strtok(buf, "\n"); line != NULL; line = strtok(NULL, "\n")) {
    char perms[8], name[256] = "";
    unsigned long lo, hi, off, ino;
    unsigned maj, min;
    if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu %255s", &lo, &hi, perms, &off, &maj, &min, &ino, name) < 7) continue;
    if (strcmp(name, path) == 0) printf(" [%s %lx %lu pages]", perms, off, (hi - lo) / PG);
  }
  printf("\n");
}

static void mode_maps(void) {
  char path[32];
  int fd = temp_file(path, "page", 4);
  char *area = map(12 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char *s = mmap(area, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
  if (s != area) die("mmap MAP_FIXED");
  print_maps("shared", path);
  must("munmap", munmap(s + PG, PG));
  print_maps("a page unmapped", path);
  must("mprotect", mprotect(s + 3 * PG, PG, PROT_READ));
  print_maps("the last made read-only", path);
  char *q = mmap(area + 6 * PG, 2 * PG, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 2 * PG);
  if (q != area + 6 * PG) die("mmap MAP_FIXED");
  print_maps("a private mapping at offset 2 pages", path);
  struct stat st;
  must("fstat", fstat(fd, &st));
  char *m = mmap(area + 9 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
  if (m != area + 9 * PG) die("mmap MAP_FIXED");
  /* The inode column is the file's. */
  char buf[16384], want[64];
  int mf = (int)must("open maps", open("/proc/self/maps", O_RDONLY));
  size_t n = read_all(mf, buf, sizeof buf - 1);
  close(mf);
  buf[n] = 0;
  snprintf(want, sizeof want, "%lx-", (unsigned long)m);
  char *line = strstr(buf, want);
  unsigned long ino = 0;
  yes("its line has the file's inode", line != NULL && sscanf(line, "%*s %*s %*s %*s %lu", &ino) == 1 && ino == st.st_ino);
  must("munmap", munmap(area, 12 * PG));
  print_maps("all unmapped", path);
  close(fd);
  unlink(path);
}

static const struct pm_mode MODES[] = {
    {"shared", mode_shared},
    {"private", mode_private},
    {"errors", mode_errors},
    {"maps", mode_maps},
};

int main(int argc, char **argv) { return pm_main(argc, argv, MODES, COUNT(MODES)); }
