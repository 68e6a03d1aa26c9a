/* safecheck — command line, parsing, and the order of the passes.
 *
 * Layer: host tool, run by the build on every service file:
 *
 *   safecheck [--root DIR] [--framework-include DIR]... [--sig-out FILE]
 *             [--framework-api FILE] [--list-exports | --list-framework-api]
 *             [--require-wall-flags] FILE.c -- <compiler flags>
 *
 * Exit status: 0 clean, 1 violations, 2 the TU does not parse (clang
 * errors are printed as violations with rule id parse-error), 3 usage.
 * It trusts libclang to parse with exactly the flags the compiler gets.
 */
#include "sc.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(void)
{
	fprintf(stderr, "usage: safecheck [--root DIR] [--framework-include DIR]... "
			"[--sig-out FILE] [--framework-api FILE] [--list-exports | --list-framework-api]\n"
			"                 [--require-wall-flags] FILE.c -- <compiler flags>\n");
	exit(3);
}

static char *real_or_die(const char *p)
{
	char *r = realpath(p, NULL);
	if (!r) {
		perror(p);
		exit(3);
	}
	return r;
}

static void report_diagnostics(struct sc *sc)
{
	unsigned n = clang_getNumDiagnostics(sc->tu);
	for (unsigned i = 0; i < n; i++) {
		CXDiagnostic d = clang_getDiagnostic(sc->tu, i);
		if (clang_getDiagnosticSeverity(d) >= CXDiagnostic_Error) {
			CXString s = clang_getDiagnosticSpelling(d);
			sc_report(sc, clang_getDiagnosticLocation(d), "parse-error", "%s",
				  clang_getCString(s));
			clang_disposeString(s);
			sc->parse_errors++;
		}
		clang_disposeDiagnostic(d);
	}
}

int main(int argc, char **argv)
{
	static struct sc sc;
	const char *file = NULL, *sigout = NULL, *root = ".", *apifile = NULL;
	const char *fw[SC_MAX_FWDIRS];
	int nfw = 0, exports = 0, wallflags = 0, i;
	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--root") && i + 1 < argc)
			root = argv[++i];
		else if (!strcmp(argv[i], "--framework-include") && i + 1 < argc && nfw < SC_MAX_FWDIRS)
			fw[nfw++] = argv[++i];
		else if (!strcmp(argv[i], "--sig-out") && i + 1 < argc)
			sigout = argv[++i];
		else if (!strcmp(argv[i], "--list-exports"))
			exports = 1;
		else if (!strcmp(argv[i], "--list-framework-api"))
			exports = 2;
		else if (!strcmp(argv[i], "--framework-api") && i + 1 < argc)
			apifile = argv[++i];
		else if (!strcmp(argv[i], "--require-wall-flags"))
			wallflags = 1;
		else if (argv[i][0] != '-' && !file)
			file = argv[i];
		else
			usage();
	}
	if (!file)
		usage();
	int cflags_n = i < argc ? argc - i - 1 : 0;
	const char *const *cflags = (const char *const *)argv + (i < argc ? i + 1 : argc);

	sc.root = real_or_die(root);
	sc.mainfile = real_or_die(file);
	if (!nfw) {
		char d[PATH_MAX + 32];
		snprintf(d, sizeof(d), "%s/framework/include", sc.root);
		sc.fwdirs[sc.nfwdirs++] = real_or_die(d);
	}
	for (int k = 0; k < nfw; k++)
		sc.fwdirs[sc.nfwdirs++] = real_or_die(fw[k]);

	CXIndex idx = clang_createIndex(0, 0);
	enum CXErrorCode e = clang_parseTranslationUnit2(idx, file, cflags, cflags_n, NULL, 0,
							 CXTranslationUnit_KeepGoing |
							 CXTranslationUnit_DetailedPreprocessingRecord, &sc.tu);
	if (e != CXError_Success || !sc.tu) {
		fprintf(stderr, "safecheck: %s: libclang could not parse (error %d)\n", file, e);
		return 2;
	}
	report_diagnostics(&sc);
	if (exports) {
		if (exports == 2)
			sc_list_framework_api(&sc);
		else
			sc_list_exports(&sc);
		sc_flush_reports();
		return sc.parse_errors ? 2 : 0;
	}
	if (apifile && sc_load_framework_api(&sc, apifile))
		return 3;
	if (sigout && sc_write_sigs(&sc, sigout))
		return 3;
	if (wallflags)
		sc_check_wall_flags(&sc, cflags_n, cflags);
	sc_collect_framework_names(&sc);
	sc_walk_tu(&sc);
	sc_scan_service_files(&sc);
	int n = sc_flush_reports();
	clang_disposeTranslationUnit(sc.tu);
	clang_disposeIndex(idx);
	if (sc.parse_errors)
		return 2;
	return n ? 1 : 0;
}
