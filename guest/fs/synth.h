/* synth.h - the guest kernel's synthetic /proc and /dev: a tree of tables walked like a mount (synth.c), /proc's texts (procfs.c). */
#ifndef GK_SYNTH_H
#define GK_SYNTH_H

#include "fs/fd.h"

/*
 * A synthetic file, directory, link or device. Files are texts made when they
 * are opened (gen, or span: program memory copied as it is then); links have
 * a target made the same way. Directories list their fixed entries, then the
 * numbered ones (list), then the names grants and tmpfs mounts bring below them.
 */
enum synth_list {
	LIST_NONE,
	LIST_PID,  /* the program's pid: /proc/<pid>, /proc/<pid>/task/<pid> */
	LIST_FD,   /* its open descriptors: /proc/<pid>/fd/<n> */
};

struct synth_entry {
	const char *name;
	uint32_t mode;   /* S_IFDIR, S_IFREG, S_IFLNK or S_IFCHR, with permissions */
	uint32_t ino;
	const struct synth_entry *children; /* directories: fixed entries, a NULL name last */
	enum synth_list list;
	const char *text;                   /* files and links: a fixed text or target, or */
	void (*gen)(struct gk_text *t);     /* one made when asked */
	void (*span)(uint64_t *lo, uint64_t *hi); /* files: program memory that is the text */
	enum ofd_kind dev;                  /* devices: how the description reads and writes */
	uint64_t rdev;
};

/* Table rows: name, inode number, then what the kind needs. */
#define SYN_END { 0, 0, 0, 0, LIST_NONE, 0, 0, 0, OFD_FREE, 0 }
#define SYN_DIR_R (S_IFDIR | 0555)
#define SYN_DIR(n, mode, ino, kids, list) { n, mode, ino, kids, list, 0, 0, 0, OFD_FREE, 0 }
#define SYN_FILE(n, ino, g) { n, S_IFREG | 0444, ino, 0, LIST_NONE, 0, g, 0, OFD_FREE, 0 }
#define SYN_TEXT(n, ino, s) { n, S_IFREG | 0444, ino, 0, LIST_NONE, s, 0, 0, OFD_FREE, 0 }
#define SYN_LINK(n, ino, g) { n, S_IFLNK | 0777, ino, 0, LIST_NONE, 0, g, 0, OFD_FREE, 0 }
#define SYN_LINK_TEXT(n, ino, s) { n, S_IFLNK | 0777, ino, 0, LIST_NONE, s, 0, 0, OFD_FREE, 0 }
#define SYN_CHR(n, ino, kind, rdev) { n, S_IFCHR | 0666, ino, 0, LIST_NONE, 0, 0, 0, kind, rdev }

/* A path walked into a synthetic tree (tmpfs_walk fills it in struct twalk). */
struct synth {
	int in;      /* the path is in /proc or /dev and no grant or tmpfs serves it */
	int proc;    /* in /proc (creating there is EACCES), else /dev (EROFS) */
	const struct synth_entry *e; /* what it names; NULL: its last name is missing */
	long fd;     /* e is a /proc/<pid>/fd/<n> link: n */
	int opened;  /* that link was followed to a description with no path: the path opens it (a dup) */
};

/* synth.c */
/* Walk a normalized path (GK_PATH_MAX bytes) into the synthetic trees: 0 (s->in says whether it is
 * there), 1 when a synthetic link rewrote path (*len) and the walk starts again, or -errno. */
long synth_walk(char *path, long *len, int follow, struct synth *s);
long synth_open(const struct synth *s, const char *path, long len, uint64_t flags);
void synth_stat(const struct synth *s, struct vmlet_stat *st);
long synth_readlink(const struct synth *s, uint64_t ubuf, uint64_t size);
long synth_getdents(struct ofd *o, uint8_t *buf, uint64_t size);

/* procfs.c: the /proc tree's root entry, and the directory of the program's pid. */
extern const struct synth_entry procfs_root, procfs_pid;

#endif
