/* helper for reject/preproc-11.c: redefines what limits_a.h defined */
#ifndef SVC_LIMITS_B_H
#define SVC_LIMITS_B_H
#define SVC_LIMIT 16
#endif
