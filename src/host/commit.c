/* commit.c - commit a run's written files all or nothing, through a journal in each output directory. */
#include "../core/vm_internal.h"
#include "commit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

struct txn_dir {
	int dirfd;   /* borrowed from the first channel in it */
	int jfd;     /* its journal, created at create */
	dev_t dev;
	ino_t ino;
	char *path;
};

struct txn {
	char jname[48], mname[48]; /* .vmlet-PID-N.journal, .vmlet-PID-N.commit */
	struct txn_dir dirs[VMLET_MAX_WRITTEN_FILES];
	size_t ndirs;
	struct journal_entry e[VMLET_MAX_WRITTEN_FILES];
	size_t chan[VMLET_MAX_WRITTEN_FILES];  /* entry -> channel index */
	size_t dir[VMLET_MAX_WRITTEN_FILES];   /* entry -> dirs index */
	int applied[VMLET_MAX_WRITTEN_FILES];
	int locked[VMLET_MAX_WRITTEN_FILES];
	size_t n;
	int decided;  /* the marker exists */
	int left;     /* failed half-way: everything is left for vmlet gc */
};

static struct txn *txn_get(struct vmlet_vm *vm)
{
	static unsigned counter;
	struct txn *t = vm->txn;
	unsigned n;

	if (t)
		return t;
	if (!(t = vm->txn = calloc(1, sizeof(*t))))
		return NULL;
	n = __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
	snprintf(t->jname, sizeof(t->jname), ".vmlet-%d-%u.journal", (int)getpid(), n);
	snprintf(t->mname, sizeof(t->mname), ".vmlet-%d-%u.commit", (int)getpid(), n);
	return t;
}

static const char *target_of(const struct vmlet_vm *vm, const struct txn *t, size_t i)
{
	return vm->channels[t->chan[i]].host;
}

/* A target in directory d, to name in a message about d's journal. */
static const char *target_in(const struct vmlet_vm *vm, const struct txn *t, size_t d)
{
	size_t i;

	for (i = 0; i < t->n && t->dir[i] != d; i++)
		;
	return target_of(vm, t, i < t->n ? i : 0);
}

int commit_add_channel(struct vmlet_vm *vm, size_t idx, struct vmlet_error *err)
{
	struct channel *ch = &vm->channels[idx];
	struct txn *t = txn_get(vm);
	struct txn_dir *d;
	struct stat st;
	size_t i;

	if (!t)
		return vm_error(err, -ENOMEM, "out of memory");
	if (fstat(ch->dirfd, &st) < 0)
		return vm_error(err, -errno, "channel %s: %s: %s", ch->guest, ch->host, strerror(errno));
	for (i = 0; i < t->n; i++) {
		const struct channel *o = &vm->channels[t->chan[i]];
		if (t->dirs[t->dir[i]].dev == st.st_dev && t->dirs[t->dir[i]].ino == st.st_ino &&
		    !strcmp(o->name, ch->name))
			return vm_error(err, -EINVAL, "channel %s: %s is also written by channel %s", ch->guest,
					ch->host, o->guest);
	}
	for (i = 0; i < t->ndirs && (t->dirs[i].dev != st.st_dev || t->dirs[i].ino != st.st_ino); i++)
		;
	d = &t->dirs[i];
	if (i == t->ndirs) {
		d->dirfd = ch->dirfd;
		d->dev = st.st_dev;
		d->ino = st.st_ino;
		d->path = strndup(ch->host, (size_t)(strrchr(ch->host, '/') - ch->host));
		d->jfd = openat(ch->dirfd, t->jname, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (!d->path || d->jfd < 0) {
			int e = d->path ? errno : ENOMEM;
			if (d->jfd >= 0)
				close(d->jfd);
			free(d->path);
			d->path = NULL;
			return vm_error(err, -e, "channel %s: cannot create a journal beside %s: %s", ch->guest,
					ch->host, strerror(e));
		}
		if (!d->path[0]) {
			free(d->path);
			d->path = strdup("/");
		}
		t->ndirs++;
	}
	memset(&t->e[t->n], 0, sizeof(t->e[t->n]));
	t->e[t->n].kind = ch->mode == VMLET_CHANNEL_APPEND ? JOURNAL_APPEND : JOURNAL_REPLACE;
	t->e[t->n].dir = d->path;
	t->e[t->n].name = ch->name;
	t->e[t->n].tmp = ch->tmp_name;
	t->chan[t->n] = idx;
	t->dir[t->n] = i;
	t->n++;
	return 0;
}

struct lock_order {
	dev_t dev;
	ino_t ino;
	size_t entry;
};

static int cmp_inode(const void *a, const void *b)
{
	const struct lock_order *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* Lock every append target, in inode order so that runs sharing targets cannot deadlock. */
static int lock_appends(struct vmlet_vm *vm, struct txn *t, struct vmlet_error *err)
{
	struct lock_order order[VMLET_MAX_WRITTEN_FILES];
	struct stat st;
	size_t i, j, n = 0;

	for (i = 0; i < t->n; i++) {
		if (t->e[i].kind != JOURNAL_APPEND)
			continue;
		if (fstat(vm->channels[t->chan[i]].target_fd, &st) < 0)
			return vm_error(err, -errno, "committing %s: %s", target_of(vm, t, i), strerror(errno));
		order[n++] = (struct lock_order){ st.st_dev, st.st_ino, i };
	}
	qsort(order, n, sizeof(order[0]), cmp_inode);
	for (j = 0; j < n; j++) {
		i = order[j].entry;
		if (flock(vm->channels[t->chan[i]].target_fd, LOCK_EX) < 0)
			return vm_error(err, -errno, "committing %s: lock: %s", target_of(vm, t, i), strerror(errno));
		t->locked[i] = 1;
	}
	return 0;
}

/* A directory's fsync; one opened O_PATH (not readable by the user) cannot be synced. */
static int sync_dir(int dirfd)
{
	return fsync(dirfd) < 0 && errno != EBADF && errno != EINVAL ? -errno : 0;
}

static int back_up(struct vmlet_vm *vm, struct txn *t, size_t i, struct vmlet_error *err)
{
	struct journal_entry *e = &t->e[i];
	const struct channel *ch = &vm->channels[t->chan[i]];
	struct stat st;

	if (e->kind == JOURNAL_APPEND) {
		if (fstat(ch->fd, &st) < 0)
			return vm_error(err, -errno, "committing %s: %s", ch->host, strerror(errno));
		e->len = (uint64_t)st.st_size > ch->base ? (uint64_t)st.st_size - ch->base : 0;
		e->base = ch->base;
		if (fstat(ch->target_fd, &st) < 0)
			return vm_error(err, -errno, "committing %s: %s", ch->host, strerror(errno));
		e->orig_len = (uint64_t)st.st_size;
		return 0;
	}
	if (fstatat(ch->dirfd, ch->name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return vm_error(err, -errno, "committing %s: %s", ch->host, strerror(errno));
	}
	if (S_ISDIR(st.st_mode))
		return vm_error(err, -EISDIR, "committing %s: %s", ch->host, strerror(EISDIR));
	e->bak = strdup(ch->tmp_name);
	if (!e->bak)
		return vm_error(err, -ENOMEM, "out of memory");
	memcpy(e->bak + strlen(e->bak) - 4, ".bak", 4);
	if (linkat(ch->dirfd, ch->name, ch->dirfd, e->bak, 0) < 0) {
		int r = -errno;
		free(e->bak);
		e->bak = NULL;
		return vm_error(err, r, "committing %s: %s", ch->host, strerror(-r));
	}
	return 0;
}

int commit_prepare(struct vmlet_vm *vm, struct vmlet_error *err)
{
	struct txn *t = vm->txn;
	char *text;
	size_t i, len;
	int r = 0;

	for (i = 0; i < t->n; i++)
		if (fsync(vm->channels[t->chan[i]].fd) < 0)
			return vm_error(err, -errno, "committing %s: %s", target_of(vm, t, i), strerror(errno));
	if ((r = lock_appends(vm, t, err)))
		return r;
	for (i = 0; i < t->n; i++)
		if ((r = back_up(vm, t, i, err)))
			return r;
	text = journal_format(t->dirs[0].path, t->e, t->n, &len);
	if (!text)
		return vm_error(err, -ENOMEM, "out of memory");
	for (i = 0; i < t->ndirs && !r; i++)
		if (pwrite(t->dirs[i].jfd, text, len, 0) != (ssize_t)len || fsync(t->dirs[i].jfd) < 0 ||
		    (r = sync_dir(t->dirs[i].dirfd)))
			r = vm_error(err, r ? r : errno ? -errno : -EIO, "committing %s: journal: %s",
				     target_in(vm, t, i), strerror(r ? -r : errno ? errno : EIO));
	free(text);
	return r;
}

int commit_decide(struct vmlet_vm *vm, struct vmlet_error *err)
{
	struct txn *t = vm->txn;
	int r;

	if (linkat(t->dirs[0].dirfd, t->jname, t->dirs[0].dirfd, t->mname, 0) < 0)
		return vm_error(err, -errno, "committing %s: %s", target_in(vm, t, 0), strerror(errno));
	t->decided = 1;
	if ((r = sync_dir(t->dirs[0].dirfd)))
		return vm_error(err, r, "committing %s: %s", target_in(vm, t, 0), strerror(-r));
	return 0;
}

int commit_apply(struct vmlet_vm *vm, size_t i, struct vmlet_error *err)
{
	struct txn *t = vm->txn;
	const struct channel *ch = &vm->channels[t->chan[i]];
	int r;

	t->applied[i] = t->e[i].kind == JOURNAL_APPEND; /* one that fails half-way is undone too */
	r = journal_roll_forward(&t->e[i], ch->dirfd, ch->target_fd, ch->fd, 0);
	if (r)
		return vm_error(err, r, "committing %s: %s", ch->host, strerror(-r));
	t->applied[i] = 1;
	return 0;
}

static void unlock_all(struct vmlet_vm *vm, struct txn *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->locked[i]) {
			flock(vm->channels[t->chan[i]].target_fd, LOCK_UN);
			t->locked[i] = 0;
		}
}

/* The channels' temporaries are dealt with: channels_free must not remove them again. */
static void forget_temps(struct vmlet_vm *vm, struct txn *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(vm->channels[t->chan[i]].tmp);
		vm->channels[t->chan[i]].tmp = NULL;
	}
}

/* Remove what the run left besides targets: temporaries, backups, journals (secondary first), marker. */
static void remove_run_files(struct vmlet_vm *vm, struct txn *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		journal_discard(&t->e[i], vm->channels[t->chan[i]].dirfd);
	for (i = t->ndirs; i-- > 0;)
		unlinkat(t->dirs[i].dirfd, t->jname, 0);
	if (t->decided && unlinkat(t->dirs[0].dirfd, t->mname, 0) == 0)
		sync_dir(t->dirs[0].dirfd);
	t->decided = 0;
	t->ndirs = 0; /* journals are gone: commit_free closes only */
	forget_temps(vm, t);
}

void commit_cleanup(struct vmlet_vm *vm)
{
	struct txn *t = vm->txn;

	if (!t)
		return;
	remove_run_files(vm, t);
	unlock_all(vm, t);
}

void commit_discard(struct vmlet_vm *vm)
{
	struct txn *t = vm->txn;

	if (!t)
		return;
	if (t->left || t->decided) { /* decided, not finished: only recovery may end it now */
		t->left = 1;
		forget_temps(vm, t);
		unlock_all(vm, t);
		return;
	}
	commit_cleanup(vm);
}

/* Applying failed: undo the applied entries, newest first, while the marker stands; then remove it. */
static int roll_back(struct vmlet_vm *vm, struct txn *t)
{
	size_t i;

	for (i = t->n; i-- > 0;) {
		const struct channel *ch = &vm->channels[t->chan[i]];
		if (t->applied[i] && journal_undo(&t->e[i], ch->dirfd, ch->target_fd))
			return -1;
		t->applied[i] = 0;
	}
	if (unlinkat(t->dirs[0].dirfd, t->mname, 0) < 0 || sync_dir(t->dirs[0].dirfd))
		return -1;
	t->decided = 0;
	return 0;
}

int commit_outputs(struct vmlet_vm *vm, struct vmlet_error *err)
{
	struct txn *t = vm->txn;
	size_t i;
	int r;

	if (!t || !t->n)
		return 0;
	r = commit_prepare(vm, err);
	if (!r)
		r = commit_decide(vm, err);
	if (r) { /* nothing applied: the targets are as they were */
		commit_cleanup(vm);
		return r;
	}
	for (i = 0; i < t->n && !r; i++)
		r = commit_apply(vm, i, err);
	for (i = 0; i < t->ndirs && !r; i++)
		if ((r = sync_dir(t->dirs[i].dirfd)))
			r = vm_error(err, r, "committing %s: %s", target_in(vm, t, i), strerror(-r));
	if (r && roll_back(vm, t)) {
		size_t len = strlen(err->message);
		snprintf(err->message + len, sizeof(err->message) - len, "; undo failed, run vmlet gc %s",
			 t->dirs[0].path);
		commit_discard(vm); /* the marker stands: left for recovery */
		return r;
	}
	commit_cleanup(vm);
	return r;
}

void commit_free(struct vmlet_vm *vm)
{
	struct txn *t = vm->txn;
	size_t i;

	if (!t)
		return;
	commit_discard(vm);
	for (i = 0; i < VMLET_MAX_WRITTEN_FILES; i++) {
		if (t->dirs[i].path && t->dirs[i].jfd >= 0)
			close(t->dirs[i].jfd);
		free(t->dirs[i].path);
		free(t->e[i].bak);
	}
	free(t);
	vm->txn = NULL;
}
