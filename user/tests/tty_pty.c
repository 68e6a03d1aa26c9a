/* tty_pty: pseudo-terminals as an openpty-style program sees them:
 * posix_openpt/grantpt/unlockpt/ptsname, the lock, the slave node, echo and
 * canonical mode through master and slave, erase, ^C flushing, raw mode,
 * EOF, window size, and hang-ups when either side closes. */
#include "t.h"
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <termios.h>
#ifndef TIOCGPTPEER
#define TIOCGPTPEER 0x5441
#endif

/* Collect up to n bytes (stops after 2 s without data); returns the count. */
static int read_some(int fd, char *buf, int n, int wait_ms)
{
	int got = 0;
	while (got < n) {
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, wait_ms) <= 0)
			break;
		int r = read(fd, buf + got, n - got);
		if (r <= 0)
			break;
		got += r;
	}
	buf[got] = 0;
	return got;
}

static void show(const char *label, const char *s, int n)
{
	printf("%s: \"", label);
	for (int i = 0; i < n; i++) {
		unsigned char c = s[i];
		if (c >= 32 && c < 127 && c != '\\')
			putchar(c);
		else
			printf("\\x%02x", c);
	}
	printf("\"\n");
	fflush(stdout);
}

static void expect(int fd, const char *label, const char *want)
{
	char buf[256];
	int n = read_some(fd, buf, (int)strlen(want), 2000);
	show(label, buf, n);
	if (n != (int)strlen(want) || memcmp(buf, want, n))
		t_failures++;
}

static int readable(int fd, int ms)
{
	struct pollfd p = {fd, POLLIN, 0};
	return poll(&p, 1, ms) > 0 && (p.revents & POLLIN);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	CHECK(m >= 0, "posix_openpt");
	CHECK(grantpt(m) == 0, "grantpt");
	unsigned int n = 999;
	CHECK(ioctl(m, TIOCGPTN, &n) == 0, "TIOCGPTN");
	char name[64];
	snprintf(name, sizeof name, "/dev/pts/%u", n);
	CHECK_ERR(open(name, O_RDWR | O_NOCTTY), EIO, "open locked slave");
	CHECK(unlockpt(m) == 0, "unlockpt");
	const char *pn = ptsname(m);
	CHECK(pn && strcmp(pn, name) == 0, "ptsname matches TIOCGPTN");
	int s = open(name, O_RDWR | O_NOCTTY);
	CHECK(s >= 0, "open slave");
	struct stat st;
	CHECK(fstat(s, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 136 && minor(st.st_rdev) == n,
	      "slave is char device 136:N");
	CHECK(stat("/dev/ptmx", &st) == 0 && major(st.st_rdev) == 5 && minor(st.st_rdev) == 2, "/dev/ptmx is 5:2");
	SAY("isatty master=%d slave=%d\n", isatty(m), isatty(s));
	CHECK_ERR(ioctl(s, TIOCGPTN, &n), ENOTTY, "TIOCGPTN on the slave");

	struct termios t;
	CHECK(tcgetattr(s, &t) == 0, "tcgetattr slave");
	SAY("canon=%d echo=%d icrnl=%d onlcr=%d isig=%d\n", !!(t.c_lflag & ICANON), !!(t.c_lflag & ECHO),
	    !!(t.c_iflag & ICRNL), !!(t.c_oflag & ONLCR), !!(t.c_lflag & ISIG));

	/* canonical input with echo */
	write(m, "hello\n", 6);
	expect(m, "echo on master", "hello\r\n");
	expect(s, "slave reads line", "hello\n");
	write(m, "ab", 2);
	expect(m, "partial echo", "ab");
	CHECK(!readable(s, 200), "partial line not readable");
	write(m, "c\r", 2);
	expect(m, "echo of CR", "c\r\n");
	expect(s, "line completed by CR (ICRNL)", "abc\n");
	write(m, "xy\177z\n", 5);
	expect(m, "erase echo", "xy\b \bz\r\n");
	expect(s, "erased line", "xz\n");
	write(m, "gone", 4);
	expect(m, "echo before ^C", "gone");
	write(m, "\003", 1);
	expect(m, "^C echo", "^C");
	write(m, "kept\n", 5);
	expect(m, "echo after ^C", "kept\r\n");
	expect(s, "^C flushed the line", "kept\n");
	int avail = -1;
	write(m, "q\n", 2);
	expect(m, "echo q", "q\r\n");
	readable(s, 2000);
	CHECK(ioctl(s, FIONREAD, &avail) == 0 && avail == 2, "FIONREAD on slave");
	expect(s, "q line", "q\n");

	/* output from the slave */
	write(s, "out\n", 4);
	expect(m, "slave output with ONLCR", "out\r\n");

	/* raw mode */
	struct termios raw = t;
	cfmakeraw(&raw);
	CHECK(tcsetattr(s, TCSANOW, &raw) == 0, "tcsetattr raw");
	write(m, "r\r", 2);
	expect(s, "raw input unchanged", "r\r");
	CHECK(!readable(m, 200), "no echo in raw mode");
	write(s, "o\n", 2);
	expect(m, "raw output unchanged", "o\n");
	CHECK(tcsetattr(s, TCSANOW, &t) == 0, "back to canonical");

	/* EOF */
	write(m, "\004", 1);
	char c;
	CHECK(read(s, &c, 1) == 0, "^D reads as end of file");

	/* window size through the master */
	struct winsize ws = {33, 101, 0, 0}, ws2 = {0};
	CHECK(ioctl(m, TIOCSWINSZ, &ws) == 0, "TIOCSWINSZ on master");
	CHECK(ioctl(s, TIOCGWINSZ, &ws2) == 0 && ws2.ws_row == 33 && ws2.ws_col == 101, "slave sees the size");

	/* TIOCGPTPEER opens the same slave without a path */
	int peer = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	struct stat st2;
	CHECK(peer >= 0 && fstat(peer, &st2) == 0 && fstat(s, &st) == 0 && st.st_rdev == st2.st_rdev,
	      "TIOCGPTPEER opens the slave");
	close(peer);

	/* slave closes: the master reads EIO */
	close(s);
	CHECK_ERR(read(m, &c, 1), EIO, "master read after slave closed");
	close(m);
	CHECK_ERR(stat(name, &st), ENOENT, "slave node gone after both closed");

	/* master closes first: the slave hangs up */
	m = posix_openpt(O_RDWR | O_NOCTTY);
	unlockpt(m);
	s = open(ptsname(m), O_RDWR | O_NOCTTY);
	CHECK(s >= 0, "second pty");
	close(m);
	CHECK(read(s, &c, 1) == 0, "slave read after master closed is EOF");
	CHECK_ERR(write(s, "x", 1), EIO, "slave write after master closed");
	close(s);
	return t_done();
}
