/* path_search.h - `vmlet run NAME`: a program named without a slash is looked up in PATH, as a shell does (inside --root too). */
#ifndef VMLET_PATH_SEARCH_H
#define VMLET_PATH_SEARCH_H

#include <stddef.h>

/* The PATH searched when vmlet's own environment has none. */
#define PATH_SEARCH_DEFAULT "/usr/local/bin:/usr/bin:/bin"
/* ... and inside a root when the guest's environment has none: glibc's execvp default. */
#define PATH_SEARCH_GUEST_DEFAULT "/bin:/usr/bin"

/*
 * The file `vmlet run name` runs. A name with a slash is used as given.
 * Otherwise each directory of path (NULL: PATH_SEARCH_DEFAULT, or with a root
 * PATH_SEARCH_GUEST_DEFAULT; an empty entry is the current directory, as POSIX
 * says, and the guest's is "/") is tried in order and the first dir/name that
 * is a regular file with execute permission wins. root NULL: host paths; else
 * each dir/name is resolved inside host directory root as a chroot would
 * (RESOLVE_IN_ROOT, as the run opens the program), and the result is a path
 * inside it. When none is executable but some dir/name exists (not executable,
 * say), the first of those is returned, so that the run says why it cannot be
 * executed (exit 126), as a shell does. Returns 0 with *out malloc'd, or
 * -ENOENT with "NAME: not found in PATH (the PATH searched)" in msg ("... in
 * the guest's PATH (...) inside the root ROOT" with a root; -ENOMEM: out of memory).
 */
int path_search(const char *name, const char *path, const char *root, char **out, char *msg, size_t msglen);

#endif
