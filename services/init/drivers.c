/* Device drivers at boot: probe, then create their /dev nodes. Layer:
 * services (safe C). The hook for booting from a disk (`keel --root IMG`,
 * with the ext2 work) goes after drivers_start in svc_main: by then every
 * disk is registered with the block layer. */
#include "init/init.h"
#include "block/blkdev_file.h"
#include "drivers/virtio_blk/virtio_blk.h"
#include <fw/log.h>

int drivers_start(void)
{
	int e = blkdev_register();
	int n = e ? e : virtio_blk_probe_all();
	if (n < 0)
		return n;
	return blkdev_nodes_create();
}
