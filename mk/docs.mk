# mk/docs.mk — generated documentation. Layer: build system.
# Included by the top-level Makefile (`-include mk/docs.mk`).
# Targets: docs (regenerates docs/syscalls.md from the syscall table),
#          docs-check (fails when a generated doc is stale; tests/docs.sh).
.PHONY: docs docs-check
docs: docs/syscalls.md
docs/syscalls.md: services/syscall/syscalls.tbl.h tools/gen-syscall-doc.sh $(wildcard docs/syscall-notes.txt) \
		$(shell find services -name '*.c' 2>/dev/null)
	@echo "  GEN     $@"
	@bash tools/gen-syscall-doc.sh > $@.tmp && mv $@.tmp $@
docs-check:
	@bash tests/docs.sh
