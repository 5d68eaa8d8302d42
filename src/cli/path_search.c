/* path_search.c - looks a program name up in PATH like a shell: first executable regular file wins. */
#include "path_search.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int path_search(const char *name, const char *path, char **out, char *msg, size_t msglen)
{
	char cand[PATH_MAX], *fallback = NULL;
	const char *dir = path ? path : PATH_SEARCH_DEFAULT, *end;
	struct stat st;

	*out = NULL;
	if (strchr(name, '/'))
		return (*out = strdup(name)) ? 0 : -ENOMEM;
	for (; *name; dir = end + 1) {
		int len;

		end = strchrnul(dir, ':');
		len = (int)(end - dir);
		if (snprintf(cand, sizeof(cand), "%.*s/%s", len ? len : 1, len ? dir : ".", name) < (int)sizeof(cand) &&
		    stat(cand, &st) == 0 && !S_ISDIR(st.st_mode)) {
			if (S_ISREG(st.st_mode) && faccessat(AT_FDCWD, cand, X_OK, AT_EACCESS) == 0) {
				free(fallback);
				return (*out = strdup(cand)) ? 0 : -ENOMEM;
			}
			if (!fallback && !(fallback = strdup(cand)))
				return -ENOMEM;
		}
		if (!*end)
			break;
	}
	if (fallback) {
		*out = fallback;
		return 0;
	}
	if (path)
		snprintf(msg, msglen, "%s: not found in PATH (%s)", *name ? name : "''", path);
	else
		snprintf(msg, msglen, "%s: not found in PATH (vmlet's PATH is unset: searched %s)", *name ? name : "''",
			 PATH_SEARCH_DEFAULT);
	return -ENOENT;
}
