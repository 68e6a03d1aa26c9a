/* 16550 UART driver used by the framework for the console (COM1) and the
 * kernel log (COM2). Layer: framework/console (trusted, internal). */
#ifndef INTERNAL_SERIAL_H
#define INTERNAL_SERIAL_H

#include <fw/types.h>

#define COM1 0x3F8
#define COM2 0x2F8

void serial_init(uint16_t port);
void serial_putc(uint16_t port, char c);
void serial_write(uint16_t port, const char *s, size_t n);
/* Enable the receive interrupt on COM1 (IRQ 4). */
void serial_enable_rx_irq(uint16_t port);
/* Non-blocking read: -1 when nothing is pending. */
int serial_try_getc(uint16_t port);

#endif
