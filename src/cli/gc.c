/* gc.c - the `vmlet gc` command: finish or roll back dead runs' commits, remove their leftover files. */
#include "gc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmlet.h"

#define EXIT_VMLET_ERROR 125

static const char *plural(int n)
{
	return n == 1 ? "" : "s";
}

int cmd_gc(int argc, char **argv)
{
	struct vmlet_gc_counts c;
	int i, status = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: vmlet gc DIR...  (finish or roll back interrupted commits, remove leftovers)\n");
		return EXIT_VMLET_ERROR;
	}
	for (i = 1; i < argc; i++) {
		int r = vmlet_collect_garbage(argv[i], &c);
		if (c.finished || c.rolled_back)
			printf("%s: finished %d interrupted commit%s, rolled back %d\n", argv[i], c.finished,
			       plural(c.finished), c.rolled_back);
		if (r < 0) {
			fprintf(stderr, "vmlet: gc %s: %s%s\n", argv[i], strerror(-r),
				r == -ENOENT || r == -ENOTDIR || r == -EACCES ? "" :
				" (an interrupted commit could not be finished; its files are kept)");
			status = EXIT_VMLET_ERROR;
		} else {
			printf("%s: removed %d stale file%s\n", argv[i], c.removed, plural(c.removed));
		}
	}
	return status;
}
