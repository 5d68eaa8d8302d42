/* manifest_channels.c - the "channels" array of a manifest: each channel, the rules between its fields, and between channels. */
#include "manifest.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel_names.h"
#include "manifest_internal.h"

static const char *const stdio_paths[MANIFEST_STDIO] = { "/dev/stdin", "/dev/stdout", "/dev/stderr" };

static int parse_limits(struct parser *p, const char *cpath, json_t *v, struct manifest_channel *c)
{
	static const char *const fields[] = { "reads", "read_bytes", "writes", "write_bytes", NULL };
	uint64_t *slot[] = { &c->limits.reads, &c->limits.read_bytes, &c->limits.writes, &c->limits.write_bytes };
	char path[64], fpath[96];
	json_t *f;
	int i, r;

	mp_join(path, sizeof(path), cpath, "limits");
	if ((r = mp_want_object(p, path, v)) || (r = mp_known_fields(p, path, v, fields)))
		return r;
	for (i = 0; i < 4; i++) {
		int reading = i < 2;

		if (!(f = json_object_get(v, fields[i])))
			continue;
		mp_join(fpath, sizeof(fpath), path, fields[i]);
		r = (i & 1) ? mp_get_size(p, fpath, f, slot[i]) : mp_get_count(p, fpath, f, slot[i]);
		if (r)
			return r;
		if (reading ? !manifest_mode_reads(c->mode) : !manifest_mode_writes(c->mode))
			return FAIL(p, fpath, "the channel's mode is %s (no %s)", manifest_mode_name(c->mode),
				    reading ? "reads" : "writes");
	}
	return 0;
}

static int stdio_slot(const char *guest)
{
	int i;

	for (i = 0; i < MANIFEST_STDIO; i++)
		if (!strcmp(guest, stdio_paths[i]))
			return i;
	return -1;
}

/* Rules between the fields of one channel, once each has parsed. */
static int channel_rules(struct parser *p, const char *cpath, json_t *v, struct manifest_channel *c)
{
	char path[64], show[MANIFEST_SHOW_SIZE];
	int s = stdio_slot(c->guest);

	if (s == 0 && c->mode != MANIFEST_READ) {
		mp_join(path, sizeof(path), cpath, "mode");
		return FAIL(p, path, "/dev/stdin must be mode read, got %s",
			    manifest_show(json_object_get(v, "mode"), show));
	}
	if (s > 0 && c->mode != MANIFEST_WRITE && c->mode != MANIFEST_APPEND) {
		mp_join(path, sizeof(path), cpath, "mode");
		return FAIL(p, path, "%s cannot be mode %s (write or append)", c->guest, manifest_mode_name(c->mode));
	}
	if (s >= 0 && c->type == MANIFEST_DIRECTORY) {
		mp_join(path, sizeof(path), cpath, "type");
		return FAIL(p, path, "%s cannot be a directory", c->guest);
	}
	if (c->type == MANIFEST_DIRECTORY && c->mode != MANIFEST_READ) {
		mp_join(path, sizeof(path), cpath, "mode");
		return FAIL(p, path, "a directory channel must be mode read, got %s",
			    manifest_show(json_object_get(v, "mode"), show));
	}
	if (!strcmp(c->guest, "/") && c->type != MANIFEST_DIRECTORY) {
		mp_join(path, sizeof(path), cpath, "guest");
		return FAIL(p, path, "only a directory channel can be /");
	}
	if (c->access == MANIFEST_RANDOM &&
	    (c->type == MANIFEST_FIFO || c->type == MANIFEST_CHARDEV || c->type == MANIFEST_SOCKET)) {
		mp_join(path, sizeof(path), cpath, "access");
		return FAIL(p, path, "a %s channel is sequential, got \"random\"", manifest_type_name(c->type));
	}
	if (c->access == MANIFEST_RANDOM && c->mode == MANIFEST_APPEND) {
		mp_join(path, sizeof(path), cpath, "access");
		return FAIL(p, path, "an append channel is sequential, got \"random\"");
	}
	return 0;
}

static int parse_channel(struct parser *p, size_t index, json_t *v, struct manifest_channel *c)
{
	static const char *const fields[] = { "guest", "host", "type", "mode", "access", "limits", NULL };
	char cpath[32], path[64];
	json_t *f;
	int r, e, s;

	snprintf(cpath, sizeof(cpath), "channels[%zu]", index);
	c->index = (int)index;
	c->limits = (struct manifest_limits){ MANIFEST_UNLIMITED, MANIFEST_UNLIMITED, MANIFEST_UNLIMITED,
					      MANIFEST_UNLIMITED };
	if ((r = mp_want_object(p, cpath, v)) || (r = mp_known_fields(p, cpath, v, fields)))
		return r;
	mp_join(path, sizeof(path), cpath, "guest");
	if (!(f = json_object_get(v, "guest")))
		return FAIL(p, path, "required field missing");
	if ((r = mp_get_guest_path(p, path, f, &c->guest)))
		return r;
	s = stdio_slot(c->guest);

	mp_join(path, sizeof(path), cpath, "host");
	if ((f = json_object_get(v, "host")) && (r = mp_get_host_path(p, path, f, &c->host)))
		return r;
	if (!f && s < 0)
		return FAIL(p, path, "required field missing");

	mp_join(path, sizeof(path), cpath, "type");
	c->type = c->host ? MANIFEST_FILE : MANIFEST_INHERITED;
	if ((f = json_object_get(v, "type"))) {
		if (!c->host)
			return FAIL(p, path, "needs host (without one, %s is vmlet's own)", c->guest);
		if ((r = mp_get_enum(p, path, f, channel_type_names, MANIFEST_FILE, MANIFEST_SOCKET, &e)))
			return r;
		c->type = (enum manifest_type)e;
	}

	mp_join(path, sizeof(path), cpath, "mode");
	c->mode = s > 0 ? MANIFEST_WRITE : MANIFEST_READ;
	if ((f = json_object_get(v, "mode"))) {
		if ((r = mp_get_enum(p, path, f, channel_mode_names, MANIFEST_READ, MANIFEST_READ_WRITE, &e)))
			return r;
		c->mode = (enum manifest_mode)e;
	}

	mp_join(path, sizeof(path), cpath, "access");
	c->access = (c->type == MANIFEST_FILE || c->type == MANIFEST_DIRECTORY) && s < 0 &&
				    c->mode != MANIFEST_APPEND
			    ? MANIFEST_RANDOM
			    : MANIFEST_SEQUENTIAL;
	if ((f = json_object_get(v, "access"))) {
		if ((r = mp_get_enum(p, path, f, channel_access_names, MANIFEST_SEQUENTIAL, MANIFEST_RANDOM, &e)))
			return r;
		c->access = (enum manifest_access)e;
	}

	if ((r = channel_rules(p, cpath, v, c)))
		return r;
	if ((f = json_object_get(v, "limits")) && (r = parse_limits(p, cpath, f, c)))
		return r;
	return 0;
}

/* Is b beneath a ("/a" contains "/a/b"; "/" contains everything else)? */
static int beneath(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (!strcmp(a, "/"))
		return strcmp(b, "/") != 0;
	return !strncmp(a, b, n) && b[n] == '/';
}

static void describe(const struct manifest_channel *c, char *out, size_t n)
{
	if (c->index >= 0)
		snprintf(out, n, "channels[%d] (%s)", c->index, c->guest);
	else
		snprintf(out, n, "%s", c->guest);
}

/* c against an earlier channel o: not the same path, and only directories hold other paths. */
static int no_clash(struct parser *p, const struct manifest_channel *c, const struct manifest_channel *o)
{
	char path[64], other[PATH_MAX + 32];

	snprintf(path, sizeof(path), "channels[%d].guest", c->index);
	describe(o, other, sizeof(other));
	if (!strcmp(c->guest, o->guest))
		return FAIL(p, path, "duplicate of %s", other);
	if (beneath(o->guest, c->guest) && o->type != MANIFEST_DIRECTORY)
		return FAIL(p, path, "%s lies inside %s, which is not a directory", c->guest, other);
	if (beneath(c->guest, o->guest) && c->type != MANIFEST_DIRECTORY)
		return FAIL(p, path, "%s is not a directory but %s lies inside it", c->guest, other);
	return 0;
}

int mp_parse_channels(struct parser *p, json_t *v)
{
	struct vmlet_manifest *m = p->m;
	struct manifest_channel *decl = NULL, *c;
	char show[MANIFEST_SHOW_SIZE];
	size_t n = v ? json_array_size(v) : 0, i, j, k;
	int r = 0, s, declared[MANIFEST_STDIO] = { 0 };
	json_t *e;

	if (v && !json_is_array(v))
		return FAIL(p, "channels", "must be an array of objects, got %s", manifest_show(v, show));
	if (n > MANIFEST_MAX_CHANNELS)
		return FAIL(p, "channels", "at most %d channels, got %zu", MANIFEST_MAX_CHANNELS, n);
	m->channels = calloc(n + MANIFEST_STDIO, sizeof(*m->channels));
	if (!m->channels || (n && !(decl = calloc(n, sizeof(*decl)))))
		return mp_oom(p);
	/* Undeclared stdio are inherited; declared ones replace them. */
	m->nchannels = MANIFEST_STDIO;
	for (i = 0; i < MANIFEST_STDIO; i++) {
		c = &m->channels[i];
		c->index = -1;
		c->type = MANIFEST_INHERITED;
		c->mode = i ? MANIFEST_WRITE : MANIFEST_READ;
		c->access = MANIFEST_SEQUENTIAL;
		c->limits = (struct manifest_limits){ MANIFEST_UNLIMITED, MANIFEST_UNLIMITED, MANIFEST_UNLIMITED,
						      MANIFEST_UNLIMITED };
		if (!(c->guest = strdup(stdio_paths[i]))) {
			free(decl);
			return mp_oom(p);
		}
	}
	json_array_foreach(v, i, e) {
		if ((r = parse_channel(p, i, e, &decl[i]))) {
			n = i + 1;
			goto out;
		}
	}
	for (i = 0; i < n; i++)
		if ((s = stdio_slot(decl[i].guest)) >= 0)
			declared[s] = 1;
	/* Clashes, in declaration order, against the inherited stdio and earlier channels. */
	for (i = 0; i < n; i++) {
		for (k = 0; k < MANIFEST_STDIO; k++)
			if (!declared[k] && (r = no_clash(p, &decl[i], &m->channels[k])))
				goto out;
		for (j = 0; j < i; j++)
			if ((r = no_clash(p, &decl[i], &decl[j])))
				goto out;
	}
	/* Move the declared channels into place: stdio to their slots, others after. */
	for (i = 0; i < n; i++) {
		s = stdio_slot(decl[i].guest);
		c = s >= 0 ? &m->channels[s] : &m->channels[m->nchannels++];
		free(c->guest);
		*c = decl[i];
		memset(&decl[i], 0, sizeof(decl[i]));
	}
out:
	for (i = 0; i < n; i++) {
		free(decl[i].guest);
		free(decl[i].host);
	}
	free(decl);
	return r;
}

