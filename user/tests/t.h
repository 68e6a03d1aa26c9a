/* user/tests/t.h — tiny self-checking helpers for the differential tests.
 *
 * Layer: user space test programs (static musl and glibc). Trusts only libc.
 * Every line printed must be deterministic: print relations ("x>0: yes"),
 * never pids, addresses or times. A failed CHECK also prints the errno name,
 * which is deterministic for a given kernel but only shows on failure.
 */
#ifndef KEEL_TEST_T_H
#define KEEL_TEST_T_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>

static int t_failures;
static char t_name[64];
static char t_dir[128];

static const char *t_errname(int e)
{
	switch (e) {
#define E(x) case x: return #x;
	E(EPERM) E(ENOENT) E(ESRCH) E(EINTR) E(EIO) E(ENXIO) E(E2BIG) E(ENOEXEC)
	E(EBADF) E(ECHILD) E(EAGAIN) E(ENOMEM) E(EACCES) E(EFAULT) E(EBUSY)
	E(EEXIST) E(EXDEV) E(ENODEV) E(ENOTDIR) E(EISDIR) E(EINVAL) E(ENFILE)
	E(EMFILE) E(ENOTTY) E(EFBIG) E(ENOSPC) E(ESPIPE) E(EROFS) E(EMLINK)
	E(EPIPE) E(ERANGE) E(ENAMETOOLONG) E(ENOSYS) E(ENOTEMPTY) E(ELOOP)
	E(ETIMEDOUT) E(EOVERFLOW) E(EOPNOTSUPP) E(ETXTBSY) E(ENOMSG) E(EIDRM) E(EDEADLK)
	E(EOWNERDEAD) E(ENOTRECOVERABLE) E(ENODATA) E(ELIBBAD)
	E(ENOTSOCK) E(EDESTADDRREQ) E(EMSGSIZE) E(EPROTOTYPE) E(ENOPROTOOPT)
	E(EPROTONOSUPPORT) E(ESOCKTNOSUPPORT) E(EAFNOSUPPORT) E(EADDRINUSE)
	E(EADDRNOTAVAIL) E(ENETUNREACH) E(ECONNABORTED) E(ECONNRESET) E(ENOBUFS)
	E(EISCONN) E(ENOTCONN) E(ESHUTDOWN) E(ECONNREFUSED) E(EHOSTUNREACH)
	E(EALREADY) E(EINPROGRESS) E(EDOM)
#undef E
	case 0: return "0";
	default: return "E?";
	}
}

/* CHECK(cond, "label"): prints "label: yes" or "label: no (errno=...)". */
#define CHECK(cond, label) t_check(!!(cond), (label), errno)
static int t_check(int ok, const char *label, int e)
{
	if (ok) {
		printf("%s: yes\n", label);
	} else {
		printf("%s: no (errno=%s)\n", label, t_errname(e));
		t_failures++;
	}
	fflush(stdout);
	return ok;
}

/* CHECK_ERR(call, EXPECTED, "label"): the call returns -1 with errno EXPECTED. */
#define CHECK_ERR(call, expected, label) do { \
	errno = 0; long _r = (long)(call); int _e = errno; \
	if (_r == -1 && _e == (expected)) { printf("%s: %s\n", label, #expected); } \
	else { printf("%s: got r=%s errno=%s, want %s\n", label, _r == -1 ? "-1" : "ok", \
		t_errname(_e), #expected); t_failures++; } \
	fflush(stdout); } while (0)

/* Print a value that is deterministic by construction. */
#define SAY(...) do { printf(__VA_ARGS__); fflush(stdout); } while (0)

static void t_rmtree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *de;
		if (d) {
			while ((de = readdir(d)) != NULL) {
				char sub[512];
				if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
					continue;
				snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
				t_rmtree(sub);
			}
			closedir(d);
		}
		rmdir(path);
	} else {
		unlink(path);
	}
}

/* Call first thing in main. Line-buffers stdout (so output survives fork
 * without duplication as long as tests only print whole lines) and derives
 * the test name from argv[0]'s basename (e.g. "fs_rw.musl"). */
static void t_init(int argc, char **argv)
{
	const char *b = argc > 0 && argv[0] ? strrchr(argv[0], '/') : NULL;
	b = b ? b + 1 : (argc > 0 && argv[0] ? argv[0] : "test");
	snprintf(t_name, sizeof t_name, "%s", b);
	snprintf(t_dir, sizeof t_dir, "/tmp/keeltest-%s", t_name);
	setvbuf(stdout, NULL, _IOLBF, 0);
}

/* Create a fresh scratch directory /tmp/keeltest-<name>; returns its path. */
static const char *t_scratch(void)
{
	mkdir("/tmp", 01777);
	if (mkdir(t_dir, 0755) != 0 && errno == EEXIST) {
		t_rmtree(t_dir);
		mkdir(t_dir, 0755);
	}
	return t_dir;
}

/* Path inside the scratch directory (static rotating buffers). */
static const char *t_path(const char *leaf)
{
	static char buf[8][256];
	static int i;
	char *p = buf[i++ & 7];
	snprintf(p, 256, "%s/%s", t_dir, leaf);
	return p;
}

static void t_cleanup(void)
{
	if (t_dir[0])
		t_rmtree(t_dir);
}

/* Milliseconds on CLOCK_MONOTONIC (for relations only, never printed). */
static long long t_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for pid and describe the status deterministically. */
static const char *t_wait_desc(pid_t pid)
{
	static char buf[64];
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return "waitpid failed";
	if (WIFEXITED(st))
		snprintf(buf, sizeof buf, "exited %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, sizeof buf, "killed by %d", WTERMSIG(st));
	else
		snprintf(buf, sizeof buf, "other 0x%x", st);
	return buf;
}

static int t_done(void)
{
	SAY("%s\n", t_failures ? "FAILED" : "ok");
	return t_failures ? 1 : 0;
}

#endif
