/* safecheck — the compiler flags the wall relies on.
 *
 * Layer: host tool. Some of the wall is the compiler's: bounds traps,
 * zero-initialised locals, defined overflow, and diagnostics that must stop
 * the build (a stack frame larger than the guard page, a format that does
 * not match its arguments, an implicit pointer conversion). Service code
 * cannot change them: no #pragma, _Pragma or #line in any spelling (pp.c),
 * no attribute outside the allow-list, no system-header marking. What
 * remains is the command line, which the build writes; with
 * --require-wall-flags (mk/safecheck.mk passes it for every service) the
 * checker refuses to bless a file whose flags lack any of them or turn one
 * off, so a Makefile edit cannot silently drop a diagnostic either.
 */
#include "sc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each must be present, verbatim. */
static const char *const required[] = {
	"-nostdinc", "-ffreestanding", "-fwrapv", "-fno-strict-aliasing",
	"-fno-delete-null-pointer-checks", "-ftrivial-auto-var-init=zero",
	"-fstrict-flex-arrays=3", "-fno-finite-loops",
	"-Werror=frame-larger-than", "-Werror=format", "-Werror=incompatible-pointer-types",
	"-Werror=incompatible-function-pointer-types", "-Werror=int-conversion",
	"-Werror=unsequenced", "-Werror=strict-prototypes", "-Werror=missing-prototypes",
	"-Werror=implicit-function-declaration", "-Werror=implicit-int", "-Werror=return-type",
	"-Werror=vla", "-Werror=address-of-packed-member", "-Werror=pointer-arith", NULL,
};

/* The diagnostic groups above; none may be switched off or demoted. */
static const char *const groups[] = {
	"frame-larger-than", "format", "incompatible-pointer-types",
	"incompatible-function-pointer-types", "int-conversion", "unsequenced",
	"strict-prototypes", "missing-prototypes", "implicit-function-declaration",
	"implicit-int", "return-type", "vla", "address-of-packed-member", "pointer-arith", NULL,
};

/* Flags that change what the wall sees or turn a check off. */
static const char *const banned_prefix[] = {
	"-w", "-Wno-error", "-Wno-everything", "-fno-sanitize=", "-fsanitize-ignorelist",
	"-fsanitize-blacklist", "-fsanitize-recover=", "-fsanitize-trap=", "-isystem", "-idirafter", "-iwithsysroot",
	"-isysroot", "-iprefix", "--system-header-prefix", "-trigraphs", "-ftrigraphs",
	"-fms-extensions", "-fdeclspec", "-include", "-imacros", "-D", "-U", "-ftrivial-auto-var-init-stop",
	"-ffinite-loops", NULL,
};

/* All problems go into one report (reports are de-duplicated by place). */
static char problems[4096];

static void flag_report(struct sc *sc, const char *msg, const char *arg)
{
	(void)sc;
	size_t n = strlen(problems);
	if (n && n + 2 < sizeof(problems))
		strcat(problems, "; ");
	n = strlen(problems);
	snprintf(problems + n, sizeof(problems) - n, msg, arg);
}

static int sanitizers_ok(int argc, const char *const *argv)
{
	int bounds = 0, local = 0, shift = 0, div = 0;
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "-fsanitize=", 11))
			continue;
		bounds |= strstr(argv[i], "array-bounds") != NULL;
		local |= strstr(argv[i], "local-bounds") != NULL;
		shift |= strstr(argv[i], "shift") != NULL;
		/* attack round 4: an untrapped division by zero is UB the
		 * optimiser uses (the divisor is non-zero afterwards), which
		 * deleted a bounds check */
		div |= strstr(argv[i], "integer-divide-by-zero") != NULL;
	}
	return bounds && local && shift && div;
}

void sc_check_wall_flags(struct sc *sc, int argc, const char *const *argv)
{
	for (int r = 0; required[r]; r++) {
		int seen = 0;
		for (int i = 0; i < argc; i++)
			seen |= !strcmp(argv[i], required[r]);
		if (!seen)
			flag_report(sc, "service flags lack %s", required[r]);
	}
	if (!sanitizers_ok(argc, argv))
		flag_report(sc, "service flags lack %s", "-fsanitize=array-bounds,local-bounds,shift,integer-divide-by-zero");
	long frame = -1;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!strncmp(a, "-Wframe-larger-than=", 20))
			frame = strtol(a + 20, NULL, 10);
		for (int b = 0; banned_prefix[b]; b++) {
			size_t l = strlen(banned_prefix[b]);
			/* "-w" alone, not -Wall; "-D"/"-U" only as a prefix */
			if (!strncmp(a, banned_prefix[b], l) &&
			    (strcmp(banned_prefix[b], "-w") || !a[2]))
				flag_report(sc, "service flag %s would switch part of the wall off", a);
		}
		if (!strncmp(a, "-Wno-", 5))
			for (int g = 0; groups[g]; g++)
				if (!strncmp(a + 5, groups[g], strlen(groups[g])))
					flag_report(sc, "service flag %s turns a diagnostic the wall relies on off", a);
	}
	if (frame < 0 || frame > 3072)
		flag_report(sc, "service flags must limit stack frames to 3072 bytes (got %s)",
			    frame < 0 ? "none" : "more");
	if (problems[0]) {
		CXFile f = clang_getFile(sc->tu, sc->mainfile);
		sc_report(sc, clang_getLocation(sc->tu, f, 1, 1), "flags", "%s", problems);
	}
}
