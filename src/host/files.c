/* files.c - host handles, the root and read-only grants: guest paths resolved inside a granted tree, never outside. */
#include "../core/vm_internal.h"
#include "kernelfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * Returns the fd, or -errno (EACCES for a path that would leave the tree). A
 * grant's tree is left by no path (RESOLVE_BENEATH refuses one that tries); the
 * root is a chroot: "..", absolute and relative symlinks resolve inside it
 * (RESOLVE_IN_ROOT), as they would in the guest's own "/".
 */
static int openat2_beneath(int dirfd, const char *rel, uint64_t flags, int in_root)
{
	struct open_how how = { .flags = flags | O_CLOEXEC | ((flags & O_PATH) ? 0 : O_NOCTTY),
				.resolve = (in_root ? RESOLVE_IN_ROOT : RESOLVE_BENEATH) | RESOLVE_NO_MAGICLINKS };
	int fd = (int)syscall(SYS_openat2, dirfd, rel[0] ? rel : ".", &how, sizeof(how));

	return fd >= 0 ? fd : errno == EXDEV ? -EACCES : -errno;
}

/* Normalize a user-given guest path: absolute, no empty, "." or ".." components. */
static char *normalize_guest(const char *p)
{
	size_t n = strlen(p);
	char *out = malloc(n + 2), *o = out;

	if (!out)
		return NULL;
	while (*p) {
		const char *c;
		while (*p == '/')
			p++;
		c = p;
		while (*p && *p != '/')
			p++;
		if (p == c || (p - c == 1 && c[0] == '.'))
			continue;
		if (p - c == 2 && c[0] == '.' && c[1] == '.') {
			free(out);
			return NULL;
		}
		*o++ = '/';
		memcpy(o, c, (size_t)(p - c));
		o += p - c;
	}
	if (o == out)
		*o++ = '/';
	*o = 0;
	return out;
}

/*
 * Pin a granted file: keep its inode (held open, so that its number cannot
 * pass to a new file) for every open to compare with. Refuse a grant, of a
 * file or a tree, on a kernel-interface filesystem.
 */
static int check_grant(struct grant *gr, const char *what, const char *label, const char *real,
		       struct vmlet_error *err)
{
	struct stat st;

	if (!gr->name)
		return kernelfs_refuse(gr->dirfd, what, label, real, err);
	gr->filefd = openat2_beneath(gr->dirfd, gr->name, O_PATH | O_NOFOLLOW, 0);
	if (gr->filefd < 0 || fstat(gr->filefd, &st) < 0 || !S_ISREG(st.st_mode))
		return vm_error(err, -EINVAL, "%s %s: not a regular file or directory", what, label);
	gr->dev = (uint64_t)st.st_dev;
	gr->ino = (uint64_t)st.st_ino;
	return kernelfs_refuse(gr->filefd, what, label, real, err);
}

static int add_grant(struct vmlet_vm *vm, const struct vmlet_grant *g, struct vmlet_error *err)
{
	struct grant *gr = &vm->grants[vm->ngrants++]; /* counted from here on so that files_close_all releases it */
	const char *guest = g->guest_path ? g->guest_path : g->host_path;
	const char *what = gr->in_root ? "--root" : gr->channel >= 0 ? "channel" : "--ro";
	const char *label = gr->channel >= 0 ? guest : g->host_path;
	char *real = realpath(g->host_path, NULL);
	struct stat st;
	int r;

	if (!real)
		return vm_error(err, -EINVAL, "%s %s: %s", what, g->host_path, strerror(errno));
	if (guest[0] != '/' || !(gr->guest = normalize_guest(guest))) {
		free(real);
		return vm_error(err, -EINVAL, "%s %s: guest path must be absolute without '..'", what, g->host_path);
	}
	gr->guest_len = strlen(gr->guest);
	if (stat(real, &st) < 0 || (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))) {
		free(real);
		return vm_error(err, -EINVAL, "%s %s: not a regular file or directory", what, g->host_path);
	}
	if (gr->in_root && !S_ISDIR(st.st_mode)) {
		free(real);
		return vm_error(err, -ENOTDIR, "--root %s: not a directory", g->host_path);
	}
	if (S_ISDIR(st.st_mode)) {
		gr->dirfd = open(real, O_PATH | O_DIRECTORY | O_CLOEXEC);
	} else {
		char *slash = strrchr(real, '/');
		gr->name = strdup(slash + 1);
		*slash = 0;
		gr->dirfd = open(real[0] ? real : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		*slash = '/';
	}
	if (gr->dirfd < 0 || (!S_ISDIR(st.st_mode) && !gr->name))
		r = vm_error(err, -errno, "%s %s: %s", what, g->host_path, strerror(errno));
	else
		r = check_grant(gr, what, label, real, err);
	free(real);
	return r;
}

int files_init(struct vmlet_vm *vm, const struct vmlet_config *c, struct vmlet_error *err)
{
	size_t i;
	int r;

	for (i = 0; i < 3; i++) {
		int fl = fcntl(vm->stdio[i], F_GETFL);
		int acc = fl < 0 ? O_RDWR : fl & O_ACCMODE;
		vm->handles[i] = (struct handle){ .kind = HANDLE_STDIO, .fd = vm->stdio[i], .channel = (int)i,
						  .writable = acc != O_RDONLY, .readable = acc != O_WRONLY };
	}
	if ((r = channels_init(vm, c, err)))
		return r;
	vm->grants = calloc(c->ngrants + c->nchannels + 2, sizeof(*vm->grants));
	if (!vm->grants)
		return vm_error(err, -ENOMEM, "out of memory");
	if (c->root) { /* the guest's "/": first, so that grants and channels lie on top of it */
		const struct vmlet_grant g = { c->root, "/" };
		vm->grants[0] = (struct grant){ .dirfd = -1, .filefd = -1, .channel = -1, .in_root = 1 };
		if ((r = add_grant(vm, &g, err)))
			return r;
	}
	for (i = 0; i < c->ngrants; i++) {
		vm->grants[vm->ngrants].dirfd = vm->grants[vm->ngrants].filefd = -1;
		vm->grants[vm->ngrants].channel = -1;
		if ((r = add_grant(vm, &c->grants[i], err)))
			return r;
	}
	/* Directory channels are read-only trees, resolved like grants. */
	for (i = 0; i < c->nchannels; i++) {
		const struct vmlet_grant g = { c->channels[i].host_path, c->channels[i].guest_path };
		if (c->channels[i].type != VMLET_CHANNEL_DIRECTORY)
			continue;
		vm->grants[vm->ngrants].dirfd = vm->grants[vm->ngrants].filefd = -1;
		vm->grants[vm->ngrants].channel = (int)(3 + i);
		if ((r = add_grant(vm, &g, err)))
			return r;
	}
	return 0;
}

void files_close_all(struct vmlet_vm *vm)
{
	size_t i;

	for (i = 3; i < VMLET_HANDLE_MAX; i++) {
		if (vm->handles[i].fd >= 0)
			close(vm->handles[i].fd);
		free(vm->handles[i].vpath);
	}
	channels_free(vm);
	for (i = 0; i < vm->ngrants; i++) {
		if (vm->grants[i].dirfd >= 0)
			close(vm->grants[i].dirfd);
		if (vm->grants[i].filefd >= 0)
			close(vm->grants[i].filefd);
		free(vm->grants[i].guest);
		free(vm->grants[i].name);
	}
	free(vm->grants);
	vm->grants = NULL;
	vm->ngrants = 0;
}

/*
 * Find the grant holding guest path `path` (normalized by the guest kernel,
 * re-checked here). Returns the grant and sets *rel to the path below it, or
 * NULL with *ancestor set when the path only leads towards grants.
 */
static const struct grant *find_grant(const struct vmlet_vm *vm, const char *path, const char **rel,
				      int *ancestor)
{
	const struct grant *best = NULL;
	size_t i, len = strlen(path);

	*ancestor = len == 1; /* "/" always exists */
	for (i = 0; i < vm->ngrants; i++) {
		const struct grant *g = &vm->grants[i];
		int root = g->guest_len == 1;
		if (len >= g->guest_len && memcmp(path, g->guest, g->guest_len) == 0 &&
		    (root || path[g->guest_len] == 0 || path[g->guest_len] == '/')) {
			if (!best || g->guest_len > best->guest_len)
				best = g;
		} else if (g->guest_len > len && memcmp(path, g->guest, len) == 0 &&
			   (len == 1 || g->guest[len] == '/')) {
			*ancestor = 1;
		}
	}
	if (best) {
		*rel = path + best->guest_len;
		while (**rel == '/')
			(*rel)++;
		if (best->name && **rel)
			return NULL; /* below a granted file */
	}
	return best;
}

/* Guest paths arrive normalized; anything else is refused before any lookup. */
static int path_sane(const char *p)
{
	const char *c = p;

	if (p[0] != '/')
		return 0;
	while ((c = strchr(c, '/'))) {
		c++;
		if (c[0] == '/' || (c[0] == '.' && (c[1] == '/' || c[1] == 0)) ||
		    (c[0] == '.' && c[1] == '.' && (c[2] == '/' || c[2] == 0)))
			return 0;
	}
	return 1;
}

/*
 * Look at rel through O_PATH, before anything opens it for reading. Refused:
 * a granted file that is no longer the file granted (-ENOENT: a host user put
 * a symlink, a link or another file in its place), and anything on a
 * kernel-interface filesystem (-EACCES, as for a path leaving the tree: such a
 * mount inside a tree is hidden, however it is reached). Returns the O_PATH fd
 * with its stat in *st, or -errno.
 */
static int look(const struct grant *g, const char *rel, uint64_t oflags, struct stat *st)
{
	int fd = openat2_beneath(g->dirfd, rel, O_PATH | (oflags & (O_DIRECTORY | O_NOFOLLOW)), g->in_root), r = 0;

	if (fd < 0)
		return fd;
	if (fstat(fd, st) < 0)
		r = -errno;
	else if (g->name && ((uint64_t)st->st_dev != g->dev || (uint64_t)st->st_ino != g->ino))
		r = -ENOENT;
	else if (kernelfs_name(fd))
		r = -EACCES;
	if (r) {
		close(fd);
		return r;
	}
	return fd;
}

/*
 * Open rel for reading only if it is a regular file or a directory: opening a
 * device or FIFO can act on it (rewind a tape, wait for a writer), so look at
 * it first. Returns the fd, its stat in *st, or -errno: -EACCES when the file
 * is of another kind or was replaced between the look and the open.
 */
static int open_plain(const struct grant *g, const char *rel, uint64_t oflags, struct stat *st)
{
	struct stat before;
	int probe = look(g, rel, oflags, &before), fd;

	if (probe < 0)
		return probe;
	close(probe);
	if (!S_ISREG(before.st_mode) && !S_ISDIR(before.st_mode))
		return S_ISLNK(before.st_mode) ? -ELOOP : -EACCES; /* O_NOFOLLOW on a symlink */
	fd = openat2_beneath(g->dirfd, rel, oflags, g->in_root);
	if (fd < 0)
		return fd;
	if (fstat(fd, st) < 0 || st->st_dev != before.st_dev || st->st_ino != before.st_ino) {
		close(fd);
		return -EACCES;
	}
	return fd;
}

/* Contract in vm_internal.h. */
int files_open(const struct vmlet_vm *vm, const char *path, uint64_t oflags, int *ancestor,
	       int *channel, struct stat *st)
{
	const char *rel = NULL;
	const struct grant *g;

	*ancestor = 0;
	*channel = -1;
	if (!path_sane(path))
		return -ENOENT;
	g = find_grant(vm, path, &rel, ancestor);
	if (!g)
		return -ENOENT;
	*channel = g->channel;
	if (g->name)
		rel = g->name;
	return (oflags & O_PATH) ? look(g, rel, oflags, st) : open_plain(g, rel, oflags, st);
}

/*
 * The n-th name directly below virtual directory `dir` that leads to a grant,
 * counting distinct names in grant order; 0 when there is none.
 */
size_t files_vdir_entry(const struct vmlet_vm *vm, const char *dir, size_t n, char *name, size_t size)
{
	size_t dlen = strlen(dir), i, j, found = 0;

	for (i = 0; i < vm->ngrants; i++) {
		const char *g = vm->grants[i].guest, *c;
		size_t len, dup = 0;
		if (vm->grants[i].guest_len <= dlen || memcmp(g, dir, dlen) != 0 ||
		    (dlen > 1 && g[dlen] != '/'))
			continue;
		c = g + dlen + (dlen > 1);
		len = strcspn(c, "/");
		for (j = 0; j < i && !dup; j++) { /* an earlier grant gave this name already */
			const char *h = vm->grants[j].guest;
			dup = vm->grants[j].guest_len > dlen + len && memcmp(h, g, (size_t)(c - g) + len) == 0 &&
			      (h[(c - g) + len] == '/' || h[(c - g) + len] == 0);
		}
		if (dup || len + 1 > size)
			continue;
		if (found++ == n) {
			memcpy(name, c, len);
			name[len] = 0;
			return len;
		}
	}
	return 0;
}

/* 1 if guest path `path` lies inside a grant (whether or not it exists). */
int files_in_grant(const struct vmlet_vm *vm, const char *path)
{
	const char *rel;
	int ancestor;

	return path_sane(path) && find_grant(vm, path, &rel, &ancestor) != NULL;
}

/* 1 if guest path p is /dev, /proc or below them: the guest kernel's synthetic trees. */
static int below_synth(const char *p)
{
	static const char *const tops[] = { "/dev", "/proc" };
	size_t i, n;

	for (i = 0; p && i < sizeof(tops) / sizeof(tops[0]); i++) {
		n = strlen(tops[i]);
		if (!strncmp(p, tops[i], n) && (p[n] == '/' || !p[n]))
			return 1;
	}
	return 0;
}

static size_t add_synth_grant(char *out, size_t at, size_t size, const char *p)
{
	size_t n = strlen(p) + 1;

	if (!below_synth(p) || at + n + 1 > size)
		return at;
	memcpy(out + at, p, n);
	return at + n;
}

/* Contract in vm_internal.h. */
void files_synth_grants(const struct vmlet_vm *vm, char *out, size_t size)
{
	size_t i, at = 0;

	for (i = 0; i < vm->ngrants; i++)
		if (!vm->grants[i].in_root)
			at = add_synth_grant(out, at, size, vm->grants[i].guest);
	for (i = 3; i < vm->nchannels; i++)
		if (vm->channels[i].type != VMLET_CHANNEL_DIRECTORY) /* directory channels are grants */
			at = add_synth_grant(out, at, size, vm->channels[i].guest);
	out[at] = 0;
}

/* Contract in vm_internal.h. */
int files_open_in_root(const char *root, const char *path, int flags)
{
	int dirfd, fd;

	if (!root) {
		fd = open(path, flags | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	dirfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -errno;
	fd = openat2_beneath(dirfd, path, (uint64_t)flags, 1);
	close(dirfd);
	if (fd >= 0 && kernelfs_name(fd)) {
		close(fd);
		return -EACCES;
	}
	return fd;
}

/* Contract in vm_internal.h. */
void files_guest_name(const char *root, int fd, char *out, size_t size)
{
	char link[64], host[PATH_MAX], *top = realpath(root, NULL);
	ssize_t n;
	size_t tl;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, host, sizeof(host) - 1);
	if (top && n > 0) {
		host[n] = 0;
		tl = strcmp(top, "/") ? strlen(top) : 0;
		if (!strncmp(host, top, tl) && host[tl] == '/')
			snprintf(out, size, "%s", host + tl);
	}
	free(top);
}

int hc_out_fd(struct vmlet_vm *vm, uint32_t handle)
{
	if (handle >= VMLET_HANDLE_MAX || vm->handles[handle].kind == HANDLE_FREE || !vm->handles[handle].writable)
		return -1;
	return vm->handles[handle].fd;
}
