/* landlock.h - the filesystem half of confinement (Landlock), used by confine.c. */
#ifndef VMLET_LANDLOCK_H
#define VMLET_LANDLOCK_H

#include "vmlet.h"

/* The Landlock ABI version the running kernel offers, 0 if none. */
int landlock_abi(void);

/*
 * Restrict the calling thread, and threads and children it starts later, to
 * the files `vm` may touch: read its grants and directory channels, rename or
 * remove in its output directories (fds->commit_dirs), nothing else; files
 * already open stay usable. With vm NULL (a creator): read anything, write
 * nothing. Returns 0, 1 if the kernel has no Landlock, or -errno.
 */
int landlock_confine(const struct vmlet_vm *vm, const struct vmlet_host_fds *fds);

#endif
