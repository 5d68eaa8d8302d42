/* path_search.c - looks a program name up in PATH like a shell, on the host or inside a root: first executable regular file wins. */
#include "path_search.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { ABSENT, NOT_RUNNABLE, RUNNABLE };

/* What cand is: on the host (rootfd < 0), or resolved inside the root as a chroot would (as the run opens it). */
static int probe(int rootfd, const char *cand)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	int fd = rootfd < 0 ? AT_FDCWD : (int)syscall(SYS_openat2, rootfd, cand, &how, sizeof(how));
	int empty = rootfd < 0 ? 0 : AT_EMPTY_PATH, kind = ABSENT;
	const char *at = rootfd < 0 ? cand : "";
	struct stat st;

	if (rootfd >= 0 && fd < 0)
		return ABSENT;
	if (fstatat(fd, at, &st, empty) == 0 && !S_ISDIR(st.st_mode))
		kind = S_ISREG(st.st_mode) && faccessat(fd, at, X_OK, AT_EACCESS | empty) == 0 ? RUNNABLE : NOT_RUNNABLE;
	if (rootfd >= 0)
		close(fd);
	return kind;
}

static int not_found(const char *name, const char *path, const char *root, const char *why, char *msg, size_t msglen)
{
	const char *shown = *name ? name : "''";

	if (root)
		snprintf(msg, msglen, "%s: not found in the guest's PATH (%s%s) inside the root %s%s%s", shown,
			 path ? "" : "unset: searched ", path ? path : PATH_SEARCH_GUEST_DEFAULT, root, why ? ": " : "",
			 why ? why : "");
	else if (path)
		snprintf(msg, msglen, "%s: not found in PATH (%s)", shown, path);
	else
		snprintf(msg, msglen, "%s: not found in PATH (vmlet's PATH is unset: searched %s)", shown, PATH_SEARCH_DEFAULT);
	return -ENOENT;
}

int path_search(const char *name, const char *path, const char *root, char **out, char *msg, size_t msglen)
{
	char cand[PATH_MAX], *fallback = NULL;
	const char *dir = path ? path : root ? PATH_SEARCH_GUEST_DEFAULT : PATH_SEARCH_DEFAULT, *end;
	int rootfd = -1, kind = ABSENT, r = 0;

	*out = NULL;
	if (strchr(name, '/'))
		return (*out = strdup(name)) ? 0 : -ENOMEM;
	if (root && (rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return not_found(name, path, root, strerror(errno), msg, msglen);
	for (; *name; dir = end + 1) {
		int len;

		end = strchrnul(dir, ':');
		len = (int)(end - dir);
		kind = snprintf(cand, sizeof(cand), "%.*s/%s", len ? len : 1, len ? dir : ".", name) < (int)sizeof(cand)
			       ? probe(rootfd, cand) : ABSENT;
		if (kind == RUNNABLE)
			break;
		if (kind == NOT_RUNNABLE && !fallback && !(fallback = strdup(cand)))
			r = -ENOMEM;
		if (r || !*end)
			break;
	}
	if (rootfd >= 0)
		close(rootfd);
	if (!r && kind == RUNNABLE)
		r = (*out = strdup(cand)) ? 0 : -ENOMEM;
	else if (!r && fallback)
		*out = fallback, fallback = NULL;
	else if (!r)
		r = not_found(name, path, root, NULL, msg, msglen);
	free(fallback);
	return r;
}
