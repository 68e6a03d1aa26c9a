# mk/safecheck.mk — the safe-C checker, the import wall, sigcheck and tcb.
#
# Layer: build system. Included by the top-level Makefile, which provides:
#   CC          the kernel compiler (clang-19)
#   SVC_CFLAGS  the full flags services are compiled with
#               (-nostdinc -Iframework/include -Iservices ...)
#   BUILD       the build directory (build)
# and makes each build/services/%.o depend on build/services/%.chk.
# Optional inputs:
#   SVC_OBJS    service objects for import-wall (default: every .o under
#               $(BUILD)/services); or SVC_ARCHIVE = build/services.a
#   FW_OBJS     framework objects (import-wall rejects services defining
#               any symbol they define)
#   SAFECHECK_FLAGS  extra checker flags (e.g. --framework-include DIR)
#   SAFECHECK_DIR, FW_INCLUDE  where the checker sources and the framework
#               API headers live (defaults: tools/safecheck, framework/include)
#
#   SAFECHECK_SVC_FLAGS  flags for service files only (default
#               --require-wall-flags: the checker refuses a service built
#               without the wall's compiler flags)
# Targets: $(SAFECHECK), $(BUILD)/services/%.chk, $(BUILD)/fw-api.txt,
#          $(BUILD)/fw-exports.txt, import-wall, sigcheck, tcb, safecheck-test.

BUILD ?= build
HOSTCC ?= clang-19
LLVM_DIR ?= /usr/lib/llvm-19
LLVM_NM ?= llvm-nm-19
SAFECHECK_DIR ?= tools/safecheck
FW_INCLUDE ?= framework/include
SAFECHECK := $(BUILD)/tools/safecheck
SAFECHECK_SRCS := $(wildcard $(SAFECHECK_DIR)/*.c)
# fmtspec.h: the kernel formatter's conversion language, shared with the checker
SAFECHECK_HDRS := $(wildcard $(SAFECHECK_DIR)/*.h) $(SAFECHECK_DIR)/../../framework/lib/fmtspec.h
SAFECHECK_FLAGS ?=
SAFECHECK_SVC_FLAGS ?= --require-wall-flags

$(SAFECHECK): $(SAFECHECK_SRCS) $(SAFECHECK_HDRS)
	@mkdir -p $(dir $@)
	$(HOSTCC) -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror \
		-I$(LLVM_DIR)/include -o $@ $(SAFECHECK_SRCS) \
		-L$(LLVM_DIR)/lib -lclang-19 -Wl,-rpath,$(LLVM_DIR)/lib

# One stamp per service file. The checker judges framework names by the
# framework's API table (not by what the file happens to include), and
# writes the file's cross-TU signature list next to it for sigcheck.
$(BUILD)/services/%.chk: services/%.c $(SAFECHECK) $(BUILD)/fw-api.txt
	@mkdir -p $(dir $@)
	@echo "  CHECK   $<"
	@$(SAFECHECK) $(SAFECHECK_FLAGS) $(SAFECHECK_SVC_FLAGS) --framework-api $(BUILD)/fw-api.txt \
		--sig-out $(BUILD)/services/$*.sig $< -- $(SVC_CFLAGS)
	@touch $@

# The framework's own view of its API, read from the parsed headers (not
# grep): every function, variable and struct with its type and
# annotations. The symbols services may import (FW_API and FW_MACRO_API)
# are derived from it for the import wall.
FW_API_HDRS := $(wildcard $(FW_INCLUDE)/fw/*.h)
$(BUILD)/fw-all.c: $(FW_API_HDRS)
	@mkdir -p $(dir $@)
	@( echo '/* generated: includes every framework API header */'; \
	   for h in $(patsubst $(FW_INCLUDE)/%,%,$(FW_API_HDRS)); do echo "#include <$$h>"; done ) > $@
$(BUILD)/fw-api.txt: $(BUILD)/fw-all.c $(SAFECHECK)
	@$(SAFECHECK) $(SAFECHECK_FLAGS) --list-framework-api $< -- $(SVC_CFLAGS) > $@.tmp
	@mv $@.tmp $@
$(BUILD)/fw-exports.txt: $(BUILD)/fw-api.txt
	@awk '($$1 == "F" || $$1 == "V") && $$4 ~ /(^|,)(safe|macro_only)(,|$$)/ && $$4 !~ /(^|,)static(,|$$)/ { print $$2 }' \
		$< | sort -u > $@.tmp
	@mv $@.tmp $@

SVC_OBJS ?= $(shell find $(BUILD)/services -name '*.o' 2>/dev/null)
FW_OBJS ?=
SVC_ARCHIVE ?=
import-wall: $(BUILD)/fw-exports.txt
	LLVM_NM=$(LLVM_NM) sh $(SAFECHECK_DIR)/import-wall.sh $(BUILD)/fw-exports.txt \
		"$(FW_OBJS)" $(or $(SVC_ARCHIVE),$(SVC_OBJS))

sigcheck: $(BUILD)/fw-api.txt
	sh $(SAFECHECK_DIR)/sigcheck.sh $(BUILD)/fw-api.txt $(shell find $(BUILD) -name '*.sig' 2>/dev/null)

tcb:
	@sh $(SAFECHECK_DIR)/tcb.sh .

safecheck-test:
	SAFECHECK=$(abspath $(SAFECHECK)) sh $(SAFECHECK_DIR)/run-tests.sh
safecheck-test: $(SAFECHECK)

.PHONY: import-wall sigcheck tcb safecheck-test
