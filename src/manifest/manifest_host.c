/* manifest_host.c - a manifest against the host: read it from a file, check every host path it names. */
#include "manifest.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "manifest_internal.h"
#include "report_file.h"

int manifest_load(const char *path, struct vmlet_manifest *m, char *msg, size_t msglen)
{
	size_t len = 0, cap = 0;
	char *buf = NULL, *nbuf;
	ssize_t n;
	int fd, r;

	memset(m, 0, sizeof(*m));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		manifest_fail(path, msg, msglen, NULL, "%s", strerror(-r));
		return r;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? 2 * cap : 16384;
			if (cap > MANIFEST_MAX_FILE + 1)
				cap = MANIFEST_MAX_FILE + 1;
			if (len == cap) {
				r = -EFBIG;
				manifest_fail(path, msg, msglen, NULL, "larger than %u KiB", MANIFEST_MAX_FILE >> 10);
				goto out;
			}
			if (!(nbuf = realloc(buf, cap))) {
				r = -ENOMEM;
				manifest_fail(path, msg, msglen, NULL, "out of memory");
				goto out;
			}
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			manifest_fail(path, msg, msglen, NULL, "%s", strerror(-r));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	r = manifest_parse(buf ? buf : "", len, path, m, msg, msglen);
out:
	free(buf);
	close(fd);
	return r;
}

/* ---- host checks ------------------------------------------------------------- */

struct hostcheck {
	const char *name;   /* the manifest's */
	char *msg;
	size_t msglen;
	char what[96];      /* "program", "report", "channels[1] (/data)" */
	const char *prefix; /* before the host path: "host " for channels */
};

static int __attribute__((format(printf, 4, 5)))
hfail(struct hostcheck *h, int code, const char *host, const char *fmt, ...)
{
	char detail[2 * PATH_MAX + 256]; /* a strerror and up to two paths */
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	manifest_fail(h->name, h->msg, h->msglen, h->what, "%s%s: %s", h->prefix, host, detail);
	return code;
}

/* stat/access errno -> what manifest_check_host returns. */
static int code_of(int e)
{
	return e == EACCES || e == EPERM || e == EROFS ? -EACCES : e == ENOENT || e == ENOTDIR ? -ENOENT : -EINVAL;
}

static const char *kind_of(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "file";
	case S_IFDIR: return "directory";
	case S_IFIFO: return "fifo";
	case S_IFCHR: return "chardev";
	case S_IFSOCK: return "socket";
	case S_IFBLK: return "block device";
	default: return "special file";
	}
}

static int type_matches(enum manifest_type t, mode_t mode)
{
	switch (t) {
	case MANIFEST_FILE: return S_ISREG(mode);
	case MANIFEST_DIRECTORY: return S_ISDIR(mode);
	case MANIFEST_FIFO: return S_ISFIFO(mode);
	case MANIFEST_CHARDEV: return S_ISCHR(mode);
	case MANIFEST_SOCKET: return S_ISSOCK(mode);
	default: return 0;
	}
}

/* A path that does not exist (yet): can it be created? Its parent must be a writable directory. */
static int check_creatable(struct hostcheck *h, const char *host)
{
	char *parent = strdup(host), *slash;
	struct stat st;
	int r = 0;

	if (!parent)
		return hfail(h, -ENOMEM, host, "out of memory");
	slash = strrchr(parent, '/');
	if (!slash)
		strcpy(parent, ".");
	else if (slash == parent)
		parent[1] = 0;
	else
		*slash = 0;
	if (stat(parent, &st) < 0)
		r = hfail(h, code_of(errno), host, "parent directory %s: %s", parent, strerror(errno));
	else if (faccessat(AT_FDCWD, parent, W_OK | X_OK, AT_EACCESS) < 0)
		r = hfail(h, code_of(errno), host, "cannot be created: parent directory %s: %s", parent,
			  strerror(errno));
	free(parent);
	return r;
}

/*
 * One host path: exists (or, for outputs that may be created, can be), is of
 * the wanted type, and allows the access the mode needs.
 */
static int check_one(struct hostcheck *h, const char *host, enum manifest_type type, enum manifest_mode mode,
		     int may_create)
{
	const char *what;
	struct stat st;
	int need, e;

	if (stat(host, &st) < 0) {
		e = errno;
		if (e == ENOENT && lstat(host, &st) == 0)
			return hfail(h, -ENOENT, host, "dangling symbolic link");
		if (e == ENOENT && may_create)
			return check_creatable(h, host);
		return hfail(h, code_of(e), host, "%s", strerror(e));
	}
	if (!type_matches(type, st.st_mode))
		return hfail(h, -EINVAL, host, "is a %s, not a %s", kind_of(st.st_mode), manifest_type_name(type));
	/* What opening it will need: the permission words match the bits. */
	if (type == MANIFEST_DIRECTORY)
		need = R_OK | X_OK, what = "read and search";
	else if (type == MANIFEST_SOCKET)
		need = W_OK, what = "write";
	else if (mode == MANIFEST_READ_WRITE)
		need = R_OK | W_OK, what = "read and write";
	else if (manifest_mode_writes(mode))
		need = W_OK, what = "write";
	else
		need = R_OK, what = "read";
	if (faccessat(AT_FDCWD, host, need, AT_EACCESS) < 0)
		return hfail(h, code_of(errno), host, "%s (%s%s needs %s permission)", strerror(errno),
			     type == MANIFEST_SOCKET ? "connecting" : "mode ",
			     type == MANIFEST_SOCKET ? "" : manifest_mode_name(mode), what);
	return 0;
}

int manifest_check_host(const struct vmlet_manifest *m, char *msg, size_t msglen)
{
	struct hostcheck h = { m->name, msg, msglen, "program", "" };
	struct stat st;
	size_t i;
	int r;

	if (msglen)
		msg[0] = 0;
	if (m->root) { /* the program lies inside the root: the run looks it up there */
		snprintf(h.what, sizeof(h.what), "root");
		if (stat(m->root, &st) < 0)
			return hfail(&h, code_of(errno), m->root, "%s", strerror(errno));
		if (!S_ISDIR(st.st_mode))
			return hfail(&h, -EINVAL, m->root, "is a %s, not a directory", kind_of(st.st_mode));
	} else if (stat(m->program, &st) < 0) {
		return hfail(&h, code_of(errno), m->program, "%s", strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		return hfail(&h, -EINVAL, m->program, "is a %s, not a regular file", kind_of(st.st_mode));
	} else if (faccessat(AT_FDCWD, m->program, R_OK | X_OK, AT_EACCESS) < 0) {
		return hfail(&h, -EACCES, m->program, "%s (needs read and execute permission)", strerror(errno));
	}

	for (i = 0; i < m->nchannels; i++) {
		const struct manifest_channel *c = &m->channels[i];

		if (!c->host)
			continue;
		snprintf(h.what, sizeof(h.what), "channels[%d] (%.60s)", c->index, c->guest);
		h.prefix = "host ";
		r = check_one(&h, c->host, c->type, c->mode,
			      c->type == MANIFEST_FILE && manifest_mode_writes(c->mode));
		if (r)
			return r;
	}

	if (m->report && strcmp(m->report, "-")) {
		snprintf(h.what, sizeof(h.what), "report");
		h.prefix = "";
		const char *why;
		/* A regular file (or one that can be created), and not on procfs, sysfs... */
		if ((r = check_one(&h, m->report, MANIFEST_FILE, MANIFEST_WRITE, 1)))
			return r;
		if ((r = report_target_check(m->report, &why)))
			return hfail(&h, r, m->report, "%s", why);
	}
	return 0;
}
