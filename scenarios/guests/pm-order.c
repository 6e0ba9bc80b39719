/* pm-order MODE...: the order output comes out in, with stdout a pipe (fully buffered).
 *   stdio     text buffered but not flushed at fork is printed by both processes, each when
 *             it exits; a child leaving with _exit drops its copy
 *   pingpong  parent and child write in turns, passing a token through two pipes
 *   stderr    stderr is unbuffered: it is written at once, by whoever calls */
#include "pm.h"

static void mode_stdio(void) {
  fflush(stdout); /* the mode header only */
  printf("buffered before fork\n"); /* not flushed: both processes hold a copy */
  pid_t p = fork();
  if (p < 0) die("fork");
  if (p == 0) {
    printf("child\n");
    exit(0); /* exit flushes: the copy and the child's line */
  }
  waitpid(p, NULL, 0);
  printf("parent after the child\n");
  fflush(stdout);

  printf("buffered again\n");
  p = fork();
  if (p < 0) die("fork");
  if (p == 0) {
    printf("lost with _exit\n");
    _exit(0);
  }
  waitpid(p, NULL, 0);
  printf("parent after the _exit child\n");
  /* flushed when the mode ends */
}

static void mode_pingpong(void) {
  int to_child[2], to_parent[2];
  must("pipe", pipe(to_child));
  must("pipe", pipe(to_parent));
  enum { ROUNDS = 10 };
  pid_t p = pm_fork();
  if (p == 0) {
    char t;
    for (int i = 0; i < ROUNDS; i++) {
      if (read(to_child[0], &t, 1) != 1) _exit(90);
      printf("pong %d\n", i);
      fflush(stdout);
      if (write(to_parent[1], "t", 1) != 1) _exit(91);
    }
    _exit(0);
  }
  char t;
  for (int i = 0; i < ROUNDS; i++) {
    printf("ping %d\n", i);
    fflush(stdout);
    must("write token", write(to_child[1], "t", 1));
    if (read(to_parent[0], &t, 1) != 1) die("read token");
  }
  printf("child %s\n", status_str(reap(p)));
  close(to_child[0]);
  close(to_child[1]);
  close(to_parent[0]);
  close(to_parent[1]);
}

static void mode_stderr(void) {
  fprintf(stderr, "parent: stderr before fork\n");
  pid_t p = pm_fork();
  if (p == 0) {
    fprintf(stderr, "child: stderr\n");
    _exit(0);
  }
  reap(p);
  fprintf(stderr, "parent: stderr after the child\n");
  printf("stdout line\n");
}

static const struct pm_mode MODES[] = {
    {"stdio", mode_stdio},
    {"pingpong", mode_pingpong},
    {"stderr", mode_stderr},
};

int main(int argc, char **argv) { return pm_main(argc, argv, MODES, COUNT(MODES)); }
