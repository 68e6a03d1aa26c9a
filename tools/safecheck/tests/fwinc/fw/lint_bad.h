/* Test-only "framework" header that breaks the framework-macro lint
 * (reject/framework-macro-1.c): trusted macros that paste a service
 * argument without a fixed lower-case operand, or onto a '_' prefix, and a
 * pragma. Nothing else includes it. */
#ifndef FW_LINT_BAD_H
#define FW_LINT_BAD_H
#define FW_BAD_CAT(a, b) a##b
#define FW_BAD_UPPER(n) n##_MAX
#define FW_BAD_UNDERSCORE(n) _Pr##n
#define FW_BAD_QUIET _Pragma("clang diagnostic ignored \"-Wformat\"")
#endif
