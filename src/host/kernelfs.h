/* kernelfs.h - the filesystems through which the kernel exposes itself (procfs, sysfs, ...): never given to a guest. */
#ifndef VMLET_KERNELFS_H
#define VMLET_KERNELFS_H

struct vmlet_error;

/*
 * The name of the kernel-interface filesystem fd lies on ("procfs", "sysfs",
 * "cgroup2", ...; the list is in kernelfs.c), or NULL for any other
 * filesystem. fd may be an O_PATH fd. When its filesystem cannot be read
 * (fstatfs fails), a name saying so: a caller refuses what it cannot check.
 */
const char *kernelfs_name(int fd);

/* The same by statfs f_type: the name, or NULL for any other filesystem (kernelfs_types.c). */
const char *kernelfs_type_name(unsigned long f_type);

/*
 * 0 if fd is not on a kernel-interface filesystem; else -EPERM with the
 * message "WHAT NAME: refused: PATH is FS (a kernel interface)", e.g.
 * "--ro /proc: refused: /proc is procfs (a kernel interface)".
 */
int kernelfs_refuse(int fd, const char *what, const char *name, const char *path, struct vmlet_error *err);

#endif
