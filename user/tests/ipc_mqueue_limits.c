/* ipc_mqueue_limits: the POSIX message queue limits (mq_overview(7)):
 * /proc/sys/fs/mqueue's knobs (their ranges, EINVAL, who may write
 * them, and that each takes effect: the default attributes, the ceilings
 * for unprivileged users, queues_max's ENOSPC) and RLIMIT_MSGQUEUE
 * (queues charged per user as Linux estimates their memory: EMFILE past
 * the limit, the charge given back when a queue goes); root is not
 * tested above the limits (the host may lack CAP_SYS_RESOURCE). Runs in its own
 * IPC namespace where it can (the host), so the knobs it writes are its
 * own; it puts every value back anyway. */
#include "t.h"
#include <mqueue.h>
#include <sched.h>
#include <sys/resource.h>

static const char *knobs[] = {"queues_max", "msg_max", "msgsize_max", "msg_default", "msgsize_default"};
static char saved[5][32];

static const char *kpath(const char *k)
{
	static char p[96];
	snprintf(p, sizeof p, "/proc/sys/fs/mqueue/%s", k);
	return p;
}

static void get(const char *k, char *buf, size_t n)
{
	buf[0] = 0;
	int fd = open(kpath(k), O_RDONLY);
	ssize_t r = fd >= 0 ? read(fd, buf, n - 1) : -1;
	buf[r > 0 ? r : 0] = 0;
	if (fd >= 0)
		close(fd);
}

/* write(2) the text to the knob: "ok" or the errno name. */
static const char *put(const char *k, const char *v)
{
	int fd = open(kpath(k), O_WRONLY);
	if (fd < 0)
		return t_errname(errno);
	ssize_t r = write(fd, v, strlen(v));
	int e = errno;
	close(fd);
	return r == (ssize_t)strlen(v) ? "ok" : r < 0 ? t_errname(e) : "short";
}

static void show(const char *k)
{
	char b[32];
	get(k, b, sizeof b);
	SAY("%s = %s", k, b);
}

static struct mq_attr attr(long m, long s)
{
	struct mq_attr a;
	memset(&a, 0, sizeof a);
	a.mq_maxmsg = m;
	a.mq_msgsize = s;
	return a;
}

static void ranges(void)
{
	SAY("msg_max 0: %s, 65537: %s, 65536: %s\n", put("msg_max", "0"), put("msg_max", "65537"),
	    put("msg_max", "65536"));
	SAY("msgsize_max 127: %s, 16777217: %s, 128: %s\n", put("msgsize_max", "127"), put("msgsize_max", "16777217"),
	    put("msgsize_max", "128"));
	SAY("msg_default 0: %s, 65537: %s; msgsize_default 127: %s, 16777217: %s\n", put("msg_default", "0"),
	    put("msg_default", "65537"), put("msgsize_default", "127"), put("msgsize_default", "16777217"));
	SAY("queues_max -1: %s, abc: %s, 2147483648: %s\n", put("queues_max", "-1"), put("queues_max", "abc"),
	    put("queues_max", "2147483648"));
	for (int i = 0; i < 5; i++)
		show(knobs[i]);
	for (int i = 0; i < 5; i++)
		put(knobs[i], saved[i]);
}

/* In a child as uid 4242: run f, exit with its failures. */
static void as_user(const char *label, void (*f)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(4242) || setuid(4242))
			_exit(3);
		f();
		fflush(stdout);
		_exit(t_failures);
	}
	SAY("%s: %s\n", label, t_wait_desc(pid));
}

static void user_ceilings(void)
{
	struct mq_attr a = attr(4, 64);
	CHECK_ERR(mq_open("/ktl_u", O_CREAT | O_RDWR, 0600, &a), EINVAL, "user over msg_max 3");
	a = attr(3, 1024);
	CHECK_ERR(mq_open("/ktl_u", O_CREAT | O_RDWR, 0600, &a), EINVAL, "user over msgsize_max 512");
	a = attr(3, 512);
	mqd_t q = mq_open("/ktl_u", O_CREAT | O_RDWR, 0600, &a);
	CHECK(q >= 0, "user at the ceilings");
	CHECK_ERR(mq_open("/ktl_u2", O_CREAT | O_RDWR, 0600, &a), ENOSPC, "user past queues_max");
	mq_close(q);
	mq_unlink("/ktl_u");
	CHECK_ERR(open(kpath("msg_max"), O_WRONLY), EACCES, "user writes a knob");
}

static void effects(void)
{
	put("msg_default", "5");
	put("msgsize_default", "256");
	mqd_t q = mq_open("/ktl_d", O_CREAT | O_RDWR, 0600, NULL);
	struct mq_attr a;
	CHECK(q >= 0 && mq_getattr(q, &a) == 0, "open with defaults");
	SAY("defaults now: maxmsg %ld msgsize %ld\n", a.mq_maxmsg, a.mq_msgsize);
	mq_close(q);
	mq_unlink("/ktl_d");
	put("msg_max", "3");
	put("msgsize_max", "512");
	put("queues_max", "1");
	as_user("user ceilings", user_ceilings);
	for (int i = 0; i < 5; i++)
		put(knobs[i], saved[i]);
}

/* RLIMIT_MSGQUEUE: a queue of m messages of s bytes costs
 * m * s + m * 48 + min(m, 32768) * 48 bytes. */
static void rlimit_user(void)
{
	struct mq_attr a = attr(10, 8192); /* 82880 bytes each: 9 fit in 819200 */
	char name[32];
	int n = 0;
	mqd_t qs[16];
	for (; n < 16; n++) {
		snprintf(name, sizeof name, "/ktl_n%d", n);
		qs[n] = mq_open(name, O_CREAT | O_RDWR, 0600, &a);
		if (qs[n] == (mqd_t)-1)
			break;
	}
	SAY("default limit: %d queues of 10 x 8192, then %s\n", n, t_errname(errno));
	for (int i = 0; i < n; i++) {
		mq_close(qs[i]);
		snprintf(name, sizeof name, "/ktl_n%d", i);
		mq_unlink(name);
	}
	struct rlimit rl = {1000, 1000};
	CHECK(setrlimit(RLIMIT_MSGQUEUE, &rl) == 0, "setrlimit 1000");
	a = attr(2, 100); /* 392 bytes */
	mqd_t q1 = mq_open("/ktl_m1", O_CREAT | O_RDWR, 0600, &a);
	mqd_t q2 = mq_open("/ktl_m2", O_CREAT | O_RDWR, 0600, &a);
	CHECK(q1 >= 0 && q2 >= 0, "two queues of 392 bytes");
	CHECK_ERR(mq_open("/ktl_m3", O_CREAT | O_RDWR, 0600, &a), EMFILE, "the third");
	a = attr(1, 119); /* 215: 999 in all */
	mqd_t q3 = mq_open("/ktl_m3", O_CREAT | O_RDWR, 0600, &a);
	CHECK(q3 >= 0, "one of 215 fits exactly under 1000");
	mq_unlink("/ktl_m3");
	CHECK_ERR(mq_open("/ktl_m4", O_CREAT | O_RDWR, 0600, &a), EMFILE, "unlinked but open still counts");
	mq_close(q3);
	mqd_t q4 = mq_open("/ktl_m4", O_CREAT | O_RDWR, 0600, &a);
	CHECK(q4 >= 0, "closed: given back");
	mq_close(q1);
	mq_close(q2);
	mq_close(q4);
	mq_unlink("/ktl_m1");
	mq_unlink("/ktl_m2");
	mq_unlink("/ktl_m4");
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	(void)unshare(CLONE_NEWIPC); /* the host: knobs of our own */
	for (int i = 0; i < 5; i++) {
		get(knobs[i], saved[i], sizeof saved[i]);
		SAY("%s = %s", knobs[i], saved[i]);
	}
	ranges();
	effects();
	struct rlimit nf, none;
	getrlimit(RLIMIT_NOFILE, &nf);
	none = nf;
	none.rlim_cur = 0;
	setrlimit(RLIMIT_NOFILE, &none);
	CHECK_ERR(mq_open("/ktl_f", O_CREAT | O_RDWR, 0600, NULL), EMFILE, "no descriptor left");
	setrlimit(RLIMIT_NOFILE, &nf);
	CHECK_ERR(mq_open("/ktl_f", O_RDWR), ENOENT, "and no queue was made");
	as_user("RLIMIT_MSGQUEUE", rlimit_user);
	for (int i = 0; i < 5; i++)
		show(knobs[i]);
	return t_done();
}
