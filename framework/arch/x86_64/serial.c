/* 16550 UART on the PC COM ports, polled transmit. Layer: framework/arch
 * (trusted).
 * Trusts: the PC's standard COM port addresses. */
#include "internal/serial.h"
#include "arch/x86_64/x86.h"

void serial_init(uint16_t port)
{
	outb(port + 1, 0x00); /* no interrupts yet */
	outb(port + 3, 0x80); /* DLAB */
	outb(port + 0, 0x01); /* 115200 baud */
	outb(port + 1, 0x00);
	outb(port + 3, 0x03); /* 8N1 */
	outb(port + 2, 0xC7); /* FIFO on, cleared */
	outb(port + 4, 0x0B); /* DTR, RTS, OUT2 (IRQ gate) */
}

void serial_putc(uint16_t port, char c)
{
	/* Transmit holding register empty? Under QEMU it always is. */
	while ((inb(port + 5) & 0x20) == 0)
		;
	outb(port, (uint8_t)c);
}

void serial_write(uint16_t port, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		serial_putc(port, s[i]);
}

void serial_enable_rx_irq(uint16_t port) { outb(port + 1, 0x01); }

int serial_try_getc(uint16_t port)
{
	if ((inb(port + 5) & 0x01) == 0)
		return -1;
	return inb(port);
}
