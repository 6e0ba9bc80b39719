/* mem-traffic [ROUNDS] [MIB]: heavy memory traffic over an mmap'd region of MIB MiB
 * (default 4) and a 1 MiB brk heap: strided read-modify-writes across pages, LCG-random
 * reads and writes, bulk memcpy/memset, then a checksum. Also checks that fresh
 * anonymous memory reads as zero and that brk/munmap behave. */
#include "rt/rt.h"

static uint64_t lcg(uint64_t *s) {
  *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
  return *s >> 17;
}

static uint64_t fnv(const uint64_t *p, size_t words) {
  uint64_t h = 0xCBF29CE484222325ULL;
  for (size_t i = 0; i < words; i++) h = (h ^ p[i]) * 0x100000001B3ULL;
  return h;
}

int main(int argc, char **argv, char **envp) {
  (void)envp;
  long rounds = rt_arg_long(argc, argv, 1, 4);
  long mib = rt_arg_long(argc, argv, 2, 4);
  if (rounds < 0 || mib < 1 || mib > 256) {
    rt_dprintf(2, "mem-traffic: need ROUNDS >= 0 and 1 <= MIB <= 256\n");
    return 2;
  }
  size_t size = (size_t)mib << 20, words = size / 8;
  uint64_t *a = sys_mmap(0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (rt_mmap_failed(a)) {
    rt_dprintf(2, "mem-traffic: mmap failed: %ld\n", (long)a);
    return 1;
  }
  const size_t heap = 1 << 20, hwords = heap / 8;
  long base = sys_brk(0);
  long page = (long)rt_getauxval(AT_PAGESZ);
  if (page <= 0 || (page & (page - 1))) {
    rt_dprintf(2, "mem-traffic: bad AT_PAGESZ %ld\n", page);
    return 1;
  }
  long start = (base + page - 1) & -page; /* the initial break need not be page aligned */
  long top = sys_brk((void *)(start + (long)heap));
  if (top < start + (long)heap) {
    rt_dprintf(2, "mem-traffic: brk did not grow\n");
    return 1;
  }
  uint64_t *b = (uint64_t *)start;

  uint64_t fresh = 0;
  for (size_t i = 0; i < words; i += 509) fresh |= a[i];
  for (size_t i = 0; i < hwords; i += 509) fresh |= b[i];
  rt_printf("fresh memory zero: %s\n", fresh ? "no" : "yes");

  uint64_t seed = 42, sum = 0;
  for (long r = 0; r < rounds; r++) {
    /* strided: 520 words = 4160 bytes, so consecutive touches cross page boundaries */
    for (size_t i = (size_t)r; i < words; i += 520) a[i] = a[i] * 31 + i + (uint64_t)r;
    for (int k = 0; k < 65536; k++) {
      size_t i = lcg(&seed) % words, j = lcg(&seed) % hwords;
      a[i] ^= b[j] + (uint64_t)k;
      b[j] = b[j] * 0x9E3779B97F4A7C15ULL + a[(i * 7) % words];
      sum += a[(i + 4096) % words];
    }
    size_t off = (lcg(&seed) % (words / 2)) & ~(size_t)511;
    memcpy(b + (r & 7) * 1024, a + off, 8192);
    memset((unsigned char *)(a + off) + 3, (int)r, 1000); /* unaligned fill */
    memmove(a + off + 1, a + off, 4096);                  /* overlapping copy */
    rt_printf("round %ld sum=%016lx\n", r, sum);
  }
  rt_printf("mem-traffic rounds=%ld mib=%ld a=%016lx b=%016lx\n", rounds, mib, fnv(a, words),
            fnv(b, hwords));

  if (sys_munmap(a, size) != 0 || sys_brk((void *)base) != base) {
    rt_dprintf(2, "mem-traffic: could not release memory\n");
    return 1;
  }
  return 0;
}
