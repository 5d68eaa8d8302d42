/*
 * fsops.c - calls whose errno a program relies on, each printing "CALL ARGS: RESULT" (an errno name or ok),
 * so that a run in vmlet compares byte for byte with a native run on a read-only mount:
 *   fsops DIR          the tree-changing calls (mkdir, unlink, rename, link, chmod, truncate...) on
 *                      DIR/file, DIR/sub, DIR/missing... with DIR read-only
 *   fsops nofile       setrlimit(RLIMIT_NOFILE) is kept and enforced
 *   fsops futex-rt     a FUTEX_WAIT_BITSET with a CLOCK_REALTIME deadline 100 ms ahead times out
 *   fsops pause        pause() blocks (until the run's timeout)
 *   fsops sync         fsync and its kin on an open fd and a bad one
 * Expects DIR/file (a regular file), DIR/sub (a directory), DIR/link (a symlink to file), DIR/dangling
 * (a symlink to nothing); nothing named DIR/missing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* musl's headers have neither <linux/futex.h> nor the renameat2 flags. */
#define FUTEX_WAIT 0
#define FUTEX_WAIT_BITSET 9
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu
#define RENAME_NOREPLACE_ 1
#define RENAME_EXCHANGE_ 2

static const char *result(long r)
{
	static char other[32];

	if (r >= 0)
		return "ok";
	switch (errno) {
	case ENOENT: return "ENOENT";
	case ENOTDIR: return "ENOTDIR";
	case EEXIST: return "EEXIST";
	case EROFS: return "EROFS";
	case EISDIR: return "EISDIR";
	case EINVAL: return "EINVAL";
	case EBUSY: return "EBUSY";
	case ENOTEMPTY: return "ENOTEMPTY";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EBADF: return "EBADF";
	case EMFILE: return "EMFILE";
	case ENOSYS: return "ENOSYS";
	case EXDEV: return "EXDEV";
	case ETIMEDOUT: return "ETIMEDOUT";
	default: snprintf(other, sizeof(other), "errno %d", errno); return other;
	}
}

#define SHOW(call, what) do { errno = 0; long r_ = (long)(call); printf("%s %s: %s\n", #call, what, result(r_)); } while (0)

static char p[8][4096];

static const char *at(int i, const char *dir, const char *name)
{
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static int tree(const char *d)
{
	const char *file = at(0, d, "file"), *sub = at(1, d, "sub"), *missing = at(2, d, "missing");
	const char *deep = at(3, d, "missing/x"), *slink = at(4, d, "link"), *dangling = at(5, d, "dangling");
	const char *dot = at(6, d, "sub/."), *under_file = at(7, d, "file/x");
	struct timespec ts[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };

	SHOW(mkdir(sub, 0755), "sub");
	SHOW(mkdir(missing, 0755), "missing");
	SHOW(mkdir(deep, 0755), "missing/x");
	SHOW(mkdir(under_file, 0755), "file/x");
	SHOW(mkdir(dangling, 0755), "dangling");
	SHOW(mkdir(dot, 0755), "sub/.");
	SHOW(mkdirat(AT_FDCWD, file, 0755), "file");
	SHOW(mknod(missing, S_IFIFO | 0644, 0), "missing");
	SHOW(symlink("file", missing), "missing");
	SHOW(symlink("file", slink), "link");
	SHOW(symlink("", missing), "'' missing");
	SHOW(link(file, missing), "file missing");
	SHOW(link(missing, file), "missing file");
	SHOW(link(file, slink), "file link");
	SHOW(unlink(file), "file");
	SHOW(unlink(missing), "missing");
	SHOW(unlink(deep), "missing/x");
	SHOW(unlink(dot), "sub/.");
	SHOW(unlinkat(AT_FDCWD, sub, AT_REMOVEDIR), "sub AT_REMOVEDIR");
	SHOW(unlinkat(AT_FDCWD, file, 0x1000), "file bad flags");
	SHOW(rmdir(sub), "sub");
	SHOW(rmdir(missing), "missing");
	SHOW(rmdir(dot), "sub/.");
	SHOW(rmdir(deep), "missing/x");
	SHOW(rename(file, missing), "file missing");
	SHOW(rename(missing, file), "missing file");
	SHOW(rename(deep, file), "missing/x file");
	SHOW(rename(file, deep), "file missing/x");
	SHOW(syscall(SYS_renameat2, AT_FDCWD, file, AT_FDCWD, sub, RENAME_NOREPLACE_ | RENAME_EXCHANGE_), "bad flags");
	SHOW(chmod(file, 0600), "file");
	SHOW(chmod(missing, 0600), "missing");
	SHOW(fchmodat(AT_FDCWD, dangling, 0600, 0), "dangling");
	SHOW(chown(file, 0, 0), "file");
	SHOW(lchown(dangling, 0, 0), "dangling");
	SHOW(chown(missing, 0, 0), "missing");
	SHOW(utimensat(AT_FDCWD, file, ts, 0), "file");
	SHOW(utimensat(AT_FDCWD, missing, ts, 0), "missing");
	SHOW(utimensat(AT_FDCWD, dangling, ts, AT_SYMLINK_NOFOLLOW), "dangling nofollow");
	SHOW(utimes(file, NULL), "file");
	SHOW(truncate(file, 0), "file");
	SHOW(truncate(sub, 0), "sub");
	SHOW(truncate(missing, 0), "missing");
	SHOW(truncate(file, -1), "file -1");
	return 0;
}

static int nofile(void)
{
	struct rlimit rl = { 8, 8 }, got;
	int n = 0, fd;

	for (fd = 3; fd < 1024; fd++) /* what a native run inherited */
		close(fd);

	SHOW(setrlimit(RLIMIT_NOFILE, &rl), "8/8");
	SHOW(getrlimit(RLIMIT_NOFILE, &got), "");
	printf("limit %lu/%lu\n", (unsigned long)got.rlim_cur, (unsigned long)got.rlim_max);
	while (open("/dev/null", O_RDONLY) >= 0)
		n++;
	printf("opened %d more, then %s\n", n, result(-1));
	SHOW(dup2(0, 8), "0 8");
	SHOW(fcntl(0, F_DUPFD, 8), "F_DUPFD 8");
	rl.rlim_cur = 16;
	SHOW(setrlimit(RLIMIT_NOFILE, &rl), "16/8");
	rl.rlim_max = 1u << 30;
	SHOW(setrlimit(RLIMIT_NOFILE, &rl), "16/2^30");
	return 0;
}

static int futex_rt(void)
{
	static unsigned word;
	struct timespec deadline, after;
	long r;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_nsec += 100000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	errno = 0;
	r = syscall(SYS_futex, &word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME, 0,
		    &deadline, NULL, FUTEX_BITSET_MATCH_ANY);
	clock_gettime(CLOCK_REALTIME, &after);
	printf("futex realtime deadline: %s, %s\n", result(r),
	       after.tv_sec > deadline.tv_sec || (after.tv_sec == deadline.tv_sec && after.tv_nsec >= deadline.tv_nsec)
		       ? "after the deadline" : "before the deadline");
	SHOW(syscall(SYS_futex, &word, FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 0, NULL, NULL, 0), "FUTEX_WAIT|CLOCK_REALTIME");
	return 0;
}

static int sync_calls(void)
{
	SHOW(fsync(1), "1");
	SHOW(fdatasync(1), "1");
	SHOW(syncfs(1), "1");
	SHOW(fsync(99), "99");
	sync();
	printf("sync: ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 2) {
		fprintf(stderr, "usage: fsops DIR|nofile|futex-rt|pause|sync\n");
		return 2;
	}
	if (!strcmp(argv[1], "nofile"))
		return nofile();
	if (!strcmp(argv[1], "futex-rt"))
		return futex_rt();
	if (!strcmp(argv[1], "pause")) {
		pause();
		printf("pause returned\n");
		return 1;
	}
	if (!strcmp(argv[1], "sync"))
		return sync_calls();
	return tree(argv[1]);
}
