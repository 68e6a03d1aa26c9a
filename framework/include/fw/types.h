/* Keel framework public API — basic types.
 *
 * Layer: framework (trusted). Services and framework are built with
 * -nostdinc, so this header replaces <stdint.h>, <stddef.h> and <stdbool.h>.
 */
#ifndef FW_TYPES_H
#define FW_TYPES_H

#include <fw/annot.h>

typedef __INT8_TYPE__ int8_t;
typedef __INT16_TYPE__ int16_t;
typedef __INT32_TYPE__ int32_t;
typedef __INT64_TYPE__ int64_t;
typedef __UINT8_TYPE__ uint8_t;
typedef __UINT16_TYPE__ uint16_t;
typedef __UINT32_TYPE__ uint32_t;
typedef __UINT64_TYPE__ uint64_t;
typedef __SIZE_TYPE__ size_t;
typedef __INTPTR_TYPE__ ssize_t;
typedef __UINTPTR_TYPE__ uintptr_t;
typedef _Bool bool;

#define true 1
#define false 0
#define NULL ((void *)0)

#define INT32_MAX 0x7fffffff
#define INT64_MAX 0x7fffffffffffffffLL
#define UINT32_MAX 0xffffffffU
#define UINT64_MAX 0xffffffffffffffffULL
#define SIZE_MAX __SIZE_MAX__

#define FW_PAGE_SIZE 4096UL
#define FW_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define FW_MIN(a, b) ((a) < (b) ? (a) : (b))
#define FW_MAX(a, b) ((a) > (b) ? (a) : (b))
#define FW_ALIGN_UP(x, a) (((x) + (a)-1) & ~((__typeof__(x))(a)-1))
#define FW_ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))

#endif
