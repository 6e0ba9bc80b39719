/* malloc-heavy [OPS]: OPS (default 20000) malloc/realloc/free of LCG-chosen sizes, each block
 * marked with a pattern that is verified on realloc and before free; allocations above the
 * mmap threshold (128 KiB); calloc zeroing. Prints checksums, never addresses. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 512

static uint64_t state = 12345;
static uint32_t lcg(void) {
  state = state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (uint32_t)(state >> 33);
}

struct block {
  unsigned char *p;
  size_t n;
  unsigned char tag;
};

/* The pattern lives at sampled offsets only: the first and last 64 bytes and every multiple
 * of 4093 (so each page of a big block is touched). That keeps the run short under an
 * emulator while still catching lost, misplaced or unmapped memory. */
static size_t next_sample(size_t i, size_t n) {
  i++;
  if (i < 64 || i + 64 >= n) return i;
  size_t k = (i + 4092) / 4093 * 4093;
  return k + 64 < n ? k : n - 64;
}

static unsigned char pattern(const struct block *b, size_t i) {
  return (unsigned char)(b->tag + i * 7);
}

static void fill(struct block *b) {
  for (size_t i = 0; i < b->n; i = next_sample(i, b->n)) b->p[i] = pattern(b, i);
}

/* Checks the pattern at the sampled offsets below `upto`; returns a checksum contribution. */
static uint64_t verify(const struct block *b, size_t upto, int *bad) {
  uint64_t h = 0;
  for (size_t i = 0; i < upto; i = next_sample(i, b->n)) {
    if (b->p[i] != pattern(b, i)) *bad = 1;
    h = h * 31 + b->p[i];
  }
  return h;
}

static size_t pick_size(void) {
  uint32_t r = lcg() % 100;
  if (r < 60) return 1 + lcg() % 64;
  if (r < 90) return 64 + lcg() % 4096;
  if (r < 98) return 4096 + lcg() % 65536;
  return 131072 + lcg() % (1 << 20); /* above the mmap threshold */
}

int main(int argc, char **argv) {
  int ops = argc > 1 ? atoi(argv[1]) : 20000;
  static struct block slots[SLOTS];
  uint64_t sum = 0;
  int bad = 0;
  long mallocs = 0, reallocs = 0, frees = 0, big = 0;
  for (int k = 0; k < ops; k++) {
    struct block *b = &slots[lcg() % SLOTS];
    uint32_t action = lcg() % 10;
    if (!b->p) {
      b->n = pick_size();
      b->tag = (unsigned char)k;
      b->p = malloc(b->n);
      if (!b->p) return printf("malloc(%zu) failed\n", b->n), 1;
      fill(b);
      mallocs++;
      big += b->n >= 131072;
    } else if (action < 4) {
      size_t n = pick_size();
      unsigned char *p = realloc(b->p, n);
      if (!p) return printf("realloc(%zu) failed\n", n), 1;
      b->p = p;
      sum += verify(b, n < b->n ? n : b->n, &bad); /* realloc keeps the common prefix */
      b->n = n;
      fill(b);
      reallocs++;
    } else {
      sum += verify(b, b->n, &bad);
      free(b->p);
      b->p = NULL;
      frees++;
    }
  }
  for (int i = 0; i < SLOTS; i++)
    if (slots[i].p) {
      sum += verify(&slots[i], slots[i].n, &bad);
      free(slots[i].p);
    }

  /* calloc must return zeroed memory even when it reuses freed, dirty chunks */
  long nonzero = 0;
  for (int i = 0; i < 64; i++) {
    size_t n = 1 + lcg() % 300000;
    unsigned char *p = calloc(n, 1);
    if (!p) return printf("calloc(%zu) failed\n", n), 1;
    for (size_t j = 0; j < n; j += 61) nonzero += p[j] != 0;
    nonzero += p[n - 1] != 0;
    memset(p, 0xA5, n);
    free(p);
  }
  printf("ops=%d mallocs=%ld reallocs=%ld frees=%ld big=%ld\n", ops, mallocs, reallocs, frees, big);
  printf("checksum=%016llx corrupt=%s calloc-nonzero=%ld\n", (unsigned long long)sum,
         bad ? "yes" : "no", nonzero);
  return bad || nonzero;
}
