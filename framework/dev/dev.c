/* Device bring-up order. Layer: framework/dev (trusted).
 * PCI is enumerated (and every endpoint's bus mastering turned off) before
 * the IOMMU switches translation on, and both before any service can claim
 * a device; the IRQ worker exists before the first handler is attached. */
#include "internal/dev.h"
#include "internal/arch.h"

void dev_init(void)
{
	pci_init();
	iommu_init();
	irq_init();
}
