/* kernelfs.c - kernel-interface filesystems (procfs, sysfs, ...) told apart by their statfs magic. */
#include "kernelfs.h"
#include "../core/vm_internal.h"

#include <errno.h>
#include <sys/vfs.h>

const char *kernelfs_name(int fd)
{
	struct statfs sf;

	if (fstatfs(fd, &sf) < 0)
		return "a filesystem whose type cannot be read";
	return kernelfs_type_name((unsigned long)sf.f_type);
}

int kernelfs_refuse(int fd, const char *what, const char *name, const char *path, struct vmlet_error *err)
{
	const char *fs = kernelfs_name(fd);

	if (!fs)
		return 0;
	return vm_error(err, -EPERM, "%s %s: refused: %s is %s (a kernel interface)", what, name, path, fs);
}
