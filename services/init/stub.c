#include <fw/upcall.h>
#include <fw/console.h>
#include <fw/log.h>

void svc_main(void)
{
	char msg[] = "hello from services\n";
	fw_console_write(&msg, sizeof(msg) - 1);
	fw_info("svc_main done");
}
void svc_syscall(struct fw_uregs *regs) { regs->rax = -38; }
void svc_user_fault(struct fw_uregs *regs, const struct fw_fault *fault) { fw_task_exit(); }
int svc_resolve_user_fault(uint64_t addr, bool write) { return -14; }
void svc_return_to_user(struct fw_uregs *regs) {}
