/* path_search.h - `vmlet run NAME`: a program named without a slash is looked up in PATH, as a shell does. */
#ifndef VMLET_PATH_SEARCH_H
#define VMLET_PATH_SEARCH_H

#include <stddef.h>

/* The PATH searched when vmlet's own environment has none. */
#define PATH_SEARCH_DEFAULT "/usr/local/bin:/usr/bin:/bin"

/*
 * The host file `vmlet run name` runs. A name with a slash is used as given.
 * Otherwise each directory of path (NULL: PATH_SEARCH_DEFAULT; an empty entry
 * is the current directory, as POSIX says) is tried in order and the first
 * dir/name that is a regular file with execute permission wins. When none
 * does but some dir/name exists (not executable, say), the first of those is
 * returned, so that the run says why it cannot be executed (exit 126), as a
 * shell does. Returns 0 with *out malloc'd, or -ENOENT with
 * "NAME: not found in PATH (the PATH searched)" in msg (-ENOMEM: out of memory).
 */
int path_search(const char *name, const char *path, char **out, char *msg, size_t msglen);

#endif
