/* printf-float: glibc's floating-point formatting and soft/hard FP paths: %f %e %g %a of
 * doubles, floats and long doubles (128-bit, software emulated on riscv64), special values,
 * rounding modes, integer formats and widths; several hundred lines of output. */
#include <fenv.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static const double doubles[] = {
    0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 2.5, 3.5, 1.0 / 3.0, 2.0 / 3.0, 3.141592653589793,
    2.718281828459045, 1e-300, 1e300, 123456789.125, -98765.4321, 6.02214076e23, 1.602e-19,
    DBL_MAX, DBL_MIN, DBL_EPSILON, 4.9406564584124654e-324 /* smallest subnormal */,
    1e15 + 0.3, 0.000123456789, 9.999999999999999e22, 0.30000000000000004,
};
static const char *const formats[] = {"%f", "%.0f", "%.3f", "%e", "%.10e", "%g", "%.17g",
                                      "%a", "%+12.4f", "%-14.3e|", "%015.6g"};

static void line(const char *fmt, double v) {
  printf("%-10s ", fmt);
  printf(fmt, v);
  putchar('\n');
}

int main(void) {
  size_t nd = sizeof doubles / sizeof doubles[0], nf = sizeof formats / sizeof formats[0];
  for (size_t i = 0; i < nd; i++)
    for (size_t j = 0; j < nf; j++) line(formats[j], doubles[i]);

  const double special[] = {INFINITY, -INFINITY, NAN, -NAN};
  for (size_t i = 0; i < 4; i++)
    printf("special %f %e %g %a %F %E %G %A\n", special[i], special[i], special[i], special[i],
           special[i], special[i], special[i], special[i]);

  /* floats go through fcvt.d.s before printing; arithmetic in single precision */
  float f = 1.0f;
  for (int i = 0; i < 24; i++) {
    printf("float %2d %.9g %a %e\n", i, f, f, (double)(f * 0.7f));
    f = f * 3.3f - 1.1f / (f + 0.25f);
  }
  printf("FLT_MAX %.9e FLT_MIN %.9e FLT_TRUE_MIN %a\n", FLT_MAX, FLT_MIN, FLT_TRUE_MIN);

  /* long double is IEEE binary128, implemented in libgcc with integer arithmetic */
  long double q = 1.0L;
  for (int i = 1; i <= 12; i++) {
    q = q * 10.0L / 3.0L + 1.0L / i;
    printf("ldbl %2d %.30Lf %.25Le %La\n", i, q, q, q);
  }

  /* the FP rounding mode (frm CSR) must reach both arithmetic and conversions */
  const int modes[] = {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};
  const char *const names[] = {"nearest", "upward", "downward", "towardzero"};
  volatile double a = 1.0, b = 3.0, h = 2.5, m = -2.5;
  for (int i = 0; i < 4; i++) {
    fesetround(modes[i]);
    double d = a / b;
    printf("round %-10s 1/3=%a rint(2.5)=%g rint(-2.5)=%g lrint(2.5)=%ld sqrt(2)=%a\n", names[i], d,
           rint(h), rint(m), lrint(h), sqrt(b - a));
  }
  fesetround(FE_TONEAREST);

  /* libm and fused multiply-add */
  for (int i = 0; i < 16; i++) {
    double x = -4.0 + i * 0.55;
    printf("libm %6.2f exp=%.15g sin=%.15g atan2=%.15g fma=%a cbrt=%.15g\n", x, exp(x), sin(x),
           atan2(x, 1.5), fma(x, 1.0 / 3.0, -x), cbrt(x));
  }

  /* integer formats */
  const long long ints[] = {0, 1, -1, 42, -42, 2147483647LL, -2147483648LL, INT64_MAX, INT64_MIN};
  for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
    printf("int %lld %llu %llx %llo %+d %08x %-6hd| %hhu %'lld\n", ints[i],
           (unsigned long long)ints[i], (unsigned long long)ints[i], (unsigned long long)ints[i],
           (int)ints[i], (unsigned)ints[i], (short)ints[i], (unsigned char)ints[i], ints[i]);
  printf("%" PRIu64 " %" PRIx32 " %zu %td %c%c%c %5.2s| %%\n", UINT64_MAX, UINT32_MAX,
         sizeof(long double), (ptrdiff_t)-7, 'o', 'k', '!', "abcdef");

  /* strtod round trip */
  const char *const texts[] = {"1e-5", "0x1.8p3", "  -12.5e2xyz", "inf", "nan", "1e400", "4e-324"};
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
    char *end;
    double v = strtod(texts[i], &end);
    printf("strtod \"%s\" -> %.17g rest=\"%s\"\n", texts[i], v, end);
  }
  return 0;
}
