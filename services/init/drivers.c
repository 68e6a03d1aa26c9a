/* Device drivers at boot: probe, then create their /dev nodes. Layer:
 * services (safe C). Booting from a disk (`keel --root IMG`,
 * init/rootdisk.c) comes after drivers_start in svc_main: by then every
 * disk is registered with the block layer. */
#include "init/init.h"
#include "block/blkdev_file.h"
#include "drivers/virtio_blk/virtio_blk.h"
#include "drivers/virtio_net/virtio_net.h"
#include "net/inet/inet.h"
#include <fw/log.h>

/* The first NIC is configured for QEMU's user networking, without DHCP:
 * 10.0.2.15/24, the host (and gateway) at 10.0.2.2. */
#define QEMU_GUEST_ADDR 0x0a00020fU
#define QEMU_GATEWAY 0x0a000202U
#define QEMU_PREFIX 24

static void network_start(void)
{
	int n = virtio_net_probe_all();
	if (n <= 0)
		return;
	if (inet_iface_config(virtio_net_ifindex(0), QEMU_GUEST_ADDR, QEMU_PREFIX, QEMU_GATEWAY))
		fw_warn("net: cannot configure eth0");
}

int drivers_start(void)
{
	int e = blkdev_register();
	int n = e ? e : virtio_blk_probe_all();
	if (n < 0)
		return n;
	network_start();
	return blkdev_nodes_create();
}
