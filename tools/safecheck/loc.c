/* safecheck — source locations: which code is service code, and reporting.
 *
 * Layer: host tool. The one decision that everything else rests on lives
 * here: a piece of code is judged by the file its tokens are *spelled* in.
 * Spelled under a framework include directory => trusted framework code
 * (this includes the body of a framework macro expanded inside a service).
 * Spelled anywhere else that is a real file => service code, checked.
 * No file at all (built-ins, command line) => neither. Tokens made by ##
 * live in clang's scratch buffer; they are judged where they were expanded,
 * so token pasting cannot launder service code into "no file".
 */
#include "sc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a tiny string set (open addressing, grows) ---- */
struct strset {
	char **slot;
	size_t cap, n;
};

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603ull;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

struct strset *strset_new(void)
{
	struct strset *s = calloc(1, sizeof(*s));
	s->cap = 256;
	s->slot = calloc(s->cap, sizeof(char *));
	return s;
}

int strset_has(const struct strset *s, const char *k)
{
	for (size_t i = hash_str(k) & (s->cap - 1); s->slot[i]; i = (i + 1) & (s->cap - 1))
		if (!strcmp(s->slot[i], k))
			return 1;
	return 0;
}

static void strset_put(struct strset *s, char *k)
{
	size_t i = hash_str(k) & (s->cap - 1);
	while (s->slot[i])
		i = (i + 1) & (s->cap - 1);
	s->slot[i] = k;
	s->n++;
}

void strset_add(struct strset *s, const char *k)
{
	if (strset_has(s, k))
		return;
	if (2 * (s->n + 1) > s->cap) {
		char **old = s->slot;
		size_t oldcap = s->cap;
		s->cap *= 2;
		s->slot = calloc(s->cap, sizeof(char *));
		s->n = 0;
		for (size_t i = 0; i < oldcap; i++)
			if (old[i])
				strset_put(s, old[i]);
		free(old);
	}
	strset_put(s, strdup(k));
}

/* ---- file origin, cached per CXFile ---- */
#define ORIGIN_CACHE 64
static struct { CXFile f; enum origin o; } ocache[ORIGIN_CACHE];
static int nocache;

static int under_dir(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == 0);
}

static enum origin classify(struct sc *sc, CXFile f)
{
	CXString rp = clang_File_tryGetRealPathName(f);
	const char *p = clang_getCString(rp);
	enum origin o = ORIGIN_SERVICE;
	if (!p || !*p) {
		clang_disposeString(rp);
		rp = clang_getFileName(f);
		p = clang_getCString(rp);
	}
	if (!p || !*p || p[0] == '<')
		o = ORIGIN_NONE;
	else
		for (int i = 0; i < sc->nfwdirs; i++)
			if (under_dir(p, sc->fwdirs[i]))
				o = ORIGIN_FRAMEWORK;
	clang_disposeString(rp);
	return o;
}

enum origin sc_file_origin(struct sc *sc, CXFile f)
{
	if (!f)
		return ORIGIN_NONE;
	for (int i = 0; i < nocache; i++)
		if (ocache[i].f == f)
			return ocache[i].o;
	enum origin o = classify(sc, f);
	if (nocache < ORIGIN_CACHE) {
		ocache[nocache].f = f;
		ocache[nocache].o = o;
		nocache++;
	}
	return o;
}

int sc_file_is_header(CXFile f)
{
	CXString n = clang_getFileName(f);
	const char *s = clang_getCString(n);
	size_t l = s ? strlen(s) : 0;
	int h = l > 2 && !strcmp(s + l - 2, ".h");
	clang_disposeString(n);
	return h;
}

int sc_loc_is_service(struct sc *sc, CXSourceLocation l)
{
	CXFile f = NULL;
	clang_getSpellingLocation(l, &f, NULL, NULL, NULL);
	if (!f)  /* scratch space (token pasting): judge the expansion site */
		clang_getExpansionLocation(l, &f, NULL, NULL, NULL);
	return sc_file_origin(sc, f) == ORIGIN_SERVICE;
}

int sc_is_service(struct sc *sc, CXCursor c)
{
	return sc_loc_is_service(sc, clang_getCursorLocation(c));
}

int sc_expands_in_service(struct sc *sc, CXCursor c)
{
	CXFile f = NULL;
	clang_getExpansionLocation(clang_getCursorLocation(c), &f, NULL, NULL, NULL);
	return sc_file_origin(sc, f) == ORIGIN_SERVICE;
}

/* ---- reports: collected, then sorted and de-duplicated ---- */
struct report {
	char *file, *rule, *msg;
	unsigned line, col;
};
static struct report *reps;
static size_t nreps, capreps;

static void add_report(struct sc *sc, CXSourceLocation l, const char *rule, const char *msg)
{
	CXFile f = NULL;
	unsigned line = 0, col = 0;
	/* Report where the user can see it: the spelling if it is a real
	 * service file, else where the macro was expanded (a pasted token, or
	 * a service value inside a trusted framework macro's expansion). */
	clang_getSpellingLocation(l, &f, &line, &col, NULL);
	if (!f || sc_file_origin(sc, f) == ORIGIN_FRAMEWORK)
		clang_getExpansionLocation(l, &f, &line, &col, NULL);
	CXString fn = clang_getFileName(f);
	const char *s = clang_getCString(fn);
	if (nreps == capreps) {
		capreps = capreps ? 2 * capreps : 64;
		reps = realloc(reps, capreps * sizeof(*reps));
	}
	reps[nreps].file = strdup(s ? s : "<unknown>");
	reps[nreps].rule = strdup(rule);
	reps[nreps].msg = strdup(msg);
	reps[nreps].line = line;
	reps[nreps].col = col;
	nreps++;
	clang_disposeString(fn);
}

static void vreport(struct sc *sc, CXSourceLocation l, const char *rule,
		    const char *fmt, va_list ap)
{
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	add_report(sc, l, rule, msg);
	sc->nviol++;
}

void sc_report(struct sc *sc, CXSourceLocation l, const char *rule, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(sc, l, rule, fmt, ap);
	va_end(ap);
}

void sc_report_at(struct sc *sc, CXCursor c, const char *rule, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(sc, clang_getCursorLocation(c), rule, fmt, ap);
	va_end(ap);
}

static int cmp_report(const void *a, const void *b)
{
	const struct report *x = a, *y = b;
	int r = strcmp(x->file, y->file);
	if (r)
		return r;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return strcmp(x->rule, y->rule);
}

int sc_flush_reports(void)
{
	int printed = 0;
	qsort(reps, nreps, sizeof(*reps), cmp_report);
	for (size_t i = 0; i < nreps; i++) {
		if (i && !cmp_report(&reps[i - 1], &reps[i]))
			continue;  /* same rule at the same place: token scan + AST */
		printf("%s:%u:%u: %s: %s\n", reps[i].file, reps[i].line, reps[i].col,
		       reps[i].rule, reps[i].msg);
		printed++;
	}
	return printed;
}
