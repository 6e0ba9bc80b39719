/* procsim freestanding runtime: raw Linux syscalls, a printf subset and the string
 * functions GCC may emit calls to. No libc: guests link only rt/ and libgcc. */
#ifndef PROCSIM_RT_H
#define PROCSIM_RT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "sysno.h"

/* ---- raw syscalls: a7 = number, a0..a5 = arguments, result (or -errno) in a0 ---- */

static inline long rt_syscall6(long n, long a, long b, long c, long d, long e, long f) {
  register long r_a7 __asm__("a7") = n;
  register long r_a0 __asm__("a0") = a;
  register long r_a1 __asm__("a1") = b;
  register long r_a2 __asm__("a2") = c;
  register long r_a3 __asm__("a3") = d;
  register long r_a4 __asm__("a4") = e;
  register long r_a5 __asm__("a5") = f;
  __asm__ volatile("ecall"
                   : "+r"(r_a0)
                   : "r"(r_a7), "r"(r_a1), "r"(r_a2), "r"(r_a3), "r"(r_a4), "r"(r_a5)
                   : "memory");
  return r_a0;
}
#define rt_syscall0(n) rt_syscall6((n), 0, 0, 0, 0, 0, 0)
#define rt_syscall1(n, a) rt_syscall6((n), (long)(a), 0, 0, 0, 0, 0)
#define rt_syscall2(n, a, b) rt_syscall6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define rt_syscall3(n, a, b, c) rt_syscall6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define rt_syscall4(n, a, b, c, d) \
  rt_syscall6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define rt_syscall5(n, a, b, c, d, e) \
  rt_syscall6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

/* ---- constants (Linux generic ABI values) ---- */

#define AT_FDCWD (-100)
#define AT_REMOVEDIR 0x200
#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR 2
#define O_CREAT 0100
#define O_EXCL 0200
#define O_TRUNC 01000
#define O_APPEND 02000
#define O_NONBLOCK 04000
#define O_DIRECTORY 0200000
#define O_CLOEXEC 02000000
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define PROT_NONE 0
#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_FAILED ((void *)-1)
#define WNOHANG 1
#define SIGHUP 1
#define SIGINT 2
#define SIGILL 4
#define SIGABRT 6
#define SIGBUS 7
#define SIGKILL 9
#define SIGSEGV 11
#define SIGPIPE 13
#define SIGTERM 15
#define SIGCHLD 17
#define RT_WIFEXITED(s) (((s) & 0x7f) == 0)
#define RT_WEXITSTATUS(s) (((s) >> 8) & 0xff)
#define RT_WIFSIGNALED(s) (((s) & 0x7f) != 0 && ((s) & 0x7f) != 0x7f)
#define RT_WTERMSIG(s) ((s) & 0x7f)
#define AT_NULL 0
#define AT_PAGESZ 6

/* ---- syscall wrappers: return the raw kernel result (negative errno on failure) ---- */

static inline long sys_read(int fd, void *buf, size_t n) { return rt_syscall3(SYS_read, fd, buf, n); }
static inline long sys_write(int fd, const void *buf, size_t n) {
  return rt_syscall3(SYS_write, fd, buf, n);
}
static inline long sys_openat(int dirfd, const char *path, int flags, int mode) {
  return rt_syscall4(SYS_openat, dirfd, path, flags, mode);
}
static inline long sys_open(const char *path, int flags, int mode) {
  return sys_openat(AT_FDCWD, path, flags, mode);
}
static inline long sys_close(int fd) { return rt_syscall1(SYS_close, fd); }
static inline long sys_lseek(int fd, long off, int whence) {
  return rt_syscall3(SYS_lseek, fd, off, whence);
}
static inline long sys_dup(int fd) { return rt_syscall1(SYS_dup, fd); }
static inline long sys_dup3(int oldfd, int newfd, int flags) {
  return rt_syscall3(SYS_dup3, oldfd, newfd, flags);
}
static inline long sys_fcntl(int fd, int cmd, long arg) { return rt_syscall3(SYS_fcntl, fd, cmd, arg); }
static inline long sys_pipe2(int fds[2], int flags) { return rt_syscall2(SYS_pipe2, fds, flags); }
static inline long sys_getcwd(char *buf, size_t n) { return rt_syscall2(SYS_getcwd, buf, n); }
static inline long sys_chdir(const char *path) { return rt_syscall1(SYS_chdir, path); }
static inline long sys_mkdir(const char *path, int mode) {
  return rt_syscall3(SYS_mkdirat, AT_FDCWD, path, mode);
}
static inline long sys_unlink(const char *path) { return rt_syscall3(SYS_unlinkat, AT_FDCWD, path, 0); }
static inline long sys_rmdir(const char *path) {
  return rt_syscall3(SYS_unlinkat, AT_FDCWD, path, AT_REMOVEDIR);
}
__attribute__((noreturn)) static inline void sys_exit(int code) {
  rt_syscall1(SYS_exit, code);
  __builtin_unreachable();
}
__attribute__((noreturn)) static inline void sys_exit_group(int code) {
  rt_syscall1(SYS_exit_group, code);
  __builtin_unreachable();
}
/* clone(flags, stack, parent_tid, tls, child_tid): the riscv64 argument order. */
static inline long sys_clone(unsigned long flags, void *stack, int *ptid, unsigned long tls, int *ctid) {
  return rt_syscall5(SYS_clone, flags, stack, ptid, tls, ctid);
}
/* fork is clone without CLONE_VM: the child resumes here on a private copy of the stack. */
static inline long sys_fork(void) { return sys_clone(SIGCHLD, 0, 0, 0, 0); }
static inline long sys_execve(const char *path, char *const argv[], char *const envp[]) {
  return rt_syscall3(SYS_execve, path, argv, envp);
}
static inline long sys_wait4(int pid, int *status, int options, void *rusage) {
  return rt_syscall4(SYS_wait4, pid, status, options, rusage);
}
static inline long sys_getpid(void) { return rt_syscall0(SYS_getpid); }
static inline long sys_getppid(void) { return rt_syscall0(SYS_getppid); }
static inline long sys_gettid(void) { return rt_syscall0(SYS_gettid); }
static inline long sys_getpgid(int pid) { return rt_syscall1(SYS_getpgid, pid); }
static inline long sys_setpgid(int pid, int pgid) { return rt_syscall2(SYS_setpgid, pid, pgid); }
static inline long sys_getsid(int pid) { return rt_syscall1(SYS_getsid, pid); }
static inline long sys_setsid(void) { return rt_syscall0(SYS_setsid); }
static inline long sys_kill(int pid, int sig) { return rt_syscall2(SYS_kill, pid, sig); }
static inline long sys_sched_yield(void) { return rt_syscall0(SYS_sched_yield); }
static inline long sys_brk(void *addr) { return rt_syscall1(SYS_brk, addr); }
static inline void *sys_mmap(void *addr, size_t len, int prot, int flags, int fd, long off) {
  return (void *)rt_syscall6(SYS_mmap, (long)addr, (long)len, prot, flags, fd, off);
}
static inline long sys_munmap(void *addr, size_t len) { return rt_syscall2(SYS_munmap, addr, len); }
static inline long sys_mprotect(void *addr, size_t len, int prot) {
  return rt_syscall3(SYS_mprotect, addr, len, prot);
}
static inline long sys_getrandom(void *buf, size_t n, unsigned flags) {
  return rt_syscall3(SYS_getrandom, buf, n, flags);
}
/* mmap returns an address; failures are -4095..-1 as with every syscall. */
static inline int rt_mmap_failed(const void *p) { return (unsigned long)p >= (unsigned long)-4095; }

/* ---- process start-up state (recorded by _start before main) ---- */

/* The auxiliary vector entry of the given type (AT_*), or 0 when absent. */
unsigned long rt_getauxval(unsigned long type);

/* ---- formatted output: %d %i %u %x %X %o %ld %lu %lx %zu %s %c %p %%, flags '0' '-', width.
 * Each call formats into a buffer and issues one write (more only if the text exceeds
 * RT_FMT_BUF or the kernel writes partially), so output order between processes is visible. */

#define RT_FMT_BUF 1024
int rt_vdprintf(int fd, const char *fmt, va_list ap);
int rt_dprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int rt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Write all of buf (retrying partial writes); returns bytes written or -errno. */
long rt_write_all(int fd, const void *buf, size_t n);

/* ---- argument parsing ---- */

/* Parse a decimal (optionally signed) or 0x-hex integer; returns 0 on success, -1 if malformed. */
int rt_parse_long(const char *s, long *out);
/* argv[i] as a number, dflt when absent; a malformed value prints one line to stderr and exits 2. */
long rt_arg_long(int argc, char **argv, int i, long dflt);

/* ---- string functions (also the ones GCC emits calls to) ---- */

void *memset(void *dst, int c, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strcpy(char *restrict dst, const char *restrict src);

#endif
