/* TCP timers: retransmission with RTO estimation and exponential backoff
 * (RFC 6298), delayed ACKs, zero-window probes, keepalive, TIME_WAIT and
 * the FIN_WAIT_2 timeout. One framework timer per connection, armed for
 * the earliest deadline; a later deadline never re-arms it (the callback
 * finds the real deadlines and re-arms). Callbacks run in the framework's
 * timer task; a connection a call owns gets the expiry at tcp_unlock.
 * Layer: services (safe C). */
#include "net/inet/tcp.h"
#include <fw/time.h>

#define NS_PER_US 1000ULL
#define NS_PER_S 1000000000ULL
#define CLOCK_G_US 1000U /* clock granularity in RFC 6298's formula */

static uint64_t cookie_of(struct tcb_ref t) { return ((uint64_t)t.idx << 32) | t.gen; }

int tcp_timer_init(struct tcb_ref t)
{
	struct tcb *tp = tcb_get(t);
	struct fw_timer_ref tr;
	if (fw_timer_create(tcp_timer_fire, cookie_of(t), &tr))
		return -ENOBUFS;
	tp = tcb_get(t);
	tp->timer = tr;
	tp->timer_ok = true;
	return 0;
}

static uint64_t earliest(const struct tcb *tp)
{
	uint64_t d[5] = {tp->t_rexmt, tp->t_delack, tp->t_persist, tp->t_keep, tp->t_close};
	uint64_t m = 0;
	for (uint32_t i = 0; i < 5; i++)
		if (d[i] && (!m || d[i] < m))
			m = d[i];
	return m;
}

void tcp_timers_update(struct tcb_ref t)
{
	struct tcb *tp = tcb_get(t);
	if (!tp || !tp->timer_ok)
		return;
	uint64_t next = earliest(tp);
	if (!next) {
		if (tp->t_armed) {
			(void)fw_timer_arm(tp->timer, 0, 0);
			tp->t_armed = 0;
		}
		return;
	}
	if (tp->t_armed && tp->t_armed <= next)
		return;
	tp->t_armed = next;
	(void)fw_timer_arm(tp->timer, next, 0);
}

void tcp_rtt_sample(struct tcb_ref t, uint64_t rtt_us)
{
	struct tcb *tp = tcb_get(t);
	uint32_t r = (uint32_t)FW_MIN(rtt_us, (uint64_t)TCP_RTO_MAX_US);
	if (!tp->rtt_valid) {
		tp->srtt = r;
		tp->rttvar = r / 2;
		tp->rtt_valid = true;
	} else {
		uint32_t delta = tp->srtt > r ? tp->srtt - r : r - tp->srtt;
		tp->rttvar = (3 * tp->rttvar + delta) / 4;
		tp->srtt = (7 * tp->srtt + r) / 8;
	}
	uint64_t rto = (uint64_t)tp->srtt + FW_MAX((uint64_t)CLOCK_G_US, 4ULL * tp->rttvar);
	tp->rto = (uint32_t)FW_MIN(FW_MAX(rto, (uint64_t)TCP_RTO_MIN_US), (uint64_t)TCP_RTO_MAX_US);
}

static uint64_t backed_off_ns(const struct tcb *tp, uint32_t shift)
{
	uint64_t us = (uint64_t)tp->rto << FW_MIN(shift, 16U);
	return FW_MIN(us, (uint64_t)TCP_RTO_MAX_US) * NS_PER_US;
}

void tcp_set_rexmt(struct tcb_ref t)
{
	struct tcb *tp = tcb_get(t);
	if (!tp)
		return;
	tp->t_rexmt = fw_time_monotonic_ns() + backed_off_ns(tp, tp->backoff);
	tcp_timers_update(t);
}

void tcp_keepalive_reset(struct tcb_ref t)
{
	struct tcb *tp = tcb_get(t);
	struct sock *sk = tp ? sock_get(tp->sk) : NULL;
	if (!sk)
		return;
	bool on = (sk->opts & SOF_KEEPALIVE) && (tp->state == TCPS_ESTABLISHED || tp->state == TCPS_CLOSE_WAIT);
	tp->t_keep = on ? tp->last_rcv_ns + (uint64_t)tp->keepidle * NS_PER_S : 0;
	tp->keep_probes = 0;
	tcp_timers_update(t);
}

static bool rexmt_timeout(struct tcb_ref t)
{
	struct tcb *tp = tcb_get(t);
	uint32_t limit = tp->state == TCPS_SYN_SENT   ? tp->syncnt
	                 : tp->state == TCPS_SYN_RECV ? TCP_SYNACK_RETRIES
	                                              : TCP_RETRIES2;
	if (tp->retrans >= limit) {
		if (tp->state == TCPS_SYN_RECV)
			tcp_set_state(t, TCPS_CLOSED);
		else
			tcp_abort(t, tp->soft_err ? tp->soft_err : ETIMEDOUT);
		return false;
	}
	tp->retrans++;
	tp->backoff++;
	tp->rtt_timing = false;
	if (tp->state == TCPS_SYN_SENT || tp->state == TCPS_SYN_RECV) {
		tcp_retransmit(t);
		tcp_set_rexmt(t);
		return true;
	}
	uint32_t flight = tcp_flight(tp);
	tp->ssthresh = FW_MAX(flight / 2, 2 * tp->mss);
	tp->cwnd = tp->mss;
	tp->in_recovery = false;
	tp->dupacks = 0;
	/* go back to the first unacknowledged byte */
	tp->snd_nxt = tp->snd_una;
	if (tp->fin_sent && tp->snd_una != tp->snd_max)
		tp->fin_sent = false;
	tp->t_rexmt = 0;
	net_stats()->tcp_retrans++;
	tcp_output(t);
	tp = tcb_get(t);
	if (tp && !tp->t_rexmt && tp->snd_una != tp->snd_max)
		tcp_set_rexmt(t);
	return true;
}

static void persist_probe(struct tcb_ref t)
{
	struct tcb *tp = tcb_get(t);
	tp->persist_probes++;
	(void)tcp_send_ctl(t, TH_ACK, tp->snd_una - 1);
	tp = tcb_get(t);
	tp->t_persist = fw_time_monotonic_ns() + backed_off_ns(tp, tp->persist_probes);
}

static bool keepalive(struct tcb_ref t, uint64_t now)
{
	struct tcb *tp = tcb_get(t);
	uint64_t idle_end = tp->last_rcv_ns + (uint64_t)tp->keepidle * NS_PER_S;
	if (now < idle_end) {
		tp->t_keep = idle_end;
		return true;
	}
	if (tp->keep_probes >= tp->keepcnt) {
		tcp_abort(t, ETIMEDOUT);
		return false;
	}
	tp->keep_probes++;
	(void)tcp_send_ctl(t, TH_ACK, tp->snd_una - 1);
	tp = tcb_get(t);
	tp->t_keep = now + (uint64_t)tp->keepintvl * NS_PER_S;
	return true;
}

void tcp_handle_timers(struct tcb_ref t)
{
	uint64_t now = fw_time_monotonic_ns();
	struct tcb *tp = tcb_get(t);
	if (!tp)
		return;
	if (tp->t_delack && now >= tp->t_delack) {
		tp->t_delack = 0;
		tcp_send_ack(t);
	}
	tp = tcb_get(t);
	if (tp->t_rexmt && now >= tp->t_rexmt) {
		tp->t_rexmt = 0;
		if (!rexmt_timeout(t))
			return;
	}
	tp = tcb_get(t);
	if (tp->t_persist && now >= tp->t_persist)
		persist_probe(t);
	tp = tcb_get(t);
	if (tp->t_keep && now >= tp->t_keep && !keepalive(t, now))
		return;
	tp = tcb_get(t);
	if (tp->t_close && now >= tp->t_close) {
		tp->t_close = 0;
		tcp_set_state(t, TCPS_CLOSED);
		return;
	}
	tcp_timers_update(t);
}

void tcp_timer_fire(uint64_t cookie)
{
	struct tcb_ref t = {(uint32_t)(cookie >> 32), (uint32_t)cookie};
	struct tcb *tp = tcb_get(t);
	if (!tp)
		return;
	tp->t_armed = 0;
	if (tp->owned) {
		tp->deferred_timer = true;
		return;
	}
	tcp_lock(t);
	tcp_handle_timers(t);
	tcp_unlock(t);
}
