/* paths.h - every host path of a run made absolute in the front-end, before any confinement. */
#ifndef VMLET_PATHS_H
#define VMLET_PATHS_H

#include <stddef.h>

#include "options.h"

/*
 * cwd + "/" + path for a relative path, a copy of an absolute one; "." components
 * and repeated slashes of the relative part are dropped, ".." and symlinks are
 * kept as they are (resolving them is the open's job). NULL when out of memory.
 */
char *path_absolute(const char *cwd, const char *path);

/* The strings made by paths_make_absolute, freed by paths_release. */
struct abs_paths {
	char *s[3 + OPT_MAX_GRANTS + OPT_MAX_CHANNELS]; /* program, root, report, grants, channels */
	size_t n;
};

/*
 * Point the program, every grant and channel host path and the report (not "-")
 * of *o at absolute paths, so nothing needs the current directory later: a
 * confined process may not call getcwd, and --repeat opens them in each run,
 * after its filter is installed (a single run opens everything before, and
 * keeps the paths as given). A grant without a guest path keeps its given one.
 * Returns 0, or -errno with a one-line message.
 */
int paths_make_absolute(struct cli_options *o, struct abs_paths *keep, char *msg, size_t msglen);

void paths_release(struct abs_paths *keep);

#endif
