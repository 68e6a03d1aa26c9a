# mk/fwonly.mk — a kernel made of the framework alone plus its ktests.
#
# Layer: build system. Included by the top-level Makefile (FW_OBJS, LD,
# LDSCRIPT, OBJCOPY, BUILD). The framework names no service symbol (upcalls
# are registered at run time, <fw/upcall.h>), so it links without
# services/; the ktests written against the public API (services/ktest/,
# checked safe C that includes only <fw/...>) come along, and pass the
# import wall on their own. `make fw-only-ktest` builds and boots it.
FWONLY   := $(BUILD)/fw-only
KT_SRCS  := $(sort $(wildcard services/ktest/*.c))
KT_OBJS  := $(KT_SRCS:%.c=$(BUILD)/%.o)

.PHONY: fw-only fw-only-ktest
fw-only: deps $(FWONLY)/keel.bin

$(FWONLY)/wall: $(KT_OBJS) $(FW_OBJS) $(BUILD)/fw-exports.txt
	@mkdir -p $(FWONLY)
	@LLVM_NM=$(LLVM_NM) sh $(SAFECHECK_DIR)/import-wall.sh $(BUILD)/fw-exports.txt "$(FW_OBJS)" $(KT_OBJS) >/dev/null
	@touch $@
$(FWONLY)/keel0.elf: $(FW_OBJS) $(KT_OBJS) $(BUILD)/ksyms0.o $(LDSCRIPT) $(FWONLY)/wall
	@echo "  LD      $@"
	@$(LD) -T $(LDSCRIPT) -nostdlib -z max-page-size=4096 -o $@ $(FW_OBJS) $(KT_OBJS) $(BUILD)/ksyms0.o
$(FWONLY)/ksyms.S: $(FWONLY)/keel0.elf tools/gen-ksyms.sh
	@sh tools/gen-ksyms.sh $< > $@
$(FWONLY)/keel.elf: $(FWONLY)/keel0.elf $(FWONLY)/ksyms.o
	@echo "  LD      $@"
	@$(LD) -T $(LDSCRIPT) -nostdlib -z max-page-size=4096 -o $@ $(FW_OBJS) $(KT_OBJS) $(FWONLY)/ksyms.o
$(FWONLY)/keel.bin: $(FWONLY)/keel.elf
	@$(OBJCOPY) -O binary $< $@

fw-only-ktest: fw-only
	bash tests/fw-only.sh
