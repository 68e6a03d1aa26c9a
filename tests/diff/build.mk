# tests/diff/build.mk — builds every user/tests/*.c twice: static musl and
# static glibc, into build/user/tests/<name>.musl and <name>.glibc.
# Usage: make -f tests/diff/build.mk [-j N]   (from the repository root)

DIFFT_SRCS  := $(wildcard user/tests/*.c)
DIFFT_NAMES := $(patsubst user/tests/%.c,%,$(DIFFT_SRCS))
DIFFT_OUT   := build/user/tests
DIFFT_BINS  := $(foreach n,$(DIFFT_NAMES),$(DIFFT_OUT)/$(n).musl $(DIFFT_OUT)/$(n).glibc)

# musl-gcc ships no kernel headers; point it at Debian's through symlinks.
DIFFT_KHDR  := $(DIFFT_OUT)/khdr
DIFFT_CFLAGS := -O1 -g0 -Wall -Wno-unused-function -Wno-unused-result -Wno-stringop-overflow -D_GNU_SOURCE

diff-tests: $(DIFFT_BINS)

$(DIFFT_KHDR)/.stamp:
	@mkdir -p $(DIFFT_KHDR)
	@ln -sfn /usr/include/linux $(DIFFT_KHDR)/linux
	@ln -sfn /usr/include/asm-generic $(DIFFT_KHDR)/asm-generic
	@ln -sfn /usr/include/x86_64-linux-gnu/asm $(DIFFT_KHDR)/asm
	@touch $@

$(DIFFT_OUT)/%.musl: user/tests/%.c user/tests/t.h $(DIFFT_KHDR)/.stamp
	musl-gcc -static $(DIFFT_CFLAGS) -isystem $(DIFFT_KHDR) -o $@ $< -lpthread

$(DIFFT_OUT)/%.glibc: user/tests/%.c user/tests/t.h
	@mkdir -p $(DIFFT_OUT)
	gcc -static $(DIFFT_CFLAGS) -o $@ $< -lpthread

.PHONY: diff-tests
