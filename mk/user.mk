# The default initramfs: Debian's busybox-static with its applet links,
# plus /etc files. Layer: build system.
ROOTFS := $(BUILD)/rootfs
BUSYBOX ?= /bin/busybox

$(INITRAMFS): $(BUSYBOX) mk/user.mk tools/mkrootfs.sh $(wildcard user/etc/*)
	@echo "  CPIO    $@"
	@bash tools/mkrootfs.sh $(BUSYBOX) $(ROOTFS) $@
