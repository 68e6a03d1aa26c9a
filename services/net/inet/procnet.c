/* /proc/net/tcp, /proc/net/udp, /proc/net/route and /proc/net/snmp in
 * Linux's formats (netstat, ss and route read them). Layer: services
 * (safe C). Addresses are printed as Linux prints them: the network-order
 * word as a host number in hexadecimal; kernel pointers as zeros. */
#include "net/inet/tcp.h"

#define TCP_LINE 150
#define UDP_LINE 128
#define ROUTE_LINE 128

static void pad_to(struct ptext *t, uint32_t col)
{
	while (t->col < col - 1 && !t->err)
		pt_char(t, ' ');
	pt_char(t, '\n');
}

static void addr_port(struct ptext *t, uint32_t addr, uint16_t port)
{
	pt_hex_upper(t, be32(addr), 8);
	pt_char(t, ':');
	pt_hex_upper(t, port, 4);
}

/* "tr:tm->when" as Linux prints them: 1 retransmission, 4 zero-window
 * probe, 2 keepalive (or the FIN_WAIT_2 timeout), 3 TIME_WAIT; the time
 * left in clock ticks (USER_HZ 100). */
static void timer_cols(struct ptext *t, const struct tcb *tp, uint32_t st)
{
	uint64_t when = 0;
	uint32_t tr = 0;
	if (tp->t_rexmt) {
		tr = 1;
		when = tp->t_rexmt;
	} else if (tp->t_persist) {
		tr = 4;
		when = tp->t_persist;
	} else if (st == TCPS_TIME_WAIT && tp->t_close) {
		tr = 3;
		when = tp->t_close;
	} else if (tp->t_keep || tp->t_close) {
		tr = 2;
		when = tp->t_keep ? tp->t_keep : tp->t_close;
	}
	uint64_t now = fw_time_monotonic_ns();
	uint64_t left = tr && when > now ? (when - now) / 10000000ULL : 0;
	pt_hex_upper(t, tr, 2);
	pt_char(t, ':');
	pt_hex_upper(t, left, 8);
}

static void tcp_line(struct ptext *t, uint32_t sl, struct inet_ref r)
{
	struct inet *ip = inet_get(r);
	struct tcb *tp = ip ? tcb_get(ip->tcb) : NULL;
	struct sock *sk = ip ? sock_get(ip->sk) : NULL;
	if (!tp || !sk)
		return;
	uint32_t st = tp->state == TCPS_CLOSED ? 7 : tp->state;
	pt_u64w(t, sl, 4);
	PT_LIT(t, ": ");
	addr_port(t, ip->laddr, ip->lport);
	pt_char(t, ' ');
	addr_port(t, ip->raddr, ip->rport);
	pt_char(t, ' ');
	pt_hex_upper(t, st, 2);
	pt_char(t, ' ');
	pt_hex_upper(t, st == TCPS_LISTEN ? 0 : tp->snd_len, 8);
	pt_char(t, ':');
	pt_hex_upper(t, st == TCPS_LISTEN ? tp->acq_len : tp->rcvq.bytes - tp->rcv_off, 8);
	pt_char(t, ' ');
	timer_cols(t, tp, st);
	pt_char(t, ' ');
	pt_hex_upper(t, tp->retrans, 8);
	pt_char(t, ' ');
	pt_u64w(t, sk->uid, 5);
	pt_char(t, ' ');
	pt_u64w(t, tp->keep_probes, 8);
	pt_char(t, ' ');
	pt_u64(t, tp->orphan ? 0 : sk->ino);
	PT_LIT(t, " 1 0000000000000000 ");
	pt_u64(t, tp->rto / 10000);
	PT_LIT(t, " 4 0 ");
	pt_u64(t, tp->cwnd / FW_MAX(tp->mss, 1U));
	pt_char(t, ' ');
	pt_i64(t, st == TCPS_LISTEN
	                  ? 0
	                  : (tp->ssthresh >= 0x7fffffff ? -1 : (int64_t)(tp->ssthresh / FW_MAX(tp->mss, 1U))));
	pad_to(t, TCP_LINE);
}

void inet_proc_tcp(struct ptext *t)
{
	PT_LIT(t, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode");
	pad_to(t, TCP_LINE);
	uint32_t sl = 0;
	for (struct inet_ref r = bind_next(BT_TCP, (struct inet_ref){0}); inet_ref_valid(r); r = bind_next(BT_TCP, r)) {
		struct tcb *tp = tcb_get(inet_get(r)->tcb);
		if (tp && tp->state == TCPS_LISTEN)
			tcp_line(t, sl++, r);
	}
	for (struct inet_ref r = conn_next((struct inet_ref){0}); inet_ref_valid(r); r = conn_next(r))
		tcp_line(t, sl++, r);
}

void inet_proc_udp(struct ptext *t)
{
	PT_LIT(t,
	       "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref "
	       "pointer drops");
	pad_to(t, UDP_LINE);
	for (struct inet_ref r = bind_next(BT_UDP, (struct inet_ref){0}); inet_ref_valid(r); r = bind_next(BT_UDP, r)) {
		struct inet *ip = inet_get(r);
		struct sock *sk = sock_get(ip->sk);
		if (!sk)
			continue;
		pt_u64w(t, ip->lport % 128, 5);
		PT_LIT(t, ": ");
		addr_port(t, ip->laddr, ip->lport);
		pt_char(t, ' ');
		addr_port(t, ip->raddr, ip->rport);
		pt_char(t, ' ');
		pt_hex_upper(t, ip->connected ? 1 : 7, 2);
		PT_LIT(t, " 00000000:");
		pt_hex_upper(t, ip->rq.mem, 8);
		PT_LIT(t, " 00:00000000 00000000 ");
		pt_u64w(t, sk->uid, 5);
		PT_LIT(t, "        0 ");
		pt_u64(t, sk->ino);
		PT_LIT(t, " 2 0000000000000000 ");
		pt_u64(t, ip->drops);
		pad_to(t, UDP_LINE);
	}
}

static void route_line(struct ptext *t, const struct netdev *d, uint32_t dst, uint32_t gw, uint32_t flags,
                       uint32_t mask)
{
	uint32_t n = 0;
	while (n < IFNAMSIZ && d->name[n])
		pt_char(t, d->name[n++]);
	pt_char(t, '\t');
	pt_hex_upper(t, be32(dst), 8);
	pt_char(t, '\t');
	pt_hex_upper(t, be32(gw), 8);
	pt_char(t, '\t');
	pt_hex_upper(t, flags, 4);
	PT_LIT(t, "\t0\t0\t0\t");
	pt_hex_upper(t, be32(mask), 8);
	PT_LIT(t, "\t0\t0\t0");
	pad_to(t, ROUTE_LINE);
}

void inet_proc_route(struct ptext *t)
{
	PT_LIT(t, "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT");
	pad_to(t, ROUTE_LINE);
	struct netdev *dd = netdev_get(route_default_if());
	if (dd && route_default_gw())
		route_line(t, dd, 0, route_default_gw(), 0x3, 0);
	for (uint32_t i = 1; i <= NETDEV_MAX; i++) {
		struct netdev *d = netdev_get(i);
		if (d && d->kind != ND_LOOPBACK && d->addr && (d->flags & IFF_UP))
			route_line(t, d, d->addr & d->netmask, 0, 0x1, d->netmask);
	}
}

struct snmp_vals {
	uint64_t v[20];
};

static void snmp_row(struct ptext *t, const char (*name)[8], const struct snmp_vals *v, uint32_t n)
{
	for (uint32_t i = 0; i < 8 && (*name)[i]; i++)
		pt_char(t, (*name)[i]);
	pt_char(t, ':');
	for (uint32_t i = 0; i < n && i < 20; i++) {
		pt_char(t, ' ');
		pt_u64(t, v->v[i]);
	}
	pt_char(t, '\n');
}

void inet_proc_snmp(struct ptext *t)
{
	struct net_stats *s = net_stats();
	const char ipn[8] = "Ip", icmpn[8] = "Icmp", tcpn[8] = "Tcp", udpn[8] = "Udp";
	PT_LIT(t, "Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos "
	          "InDiscards InDelivers OutRequests OutDiscards OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs "
	          "ReasmFails FragOKs FragFails FragCreates\n");
	struct snmp_vals ip = {{2, 64, s->ip_in, s->ip_in_hdr_errors, s->ip_in_addr_errors, 0, s->ip_in_unknown_proto,
	                        s->ip_in_discards, s->ip_in_delivers, s->ip_out, 0, s->ip_out_no_routes, 0,
	                        s->ip_frag_dropped, 0, s->ip_frag_dropped, 0, 0, 0}};
	snmp_row(t, &ipn, &ip, 19);
	PT_LIT(t, "Icmp: InMsgs InErrors OutMsgs\n");
	struct snmp_vals ic = {{s->icmp_in, s->icmp_in_errors, s->icmp_out}};
	snmp_row(t, &icmpn, &ic, 3);
	PT_LIT(t, "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets "
	          "CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors\n");
	struct snmp_vals tc = {{1, 200, 120000, 0, s->tcp_active_opens, s->tcp_passive_opens, s->tcp_attempt_fails,
	                        s->tcp_estab_resets, tcb_count(), s->tcp_in, s->tcp_out, s->tcp_retrans, s->tcp_in_errs,
	                        s->tcp_rst_out, 0}};
	snmp_row(t, &tcpn, &tc, 15);
	PT_LIT(t, "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors\n");
	struct snmp_vals ud = {{s->udp_in, s->udp_no_ports, s->udp_in_errors, s->udp_out, s->udp_rcvbuf_errors, 0, 0}};
	snmp_row(t, &udpn, &ud, 7);
}
