/* fd.h - open file descriptions and the descriptor table of the guest kernel. */
#ifndef GK_FD_H
#define GK_FD_H

#include "gk.h"

enum ofd_kind {
	OFD_FREE = 0,
	OFD_STREAM, /* stdio that is a pipe, tty or socket: sequential, read ahead */
	OFD_FILE,   /* a host file: read at a guest-tracked offset */
	OFD_DIR,    /* a granted host directory */
	OFD_NULL,   /* /dev/null */
	OFD_ZERO,   /* /dev/zero */
	OFD_RANDOM, /* /dev/urandom, /dev/random */
	OFD_TMPFS,  /* a node of a tmpfs (fs/tmpfs.h): file, directory, memfd, a synthetic file's text */
	OFD_FULL,   /* /dev/full */
	OFD_SYNTH_DIR, /* a directory of /proc or /dev (fs/synth.h) */
	OFD_EVENTFD,   /* eventfd (fs/eventfd.c) */
	OFD_TIMERFD,   /* timerfd (fs/timerfd.c) */
	OFD_SIGNALFD,  /* signalfd (fs/signalfd.c) */
	OFD_EPOLL,     /* an epoll instance (fs/epoll.c) */
};

#define OFD_MAX 64

struct ofd {
	enum ofd_kind kind;
	int refs;
	uint32_t handle;  /* host handle for STREAM, FILE, DIR */
	uint32_t oflags;  /* O_ACCMODE | O_APPEND | O_NONBLOCK ... */
	uint64_t off;     /* the offset while no fork copied this description (then: *shared_off) */
	uint64_t *shared_off; /* FILE and regular TMPFS after a fork: the offset every copy shares */
	uint8_t sequential; /* the program may not seek or use positioned I/O */
	uint8_t exact;      /* quotas count calls: one hypercall per call, no read-ahead or batching */
	uint8_t append;     /* writes go to the end of the file */
	struct vmlet_stat st; /* as at open; FILE: size and times refreshed by ofd_stat */
	uint64_t st_writes;   /* FILE: the guest's count of file writes when st was last refreshed */
	char *path; /* normalized guest path (FILE, DIR, TMPFS), GK_PATH_MAX bytes */
	struct tnode *node; /* TMPFS */
	uint8_t flock;      /* LOCK_SH or LOCK_EX held by flock(2) on this description, or 0 */
	const struct synth_entry *syn; /* what a /proc or /dev path opened */
	union { /* the state of an event kind */
		struct {
			uint64_t count;
			uint8_t semaphore;
		} efd;
		struct {
			uint64_t next, interval; /* expiry on the timer's clock (0: disarmed), period (0: one-shot) */
			uint64_t ticks;          /* expirations not yet read */
			uint32_t clock;
		} tfd;
		struct {
			uint64_t mask; /* bit sig-1 per signal it reads */
			uint64_t seen; /* the pending ones among them when last polled */
		} sfd;
	} ev;
	/* Wake-ups a waiter on this description would see, with an input or an output key (eventfd
	 * writes and reads, timer expirations, signals): edge-triggered epoll reports each. */
	uint32_t wake_in, wake_out; /* compared for equality only: wrapping is harmless */
};

void fd_init(void);
struct ofd *fd_get(long fd); /* NULL if fd is not open */
int ofd_is_dir(const struct ofd *o); /* a directory: a base for *at calls, fchdir */
struct ofd *ofd_alloc(enum ofd_kind kind);
/* A description of an anonymous inode, "anon_inode:[name]", read-write, O_NONBLOCK from flags; 0 if none is free. */
struct ofd *ofd_anon(enum ofd_kind kind, const char *name, uint64_t flags);
long fd_install(struct ofd *o, int cloexec, long min_fd); /* new fd or -EMFILE (drops o on failure) */
long fd_close(long fd); /* 0 or -EBADF */
void fd_close_on_exec(void); /* execve: close every descriptor marked close-on-exec */
void ofd_put(struct ofd *o);
/* A reference more (add) or less on every tmpfs description's node and every shared offset;
 * add first moves the offset of a file's description into the shared region. */
void fd_tmpfs_refs(int add);
uint64_t ofd_off(const struct ofd *o);        /* the description's file offset */
void ofd_set_off(struct ofd *o, uint64_t off);
/* read and write on a description, at off when positional (pread), else at and past its offset. */
long ofd_read(struct ofd *o, uint8_t *buf, uint64_t len, uint64_t off, int positional);
long ofd_write(struct ofd *o, const uint8_t *buf, uint64_t len, uint64_t off, int positional);
void fd_close_handle(uint32_t handle);
int fd_stream_buffered(const struct ofd *o); /* stdin's read-ahead holds bytes: a read will not wait */
void file_written(void); /* a host file changed: read-ahead and cached stats are stale */ /* schedule a host handle close (no exit) */
/* The file's stat as fstat must report it: for a host file written since st was fetched
 * (through any handle), size and times are asked of the host again (one exit). */
const struct vmlet_stat *ofd_stat(struct ofd *o);

/* fs.c: path helpers shared with fd.c. */
const char *fs_cwd(void); /* the working directory, normalized */
long path_resolve(long dirfd, uint64_t upath, char *out); /* normalized absolute path or -errno */
/* Append the components of p to the normalized absolute path out (*len bytes): 0 or -ENAMETOOLONG. */
long path_normalize(char *out, size_t *len, const char *p);
/* Stat a path path_resolve made (kernel memory) into *st: 0 or -errno. */
long fs_stat_resolved(const char *path, long len, int nofollow, struct vmlet_stat *st);
/* A linux_dirent64 record at buf (room bytes): its length, 0 if it does not fit. */
uint64_t dirent_put(uint8_t *buf, uint64_t room, uint64_t ino, uint64_t next, uint8_t type, const char *name,
		    size_t len);
void stat_stdio(const struct vmlet_stdio_info *io, struct vmlet_stat *st); /* fstat of stdio the host gave */

#endif
