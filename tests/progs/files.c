/*
 * files.c - file access through read-only grants, one check per subcommand:
 *   read PATH    fopen/fread the whole file, then open/fstat/lseek/read on it
 *   ls DIR       opendir/readdir, names (without . and ..) sorted, one per line
 *   open PATH    open O_RDONLY: "open ok: FIRST-LINE" or "open ERRNAME"
 *   stat PATH    stat: "stat ok" or "stat ERRNAME"
 *   write PATH   every way of writing to PATH, each printing "WHAT: ok" or "WHAT: ERRNAME"
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *ename(int e)
{
	static char other[32];

	switch (e) {
	case ENOENT: return "ENOENT";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case EROFS: return "EROFS";
	case EBADF: return "EBADF";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case ELOOP: return "ELOOP";
	case EXDEV: return "EXDEV";
	case EINVAL: return "EINVAL";
	case ENOSYS: return "ENOSYS";
	case EFAULT: return "EFAULT";
	}
	snprintf(other, sizeof(other), "errno %d", e);
	return other;
}

static int do_read(const char *path)
{
	char buf[4096], small[8];
	struct stat st;
	size_t n;
	off_t end;
	FILE *f = fopen(path, "r");
	int fd;

	if (!f) {
		printf("fopen %s\n", ename(errno));
		return 1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	printf("fread %zu bytes\n", n);
	fwrite(buf, 1, n, stdout);

	fd = open(path, O_RDONLY);
	if (fd < 0) {
		printf("open %s\n", ename(errno));
		return 1;
	}
	if (fstat(fd, &st) != 0) {
		printf("fstat %s\n", ename(errno));
		return 1;
	}
	printf("fstat size %lld %s\n", (long long)st.st_size, S_ISREG(st.st_mode) ? "regular" : "not regular");
	end = lseek(fd, 0, SEEK_END);
	printf("lseek end %lld\n", (long long)end);
	memset(small, 0, sizeof(small));
	if (lseek(fd, 6, SEEK_SET) != 6 || read(fd, small, 5) != 5) {
		printf("lseek/read at 6 failed: %s\n", ename(errno));
		return 1;
	}
	printf("at 6: %s\n", small);
	memset(small, 0, sizeof(small));
	if (lseek(fd, -4, SEEK_END) != end - 4 || read(fd, small, 7) != 4) {
		printf("lseek/read at end-4 failed: %s\n", ename(errno));
		return 1;
	}
	printf("last 4: %s", small);
	printf("read at end: %zd\n", read(fd, small, 1));
	close(fd);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int do_ls(const char *path)
{
	char *names[256];
	struct dirent *d;
	size_t n = 0, i;
	DIR *dir = opendir(path);

	if (!dir) {
		printf("opendir %s\n", ename(errno));
		return 1;
	}
	errno = 0;
	while ((d = readdir(dir)) && n < 256) {
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
			names[n++] = strdup(d->d_name);
	}
	if (errno) {
		printf("readdir %s\n", ename(errno));
		return 1;
	}
	closedir(dir);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (i = 0; i < n; i++)
		printf("%s\n", names[i]);
	return 0;
}

static int do_open(const char *path)
{
	char buf[256];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		printf("open %s\n", ename(errno));
		return 0;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	buf[strcspn(buf, "\n")] = 0;
	printf("open ok: %s\n", buf);
	close(fd);
	return 0;
}

static void report(const char *what, int ok)
{
	printf("%s: %s\n", what, ok ? "ok" : ename(errno));
}

static int do_write(const char *path)
{
	char newpath[4096];
	int fd;

	errno = 0;
	fd = open(path, O_WRONLY);
	report("open O_WRONLY", fd >= 0);
	if (fd >= 0)
		close(fd);
	errno = 0;
	fd = open(path, O_RDWR);
	report("open O_RDWR", fd >= 0);
	if (fd >= 0)
		close(fd);
	errno = 0;
	fd = open(path, O_WRONLY | O_APPEND);
	report("open O_APPEND", fd >= 0);
	if (fd >= 0)
		close(fd);
	errno = 0;
	fd = open(path, O_WRONLY | O_TRUNC);
	report("open O_TRUNC", fd >= 0);
	if (fd >= 0)
		close(fd);
	errno = 0;
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		report("open O_RDONLY", 0);
		return 1;
	}
	report("write to O_RDONLY fd", write(fd, "x", 1) == 1);
	close(fd);
	snprintf(newpath, sizeof(newpath), "%s.new", path);
	errno = 0;
	fd = open(newpath, O_WRONLY | O_CREAT, 0644);
	report("create", fd >= 0);
	if (fd >= 0)
		close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (argc > 2 && !strcmp(cmd, "read"))
		return do_read(argv[2]);
	if (argc > 2 && !strcmp(cmd, "ls"))
		return do_ls(argv[2]);
	if (argc > 2 && !strcmp(cmd, "open"))
		return do_open(argv[2]);
	if (argc > 2 && !strcmp(cmd, "stat")) {
		struct stat st;
		if (stat(argv[2], &st) == 0)
			printf("stat ok\n");
		else
			printf("stat %s\n", ename(errno));
		return 0;
	}
	if (argc > 2 && !strcmp(cmd, "write"))
		return do_write(argv[2]);
	fprintf(stderr, "usage: files read|ls|open|stat|write PATH\n");
	return 2;
}
