/* seccomp_filter: seccomp(2) and prctl's argument checking, the classic
 * BPF verifier's rejection table, SECCOMP_GET_ACTION_AVAIL and
 * SECCOMP_GET_NOTIF_SIZES, no_new_privs and the EACCES rule, the total
 * instruction limit of stacked filters. Every filter is installed in a
 * child so the parent stays unfiltered. */
#include "t.h"
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

static long sc(unsigned op, unsigned flags, void *args) { return syscall(SYS_seccomp, op, flags, args); }

static struct sock_filter allow_all[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};

/* Install prog (n instructions) and describe the result. */
static const char *try_prog(struct sock_filter *prog, unsigned short n)
{
	static char buf[32];
	struct sock_fprog fp = {n, prog};
	errno = 0;
	long r = sc(SECCOMP_SET_MODE_FILTER, 0, &fp);
	snprintf(buf, sizeof buf, "%s", r == 0 ? "ok" : t_errname(errno));
	return buf;
}

#define S(c, k) BPF_STMT(c, k)
#define J(c, k, t, f) BPF_JUMP(c, k, t, f)
#define RET_ALLOW S(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

struct vcase {
	const char *name;
	struct sock_filter prog[4];
	unsigned short len;
};

static const struct vcase cases[] = {
	{"ret allow", {RET_ALLOW}, 1},
	{"ret A", {S(BPF_RET | BPF_A, 0)}, 1},
	{"ret X (not a classic return)", {S(BPF_RET | BPF_X, 0)}, 1},
	{"no return at the end", {S(BPF_LD | BPF_IMM, 1)}, 1},
	{"unknown opcode 0xffff", {S(0xffff, 0), RET_ALLOW}, 2},
	{"unknown opcode 0x07|0x40", {S(BPF_MISC | 0x40, 0), RET_ALLOW}, 2},
	{"ld w abs nr", {S(BPF_LD | BPF_W | BPF_ABS, 0), RET_ALLOW}, 2},
	{"ld w abs last arg word", {S(BPF_LD | BPF_W | BPF_ABS, 60), RET_ALLOW}, 2},
	{"ld w abs past seccomp_data", {S(BPF_LD | BPF_W | BPF_ABS, 64), RET_ALLOW}, 2},
	{"ld w abs unaligned", {S(BPF_LD | BPF_W | BPF_ABS, 2), RET_ALLOW}, 2},
	{"ld w abs ancillary", {S(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PROTOCOL), RET_ALLOW}, 2},
	{"ld h abs (packet load)", {S(BPF_LD | BPF_H | BPF_ABS, 0), RET_ALLOW}, 2},
	{"ld b abs (packet load)", {S(BPF_LD | BPF_B | BPF_ABS, 0), RET_ALLOW}, 2},
	{"ld w ind", {S(BPF_LD | BPF_W | BPF_IND, 0), RET_ALLOW}, 2},
	{"ldx b msh", {S(BPF_LDX | BPF_B | BPF_MSH, 0), RET_ALLOW}, 2},
	{"ld w len", {S(BPF_LD | BPF_W | BPF_LEN, 0), S(BPF_RET | BPF_A, 0)}, 2},
	{"ldx w len", {S(BPF_LDX | BPF_W | BPF_LEN, 0), RET_ALLOW}, 2},
	{"div by constant 0", {S(BPF_ALU | BPF_DIV | BPF_K, 0), RET_ALLOW}, 2},
	{"mod by constant 0", {S(BPF_ALU | BPF_MOD | BPF_K, 0), RET_ALLOW}, 2},
	{"div by X", {S(BPF_ALU | BPF_DIV | BPF_X, 0), RET_ALLOW}, 2},
	{"mod by constant 3", {S(BPF_ALU | BPF_MOD | BPF_K, 3), RET_ALLOW}, 2},
	{"mod by X", {S(BPF_LDX | BPF_IMM, 3), S(BPF_ALU | BPF_MOD | BPF_X, 0), RET_ALLOW}, 3},
	{"xor constant", {S(BPF_ALU | BPF_XOR | BPF_K, 3), RET_ALLOW}, 2},
	{"div by X=2", {S(BPF_LDX | BPF_IMM, 2), S(BPF_ALU | BPF_DIV | BPF_X, 0), RET_ALLOW}, 3},
	{"lsh 31", {S(BPF_ALU | BPF_LSH | BPF_K, 31), RET_ALLOW}, 2},
	{"lsh 32", {S(BPF_ALU | BPF_LSH | BPF_K, 32), RET_ALLOW}, 2},
	{"rsh 40", {S(BPF_ALU | BPF_RSH | BPF_K, 40), RET_ALLOW}, 2},
	{"neg", {S(BPF_ALU | BPF_NEG, 0), RET_ALLOW}, 2},
	{"neg with X bit", {S(BPF_ALU | BPF_NEG | BPF_X, 0), RET_ALLOW}, 2},
	{"st M[15] then ld", {S(BPF_ST, 15), S(BPF_LD | BPF_MEM, 15), RET_ALLOW}, 3},
	{"st M[16]", {S(BPF_ST, 16), RET_ALLOW}, 2},
	{"ld M[0] never stored", {S(BPF_LD | BPF_MEM, 0), RET_ALLOW}, 2},
	{"ldx M[3] stored by stx", {S(BPF_STX, 3), S(BPF_LDX | BPF_MEM, 3), RET_ALLOW}, 3},
	{"ld M[1] stored on one path only",
	 {J(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1), S(BPF_ST, 1), S(BPF_LD | BPF_MEM, 1), RET_ALLOW}, 4},
	{"ja to the last instruction", {S(BPF_JMP | BPF_JA, 1), S(BPF_LD | BPF_IMM, 0), RET_ALLOW}, 3},
	{"ja past the end", {S(BPF_JMP | BPF_JA, 1), RET_ALLOW}, 2},
	{"ja huge offset", {S(BPF_JMP | BPF_JA, 0xffffffff), RET_ALLOW}, 2},
	{"jeq jt past the end", {J(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), RET_ALLOW}, 2},
	{"jeq jf past the end", {J(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2), RET_ALLOW, RET_ALLOW}, 3},
	{"jset x in range", {J(BPF_JMP | BPF_JSET | BPF_X, 0, 0, 0), RET_ALLOW}, 2},
	{"jmp op 0x50", {J(BPF_JMP | 0x50, 0, 0, 0), RET_ALLOW}, 2},
	{"tax txa", {S(BPF_MISC | BPF_TAX, 0), S(BPF_MISC | BPF_TXA, 0), RET_ALLOW}, 3},
	{"code with high byte set", {S(0x0106, 0)}, 1},
};

static void verifier_table(void)
{
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct sock_filter prog[4];
		memcpy(prog, cases[i].prog, sizeof prog);
		pid_t c = fork();
		if (c == 0) { /* an accepted filter stays: one child per case */
			struct sock_fprog fp = {cases[i].len, prog};
			_exit(sc(SECCOMP_SET_MODE_FILTER, 0, &fp) == 0 ? 0 : errno);
		}
		int st;
		waitpid(c, &st, 0);
		/* a filter that returns 0 kills at the child's exit_group */
		SAY("verify %s: %s\n", cases[i].name,
		    WIFSIGNALED(st) ? "ok, then killed" : WEXITSTATUS(st) ? t_errname(WEXITSTATUS(st)) : "ok");
	}
	static struct sock_filter big[4097];
	for (int i = 0; i < 4097; i++)
		big[i] = (struct sock_filter)RET_ALLOW;
	SAY("verify 4097 instructions: %s\n", try_prog(big, 4097));
	SAY("verify 0 instructions: %s\n", try_prog(big, 0));
	SAY("verify 4096 instructions: %s\n", try_prog(big, 4096));
	struct sock_fprog nullprog = {1, NULL};
	CHECK_ERR(sc(SECCOMP_SET_MODE_FILTER, 0, &nullprog), EINVAL, "NULL instructions");
	struct sock_fprog badprog = {1, (struct sock_filter *)8};
	CHECK_ERR(sc(SECCOMP_SET_MODE_FILTER, 0, &badprog), EFAULT, "bad instructions address");
	CHECK_ERR(sc(SECCOMP_SET_MODE_FILTER, 0, NULL), EFAULT, "NULL fprog");
	CHECK_ERR(sc(SECCOMP_SET_MODE_FILTER, 0, (void *)8), EFAULT, "bad fprog address");
}

/* Stacked filters: Linux allows 32768 instructions of the translated
 * (eBPF) programs, 4 added per filter; a classic RET K takes 2, a
 * conditional jump 1 or 2, the prologue 3. */
static void stack_until_full(struct sock_filter *prog, unsigned short n, const char *what)
{
	pid_t c = fork();
	if (c == 0) {
		struct sock_fprog fp = {n, prog};
		int k = 0;
		while (k < 100 && sc(SECCOMP_SET_MODE_FILTER, 0, &fp) == 0)
			k++;
		SAY("%s filters attached: %d, then %s\n", what, k, t_errname(errno));
		_exit(0);
	}
	waitpid(c, NULL, 0);
}

static void total_limit(void)
{
	static struct sock_filter p[4096];
	for (int i = 0; i < 4096; i++) /* jeq with jf 0: one insn each; with both: two */
		p[i] = (struct sock_filter)J(BPF_JMP | BPF_JEQ | BPF_K, 1000, 0, 0);
	p[4095] = (struct sock_filter)RET_ALLOW;
	stack_until_full(p, 4096, "4095 jeq jf=0 + ret");
	for (int i = 0; i < 4095; i++)
		p[i] = (struct sock_filter)J(BPF_JMP | BPF_JSET | BPF_K, 1000, 0, 1);
	p[4094] = (struct sock_filter)RET_ALLOW;
	stack_until_full(p, 4096, "jset jt=0 jf=1 + 2 ret");
	for (int i = 0; i < 4094; i++)
		p[i] = (struct sock_filter)J(BPF_JMP | BPF_JGT | BPF_K, 0x80000000u, 0, 1);
	stack_until_full(p, 4096, "jgt negative k jt=0 jf=1");
	for (int i = 0; i < 4094; i++)
		p[i] = (struct sock_filter)J(BPF_JMP | BPF_JGT | BPF_X, 0, 1, 1);
	stack_until_full(p, 4096, "jgt x jt=1 jf=1");
	for (int i = 0; i < 4094; i++)
		p[i] = (struct sock_filter)S(BPF_ALU | BPF_DIV | BPF_X, 0);
	p[0] = (struct sock_filter)RET_ALLOW; /* the rest is never run, but counts */
	stack_until_full(p, 4096, "div x");
	for (int i = 0; i < 4095; i++)
		p[i] = (struct sock_filter)S(BPF_LD | BPF_W | BPF_ABS, 4);
	p[4095] = (struct sock_filter)S(BPF_RET | BPF_A, 0);
	p[0] = (struct sock_filter)RET_ALLOW;
	stack_until_full(p, 4096, "ld abs + ret A");
	for (int i = 0; i < 4094; i++)
		p[i] = (struct sock_filter)J(BPF_JMP | BPF_JEQ | BPF_K, 0x80000000u, 1, 1);
	p[0] = (struct sock_filter)RET_ALLOW;
	stack_until_full(p, 4096, "jeq negative k jt=1 jf=1");
	for (int i = 0; i < 1000; i++)
		p[i] = (struct sock_filter)S(BPF_LD | BPF_IMM, SECCOMP_RET_ALLOW);
	p[1000] = (struct sock_filter)S(BPF_RET | BPF_A, 0);
	stack_until_full(p, 1001, "ld imm x1000");
}

static void total_limit_small(void)
{
	static struct sock_filter big[4096];
	for (int i = 0; i < 4096; i++)
		big[i] = (struct sock_filter)RET_ALLOW;
	struct sock_fprog fp = {4096, big};
	int n = 0;
	while (n < 20 && sc(SECCOMP_SET_MODE_FILTER, 0, &fp) == 0)
		n++;
	SAY("4096-instruction filters attached: %d, then %s\n", n, t_errname(errno));
	struct sock_fprog small = {1, allow_all};
	errno = 0;
	long r = sc(SECCOMP_SET_MODE_FILTER, 0, &small);
	SAY("a 1-instruction filter after that: %s\n", r == 0 ? "ok" : t_errname(errno));
}

static void flag_errors(void)
{
	struct sock_fprog fp = {1, allow_all};
	CHECK_ERR(sc(SECCOMP_SET_MODE_FILTER, 1u << 20, &fp), EINVAL, "unknown filter flag");
	CHECK_ERR(sc(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_NEW_LISTENER, &fp),
		  EINVAL, "TSYNC with NEW_LISTENER");
	CHECK_ERR(sc(SECCOMP_SET_MODE_FILTER, 32, &fp), EINVAL, "WAIT_KILLABLE_RECV without NEW_LISTENER");
	CHECK_ERR(sc(SECCOMP_SET_MODE_STRICT, 1, NULL), EINVAL, "strict with flags");
	CHECK_ERR(sc(SECCOMP_SET_MODE_STRICT, 0, &fp), EINVAL, "strict with args");
	CHECK_ERR(sc(99, 0, NULL), EINVAL, "unknown operation");
	CHECK_ERR(prctl(PR_SET_SECCOMP, 7, 0, 0, 0), EINVAL, "PR_SET_SECCOMP bad mode");
	CHECK_ERR(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, NULL, 0, 0), EFAULT, "PR_SET_SECCOMP NULL prog");
	CHECK(sc(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_LOG, &fp) == 0, "FLAG_LOG accepted");
	CHECK(sc(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW, &fp) == 0, "FLAG_SPEC_ALLOW accepted");
	CHECK(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp, 0, 0) == 0, "PR_SET_SECCOMP filter");
	CHECK(prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2, "PR_GET_SECCOMP is 2");
	CHECK_ERR(sc(SECCOMP_SET_MODE_STRICT, 0, NULL), EINVAL, "strict after filter");
}

static void avail(void)
{
	static const struct {
		const char *name;
		unsigned a;
	} acts[] = {
		{"KILL_PROCESS", SECCOMP_RET_KILL_PROCESS}, {"KILL_THREAD", SECCOMP_RET_KILL_THREAD},
		{"TRAP", SECCOMP_RET_TRAP},		    {"ERRNO", SECCOMP_RET_ERRNO},
		{"TRACE", SECCOMP_RET_TRACE},		    {"LOG", SECCOMP_RET_LOG},
		{"ALLOW", SECCOMP_RET_ALLOW},		    {"0x00010000", 0x00010000},
		{"ERRNO|5", SECCOMP_RET_ERRNO | 5},
	};
	for (unsigned i = 0; i < sizeof acts / sizeof acts[0]; i++) {
		unsigned a = acts[i].a;
		errno = 0;
		long r = sc(SECCOMP_GET_ACTION_AVAIL, 0, &a);
		SAY("action %s available: %s\n", acts[i].name, r == 0 ? "yes" : t_errname(errno));
	}
	unsigned a = SECCOMP_RET_ALLOW;
	CHECK_ERR(sc(SECCOMP_GET_ACTION_AVAIL, 1, &a), EINVAL, "ACTION_AVAIL flags");
	CHECK_ERR(sc(SECCOMP_GET_ACTION_AVAIL, 0, NULL), EFAULT, "ACTION_AVAIL NULL");
	struct seccomp_notif_sizes s = {0};
	CHECK(sc(SECCOMP_GET_NOTIF_SIZES, 0, &s) == 0, "GET_NOTIF_SIZES");
	SAY("sizes: notif %u resp %u data %u\n", s.seccomp_notif, s.seccomp_notif_resp, s.seccomp_data);
	CHECK_ERR(sc(SECCOMP_GET_NOTIF_SIZES, 1, &s), EINVAL, "GET_NOTIF_SIZES flags");
	CHECK_ERR(sc(SECCOMP_GET_NOTIF_SIZES, 0, NULL), EFAULT, "GET_NOTIF_SIZES NULL");
}

static void status_line(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	size_t n = strlen(key);
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, key, n) && line[n] == ':')
			SAY("%s", line);
	if (f)
		fclose(f);
}

static void nnp(void)
{
	CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0, "NNP initially 0");
	CHECK_ERR(prctl(PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0), EINVAL, "NNP set 2");
	CHECK_ERR(prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0), EINVAL, "NNP set with arg3");
	CHECK_ERR(prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0), EINVAL, "NNP get with arg2");
	status_line("NoNewPrivs");
	status_line("Seccomp");
	status_line("Seccomp_filters");
	/* a non-root caller needs no_new_privs */
	pid_t c = fork();
	if (c == 0) {
		if (setuid(65534) != 0)
			_exit(9);
		struct sock_fprog fp = {1, allow_all};
		CHECK_ERR(sc(SECCOMP_SET_MODE_FILTER, 0, &fp), EACCES, "non-root without NNP");
		CHECK_ERR(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp, 0, 0), EACCES, "prctl non-root without NNP");
		/* the length is checked before the privilege */
		struct sock_fprog empty = {0, allow_all};
		CHECK_ERR(sc(SECCOMP_SET_MODE_FILTER, 0, &empty), EINVAL, "empty before EACCES");
		CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, "set NNP");
		CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1, "NNP now 1");
		CHECK(sc(SECCOMP_SET_MODE_FILTER, 0, &fp) == 0, "non-root with NNP");
		status_line("NoNewPrivs");
		status_line("Seccomp");
		status_line("Seccomp_filters");
		pid_t g = fork();
		if (g == 0) {
			SAY("grandchild NNP %d mode %d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0),
			    prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
			status_line("Seccomp_filters");
			_exit(t_failures ? 1 : 0);
		}
		SAY("grandchild: %s\n", t_wait_desc(g));
		_exit(t_failures ? 1 : 0);
	}
	SAY("non-root child: %s\n", t_wait_desc(c));
}

static void in_child(void (*fn)(void), const char *name)
{
	pid_t c = fork();
	if (c == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
			_exit(8);
		fn();
		_exit(t_failures ? 1 : 0);
	}
	SAY("%s child: %s\n", name, t_wait_desc(c));
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	nnp();
	in_child(verifier_table, "verifier");
	in_child(total_limit_small, "limit");
	total_limit();
	in_child(flag_errors, "flags");
	avail();
	CHECK(prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 0, "parent still unfiltered");
	return t_done();
}
