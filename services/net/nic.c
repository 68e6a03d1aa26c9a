/* Transmit dispatch to NIC drivers: netdev.driver names a unit, and this
 * const table says which driver owns it. Layer: services (safe C). No
 * NIC driver is built into this kernel yet, so every unit is unknown. */
#include "net/netdev.h"

int nic_dev_xmit(uint32_t ifindex, struct pkt_ref p)
{
	pkt_free_all(p);
	return -ENODEV;
}
