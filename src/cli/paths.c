/* paths.c - makes a run's host paths absolute against the current directory, once, before confinement. */
#include "paths.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *path_absolute(const char *cwd, const char *path)
{
	size_t clen = strlen(cwd), plen = strlen(path);
	char *out, *o;
	const char *p = path;

	if (path[0] == '/' || !path[0]) /* "" stays an error for the open */
		return strdup(path);
	if (!(out = malloc(clen + plen + 2)))
		return NULL;
	memcpy(out, cwd, clen);
	o = out + clen;
	while (*p) {
		size_t n = strcspn(p, "/");
		if (n && !(n == 1 && p[0] == '.')) {
			if (o == out || o[-1] != '/')
				*o++ = '/';
			memcpy(o, p, n);
			o += n;
		}
		p += n;
		if (*p == '/') {
			p++;
			if (!*p && o[-1] != '/') /* "dir/" keeps its trailing slash */
				*o++ = '/';
		}
	}
	*o = 0;
	return out;
}

static int make(const char **path, const char *cwd, struct abs_paths *keep)
{
	char *abs;

	if (!*path || (*path)[0] == '/' || !(*path)[0])
		return 0;
	if (!(abs = path_absolute(cwd, *path)))
		return -ENOMEM;
	keep->s[keep->n++] = abs;
	*path = abs;
	return 0;
}

int paths_make_absolute(struct cli_options *o, struct abs_paths *keep, char *msg, size_t msglen)
{
	struct vmlet_config *c = &o->config;
	char cwd[PATH_MAX];
	int r = 0;
	size_t i;

	keep->n = 0;
	if (!getcwd(cwd, sizeof(cwd))) {
		snprintf(msg, msglen, "cannot find the current directory: %s", strerror(errno));
		return -errno;
	}
	if (!c->root) /* with a root, the program is a path inside it */
		r |= make(&c->path, cwd, keep);
	r |= make(&c->root, cwd, keep);
	for (i = 0; i < c->ngrants && c->grants == o->grants; i++) {
		struct vmlet_grant *g = &o->grants[i];
		if (!g->guest_path)
			g->guest_path = g->host_path; /* as given: a relative one is refused as before */
		r |= make(&g->host_path, cwd, keep);
	}
	for (i = 0; i < c->nchannels && c->channels == o->channels; i++)
		r |= make(&o->channels[i].host_path, cwd, keep);
	if (o->report && strcmp(o->report, "-"))
		r |= make(&o->report, cwd, keep);
	if (r)
		snprintf(msg, msglen, "out of memory");
	return r;
}

void paths_release(struct abs_paths *keep)
{
	while (keep->n)
		free(keep->s[--keep->n]);
}
