/* kernelfs_types.c - the statfs magics of kernel-interface filesystems, by name (no dependencies: reports use it too). */
#include "kernelfs.h"

#include <linux/magic.h>
#include <stddef.h>

/* Magics the uapi header does not export (each from the kernel source that mounts it). */
#define CONFIGFS_MAGIC 0x62656570     /* fs/configfs/mount.c */
#define FUSE_CTL_SUPER_MAGIC 0x65735543 /* fs/fuse/control.c */
#define MQUEUE_MAGIC 0x19800202       /* ipc/mqueue.c */
#define RPCAUTH_GSSMAGIC 0x67596969   /* net/sunrpc/rpc_pipe.c (rpc_pipefs) */
#define NFSD_SUPER_MAGIC 0x6e667364   /* fs/nfsd/nfsctl.c */

/*
 * Filesystems whose files are views of the kernel or of processes rather than
 * stored data: the processes' memory, environment and maps (/proc/self), kernel
 * and device state, control files. Devices (devtmpfs) are refused by file type
 * instead; tmpfs, overlay, FUSE and disk filesystems hold ordinary data.
 */
static const struct {
	unsigned long magic;
	const char *name;
} kernel_fs[] = {
	{ PROC_SUPER_MAGIC, "procfs" },
	{ SYSFS_MAGIC, "sysfs" },
	{ DEBUGFS_MAGIC, "debugfs" },
	{ TRACEFS_MAGIC, "tracefs" },
	{ SECURITYFS_MAGIC, "securityfs" },
	{ SELINUX_MAGIC, "selinuxfs" },
	{ SMACK_MAGIC, "smackfs" },
	{ AAFS_MAGIC, "apparmorfs" },
	{ CGROUP_SUPER_MAGIC, "cgroupfs" },
	{ CGROUP2_SUPER_MAGIC, "cgroup2" },
	{ RDTGROUP_SUPER_MAGIC, "resctrl" },
	{ BPF_FS_MAGIC, "bpffs" },
	{ CONFIGFS_MAGIC, "configfs" },
	{ EFIVARFS_MAGIC, "efivarfs" },
	{ PSTOREFS_MAGIC, "pstore" },
	{ BINFMTFS_MAGIC, "binfmt_misc" },
	{ FUSE_CTL_SUPER_MAGIC, "fusectl" },
	{ MQUEUE_MAGIC, "mqueue" },
	{ NSFS_MAGIC, "nsfs" },
	{ RPCAUTH_GSSMAGIC, "rpc_pipefs" },
	{ NFSD_SUPER_MAGIC, "nfsd" },
	{ BINDERFS_SUPER_MAGIC, "binderfs" },
	{ OPENPROM_SUPER_MAGIC, "openpromfs" },
	{ USBDEVICE_SUPER_MAGIC, "usbfs" },
	{ XENFS_SUPER_MAGIC, "xenfs" },
};

const char *kernelfs_type_name(unsigned long f_type)
{
	size_t i;

	for (i = 0; i < sizeof(kernel_fs) / sizeof(kernel_fs[0]); i++)
		if (f_type == kernel_fs[i].magic)
			return kernel_fs[i].name;
	return NULL;
}
