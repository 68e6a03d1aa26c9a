/* SPDX: Keel framework public API — annotations.
 *
 * Layer: framework (trusted). Included by every framework header.
 *
 * These attributes are the contract between the framework and the safe-C
 * checker (tools/safecheck). They carry no code; the checker reads them
 * from the syntax tree:
 *
 *   FW_API      on a function declaration: services may call it (or take
 *               its address). Any framework function without it is off
 *               limits to services, and the import wall rejects objects
 *               that reference it.
 *   FW_SEALED   on a struct definition: services may hold and pass
 *               pointers to it, embed it, and zero-initialise it with {0},
 *               but never read or write its fields, copy it, assign it,
 *               pass or return it by value (transitively: neither any type
 *               that contains it).
 *   FW_POD_DST  on a pointer parameter: the pointee type of the argument
 *               must be plain data (integers and arrays of integers,
 *               recursively; structs of those) because the framework fills
 *               it with bytes from outside (user memory, devices, disks).
 *   FW_POD_SRC  on a pointer parameter the framework copies raw bytes
 *               out of (to user memory, a frame, a device, the console):
 *               the argument's pointee type must have no padding (every
 *               byte a member's), since padding is written by nothing in C
 *               and a temporary's padding holds stale stack bytes.
 *   FW_MACRO_API on a function declaration: called only from the expansion
 *               of a trusted framework macro (which supplies arguments, such
 *               as sizes, that services must not choose); a direct call
 *               from service code is a violation. Exported for linking.
 *   annotate("keel_trusted") on a variable declared by a framework macro in
 *               service files (pools, FW_GLOBAL): exempt from global-mutable.
 *   FW_UPCALL   on a function the framework declares and the services
 *               define. Unused since upcalls became a registered table of
 *               typed function pointers (<fw/upcall.h>); kept for the
 *               checker, which still honours it.
 *   FW_FORMAT(f, a) on a variadic framework function: argument f must be a
 *               string literal (checked by the checker and by -Wformat).
 */
#ifndef FW_ANNOT_H
#define FW_ANNOT_H

#define FW_API __attribute__((annotate("keel_safe")))
#define FW_MACRO_API __attribute__((annotate("keel_macro_only")))
#define FW_UPCALL __attribute__((annotate("keel_upcall")))
#define FW_SEALED __attribute__((annotate("keel_sealed")))
#define FW_POD_DST __attribute__((annotate("keel_pod_dst")))
#define FW_POD_SRC __attribute__((annotate("keel_pod_src")))
#define FW_FORMAT(f, a) __attribute__((format(printf, f, a), annotate("keel_format")))
#define FW_NORETURN _Noreturn
#define FW_MUST_CHECK __attribute__((warn_unused_result))

#endif
