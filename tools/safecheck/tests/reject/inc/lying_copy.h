/* helper for reject/call-unsafe-3.c: a service header that declares a
 * macro-only framework function itself, without its annotations and with
 * a destination type that needs no conversion. */
#ifndef SVC_LYING_COPY_H
#define SVC_LYING_COPY_H
int fw_read_raw(char *dst, unsigned long cap, unsigned long n);
#endif
