/* check.h - `vmlet check MANIFEST`: validate a manifest without running it and print what a run would be granted. */
#ifndef VMLET_CHECK_H
#define VMLET_CHECK_H

#include <stdio.h>

struct vmlet_manifest;

/*
 * argv[0] is "check". Prints the grants to stdout and returns 0 when the
 * manifest parses and matches the host; otherwise prints "vmlet: <one-line
 * error>" to stderr and returns 125, like `vmlet run`'s own errors.
 */
int cmd_check(int argc, char **argv);

/* The human-readable summary `vmlet check` prints for a valid manifest (dev_shm: vmlet_config_dev_shm). */
void check_print(FILE *f, const struct vmlet_manifest *m, int dev_shm);

#endif
