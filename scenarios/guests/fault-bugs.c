/* fault-bugs MODE: programs with a bug that only a fault shows (procsim explore --faults).
 *   fork   forks three children without checking fork's result, then adds up the exit
 *          statuses of three waits: when a fork fails, a wait fails too and the sum is off
 *   mem    uses an mmap without checking it: when mmap fails it writes to MAP_FAILED
 *   eintr  reads a pipe until read returns 0 or less, taking EINTR (a handled signal while
 *          it waits, no SA_RESTART) for the end of the data
 *   fd     opens a file without checking for -1 (EMFILE), then writes and reads through it
 *   io     writes a file without checking the write (ENOSPC), then reads it back
 * Each aborts (SIGABRT) or faults (SIGSEGV) when its bug shows; without faults it prints
 * the same line on every schedule and exits 0. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void mode_fork(void) {
  for (int i = 1; i <= 3; i++) {
    if (fork() == 0) _exit(i);
  }
  int sum = 0, st = 0;
  for (int i = 0; i < 3; i++) {
    wait(&st);
    sum += WEXITSTATUS(st);
  }
  printf("sum of the children's statuses: %d\n", sum);
  if (sum != 6) abort();
}

static void mode_mem(void) {
  char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  p[0] = 'x';
  p[1 << 19] = 'y';
  printf("mapped and written: %c%c\n", p[0], p[1 << 19]);
}

static void on_usr1(int sig) { (void)sig; }

static void mode_eintr(void) {
  struct sigaction sa = {0};
  sa.sa_handler = on_usr1; /* no SA_RESTART */
  sigaction(SIGUSR1, &sa, NULL);
  int fd[2];
  if (pipe(fd) < 0) abort();
  fflush(stdout);
  if (fork() == 0) {
    close(fd[0]);
    struct timespec ms = {0, 1000000};
    if (write(fd[1], "hello", 5) != 5) _exit(1);
    nanosleep(&ms, NULL);
    if (write(fd[1], "world", 5) != 5) _exit(1);
    _exit(0);
  }
  close(fd[1]);
  char buf[16];
  size_t len = 0;
  ssize_t n;
  while ((n = read(fd[0], buf + len, sizeof buf - 1 - len)) > 0) len += (size_t)n;
  buf[len] = 0;
  wait(NULL);
  printf("read: %s\n", buf);
  if (len != 10) abort();
}

static const char PATH[] = "/tmp/fault-bugs-file";

static void mode_fd(void) {
  int fd = open(PATH, O_RDWR | O_CREAT | O_TRUNC, 0600);
  char b[5] = {0};
  if (write(fd, "data", 4) == 4 && lseek(fd, 0, SEEK_SET) == 0 && read(fd, b, 4) == 4) printf("read back: %s\n", b);
  close(fd);
  unlink(PATH);
  if (strcmp(b, "data") != 0) abort();
}

static void mode_io(void) {
  int fd = open(PATH, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) abort();
  write(fd, "0123456789", 10);
  close(fd);
  char b[16] = {0};
  fd = open(PATH, O_RDONLY);
  if (fd < 0) abort();
  ssize_t n = read(fd, b, sizeof b);
  close(fd);
  unlink(PATH);
  printf("read back %zd bytes\n", n);
  if (n != 10) abort();
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "fork") == 0) mode_fork();
  else if (argc == 2 && strcmp(argv[1], "mem") == 0) mode_mem();
  else if (argc == 2 && strcmp(argv[1], "eintr") == 0) mode_eintr();
  else if (argc == 2 && strcmp(argv[1], "fd") == 0) mode_fd();
  else if (argc == 2 && strcmp(argv[1], "io") == 0) mode_io();
  else {
    fprintf(stderr, "usage: %s fork|mem|eintr|fd|io\n", argv[0]);
    return 2;
  }
  return 0;
}
