/* test_commit.c - committing written file channels without a VM: failures, all-or-nothing, appends, permissions, links. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "confine/confine.h"
#include "core/vm_internal.h"
#include "host/commit.h"

#define NOBODY 65534

static char dir[64];

/* A VM with only its channel layer: channels_init on a calloc'd vm, as vmlet_vm_create does. */
struct fake {
	struct vmlet_vm *vm;
	struct vmlet_result res;
	struct vmlet_error err;
	int r;
};

static void fake_open(struct fake *f, const struct vmlet_channel *ch, size_t n)
{
	struct vmlet_config c;

	memset(&c, 0, sizeof(c));
	c.channels = ch;
	c.nchannels = n;
	c.stdio_limits[0] = c.stdio_limits[1] = c.stdio_limits[2] =
		(struct vmlet_limits){ VMLET_UNLIMITED, VMLET_UNLIMITED, VMLET_UNLIMITED, VMLET_UNLIMITED };
	memset(&f->res, 0, sizeof(f->res));
	memset(&f->err, 0, sizeof(f->err));
	f->vm = calloc(1, sizeof(*f->vm));
	assert_non_null(f->vm);
	f->vm->res = &f->res;
	f->r = channels_init(f->vm, &c, &f->err);
}

/* What the guest's writes do on the host: hc_write writes to a duplicate of the channel's fd. */
static void fake_write(struct fake *f, size_t ch, const char *s)
{
	assert_int_equal(write(f->vm->channels[3 + ch].fd, s, strlen(s)), (ssize_t)strlen(s));
}

/* The program exited 0: commit, as finish_channels does. */
static int fake_commit(struct fake *f)
{
	f->res.outcome = VMLET_EXITED;
	f->res.exit_code = 0;
	return channels_finish(f->vm, 1);
}

static void fake_free(struct fake *f)
{
	channels_free(f->vm);
	free(f->vm);
}

static struct vmlet_channel file_channel(const char *guest, const char *host, enum vmlet_channel_mode mode)
{
	struct vmlet_channel c = { .guest_path = guest, .host_path = host, .type = VMLET_CHANNEL_FILE,
				   .mode = mode, .random_access = mode != VMLET_CHANNEL_APPEND };
	c.limits = (struct vmlet_limits){ VMLET_UNLIMITED, VMLET_UNLIMITED, VMLET_UNLIMITED, VMLET_UNLIMITED };
	return c;
}

static char *path_in(const char *name)
{
	static char buf[8][256];
	static int next;
	char *p = buf[next++ % 8];

	snprintf(p, 256, "%s/%s", dir, name);
	return p;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *get(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* Files of vmlet's own (temporaries, backups, journals) left in d. */
static int leftovers(const char *d)
{
	DIR *dd = opendir(d);
	struct dirent *e;
	int n = 0;

	if (!dd)
		return 0;
	while ((e = readdir(dd)))
		if (strstr(e->d_name, ".vmlet-")) {
			fprintf(stderr, "left: %s/%s\n", d, e->d_name);
			n++;
		}
	closedir(dd);
	return n;
}

static int set_immutable(const char *path, int on)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK), flags = 0, r;

	if (fd < 0)
		return -1;
	r = ioctl(fd, FS_IOC_GETFLAGS, &flags);
	if (!r) {
		flags = on ? flags | FS_IMMUTABLE_FL : flags & ~FS_IMMUTABLE_FL;
		r = ioctl(fd, FS_IOC_SETFLAGS, &flags);
	}
	close(fd);
	return r;
}

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/vmlet-commit-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd), "chattr -R -i %s 2>/dev/null; rm -rf %s", dir, dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The commit failed: the run failed (125, state error), the message names the target and the errno. */
static void assert_failed_run(struct fake *f, int r, const char *target, int err)
{
	assert_int_equal(r, -err);
	assert_int_equal(f->res.outcome, VMLET_FAILED);
	assert_int_equal(f->res.exit_code, 125);
	assert_false(f->res.committed);
	if (!strstr(f->res.message, target) || !strstr(f->res.message, strerror(err)))
		fail_msg("message '%s' should name %s and '%s'", f->res.message, target, strerror(err));
	assert_null(strchr(f->res.message, '\n'));
}

static void failed_commit_immutable_target(void **state)
{
	struct vmlet_channel ch = file_channel("/out", path_in("t.txt"), VMLET_CHANNEL_WRITE);
	struct fake f;

	(void)state;
	put(path_in("t.txt"), "old\n");
	fake_open(&f, &ch, 1);
	assert_int_equal(f.r, 0);
	fake_write(&f, 0, "new\n");
	if (set_immutable(path_in("t.txt"), 1))
		skip();
	assert_failed_run(&f, fake_commit(&f), path_in("t.txt"), EPERM);
	set_immutable(path_in("t.txt"), 0);
	assert_string_equal(get(path_in("t.txt")), "old\n");
	assert_int_equal(leftovers(dir), 0);
	fake_free(&f);
}

static void failed_commit_directory_removed(void **state)
{
	char sub[256], target[300], cmd[400];
	struct vmlet_channel ch;
	struct fake f;

	(void)state;
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	snprintf(target, sizeof(target), "%s/t.txt", sub);
	assert_int_equal(mkdir(sub, 0755), 0);
	ch = file_channel("/out", target, VMLET_CHANNEL_WRITE);
	fake_open(&f, &ch, 1);
	assert_int_equal(f.r, 0);
	fake_write(&f, 0, "new\n");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", sub);
	assert_int_equal(system(cmd), 0);
	assert_failed_run(&f, fake_commit(&f), target, ENOENT);
	assert_int_equal(access(sub, F_OK), -1);
	fake_free(&f);
}

/* The directory made immutable during the run: the commit fails and changes nothing; the
 * temporary cannot be removed there and then, and gc removes it once the flag is gone. */
static void failed_commit_immutable_directory(void **state)
{
	struct vmlet_channel ch = file_channel("/out", path_in("t.txt"), VMLET_CHANNEL_WRITE);
	struct vmlet_gc_counts c;
	int status;
	pid_t pid;

	(void)state;
	put(path_in("t.txt"), "old\n");
	if (set_immutable(dir, 1))
		skip();
	set_immutable(dir, 0);
	pid = fork();
	if (pid == 0) {
		struct fake f;
		fake_open(&f, &ch, 1);
		if (f.r)
			_exit(100);
		fake_write(&f, 0, "new\n");
		set_immutable(dir, 1);
		_exit(fake_commit(&f) == -EPERM && f.res.exit_code == 125 && strstr(f.res.message, path_in("t.txt")) ? 0 : 1);
	}
	assert_true(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
	set_immutable(dir, 0);
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(get(path_in("t.txt")), "old\n");
	assert_int_equal(vmlet_collect_garbage(dir, &c), 0);
	assert_true(c.removed >= 1);
	assert_int_equal(leftovers(dir), 0);
}

/* A program that failed commits nothing, and its failure is left as it was. */
static void discarded_run_keeps_its_outcome(void **state)
{
	struct vmlet_channel ch = file_channel("/out", path_in("t.txt"), VMLET_CHANNEL_WRITE);
	struct fake f;

	(void)state;
	put(path_in("t.txt"), "old\n");
	fake_open(&f, &ch, 1);
	assert_int_equal(f.r, 0);
	fake_write(&f, 0, "new\n");
	f.res.outcome = VMLET_EXITED;
	f.res.status = f.res.exit_code = 3;
	assert_int_equal(channels_finish(f.vm, 0), 0);
	assert_int_equal(f.res.outcome, VMLET_EXITED);
	assert_int_equal(f.res.exit_code, 3);
	assert_string_equal(get(path_in("t.txt")), "old\n");
	assert_int_equal(leftovers(dir), 0);
	fake_free(&f);
}

static void two_files_committed_together(void **state)
{
	struct vmlet_channel ch[2] = { file_channel("/a", path_in("a.txt"), VMLET_CHANNEL_WRITE),
				       file_channel("/b", path_in("b.txt"), VMLET_CHANNEL_READ_WRITE) };
	struct fake f;

	(void)state;
	put(path_in("a.txt"), "old a\n");
	put(path_in("b.txt"), "old b\n");
	fake_open(&f, ch, 2);
	assert_int_equal(f.r, 0);
	fake_write(&f, 0, "new a\n");
	fake_write(&f, 1, "new b\n");
	assert_int_equal(fake_commit(&f), 0);
	assert_true(f.res.committed);
	assert_string_equal(get(path_in("a.txt")), "new a\n");
	assert_string_equal(get(path_in("b.txt")), "new b\n");
	assert_int_equal(leftovers(dir), 0);
	fake_free(&f);
}

/* The second target became a directory during the run: its rename fails, the first is rolled back. */
static void second_rename_fails_first_rolled_back(void **state)
{
	struct vmlet_channel ch[3] = { file_channel("/a", path_in("a.txt"), VMLET_CHANNEL_WRITE),
				       file_channel("/n", path_in("new.txt"), VMLET_CHANNEL_WRITE),
				       file_channel("/b", path_in("b.txt"), VMLET_CHANNEL_WRITE) };
	struct fake f;

	(void)state;
	put(path_in("a.txt"), "old a\n");
	fake_open(&f, ch, 3);
	assert_int_equal(f.r, 0);
	fake_write(&f, 0, "new a\n");
	fake_write(&f, 1, "created\n");
	fake_write(&f, 2, "new b\n");
	assert_int_equal(mkdir(path_in("b.txt"), 0755), 0);
	assert_failed_run(&f, fake_commit(&f), path_in("b.txt"), EISDIR);
	assert_string_equal(get(path_in("a.txt")), "old a\n");
	assert_int_equal(access(path_in("new.txt"), F_OK), -1);
	assert_int_equal(leftovers(dir), 0);
	fake_free(&f);
}

/* The same with an immutable second target (when this file system has the flag). */
static void immutable_second_target_nothing_committed(void **state)
{
	struct vmlet_channel ch[2] = { file_channel("/a", path_in("a.txt"), VMLET_CHANNEL_WRITE),
				       file_channel("/b", path_in("b.txt"), VMLET_CHANNEL_WRITE) };
	struct fake f;

	(void)state;
	put(path_in("a.txt"), "old a\n");
	put(path_in("b.txt"), "old b\n");
	fake_open(&f, ch, 2);
	assert_int_equal(f.r, 0);
	fake_write(&f, 0, "new a\n");
	fake_write(&f, 1, "new b\n");
	if (set_immutable(path_in("b.txt"), 1))
		skip();
	assert_failed_run(&f, fake_commit(&f), path_in("b.txt"), EPERM);
	set_immutable(path_in("b.txt"), 0);
	assert_string_equal(get(path_in("a.txt")), "old a\n");
	assert_string_equal(get(path_in("b.txt")), "old b\n");
	assert_int_equal(leftovers(dir), 0);
	fake_free(&f);
}

/* Eight processes each append 40 lines to one file at once: none is lost. */
static void concurrent_appends_all_kept(void **state)
{
	enum { RUNS = 8, LINES = 40 };
	struct vmlet_channel ch = file_channel("/log", path_in("log.txt"), VMLET_CHANNEL_APPEND);
	int i, status, lines = 0;
	const char *p;

	(void)state;
	put(path_in("log.txt"), "first\n");
	for (i = 0; i < RUNS; i++) {
		if (fork() == 0) {
			struct fake f;
			char line[64];
			int j;

			fake_open(&f, &ch, 1);
			if (f.r)
				_exit(1);
			for (j = 0; j < LINES; j++) {
				snprintf(line, sizeof(line), "run %d line %d\n", i, j);
				fake_write(&f, 0, line);
				if (j == LINES / 2)
					usleep(2000); /* let the runs overlap */
			}
			_exit(fake_commit(&f) ? 2 : 0);
		}
	}
	for (i = 0; i < RUNS; i++) {
		assert_true(wait(&status) > 0);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	for (p = get(path_in("log.txt")); *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 1 + RUNS * LINES);
	assert_int_equal(strncmp(get(path_in("log.txt")), "first\n", 6), 0);
	assert_int_equal(leftovers(dir), 0);
}

/* Only the bytes the run appended are added: the target's current end, not the copy it started from. */
static void append_adds_to_the_current_end(void **state)
{
	struct vmlet_channel ch = file_channel("/log", path_in("log.txt"), VMLET_CHANNEL_APPEND);
	struct fake f;
	FILE *other;

	(void)state;
	put(path_in("log.txt"), "one\n");
	fake_open(&f, &ch, 1);
	assert_int_equal(f.r, 0);
	fake_write(&f, 0, "three\n");
	other = fopen(path_in("log.txt"), "a"); /* someone else appends meanwhile */
	fputs("two\n", other);
	fclose(other);
	assert_int_equal(fake_commit(&f), 0);
	assert_string_equal(get(path_in("log.txt")), "one\ntwo\nthree\n");
	fake_free(&f);
}

/* Run as nobody (a forked child): returns channels_init's result. */
static int open_as_nobody(const char *target, enum vmlet_channel_mode mode)
{
	struct vmlet_channel ch = file_channel("/out", target, mode);
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		struct fake f;
		if (setgid(NOBODY) || setuid(NOBODY))
			_exit(100);
		fake_open(&f, &ch, 1);
		if (!f.r) {
			fake_write(&f, 0, "new\n");
			fake_commit(&f);
		}
		_exit(-f.r);
	}
	assert_true(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
	assert_int_not_equal(WEXITSTATUS(status), 100);
	return -WEXITSTATUS(status);
}

/* A root-owned 0444 target in a directory nobody may write: refused for nobody, kept. */
static void read_only_target_refused_for_the_user(void **state)
{
	char sub[256], target[300];

	(void)state;
	if (geteuid() != 0)
		skip();
	snprintf(sub, sizeof(sub), "%s/pub", dir);
	snprintf(target, sizeof(target), "%s/ro.txt", sub);
	assert_int_equal(mkdir(sub, 0777), 0);
	assert_int_equal(chmod(sub, 0777), 0);
	assert_int_equal(chmod(dir, 0755), 0);
	put(target, "old\n");
	assert_int_equal(chmod(target, 0444), 0);
	assert_int_equal(open_as_nobody(target, VMLET_CHANNEL_WRITE), -EACCES);
	assert_int_equal(open_as_nobody(target, VMLET_CHANNEL_APPEND), -EACCES);
	assert_string_equal(get(target), "old\n");
	assert_int_equal(leftovers(sub), 0);
	/* A writable target in a directory nobody may not write cannot be replaced: refused too. */
	assert_int_equal(chmod(sub, 0755), 0);
	assert_int_equal(chmod(target, 0666), 0);
	assert_int_equal(open_as_nobody(target, VMLET_CHANNEL_WRITE), -EACCES);
	assert_string_equal(get(target), "old\n");
}

/* Root may write a 0444 file natively, and so here. */
static void read_only_target_written_by_root(void **state)
{
	struct vmlet_channel ch = file_channel("/out", path_in("ro.txt"), VMLET_CHANNEL_WRITE);
	struct fake f;
	struct stat st;

	(void)state;
	if (geteuid() != 0)
		skip();
	put(path_in("ro.txt"), "old\n");
	assert_int_equal(chmod(path_in("ro.txt"), 0444), 0);
	fake_open(&f, &ch, 1);
	assert_int_equal(f.r, 0);
	fake_write(&f, 0, "new\n");
	assert_int_equal(fake_commit(&f), 0);
	assert_string_equal(get(path_in("ro.txt")), "new\n");
	assert_int_equal(stat(path_in("ro.txt"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0444);
	fake_free(&f);
}

static void commit_through_link(const char *link_as_given)
{
	struct vmlet_channel ch = file_channel("/out", link_as_given, VMLET_CHANNEL_WRITE);
	char sub[256], real[300], buf[300];
	struct fake f;
	struct stat st;
	ssize_t n;

	snprintf(sub, sizeof(sub), "%s/real", dir);
	snprintf(real, sizeof(real), "%s/target.txt", sub);
	assert_int_equal(mkdir(sub, 0755), 0);
	put(real, "old\n");
	assert_int_equal(symlink("real/target.txt", path_in("link.txt")), 0);
	fake_open(&f, &ch, 1);
	assert_int_equal(f.r, 0);
	fake_write(&f, 0, "new\n");
	assert_int_equal(fake_commit(&f), 0);
	fake_free(&f);
	assert_string_equal(get(real), "new\n");
	assert_int_equal(lstat(path_in("link.txt"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	n = readlink(path_in("link.txt"), buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = 0;
	assert_string_equal(buf, "real/target.txt");
	assert_int_equal(leftovers(dir) + leftovers(sub), 0);
}

static void symlink_absolute_followed(void **state)
{
	(void)state;
	commit_through_link(path_in("link.txt"));
}

static void symlink_relative_followed(void **state)
{
	char cwd[512];

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	commit_through_link("link.txt");
	assert_int_equal(chdir(cwd), 0);
}

/* Three outputs in two directories: a replaced file, an appended log, a new file. */
struct three {
	char d1[256], d2[256], a[300], log[300], b[300];
	struct vmlet_channel ch[3];
};

static void three_setup(struct three *t)
{
	snprintf(t->d1, sizeof(t->d1), "%s/d1", dir);
	snprintf(t->d2, sizeof(t->d2), "%s/d2", dir);
	snprintf(t->a, sizeof(t->a), "%s/a.txt", t->d1);
	snprintf(t->log, sizeof(t->log), "%s/log.txt", t->d1);
	snprintf(t->b, sizeof(t->b), "%s/b.txt", t->d2);
	assert_int_equal(mkdir(t->d1, 0755), 0);
	assert_int_equal(mkdir(t->d2, 0755), 0);
	put(t->a, "old a\n");
	put(t->log, "one\n");
	t->ch[0] = file_channel("/a", t->a, VMLET_CHANNEL_WRITE);
	t->ch[1] = file_channel("/log", t->log, VMLET_CHANNEL_APPEND);
	t->ch[2] = file_channel("/b", t->b, VMLET_CHANNEL_WRITE);
}

static void three_write(struct fake *f)
{
	fake_write(f, 0, "new a\n");
	fake_write(f, 1, "two\n");
	fake_write(f, 2, "new b\n");
}

static void three_unchanged(const struct three *t)
{
	assert_string_equal(get(t->a), "old a\n");
	assert_string_equal(get(t->log), "one\n");
	assert_int_equal(access(t->b, F_OK), -1);
	assert_int_equal(leftovers(t->d1) + leftovers(t->d2), 0);
}

static void three_committed(const struct three *t)
{
	assert_string_equal(get(t->a), "new a\n");
	assert_string_equal(get(t->log), "one\ntwo\n");
	assert_string_equal(get(t->b), "new b\n");
	assert_int_equal(leftovers(t->d1) + leftovers(t->d2), 0);
}

/* The last entry fails when applied (its temporary vanished): the rename and the append before it are undone. */
static void apply_failure_undoes_rename_and_append(void **state)
{
	struct three t;
	struct fake f;

	(void)state;
	three_setup(&t);
	fake_open(&f, t.ch, 3);
	assert_int_equal(f.r, 0);
	three_write(&f);
	assert_int_equal(unlink(f.vm->channels[5].tmp), 0);
	assert_failed_run(&f, fake_commit(&f), t.b, ENOENT);
	fake_free(&f);
	three_unchanged(&t);
}

/* Commit, or fail and undo, in a child confined as `vmlet run` confines itself (Landlock, seccomp). */
static int confined_commit(struct three *t, int lose_last_temp)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		struct vmlet_error err;
		struct fake f;
		int i;

		fake_open(&f, t->ch, 3);
		if (f.r)
			_exit(101);
		three_write(&f);
		if (lose_last_temp)
			unlink(f.vm->channels[5].tmp);
		f.vm->vm_fd = f.vm->trace_fd = -1;
		f.vm->vcpu_fd = open("/dev/null", O_RDONLY);
		for (i = 0; i < 3; i++)
			f.vm->stdio[i] = i;
		if (vmlet_confine(f.vm, &err)) {
			fprintf(stderr, "confine: %s\n", err.message);
			_exit(102);
		}
		_exit(-fake_commit(&f));
	}
	assert_true(waitpid(pid, &status, 0) == pid);
	if (!WIFEXITED(status))
		fail_msg("confined child died of signal %d", WTERMSIG(status));
	assert_true(WEXITSTATUS(status) < 100);
	return -WEXITSTATUS(status);
}

static void confined_commit_and_undo(void **state)
{
	struct three t;

	(void)state;
#ifdef __SANITIZE_ADDRESS__
	skip(); /* the sanitizer runtime needs calls the allowlist forbids */
#endif
	if (getenv("LD_PRELOAD") && strstr(getenv("LD_PRELOAD"), "vgpreload"))
		skip(); /* valgrind: its own fds and calls break the limits and the allowlist */
	three_setup(&t);
	assert_int_equal(confined_commit(&t, 1), -ENOENT);
	three_unchanged(&t);
	assert_int_equal(confined_commit(&t, 0), 0);
	three_committed(&t);
}

/* A child that runs the commit up to step `upto` and dies there, as in a host crash. */
static void crash_during_commit(struct three *t, int upto)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		struct vmlet_error err;
		struct fake f;
		size_t i;

		fake_open(&f, t->ch, 3);
		if (f.r)
			_exit(1);
		three_write(&f);
		if (upto >= 1 && commit_prepare(f.vm, &err))
			_exit(2);
		if (upto >= 2 && commit_decide(f.vm, &err))
			_exit(3);
		for (i = 0; upto >= 3 && i < (size_t)upto - 2 && i < 3; i++)
			if (commit_apply(f.vm, i, &err))
				_exit(4);
		_exit(0);
	}
	assert_true(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void gc_counts(const char *d, int removed_min, int finished, int rolled_back)
{
	struct vmlet_gc_counts c;

	assert_int_equal(vmlet_collect_garbage(d, &c), 0);
	assert_int_equal(c.finished, finished);
	assert_int_equal(c.rolled_back, rolled_back);
	assert_true(c.removed >= removed_min);
}

/* Dead before the decision (the run, backups, the journal): gc rolls back, targets untouched. */
static void gc_rolls_back_undecided_commits(void **state)
{
	struct three t;
	int step;

	(void)state;
	three_setup(&t);
	for (step = 0; step <= 1; step++) {
		crash_during_commit(&t, step);
		assert_true(leftovers(t.d1) > 0);
		gc_counts(t.d1, 0, 0, step);
		gc_counts(t.d2, 0, 0, 0);
		three_unchanged(&t);
	}
}

/* Dead after the decision, with 0, 1, 2 or 3 entries applied: gc (from either directory) finishes it. */
static void gc_finishes_decided_commits(void **state)
{
	int step;

	(void)state;
	for (step = 2; step <= 5; step++) {
		struct three t;
		char cmd[600];

		three_setup(&t);
		crash_during_commit(&t, step);
		gc_counts(step % 2 ? t.d1 : t.d2, 0, 1, 0);
		three_committed(&t);
		gc_counts(t.d1, 0, 0, 0);
		snprintf(cmd, sizeof(cmd), "rm -rf %s %s", t.d1, t.d2);
		assert_int_equal(system(cmd), 0);
	}
}

/* The next run writing into the directory recovers it before it starts. */
static void next_run_recovers_first(void **state)
{
	struct three t;
	struct fake f;

	(void)state;
	three_setup(&t);
	crash_during_commit(&t, 3); /* decided, the first rename done */
	fake_open(&f, &t.ch[1], 1);
	assert_int_equal(f.r, 0);
	assert_string_equal(get(t.a), "new a\n");
	assert_string_equal(get(t.log), "one\ntwo\n");
	assert_string_equal(get(t.b), "new b\n");
	fake_write(&f, 0, "three\n");
	assert_int_equal(fake_commit(&f), 0);
	fake_free(&f);
	assert_string_equal(get(t.log), "one\ntwo\nthree\n");
	assert_int_equal(leftovers(t.d1) + leftovers(t.d2), 0);
}

/* A journal survives names with spaces and newlines; damaged ones are refused. */
static void journal_round_trip(void **state)
{
	struct journal_entry in[2] = {
		{ .kind = JOURNAL_REPLACE, .dir = "/a dir\nx", .name = "t t", .tmp = ".t t.vmlet-1-0.tmp", .bak = NULL },
		{ .kind = JOURNAL_APPEND, .dir = "/", .name = "log", .tmp = ".log.vmlet-1-1.tmp", .bak = "b",
		  .orig_len = 5, .base = 3, .len = 9 },
	};
	struct journal_entry *out;
	char *primary, *text;
	size_t len;

	(void)state;
	text = journal_format("/a dir\nx", in, 2, &len);
	assert_non_null(text);
	assert_int_equal(journal_parse(text, len, &primary, &out), 2);
	assert_string_equal(primary, "/a dir\nx");
	assert_string_equal(out[0].dir, "/a dir\nx");
	assert_string_equal(out[0].name, "t t");
	assert_null(out[0].bak);
	assert_int_equal(out[1].kind, JOURNAL_APPEND);
	assert_string_equal(out[1].bak, "b");
	assert_int_equal(out[1].orig_len, 5);
	assert_int_equal(out[1].base, 3);
	assert_int_equal(out[1].len, 9);
	journal_entries_free(out, 2);
	free(primary);
	{ /* parsing stays within len: digits after it are not part of the last number */
		char *padded = malloc(len + 8);
		assert_non_null(padded);
		memcpy(padded, text, len - 1);
		memcpy(padded + len - 1, "\n99999999", 9);
		assert_int_equal(journal_parse(padded, len, &primary, &out), 2);
		assert_int_equal(out[1].len, 9);
		journal_entries_free(out, 2);
		free(primary);
		free(padded);
	}
	assert_int_equal(journal_parse(text, len - 1, &primary, &out), -EINVAL); /* cut short */
	assert_int_equal(journal_parse("", 0, &primary, &out), -EINVAL);         /* never filled */
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(failed_commit_immutable_target, setup, teardown),
		cmocka_unit_test_setup_teardown(failed_commit_directory_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(failed_commit_immutable_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(discarded_run_keeps_its_outcome, setup, teardown),
		cmocka_unit_test_setup_teardown(two_files_committed_together, setup, teardown),
		cmocka_unit_test_setup_teardown(second_rename_fails_first_rolled_back, setup, teardown),
		cmocka_unit_test_setup_teardown(immutable_second_target_nothing_committed, setup, teardown),
		cmocka_unit_test_setup_teardown(concurrent_appends_all_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(append_adds_to_the_current_end, setup, teardown),
		cmocka_unit_test_setup_teardown(read_only_target_refused_for_the_user, setup, teardown),
		cmocka_unit_test_setup_teardown(read_only_target_written_by_root, setup, teardown),
		cmocka_unit_test_setup_teardown(symlink_absolute_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(symlink_relative_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(apply_failure_undoes_rename_and_append, setup, teardown),
		cmocka_unit_test_setup_teardown(confined_commit_and_undo, setup, teardown),
		cmocka_unit_test_setup_teardown(gc_rolls_back_undecided_commits, setup, teardown),
		cmocka_unit_test_setup_teardown(gc_finishes_decided_commits, setup, teardown),
		cmocka_unit_test_setup_teardown(next_run_recovers_first, setup, teardown),
		cmocka_unit_test(journal_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
