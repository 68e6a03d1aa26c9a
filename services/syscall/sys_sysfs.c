/* sysfs(2) and ustat(2): the old file-system queries. Layer: services
 * (safe C). sysfs numbers the registered file system types as
 * /proc/filesystems lists them (option 1: name to index, 2: index to name,
 * 3: how many); ustat reports the free blocks and inodes of the mounted
 * file system with a device number (EINVAL for none), as Linux's. */
#include "syscall/fs.h"

int64_t sys_sysfs(struct fw_uregs *r)
{
	struct kname n;
	uint32_t flags;
	switch (a0(r)) {
	case 1: {
		struct kname want;
		long len = fw_strncpy_from_user(&want.s, fw_uaddr(a1(r)));
		if (len == -EFAULT)
			return -EFAULT;
		if (len < 0)
			return -EINVAL;
		want.len = (uint32_t)len;
		for (uint32_t i = 0; vfs_fs_type_info(i, &n, &flags) == 0; i++)
			if (kname_eq(&n, &want))
				return i;
		return -EINVAL;
	}
	case 2: {
		if (a1(r) > 0xffffffffULL || vfs_fs_type_info((uint32_t)a1(r), &n, &flags))
			return -EINVAL;
		return fw_copy_to_user_n(fw_uaddr(a2(r)), &n.s, n.len + 1) ? -EFAULT : 0;
	}
	case 3: {
		uint32_t i = 0;
		while (vfs_fs_type_info(i, &n, &flags) == 0)
			i++;
		return i;
	}
	default:
		return -EINVAL;
	}
}

struct linux_ustat {
	int32_t f_tfree;
	int32_t pad;
	uint64_t f_tinode;
	char f_fname[6];
	char f_fpack[6];
	char pad2[4];
};

int64_t sys_ustat(struct fw_uregs *r)
{
	uint32_t dev = (uint32_t)a0(r);
	struct super_ref sb;
	for (uint32_t i = 0; vfs_mount_info(i, &sb) == 0; i++) {
		struct super *s = super_get(sb);
		if (!s || s->dev != dev)
			continue;
		struct linux_statfs st;
		int e = vfs_statfs(s->root, &st);
		if (e)
			return e;
		struct linux_ustat u = {0};
		u.f_tfree = (int32_t)st.f_bfree;
		u.f_tinode = st.f_ffree;
		return fw_copy_to_user(fw_uaddr(a1(r)), &u) ? -EFAULT : 0;
	}
	return -EINVAL;
}
