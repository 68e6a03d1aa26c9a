/* Freestanding C library pieces the framework needs. Layer: framework/lib
 * (trusted, internal). memcpy/memset/memmove/memcmp are also what the
 * compiler emits for struct copies, in framework and services alike. */
#ifndef INTERNAL_LIB_H
#define INTERNAL_LIB_H

#include <fw/types.h>

typedef __builtin_va_list va_list;
#define va_start(ap, last) __builtin_va_start(ap, last)
#define va_end(ap) __builtin_va_end(ap)
#define va_arg(ap, t) __builtin_va_arg(ap, t)

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
size_t vfmt(char *buf, size_t size, const char *fmt, va_list ap);
size_t fmt(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
