/* SOL_SOCKET options, the same for every protocol (Linux's sk_setsockopt
 * and sk_getsockopt rules: clamps, doubling of buffer sizes, timeval
 * checks). Other levels go to the protocol. Layer: services (safe C).
 * Trusts only the option bytes' length, which the syscall layer took
 * from the caller and capped at sizeof(struct optval.b). */
#include "net/socket.h"

#define WMEM_MAX SOCK_BUF_DEFAULT
#define RMEM_MAX SOCK_BUF_DEFAULT
#define NS_PER_US 1000ULL
#define NS_PER_S 1000000000ULL
/* SO_RCVTIMEO with a negative time: Linux's zero timeout (never block). */
#define TIMEO_ZERO 1

void optval_int(struct optval *v, int32_t x)
{
	v->len = 4;
	for (uint32_t i = 0; i < 4; i++)
		v->b[i] = (uint8_t)((uint32_t)x >> (8 * i));
}

int optval_get_int(const struct optval *v, int32_t *x)
{
	if (v->len < 4)
		return -EINVAL;
	uint32_t u = 0;
	for (uint32_t i = 0; i < 4; i++)
		u |= (uint32_t)v->b[i] << (8 * i);
	*x = (int32_t)u;
	return 0;
}

static uint64_t get_u64(const struct optval *v, uint32_t at)
{
	uint64_t u = 0;
	for (uint32_t i = 0; i < 8 && at + i < sizeof(v->b); i++)
		u |= (uint64_t)v->b[at + i] << (8 * i);
	return u;
}

static void put_u64(struct optval *v, uint32_t at, uint64_t u)
{
	for (uint32_t i = 0; i < 8 && at + i < sizeof(v->b); i++)
		v->b[at + i] = (uint8_t)(u >> (8 * i));
}

static int set_timeout(uint64_t *dst, const struct optval *v)
{
	if (v->len < 16)
		return -EINVAL;
	int64_t sec = (int64_t)get_u64(v, 0), usec = (int64_t)get_u64(v, 8);
	if (usec < 0 || usec >= 1000000)
		return -EDOM;
	if (sec < 0) {
		*dst = TIMEO_ZERO;
		return 0;
	}
	if ((uint64_t)sec > (UINT64_MAX / NS_PER_S) - 1) {
		*dst = 0;
		return 0;
	}
	*dst = (uint64_t)sec * NS_PER_S + (uint64_t)usec * NS_PER_US;
	return 0;
}

static void get_timeout(struct optval *v, uint64_t t)
{
	if (t == TIMEO_ZERO)
		t = 0;
	v->len = 16;
	put_u64(v, 0, t / NS_PER_S);
	put_u64(v, 8, (t % NS_PER_S) / NS_PER_US);
}

static uint32_t flag_of(int32_t name)
{
	switch (name) {
	case SO_DEBUG:
		return SOF_DEBUG;
	case SO_REUSEADDR:
		return SOF_REUSEADDR;
	case SO_KEEPALIVE:
		return SOF_KEEPALIVE;
	case SO_PASSCRED:
		return SOF_PASSCRED;
	case SO_BROADCAST:
		return SOF_BROADCAST;
	case SO_DONTROUTE:
		return SOF_DONTROUTE;
	case SO_OOBINLINE:
		return SOF_OOBINLINE;
	case SO_REUSEPORT:
		return SOF_REUSEPORT;
	default:
		return 0;
	}
}

static uint32_t buf_size(int32_t val, uint32_t max, uint32_t min, bool force)
{
	uint32_t u = (uint32_t)val;
	if (force)
		u = val < 0 ? 0 : u;
	else if (u > max)
		u = max;
	if (u > INT32_MAX / 2)
		u = INT32_MAX / 2;
	return FW_MAX(u * 2, min);
}

static int set_int_opt(struct sock *sk, int32_t name, int32_t val)
{
	switch (name) {
	case SO_SNDBUF:
	case SO_SNDBUFFORCE:
		sk->sndbuf = buf_size(val, WMEM_MAX, SOCK_MIN_SNDBUF, name == SO_SNDBUFFORCE);
		sk->sndbuf_set = true;
		return 0;
	case SO_RCVBUF:
	case SO_RCVBUFFORCE:
		sk->rcvbuf = buf_size(val, RMEM_MAX, SOCK_MIN_RCVBUF, name == SO_RCVBUFFORCE);
		sk->rcvbuf_set = true;
		return 0;
	case SO_PRIORITY:
		sk->priority = (uint32_t)val;
		return 0;
	case SO_RCVLOWAT:
		sk->rcvlowat = val < 0 ? INT32_MAX : val == 0 ? 1 : val;
		return 0;
	case SO_NO_CHECK:
	case SO_BSDCOMPAT:
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

int sock_setsockopt(struct sock_ref s, int32_t level, int32_t name, const struct optval *v)
{
	if (level != SOL_SOCKET)
		return sock_proto_setopt(s, level, name, v);
	struct sock *sk = sock_get(s);
	if (!sk)
		return -EBADF;
	if (name == SO_RCVTIMEO || name == SO_SNDTIMEO) {
		int e = set_timeout(name == SO_RCVTIMEO ? &sk->rcvtimeo : &sk->sndtimeo, v);
		if (e == 0)
			sock_changed(s);
		return e;
	}
	if (name == SO_LINGER) {
		if (v->len < sizeof(struct linux_linger))
			return -EINVAL;
		int32_t on, secs;
		struct optval tail = {0};
		tail.len = 4;
		for (uint32_t i = 0; i < 4; i++)
			tail.b[i] = v->b[4 + i];
		if (optval_get_int(v, &on) || optval_get_int(&tail, &secs))
			return -EINVAL;
		sk->linger.l_onoff = on ? 1 : 0;
		sk->linger.l_linger = secs < 0 ? 0 : secs;
		return 0;
	}
	int32_t val;
	if (optval_get_int(v, &val))
		return -EINVAL;
	uint32_t flag = flag_of(name);
	if (flag) {
		sk->opts = val ? sk->opts | flag : sk->opts & ~flag;
		/* the protocol may act on it (TCP keepalive timers) */
		int e = sock_proto_setopt(s, level, name, v);
		return e == -ENOPROTOOPT || e == -EOPNOTSUPP ? 0 : e;
	}
	int e = set_int_opt(sk, name, val);
	if (e == 0) {
		(void)sock_proto_setopt(s, level, name, v);
		sock_changed(s);
	}
	return e;
}

int sock_getsockopt(struct sock_ref s, int32_t level, int32_t name, struct optval *v)
{
	if (level != SOL_SOCKET)
		return sock_proto_getopt(s, level, name, v);
	struct sock *sk = sock_get(s);
	if (!sk)
		return -EBADF;
	uint32_t flag = flag_of(name);
	if (flag) {
		optval_int(v, (sk->opts & flag) ? 1 : 0);
		return 0;
	}
	switch (name) {
	case SO_TYPE:
		optval_int(v, sk->type);
		return 0;
	case SO_PROTOCOL:
		optval_int(v, sk->protocol);
		return 0;
	case SO_DOMAIN:
		optval_int(v, sk->family);
		return 0;
	case SO_ERROR:
		optval_int(v, -sock_take_error(s));
		return 0;
	case SO_ACCEPTCONN:
		optval_int(v, sk->listening ? 1 : 0);
		return 0;
	case SO_SNDBUF:
		optval_int(v, (int32_t)sk->sndbuf);
		return 0;
	case SO_RCVBUF:
		optval_int(v, (int32_t)sk->rcvbuf);
		return 0;
	case SO_PRIORITY:
		optval_int(v, (int32_t)sk->priority);
		return 0;
	case SO_RCVLOWAT:
		optval_int(v, sk->rcvlowat);
		return 0;
	case SO_SNDLOWAT:
		optval_int(v, 1);
		return 0;
	case SO_NO_CHECK:
	case SO_BSDCOMPAT:
		optval_int(v, 0);
		return 0;
	case SO_RCVTIMEO:
		get_timeout(v, sk->rcvtimeo);
		return 0;
	case SO_SNDTIMEO:
		get_timeout(v, sk->sndtimeo);
		return 0;
	case SO_LINGER: {
		struct optval t = {0};
		optval_int(v, sk->linger.l_onoff);
		optval_int(&t, sk->linger.l_linger);
		for (uint32_t i = 0; i < 4; i++)
			v->b[4 + i] = t.b[i];
		v->len = 8;
		return 0;
	}
	case SO_PEERCRED: {
		struct linux_ucred c = sk->peer_cred;
		if (!sk->has_peer_cred) {
			c.pid = 0;
			c.uid = UINT32_MAX;
			c.gid = UINT32_MAX;
		}
		struct optval t = {0};
		optval_int(v, c.pid);
		optval_int(&t, (int32_t)c.uid);
		for (uint32_t i = 0; i < 4; i++)
			v->b[4 + i] = t.b[i];
		optval_int(&t, (int32_t)c.gid);
		for (uint32_t i = 0; i < 4; i++)
			v->b[8 + i] = t.b[i];
		v->len = 12;
		return 0;
	}
	default:
		return sock_proto_getopt(s, level, name, v);
	}
}
