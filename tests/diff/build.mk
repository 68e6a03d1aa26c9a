# tests/diff/build.mk — builds every user/tests/*.c twice: static musl and
# static glibc, into build/user/tests/<name>.musl and <name>.glibc.
# Usage: make -f tests/diff/build.mk [-j N]   (from the repository root)

TEST_SRCS  := $(wildcard user/tests/*.c)
TEST_NAMES := $(patsubst user/tests/%.c,%,$(TEST_SRCS))
TEST_OUT   := build/user/tests
TEST_BINS  := $(foreach n,$(TEST_NAMES),$(TEST_OUT)/$(n).musl $(TEST_OUT)/$(n).glibc)

# musl-gcc ships no kernel headers; point it at Debian's through symlinks.
TEST_KHDR  := $(TEST_OUT)/khdr
TEST_CFLAGS := -O1 -g0 -Wall -Wno-unused-function -Wno-unused-result -Wno-stringop-overflow -D_GNU_SOURCE

all-tests: $(TEST_BINS)

$(TEST_KHDR)/.stamp:
	@mkdir -p $(TEST_KHDR)
	@ln -sfn /usr/include/linux $(TEST_KHDR)/linux
	@ln -sfn /usr/include/asm-generic $(TEST_KHDR)/asm-generic
	@ln -sfn /usr/include/x86_64-linux-gnu/asm $(TEST_KHDR)/asm
	@touch $@

$(TEST_OUT)/%.musl: user/tests/%.c user/tests/t.h $(TEST_KHDR)/.stamp
	musl-gcc -static $(TEST_CFLAGS) -isystem $(TEST_KHDR) -o $@ $< -lpthread

$(TEST_OUT)/%.glibc: user/tests/%.c user/tests/t.h
	@mkdir -p $(TEST_OUT)
	gcc -static $(TEST_CFLAGS) -o $@ $< -lpthread

.PHONY: all-tests
