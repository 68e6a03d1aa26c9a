/* SOL_TCP options: TCP_NODELAY, TCP_CORK, TCP_MAXSEG, keepalive tuning,
 * TCP_SYNCNT, TCP_LINGER2, TCP_DEFER_ACCEPT, TCP_WINDOW_CLAMP,
 * TCP_QUICKACK, TCP_USER_TIMEOUT, TCP_CONGESTION ("reno") and TCP_INFO,
 * with Linux's ranges and errors. Layer: services (safe C). */
#include "net/inet/tcp.h"

#define MAX_TCP_KEEPIDLE 32767
#define MAX_TCP_KEEPINTVL 32767
#define MAX_TCP_KEEPCNT 127
#define MAX_TCP_SYNCNT 127
#define TCP_INFO_LEN 232

static void put32(struct optval *v, uint32_t at, uint32_t x)
{
	for (uint32_t i = 0; i < 4 && at + i < sizeof(v->b); i++)
		v->b[at + i] = (uint8_t)(x >> (8 * i));
}

int tcp_setopt(struct sock_ref s, int32_t name, const struct optval *v)
{
	struct tcb_ref t = tcb_of(s);
	if (name == TCP_CONGESTION) {
		const char reno[] = "reno", cubic[] = "cubic";
		bool is_reno = v->len >= 4, is_cubic = v->len >= 5;
		for (uint32_t i = 0; i < 5; i++) {
			is_reno = is_reno && (i < 4 ? v->b[i] == (uint8_t)reno[i] : (v->len == 4 || v->b[4] == 0));
			is_cubic = is_cubic && v->b[i] == (uint8_t)cubic[i];
		}
		return is_reno || is_cubic ? 0 : -ENOENT;
	}
	int32_t x;
	if (optval_get_int(v, &x))
		return -EINVAL;
	tcp_lock(t);
	struct tcb *tp = tcb_get(t);
	int e = 0;
	switch (name) {
	case TCP_NODELAY:
		tp->nodelay = x != 0;
		if (tp->nodelay)
			tcp_output(t);
		break;
	case TCP_CORK:
		tp->cork = x != 0;
		if (!tp->cork)
			tcp_output(t);
		break;
	case TCP_MAXSEG:
		if (x && (x < TCP_MIN_MSS || x > 65535))
			e = -EINVAL;
		else
			tp->user_mss = (uint32_t)x;
		break;
	case TCP_KEEPIDLE:
		if (x < 1 || x > MAX_TCP_KEEPIDLE)
			e = -EINVAL;
		else {
			tp->keepidle = (uint32_t)x;
			tcp_keepalive_reset(t);
		}
		break;
	case TCP_KEEPINTVL:
		if (x < 1 || x > MAX_TCP_KEEPINTVL)
			e = -EINVAL;
		else
			tp->keepintvl = (uint32_t)x;
		break;
	case TCP_KEEPCNT:
		if (x < 1 || x > MAX_TCP_KEEPCNT)
			e = -EINVAL;
		else
			tp->keepcnt = (uint32_t)x;
		break;
	case TCP_SYNCNT:
		if (x < 1 || x > MAX_TCP_SYNCNT)
			e = -EINVAL;
		else
			tp->syncnt = (uint32_t)x;
		break;
	case TCP_LINGER2:
		tp->linger2 = x;
		break;
	case TCP_DEFER_ACCEPT:
		tp->defer_accept = x > 0;
		break;
	case TCP_WINDOW_CLAMP:
		if (x < 0)
			e = -EINVAL;
		else
			tp->window_clamp = (uint32_t)x;
		break;
	case TCP_QUICKACK:
		tp->quickack = x != 0;
		if (x)
			tcp_send_ack(t);
		break;
	case TCP_USER_TIMEOUT:
		if (x < 0)
			e = -EINVAL;
		else
			tp->user_timeout_ms = (uint32_t)x;
		break;
	default:
		e = -ENOPROTOOPT;
		break;
	}
	tcp_unlock(t);
	return e;
}

static void tcp_info(const struct tcb *tp, struct optval *v)
{
	for (uint32_t i = 0; i < sizeof(v->b); i++)
		v->b[i] = 0;
	v->len = TCP_INFO_LEN;
	v->b[0] = (uint8_t)tp->state;
	v->b[1] = tp->in_recovery ? 3 : 0;     /* ca_state */
	v->b[2] = (uint8_t)tp->retrans;        /* retransmits */
	v->b[3] = (uint8_t)tp->persist_probes; /* probes */
	v->b[4] = (uint8_t)tp->backoff;
	v->b[5] = tp->wscale_ok ? 4 : 0; /* options: TCPI_OPT_WSCALE */
	v->b[6] = (uint8_t)((tp->snd_wscale & 15) | ((tp->rcv_wscale & 15) << 4));
	put32(v, 8, tp->rto);                               /* rto (us) */
	put32(v, 12, 40000);                                /* ato */
	put32(v, 16, tp->mss);                              /* snd_mss */
	put32(v, 20, tp->advmss);                           /* rcv_mss */
	put32(v, 24, tcp_flight(tp) / FW_MAX(tp->mss, 1U)); /* unacked */
	put32(v, 64, tp->advmss);                           /* rcv_ssthresh area: pmtu approx */
	put32(v, 68, tp->srtt);                             /* rtt (us) */
	put32(v, 72, tp->rttvar);                           /* rttvar */
	put32(v, 76, tp->ssthresh / FW_MAX(tp->mss, 1U));
	put32(v, 80, tp->cwnd / FW_MAX(tp->mss, 1U)); /* snd_cwnd */
	put32(v, 84, tp->advmss);                     /* advmss */
	put32(v, 88, 3);                              /* reordering */
}

int tcp_getopt(struct sock_ref s, int32_t name, struct optval *v)
{
	struct tcb *tp = tcb_get(tcb_of(s));
	if (!tp)
		return -EBADF;
	uint32_t want = v->len;
	int32_t x;
	switch (name) {
	case TCP_NODELAY:
		x = tp->nodelay;
		break;
	case TCP_CORK:
		x = tp->cork;
		break;
	case TCP_MAXSEG:
		x = (int32_t)((tp->user_mss && (tp->state == TCPS_CLOSED || tp->state == TCPS_LISTEN)) ? tp->user_mss
		                                                                                       : tp->mss);
		break;
	case TCP_KEEPIDLE:
		x = (int32_t)tp->keepidle;
		break;
	case TCP_KEEPINTVL:
		x = (int32_t)tp->keepintvl;
		break;
	case TCP_KEEPCNT:
		x = (int32_t)tp->keepcnt;
		break;
	case TCP_SYNCNT:
		x = (int32_t)tp->syncnt;
		break;
	case TCP_LINGER2:
		x = tp->linger2 ? tp->linger2 : 60;
		break;
	case TCP_DEFER_ACCEPT:
		x = tp->defer_accept;
		break;
	case TCP_WINDOW_CLAMP:
		x = (int32_t)tp->window_clamp;
		break;
	case TCP_QUICKACK:
		x = tp->quickack;
		break;
	case TCP_USER_TIMEOUT:
		x = (int32_t)tp->user_timeout_ms;
		break;
	case TCP_INFO:
		tcp_info(tp, v);
		v->len = FW_MIN(want, (uint32_t)TCP_INFO_LEN);
		return 0;
	case TCP_CONGESTION: {
		const char reno[] = "reno";
		for (uint32_t i = 0; i < 16; i++)
			v->b[i] = i < 4 ? (uint8_t)reno[i] : 0;
		v->len = FW_MIN(want, 16U);
		return 0;
	}
	default:
		return -ENOPROTOOPT;
	}
	optval_int(v, x);
	return 0;
}
