/* manifest_internal.h - message helpers shared by the manifest parser and its host checks. */
#ifndef VMLET_MANIFEST_INTERNAL_H
#define VMLET_MANIFEST_INTERNAL_H

#include <jansson.h>
#include <stddef.h>

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

#endif
