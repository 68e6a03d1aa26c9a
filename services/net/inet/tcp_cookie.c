/* SYN cookies: when a listener's SYN queue is full, answer a SYN with a
 * SYN-ACK whose sequence number encodes what the connection needs (a
 * time counter and the MSS, under a keyed hash of the addresses and
 * ports) and keep no state; the ACK that completes the handshake proves
 * the peer exists and re-creates the connection. A SYN flood then costs
 * no memory and real clients still connect. Window scaling is not
 * recorded (as Linux without timestamps). Layer: services (safe C). */
#include "net/inet/tcp.h"
#include <fw/console.h>
#include <fw/time.h>

#define COOKIE_PERIOD_S 64 /* the counter moves every 64 s; a cookie lives 2 periods */
#define COOKIE_MASK 0xffffffU

static const uint16_t cookie_mss[8] = {536, 1300, 1440, 1460, 4312, 8960, 16384, 65483};

struct cookie_state {
	uint64_t secret[2];
	bool keyed;
};
FW_GLOBAL(struct cookie_state, cookie_state);

static uint32_t keyed_hash(uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport, uint32_t salt)
{
	struct cookie_state *c = cookie_state();
	if (!c->keyed) {
		fw_random_fill(&c->secret, sizeof(c->secret));
		c->keyed = true;
	}
	uint64_t h = c->secret[0] ^ ((uint64_t)saddr << 32 | daddr);
	h = (h ^ (h >> 31)) * 0x7fb5d329728ea185ULL;
	h ^= ((uint64_t)sport << 48 | (uint64_t)dport << 32 | salt) ^ c->secret[1];
	h = (h ^ (h >> 27)) * 0x81dadef4bc2dd44dULL;
	h ^= h >> 33;
	h = (h ^ c->secret[0]) * 0x9e3779b97f4a7c15ULL;
	return (uint32_t)(h >> 32);
}

static uint32_t counter_now(void) { return (uint32_t)(fw_time_monotonic_ns() / 1000000000ULL / COOKIE_PERIOD_S); }

uint32_t tcp_cookie_make(const struct pkt *syn, uint32_t advmss, uint32_t *mss)
{
	uint32_t peer = syn->opt_mss ? syn->opt_mss : TCP_MSS_DEFAULT;
	uint32_t idx = 0;
	for (uint32_t i = 0; i < 8; i++)
		if (cookie_mss[i] <= peer && cookie_mss[i] <= advmss)
			idx = i;
	*mss = cookie_mss[idx];
	uint32_t t = counter_now() & 0xff;
	uint32_t h1 = keyed_hash(syn->saddr, syn->sport, syn->daddr, syn->dport, 0);
	uint32_t h2 = keyed_hash(syn->saddr, syn->sport, syn->daddr, syn->dport, t + 1);
	return h1 + syn->seq + (t << 24) + ((h2 + idx) & COOKIE_MASK);
}

bool tcp_cookie_check(const struct pkt *ack, uint32_t *mss)
{
	uint32_t isn = ack->seq - 1, cookie = ack->ack - 1;
	uint32_t h1 = keyed_hash(ack->saddr, ack->sport, ack->daddr, ack->dport, 0);
	uint32_t c = cookie - h1 - isn;
	uint32_t t = c >> 24, now = counter_now() & 0xff;
	if (((now - t) & 0xff) > 1)
		return false;
	uint32_t h2 = keyed_hash(ack->saddr, ack->sport, ack->daddr, ack->dport, t + 1);
	uint32_t idx = (c - h2) & COOKIE_MASK;
	if (idx >= 8)
		return false;
	*mss = cookie_mss[idx];
	return true;
}
