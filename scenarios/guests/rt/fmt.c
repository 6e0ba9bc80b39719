/* A small printf: formats into one buffer, then one write(2) per call. */
#include "rt.h"

struct out {
  int fd;
  int err;
  size_t len;
  long total;
  char buf[RT_FMT_BUF];
};

long rt_write_all(int fd, const void *buf, size_t n) {
  const char *p = buf;
  size_t done = 0;
  while (done < n) {
    long r = sys_write(fd, p + done, n - done);
    if (r < 0) return r;
    if (r == 0) return -5; /* EIO: a write that makes no progress would loop forever */
    done += (size_t)r;
  }
  return (long)done;
}

static void flush(struct out *o) {
  if (o->len && !o->err) {
    long r = rt_write_all(o->fd, o->buf, o->len);
    if (r < 0) o->err = (int)r;
  }
  o->len = 0;
}

static void put(struct out *o, char c) {
  if (o->len == sizeof o->buf) flush(o);
  o->buf[o->len++] = c;
  o->total++;
}

static void pad(struct out *o, int n, char c) {
  while (n-- > 0) put(o, c);
}

/* One converted field: optional sign/prefix, then digits or text, padded to width. */
static void field(struct out *o, const char *prefix, const char *body, size_t blen, int width,
                  int left, int zero) {
  int plen = (int)strlen(prefix);
  int fill = width - plen - (int)blen;
  if (!left && !zero) pad(o, fill, ' ');
  for (const char *p = prefix; *p; p++) put(o, *p);
  if (!left && zero) pad(o, fill, '0');
  for (size_t i = 0; i < blen; i++) put(o, body[i]);
  if (left) pad(o, fill, ' ');
}

static size_t utoa(char *end, unsigned long v, unsigned base, int upper) {
  const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  char *p = end;
  do *--p = digits[v % base];
  while (v /= base);
  return (size_t)(end - p);
}

int rt_vdprintf(int fd, const char *fmt, va_list ap) {
  struct out o;
  o.fd = fd, o.err = 0, o.len = 0, o.total = 0;
  for (const char *f = fmt; *f; f++) {
    if (*f != '%') {
      put(&o, *f);
      continue;
    }
    int left = 0, zero = 0, width = 0, lng = 0;
    for (f++; *f == '-' || *f == '0'; f++) {
      if (*f == '-') left = 1;
      else zero = 1;
    }
    for (; *f >= '0' && *f <= '9'; f++) width = width * 10 + (*f - '0');
    for (; *f == 'l' || *f == 'z'; f++) lng = 1;
    char num[24];
    char *end = num + sizeof num;
    switch (*f) {
    case 'd':
    case 'i': {
      long v = lng ? va_arg(ap, long) : va_arg(ap, int);
      unsigned long mag = v < 0 ? -(unsigned long)v : (unsigned long)v;
      size_t n = utoa(end, mag, 10, 0);
      field(&o, v < 0 ? "-" : "", end - n, n, width, left, zero);
      break;
    }
    case 'u':
    case 'x':
    case 'X':
    case 'o': {
      unsigned long v = lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
      unsigned base = *f == 'u' ? 10 : *f == 'o' ? 8 : 16;
      size_t n = utoa(end, v, base, *f == 'X');
      field(&o, "", end - n, n, width, left, zero);
      break;
    }
    case 'p': {
      size_t n = utoa(end, (unsigned long)va_arg(ap, void *), 16, 0);
      field(&o, "0x", end - n, n, width, left, zero);
      break;
    }
    case 's': {
      const char *s = va_arg(ap, const char *);
      if (!s) s = "(null)";
      field(&o, "", s, strlen(s), width, left, 0);
      break;
    }
    case 'c': {
      char c = (char)va_arg(ap, int);
      field(&o, "", &c, 1, width, left, 0);
      break;
    }
    case '%':
      put(&o, '%');
      break;
    default: /* unknown conversion (or a trailing '%'): print it verbatim */
      put(&o, '%');
      if (!*f) f--;
      else put(&o, *f);
      break;
    }
  }
  flush(&o);
  return o.err ? o.err : (int)o.total;
}

int rt_dprintf(int fd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int r = rt_vdprintf(fd, fmt, ap);
  va_end(ap);
  return r;
}

int rt_printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int r = rt_vdprintf(1, fmt, ap);
  va_end(ap);
  return r;
}
