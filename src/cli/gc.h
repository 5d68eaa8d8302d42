/* gc.h - `vmlet gc DIR...`: recover output directories from runs that died during or before their commit. */
#ifndef VMLET_CLI_GC_H
#define VMLET_CLI_GC_H

/* argv[0] is "gc"; prints one line per directory; returns the exit status (0, or 125 if one failed). */
int cmd_gc(int argc, char **argv);

#endif
