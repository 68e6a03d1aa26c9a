/* helper for reject/preproc-11.c */
#ifndef SVC_LIMITS_A_H
#define SVC_LIMITS_A_H
#define SVC_LIMIT 16
#endif
