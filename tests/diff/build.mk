# tests/diff/build.mk — builds every user/tests/*.c four times: static musl
# and static glibc, into build/user/tests/<name>.musl and <name>.glibc, and
# dynamic musl and glibc (<name>.musl-dyn, <name>.glibc-dyn: loader
# /lib/ld-musl-x86_64.so.1 and /lib64/ld-linux-x86-64.so.2). Programs in
# user/tests/dyn/ need dynamic linking and are built only dynamically,
# with the shared libraries there (rpath: this build directory).
# Usage: make -f tests/diff/build.mk [-j N]   (from the repository root)

DIFFT_SRCS  := $(wildcard user/tests/*.c)
DIFFT_NAMES := $(patsubst user/tests/%.c,%,$(DIFFT_SRCS))
DIFFT_OUT   := build/user/tests
DIFFT_BINS  := $(foreach n,$(DIFFT_NAMES),$(DIFFT_OUT)/$(n).musl $(DIFFT_OUT)/$(n).glibc \
		 $(DIFFT_OUT)/$(n).musl-dyn $(DIFFT_OUT)/$(n).glibc-dyn)
DIFFT_DYN_NAMES := $(patsubst user/tests/dyn/%.c,%,$(wildcard user/tests/dyn/dyn_*.c))
DIFFT_DYN_LIBS  := $(foreach l,keeltest keeldl,$(DIFFT_OUT)/lib$(l).musl.so $(DIFFT_OUT)/lib$(l).glibc.so)
DIFFT_BINS  += $(foreach n,$(DIFFT_DYN_NAMES),$(DIFFT_OUT)/$(n).musl-dyn $(DIFFT_OUT)/$(n).glibc-dyn) $(DIFFT_DYN_LIBS)
DIFFT_RPATH := -Wl,-rpath,$(abspath $(DIFFT_OUT)) -Wl,--disable-new-dtags

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

$(DIFFT_OUT)/%.musl-dyn: user/tests/%.c user/tests/t.h $(DIFFT_KHDR)/.stamp
	musl-gcc $(DIFFT_CFLAGS) -isystem $(DIFFT_KHDR) -o $@ $< -lpthread

$(DIFFT_OUT)/%.glibc-dyn: user/tests/%.c user/tests/t.h
	@mkdir -p $(DIFFT_OUT)
	gcc $(DIFFT_CFLAGS) -o $@ $< -lpthread

$(DIFFT_OUT)/lib%.musl.so: user/tests/dyn/lib%.c $(DIFFT_KHDR)/.stamp
	musl-gcc -shared -fPIC -Wl,-soname,$(notdir $@) $(DIFFT_CFLAGS) -o $@ $<

$(DIFFT_OUT)/lib%.glibc.so: user/tests/dyn/lib%.c
	@mkdir -p $(DIFFT_OUT)
	gcc -shared -fPIC -Wl,-soname,$(notdir $@) $(DIFFT_CFLAGS) -o $@ $<

$(DIFFT_OUT)/%.musl-dyn: user/tests/dyn/%.c user/tests/t.h $(DIFFT_DYN_LIBS)
	musl-gcc $(DIFFT_CFLAGS) -isystem $(DIFFT_KHDR) $(DIFFT_RPATH) -o $@ $< \
		$(DIFFT_OUT)/libkeeltest.musl.so -ldl -lpthread

$(DIFFT_OUT)/%.glibc-dyn: user/tests/dyn/%.c user/tests/t.h $(DIFFT_DYN_LIBS)
	gcc $(DIFFT_CFLAGS) $(DIFFT_RPATH) -o $@ $< $(DIFFT_OUT)/libkeeltest.glibc.so -ldl -lpthread

.PHONY: diff-tests
