/* cpu-loop [N]: a CPU-bound integer mixing loop (xorshift, 64-bit and 32-bit multiply,
 * high multiply, shifts, rotates, an occasional divide) run N times (default 10 million).
 * Prints the final hash so any emulator mistake shows up as a different number. */
#include "rt/rt.h"

static inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

int main(int argc, char **argv, char **envp) {
  (void)envp;
  long n = rt_arg_long(argc, argv, 1, 10000000);
  if (n < 0) {
    rt_dprintf(2, "cpu-loop: N must be >= 0\n");
    return 2;
  }
  uint64_t x = 0x9E3779B97F4A7C15ULL, h = 0xCBF29CE484222325ULL;
  uint32_t w = 0x12345678u;
  for (long i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    h = (h ^ x) * 0xFF51AFD7ED558CCDULL;
    h ^= (uint64_t)(((unsigned __int128)h * x) >> 64); /* mulhu */
    w = w * 2654435761u + (uint32_t)(x >> 32);         /* mulw/addw */
    h = rotl(h, 27) + (uint64_t)(int64_t)(int32_t)w;    /* sign-extended 32-bit value */
    if ((i & 255) == 255) h += x / ((h >> 40) | 1) + (uint64_t)((int64_t)h % 1000003);
  }
  rt_printf("cpu-loop n=%ld hash=%016lx w=%08x\n", n, h, w);
  return 0;
}
