/* pm-pipe MODE...: pipes and file descriptions shared between processes.
 *   eof       a reader sees EOF once every writer is closed (by close or by exit), and
 *             writes of at most PIPE_BUF bytes from several children arrive whole
 *   epipe     writing with no reader: EPIPE with SIGPIPE ignored or handled, death by SIGPIPE
 *             by default
 *   big       256 KiB and a bit through a pipe in each direction, with a reading child
 *   capacity  an O_NONBLOCK pipe holds 64 KiB, then EAGAIN; reading makes room again
 *   dup2      a child redirects its stdout into a pipe; the parent's fds are untouched;
 *             dup/dup2/dup3/F_DUPFD_CLOEXEC rules
 *   offsets   a fork child and a dup share the file offset, a second open does not */
#include "pm.h"
#include <sys/stat.h>

static void mode_eof(void) {
  int fd[2];
  must("pipe", pipe(fd));
  pid_t p = pm_fork();
  if (p == 0) {
    close(fd[0]);
    must("write", write(fd[1], "hello ", 6));
    must("write", write(fd[1], "world", 5));
    _exit(0); /* exit closes fd[1] */
  }
  close(fd[1]);
  char buf[64];
  size_t n = read_all(fd[0], buf, sizeof buf - 1);
  buf[n] = 0;
  printf("read until EOF: \"%s\"\n", buf);
  res("read after EOF", read(fd[0], buf, sizeof buf));
  printf("writer %s\n", status_str(reap(p)));
  close(fd[0]);

  /* Three writers, one message each, no longer than PIPE_BUF: each arrives in one piece. */
  must("pipe", pipe(fd));
  enum { N = 3, LEN = 4000 };
  pid_t kids[N];
  for (int i = 0; i < N; i++) {
    kids[i] = pm_fork();
    if (kids[i] == 0) {
      static char msg[LEN];
      memset(msg, 'a' + i, LEN);
      close(fd[0]);
      _exit(write(fd[1], msg, LEN) == LEN ? 0 : 1);
    }
  }
  close(fd[1]);
  static char all[N * LEN + 1];
  n = read_all(fd[0], all, sizeof all);
  int whole = n == N * LEN, seen = 0;
  for (size_t m = 0; whole && m < N; m++) {
    char c = all[m * LEN];
    for (size_t j = 1; j < LEN; j++) whole &= all[m * LEN + j] == c;
    seen |= 1 << (c - 'a');
  }
  printf("three writers: %zu bytes\n", n);
  yes("each message whole, each writer once", whole && seen == 7);
  for (int i = 0; i < N; i++) printf("writer %d %s\n", i, status_str(reap(kids[i])));
  close(fd[0]);
}

static volatile sig_atomic_t sigpipes;
static void on_sigpipe(int sig) { sigpipes += sig == SIGPIPE; }

static void mode_epipe(void) {
  int fd[2];
  must("pipe", pipe(fd));
  close(fd[0]);
  signal(SIGPIPE, SIG_IGN);
  err("write, no reader, SIGPIPE ignored", write(fd[1], "x", 1));

  signal(SIGPIPE, on_sigpipe);
  err("write, no reader, SIGPIPE handled", write(fd[1], "x", 1));
  printf("handler ran: %d\n", (int)sigpipes);

  signal(SIGPIPE, SIG_DFL);
  pid_t p = pm_fork();
  if (p == 0) {
    write(fd[1], "x", 1);
    _exit(0); /* not reached */
  }
  printf("child writing with default SIGPIPE: %s\n", status_str(reap(p)));
  close(fd[1]);

  /* The reader goes away while the writer has a reading child: the same once it exits. */
  must("pipe", pipe(fd));
  p = pm_fork();
  if (p == 0) {
    close(fd[1]);
    char c;
    _exit(read(fd[0], &c, 1) == 1 ? 0 : 1); /* reads one byte, exits: no reader left */
  }
  close(fd[0]);
  must("write", write(fd[1], "y", 1));
  printf("reader %s\n", status_str(reap(p)));
  signal(SIGPIPE, SIG_IGN);
  err("write after the reader exited", write(fd[1], "z", 1));
  signal(SIGPIPE, SIG_DFL);
  close(fd[1]);
}

enum { BIG = 256 * 1024 + 123 };

/* Byte i of the stream sent through the pipe. */
static unsigned char pattern(size_t i) { return (unsigned char)(i * 7 + i / 251); }

/* FNV-1a, one byte at a time. */
static unsigned long fnv(unsigned long h, unsigned char c) { return (h ^ c) * 1099511628211UL; }
#define FNV_START 14695981039346656037UL

static unsigned long expected_hash(void) {
  unsigned long h = FNV_START;
  for (size_t i = 0; i < BIG; i++) h = fnv(h, pattern(i));
  return h;
}

/* Writes the BIG-byte pattern in chunks of varying size (a full pipe blocks the writer). */
static void send_big(int fd) {
  static unsigned char chunk[9000];
  size_t sent = 0, k = 0;
  while (sent < BIG) {
    size_t len = 1 + (k++ * 2654435761u) % sizeof chunk;
    if (len > BIG - sent) len = BIG - sent;
    for (size_t i = 0; i < len; i++) chunk[i] = pattern(sent + i);
    ssize_t w = write(fd, chunk, len);
    if (w <= 0) die("write big");
    sent += (size_t)w;
  }
}

/* Reads to EOF; returns the hash, and the byte count in *total. */
static unsigned long recv_big(int fd, size_t *total) {
  static unsigned char buf[5000];
  unsigned long h = FNV_START;
  *total = 0;
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die("read big");
    if (n == 0) return h;
    for (ssize_t i = 0; i < n; i++) h = fnv(h, buf[i]);
    *total += (size_t)n;
  }
}

static void mode_big(void) {
  unsigned long want = expected_hash();
  int fd[2];
  must("pipe", pipe(fd));
  pid_t p = pm_fork();
  if (p == 0) { /* reads everything, prints what it got while the parent waits */
    close(fd[1]);
    size_t total;
    unsigned long h = recv_big(fd[0], &total);
    printf("parent -> child: %zu bytes, as sent: %s\n", total, h == want ? "yes" : "no");
    child_exit(0);
  }
  close(fd[0]);
  send_big(fd[1]);
  close(fd[1]);
  printf("reader %s\n", status_str(reap(p)));

  must("pipe", pipe(fd));
  p = pm_fork();
  if (p == 0) {
    close(fd[0]);
    send_big(fd[1]);
    _exit(0);
  }
  close(fd[1]);
  size_t total;
  unsigned long h = recv_big(fd[0], &total);
  printf("child -> parent: %zu bytes, as sent: %s\n", total, h == want ? "yes" : "no");
  printf("writer %s\n", status_str(reap(p)));
  close(fd[0]);
}

static void mode_capacity(void) {
  int fd[2];
  must("pipe2", pipe2(fd, O_NONBLOCK));
  static char chunk[4096];
  long total = 0;
  ssize_t w;
  while ((w = write(fd[1], chunk, sizeof chunk)) > 0) total += w;
  printf("O_NONBLOCK pipe filled with 4 KiB writes: %ld bytes, then %s\n", total,
         w < 0 ? strerrorname_np(errno) : "0");
  err("one more byte", write(fd[1], "x", 1));
  res("read 4 KiB", read(fd[0], chunk, sizeof chunk));
  res("write 4 KiB again", write(fd[1], chunk, sizeof chunk));
  long drained = 0;
  ssize_t n;
  while ((n = read(fd[0], chunk, sizeof chunk)) > 0) drained += n;
  printf("drained %ld bytes, then %s\n", drained, n < 0 ? strerrorname_np(errno) : "0");
  close(fd[1]);
  res("read with no writer", read(fd[0], chunk, 1));
  close(fd[0]);
}

static void mode_dup2(void) {
  int fd[2];
  must("pipe", pipe(fd));
  struct stat before, after;
  must("fstat", fstat(1, &before));
  pid_t p = pm_fork();
  if (p == 0) {
    must("dup2", dup2(fd[1], 1));
    close(fd[1]);
    close(fd[0]);
    printf("this went to the pipe\n");
    child_exit(0);
  }
  close(fd[1]);
  char buf[64];
  size_t n = read_all(fd[0], buf, sizeof buf - 1);
  buf[n] = 0;
  printf("parent read from the child's stdout: %s", buf);
  printf("child %s\n", status_str(reap(p)));
  must("fstat", fstat(1, &after));
  yes("parent's stdout is the same file", before.st_ino == after.st_ino && before.st_dev == after.st_dev);
  close(fd[0]);

  /* A child closing an inherited fd does not close the parent's. */
  must("pipe", pipe(fd));
  p = pm_fork();
  if (p == 0) {
    close(fd[0]);
    close(fd[1]);
    _exit(0);
  }
  reap(p);
  res("write after the child closed its copies", write(fd[1], "ok", 2));
  res("read it back", read(fd[0], buf, 2));

  int lowest = (int)must("dup", dup(0));
  close(lowest);
  int d = (int)must("dup", dup(fd[0]));
  yes("dup takes the lowest free fd", d == lowest);
  yes("dup2(fd, same fd) returns fd", dup2(fd[0], fd[0]) == fd[0]);
  err("dup3(fd, same fd)", dup3(fd[0], fd[0], 0));
  err("dup2(bad fd)", dup2(1000, d));
  yes("dup2 onto an open fd returns it", dup2(fd[1], d) == d);
  res("F_GETFD after dup2", fcntl(d, F_GETFD));
  int e = (int)must("F_DUPFD_CLOEXEC", fcntl(fd[0], F_DUPFD_CLOEXEC, 20));
  yes("F_DUPFD_CLOEXEC picks >= 20", e >= 20);
  res("F_GETFD after F_DUPFD_CLOEXEC", fcntl(e, F_GETFD));
  res("dup3 with O_CLOEXEC", dup3(fd[0], 30, O_CLOEXEC));
  res("F_GETFD after dup3 O_CLOEXEC", fcntl(30, F_GETFD));
  /* d is now the write end: bytes written through it come out of fd[0]. */
  must("write", write(d, "zz", 2));
  res("read through the dup'd read end", read(e, buf, 2));
  close(d);
  close(e);
  close(30);
  close(fd[0]);
  close(fd[1]);
}

static void mode_offsets(void) {
  char path[] = "/tmp/pm-pipe-XXXXXX";
  int fd = (int)must("mkstemp", mkstemp(path));
  must("write", write(fd, "0123456789", 10));
  must("lseek", lseek(fd, 0, SEEK_SET));
  pid_t p = pm_fork();
  if (p == 0) {
    char b[5] = {0};
    _exit(read(fd, b, 4) == 4 && strcmp(b, "0123") == 0 ? 0 : 1);
  }
  printf("child reading 4 bytes %s\n", status_str(reap(p)));
  res("parent offset after the child's read", lseek(fd, 0, SEEK_CUR));
  char b[4] = {0};
  must("read", read(fd, b, 3));
  printf("parent reads \"%s\"\n", b);

  int d = (int)must("dup", dup(fd));
  must("lseek", lseek(fd, 2, SEEK_SET));
  res("dup sees the offset", lseek(d, 0, SEEK_CUR));
  int o = (int)must("open", open(path, O_RDONLY));
  res("second open has its own offset", lseek(o, 0, SEEK_CUR));
  must("pread", pread(d, b, 3, 5));
  printf("pread at 5: \"%s\", offset stays: %ld\n", b, (long)lseek(fd, 0, SEEK_CUR));

  /* The child appends through a shared O_APPEND description, the parent's offset follows. */
  int a = (int)must("open append", open(path, O_WRONLY | O_APPEND));
  p = pm_fork();
  if (p == 0) _exit(write(a, "AB", 2) == 2 ? 0 : 1);
  reap(p);
  res("O_APPEND offset after the child's append", lseek(a, 0, SEEK_CUR));
  struct stat st;
  must("fstat", fstat(fd, &st));
  printf("file size: %ld\n", (long)st.st_size);
  close(a);
  close(o);
  close(d);
  close(fd);
  unlink(path);
}

static const struct pm_mode MODES[] = {
    {"eof", mode_eof},           {"epipe", mode_epipe}, {"big", mode_big},
    {"capacity", mode_capacity}, {"dup2", mode_dup2},   {"offsets", mode_offsets},
};

int main(int argc, char **argv) { return pm_main(argc, argv, MODES, COUNT(MODES)); }
