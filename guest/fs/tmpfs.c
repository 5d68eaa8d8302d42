/* tmpfs.c - in-memory filesystems in the shared region: the mount table, pages, nodes, file data, directories, path walks. */
#include "fs/tmpfs.h"

#include <linux/errno.h>
#include <linux/stat.h>

#define PAGE 4096ull
#define FANOUT 512u        /* entries of an index page */
#define DEPTH_MAX 3u       /* 512^3 pages: 512 GiB, more than guest memory */
#define SYMLINK_MAX 40     /* symlinks followed in one walk, as Linux */

/* The head of the shared region; its pages follow. Zeros until a process first mounts. */
struct tmpfs_shared {
	uint32_t lock;     /* tmpfs_lock.c (VMLET_LOCK_*) */
	uint32_t mounted;
	struct tmount mounts[VMLET_TMPFS_MAX + 1]; /* the last serves memfd_create */
	uint64_t free_pages;           /* pages given back, linked through their first word */
	uint64_t next_page, end_page;  /* never used yet */
	struct tnode *free_nodes;      /* linked through parent */
	struct toffset *free_offsets;  /* linked through next */
	uint64_t next_ino;             /* 1 is every mount's root */
};

_Static_assert(__builtin_offsetof(struct tmpfs_shared, lock) == 0, "the host knows the lock word");

#define SH ((struct tmpfs_shared *)gk_shared_vbase)

/* A page for m (NULL: not counted against a mount), zeroed unless the caller overwrites it whole. */
static uint64_t page_take(struct tmount *m, int zero)
{
	uint64_t p;

	if (m && m->used_pages >= m->max_pages)
		return 0;
	if (SH->free_pages) {
		p = SH->free_pages;
		SH->free_pages = *(uint64_t *)p;
		if (zero)
			memset((void *)p, 0, PAGE);
	} else { /* never used: zeros from the host, which allocates it at the first touch */
		if (SH->next_page >= SH->end_page)
			return 0;
		p = SH->next_page;
		SH->next_page += PAGE;
	}
	if (m)
		m->used_pages++;
	return p;
}

static uint64_t page_get(struct tmount *m)
{
	return page_take(m, 1);
}

static void page_put(struct tmount *m, uint64_t p)
{
	*(uint64_t *)p = SH->free_pages;
	SH->free_pages = p;
	if (m)
		m->used_pages--;
}

static void mount_init(struct tmount *m, const char *path, uint64_t size, uint64_t dev)
{
	m->path = path;
	m->len = strnlen(path, VMLET_TMPFS_PATH_MAX - 1);
	m->max_pages = size / PAGE;
	m->dev = dev;
}

static uint32_t boot_mounts(void)
{
	return gk_boot.ntmpfs < VMLET_TMPFS_MAX ? gk_boot.ntmpfs : VMLET_TMPFS_MAX;
}

/* The first process to touch a tmpfs sets them all up (the boot block is every process's). */
static void enter_mounted(void)
{
	uint32_t i, n = boot_mounts();

	tmpfs_enter();
	if (SH->mounted)
		return;
	SH->mounted = 1;
	for (i = 0; i < n; i++)
		mount_init(&SH->mounts[i], gk_boot.tmpfs[i].path, gk_boot.tmpfs[i].size, 0x30 + i);
	/* memfds and anonymous shared memory: as much as the guest memory. */
	mount_init(&SH->mounts[VMLET_TMPFS_MAX], "", gk_boot.mem_bytes, 0x01);
	SH->next_page = gk_shared_vbase + ((sizeof(struct tmpfs_shared) + PAGE - 1) & ~(PAGE - 1));
	SH->end_page = gk_shared_vbase + gk_boot.shared_bytes;
	SH->next_ino = 2;
}

/* A mount's root is made on first use: a run that never touches its tmpfs spends nothing on it. */
static struct tmount *ready(struct tmount *m)
{
	if (!m->root) {
		m->root = tnode_new(m, S_IFDIR | 01777);
		if (!m->root)
			return 0;
		m->root->ino = 1;
		m->root->uid = m->root->gid = 0; /* mounted by root, as Linux's /tmp */
	}
	return m;
}

struct tmount *tmpfs_mount_of(const char *path)
{
	uint32_t i;

	for (i = 0; i < boot_mounts(); i++) { /* the boot block's copy: no lock for other paths */
		const char *mp = gk_boot.tmpfs[i].path;
		size_t len = strnlen(mp, VMLET_TMPFS_PATH_MAX - 1);
		if (len && !memcmp(path, mp, len) && (path[len] == '/' || !path[len])) {
			enter_mounted();
			return ready(&SH->mounts[i]);
		}
	}
	return 0;
}

struct tmount *tmpfs_memfd_mount(void)
{
	enter_mounted();
	return &SH->mounts[VMLET_TMPFS_MAX];
}

void tnode_touch(struct tnode *n, int what)
{
	tmpfs_enter();
	uint64_t now = time_real_ns();
	int64_t s = (int64_t)(now / 1000000000ull), ns = (int64_t)(now % 1000000000ull);

	if (what & TOUCH_A)
		n->atime = s, n->atime_ns = ns;
	if (what & TOUCH_M)
		n->mtime = s, n->mtime_ns = ns;
	if (what & TOUCH_C)
		n->ctime = s, n->ctime_ns = ns;
}

struct tnode *tnode_new(struct tmount *m, uint32_t mode)
{
	struct tnode *n;

	enter_mounted();
	if ((n = SH->free_nodes)) {
		SH->free_nodes = n->parent;
	} else {
		uint64_t p = page_get(0), i, per = PAGE / sizeof(*n);
		if (!p)
			return 0;
		n = (struct tnode *)p;
		for (i = 1; i < per; i++) { /* the rest of the page to the free list */
			n[i].parent = SH->free_nodes;
			SH->free_nodes = &n[i];
		}
	}
	memset(n, 0, sizeof(*n));
	n->mode = mode;
	n->uid = cred_euid(); /* Linux: the fsuid and fsgid, which follow the effective ids */
	n->gid = cred_egid();
	n->nlink = S_ISDIR(mode) ? 2 : 0;
	n->ino = SH->next_ino++;
	n->mnt = m;
	if (S_ISDIR(mode))
		n->size = 40; /* Linux's tmpfs: 20 per entry, "." and ".." included */
	m->nodes++;
	tnode_touch(n, TOUCH_A | TOUCH_M | TOUCH_C);
	return n;
}

static uint64_t capacity(uint32_t depth)
{
	return 1ull << (9 * depth);
}

/* The slot holding page pgno's address; index pages are made when alloc. NULL: absent, or no memory. */
static uint64_t *slot(struct tnode *n, uint64_t pgno, int alloc)
{
	uint64_t *s = &n->root;
	uint32_t level;

	while (pgno >= capacity(n->depth)) {
		if (!alloc || n->depth == DEPTH_MAX)
			return 0;
		if (n->root) {
			uint64_t top = page_get(n->mnt);
			if (!top)
				return 0;
			((uint64_t *)top)[0] = n->root;
			n->root = top;
		}
		n->depth++;
	}
	for (level = n->depth; level > 0; level--) {
		if (!*s) {
			if (!alloc || !(*s = page_get(n->mnt)))
				return 0;
		}
		s = &((uint64_t *)*s)[(pgno >> (9 * (level - 1))) & (FANOUT - 1)];
	}
	return s;
}

#define WHOLE 2 /* alloc: the caller writes the whole page, it need not be zeroed */

/* The data page pgno, made if alloc: 0 if absent (a hole) or no memory. */
static uint64_t data_page(struct tnode *n, uint64_t pgno, int alloc)
{
	uint64_t *s = slot(n, pgno, alloc);

	if (!s)
		return 0;
	if (!*s && alloc && (*s = page_take(n->mnt, alloc != WHOLE)))
		n->pages++;
	return *s;
}

uint64_t tnode_page(struct tnode *n, uint64_t pgno)
{
	uint64_t p;

	tmpfs_enter();
	if (pgno >= ((uint64_t)n->size + PAGE - 1) / PAGE || !(p = data_page(n, pgno, 1)))
		return 0;
	return p - gk_shared_vbase + VMLET_SHARED_GPA;
}

/* Frees the pages at or past page `from` in the subtree at *s, whose first page is base. */
static void cut(struct tnode *n, uint64_t *s, uint32_t level, uint64_t base, uint64_t from)
{
	uint64_t span = capacity(level), i;

	if (!*s || base + span <= from)
		return;
	if (level == 0) {
		page_put(n->mnt, *s);
		n->pages--;
		*s = 0;
		return;
	}
	for (i = 0; i < FANOUT; i++)
		cut(n, &((uint64_t *)*s)[i], level - 1, base + i * (span / FANOUT), from);
	if (base >= from) {
		page_put(n->mnt, *s);
		*s = 0;
	}
}

void tnode_drop(struct tnode *n)
{
	tmpfs_enter();
	if (n->nlink || n->opens)
		return;
	cut(n, &n->root, n->depth, 0, 0);
	n->mnt->nodes--;
	n->mode = 0;
	n->parent = SH->free_nodes;
	SH->free_nodes = n;
}

/* ---- file offsets that processes share: a description copied by fork keeps one offset ---- */

struct toffset {
	uint64_t off;
	uint32_t refs;
	struct toffset *next; /* free list */
};

uint64_t *toffset_new(uint64_t off)
{
	struct toffset *t;

	enter_mounted();
	if ((t = SH->free_offsets)) {
		SH->free_offsets = t->next;
	} else {
		uint64_t p = page_get(0), i, per = PAGE / sizeof(*t);
		if (!p)
			return 0;
		t = (struct toffset *)p;
		for (i = 1; i < per; i++) {
			t[i].next = SH->free_offsets;
			SH->free_offsets = &t[i];
		}
	}
	t->off = off;
	t->refs = 1;
	return &t->off;
}

void toffset_hold(uint64_t *off)
{
	tmpfs_enter();
	((struct toffset *)off)->refs++;
}

void toffset_release(uint64_t *off)
{
	struct toffset *t = (struct toffset *)off;

	tmpfs_enter();
	if (--t->refs)
		return;
	t->next = SH->free_offsets;
	SH->free_offsets = t;
}

void tnode_hold(struct tnode *n)
{
	tmpfs_enter();
	n->opens++;
}

void tnode_release(struct tnode *n)
{
	tmpfs_enter();
	n->opens--;
	tnode_drop(n);
}

long tnode_read(struct tnode *n, uint8_t *buf, uint64_t len, uint64_t off)
{
	uint64_t done = 0;

	tmpfs_enter();

	if (off >= (uint64_t)n->size)
		return 0;
	if (len > (uint64_t)n->size - off)
		len = (uint64_t)n->size - off;
	while (done < len) {
		uint64_t at = off + done, in = at % PAGE, k = PAGE - in < len - done ? PAGE - in : len - done;
		uint64_t p = data_page(n, at / PAGE, 0);

		if (p)
			memcpy(buf + done, (const uint8_t *)p + in, k);
		else
			memset(buf + done, 0, k);
		done += k;
	}
	return (long)done;
}

#define FILE_MAX (capacity(DEPTH_MAX) * PAGE)

long tnode_write(struct tnode *n, const uint8_t *buf, uint64_t len, uint64_t off)
{
	uint64_t done = 0;

	tmpfs_enter();

	if (off >= FILE_MAX)
		return -EFBIG;
	if (len > FILE_MAX - off)
		len = FILE_MAX - off;
	while (done < len) {
		uint64_t at = off + done, in = at % PAGE, k = PAGE - in < len - done ? PAGE - in : len - done;
		uint64_t p = data_page(n, at / PAGE, k == PAGE ? WHOLE : 1);

		if (!p)
			break;
		memcpy((uint8_t *)p + in, buf + done, k);
		done += k;
	}
	if (off + done > (uint64_t)n->size)
		n->size = (int64_t)(off + done);
	if (done)
		tnode_touch(n, TOUCH_M | TOUCH_C);
	return done ? (long)done : len ? -ENOSPC : 0;
}

long tnode_truncate(struct tnode *n, uint64_t size)
{
	tmpfs_enter();
	if (size > FILE_MAX)
		return -EFBIG;
	if (size < (uint64_t)n->size) {
		uint64_t p = size % PAGE ? data_page(n, size / PAGE, 0) : 0;
		cut(n, &n->root, n->depth, 0, (size + PAGE - 1) / PAGE);
		if (p) /* the tail of the last page reads as zeros if the file grows again */
			memset((uint8_t *)p + size % PAGE, 0, PAGE - size % PAGE);
	}
	n->size = (int64_t)size;
	tnode_touch(n, TOUCH_M | TOUCH_C);
	return 0;
}

long tnode_allocate(struct tnode *n, uint64_t off, uint64_t len)
{
	uint64_t pg;

	tmpfs_enter();

	if (off + len > FILE_MAX || off + len < off)
		return -EFBIG;
	for (pg = off / PAGE; pg * PAGE < off + len; pg++)
		if (!data_page(n, pg, 1))
			return -ENOSPC;
	if (off + len > (uint64_t)n->size)
		n->size = (int64_t)(off + len);
	tnode_touch(n, TOUCH_C);
	return 0;
}

void tnode_stat(const struct tnode *n, struct vmlet_stat *st)
{
	tmpfs_enter();
	memset(st, 0, sizeof(*st));
	st->dev = n->mnt->dev;
	st->ino = n->ino;
	st->nlink = n->nlink;
	st->mode = n->mode;
	st->uid = n->uid;
	st->gid = n->gid;
	st->size = n->size;
	st->blksize = PAGE;
	/* Linux's tmpfs keeps directories, and symlinks shorter than 128 bytes, outside data pages. */
	st->blocks = S_ISDIR(n->mode) || (S_ISLNK(n->mode) && n->size < 128) ? 0 : (int64_t)n->pages * 8;
	st->atime = n->atime;
	st->atime_ns = n->atime_ns;
	st->mtime = n->mtime;
	st->mtime_ns = n->mtime_ns;
	st->ctime = n->ctime;
	st->ctime_ns = n->ctime_ns;
}

/* ---- directories: entries in the directory's own pages, slot k at offset k + 2 ---- */

struct tdent {
	struct tnode *node; /* NULL: a deleted entry */
	uint8_t len;
	char name[TMPFS_NAME_MAX];
};

#define DENTS (PAGE / sizeof(struct tdent))

static struct tdent *dent(struct tnode *d, uint64_t k, int alloc)
{
	uint64_t p = data_page(d, k / DENTS, alloc);

	return p ? (struct tdent *)p + k % DENTS : 0;
}

long dir_add(struct tnode *d, const char *name, size_t len, struct tnode *n)
{
	struct tdent *e;

	tmpfs_enter();
	e = dent(d, d->slots, 1);

	if (!e)
		return -ENOSPC;
	e->node = n;
	e->len = (uint8_t)len;
	memcpy(e->name, name, len);
	d->slots++;
	d->entries++;
	d->size += 20;
	if (S_ISDIR(n->mode)) {
		d->nlink++;
		n->parent = d;
	} else {
		n->nlink++;
	}
	tnode_touch(d, TOUCH_M | TOUCH_C);
	tnode_touch(n, TOUCH_C);
	return 0;
}

void dir_remove(struct tnode *d, uint64_t k)
{
	struct tdent *e;
	struct tnode *n;

	tmpfs_enter();
	e = dent(d, k, 0);
	n = e->node;

	e->node = 0;
	d->entries--;
	d->size -= 20;
	if (S_ISDIR(n->mode))
		d->nlink--;
	else
		n->nlink--;
	if (!d->entries && !d->opens) { /* no reader holds an offset into it: start afresh */
		cut(d, &d->root, d->depth, 0, 0);
		d->slots = 0;
	}
	tnode_touch(d, TOUCH_M | TOUCH_C);
	tnode_touch(n, TOUCH_C);
}

void dir_replace(struct tnode *d, uint64_t k, struct tnode *n)
{
	struct tdent *e;
	struct tnode *old;

	tmpfs_enter();
	e = dent(d, k, 0);
	old = e->node;

	if (S_ISDIR(old->mode))
		d->nlink--;
	else
		old->nlink--;
	e->node = n;
	if (S_ISDIR(n->mode)) {
		d->nlink++;
		n->parent = d;
	} else {
		n->nlink++;
	}
	tnode_touch(d, TOUCH_M | TOUCH_C);
	tnode_touch(n, TOUCH_C);
	tnode_touch(old, TOUCH_C);
}

long dir_next(struct tnode *d, uint64_t k, struct tnode **n, const char **name, size_t *len)
{
	tmpfs_enter();
	for (; k < d->slots; k++) {
		struct tdent *e = dent(d, k, 0);

		if (!e) { /* a freed page of entries: skip it */
			k += DENTS - 1 - k % DENTS;
			continue;
		}
		if (e->node) {
			*n = e->node;
			*name = e->name;
			*len = e->len;
			return (long)k;
		}
	}
	return -1;
}

static struct tnode *lookup(struct tnode *d, const char *name, size_t len, uint64_t *k)
{
	const char *en;
	struct tnode *n;
	size_t elen;
	long at;

	for (at = dir_next(d, 0, &n, &en, &elen); at >= 0; at = dir_next(d, (uint64_t)at + 1, &n, &en, &elen))
		if (elen == len && !memcmp(en, name, len)) {
			*k = (uint64_t)at;
			return n;
		}
	return 0;
}

/* The path a symlink met at name (path[0..name)) leads to, with the rest of the walk appended. */
static long redirect(char *path, long *len, const char *name, struct tnode *link, const char *rest)
{
	static char out[GK_PATH_MAX], prefix[GK_PATH_MAX], target[GK_PATH_MAX];
	size_t n = 1, plen = (size_t)(name - path);
	long r;

	if (link->size >= (int64_t)GK_PATH_MAX)
		return -ENAMETOOLONG;
	target[tnode_read(link, (uint8_t *)target, (uint64_t)link->size, 0)] = 0;
	out[0] = '/';
	out[1] = 0;
	memcpy(prefix, path, plen);
	prefix[plen] = 0;
	r = target[0] == '/' ? 0 : path_normalize(out, &n, prefix);
	if (!r)
		r = path_normalize(out, &n, target);
	if (!r)
		r = path_normalize(out, &n, rest);
	if (r)
		return r;
	memcpy(path, out, n + 1);
	*len = (long)n;
	return 0;
}

long tmpfs_walk(char *path, long *len, int follow, struct twalk *w)
{
	int links;

	for (links = 0; links <= SYMLINK_MAX; links++) {
		struct tmount *m = tmpfs_mount_of(path);
		const char *p;
		struct tnode *d;
		int moved = 0;

		memset(w, 0, sizeof(*w));
		if (!m) {
			long r = synth_walk(path, len, follow, &w->syn);
			if (r == 1)
				continue; /* a synthetic link led elsewhere */
			return r;
		}
		if (!m->root)
			return -ENOSPC;
		w->m = m;
		d = w->dir = m->root;
		p = w->name = path + m->len; /* the mount's root: an empty name */
		while (*p && !moved) {
			const char *c = ++p;
			struct tnode *child;
			long r;

			while (*p && *p != '/')
				p++;
			if (!S_ISDIR(d->mode))
				return -ENOTDIR;
			if (p - c > TMPFS_NAME_MAX)
				return -ENAMETOOLONG;
			w->dir = d;
			w->name = c;
			w->len = (size_t)(p - c);
			child = lookup(d, c, w->len, &w->slot);
			if (!child)
				return *p ? -ENOENT : 0;
			if (S_ISLNK(child->mode) && (*p || follow)) {
				if ((r = redirect(path, len, c, child, p)))
					return r;
				moved = 1;
			}
			d = child;
		}
		if (!moved) {
			w->node = d;
			return 0;
		}
	}
	return -ELOOP;
}
