/* seccomp's classic BPF: filter storage, the verifier and the
 * interpreter. Layer: services (safe C). Trusts: the framework's pools
 * and user copies, nothing in the program it is given.
 *
 * A program of up to BPF_MAXINSNS instructions is stored in chunks (pool
 * objects are at most a page). The verifier applies the rules Linux
 * applies to a classic program (bpf_check_classic) and then seccomp's own
 * (only aligned 32-bit loads inside struct seccomp_data, no packet
 * loads): every rejection is -EINVAL. Because classic BPF jumps only
 * forward and every jump target is checked, a verified program ends after
 * at most `len` steps; the interpreter still bounds every access by the
 * program length and every scratch index by the array size, so even an
 * unverified program could only compute a wrong verdict. */
#include "proc/seccomp.h"
#include <fw/user.h>

#define CHUNK_INSNS 500
#define MAX_CHUNKS ((BPF_MAXINSNS + CHUNK_INSNS - 1) / CHUNK_INSNS)
#define MEMWORDS 16
#define SECCOMP_DATA_SIZE 64U

struct bpf_chunk {
	struct bpf_insn_k ins[CHUNK_INSNS];
};
FW_POOL_REF(bpf_chunk);
FW_POOL_PRIVATE(bpf_chunk, struct bpf_chunk);

struct seccomp_filter {
	uint32_t refs;
	uint32_t len;
	uint32_t xlen; /* Linux's translated length (the stacking limit counts it) */
	bool log;
	struct seccomp_filter_ref prev;
	struct bpf_chunk_ref chunk[MAX_CHUNKS];
};
FW_POOL_PRIVATE(seccomp_filter, struct seccomp_filter);

/* Masks of valid scratch words per instruction (the verifier's). */
#define MASKS_PER_CHUNK 2048
struct bpf_masks {
	uint16_t m[MASKS_PER_CHUNK];
};
FW_POOL_REF(bpf_masks);
FW_POOL_PRIVATE(bpf_masks, struct bpf_masks);

/* Instruction classes, sizes, modes and operations (the BPF encoding). */
enum {
	C_LD = 0, C_LDX = 1, C_ST = 2, C_STX = 3, C_ALU = 4, C_JMP = 5, C_RET = 6, C_MISC = 7,
};
enum { M_IMM = 0x00, M_ABS = 0x20, M_IND = 0x40, M_MEM = 0x60, M_LEN = 0x80, M_MSH = 0xa0 };
enum { SZ_W = 0x00, SZ_H = 0x08, SZ_B = 0x10 };
enum {
	OP_ADD = 0x00, OP_SUB = 0x10, OP_MUL = 0x20, OP_DIV = 0x30, OP_OR = 0x40, OP_AND = 0x50,
	OP_LSH = 0x60, OP_RSH = 0x70, OP_NEG = 0x80, OP_MOD = 0x90, OP_XOR = 0xa0,
};
enum { J_JA = 0x00, J_JEQ = 0x10, J_JGT = 0x20, J_JGE = 0x30, J_JSET = 0x40 };
#define SRC_X 0x08
#define RET_A 0x10
#define MISC_TXA 0x80

static struct bpf_insn_k insn_at(const struct seccomp_filter *f, uint32_t pc)
{
	struct bpf_chunk *c = bpf_chunk_get(f->chunk[(pc / CHUNK_INSNS) % MAX_CHUNKS]);
	if (!c || pc >= f->len)
		return (struct bpf_insn_k){0x06, 0, 0, 0}; /* RET 0: unreachable for a verified program */
	return c->ins[pc % CHUNK_INSNS];
}

static bool is_cond_jump(uint16_t code)
{
	if ((code & 7) != C_JMP)
		return false;
	uint16_t op = code & 0xf0;
	return op == J_JEQ || op == J_JGT || op == J_JGE || op == J_JSET;
}

/* Is code one seccomp accepts? Classic BPF knows a few more (packet
 * loads: H/B ABS, IND, MSH; MOD), which seccomp then refuses; both
 * refusals are -EINVAL, so one table suffices. */
static bool code_allowed(uint16_t code)
{
	if (code & 0xff00)
		return false;
	uint16_t cls = code & 7, op = code & 0xf0;
	switch (cls) {
	case C_ALU: {
		if (op == OP_NEG)
			return code == (C_ALU | OP_NEG);
		return op <= OP_XOR && op != OP_MOD;
	}
	case C_LD: {
		return code == (C_LD | SZ_W | M_ABS) || code == (C_LD | SZ_W | M_LEN) || code == (C_LD | M_IMM) ||
		       code == (C_LD | M_MEM);
	}
	case C_LDX: {
		return code == (C_LDX | SZ_W | M_LEN) || code == (C_LDX | M_IMM) || code == (C_LDX | M_MEM);
	}
	case C_ST:
	case C_STX: {
		return code == cls;
	}
	case C_JMP: {
		if (op == J_JA)
			return code == C_JMP;
		return op <= J_JSET;
	}
	case C_RET: {
		return code == C_RET || code == (C_RET | RET_A);
	}
	default: { /* C_MISC */
		return code == C_MISC || code == (C_MISC | MISC_TXA);
	}
	}
}

/* Per-instruction checks (Linux's bpf_check_classic and
 * seccomp_check_filter): operands and jump targets. */
static bool insn_ok(struct bpf_insn_k in, uint32_t pc, uint32_t len)
{
	if (!code_allowed(in.code))
		return false;
	uint16_t cls = in.code & 7, op = in.code & 0xf0;
	if (cls == C_ALU && !(in.code & SRC_X)) {
		if ((op == OP_DIV || op == OP_MOD) && in.k == 0)
			return false;
		if ((op == OP_LSH || op == OP_RSH) && in.k >= 32)
			return false;
	}
	if (((cls == C_LD || cls == C_LDX) && (in.code & 0xe0) == M_MEM) || cls == C_ST || cls == C_STX)
		return in.k < MEMWORDS;
	if (in.code == C_JMP) /* JA: k is 32 bits, so check without wrapping */
		return in.k < len - pc - 1;
	if (is_cond_jump(in.code))
		return pc + in.jt + 1 < len && pc + in.jf + 1 < len;
	if (in.code == (C_LD | SZ_W | M_ABS))
		return in.k < SECCOMP_DATA_SIZE && (in.k & 3) == 0;
	return true;
}

static struct bpf_masks *masks_of(struct bpf_masks_ref r0, struct bpf_masks_ref r1, uint32_t pc)
{
	return bpf_masks_get(pc < MASKS_PER_CHUNK ? r0 : r1);
}

static uint16_t mask_read(struct bpf_masks_ref r0, struct bpf_masks_ref r1, uint32_t pc)
{
	struct bpf_masks *m = masks_of(r0, r1, pc);
	return m ? m->m[pc % MASKS_PER_CHUNK] : 0xffff;
}

static void mask_and(struct bpf_masks_ref r0, struct bpf_masks_ref r1, uint32_t pc, uint16_t v)
{
	struct bpf_masks *m = masks_of(r0, r1, pc);
	if (m)
		m->m[pc % MASKS_PER_CHUNK] &= v;
}

/* Scratch memory must be written on every path before it is read (Linux's
 * check_load_and_stores): a forward data-flow pass over the valid-word
 * masks, each jump target keeping the intersection of its predecessors. */
static int check_scratch(const struct seccomp_filter *f)
{
	struct bpf_masks_ref r0 = {0}, r1 = {0};
	int err = 0;
	if (bpf_masks_alloc(&r0) || (f->len > MASKS_PER_CHUNK && bpf_masks_alloc(&r1)))
		err = -ENOMEM;
	for (uint32_t i = 0; !err && i < MASKS_PER_CHUNK; i++) {
		bpf_masks_get(r0)->m[i] = 0xffff;
		struct bpf_masks *m1 = bpf_masks_get(r1);
		if (m1)
			m1->m[i] = 0xffff;
	}
	uint16_t valid = 0;
	for (uint32_t pc = 0; !err && pc < f->len; pc++) {
		valid &= mask_read(r0, r1, pc);
		struct bpf_insn_k in = insn_at(f, pc);
		uint16_t cls = in.code & 7;
		uint16_t bit = (uint16_t)(1U << (in.k & 15));
		if (cls == C_ST || cls == C_STX) {
			valid |= bit;
		} else if ((cls == C_LD || cls == C_LDX) && (in.code & 0xe0) == M_MEM) {
			if (!(valid & bit))
				err = -EINVAL;
		} else if (in.code == C_JMP) {
			mask_and(r0, r1, pc + 1 + in.k, valid);
			valid = 0xffff;
		} else if (is_cond_jump(in.code)) {
			mask_and(r0, r1, pc + 1 + in.jt, valid);
			mask_and(r0, r1, pc + 1 + in.jf, valid);
			valid = 0xffff;
		}
	}
	bpf_masks_free(r0);
	bpf_masks_free(r1);
	return err;
}

/* How many instructions Linux's translation to its internal BPF gives an
 * instruction: the limit on stacked filters counts those, so a program
 * near the limit is accepted or refused as on Linux. */
static uint32_t xlated_len(struct bpf_insn_k in)
{
	uint16_t cls = in.code & 7, op = in.code & 0xf0;
	if (in.code == (C_ALU | OP_DIV | SRC_X))
		return 5; /* a division by zero check and its exit */
	if (in.code == C_RET)
		return 2; /* load the constant, exit */
	if (cls != C_JMP || op == J_JA)
		return 1;
	uint32_t n = (!(in.code & SRC_X) && (int32_t)in.k < 0) ? 1 : 0; /* unsigned constant via a register */
	if (in.jf == 0 || (in.jt == 0 && op != J_JSET))
		return n + 1;
	return n + 2; /* a conditional jump and a jump */
}

static int verify(const struct seccomp_filter *f, uint32_t *xlen_out)
{
	if (f->len == 0 || f->len > BPF_MAXINSNS)
		return -EINVAL;
	for (uint32_t pc = 0; pc < f->len; pc++)
		if (!insn_ok(insn_at(f, pc), pc, f->len))
			return -EINVAL;
	uint16_t last = insn_at(f, f->len - 1).code;
	uint32_t xlen = 3; /* the translation's prologue */
	for (uint32_t pc = 0; pc < f->len; pc++)
		xlen += xlated_len(insn_at(f, pc));
	*xlen_out = xlen;
	if (last != C_RET && last != (C_RET | RET_A))
		return -EINVAL;
	return check_scratch(f);
}

static void free_chunks(struct seccomp_filter_ref r)
{
	struct seccomp_filter *f = seccomp_filter_get(r);
	for (uint32_t i = 0; f && i < MAX_CHUNKS; i++)
		bpf_chunk_free(f->chunk[i]);
	seccomp_filter_free(r);
}

int seccomp_filter_create(uint64_t uinsns, uint32_t len, struct seccomp_filter_ref *out)
{
	if (len == 0 || len > BPF_MAXINSNS || uinsns == 0) /* a NULL program is invalid, not a fault */
		return -EINVAL;
	struct seccomp_filter_ref r;
	if (seccomp_filter_alloc(&r))
		return -ENOMEM;
	seccomp_filter_get(r)->len = len;
	seccomp_filter_get(r)->refs = 1;
	int err = 0;
	for (uint32_t i = 0, done = 0; !err && done < len; i++) {
		uint32_t n = len - done < CHUNK_INSNS ? len - done : CHUNK_INSNS;
		struct bpf_chunk_ref c;
		if (bpf_chunk_alloc(&c)) {
			err = -ENOMEM;
			break;
		}
		seccomp_filter_get(r)->chunk[i % MAX_CHUNKS] = c;
		struct bpf_chunk *cp = bpf_chunk_get(c);
		if (fw_copy_from_user_n(&cp->ins, fw_uaddr(uinsns + (uint64_t)done * 8), (uint64_t)n * 8))
			err = -EFAULT;
		done += n;
	}
	uint32_t xlen = 0;
	if (!err)
		err = verify(seccomp_filter_get(r), &xlen);
	if (!err)
		seccomp_filter_get(r)->xlen = xlen;
	if (err) {
		free_chunks(r);
		return err;
	}
	*out = r;
	return 0;
}

static uint32_t alu(uint16_t op, uint32_t a, uint32_t v, bool *div0)
{
	switch (op) {
	case OP_ADD:
		return a + v;
	case OP_SUB:
		return a - v;
	case OP_MUL:
		return a * v;
	case OP_DIV:
		*div0 = v == 0;
		return v ? a / v : 0;
	case OP_MOD:
		*div0 = v == 0;
		return v ? a % v : 0;
	case OP_OR:
		return a | v;
	case OP_AND:
		return a & v;
	case OP_XOR:
		return a ^ v;
	case OP_LSH:
		return a << (v & 31);
	case OP_RSH:
		return a >> (v & 31);
	default: /* OP_NEG */
		return 0U - a;
	}
}

static bool jump_taken(uint16_t op, uint32_t a, uint32_t v)
{
	switch (op) {
	case J_JEQ:
		return a == v;
	case J_JGT:
		return a > v;
	case J_JGE:
		return a >= v;
	default: /* J_JSET */
		return (a & v) != 0;
	}
}

/* The interpreter. A division by a zero X register ends the program with
 * 0 (classic BPF's rule), which seccomp reads as SECCOMP_RET_KILL_THREAD. */
static uint32_t run(const struct seccomp_filter *f, const struct seccomp_data_k *d)
{
	uint32_t a = 0, x = 0, mem[MEMWORDS] = {0};
	uint32_t ci = MAX_CHUNKS;
	struct bpf_chunk *c = NULL;
	for (uint32_t pc = 0; pc < f->len; pc++) {
		if (pc / CHUNK_INSNS != ci) {
			ci = pc / CHUNK_INSNS;
			c = bpf_chunk_get(f->chunk[ci % MAX_CHUNKS]);
		}
		if (!c)
			return 0;
		struct bpf_insn_k in = c->ins[pc % CHUNK_INSNS];
		uint16_t cls = in.code & 7;
		switch (cls) {
		case C_LD: {
			uint16_t mode = in.code & 0xe0;
			a = mode == M_ABS ? d->w[(in.k / 4) % 16]
			    : mode == M_LEN ? SECCOMP_DATA_SIZE
			    : mode == M_MEM ? mem[in.k % MEMWORDS]
					    : in.k;
			break;
		}
		case C_LDX: {
			uint16_t mode = in.code & 0xe0;
			x = mode == M_LEN ? SECCOMP_DATA_SIZE : mode == M_MEM ? mem[in.k % MEMWORDS] : in.k;
			break;
		}
		case C_ST: {
			mem[in.k % MEMWORDS] = a;
			break;
		}
		case C_STX: {
			mem[in.k % MEMWORDS] = x;
			break;
		}
		case C_ALU: {
			bool div0 = false;
			a = alu(in.code & 0xf0, a, (in.code & SRC_X) ? x : in.k, &div0);
			if (div0)
				return 0;
			break;
		}
		case C_JMP: {
			uint16_t op = in.code & 0xf0;
			if (op == J_JA)
				pc += in.k;
			else
				pc += jump_taken(op, a, (in.code & SRC_X) ? x : in.k) ? in.jt : in.jf;
			break;
		}
		case C_RET: {
			return (in.code & RET_A) ? a : in.k;
		}
		default: { /* C_MISC */
			if (in.code & MISC_TXA)
				a = x;
			else
				x = a;
			break;
		}
		}
	}
	return 0;
}

uint32_t seccomp_filter_run(struct seccomp_filter_ref r, const struct seccomp_data_k *d)
{
	struct seccomp_filter *f = seccomp_filter_get(r);
	return f ? run(f, d) : 0;
}

bool seccomp_filter_valid(struct seccomp_filter_ref r) { return seccomp_filter_get(r) != NULL; }

uint32_t seccomp_filter_len(struct seccomp_filter_ref r)
{
	struct seccomp_filter *f = seccomp_filter_get(r);
	return f ? f->xlen : 0;
}

struct seccomp_filter_ref seccomp_filter_prev(struct seccomp_filter_ref r)
{
	struct seccomp_filter *f = seccomp_filter_get(r);
	return f ? f->prev : (struct seccomp_filter_ref){0};
}

bool seccomp_filter_logs(struct seccomp_filter_ref r)
{
	struct seccomp_filter *f = seccomp_filter_get(r);
	return f && f->log;
}

void seccomp_filter_set_log(struct seccomp_filter_ref r)
{
	struct seccomp_filter *f = seccomp_filter_get(r);
	if (f)
		f->log = true;
}

/* f (new, not yet shared) gets prev as its predecessor; takes a
 * reference on prev. */
void seccomp_filter_link(struct seccomp_filter_ref r, struct seccomp_filter_ref prev)
{
	struct seccomp_filter *f = seccomp_filter_get(r);
	if (!f)
		return;
	f->prev = prev;
	seccomp_filter_hold(prev);
}

void seccomp_filter_hold(struct seccomp_filter_ref r)
{
	struct seccomp_filter *f = seccomp_filter_get(r);
	if (f)
		f->refs++;
}

/* Drop a reference; a filter whose last reference goes drops its
 * predecessor's, iteratively (chains can be long). */
void seccomp_filter_put(struct seccomp_filter_ref r)
{
	for (;;) {
		struct seccomp_filter *f = seccomp_filter_get(r);
		if (!f || --f->refs > 0)
			return;
		struct seccomp_filter_ref prev = f->prev;
		free_chunks(r);
		r = prev;
	}
}
