/* gc.c - finish or roll back the commits of dead runs from their journals, then remove their files. */
#include "commit.h"
#include "vmlet.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define JOURNAL_MAX (1 << 20)

/*
 * A name of a run's file (commit.h): ".NAME.vmlet-PID-N.tmp" or ".bak", or
 * ".vmlet-PID-N.journal" or ".commit". Returns the PID (0 if not one) and the suffix;
 * with only_for, 0 unless it is a temporary or backup of target only_for.
 */
static int run_file(const char *name, const char *only_for, const char **suffix)
{
	static const char *const suffixes[] = { ".tmp", ".bak", ".journal", ".commit" };
	const char *tag = NULL, *p;
	char tail[16];
	unsigned n, i;
	int pid;

	for (p = name; (p = strstr(p, ".vmlet-")); p++)
		tag = p; /* the last one: the target's own name may contain ".vmlet-" */
	if (name[0] != '.' || !tag || sscanf(tag, ".vmlet-%d-%u%15s", &pid, &n, tail) != 3 || pid <= 0)
		return 0;
	if (only_for && ((size_t)(tag - name - 1) != strlen(only_for) || strncmp(name + 1, only_for, strlen(only_for))))
		return 0;
	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (!strcmp(tail, suffixes[i]) && (i < 2) == (tag != name)) {
			*suffix = suffixes[i];
			return pid;
		}
	return 0;
}

static int dead(int pid)
{
	return kill(pid, 0) < 0 && errno == ESRCH;
}

/* The journal's text in *buf (malloc'd); its length, or -errno. */
static ssize_t read_all(int dirfd, const char *name, char **buf)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n = 0, r = 0;

	*buf = NULL;
	if (fd < 0)
		return -errno;
	if (!(*buf = malloc(JOURNAL_MAX)))
		r = -ENOMEM;
	while (*buf && (r = read(fd, *buf + n, (size_t)(JOURNAL_MAX - n))) > 0)
		n += r;
	if (r < 0 && *buf) {
		r = -errno;
		free(*buf);
		*buf = NULL;
	}
	close(fd);
	return *buf ? n : r;
}

/* Apply one entry from outside the run: the target is opened (and an append target locked) here. */
static int roll_forward(const struct journal_entry *e, int dirfd)
{
	int target = -1, tmp = -1, r;

	if (e->kind == JOURNAL_APPEND) {
		target = openat(dirfd, e->name, O_WRONLY | O_APPEND | O_CLOEXEC);
		tmp = openat(dirfd, e->tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (target < 0 && errno == ENOENT)
			r = 0;
		else if (target < 0 || flock(target, LOCK_EX) < 0)
			r = -errno;
		else if (tmp < 0)
			r = errno == ENOENT ? 0 : -errno; /* removed after it was applied */
		else
			r = journal_roll_forward(e, dirfd, target, tmp, 1);
	} else {
		r = journal_roll_forward(e, dirfd, -1, -1, 1);
	}
	if (target >= 0)
		close(target);
	if (tmp >= 0)
		close(tmp);
	return r;
}

/* Recover the dead run whose journal `jname` lies in dirfd: 1 finished, 0 rolled back,
 * 2 nothing to do (it never reached its commit), or -errno. */
static int recover(int dirfd, const char *jname)
{
	char mname[64], *primary = NULL, *text;
	struct journal_entry *e = NULL;
	size_t len, i;
	int n, decided = 0, pdir = -1, r = 0;
	int dirs[VMLET_MAX_WRITTEN_FILES], derr[VMLET_MAX_WRITTEN_FILES];
	ssize_t got = read_all(dirfd, jname, &text);

	if (got < 0)
		return (int)got;
	len = (size_t)got;
	snprintf(mname, sizeof(mname), "%.*s.commit", (int)(strlen(jname) - strlen(".journal")), jname);
	n = journal_parse(text, len, &primary, &e);
	free(text);
	if (n > VMLET_MAX_WRITTEN_FILES) {
		journal_entries_free(e, (size_t)n);
		free(primary);
		n = -EINVAL;
	}
	if (n < 0) {
		/* Empty (the run never committed) or cut short before its decision; with a marker
		 * beside it, damaged: keep everything for a look. */
		if (faccessat(dirfd, mname, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
			return -EBADMSG;
		unlinkat(dirfd, jname, 0);
		return 2;
	}
	pdir = open(primary, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pdir < 0 && errno != ENOENT)
		r = -errno;
	else
		decided = pdir >= 0 && faccessat(pdir, mname, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	for (i = 0; i < (size_t)n; i++) {
		dirs[i] = open(e[i].dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		derr[i] = dirs[i] < 0 ? errno : 0;
	}
	/* An entry whose directory or append target is gone has nowhere to go: skipped. */
	for (i = 0; !r && decided && i < (size_t)n; i++)
		r = dirs[i] >= 0 ? roll_forward(&e[i], dirs[i]) : derr[i] == ENOENT ? 0 : -derr[i];
	for (i = 0; !r && decided && i < (size_t)n; i++)
		fsync(dirs[i]);
	for (i = 0; !r && i < (size_t)n; i++)
		if (dirs[i] >= 0) {
			journal_discard(&e[i], dirs[i]);
			unlinkat(dirs[i], jname, 0);
		}
	if (!r) {
		unlinkat(dirfd, jname, 0);
		if (pdir >= 0)
			unlinkat(pdir, jname, 0);
		if (decided)
			unlinkat(pdir, mname, 0);
	}
	for (i = 0; i < (size_t)n; i++)
		if (dirs[i] >= 0)
			close(dirs[i]);
	if (pdir >= 0)
		close(pdir);
	journal_entries_free(e, (size_t)n);
	free(primary);
	return r ? r : decided;
}

static DIR *open_dir(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (fd >= 0 && !d)
		close(fd);
	return d;
}

int gc_directory(int dirfd, const char *only_for, struct vmlet_gc_counts *c)
{
	int stuck[64], nstuck = 0, keep_all = 0, r = 0, pid, i; /* runs whose files must stay */
	const char *suffix;
	struct dirent *e;
	DIR *d = open_dir(dirfd);

	memset(c, 0, sizeof(*c));
	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if ((pid = run_file(e->d_name, NULL, &suffix)) && !strcmp(suffix, ".journal") && dead(pid)) {
			int k = recover(dirfd, e->d_name);
			if (k == 1)
				c->finished++;
			else if (k == 0)
				c->rolled_back++;
			else if (k < 0) {
				r = k;
				if (nstuck < 64)
					stuck[nstuck++] = pid;
				else
					keep_all = 1;
			}
		}
	rewinddir(d);
	while (!keep_all && (e = readdir(d))) {
		if (!(pid = run_file(e->d_name, only_for, &suffix)) || !dead(pid))
			continue;
		for (i = 0; i < nstuck && stuck[i] != pid; i++)
			;
		/* A journal that could not be recovered keeps its run's files for the next try. */
		if (i == nstuck && unlinkat(dirfd, e->d_name, 0) == 0)
			c->removed++;
	}
	closedir(d);
	return r;
}
