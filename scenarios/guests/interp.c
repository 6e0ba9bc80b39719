/* interp PROGRAM [BASE STATE]: runs a generated process program (src/sim/programs/ has the
 * language, its encoder and generators) and reports what each operation observed, one line
 * per observation on fd 3 ("n7 pid 5", "n9 fork 6", "n12 wait 6 exited 3"), tagged with the
 * operation's node id: its position in a pre-order walk of the whole program, from 1.
 *
 * PROGRAM is a sequence of operations, each a letter and maybe a number:
 *   P getpid   Q getppid   T gettid   G getpgid(0)   S getsid(0)   g setpgid(0,0)   s setsid
 *   y sched_yield   o write a byte to fd 1   i read a byte from fd 0
 *   vN set the variable to N and report it      V report the variable
 *   f BLOCK .   fork; the child runs BLOCK then exits 0, the parent skips it
 *   e BLOCK .   execve /bin/interp with BLOCK as its program (the rest is never reached)
 *   E           execve of a path that does not exist
 *   xN          exit_group(N)
 *   w SEL [h]   wait4: SEL is a (-1), g (0, own group), cN (the child forked at node N)
 *               or pN (-pid of that child: its group); h adds WNOHANG
 *   p [c]       pipe2 (c: O_CLOEXEC)      WN / RN   write / read a byte on node N's pipe
 *   CNr / CNw   close an end              DNr / DNw dup2 the read end onto 0, the write end onto 1
 *   kN          kill(child of node N, SIGTERM)
 * Node numbers refer to forks and pipes this process has executed (or inherited at fork).
 *
 * fd 3 is the observation channel: a copy of stderr made by the first image and inherited
 * through fork and execve; programs never touch it. An execve'd image gets BASE (the exec
 * node's id) and STATE (the node table: what each fork and pipe node produced, with the
 * pipes' close-on-exec flags) and first reports, per pipe end, whether the descriptor
 * survived the exec ("n4 fd 2w ok" / "n4 fd 2w -9").
 *
 * Built with PROCSIM_SUT (interp-sut.c), it is the guest `procsim gate --sut` runs on an
 * external emulator, where no trace says who wrote what: every observation line is marked
 * and ends with the writer's own getpid() ("@procsim n7 pid 5 @12"), the first image
 * becomes a session leader (pid = pgid = sid, as the reference kernel's p1) and reports
 * "@procsim n0 start PPID PGID SID @PID", every exit is reported first ("n9 exit 3": the
 * exit node, the fork node when a child's block ends, the image's base at the end of the
 * program), and execve runs argv[0] (the path the emulator was given) instead of /bin/interp.
 * The default build is not touched by any of this (its traces stay byte for byte). */
#include "rt/rt.h"

#define MAXN 256
#define OBS 3
#define F_GETFD 1

#ifdef PROCSIM_SUT
static char *self;
#define SELF self
static void obs_sut(const char *fmt, ...);
#define obs(...) obs_sut(__VA_ARGS__)
#define leave(node, code) \
  do { \
    obs("n%d exit %d\n", node, code); \
    sys_exit_group(code); \
  } while (0)
#else
#define SELF "/bin/interp"
#define obs(...) rt_dprintf(OBS, __VA_ARGS__)
#define leave(node, code) sys_exit_group(code)
#endif

static const char *s;    /* where the parser is */
static int id;           /* node id of the last operation parsed */
static long child[MAXN]; /* fork nodes: what fork returned here (0 in the child itself) */
static long rfd[MAXN], wfd[MAXN];
static char cloexec[MAXN];
static long var;
static char **envp0;

static void bad(const char *why) {
  rt_dprintf(2, "interp: bad program at '%s': %s\n", s, why);
  sys_exit_group(2);
}

static int number(void) {
  long v = 0;
  if (*s < '0' || *s > '9') bad("expected a number");
  while (*s >= '0' && *s <= '9') {
    v = v * 10 + (*s++ - '0');
    if (v > 100000) bad("number too large");
  }
  return (int)v;
}

static int node_ref(void) {
  int n = number();
  if (n < 1 || n >= MAXN) bad("node out of range");
  return n;
}

static void block(int run);

static void wait_op(int me, int run) {
  char sel = *s++;
  long pid = 0;
  int ref = 0;
  if (sel == 'a') pid = -1;
  else if (sel == 'g') pid = 0;
  else if (sel == 'c' || sel == 'p') ref = node_ref();
  else bad("expected a wait selector (a, g, cN, pN)");
  int opts = 0;
  if (*s == 'h') s++, opts = WNOHANG;
  if (!run) return;
  if (ref) {
    if (child[ref] <= 0) { /* no child from that fork: no selector to ask for */
      obs("n%d wait none\n", me);
      return;
    }
    pid = sel == 'c' ? child[ref] : -child[ref];
  }
  int st = 0;
  long r = sys_wait4((int)pid, &st, opts, 0);
  if (r > 0 && RT_WIFEXITED(st)) obs("n%d wait %ld exited %d\n", me, r, RT_WEXITSTATUS(st));
  else if (r > 0 && RT_WIFSIGNALED(st)) obs("n%d wait %ld killed %d\n", me, r, RT_WTERMSIG(st));
  else if (r > 0) obs("n%d wait %ld status %d\n", me, r, st);
  else obs("n%d wait %ld\n", me, r);
}

/* BASE and STATE for an execve'd image: "N:c:pid" for forks, "N:p:r:w:cloexec" for pipes. */
static char state[4096];

static char *append_long(char *o, long v) {
  char tmp[24];
  int n = 0;
  unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
  do tmp[n++] = (char)('0' + u % 10); while (u /= 10);
  if (v < 0) *o++ = '-';
  while (n) *o++ = tmp[--n];
  return o;
}

#ifdef PROCSIM_SUT
/* One write per observation, as in the default build: the format (which ends in a newline)
 * gets the mark in front and the writer's pid at the end. */
static void obs_sut(const char *fmt, ...) {
  static char f[128];
  size_t n = strlen(fmt);
  if (n + 40 > sizeof f) bad("observation format too long");
  memcpy(f, "@procsim ", 9);
  memcpy(f + 9, fmt, n - 1);
  char *o = f + 9 + n - 1;
  *o++ = ' ', *o++ = '@';
  o = append_long(o, sys_getpid());
  *o++ = '\n', *o = 0;
  va_list ap;
  va_start(ap, fmt);
  rt_vdprintf(OBS, f, ap);
  va_end(ap);
}
#endif

static void exec_op(int me, int run) {
  const char *start = s;
  block(0);
  if (!run) return;
  size_t len = (size_t)(s - start);
  if (s[-1] == '.') len--;
  static char sub[4096], base[16];
  if (len >= sizeof sub) bad("sub-program too long");
  memcpy(sub, start, len);
  sub[len] = 0;
  *append_long(base, me) = 0;
  char *o = state;
  for (int n = 1; n < MAXN; n++) {
    if (o > state + sizeof state - 80) bad("state too long");
    if (child[n]) {
      if (o != state) *o++ = ',';
      o = append_long(o, n), *o++ = ':', *o++ = 'c', *o++ = ':';
      o = append_long(o, child[n]);
    } else if (rfd[n] || wfd[n]) {
      if (o != state) *o++ = ',';
      o = append_long(o, n), *o++ = ':', *o++ = 'p', *o++ = ':';
      o = append_long(o, rfd[n]), *o++ = ':';
      o = append_long(o, wfd[n]), *o++ = ':';
      *o++ = (char)('0' + cloexec[n]);
    }
  }
  *o = 0;
  char *argv[] = {SELF, sub, base, state, 0};
  long r = sys_execve(SELF, argv, envp0);
  obs("n%d exec %ld\n", me, r);
}

static void op(int run) {
  int me = ++id;
  if (me >= MAXN) bad("too many operations");
  char c = *s++;
  long r;
  int n;
  char end;
  switch (c) {
  case 'P': if (run) obs("n%d pid %ld\n", me, sys_getpid()); break;
  case 'Q': if (run) obs("n%d ppid %ld\n", me, sys_getppid()); break;
  case 'T': if (run) obs("n%d tid %ld\n", me, sys_gettid()); break;
  case 'G': if (run) obs("n%d pgid %ld\n", me, sys_getpgid(0)); break;
  case 'S': if (run) obs("n%d sid %ld\n", me, sys_getsid(0)); break;
  case 'g': if (run) obs("n%d setpgid %ld\n", me, sys_setpgid(0, 0)); break;
  case 's': if (run) obs("n%d setsid %ld\n", me, sys_setsid()); break;
  case 'y': if (run) obs("n%d yield %ld\n", me, sys_sched_yield()); break;
  case 'o': if (run) obs("n%d out %ld\n", me, sys_write(1, "o", 1)); break;
  case 'i':
    if (run) {
      char b = 0;
      r = sys_read(0, &b, 1);
      if (r == 1) obs("n%d in 1 %c\n", me, b >= 'a' && b <= 'z' ? b : '?');
      else obs("n%d in %ld\n", me, r);
    }
    break;
  case 'v':
    n = number();
    if (run) var = n, obs("n%d set %ld\n", me, var);
    break;
  case 'V': if (run) obs("n%d var %ld\n", me, var); break;
  case 'f':
    if (!run) {
      block(0);
      break;
    }
    r = sys_fork();
    obs("n%d fork %ld\n", me, r);
    if (r == 0) {
      child[me] = 0;
      block(1);
      leave(me, 0);
    }
    child[me] = r;
    block(0);
    break;
  case 'e': exec_op(me, run); break;
  case 'E':
    if (run) {
      char *argv[] = {"/nonexistent/interp", 0};
      obs("n%d execfail %ld\n", me, sys_execve(argv[0], argv, envp0));
    }
    break;
  case 'x':
    n = number();
    if (run) leave(me, n);
    break;
  case 'w': wait_op(me, run); break;
  case 'p': {
    int cx = *s == 'c';
    if (cx) s++;
    if (!run) break;
    int fds[2] = {-1, -1};
    r = sys_pipe2(fds, cx ? O_CLOEXEC : 0);
    rfd[me] = r == 0 ? fds[0] : -1;
    wfd[me] = r == 0 ? fds[1] : -1;
    cloexec[me] = (char)cx;
    obs("n%d pipe %ld\n", me, r);
    break;
  }
  case 'W':
    n = node_ref();
    if (run) {
      char b = (char)('a' + me % 26);
      obs("n%d write %ld\n", me, sys_write((int)wfd[n], &b, 1));
    }
    break;
  case 'R':
    n = node_ref();
    if (run) {
      char b = 0;
      r = sys_read((int)rfd[n], &b, 1);
      if (r == 1) obs("n%d read 1 %c\n", me, b);
      else obs("n%d read %ld\n", me, r);
    }
    break;
  case 'C':
  case 'D':
    n = node_ref();
    end = *s++;
    if (end != 'r' && end != 'w') bad("expected r or w");
    if (!run) break;
    {
      long *slot = end == 'r' ? &rfd[n] : &wfd[n];
      if (c == 'C') {
        obs("n%d close %ld\n", me, sys_close((int)*slot));
        *slot = -1; /* this process gave it up: later uses must fail with EBADF */
      } else {
        obs("n%d dup2 %ld\n", me, sys_dup3((int)*slot, end == 'r' ? 0 : 1, 0));
      }
    }
    break;
  case 'k':
    n = node_ref();
    if (!run) break;
    if (child[n] <= 0) obs("n%d kill none\n", me);
    else obs("n%d kill %ld\n", me, sys_kill((int)child[n], SIGTERM));
    break;
  default:
    s--;
    bad("unknown operation");
  }
}

/* Operations up to the end of the text or a '.' (consumed). */
static void block(int run) {
  while (*s && *s != '.') op(run);
  if (*s == '.') s++;
}

static long field(const char **p) {
  long v;
  char buf[24];
  int n = 0;
  while (**p && **p != ':' && **p != ',' && n < 23) buf[n++] = *(*p)++;
  buf[n] = 0;
  if (**p == ':') (*p)++;
  if (rt_parse_long(buf, &v) != 0) {
    rt_dprintf(2, "interp: bad state '%s'\n", buf);
    sys_exit_group(2);
  }
  return v;
}

/* Restore the node table an execve carried, and report which pipe ends survived it. */
static void restore(const char *st, int base) {
  while (*st) {
    int n = (int)field(&st);
    if (n < 1 || n >= MAXN) break;
    char kind = *st;
    st += 2;
    if (kind == 'c') child[n] = field(&st);
    else {
      rfd[n] = field(&st);
      wfd[n] = field(&st);
      cloexec[n] = (char)field(&st);
      for (int e = 0; e < 2; e++) {
        long *slot = e ? &wfd[n] : &rfd[n];
        if (*slot < 0) continue;
        long r = sys_fcntl((int)*slot, F_GETFD, 0);
        if (r >= 0) obs("n%d fd %d%c ok\n", base, n, e ? 'w' : 'r');
        else obs("n%d fd %d%c %ld\n", base, n, e ? 'w' : 'r', r);
        if (r < 0) *slot = -1;
      }
    }
    if (*st == ',') st++;
  }
}

int main(int argc, char **argv, char **envp) {
  envp0 = envp;
  if (argc < 2) {
    rt_dprintf(2, "usage: interp PROGRAM [BASE STATE]\n");
    return 2;
  }
  if (argc >= 4) {
    id = (int)rt_arg_long(argc, argv, 2, 0);
    restore(argv[3], id);
  } else if (sys_dup3(2, OBS, 0) < 0) {
    rt_dprintf(2, "interp: cannot open the observation fd\n");
    return 2;
  }
#ifdef PROCSIM_SUT
  self = argv[0];
  if (argc < 4) {
    sys_setsid(); /* EPERM if the emulator made it a session leader already: the same */
    obs("n0 start %ld %ld %ld\n", sys_getppid(), sys_getpgid(0), sys_getsid(0));
  }
#endif
#ifdef PROCSIM_SUT
  int image = id;
#endif
  s = argv[1];
  block(1);
  if (*s) bad("unexpected '.'");
#ifdef PROCSIM_SUT
  leave(image, 0);
#endif
  return 0;
}
