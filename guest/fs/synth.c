/* synth.c - /proc and /dev served by the guest kernel: the /dev table, path walks through the synthetic trees, open, stat, readlink and getdents there. */
#include "fs/synth.h"
#include "fs/tmpfs.h"

#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/stat.h>

static const struct synth_entry dev_files[] = {
	SYN_CHR("null", 0x11, OFD_NULL, 0x103),
	SYN_CHR("zero", 0x12, OFD_ZERO, 0x105),
	SYN_CHR("full", 0x13, OFD_FULL, 0x107),
	SYN_CHR("random", 0x14, OFD_RANDOM, 0x108),
	SYN_CHR("urandom", 0x15, OFD_RANDOM, 0x109),
	SYN_LINK_TEXT("stdin", 0x16, "/proc/self/fd/0"),
	SYN_LINK_TEXT("stdout", 0x17, "/proc/self/fd/1"),
	SYN_LINK_TEXT("stderr", 0x18, "/proc/self/fd/2"),
	SYN_LINK_TEXT("fd", 0x19, "/proc/self/fd"),
	SYN_END,
};

static const struct synth_entry dev_root = SYN_DIR("dev", S_IFDIR | 0755, 0x10, dev_files, LIST_NONE);

/* A /proc/<pid>/fd/<n> link: its mode and target depend on the descriptor. */
static const struct synth_entry fd_link = { "", S_IFLNK, 0x1000, 0, LIST_NONE, 0, 0, 0, OFD_FREE, 0 };

#define TEXT_MAX (64u << 10)
static char text_buf[TEXT_MAX]; /* a synthetic file's text as it is made */

/* The tree a normalized path is in, with the length of its top ("/dev", "/proc"), or NULL. */
static const struct synth_entry *top_of(const char *path, size_t *n)
{
	static const struct synth_entry *const tops[] = { &dev_root, &procfs_root };
	size_t i;

	for (i = 0; i < sizeof(tops) / sizeof(tops[0]); i++) {
		*n = strlen(tops[i]->name) + 1;
		if (path[0] == '/' && !memcmp(path + 1, tops[i]->name, *n - 1) && (path[*n] == '/' || !path[*n]))
			return tops[i];
	}
	return 0;
}

/* The i-th path a grant, channel or tmpfs brings into /dev or /proc; NULL past the last. */
static const char *mounted(uint32_t i)
{
	const char *g = gk_boot.synth_grants, *end = g + VMLET_SYNTH_GRANTS_MAX - 1;

	while (g < end && *g && i) {
		g += strnlen(g, (size_t)(end - g)) + 1;
		i--;
	}
	if (g < end && *g)
		return g;
	return i < gk_boot.ntmpfs && i < VMLET_TMPFS_MAX ? gk_boot.tmpfs[i].path : 0; /* i counts tmpfs mounts now */
}

/* 1 if a is b or below it. */
static int at_or_below(const char *a, const char *b)
{
	size_t n = strlen(b);

	return !memcmp(a, b, n) && (a[n] == '/' || !a[n]);
}

/* The host serves a path at or below a grant, and the directories that lead to one (not the tops). */
static int granted(const char *path, size_t top)
{
	const char *g;
	uint32_t i;

	for (i = 0; (g = mounted(i)); i++)
		if (at_or_below(path, g) || (path[top] && at_or_below(g, path)))
			return 1;
	return 0;
}

/* A decimal name: its value, or -1. */
static long number(const char *c, size_t n)
{
	long v = 0;
	size_t i;

	if (!n || n > 9 || (c[0] == '0' && n > 1))
		return -1;
	for (i = 0; i < n; i++) {
		if (c[i] < '0' || c[i] > '9')
			return -1;
		v = v * 10 + (c[i] - '0');
	}
	return v;
}

static const struct synth_entry *child(const struct synth_entry *d, const char *c, size_t n, long *fd)
{
	const struct synth_entry *e;
	long v = number(c, n);

	for (e = d->children; e && e->name; e++)
		if (strlen(e->name) == n && !memcmp(e->name, c, n))
			return e;
	if (d->list == LIST_PID && v == gk_pid)
		return &procfs_pid;
	if (d->list == LIST_FD && v >= 0 && fd_get(v)) {
		*fd = v;
		return &fd_link;
	}
	return 0;
}

/* The file a descriptor's link names, if it has a path that opens it again. */
static int reopenable(const struct ofd *o)
{
	return o->path[0] == '/' && !(o->kind == OFD_TMPFS && o->node->nlink == 0);
}

/* A link's target into t. */
static void target(const struct synth_entry *e, long fd, struct gk_text *t)
{
	const struct ofd *o = fd_get(fd);

	if (e != &fd_link) {
		if (e->gen)
			e->gen(t);
		else
			text_str(t, e->text);
		return;
	}
	if (!o)
		return;
	if (o->path[0]) {
		text_str(t, o->path);
		if (o->kind == OFD_TMPFS && o->node->nlink == 0 && !memcmp(o->path, "/memfd:", 7))
			text_str(t, " (deleted)");
	} else if (S_ISSOCK(o->st.mode)) {
		text_str(t, "socket:[");
		text_u64(t, o->st.ino, 0);
		text_str(t, "]");
	} else if (S_ISCHR(o->st.mode) && o->handle < 3 && (gk_boot.stdio[o->handle].flags & VMLET_STDIO_TTY)) {
		text_str(t, "/dev/pts/0"); /* the terminal the host's stdio is */
	} else if (S_ISCHR(o->st.mode)) {
		text_str(t, "/dev/null"); /* the host's other character devices are not told apart */
	} else {
		text_str(t, "pipe:[");
		text_u64(t, o->st.ino, 0);
		text_str(t, "]");
	}
}

/* Follow the link e at name c (p: what follows it): 1 with path rewritten, 0 if it opens its descriptor. */
static long follow_link(char *path, long *len, const char *c, const struct synth_entry *e, long fd, const char *p)
{
	static char out[GK_PATH_MAX], rest[GK_PATH_MAX];
	struct gk_text t = { text_buf, 0, GK_PATH_MAX - 1 };
	size_t n = 1;
	long r;

	if (e == &fd_link && !reopenable(fd_get(fd)))
		return 0;
	target(e, fd, &t);
	if (t.len >= GK_PATH_MAX - 1)
		return -ENAMETOOLONG;
	text_buf[t.len] = 0;
	memcpy(rest, p, strlen(p) + 1);
	out[0] = '/';
	out[1] = 0;
	if (text_buf[0] != '/') { /* relative to the link's directory */
		path[c - path - 1] = 0;
		if ((r = path_normalize(out, &n, path)))
			return r;
	}
	if ((r = path_normalize(out, &n, text_buf)) || (r = path_normalize(out, &n, rest)))
		return r;
	memcpy(path, out, n + 1);
	*len = (long)n;
	return 1;
}

long synth_walk(char *path, long *len, int follow, struct synth *s)
{
	size_t top;
	const struct synth_entry *e = top_of(path, &top), *next;
	const char *p = path + top;

	memset(s, 0, sizeof(*s));
	if (!e || granted(path, top))
		return 0;
	s->in = 1;
	s->proc = e == &procfs_root;
	s->fd = -1;
	while (*p) {
		const char *c = ++p;
		long r;

		while (*p && *p != '/')
			p++;
		if (!S_ISDIR(e->mode))
			return -ENOTDIR;
		if (!(next = child(e, c, (size_t)(p - c), &s->fd)))
			return *p ? -ENOENT : 0;
		if (S_ISLNK(next->mode) && (*p || follow)) {
			if ((r = follow_link(path, len, c, next, s->fd, p)))
				return r;
			if (*p)
				return -ENOTDIR; /* a descriptor that is not a directory */
			s->opened = 1;
		}
		e = next;
	}
	s->e = e;
	return 0;
}

void synth_stat(const struct synth *s, struct vmlet_stat *st)
{
	const struct ofd *o = s->e == &fd_link ? fd_get(s->fd) : 0;
	uint64_t now = time_real_ns();

	if (s->opened) {
		*st = *ofd_stat(fd_get(s->fd));
		return;
	}
	memset(st, 0, sizeof(*st));
	st->dev = tmpfs_memfd_mount()->dev;
	st->ino = s->e->ino + (o ? (uint64_t)s->fd : 0);
	st->mode = s->e->mode;
	if (o) /* as Linux: r-x for a readable descriptor, -wx for a writable one */
		st->mode |= ((o->oflags & O_ACCMODE) != O_WRONLY ? 0500 : 0) | ((o->oflags & O_ACCMODE) != O_RDONLY ? 0300 : 0);
	st->nlink = S_ISDIR(st->mode) ? 2 : 1;
	st->rdev = s->e->rdev;
	st->blksize = 4096;
	st->atime = st->mtime = st->ctime = (int64_t)(now / 1000000000ull);
	st->atime_ns = st->mtime_ns = st->ctime_ns = (int64_t)(now % 1000000000ull);
}

long synth_readlink(const struct synth *s, uint64_t ubuf, uint64_t size)
{
	struct gk_text t = { text_buf, 0, TEXT_MAX };

	if (!s->e)
		return -ENOENT;
	if (!S_ISLNK(s->e->mode))
		return -EINVAL;
	target(s->e, s->fd, &t);
	if (t.len > TEXT_MAX)
		t.len = TEXT_MAX;
	if (t.len > size)
		t.len = size;
	memcpy((void *)ubuf, text_buf, t.len);
	return (long)t.len;
}

/* A file's text in a tmpfs node of its own, gone when its last description closes. */
static struct tnode *make_text(const struct synth_entry *e)
{
	struct gk_text t = { text_buf, 0, TEXT_MAX };
	struct tnode *n = tnode_new(tmpfs_memfd_mount(), e->mode);
	uint64_t lo = 0, hi = 0;
	long r = 0;

	if (!n)
		return 0;
	n->ino = e->ino;
	if (e->span) {
		e->span(&lo, &hi);
		if (hi > lo && user_ok(lo, hi - lo))
			r = tnode_write(n, (const uint8_t *)lo, hi - lo, 0);
	} else {
		if (e->gen)
			e->gen(&t);
		else
			text_str(&t, e->text);
		r = tnode_write(n, (const uint8_t *)text_buf, t.len < TEXT_MAX ? t.len : TEXT_MAX, 0);
	}
	if (r < 0) {
		tnode_drop(n);
		return 0;
	}
	return n;
}

long synth_open(const struct synth *s, const char *path, long len, uint64_t flags)
{
	const struct synth_entry *e = s->e;
	int cloexec = !!(flags & O_CLOEXEC), write = (flags & O_ACCMODE) != O_RDONLY;
	struct ofd *o;

	if (!e)
		return !(flags & O_CREAT) ? -ENOENT : s->proc ? -EACCES : -EROFS;
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return -EEXIST;
	if (s->opened) {
		o = fd_get(s->fd);
		o->refs++;
		return fd_install(o, cloexec, 0);
	}
	if (S_ISLNK(e->mode))
		return -ELOOP; /* O_NOFOLLOW */
	if ((flags & O_DIRECTORY) && !S_ISDIR(e->mode))
		return -ENOTDIR;
	if (S_ISDIR(e->mode) && (write || (flags & O_CREAT)))
		return -EISDIR;
	if (S_ISREG(e->mode) && (write || (flags & O_TRUNC)))
		return -EACCES;
	o = ofd_alloc(S_ISDIR(e->mode) ? OFD_SYNTH_DIR : S_ISCHR(e->mode) ? e->dev : OFD_TMPFS);
	if (!o)
		return -EMFILE; /* documented per-VM limit: see docs/SECURITY.md */
	o->oflags = (uint32_t)(flags & (O_ACCMODE | O_APPEND));
	o->syn = e;
	memcpy(o->path, path, (size_t)len + 1);
	synth_stat(s, &o->st);
	if (S_ISREG(e->mode)) {
		if (!(o->node = make_text(e))) {
			o->kind = OFD_FREE;
			return -ENOMEM;
		}
		tnode_hold(o->node);
	}
	return fd_install(o, cloexec, 0);
}

/* The name the j-th mounted path brings directly below directory dir, or 0 (none, or one given already). */
static size_t mounted_name(const struct synth_entry *d, const char *dir, uint32_t j, const char **name)
{
	size_t dl = strlen(dir), n;
	const char *g = mounted(j), *c;
	uint32_t i;
	long fd;

	if (!at_or_below(g, dir) || !g[dl])
		return 0;
	c = g + dl + 1;
	for (n = 0; c[n] && c[n] != '/'; n++)
		;
	if (child(d, c, n, &fd))
		return 0;
	for (i = 0; i < j; i++) {
		const char *h = mounted(i);
		if (at_or_below(h, dir) && h[dl] && !memcmp(h + dl + 1, c, n) && (h[dl + 1 + n] == '/' || !h[dl + 1 + n]))
			return 0;
	}
	*name = c;
	return n;
}

/* Directory slot k: 1 with its entry, 0 for an empty slot, -1 past the last. */
static int slot(const struct ofd *o, uint64_t k, const char **name, size_t *n, uint8_t *type, uint64_t *ino)
{
	static char num[12];
	const struct synth_entry *d = o->syn, *e;
	uint64_t fixed = 0, list = d->list == LIST_FD ? GK_FD_MAX : d->list == LIST_PID ? 1 : 0;
	struct gk_text t = { num, 0, sizeof(num) };

	for (e = d->children; e && e->name; e++)
		fixed++;
	*ino = d->ino;
	*type = S_IFDIR >> 12;
	if (k < 2) {
		*name = "..";
		*n = k + 1;
		return 1;
	}
	k -= 2;
	if (k < fixed) {
		e = &d->children[k];
		*name = e->name;
		*n = strlen(e->name);
		*type = (uint8_t)(e->mode >> 12);
		*ino = e->ino;
		return 1;
	}
	k -= fixed;
	if (k < list) {
		if (d->list == LIST_FD && !fd_get((long)k))
			return 0;
		text_u64(&t, d->list == LIST_FD ? k : (uint64_t)gk_pid, 0);
		*name = num;
		*n = t.len;
		*type = (uint8_t)((d->list == LIST_FD ? S_IFLNK : S_IFDIR) >> 12);
		*ino = d->list == LIST_FD ? fd_link.ino + k : procfs_pid.ino;
		return 1;
	}
	k -= list;
	if (!mounted((uint32_t)k))
		return -1;
	*n = mounted_name(d, o->path, (uint32_t)k, name);
	*type = 0; /* DT_UNKNOWN: the host knows what it is */
	*ino = 0x2000 + k;
	return *n ? 1 : 0;
}

long synth_getdents(struct ofd *o, uint8_t *buf, uint64_t size)
{
	uint64_t used = 0, ino, put;
	const char *name;
	size_t n;
	uint8_t type;
	int r;

	for (; (r = slot(o, o->off, &name, &n, &type, &ino)) >= 0; o->off++) {
		if (!r)
			continue;
		if (!(put = dirent_put(buf + used, size - used, ino, o->off + 1, type, name, n)))
			return used ? (long)used : -EINVAL;
		used += put;
	}
	return (long)used;
}
