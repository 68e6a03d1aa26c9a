/* proc_caps: capabilities. capget/capset with the three header versions
 * and their errors, the prctl capability options (bounding set, ambient
 * set, keep-caps, securebits), the transitions on setuid and execve, the
 * Cap* lines of /proc/self/status, and permission checks that ask for one
 * capability: a root process without CAP_DAC_OVERRIDE and
 * CAP_DAC_READ_SEARCH cannot read a mode-000 file.
 *
 * Every change happens in a forked child. Only relations and named
 * capabilities are printed: the host's bounding set may lack some
 * capabilities (containers), so raw masks never are. */
#include "t.h"
#include <stdint.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#define V1 0x19980330
#define V2 0x20071026
#define V3 0x20080522

#define C_CHOWN 0
#define C_DAC_OVERRIDE 1
#define C_DAC_READ_SEARCH 2
#define C_KILL 5
#define C_SETUID 7
#define C_SETPCAP 8
#define C_NET_RAW 13
#define C_SYS_ADMIN 21

struct hdr {
	uint32_t version;
	int pid;
};
struct data {
	uint32_t eff, prm, inh;
};
struct caps {
	uint64_t eff, prm, inh;
};

static long capget_raw(struct hdr *h, struct data *d) { return syscall(SYS_capget, h, d); }
static long capset_raw(struct hdr *h, struct data *d) { return syscall(SYS_capset, h, d); }

static int get(struct caps *c)
{
	struct hdr h = {V3, 0};
	struct data d[2];
	if (capget_raw(&h, d))
		return -1;
	c->eff = d[0].eff | (uint64_t)d[1].eff << 32;
	c->prm = d[0].prm | (uint64_t)d[1].prm << 32;
	c->inh = d[0].inh | (uint64_t)d[1].inh << 32;
	return 0;
}

static long set(const struct caps *c)
{
	struct hdr h = {V3, 0};
	struct data d[2] = {{(uint32_t)c->eff, (uint32_t)c->prm, (uint32_t)c->inh},
			    {(uint32_t)(c->eff >> 32), (uint32_t)(c->prm >> 32), (uint32_t)(c->inh >> 32)}};
	return capset_raw(&h, d);
}

static int has(uint64_t set, int cap) { return (int)((set >> cap) & 1); }

static const char *rc(long r)
{
	static char buf[32];
	if (r == -1)
		return t_errname(errno);
	snprintf(buf, sizeof buf, "%ld", r);
	return buf;
}

/* Can this process open the mode-000 file for reading? */
static const char *can_read(void)
{
	int fd = open(t_path("secret"), O_RDONLY);
	if (fd < 0)
		return t_errname(errno);
	close(fd);
	return "yes";
}

/* The hex value of a /proc/self/status line, or ~0 if absent. */
static uint64_t status_hex(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	uint64_t v = ~0ULL;
	size_t n = strlen(key);
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = strtoull(line + n + 1, NULL, 16);
	if (f)
		fclose(f);
	return v;
}

static void versions(void)
{
	struct hdr h = {0x1234, 0};
	struct data d[2];
	CHECK_ERR(capget_raw(&h, d), EINVAL, "capget bad version");
	SAY("  version written back is v3: %s\n", h.version == V3 ? "yes" : "no");
	h.version = 0x1234;
	SAY("capget bad version, no data pointer: %s,", rc(capget_raw(&h, NULL)));
	SAY(" v3 back: %s\n", h.version == V3 ? "yes" : "no");
	h = (struct hdr){V3, 0};
	SAY("capget v3, no data pointer: %s\n", rc(capget_raw(&h, NULL)));
	CHECK_ERR(capget_raw((struct hdr *)8, d), EFAULT, "capget bad header");
	h = (struct hdr){V3, 0};
	CHECK_ERR(capget_raw(&h, (struct data *)8), EFAULT, "capget bad data");
	h = (struct hdr){V3, -1};
	CHECK_ERR(capget_raw(&h, d), EINVAL, "capget pid -1");
	h = (struct hdr){V3, 999999};
	CHECK_ERR(capget_raw(&h, d), ESRCH, "capget no such pid");
	memset(d, 0x55, sizeof d);
	h = (struct hdr){V1, 0};
	SAY("capget v1: %s,", rc(capget_raw(&h, d)));
	SAY(" second word untouched: %s\n", d[1].eff == 0x55555555 ? "yes" : "no");
	SAY("  v1 effective has CAP_DAC_OVERRIDE: %d, CAP_KILL: %d\n", has(d[0].eff, C_DAC_OVERRIDE), has(d[0].eff, C_KILL));
	h = (struct hdr){V2, 0};
	SAY("capget v2: %s\n", rc(capget_raw(&h, d)));
	h = (struct hdr){V3, getppid()};
	SAY("capget of the parent: %s,", rc(capget_raw(&h, d)));
	SAY(" has CAP_SYS_ADMIN: %d\n", has(d[0].eff, C_SYS_ADMIN));
	struct caps c;
	get(&c);
	SAY("root: effective == permitted: %s, inheritable empty: %s, CAP_SETPCAP: %d\n", c.eff == c.prm ? "yes" : "no",
	    c.inh == 0 ? "yes" : "no", has(c.eff, C_SETPCAP));
	SAY("status CapEff matches capget: %s, CapPrm: %s, CapInh: %s, CapAmb: %llx\n",
	    status_hex("CapEff") == c.eff ? "yes" : "no", status_hex("CapPrm") == c.prm ? "yes" : "no",
	    status_hex("CapInh") == c.inh ? "yes" : "no", (unsigned long long)status_hex("CapAmb"));
	h = (struct hdr){V3, getppid()};
	CHECK_ERR(capset_raw(&h, d), EPERM, "capset another process");
	h = (struct hdr){0x1234, 0};
	CHECK_ERR(capset_raw(&h, d), EINVAL, "capset bad version");
}

static void capset_rules(void)
{
	struct caps c, n;
	get(&c);
	n = c;
	n.eff &= ~(1ULL << C_DAC_OVERRIDE | 1ULL << C_DAC_READ_SEARCH);
	SAY("drop DAC caps from effective: %s;", rc(set(&n)));
	SAY(" read mode 000 file: %s\n", can_read());
	SAY("  status CapEff follows: %s\n", status_hex("CapEff") == n.eff ? "yes" : "no");
	n.eff |= 1ULL << C_DAC_READ_SEARCH;
	SAY("raise CAP_DAC_READ_SEARCH again: %s;", rc(set(&n)));
	SAY(" read: %s\n", can_read());
	int fd = open(t_path("secret"), O_WRONLY);
	SAY("  write without CAP_DAC_OVERRIDE: %s\n", fd < 0 ? t_errname(errno) : "yes");
	if (fd >= 0)
		close(fd);
	n.eff = c.eff;
	SAY("restore effective: %s;", rc(set(&n)));
	SAY(" read: %s\n", can_read());
	n.prm &= ~(1ULL << C_NET_RAW);
	n.eff &= ~(1ULL << C_NET_RAW);
	SAY("drop CAP_NET_RAW from permitted: %s\n", rc(set(&n)));
	struct caps back = n;
	back.prm |= 1ULL << C_NET_RAW;
	CHECK_ERR(set(&back), EPERM, "raise permitted again");
	back = n;
	back.eff |= 1ULL << C_NET_RAW;
	CHECK_ERR(set(&back), EPERM, "effective beyond permitted");
	back = n;
	back.inh |= 1ULL << C_NET_RAW;
	SAY("inheritable beyond permitted with CAP_SETPCAP: %s\n", rc(set(&back)));
	back.inh = 1ULL << C_KILL;
	back.eff &= ~(1ULL << C_SETPCAP);
	SAY("drop CAP_SETPCAP: %s\n", rc(set(&back)));
	back.inh |= 1ULL << C_NET_RAW;
	CHECK_ERR(set(&back), EPERM, "inheritable beyond permitted without CAP_SETPCAP");
	struct hdr h = {V1, 0};
	struct data d = {0, 0, 0};
	SAY("capset v1 all zero: %s\n", rc(capset_raw(&h, &d)));
	get(&c);
	SAY("  then permitted empty: %s (v1 clears the upper word too)\n", c.prm == 0 ? "yes" : "no");
	SAY("  read mode 000 file: %s\n", can_read());
}

static void bounding_ambient(void)
{
	SAY("PR_CAPBSET_READ CAP_CHOWN: %s\n", rc(prctl(PR_CAPBSET_READ, C_CHOWN, 0, 0, 0)));
	CHECK_ERR(prctl(PR_CAPBSET_READ, 99, 0, 0, 0), EINVAL, "PR_CAPBSET_READ 99");
	CHECK_ERR(prctl(PR_CAPBSET_DROP, 99, 0, 0, 0), EINVAL, "PR_CAPBSET_DROP 99");
	SAY("PR_CAPBSET_DROP CAP_CHOWN: %s,", rc(prctl(PR_CAPBSET_DROP, C_CHOWN, 0, 0, 0)));
	SAY(" then read: %s\n", rc(prctl(PR_CAPBSET_READ, C_CHOWN, 0, 0, 0)));
	struct caps c;
	get(&c);
	SAY("  still permitted: %d (the bounding set limits exec only)\n", has(c.prm, C_CHOWN));
	SAY("status CapBnd lacks CAP_CHOWN: %s\n", has(status_hex("CapBnd"), C_CHOWN) ? "no" : "yes");
	SAY("ambient IS_SET CAP_KILL: %s\n", rc(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, C_KILL, 0, 0)));
	CHECK_ERR(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, C_KILL, 0, 0), EPERM, "ambient raise not inheritable");
	CHECK_ERR(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, 99, 0, 0), EINVAL, "ambient raise 99");
	CHECK_ERR(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, C_KILL, 1, 0), EINVAL, "ambient raise arg4");
	CHECK_ERR(prctl(PR_CAP_AMBIENT, 9, C_KILL, 0, 0), EINVAL, "ambient op 9");
	CHECK_ERR(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 1, 0, 0), EINVAL, "ambient clear-all with arg");
	c.inh = 1ULL << C_KILL | 1ULL << C_DAC_OVERRIDE;
	SAY("inheritable KILL|DAC_OVERRIDE: %s\n", rc(set(&c)));
	SAY("ambient raise CAP_KILL: %s,", rc(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, C_KILL, 0, 0)));
	SAY(" IS_SET: %s\n", rc(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, C_KILL, 0, 0)));
	SAY("  status CapAmb has CAP_KILL: %d\n", has(status_hex("CapAmb"), C_KILL));
	c.inh = 1ULL << C_DAC_OVERRIDE;
	SAY("dropping KILL from inheritable: %s,", rc(set(&c)));
	SAY(" ambient IS_SET now: %s\n", rc(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, C_KILL, 0, 0)));
	SAY("ambient raise DAC_OVERRIDE: %s,", rc(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, C_DAC_OVERRIDE, 0, 0)));
	SAY(" IS_SET: %s,", rc(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, C_DAC_OVERRIDE, 0, 0)));
	SAY(" lower: %s,", rc(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, C_DAC_OVERRIDE, 0, 0)));
	SAY(" IS_SET: %s\n", rc(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, C_DAC_OVERRIDE, 0, 0)));
	SAY("ambient raise KILL again: %s\n", rc(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, C_KILL, 0, 0)));
	SAY("ambient raise DAC_OVERRIDE: %s\n", rc(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, C_DAC_OVERRIDE, 0, 0)));
	SAY("ambient clear-all: %s,", rc(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)));
	SAY(" IS_SET DAC_OVERRIDE: %s\n", rc(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, C_DAC_OVERRIDE, 0, 0)));
}

static void securebits(void)
{
	SAY("PR_GET_KEEPCAPS: %s,", rc(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0)));
	SAY(" PR_GET_SECUREBITS: %s\n", rc(prctl(PR_GET_SECUREBITS, 0, 0, 0, 0)));
	CHECK_ERR(prctl(PR_SET_KEEPCAPS, 2, 0, 0, 0), EINVAL, "PR_SET_KEEPCAPS 2");
	SAY("PR_SET_KEEPCAPS 1: %s,", rc(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0)));
	SAY(" securebits now: %s\n", rc(prctl(PR_GET_SECUREBITS, 0, 0, 0, 0)));
	CHECK_ERR(prctl(PR_SET_SECUREBITS, 1 << 20, 0, 0, 0), EPERM, "PR_SET_SECUREBITS unknown bit");
	SAY("lock keep-caps (0x30): %s,", rc(prctl(PR_SET_SECUREBITS, 0x30, 0, 0, 0)));
	SAY(" get: %s\n", rc(prctl(PR_GET_SECUREBITS, 0, 0, 0, 0)));
	CHECK_ERR(prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0), EPERM, "PR_SET_KEEPCAPS when locked");
	CHECK_ERR(prctl(PR_SET_SECUREBITS, 0x20, 0, 0, 0), EPERM, "change a locked bit");
	CHECK_ERR(prctl(PR_SET_SECUREBITS, 0x10, 0, 0, 0), EPERM, "release a lock");
	SAY("set NOROOT too (0x31): %s\n", rc(prctl(PR_SET_SECUREBITS, 0x31, 0, 0, 0)));
	struct caps c;
	get(&c);
	c.eff &= ~(1ULL << C_SETPCAP);
	set(&c);
	CHECK_ERR(prctl(PR_SET_SECUREBITS, 0x33, 0, 0, 0), EPERM, "securebits without CAP_SETPCAP");
}

static void setuid_rules(void)
{
	struct caps c;
	SAY("seteuid(1000): %s\n", rc(seteuid(1000)));
	get(&c);
	SAY("  effective empty: %s, permitted kept: %d\n", c.eff == 0 ? "yes" : "no", has(c.prm, C_SETUID));
	SAY("  read mode 000 file: %s\n", can_read());
	SAY("seteuid(0): %s\n", rc(seteuid(0)));
	get(&c);
	SAY("  effective == permitted again: %s\n", c.eff == c.prm && c.eff ? "yes" : "no");
	SAY("setfsuid(1000) gives the old: %d\n", setfsuid(1000));
	get(&c);
	SAY("  DAC_OVERRIDE: %d, CHOWN: %d, KILL: %d, SETUID: %d\n", has(c.eff, C_DAC_OVERRIDE), has(c.eff, C_CHOWN),
	    has(c.eff, C_KILL), has(c.eff, C_SETUID));
	SAY("setfsuid(0) gives the old: %d\n", setfsuid(0));
	get(&c);
	SAY("  DAC_OVERRIDE back: %d\n", has(c.eff, C_DAC_OVERRIDE));
	pid_t k = fork();
	if (k == 0) {
		SAY("  keep-caps child: PR_SET_KEEPCAPS %s,", rc(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0)));
		SAY(" setuid(1000) %s\n", rc(setuid(1000)));
		get(&c);
		SAY("    effective empty: %s, permitted kept: %d\n", c.eff == 0 ? "yes" : "no", has(c.prm, C_DAC_OVERRIDE));
		SAY("    read mode 000 file: %s\n", can_read());
		c.eff = 1ULL << C_DAC_OVERRIDE;
		SAY("    capset effective DAC_OVERRIDE: %s,", rc(set(&c)));
		SAY(" read: %s\n", can_read());
		CHECK_ERR(setuid(0), EPERM, "    setuid(0) without CAP_SETUID");
		exit(t_failures ? 1 : 0);
	}
	SAY("  keep-caps child %s\n", t_wait_desc(k));
	SAY("setuid(1000): %s\n", rc(setuid(1000)));
	get(&c);
	SAY("  all empty: %s\n", c.eff == 0 && c.prm == 0 && c.inh == 0 ? "yes" : "no");
	SAY("  read mode 000 file: %s\n", can_read());
	CHECK_ERR(setuid(0), EPERM, "setuid(0) back");
	CHECK_ERR(prctl(PR_CAPBSET_DROP, C_KILL, 0, 0, 0), EPERM, "PR_CAPBSET_DROP without CAP_SETPCAP");
}

/* After execve: print what the new image holds. */
static int after_exec(void)
{
	struct caps c;
	get(&c);
	SAY("  after exec: uid %d, effective == permitted: %s, CHOWN %d, KILL %d, DAC_OVERRIDE %d, keepcaps %s\n",
	    (int)getuid(), c.eff == c.prm ? "yes" : "no", has(c.prm, C_CHOWN), has(c.prm, C_KILL),
	    has(c.prm, C_DAC_OVERRIDE), rc(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0)));
	SAY("  after exec: ambient KILL %s\n", rc(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, C_KILL, 0, 0)));
	return 0;
}

static void run_exec(const char *argv0)
{
	fflush(stdout);
	execl("/proc/self/exe", argv0, "--after-exec", (char *)NULL);
	SAY("exec: %s\n", t_errname(errno));
	exit(1);
}

static void exec_rules(const char *argv0)
{
	pid_t k = fork();
	if (k == 0) { /* root: full sets minus the bounding set's holes */
		prctl(PR_CAPBSET_DROP, C_CHOWN, 0, 0, 0);
		struct caps c;
		get(&c);
		c.eff = c.prm = c.prm & ~(1ULL << C_KILL);
		set(&c);
		SAY("root exec without CHOWN in the bounding set, KILL dropped:\n");
		run_exec(argv0);
	}
	SAY("  %s\n", t_wait_desc(k));
	k = fork();
	if (k == 0) { /* non-root with keep-caps and an ambient capability */
		prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
		setresuid(1000, 1000, 1000);
		struct caps c;
		get(&c);
		c.inh = 1ULL << C_KILL;
		set(&c);
		SAY("uid 1000 with ambient KILL: raise %s\n", rc(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, C_KILL, 0, 0)));
		run_exec(argv0);
	}
	SAY("  %s\n", t_wait_desc(k));
	k = fork();
	if (k == 0) { /* real uid 0, effective 1000: permitted, not effective */
		setresuid(0, 1000, 1000);
		SAY("ruid 0, euid 1000:\n");
		run_exec(argv0);
	}
	SAY("  %s\n", t_wait_desc(k));
}

static void in_child(const char *label, void (*fn)(void))
{
	SAY("-- %s\n", label);
	pid_t k = fork();
	if (k == 0) {
		fn();
		exit(t_failures ? 1 : 0);
	}
	SAY("%s: %s\n", label, t_wait_desc(k));
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "--after-exec"))
		return after_exec();
	t_scratch();
	chmod(t_dir, 0777);
	int fd = open(t_path("secret"), O_CREAT | O_WRONLY, 0);
	close(fd);
	chmod(t_path("secret"), 0);
	in_child("versions", versions);
	in_child("capset", capset_rules);
	in_child("bounding and ambient", bounding_ambient);
	in_child("securebits", securebits);
	in_child("setuid", setuid_rules);
	exec_rules(argv[0]);
	struct caps c;
	get(&c);
	SAY("parent unchanged: effective == permitted: %s, DAC_OVERRIDE: %d\n", c.eff == c.prm ? "yes" : "no",
	    has(c.eff, C_DAC_OVERRIDE));
	t_cleanup();
	return t_done();
}
