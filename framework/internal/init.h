/* Cross-file entry points inside the framework (bring-up order lives in
 * main.c). Layer: framework (trusted, internal). */
#ifndef INTERNAL_INIT_H
#define INTERNAL_INIT_H

#include <fw/types.h>

void kmain(uint32_t magic, uint64_t info);
void console_init(void);
void console_rx_irq(void);
void random_init(void);
void time_init(void);
void timer_tick(void);
void ktest_run_all(const char *filter);
uint64_t early_frame(void);
void early_frames_init(void);
void frames_init(void);
void kalloc_init(void);
void log_set_level(int level);
long uaccess_copy(void *dst, const void *src, size_t n);
struct task;
void waitq_remove(struct task *t);

#endif
