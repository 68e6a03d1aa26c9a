/* Console I/O for services, boot information, initrd access, randomness and
 * power. Layer: framework/console (trusted). */
#include "internal/init.h"
#include "internal/arch.h"
#include "internal/boot.h"
#include "internal/lib.h"
#include "internal/mm.h"
#include "internal/serial.h"
#include "internal/task.h"
#include <fw/console.h>
#include <fw/log.h>
#include <fw/wait.h>
#include <abi/errno.h>

#define RX_SIZE 4096

static uint8_t rx_buf[RX_SIZE];
static uint32_t rx_head, rx_tail; /* head: next write; tail: next read */
static struct kwaitq_ref rx_q;

void console_init(void)
{
	if (kwaitq_create(&rx_q) < 0)
		fw_panic("console: no wait queue");
	serial_enable_rx_irq(COM1);
	arch_irq_unmask(4);
}

/* IRQ 4: drain the UART into the ring. */
void console_rx_irq(void)
{
	int c;
	bool any = false;
	while ((c = serial_try_getc(COM1)) >= 0) {
		if (rx_head - rx_tail < RX_SIZE)
			rx_buf[rx_head++ % RX_SIZE] = (uint8_t)c;
		any = true;
	}
	if (any)
		kwaitq_wake_all(rx_q);
}

/* Both return a byte count as int: a count that does not fit is refused
 * rather than turned into something that looks like an errno. */
int fw_console_write_raw(const void *buf, size_t cap, size_t n)
{
	if (n > cap || n > INT32_MAX)
		return -EINVAL;
	serial_write(COM1, buf, n);
	return (int)n;
}

uint32_t fw_console_pending(void) { return rx_head - rx_tail; }

int fw_console_read_raw(void *buf, size_t cap, size_t n, bool nonblock)
{
	if (n > cap || n > INT32_MAX)
		return -EINVAL;
	if (n == 0)
		return 0;
	uint8_t *out = buf;
	for (;;) {
		irq_disable();
		if (rx_head != rx_tail)
			break;
		if (nonblock) {
			irq_enable();
			return -EAGAIN;
		}
		/* Still with interrupts off: the wait queues us before the IRQ
		 * handler can run, so no byte slips between check and sleep. */
		int r = kwaitq_wait(rx_q, 0, true);
		irq_enable();
		if (r == -EINTR || r == -EDEADLK) /* EDEADLK: no sleeping in the resolver */
			return r;
	}
	size_t got = 0;
	while (got < n && rx_head != rx_tail)
		out[got++] = rx_buf[rx_tail++ % RX_SIZE];
	irq_enable();
	return (int)got;
}

int fw_boot_cmdline_raw(void *buf, size_t cap)
{
	if (cap == 0)
		return -EINVAL;
	size_t n = strlen(boot_info.cmdline);
	if (n >= cap)
		n = cap - 1;
	memcpy(buf, boot_info.cmdline, n);
	((char *)buf)[n] = 0; /* SAFETY: n <= cap - 1 */
	return (int)n;
}

uint64_t fw_initrd_size(void) { return boot_info.initrd_end - boot_info.initrd_start; }

static bool initrd_range_ok(uint64_t off, uint64_t n) { return off <= fw_initrd_size() && n <= fw_initrd_size() - off; }

int fw_initrd_read_raw(uint64_t off, void *buf, size_t cap, size_t n)
{
	if (n > cap || !initrd_range_ok(off, n))
		return -EINVAL;
	/* SAFETY: off + n <= initrd size (checked) and n <= cap = sizeof(*buf);
	 * the initrd is RAM the frame allocator never hands out. */
	memcpy(buf, phys_to_virt(boot_info.initrd_start + off), n);
	return 0;
}

int fw_initrd_to_frame(uint64_t off, struct fw_frame_ref f, uint32_t foff, uint32_t n)
{
	if (!initrd_range_ok(off, n))
		return -EINVAL;
	return fw_frame_write_raw(f, foff, phys_to_virt(boot_info.initrd_start + off), n, 0, n);
}

static uint64_t rng_state[4];

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t next_random(void)
{
	uint64_t v;
	if (arch_random64(&v))
		return v;
	/* xoshiro256** */
	uint64_t *s = rng_state;
	uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

void random_init(void)
{
	uint64_t seed = arch_cycles() ^ (arch_rtc_epoch_seconds() << 20);
	for (int i = 0; i < 4; i++) {
		seed += 0x9E3779B97F4A7C15ULL;
		uint64_t z = seed;
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
		z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
		rng_state[i] = z ^ (z >> 31);
	}
}

void fw_random_raw(void *buf, size_t cap, size_t n)
{
	uint8_t *p = buf;
	if (n > cap)
		n = cap;
	for (size_t i = 0; i < n; i += 8) {
		uint64_t v = next_random();
		for (size_t j = 0; j < 8 && i + j < n; j++)
			p[i + j] = (uint8_t)(v >> (8 * j));
	}
}

FW_NORETURN void fw_power_off(int code)
{
	fw_info("power off (code %d)", code);
	arch_power_off(code);
}

FW_NORETURN void fw_reboot(void) { arch_reset(); }
