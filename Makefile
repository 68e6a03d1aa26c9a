# Keel build. `make` builds the kernel and the initramfs; `make run` boots
# it; `make test` runs every suite. See README.md.
CC      := clang-19
LD      := ld.lld-19
OBJCOPY := llvm-objcopy-19
BUILD   := build
HOSTCC  := cc

ARCH_FLAGS := -target x86_64-unknown-none-elf -mcmodel=kernel -mno-red-zone \
	-mgeneral-regs-only -fno-pic -fno-pie
# Defined-behaviour and hardening flags for all kernel code (docs/safety.md).
SAFE_FLAGS := -fwrapv -fno-strict-aliasing -fno-delete-null-pointer-checks \
	-ftrivial-auto-var-init=zero -fstrict-flex-arrays=3 \
	-fsanitize=array-bounds,local-bounds,shift,integer-divide-by-zero -fno-sanitize-recover=all \
	-fno-finite-loops -Wframe-larger-than=3072
WARN_FLAGS := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
	-Werror=incompatible-pointer-types -Werror=int-conversion -Werror=unsequenced \
	-Wno-unused-parameter -Wno-sign-compare
COMMON_FLAGS := -std=gnu11 -ffreestanding -nostdinc -fno-stack-protector \
	-fno-omit-frame-pointer -fno-common -O2 -g $(ARCH_FLAGS) $(SAFE_FLAGS) $(WARN_FLAGS)
# The architecture is chosen by include path: generic framework code includes
# <arch/ops.h> (framework/arch/$(ARCH)/include), never an x86 header.
ARCH := x86_64
FW_CFLAGS  := $(COMMON_FLAGS) -Iframework/include -Iframework -Iframework/arch/$(ARCH)/include -Iuapi
# The diagnostics the wall relies on, named so that no later flag can demote
# them; safecheck --require-wall-flags refuses a service built without them
# (tools/safecheck/flags.c), and services cannot switch them off (no
# pragma, _Pragma, #line or attribute for it: docs/safety.md).
SVC_WALL_FLAGS := -Werror=frame-larger-than -Werror=format -Werror=incompatible-pointer-types \
	-Werror=incompatible-function-pointer-types -Werror=int-conversion -Werror=unsequenced \
	-Werror=strict-prototypes -Werror=missing-prototypes -Werror=implicit-function-declaration \
	-Werror=implicit-int -Werror=return-type -Werror=vla -Werror=address-of-packed-member \
	-Werror=pointer-arith
SVC_CFLAGS := $(COMMON_FLAGS) $(SVC_WALL_FLAGS) -Iframework/include -Iservices -Iuapi

FW_SRCS  := $(shell find framework -name '*.c' | sort)
FW_ASMS  := $(shell find framework -name '*.S' | sort)
SVC_SRCS := $(shell find services -name '*.c' | sort)
FW_OBJS  := $(FW_SRCS:%.c=$(BUILD)/%.o) $(FW_ASMS:%.S=$(BUILD)/%.o)
SVC_OBJS := $(SVC_SRCS:%.c=$(BUILD)/%.o)
LDSCRIPT := framework/arch/x86_64/linker.ld

KERNEL_ELF := $(BUILD)/keel.elf
KERNEL_BIN := $(BUILD)/keel.bin
INITRAMFS  := $(BUILD)/initramfs.cpio

.PHONY: all kernel run test ktest iso clean deps tcb compile_commands.json
all: deps kernel $(INITRAMFS) docs
kernel: $(KERNEL_BIN)

deps:
	@bash tools/deps.sh

-include mk/safecheck.mk
-include mk/user.mk
-include mk/docs.mk
include mk/vdso.mk
-include mk/fwonly.mk

$(BUILD)/framework/%.o: framework/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(FW_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/framework/%.o: framework/%.S
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(FW_CFLAGS) -MMD -MP -c $< -o $@
# Every service object is checked by the safe-C checker first (mk/safecheck.mk).
$(BUILD)/services/%.o: services/%.c $(BUILD)/services/%.chk
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(SVC_CFLAGS) -MMD -MP -MT $@ -MT $(@:.o=.chk) -c $< -o $@

# Two-pass link: the symbol table for backtraces sits after .data, so its
# size moves no code address between the passes.
$(BUILD)/ksyms0.S: tools/gen-ksyms.sh
	@mkdir -p $(BUILD)
	@sh tools/gen-ksyms.sh > $@
$(BUILD)/%.o: $(BUILD)/%.S
	@$(CC) $(FW_CFLAGS) -c $< -o $@
# The import wall and the cross-unit signature check run before linking.
$(BUILD)/services.wall: $(SVC_OBJS) $(SVC_OBJS:.o=.chk) $(FW_OBJS) $(BUILD)/fw-exports.txt $(BUILD)/fw-api.txt
	@echo "  WALL    services"
	@LLVM_NM=$(LLVM_NM) sh $(SAFECHECK_DIR)/import-wall.sh $(BUILD)/fw-exports.txt "$(FW_OBJS)" $(SVC_OBJS)
	@sh $(SAFECHECK_DIR)/sigcheck.sh $(BUILD)/fw-api.txt $(SVC_OBJS:.o=.sig)
	@touch $@
$(BUILD)/keel0.elf: $(FW_OBJS) $(SVC_OBJS) $(BUILD)/ksyms0.o $(LDSCRIPT) $(BUILD)/services.wall
	@echo "  LD      $@"
	@$(LD) -T $(LDSCRIPT) -nostdlib -z max-page-size=4096 -o $@ $(FW_OBJS) $(SVC_OBJS) $(BUILD)/ksyms0.o
$(BUILD)/ksyms.S: $(BUILD)/keel0.elf tools/gen-ksyms.sh
	@sh tools/gen-ksyms.sh $< > $@
$(KERNEL_ELF): $(BUILD)/keel0.elf $(BUILD)/ksyms.o
	@echo "  LD      $@"
	@$(LD) -T $(LDSCRIPT) -nostdlib -z max-page-size=4096 -o $@ $(FW_OBJS) $(SVC_OBJS) $(BUILD)/ksyms.o
$(KERNEL_BIN): $(KERNEL_ELF)
	@$(OBJCOPY) -O binary $< $@

run: all
	./keel run

iso: all
	bash tools/mkiso.sh

ktest: all
	bash tests/ktest.sh

test: all
	bash tests/run-all.sh

clean:
	rm -rf $(BUILD) $(VDSO_IMAGE)

compile_commands.json:
	bash tools/compile-commands.sh > $@

-include $(shell find $(BUILD)/framework $(BUILD)/services -name '*.d' -type f 2>/dev/null)
# -MP makes a removed header harmless to later builds; dependency files
# written before it may still name this one (moved to arch/x86_64/x86.h).
framework/internal/x86.h:
