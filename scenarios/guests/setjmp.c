/* setjmp: nested setjmp/longjmp. Values live in callee-saved registers (s0-s11, fs0-fs11)
 * across the jumps; the functions that longjmp clobber all of those registers first, so the
 * values survive only if setjmp saved and longjmp restored them. */
#include <setjmp.h>
#include <stdio.h>

static jmp_buf outer, inner;

/* Overwrite every callee-saved register; declared clobbers make the compiler save them in
 * the prologue, and longjmp skips the epilogue that would restore them. */
__attribute__((noinline)) static void clobber(void) {
  __asm__ volatile(
      "li s1, 0x1111\n li s2, 0x2222\n li s3, 0x3333\n li s4, 0x4444\n li s5, 0x5555\n"
      "li s6, 0x6666\n li s7, 0x7777\n li s8, 0x8888\n li s9, 0x9999\n li s10, 0xaaaa\n"
      "li s11, 0xbbbb\n"
      "fcvt.d.l fs0, s1\n fcvt.d.l fs1, s2\n fcvt.d.l fs2, s3\n fcvt.d.l fs3, s4\n"
      "fcvt.d.l fs4, s5\n fcvt.d.l fs5, s6\n fcvt.d.l fs6, s7\n fcvt.d.l fs7, s8\n"
      "fcvt.d.l fs8, s9\n fcvt.d.l fs9, s10\n fcvt.d.l fs10, s11\n fcvt.d.l fs11, s1\n" ::
          : "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "fs0", "fs1",
            "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10", "fs11");
}

/* Recurses `depth` frames, then jumps out of all of them (GCC sees no normal return, hence
 * its infinite-recursion warning). */
#pragma GCC diagnostic ignored "-Winfinite-recursion"
__attribute__((noinline)) static void deep(jmp_buf env, int depth, int val) {
  if (depth > 0) {
    deep(env, depth - 1, val);
    return;
  }
  clobber();
  longjmp(env, val);
}

/* Twelve doubles and integers computed before setjmp and not modified after it: the
 * compiler keeps them in callee-saved registers across the calls. */
__attribute__((noinline)) static double round_trip(int seed) {
  double d0 = seed * 1.5, d1 = d0 + 0.25, d2 = d1 * 3, d3 = d2 - 7, d4 = d3 / 2, d5 = d4 + d0;
  double d6 = d5 * d1, d7 = d6 - d2, d8 = d7 + 11, d9 = d8 * 0.5, d10 = d9 - d3, d11 = d10 + d4;
  long i0 = seed * 3L, i1 = i0 ^ 0x55, i2 = i1 * 7, i3 = i2 - 9, i4 = i3 << 2, i5 = i4 + i0;
  int r = setjmp(inner);
  if (r == 0) deep(inner, seed % 5, seed + 1);
  printf("inner seed=%d r=%d d=%.4f %.4f %.4f %.4f %.4f %.4f %.4f %.4f %.4f %.4f %.4f %.4f\n",
         seed, r, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11);
  printf("inner seed=%d i=%ld %ld %ld %ld %ld %ld\n", seed, i0, i1, i2, i3, i4, i5);
  return d0 + d1 + d2 + d3 + d4 + d5 + d6 + d7 + d8 + d9 + d10 + d11 + (double)(i0 + i5);
}

int main(void) {
  volatile double total = 0; /* modified between setjmp and longjmp: must be volatile */
  volatile int rounds = 0;
  double keep = 0.1 * 7, keep2 = keep * keep; /* not modified after setjmp */
  int r = setjmp(outer);
  printf("outer setjmp returned %d (round %d) keep=%.17g keep2=%.17g\n", r, rounds, keep, keep2);
  if (rounds < 4) {
    rounds = rounds + 1;
    total = total + round_trip(rounds * 13);
    deep(outer, rounds, rounds * 10);
  }
  /* longjmp(env, 0) makes setjmp return 1 */
  if (setjmp(inner) == 0) longjmp(inner, 0);
  else printf("longjmp with 0 gives 1\n");
  printf("total=%.6f\n", total);
  return 0;
}
