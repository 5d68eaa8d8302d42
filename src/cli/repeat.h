/* repeat.h - `vmlet run --repeat N --parallel P`: the same program N times, each in a fresh VM, P at once. */
#ifndef VMLET_REPEAT_H
#define VMLET_REPEAT_H

#include "options.h"

/*
 * Runs o->repeat fresh VMs from a pool, o->parallel at a time; returns the CLI
 * exit code. Every host path in *o must be absolute (paths_make_absolute): the
 * runs resolve them after the seccomp filter forbids getcwd.
 */
int run_repeated(struct cli_options *o);

#endif
