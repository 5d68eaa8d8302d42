/*
 * tmpfsops.c - what programs rely on in a writable tmpfs, each step printing "STEP: RESULT" (an errno
 * name, ok, or a value), so that a run in vmlet with --tmpfs DIR compares byte for byte with a native
 * run in a directory of a real tmpfs:
 *   tmpfsops DIR        files, directories, links, renames, times, locks, memfd, copies (DIR empty)
 *   tmpfsops fill DIR   write until the tmpfs is full: prints the errno of the write that failed
 * DIR itself is never printed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

static const char *result(long r)
{
	static char other[32];

	if (r >= 0)
		return "ok";
	switch (errno) {
	case ENOENT: return "ENOENT";
	case EEXIST: return "EEXIST";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case ENOTEMPTY: return "ENOTEMPTY";
	case EINVAL: return "EINVAL";
	case EBADF: return "EBADF";
	case EXDEV: return "EXDEV";
	case ELOOP: return "ELOOP";
	case ENOSPC: return "ENOSPC";
	case EWOULDBLOCK: return "EWOULDBLOCK";
	case EBUSY: return "EBUSY";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	default: snprintf(other, sizeof(other), "errno %d", errno); return other;
	}
}

#define STEP(name, call) printf("%s: %s\n", name, result((long)(call)))

static void show_stat(const char *name, const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		printf("%s: %s\n", name, result(-1));
		return;
	}
	printf("%s: mode %o nlink %lu size %lld blocks %lld\n", name, (unsigned)st.st_mode, (unsigned long)st.st_nlink,
	       (long long)st.st_size, (long long)st.st_blocks);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in a directory, sorted (the order of getdents differs between kernel versions). */
static void show_dir(const char *name, const char *path)
{
	char *names[64];
	struct dirent *e;
	int n = 0, i;
	DIR *d = opendir(path);

	if (!d) {
		printf("%s: %s\n", name, result(-1));
		return;
	}
	while ((e = readdir(d)) && n < 64)
		names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp);
	printf("%s:", name);
	for (i = 0; i < n; i++) {
		printf(" %s", names[i]);
		free(names[i]);
	}
	printf("\n");
}

static void files(void)
{
	char buf[64] = "";
	struct stat st, st2;
	int fd, fd2;

	fd = open("f", O_RDWR | O_CREAT | O_EXCL, 0666);
	STEP("open creat excl", fd);
	STEP("open creat excl again", open("f", O_RDWR | O_CREAT | O_EXCL, 0666));
	STEP("write", write(fd, "hello world", 11));
	STEP("pwrite", pwrite(fd, "W", 1, 6));
	printf("pread: %zd %.5s\n", pread(fd, buf, 5, 6), buf);
	printf("lseek end: %lld\n", (long long)lseek(fd, 0, SEEK_END));
	printf("lseek hole: %lld\n", (long long)lseek(fd, 100000, SEEK_SET));
	STEP("write past a hole", write(fd, "x", 1));
	show_stat("stat sparse", "f");
	fd2 = open("f", O_WRONLY | O_APPEND);
	STEP("append", write(fd2, "!", 1));
	printf("size after append: %lld\n", (long long)lseek(fd, 0, SEEK_END));
	close(fd2);
	STEP("unlink open", unlink("f"));
	STEP("stat unlinked", stat("f", &st));
	printf("read unlinked: %zd %.5s\n", pread(fd, buf, 5, 0), buf);
	fstat(fd, &st);
	printf("fstat unlinked: nlink %lu\n", (unsigned long)st.st_nlink);
	close(fd);
	fd = open("g", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	STEP("write g", write(fd, "abcdef", 6));
	STEP("ftruncate", ftruncate(fd, 3));
	STEP("fallocate", fallocate(fd, 0, 0, 10000));
	show_stat("stat g", "g");
	STEP("fsync", fsync(fd));
	STEP("fdatasync", fdatasync(fd));
	close(fd);
	fd = open("g", O_RDONLY | O_TRUNC);
	show_stat("stat after O_TRUNC", "g");
	STEP("ftruncate read-only", ftruncate(fd, 1));
	STEP("write read-only", write(fd, "x", 1));
	close(fd);
	STEP("truncate", truncate("g", 5000));
	show_stat("stat truncated", "g");
	STEP("open missing dir", open("missing/x", O_RDWR | O_CREAT, 0600));
	STEP("open under a file", open("g/x", O_RDWR | O_CREAT, 0600));
	STEP("open file as dir", open("g", O_RDONLY | O_DIRECTORY));
	STEP("open dir for writing", open(".", O_RDWR));
	fd = open(".", O_TMPFILE | O_RDWR, 0600);
	STEP("O_TMPFILE", fd);
	STEP("write tmpfile", write(fd, "tmp", 3));
	fstat(fd, &st);
	printf("tmpfile: nlink %lu size %lld\n", (unsigned long)st.st_nlink, (long long)st.st_size);
	close(fd);
	STEP("access W_OK", access("g", W_OK));
	STEP("access X_OK", access("g", X_OK));
	STEP("chmod", chmod("g", 0755));
	STEP("access X_OK after chmod", access("g", X_OK));
	{
		struct timespec ts[2] = { { 1000, 5 }, { 2000, 7 } };
		STEP("utimensat", utimensat(AT_FDCWD, "g", ts, 0));
		stat("g", &st);
		printf("times: %lld.%ld %lld.%ld\n", (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
		       (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	}
	fd = open("g", O_RDWR);
	STEP("fchmod", fchmod(fd, 0600));
	STEP("futimens", futimens(fd, NULL));
	fstat(fd, &st);
	stat("g", &st2);
	printf("fstat and stat agree: %d\n", st.st_ino == st2.st_ino && st.st_mode == st2.st_mode);
	close(fd);
}

static void dirs(void)
{
	char buf[64] = "";
	struct stat a, b;
	struct statfs sf;
	ssize_t n;

	STEP("mkdir", mkdir("d", 0777));
	show_stat("stat d", "d");
	STEP("mkdir again", mkdir("d", 0755));
	STEP("mkdir sub", mkdir("d/sub", 0700));
	show_stat("stat d with sub", "d");
	close(open("d/a", O_CREAT | O_WRONLY, 0644));
	close(open("d/b", O_CREAT | O_WRONLY, 0644));
	STEP("rmdir not empty", rmdir("d"));
	STEP("rmdir file", rmdir("d/a"));
	STEP("unlink dir", unlink("d/sub"));
	STEP("link", link("d/a", "d/hard"));
	stat("d/a", &a);
	stat("d/hard", &b);
	printf("hard link: same inode %d nlink %lu\n", a.st_ino == b.st_ino, (unsigned long)a.st_nlink);
	STEP("link exists", link("d/a", "d/b"));
	STEP("link dir", link("d/sub", "d/sublink"));
	STEP("symlink", symlink("sub", "d/ln"));
	n = readlink("d/ln", buf, sizeof(buf));
	printf("readlink: %zd %.*s\n", n, (int)(n > 0 ? n : 0), buf);
	STEP("readlink of a file", readlink("d/a", buf, sizeof(buf)));
	show_stat("lstat symlink", "d/ln");
	memset(buf, 'x', 63);
	buf[63] = 0;
	STEP("symlink long", symlink(buf, "d/longln"));
	show_stat("lstat long symlink", "d/longln");
	STEP("symlink very long", symlink("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "d/verylongln"));
	show_stat("lstat very long symlink", "d/verylongln");
	STEP("unlink long symlinks", unlink("d/longln") | unlink("d/verylongln"));
	STEP("create through symlink", close(open("d/ln/viasym", O_CREAT | O_WRONLY, 0644)));
	STEP("stat through symlink", stat("d/sub/viasym", &a));
	STEP("symlink loop", symlink("loop", "d/loop"));
	STEP("stat loop", stat("d/loop", &a));
	STEP("open nofollow", open("d/ln", O_RDONLY | O_NOFOLLOW));
	STEP("rename over a file", rename("d/b", "d/a"));
	STEP("stat old name", stat("d/b", &a));
	stat("d/hard", &a);
	printf("replaced file: nlink %lu\n", (unsigned long)a.st_nlink);
	STEP("rename dir under itself", rename("d/sub", "d/sub/x"));
	STEP("rename dir over a file", rename("d/sub", "d/a"));
	STEP("rename file over a dir", rename("d/a", "d/sub"));
	STEP("rename dir", rename("d/sub", "moved"));
	STEP("stat in moved dir", stat("moved/viasym", &a));
	STEP("mkdir e", mkdir("e", 0755));
	STEP("rename dir over empty dir", rename("moved", "e"));
	STEP("rename noreplace", syscall(SYS_renameat2, AT_FDCWD, "d/a", AT_FDCWD, "d/hard", 1));
	show_dir("list d", "d");
	show_dir("list .", ".");
	STEP("chdir", chdir("e"));
	STEP("relative stat", stat("viasym", &a));
	STEP("relative dotdot", stat("../d/hard", &a));
	STEP("chdir back", chdir(".."));
	STEP("rmdir e/..", rmdir("e/.."));
	STEP("rmdir e/.", rmdir("e/."));
	STEP("unlink viasym", unlink("e/viasym"));
	STEP("rmdir e", rmdir("e"));
	STEP("statfs", statfs(".", &sf));
	printf("statfs: type %lx bsize %ld namelen %ld\n", (unsigned long)sf.f_type, (long)sf.f_bsize, (long)sf.f_namelen);
}

static void descriptors(void)
{
	char buf[32] = "";
	off_t off = 2;
	int m, t, fd2;

	m = (int)syscall(SYS_memfd_create, "x", 1 /* MFD_CLOEXEC */);
	STEP("memfd_create", m);
	STEP("write memfd", write(m, "0123456789", 10));
	t = open("copy", O_RDWR | O_CREAT | O_TRUNC, 0644);
	STEP("copy_file_range across filesystems", syscall(SYS_copy_file_range, m, &off, t, NULL, 5, 0));
	STEP("write copy", write(t, "23456", 5));
	{
		long n = (long)syscall(SYS_copy_file_range, t, &off, t, NULL, 3, 0);
		printf("copy_file_range: %ld off %lld\n", n, (long long)off);
	}
	lseek(m, 0, SEEK_SET);
	printf("sendfile: %ld\n", (long)syscall(SYS_sendfile, t, m, NULL, 3));
	printf("contents: %zd %s\n", pread(t, buf, sizeof(buf) - 1, 0), buf);
	STEP("fadvise", posix_fadvise(t, 0, 0, POSIX_FADV_SEQUENTIAL) ? (errno = EINVAL, -1) : 0);
	fd2 = open("copy", O_RDONLY);
	STEP("flock ex", flock(t, LOCK_EX));
	STEP("flock sh nb other", flock(fd2, LOCK_SH | LOCK_NB));
	STEP("flock un", flock(t, LOCK_UN));
	STEP("flock sh nb again", flock(fd2, LOCK_SH | LOCK_NB));
	{
		struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
		STEP("fcntl setlk", fcntl(t, F_SETLK, &l));
		l.l_type = F_WRLCK;
		STEP("fcntl getlk", fcntl(t, F_GETLK, &l));
		printf("getlk: %s\n", l.l_type == F_UNLCK ? "unlocked" : "locked");
	}
	{
		char *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, t, 0);
		printf("mmap: %.11s\n", p == MAP_FAILED ? "failed" : p);
	}
	close(fd2);
	close(t);
	close(m);
}

static int fill(void)
{
	static char block[65536];
	long long total = 0;
	ssize_t n;
	int fd = open("big", O_WRONLY | O_CREAT, 0644);

	memset(block, 'z', sizeof(block));
	while ((n = write(fd, block, sizeof(block))) > 0)
		total += n;
	printf("fill: %s after %s\n", result(n), total > 0 ? "some data" : "nothing");
	close(fd);
	STEP("unlink big", unlink("big"));
	STEP("write after unlink", write(open("small", O_WRONLY | O_CREAT, 0644), "x", 1));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "fill"))
		return chdir(argv[2]) ? 1 : fill();
	if (argc != 2 || chdir(argv[1])) {
		fprintf(stderr, "usage: tmpfsops DIR | tmpfsops fill DIR\n");
		return 2;
	}
	umask(022);
	files();
	dirs();
	descriptors();
	return 0;
}
