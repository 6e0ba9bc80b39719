/* file-io DIR: file-system syscalls through glibc inside DIR, which must not exist yet: it
 * is created, used and removed again (the caller picks a unique name, so the same output
 * comes from a host /tmp and from an in-memory one). Every result, success or errno, is
 * printed: open/write/lseek/read/pread/pwrite/ftruncate/O_APPEND, fstat/stat/lstat, rename,
 * unlink, mkdir/rmdir, symlink/readlink, opendir/readdir (sorted), getcwd/chdir. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Prints "what: value" or "what: -1 ENAME"; returns the value. */
static long chk(const char *what, long r) {
  if (r < 0) printf("%s: -1 %s\n", what, strerrorname_np(errno));
  else printf("%s: %ld\n", what, r);
  return r;
}

static const char *kind(mode_t m) {
  return S_ISREG(m) ? "file" : S_ISDIR(m) ? "dir" : S_ISLNK(m) ? "symlink" : "other";
}

static void show_stat(const char *what, const char *path, int follow) {
  struct stat st;
  int r = follow ? stat(path, &st) : lstat(path, &st);
  if (r < 0) printf("%s %s: -1 %s\n", what, path, strerrorname_np(errno));
  else if (S_ISDIR(st.st_mode)) /* a directory's size is file-system specific */
    printf("%s %s: dir mode=%04o\n", what, path, (unsigned)(st.st_mode & 07777));
  else
    printf("%s %s: %s size=%lld mode=%04o\n", what, path, kind(st.st_mode), (long long)st.st_size,
           (unsigned)(st.st_mode & 07777));
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted listing: readdir order is file-system specific; the type comes from lstat since
 * d_type may be DT_UNKNOWN on some file systems. */
static void list(const char *path) {
  DIR *d = opendir(path);
  if (!d) {
    printf("opendir %s: %s\n", path, strerrorname_np(errno));
    return;
  }
  char *names[64];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 64) names[n++] = strdup(e->d_name);
  closedir(d);
  qsort(names, (size_t)n, sizeof names[0], cmp_names);
  printf("listing %s (%d entries)\n", path, n);
  for (int i = 0; i < n; i++) {
    char full[512];
    struct stat st;
    snprintf(full, sizeof full, "%s/%s", path, names[i]);
    lstat(full, &st);
    printf("  %s %s\n", names[i], kind(st.st_mode));
    free(names[i]);
  }
}

int main(int argc, char **argv) {
  if (argc != 2 || argv[1][0] != '/') {
    fprintf(stderr, "usage: file-io /ABSOLUTE/NEW/DIR\n");
    return 2;
  }
  const char *dir = argv[1];
  char buf[256];
  umask(022);
  if (chk("mkdir dir", mkdir(dir, 0755)) < 0) return 1;
  chk("chdir dir", chdir(dir));
  printf("getcwd matches: %s\n", getcwd(buf, sizeof buf) && strcmp(buf, dir) == 0 ? "yes" : "no");

  int fd = (int)chk("open a.txt creat", open("a.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644));
  for (int i = 0; i < 40; i++) {
    int n = snprintf(buf, sizeof buf, "line %02d: the quick brown fox\n", i);
    if (write(fd, buf, (size_t)n) != n) printf("short write at line %d\n", i);
  }
  chk("close", close(fd));
  show_stat("stat", "a.txt", 1);

  fd = (int)chk("open a.txt rdwr", open("a.txt", O_RDWR));
  chk("lseek set 9", lseek(fd, 9, SEEK_SET));
  ssize_t n = chk("read 15", read(fd, buf, 15));
  printf("read text: [%.*s]\n", (int)(n > 0 ? n : 0), buf);
  chk("lseek cur 0", lseek(fd, 0, SEEK_CUR));
  chk("lseek end 0", lseek(fd, 0, SEEK_END));
  chk("lseek end -10", lseek(fd, -10, SEEK_END));
  chk("write XYZ", write(fd, "XYZ", 3));
  chk("pwrite at 0", pwrite(fd, "LINE", 4, 0));
  n = chk("pread 20 at 0", pread(fd, buf, 20, 0));
  printf("pread text: [%.*s]\n", (int)(n > 0 ? n : 0), buf);
  chk("offset after pread", lseek(fd, 0, SEEK_CUR));
  chk("lseek set 5000 (hole)", lseek(fd, 5000, SEEK_SET));
  chk("write past end", write(fd, "end", 3));
  struct stat st;
  chk("fstat", fstat(fd, &st));
  printf("fstat size=%lld\n", (long long)st.st_size);
  chk("pread in hole", pread(fd, buf, 8, 3000));
  printf("hole bytes zero: %s\n", memcmp(buf, "\0\0\0\0\0\0\0\0", 8) == 0 ? "yes" : "no");
  chk("ftruncate 100", ftruncate(fd, 100));
  chk("lseek bad whence", lseek(fd, 0, 42));
  chk("lseek negative", lseek(fd, -1, SEEK_SET));
  chk("close", close(fd));
  show_stat("stat", "a.txt", 1);

  fd = (int)chk("open append", open("a.txt", O_WRONLY | O_APPEND));
  chk("lseek set 0", lseek(fd, 0, SEEK_SET));
  chk("append write", write(fd, "tail\n", 5));
  chk("offset after append", lseek(fd, 0, SEEK_CUR));
  chk("read on O_WRONLY", read(fd, buf, 1));
  chk("close", close(fd));
  chk("close again", close(fd));

  chk("open missing", open("missing", O_RDONLY));
  chk("open excl existing", open("a.txt", O_CREAT | O_EXCL | O_WRONLY, 0600));
  chk("rename a->b", rename("a.txt", "b.txt"));
  show_stat("stat", "a.txt", 1);
  show_stat("stat", "b.txt", 1);

  chk("mkdir sub", mkdir("sub", 0700));
  chk("mkdir sub again", mkdir("sub", 0700));
  show_stat("stat", "sub", 1);
  for (int i = 0; i < 3; i++) {
    snprintf(buf, sizeof buf, "sub/f%d", 2 - i);
    fd = open(buf, O_CREAT | O_WRONLY, 0640);
    chk(buf, write(fd, buf, strlen(buf)));
    close(fd);
  }
  fd = (int)chk("open dir", open("sub", O_RDONLY | O_DIRECTORY));
  chk("read on dir", read(fd, buf, 10));
  chk("close dir", close(fd));
  chk("open file as dir", open("b.txt", O_RDONLY | O_DIRECTORY));
  chk("rmdir non-empty", rmdir("sub"));
  chk("unlink dir", unlink("sub"));

  chk("symlink", symlink("b.txt", "link"));
  n = chk("readlink", readlink("link", buf, sizeof buf));
  printf("readlink text: [%.*s]\n", (int)(n > 0 ? n : 0), buf);
  chk("readlink on file", readlink("b.txt", buf, sizeof buf));
  show_stat("lstat", "link", 0);
  show_stat("stat", "link", 1);

  list(".");
  list("sub");
  chk("chdir sub", chdir("sub"));
  printf("getcwd ends with /sub: %s\n",
         getcwd(buf, sizeof buf) && strlen(buf) >= 4 && !strcmp(buf + strlen(buf) - 4, "/sub")
             ? "yes"
             : "no");
  chk("chdir ..", chdir(".."));
  chk("chdir missing", chdir("missing"));
  chk("chdir file", chdir("b.txt"));

  for (int i = 0; i < 3; i++) {
    snprintf(buf, sizeof buf, "sub/f%d", i);
    chk(buf, unlink(buf));
  }
  chk("rmdir sub", rmdir("sub"));
  chk("unlink link", unlink("link"));
  show_stat("stat", "b.txt", 1);
  chk("unlink b", unlink("b.txt"));
  chk("unlink b again", unlink("b.txt"));
  list(".");
  chk("chdir /", chdir("/"));
  chk("rmdir dir", rmdir(dir));
  show_stat("stat", dir, 1);
  return 0;
}
