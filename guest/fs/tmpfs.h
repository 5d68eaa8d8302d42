/* tmpfs.h - in-memory filesystems of the guest kernel: nodes and pages (tmpfs.c), the calls on them (tmpfs_calls.c). */
#ifndef GK_TMPFS_H
#define GK_TMPFS_H

#include "fs/synth.h"

#define TMPFS_MAGIC 0x01021994
#define TMPFS_NAME_MAX 255

/*
 * The tmpfs mounts live in the shared region (VMLET_SHARED_VBASE): one copy for every process of
 * the run, whose guest kernels take one lock to touch it (tmpfs_lock.c). Nodes and pages are at
 * the same addresses in every process. A mount's pages count against its size, not --mem.
 */
/* Every function below takes the lock (tmpfs_enter, gk.h). A node pointer is good across its
 * release only while a reference (tnode_hold) keeps the node. */

/* One mounted tmpfs. */
struct tmount {
	const char *path;  /* the mount point (boot block), "" for memfds */
	size_t len;
	uint64_t max_pages, used_pages; /* data and index pages */
	uint64_t nodes;    /* nodes alive */
	uint64_t dev;      /* st_dev */
	struct tnode *root;
};

struct tnode {
	uint32_t mode, uid, gid, nlink;
	uint64_t ino;
	int64_t size;
	uint64_t pages;    /* data pages held: st_blocks is 8 per page */
	uint64_t root;     /* radix tree of pages: the data page itself at depth 0 */
	uint32_t depth;    /* index levels above the data pages (512 entries each) */
	uint32_t opens;    /* open file descriptions on it: its pages live until the last goes */
	struct tmount *mnt;
	struct tnode *parent; /* directories: the directory holding it */
	uint64_t slots;    /* directories: entry slots used, deleted ones included (stable offsets) */
	uint64_t entries;  /* directories: live entries */
	int64_t atime, atime_ns, mtime, mtime_ns, ctime, ctime_ns;
};

/* A path walked in a tmpfs: the node it names (NULL if its last name is missing), its directory, that name. */
struct twalk {
	struct tmount *m;  /* NULL: the path is not in a tmpfs (the host serves it) */
	struct tnode *dir, *node;
	const char *name;
	size_t len;
	uint64_t slot;     /* node's entry in dir */
	struct synth syn;  /* m NULL: where the path is in /proc or /dev (syn.in), which the guest kernel serves */
};

/* tmpfs.c */
struct tmount *tmpfs_mount_of(const char *path); /* the tmpfs serving a normalized path, or NULL */
struct tmount *tmpfs_memfd_mount(void);
/* Walk path (normalized, GK_PATH_MAX bytes; rewritten when a tmpfs or synthetic symlink leads elsewhere,
 * and then perhaps out of the tmpfs, w->m NULL) through the tmpfs mounts and the synthetic /proc and
 * /dev. follow: a symlink as last name is followed. 0 or -errno. */
long tmpfs_walk(char *path, long *len, int follow, struct twalk *w);
struct tnode *tnode_new(struct tmount *m, uint32_t mode); /* NULL: no memory (ENOSPC) */
void tnode_drop(struct tnode *n);   /* after nlink or opens went down: freed when both are 0 */
void tnode_touch(struct tnode *n, int what); /* TOUCH_* */
#define TOUCH_A 1
#define TOUCH_M 2
#define TOUCH_C 4
long tnode_read(struct tnode *n, uint8_t *buf, uint64_t len, uint64_t off);
long tnode_write(struct tnode *n, const uint8_t *buf, uint64_t len, uint64_t off);
long tnode_truncate(struct tnode *n, uint64_t size);
long tnode_allocate(struct tnode *n, uint64_t off, uint64_t len); /* fallocate mode 0 */
/* The guest-physical frame of data page pgno (made, zeroed, if it is a hole) for a shared mapping;
 * 0 past the end of the file or with no memory left. */
uint64_t tnode_page(struct tnode *n, uint64_t pgno);
void tnode_hold(struct tnode *n);    /* a reference (open description, mapping, process copy of either) */
void tnode_release(struct tnode *n); /* the reference gone: freed with its last one and its last link */
void tnode_stat(const struct tnode *n, struct vmlet_stat *st);
/* A file offset in the shared region (a cell whose first word is the offset), with one reference:
 * NULL with no memory left. hold: one more (a fork's copy); release: freed with its last. */
uint64_t *toffset_new(uint64_t off);
void toffset_hold(uint64_t *off);
void toffset_release(uint64_t *off);
long dir_add(struct tnode *d, const char *name, size_t len, struct tnode *n);
void dir_remove(struct tnode *d, uint64_t slot);
void dir_replace(struct tnode *d, uint64_t slot, struct tnode *n); /* the entry names n instead */
/* The entry at slot k or later that is live: its slot, or -1 at the end. */
long dir_next(struct tnode *d, uint64_t k, struct tnode **n, const char **name, size_t *len);

/* tmpfs_calls.c: system calls on tmpfs paths and descriptions (fs.c, fs_readonly.c and fd.c route here). */
long tmpfs_open(struct twalk *w, const char *path, long len, uint64_t flags, uint32_t mode);
long tmpfs_getdents(struct ofd *o, uint8_t *buf, uint64_t size);
long tmpfs_mknod(struct twalk *w, uint32_t mode);
long tmpfs_symlink(struct twalk *w, const char *target);
long tmpfs_link(struct tnode *old, struct twalk *w);
long tmpfs_unlink(struct twalk *w, int dir);
long tmpfs_rename(struct twalk *from, struct twalk *to, uint64_t flags);
long tmpfs_readlink(struct tnode *n, uint64_t ubuf, uint64_t size);
long tmpfs_chmod(struct tnode *n, uint32_t mode);
long tmpfs_chown(struct tnode *n, uint32_t uid, uint32_t gid);
long tmpfs_utimens(struct tnode *n, uint64_t utimes);
long tmpfs_statfs(struct tmount *m, uint64_t ubuf);

#endif
