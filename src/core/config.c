/* config.c - checks a struct vmlet_config before any VM exists: the one validation path of `vmlet check` and vmlet_vm_create. */
#include "vmlet.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int __attribute__((format(printf, 2, 3))) bad(struct vmlet_error *err, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		err->code = -EINVAL;
		err->program = 0;
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* A byte count as --mem takes it, exactly and in the largest unit that divides it: "15M", "64G", "1000". */
static const char *size_str(uint64_t v, char buf[32])
{
	static const char units[] = "GMK";
	int shift;

	for (shift = 30; shift >= 10; shift -= 10)
		if (v && !(v & ((1ull << shift) - 1))) {
			snprintf(buf, 32, "%" PRIu64 "%c", v >> shift, units[(30 - shift) / 10]);
			return buf;
		}
	snprintf(buf, 32, "%" PRIu64, v);
	return buf;
}

int vmlet_mem_check(uint64_t mem_bytes, struct vmlet_error *err)
{
	char got[32];

	if (mem_bytes >= VMLET_MIN_MEM && mem_bytes <= VMLET_MAX_MEM)
		return 0;
	return bad(err, "guest memory must be between %lluM and %lluG, got %s", VMLET_MIN_MEM >> 20,
		   VMLET_MAX_MEM >> 30, size_str(mem_bytes, got));
}

static int check_channels(const struct vmlet_config *c, struct vmlet_error *err)
{
	size_t i, j, written = 0;

	if (c->nchannels && !c->channels)
		return bad(err, "%zu channels declared but none given", c->nchannels);
	for (i = 0; i < c->nchannels; i++) {
		const struct vmlet_channel *ch = &c->channels[i];

		if (!ch->guest_path || ch->guest_path[0] != '/' || !ch->host_path || !ch->host_path[0])
			return bad(err, "channel: guest path must be absolute and host path given");
		if (ch->mode < VMLET_CHANNEL_READ || ch->mode > VMLET_CHANNEL_READ_WRITE ||
		    ch->type < VMLET_CHANNEL_FILE || ch->type > VMLET_CHANNEL_SOCKET)
			return bad(err, "channel %s: bad type or mode", ch->guest_path);
		if (ch->type == VMLET_CHANNEL_DIRECTORY && ch->mode != VMLET_CHANNEL_READ)
			return bad(err, "channel %s: a directory channel must be mode read", ch->guest_path);
		for (j = 0; j < i; j++)
			if (!strcmp(c->channels[j].guest_path, ch->guest_path))
				return bad(err, "channel %s: declared twice", ch->guest_path);
		written += ch->type == VMLET_CHANNEL_FILE && ch->mode != VMLET_CHANNEL_READ;
	}
	if (written > VMLET_MAX_WRITTEN_FILES) /* each is committed in its own directory fd, which seccomp lists */
		return bad(err, "at most %d written file channels per run (%zu declared)", VMLET_MAX_WRITTEN_FILES,
			   written);
	return 0;
}

/* Absolute, normalized ("/a/b": no ".", "..", empty or trailing component), not "/". */
static int normalized_path(const char *p)
{
	const char *c = p;

	if (p[0] != '/' || !p[1])
		return 0;
	while (*c) {
		const char *s = ++c; /* past the '/' */
		while (*c && *c != '/')
			c++;
		if (c == s || (c - s == 1 && s[0] == '.') || (c - s == 2 && s[0] == '.' && s[1] == '.'))
			return 0;
	}
	return 1;
}

/* One path lies at or under the other. */
static int nested(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b), n = na < nb ? na : nb;

	return !strncmp(a, b, n) && (na == nb || (na < nb ? b[n] : a[n]) == '/');
}

static int check_tmpfs(const struct vmlet_config *c, struct vmlet_error *err)
{
	uint64_t mem = c->mem_bytes ? c->mem_bytes : VMLET_DEFAULT_MEM;
	char a[32], b[32];
	size_t i, j;

	if (c->ntmpfs && !c->tmpfs)
		return bad(err, "%zu tmpfs mounts declared but none given", c->ntmpfs);
	if (c->ntmpfs > VMLET_MAX_TMPFS)
		return bad(err, "at most %d tmpfs mounts (%zu declared)", VMLET_MAX_TMPFS, c->ntmpfs);
	for (i = 0; i < c->ntmpfs; i++) {
		const struct vmlet_tmpfs_mount *t = &c->tmpfs[i];

		if (!t->path || !normalized_path(t->path))
			return bad(err, "tmpfs %s: the path must be absolute and normalized, and not /",
				   t->path ? t->path : "(null)");
		if (strlen(t->path) >= 256)
			return bad(err, "tmpfs %.40s...: the path must be shorter than 256 bytes", t->path);
		if (t->size > mem)
			return bad(err, "tmpfs %s: size %s is larger than the guest memory (%s)", t->path,
				   size_str(t->size, a), size_str(mem, b));
		for (j = 0; j < i; j++)
			if (nested(c->tmpfs[j].path, t->path))
				return bad(err, "tmpfs %s: overlaps tmpfs %s", t->path, c->tmpfs[j].path);
	}
	return 0;
}

/* guest path p is at or under dir */
static int under(const char *p, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(p, dir, n) && (p[n] == '/' || !p[n]);
}

int vmlet_config_dev_shm(const struct vmlet_config *c)
{
	static const char shm[] = "/dev/shm";
	size_t i;

	if (!c->root)
		return 0;
	for (i = 0; i < c->ntmpfs; i++)
		if (c->tmpfs[i].path && nested(c->tmpfs[i].path, shm))
			return 0;
	for (i = 0; i < c->ngrants; i++) {
		const char *g = c->grants[i].guest_path ? c->grants[i].guest_path : c->grants[i].host_path;
		if (g && under(g, shm))
			return 0;
	}
	for (i = 0; i < c->nchannels; i++)
		if (c->channels[i].guest_path && under(c->channels[i].guest_path, shm))
			return 0;
	return 1;
}

int vmlet_config_check(const struct vmlet_config *c, struct vmlet_error *err)
{
	int r;

	if (err)
		err->code = 0, err->program = 0, err->message[0] = 0;
	if (!c || !c->path || !c->path[0])
		return bad(err, "no program given");
	if (c->mem_bytes && (r = vmlet_mem_check(c->mem_bytes, err)))
		return r;
	if (c->root && !c->root[0])
		return bad(err, "root: empty path");
	if (c->ngrants && !c->grants)
		return bad(err, "%zu grants declared but none given", c->ngrants);
	if (c->commit != VMLET_COMMIT_SUCCESS && c->commit != VMLET_COMMIT_ALWAYS)
		return bad(err, "bad commit policy %d", (int)c->commit);
	if (c->uid > VMLET_MAX_ID || c->gid > VMLET_MAX_ID)
		return bad(err, "%s must be between 0 and %u, got %u", c->uid > VMLET_MAX_ID ? "uid" : "gid",
			   VMLET_MAX_ID, c->uid > VMLET_MAX_ID ? c->uid : c->gid);
	if (c->max_procs > VMLET_MAX_PROCS)
		return bad(err, "processes must be between 1 and %u, got %u", VMLET_MAX_PROCS, c->max_procs);
	if ((r = check_tmpfs(c, err)))
		return r;
	return check_channels(c, err);
}
