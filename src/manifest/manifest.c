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
#include "manifest_internal.h"
#include "vmlet.h"

#define MAX_EPOCH 9223372036ll       /* epoch * 1e9 still fits an int64_t of nanoseconds */
#define MAX_TIMEOUT_S 1000000000ll   /* parse_duration's ceiling, 1e18 ns */

static const char *const stdio_paths[MANIFEST_STDIO] = { "/dev/stdin", "/dev/stdout", "/dev/stderr" };

struct parser {
	const char *name;
	char *msg;
	size_t msglen;
	struct vmlet_manifest *m;
};

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

#define FAIL(p, path, ...) manifest_fail((p)->name, (p)->msg, (p)->msglen, (path), __VA_ARGS__)

static int oom(struct parser *p)
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

static const char *const type_names[] = { "inherited", "file", "directory", "fifo", "chardev", "socket" };
static const char *const mode_names[] = { NULL, "read", "write", "append", "read-write" };
static const char *const access_names[] = { NULL, "sequential", "random" };
static const char *const commit_names[] = { NULL, "success", "always" };
_Static_assert(sizeof(type_names) / sizeof(type_names[0]) == MANIFEST_SOCKET + 1, "type names");
_Static_assert(sizeof(mode_names) / sizeof(mode_names[0]) == MANIFEST_READ_WRITE + 1, "mode names");
_Static_assert(sizeof(access_names) / sizeof(access_names[0]) == MANIFEST_RANDOM + 1, "access names");
_Static_assert(sizeof(commit_names) / sizeof(commit_names[0]) == MANIFEST_COMMIT_ALWAYS + 1, "commit names");

#define NAME_OF(table, v) ((unsigned)(v) < sizeof(table) / sizeof(table[0]) && table[v] ? table[v] : "?")

const char *manifest_type_name(enum manifest_type t) { return NAME_OF(type_names, t); }
const char *manifest_mode_name(enum manifest_mode mode) { return NAME_OF(mode_names, mode); }
const char *manifest_access_name(enum manifest_access a) { return NAME_OF(access_names, a); }
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
static int known_fields(struct parser *p, const char *path, json_t *obj, const char *const *allowed)
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

static void join(char *out, size_t n, const char *path, const char *field)
{
	snprintf(out, n, "%s%s%s", path, *path ? "." : "", field);
}

static int want_object(struct parser *p, const char *path, json_t *v)
{
	char show[MANIFEST_SHOW_SIZE];

	return json_is_object(v) ? 0 : FAIL(p, path, "must be an object, got %s", manifest_show(v, show));
}

/* A string (non-empty unless allow_empty) copied into *out. */
static int get_string(struct parser *p, const char *path, json_t *v, int allow_empty, char **out)
{
	char show[MANIFEST_SHOW_SIZE];

	if (!json_is_string(v) || (!allow_empty && !json_string_length(v)))
		return FAIL(p, path, "must be a %sstring, got %s", allow_empty ? "" : "non-empty ",
			    manifest_show(v, show));
	*out = strdup(json_string_value(v));
	return *out ? 0 : oom(p);
}

/* One of names[lo..hi], by name. */
static int get_enum(struct parser *p, const char *path, json_t *v, const char *const *names, int lo,
		    int hi, int *out)
{
	char list[120] = "", show[MANIFEST_SHOW_SIZE];
	size_t n = 0;
	int i;

	for (i = lo; json_is_string(v) && i <= hi; i++)
		if (!strcmp(json_string_value(v), names[i])) {
			*out = i;
			return 0;
		}
	for (i = lo; i <= hi; i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i == lo ? "" : ", ", names[i]);
	return FAIL(p, path, "must be one of %s, got %s", list, manifest_show(v, show));
}

/* A byte count: a non-negative integer, or a size string as --mem takes ("64M"). */
static int get_size(struct parser *p, const char *path, json_t *v, uint64_t *out)
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

static int get_count(struct parser *p, const char *path, json_t *v, uint64_t *out)
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
static int get_host_path(struct parser *p, const char *path, json_t *v, char **out)
{
	char show[MANIFEST_SHOW_SIZE];
	int r = get_string(p, path, v, 0, out);

	if (r)
		return r;
	if (strlen(*out) >= PATH_MAX)
		return FAIL(p, path, "too long (%zu bytes, at most %d)", strlen(*out), PATH_MAX - 1);
	if (has_dotdot(*out))
		return FAIL(p, path, "must not contain '..' components, got %s", manifest_show(v, show));
	return 0;
}

/* A guest path: absolute, no ".." component; stored normalized (no "//", ".", trailing "/"). */
static int get_guest_path(struct parser *p, const char *path, json_t *v, char **out)
{
	char show[MANIFEST_SHOW_SIZE], *raw, *o;
	const char *c;
	int r = get_string(p, path, v, 0, &raw);

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
		return oom(p);
	*count = first + n;
	json_array_foreach(v, i, e) {
		snprintf(ipath, sizeof(ipath), "%s[%zu]", path, i);
		if (!json_is_string(e))
			return FAIL(p, ipath, "must be a string, got %s", manifest_show(e, show));
		if (!((*out)[first + i] = strdup(json_string_value(e))))
			return oom(p);
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

	if ((r = want_object(p, "deterministic", v)) || (r = known_fields(p, "deterministic", v, fields)))
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
	if ((r = get_host_path(p, "program", v, &m->program)))
		return r;
	if ((r = parse_strings(p, "args", json_object_get(root, "args"), 1, &m->argv, &m->argc)))
		return r;
	if (!(m->argv[0] = strdup(m->program)))
		return oom(p);
	if ((r = parse_env(p, json_object_get(root, "env"))))
		return r;
	m->memory = VMLET_DEFAULT_MEM;
	if ((v = json_object_get(root, "memory"))) {
		if ((r = get_size(p, "memory", v, &m->memory)))
			return r;
		if (m->memory < VMLET_MIN_MEM || m->memory > VMLET_MAX_MEM)
			return FAIL(p, "memory", "must be between %lluM and %lluG, got %s",
				    VMLET_MIN_MEM >> 20, VMLET_MAX_MEM >> 30, manifest_show(v, show));
	}
	if ((v = json_object_get(root, "timeout")) && (r = get_duration(p, "timeout", v, &m->timeout)))
		return r;
	if ((v = json_object_get(root, "deterministic")) && (r = parse_deterministic(p, v)))
		return r;
	if ((v = json_object_get(root, "report"))) {
		if (json_is_string(v) && !strcmp(json_string_value(v), "-"))
			r = get_string(p, "report", v, 0, &m->report);
		else
			r = get_host_path(p, "report", v, &m->report);
		if (r)
			return r;
	}
	m->commit = MANIFEST_COMMIT_SUCCESS;
	if ((v = json_object_get(root, "commit"))) {
		if ((r = get_enum(p, "commit", v, commit_names, MANIFEST_COMMIT_SUCCESS, MANIFEST_COMMIT_ALWAYS, &e)))
			return r;
		m->commit = (enum manifest_commit)e;
	}
	return 0;
}

/* ---- channels ---------------------------------------------------------------- */

static int parse_limits(struct parser *p, const char *cpath, json_t *v, struct manifest_channel *c)
{
	static const char *const fields[] = { "reads", "read_bytes", "writes", "write_bytes", NULL };
	uint64_t *slot[] = { &c->limits.reads, &c->limits.read_bytes, &c->limits.writes, &c->limits.write_bytes };
	char path[64], fpath[96];
	json_t *f;
	int i, r;

	join(path, sizeof(path), cpath, "limits");
	if ((r = want_object(p, path, v)) || (r = known_fields(p, path, v, fields)))
		return r;
	for (i = 0; i < 4; i++) {
		int reading = i < 2;

		if (!(f = json_object_get(v, fields[i])))
			continue;
		join(fpath, sizeof(fpath), path, fields[i]);
		r = (i & 1) ? get_size(p, fpath, f, slot[i]) : get_count(p, fpath, f, slot[i]);
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
		join(path, sizeof(path), cpath, "mode");
		return FAIL(p, path, "/dev/stdin must be mode read, got %s",
			    manifest_show(json_object_get(v, "mode"), show));
	}
	if (s > 0 && c->mode != MANIFEST_WRITE && c->mode != MANIFEST_APPEND) {
		join(path, sizeof(path), cpath, "mode");
		return FAIL(p, path, "%s cannot be mode %s (write or append)", c->guest, manifest_mode_name(c->mode));
	}
	if (s >= 0 && c->type == MANIFEST_DIRECTORY) {
		join(path, sizeof(path), cpath, "type");
		return FAIL(p, path, "%s cannot be a directory", c->guest);
	}
	if (c->type == MANIFEST_DIRECTORY && c->mode != MANIFEST_READ) {
		join(path, sizeof(path), cpath, "mode");
		return FAIL(p, path, "a directory channel must be mode read, got %s",
			    manifest_show(json_object_get(v, "mode"), show));
	}
	if (!strcmp(c->guest, "/") && c->type != MANIFEST_DIRECTORY) {
		join(path, sizeof(path), cpath, "guest");
		return FAIL(p, path, "only a directory channel can be /");
	}
	if (c->access == MANIFEST_RANDOM &&
	    (c->type == MANIFEST_FIFO || c->type == MANIFEST_CHARDEV || c->type == MANIFEST_SOCKET)) {
		join(path, sizeof(path), cpath, "access");
		return FAIL(p, path, "a %s channel is sequential, got \"random\"", manifest_type_name(c->type));
	}
	if (c->access == MANIFEST_RANDOM && c->mode == MANIFEST_APPEND) {
		join(path, sizeof(path), cpath, "access");
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
	if ((r = want_object(p, cpath, v)) || (r = known_fields(p, cpath, v, fields)))
		return r;
	join(path, sizeof(path), cpath, "guest");
	if (!(f = json_object_get(v, "guest")))
		return FAIL(p, path, "required field missing");
	if ((r = get_guest_path(p, path, f, &c->guest)))
		return r;
	s = stdio_slot(c->guest);

	join(path, sizeof(path), cpath, "host");
	if ((f = json_object_get(v, "host")) && (r = get_host_path(p, path, f, &c->host)))
		return r;
	if (!f && s < 0)
		return FAIL(p, path, "required field missing");

	join(path, sizeof(path), cpath, "type");
	c->type = c->host ? MANIFEST_FILE : MANIFEST_INHERITED;
	if ((f = json_object_get(v, "type"))) {
		if (!c->host)
			return FAIL(p, path, "needs host (without one, %s is vmlet's own)", c->guest);
		if ((r = get_enum(p, path, f, type_names, MANIFEST_FILE, MANIFEST_SOCKET, &e)))
			return r;
		c->type = (enum manifest_type)e;
	}

	join(path, sizeof(path), cpath, "mode");
	c->mode = s > 0 ? MANIFEST_WRITE : MANIFEST_READ;
	if ((f = json_object_get(v, "mode"))) {
		if ((r = get_enum(p, path, f, mode_names, MANIFEST_READ, MANIFEST_READ_WRITE, &e)))
			return r;
		c->mode = (enum manifest_mode)e;
	}

	join(path, sizeof(path), cpath, "access");
	c->access = (c->type == MANIFEST_FILE || c->type == MANIFEST_DIRECTORY) && s < 0 &&
				    c->mode != MANIFEST_APPEND
			    ? MANIFEST_RANDOM
			    : MANIFEST_SEQUENTIAL;
	if ((f = json_object_get(v, "access"))) {
		if ((r = get_enum(p, path, f, access_names, MANIFEST_SEQUENTIAL, MANIFEST_RANDOM, &e)))
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

static int parse_channels(struct parser *p, json_t *v)
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
		return oom(p);
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
			return oom(p);
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

/* ---- entry points ------------------------------------------------------------ */

int manifest_parse(const char *text, size_t len, const char *name, struct vmlet_manifest *m, char *msg,
		   size_t msglen)
{
	static const char *const fields[] = { "version", "program", "args", "env", "memory", "timeout",
					      "channels", "deterministic", "report", "commit", NULL };
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
	else if (!(r = known_fields(&p, NULL, root, fields)) && !(r = parse_scalars(&p, root)))
		r = parse_channels(&p, json_object_get(root, "channels"));
	if (!r && !(m->name = strdup(p.name)))
		r = oom(&p);
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
	free(m->argv);
	free(m->envp);
	free(m->channels);
	free(m->name);
	free(m->program);
	free(m->report);
	memset(m, 0, sizeof(*m));
}
