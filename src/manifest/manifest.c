/* manifest.c - parses and validates a JSON manifest (jansson) into a struct vmlet_manifest. */
#include "manifest.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli/options.h"
#include "channel_names.h"
#include "manifest_internal.h"
#include "vmlet.h"

#define MAX_EPOCH 9223372036ll       /* epoch * 1e9 still fits an int64_t of nanoseconds */
#define MAX_TIMEOUT_S 1000000000ll   /* parse_duration's ceiling, 1e18 ns */



/* ---- messages ---------------------------------------------------------------- */

int manifest_fail(const char *name, char *msg, size_t msglen, const char *path, const char *fmt, ...)
{
	va_list ap;
	size_t n = 0, i;

	if (!msglen)
		return -EINVAL;
	if (name && *name)
		n = (size_t)snprintf(msg, msglen, path && *path ? "%s: %s: " : "%s: ", name, path);
	else if (path && *path)
		n = (size_t)snprintf(msg, msglen, "%s: ", path);
	if (n < msglen) {
		va_start(ap, fmt);
		vsnprintf(msg + n, msglen - n, fmt, ap);
		va_end(ap);
	}
	/* One line, whatever the names and values held. */
	for (i = 0; msg[i]; i++)
		if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
			msg[i] = '?';
	return -EINVAL;
}

int mp_oom(struct parser *p)
{
	manifest_fail(p->name, p->msg, p->msglen, NULL, "out of memory");
	return -ENOMEM;
}

const char *manifest_show(const json_t *v, char buf[MANIFEST_SHOW_SIZE])
{
	char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_ENSURE_ASCII);

	if (!s)
		return "(value)";
	if (strlen(s) < MANIFEST_SHOW_SIZE) {
		memcpy(buf, s, strlen(s) + 1);
	} else {
		memcpy(buf, s, MANIFEST_SHOW_SIZE - 4);
		memcpy(buf + MANIFEST_SHOW_SIZE - 4, "...", 4);
	}
	free(s);
	return buf;
}

const char *manifest_show_str(const char *s, char buf[MANIFEST_SHOW_SIZE])
{
	json_t *v = json_string(s);
	const char *r = v ? manifest_show(v, buf) : "(string)";

	json_decref(v);
	return r;
}

/* ---- names ------------------------------------------------------------------- */

/* Channel names live in channel_names.c, shared with --channel. */
static const char *const commit_names[] = { NULL, "success", "always" };
_Static_assert(sizeof(commit_names) / sizeof(commit_names[0]) == MANIFEST_COMMIT_ALWAYS + 1, "commit names");

#define NAME_OF(table, v) ((unsigned)(v) < sizeof(table) / sizeof(table[0]) && table[v] ? table[v] : "?")

const char *manifest_type_name(enum manifest_type t) { return NAME_OF(channel_type_names, t); }
const char *manifest_mode_name(enum manifest_mode mode) { return NAME_OF(channel_mode_names, mode); }
const char *manifest_access_name(enum manifest_access a) { return NAME_OF(channel_access_names, a); }
const char *manifest_commit_name(enum manifest_commit c) { return NAME_OF(commit_names, c); }

int manifest_mode_reads(enum manifest_mode mode)
{
	return mode == MANIFEST_READ || mode == MANIFEST_READ_WRITE;
}

int manifest_mode_writes(enum manifest_mode mode)
{
	return mode == MANIFEST_WRITE || mode == MANIFEST_APPEND || mode == MANIFEST_READ_WRITE;
}

/* ---- field helpers ----------------------------------------------------------- */

/* Every key of obj must be one of allowed (NULL-terminated). */
int mp_known_fields(struct parser *p, const char *path, json_t *obj, const char *const *allowed)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		const char *const *a;
		char list[200] = "", show[MANIFEST_SHOW_SIZE];
		size_t n = 0;

		for (a = allowed; *a && strcmp(*a, key); a++)
			;
		if (*a)
			continue;
		for (a = allowed; *a && n < sizeof(list); a++)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", a == allowed ? "" : ", ", *a);
		return FAIL(p, path, "unknown field %s (expected %s)", manifest_show_str(key, show), list);
	}
	return 0;
}

void mp_join(char *out, size_t n, const char *path, const char *field)
{
	snprintf(out, n, "%s%s%s", path, *path ? "." : "", field);
}

int mp_want_object(struct parser *p, const char *path, json_t *v)
{
	char show[MANIFEST_SHOW_SIZE];

	return json_is_object(v) ? 0 : FAIL(p, path, "must be an object, got %s", manifest_show(v, show));
}

/* A string (non-empty unless allow_empty) copied into *out. */
int mp_get_string(struct parser *p, const char *path, json_t *v, int allow_empty, char **out)
{
	char show[MANIFEST_SHOW_SIZE];

	if (!json_is_string(v) || (!allow_empty && !json_string_length(v)))
		return FAIL(p, path, "must be a %sstring, got %s", allow_empty ? "" : "non-empty ",
			    manifest_show(v, show));
	*out = strdup(json_string_value(v));
	return *out ? 0 : mp_oom(p);
}

/* One of names[lo..hi], by name or alias (channel_names.c). */
int mp_get_enum(struct parser *p, const char *path, json_t *v, const char *const *names, int lo,
		    int hi, int *out)
{
	char list[160], show[MANIFEST_SHOW_SIZE];
	int i = json_is_string(v) ? channel_name_lookup(names, lo, hi, json_string_value(v)) : -1;

	if (i >= 0) {
		*out = i;
		return 0;
	}
	return FAIL(p, path, "must be one of %s, got %s", channel_names_list(names, lo, hi, list, sizeof(list)),
		    manifest_show(v, show));
}

/* A byte count: a non-negative integer, or a size string as --mem takes ("64M"). */
int mp_get_size(struct parser *p, const char *path, json_t *v, uint64_t *out)
{
	char show[MANIFEST_SHOW_SIZE];

	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (json_is_string(v) && !parse_size(json_string_value(v), out))
		return 0;
	return FAIL(p, path, "must be a non-negative integer or size string, got %s", manifest_show(v, show));
}

int mp_get_count(struct parser *p, const char *path, json_t *v, uint64_t *out)
{
	char show[MANIFEST_SHOW_SIZE];

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return FAIL(p, path, "must be a non-negative integer, got %s", manifest_show(v, show));
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

/* A duration in ns: positive integer seconds, or a string as --timeout takes ("500ms"). */
static int get_duration(struct parser *p, const char *path, json_t *v, uint64_t *out)
{
	char show[MANIFEST_SHOW_SIZE];

	if (json_is_integer(v) && json_integer_value(v) > 0 && json_integer_value(v) <= MAX_TIMEOUT_S) {
		*out = (uint64_t)json_integer_value(v) * 1000000000ull;
		return 0;
	}
	if (json_is_string(v) && !parse_duration(json_string_value(v), out))
		return 0;
	return FAIL(p, path, "must be a positive integer (seconds) or duration string, got %s",
		    manifest_show(v, show));
}

/* ---- paths ------------------------------------------------------------------- */

static int has_dotdot(const char *s)
{
	const char *c = s;

	for (;;) {
		const char *e = strchrnul(c, '/');

		if (e - c == 2 && c[0] == '.' && c[1] == '.')
			return 1;
		if (!*e)
			return 0;
		c = e + 1;
	}
}

/* A host path: non-empty, shorter than PATH_MAX, no ".." component. */
int mp_get_host_path(struct parser *p, const char *path, json_t *v, char **out)
{
	char show[MANIFEST_SHOW_SIZE];
	int r = mp_get_string(p, path, v, 0, out);

	if (r)
		return r;
	if (strlen(*out) >= PATH_MAX)
		return FAIL(p, path, "too long (%zu bytes, at most %d)", strlen(*out), PATH_MAX - 1);
	if (has_dotdot(*out))
		return FAIL(p, path, "must not contain '..' components, got %s", manifest_show(v, show));
	return 0;
}

/* A guest path: absolute, no ".." component; stored normalized (no "//", ".", trailing "/"). */
int mp_get_guest_path(struct parser *p, const char *path, json_t *v, char **out)
{
	char show[MANIFEST_SHOW_SIZE], *raw, *o;
	const char *c;
	int r = mp_get_string(p, path, v, 0, &raw);

	if (r)
		return r;
	if (raw[0] != '/')
		r = FAIL(p, path, "must be an absolute path, got %s", manifest_show(v, show));
	else if (strlen(raw) >= PATH_MAX)
		r = FAIL(p, path, "too long (%zu bytes, at most %d)", strlen(raw), PATH_MAX - 1);
	else if (has_dotdot(raw))
		r = FAIL(p, path, "must not contain '..' components, got %s", manifest_show(v, show));
	if (r) {
		free(raw);
		return r;
	}
	/* Normalize in place: the result is never longer than the input. */
	for (c = raw, o = raw; *c;) {
		const char *e;

		while (*c == '/')
			c++;
		e = strchrnul(c, '/');
		if (e - c > 1 || (e - c == 1 && c[0] != '.')) {
			*o++ = '/';
			memmove(o, c, (size_t)(e - c));
			o += e - c;
		}
		c = e;
	}
	if (o == raw)
		*o++ = '/';
	*o = 0;
	*out = raw;
	return 0;
}

/* ---- top-level fields -------------------------------------------------------- */

static int parse_strings(struct parser *p, const char *path, json_t *v, size_t first, char ***out,
			 size_t *count)
{
	char show[MANIFEST_SHOW_SIZE], ipath[48];
	size_t i, n;
	json_t *e;

	if (v && !json_is_array(v))
		return FAIL(p, path, "must be an array of strings, got %s", manifest_show(v, show));
	n = v ? json_array_size(v) : 0;
	*out = calloc(first + n + 1, sizeof(char *));
	if (!*out)
		return mp_oom(p);
	*count = first + n;
	json_array_foreach(v, i, e) {
		snprintf(ipath, sizeof(ipath), "%s[%zu]", path, i);
		if (!json_is_string(e))
			return FAIL(p, ipath, "must be a string, got %s", manifest_show(e, show));
		if (!((*out)[first + i] = strdup(json_string_value(e))))
			return mp_oom(p);
	}
	return 0;
}

static int parse_env(struct parser *p, json_t *v)
{
	struct vmlet_manifest *m = p->m;
	char show[MANIFEST_SHOW_SIZE], path[32];
	size_t i, j;
	int r = parse_strings(p, "env", v, 0, &m->envp, &m->nenv);

	for (i = 0; !r && i < m->nenv; i++) {
		const char *s = m->envp[i], *eq = strchr(s, '=');

		snprintf(path, sizeof(path), "env[%zu]", i);
		if (!eq || eq == s)
			return FAIL(p, path, "must be NAME=VALUE, got %s", manifest_show_str(s, show));
		for (j = 0; j < i; j++)
			if (!strncmp(m->envp[j], s, (size_t)(eq - s) + 1))
				return FAIL(p, path, "duplicate variable %.*s (also env[%zu])", (int)(eq - s), s, j);
	}
	return r;
}

static int parse_deterministic(struct parser *p, json_t *v)
{
	static const char *const fields[] = { "enabled", "epoch", "seed", NULL };
	struct manifest_determinism *d = &p->m->deterministic;
	char show[MANIFEST_SHOW_SIZE];
	json_t *f;
	int r, i;

	if ((r = mp_want_object(p, "deterministic", v)) || (r = mp_known_fields(p, "deterministic", v, fields)))
		return r;
	d->enabled = 1;
	if ((f = json_object_get(v, "enabled"))) {
		if (!json_is_boolean(f))
			return FAIL(p, "deterministic.enabled", "must be true or false, got %s", manifest_show(f, show));
		d->enabled = json_is_true(f);
	}
	if ((f = json_object_get(v, "epoch"))) {
		if (!json_is_integer(f) || json_integer_value(f) < 0 || json_integer_value(f) > MAX_EPOCH)
			return FAIL(p, "deterministic.epoch",
				    "must be an integer from 0 to %lld (seconds since 1970), got %s", MAX_EPOCH,
				    manifest_show(f, show));
		d->epoch = json_integer_value(f);
	}
	if ((f = json_object_get(v, "seed"))) {
		const char *s = json_is_string(f) ? json_string_value(f) : "";

		if (strlen(s) != 64 || strspn(s, "0123456789abcdefABCDEF") != 64)
			return FAIL(p, "deterministic.seed", "must be 64 hex digits (32 bytes), got %s",
				    manifest_show(f, show));
		for (i = 0; i < 32; i++) {
			unsigned x;

			sscanf(s + 2 * i, "%2x", &x);
			d->seed[i] = (uint8_t)x;
		}
	}
	return 0;
}

static int parse_tmpfs(struct parser *p, json_t *v)
{
	static const char *const fields[] = { "path", "size", NULL };
	struct vmlet_manifest *m = p->m;
	char show[MANIFEST_SHOW_SIZE], path[48]; /* "tmpfs[N].path" for any size_t N */
	json_t *e, *f;
	size_t i;
	int r;

	if (!json_is_array(v))
		return FAIL(p, "tmpfs", "must be an array of {\"path\": ..., \"size\": ...}, got %s",
			    manifest_show(v, show));
	if (json_array_size(v) > MANIFEST_MAX_TMPFS)
		return FAIL(p, "tmpfs", "at most %d mounts, got %zu", MANIFEST_MAX_TMPFS, json_array_size(v));
	json_array_foreach(v, i, e) {
		snprintf(path, sizeof(path), "tmpfs[%zu]", i);
		if ((r = mp_want_object(p, path, e)) || (r = mp_known_fields(p, path, e, fields)))
			return r;
		snprintf(path, sizeof(path), "tmpfs[%zu].path", i);
		if (!(f = json_object_get(e, "path")))
			return FAIL(p, path, "required field missing");
		if ((r = mp_get_guest_path(p, path, f, &m->tmpfs[i].path)))
			return r;
		m->ntmpfs = i + 1;
		snprintf(path, sizeof(path), "tmpfs[%zu].size", i);
		if ((f = json_object_get(e, "size")) && (r = mp_get_size(p, path, f, &m->tmpfs[i].size)))
			return r;
		if (f && !m->tmpfs[i].size)
			return FAIL(p, path, "must not be 0");
	}
	return 0;
}

/* "uid", "gid": an integer 0..VMLET_MAX_ID, as --uid and --gid take it; -1 when absent. */
static int get_id(struct parser *p, const char *path, json_t *v, int64_t *out)
{
	char show[MANIFEST_SHOW_SIZE];

	*out = -1;
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > VMLET_MAX_ID)
		return FAIL(p, path, "must be an integer from 0 to %u, got %s", VMLET_MAX_ID, manifest_show(v, show));
	*out = json_integer_value(v);
	return 0;
}

static int parse_scalars(struct parser *p, json_t *root)
{
	struct vmlet_manifest *m = p->m;
	char show[MANIFEST_SHOW_SIZE];
	json_t *v;
	int r, e;

	if ((v = json_object_get(root, "version")) && (!json_is_integer(v) || json_integer_value(v) != 1))
		return FAIL(p, "version", "must be 1 (the only format version so far), got %s", manifest_show(v, show));
	if (!(v = json_object_get(root, "program")))
		return FAIL(p, "program", "required field missing");
	if ((r = mp_get_host_path(p, "program", v, &m->program)))
		return r;
	if ((r = parse_strings(p, "args", json_object_get(root, "args"), 1, &m->argv, &m->argc)))
		return r;
	if (!(m->argv[0] = strdup(m->program)))
		return mp_oom(p);
	if ((r = parse_env(p, json_object_get(root, "env"))))
		return r;
	if ((v = json_object_get(root, "clear_env"))) {
		if (!json_is_boolean(v))
			return FAIL(p, "clear_env", "must be true or false, got %s", manifest_show(v, show));
		m->clear_env = json_is_true(v);
	}
	m->memory = VMLET_DEFAULT_MEM;
	if ((v = json_object_get(root, "memory"))) {
		struct vmlet_error err;

		if ((r = mp_get_size(p, "memory", v, &m->memory)))
			return r;
		if (vmlet_mem_check(m->memory, &err)) /* the library's check, as for --mem */
			return FAIL(p, "memory", "%s", err.message);
	}
	if ((v = json_object_get(root, "root")) && (r = mp_get_host_path(p, "root", v, &m->root)))
		return r;
	if ((r = get_id(p, "uid", json_object_get(root, "uid"), &m->uid)) ||
	    (r = get_id(p, "gid", json_object_get(root, "gid"), &m->gid)))
		return r;
	if ((v = json_object_get(root, "processes")) &&
	    (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > VMLET_MAX_PROCS))
		return FAIL(p, "processes", "must be an integer from 1 to %u, got %s", VMLET_MAX_PROCS, manifest_show(v, show));
	m->processes = v ? (uint32_t)json_integer_value(v) : 0;
	if ((v = json_object_get(root, "timeout")) && (r = get_duration(p, "timeout", v, &m->timeout)))
		return r;
	if ((v = json_object_get(root, "deterministic")) && (r = parse_deterministic(p, v)))
		return r;
	if ((v = json_object_get(root, "tmpfs")) && (r = parse_tmpfs(p, v)))
		return r;
	if ((v = json_object_get(root, "report"))) {
		if (json_is_string(v) && !strcmp(json_string_value(v), "-"))
			r = mp_get_string(p, "report", v, 0, &m->report);
		else
			r = mp_get_host_path(p, "report", v, &m->report);
		if (r)
			return r;
	}
	m->commit = MANIFEST_COMMIT_SUCCESS;
	if ((v = json_object_get(root, "commit"))) {
		if ((r = mp_get_enum(p, "commit", v, commit_names, MANIFEST_COMMIT_SUCCESS, MANIFEST_COMMIT_ALWAYS, &e)))
			return r;
		m->commit = (enum manifest_commit)e;
	}
	return 0;
}

/* ---- entry points ------------------------------------------------------------ */

int manifest_parse(const char *text, size_t len, const char *name, struct vmlet_manifest *m, char *msg,
		   size_t msglen)
{
	static const char *const fields[] = { "version", "program", "args", "env", "clear_env", "memory", "timeout",
					      "channels", "deterministic", "report", "commit", "tmpfs", "root", "uid", "gid", "processes", NULL };
	struct parser p = { name ? name : "manifest", msg, msglen, m };
	char show[MANIFEST_SHOW_SIZE];
	json_error_t jerr;
	json_t *root;
	int r;

	memset(m, 0, sizeof(*m));
	if (msglen)
		msg[0] = 0;
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return FAIL(&p, NULL, "line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
	if (!json_is_object(root))
		r = FAIL(&p, NULL, "must be a JSON object, got %s", manifest_show(root, show));
	else if (!(r = mp_known_fields(&p, NULL, root, fields)) && !(r = parse_scalars(&p, root)))
		r = mp_parse_channels(&p, json_object_get(root, "channels"));
	if (!r && !(m->name = strdup(p.name)))
		r = mp_oom(&p);
	json_decref(root);
	if (r)
		manifest_free(m);
	return r;
}

void manifest_free(struct vmlet_manifest *m)
{
	size_t i;

	for (i = 0; m->argv && i < m->argc; i++)
		free(m->argv[i]);
	for (i = 0; m->envp && i < m->nenv; i++)
		free(m->envp[i]);
	for (i = 0; m->channels && i < m->nchannels; i++) {
		free(m->channels[i].guest);
		free(m->channels[i].host);
	}
	for (i = 0; i < m->ntmpfs; i++)
		free(m->tmpfs[i].path);
	free(m->argv);
	free(m->envp);
	free(m->channels);
	free(m->name);
	free(m->program);
	free(m->report);
	free(m->root);
	memset(m, 0, sizeof(*m));
}
