/* manifest_internal.h - what the manifest parser's files share: messages, the parser state, field readers. */
#ifndef VMLET_MANIFEST_INTERNAL_H
#define VMLET_MANIFEST_INTERNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest.h"

#define MANIFEST_SHOW_SIZE 48 /* a value quoted in a message: at most 47 characters */

/*
 * Write "name: path: <fmt...>" (parts omitted when NULL or empty) into msg,
 * with control characters replaced so the message stays one line. Returns -EINVAL.
 */
int manifest_fail(const char *name, char *msg, size_t msglen, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* A JSON value, compact and ASCII-only, cut to fit buf ("..." when cut). */
const char *manifest_show(const json_t *v, char buf[MANIFEST_SHOW_SIZE]);

/* A C string as a quoted JSON string, cut to fit buf. */
const char *manifest_show_str(const char *s, char buf[MANIFEST_SHOW_SIZE]);

/* ---- the parser (manifest.c, manifest_channels.c) ---- */

struct parser {
	const char *name; /* for messages */
	char *msg;
	size_t msglen;
	struct vmlet_manifest *m;
};

#define FAIL(p, path, ...) manifest_fail((p)->name, (p)->msg, (p)->msglen, (path), __VA_ARGS__)

/*
 * Field readers: each checks one JSON value at the JSON path `path`, stores
 * it, and returns 0, or -EINVAL with the message written (-ENOMEM: mp_oom).
 */
int mp_oom(struct parser *p);
int mp_known_fields(struct parser *p, const char *path, json_t *obj, const char *const *allowed);
void mp_join(char *out, size_t n, const char *path, const char *field); /* "path.field" */
int mp_want_object(struct parser *p, const char *path, json_t *v);
int mp_get_string(struct parser *p, const char *path, json_t *v, int allow_empty, char **out);
int mp_get_enum(struct parser *p, const char *path, json_t *v, const char *const *names, int lo, int hi,
		int *out);
int mp_get_size(struct parser *p, const char *path, json_t *v, uint64_t *out);
int mp_get_count(struct parser *p, const char *path, json_t *v, uint64_t *out);
int mp_get_host_path(struct parser *p, const char *path, json_t *v, char **out);
int mp_get_guest_path(struct parser *p, const char *path, json_t *v, char **out);

/* The "channels" array (v may be NULL) into p->m->channels, stdio first. */
int mp_parse_channels(struct parser *p, json_t *v);

#endif
