/*
 * shm.c - POSIX shared memory and named semaphores, which live in /dev/shm; each step prints
 * "STEP: RESULT" (ok, an errno name, or a value), so that a run in vmlet with --root compares
 * byte for byte with a native run:
 *   shm files   shm_open, ftruncate, read and write through the descriptor, fstat, shm_unlink
 *   shm map     a shared mapping of a shm object, and a named semaphore (both map /dev/shm files)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define NAME "/vmlet-shm-probe"

static const char *result(long r)
{
	static char other[32];

	if (r >= 0)
		return "ok";
	switch (errno) {
	case ENOENT: return "ENOENT";
	case EEXIST: return "EEXIST";
	case EACCES: return "EACCES";
	case EINVAL: return "EINVAL";
	case ENOSYS: return "ENOSYS";
	case ENODEV: return "ENODEV";
	default:
		snprintf(other, sizeof(other), "errno %d", errno);
		return other;
	}
}

#define STEP(name, expr) printf("%s: %s\n", name, result((long)(expr)))

static int files(void)
{
	char buf[16] = "";
	struct stat st;
	int fd, fd2;

	shm_unlink(NAME); /* left by an interrupted run */
	fd = shm_open(NAME, O_RDWR | O_CREAT | O_EXCL, 0600);
	STEP("shm_open create", fd);
	STEP("shm_open exclusive again", shm_open(NAME, O_RDWR | O_CREAT | O_EXCL, 0600));
	STEP("ftruncate", ftruncate(fd, 8192));
	STEP("pwrite", pwrite(fd, "shared", 6, 4096));
	STEP("fstat", fstat(fd, &st));
	printf("size %lld mode %o own %d\n", (long long)st.st_size, (unsigned)st.st_mode,
	       st.st_uid == geteuid() && st.st_gid == getegid());
	fd2 = shm_open(NAME, O_RDONLY, 0);
	STEP("shm_open existing", fd2);
	STEP("pread", pread(fd2, buf, 6, 4096));
	printf("read '%s'\n", buf);
	STEP("stat /dev/shm", stat("/dev/shm", &st));
	printf("/dev/shm directory %d sticky %d\n", S_ISDIR(st.st_mode), !!(st.st_mode & S_ISVTX));
	STEP("shm_unlink", shm_unlink(NAME));
	STEP("shm_unlink again", shm_unlink(NAME));
	STEP("shm_open after unlink", shm_open(NAME, O_RDONLY, 0));
	STEP("pread after unlink", pread(fd2, buf, 6, 4096));
	return 0;
}

static int map(void)
{
	int fd, v = -1;
	char *p;
	sem_t *s;

	shm_unlink(NAME);
	sem_unlink(NAME);
	fd = shm_open(NAME, O_RDWR | O_CREAT | O_EXCL, 0600);
	STEP("shm_open", fd);
	STEP("ftruncate", ftruncate(fd, 4096));
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	STEP("mmap shared", p == MAP_FAILED ? -1 : 0);
	if (p != MAP_FAILED) {
		char buf[8] = "";
		memcpy(p, "mapped", 6);
		STEP("pread", pread(fd, buf, 6, 0));
		printf("through the file '%s'\n", buf);
		STEP("pwrite", pwrite(fd, "FILE", 4, 2));
		printf("through the mapping '%.6s'\n", p);
		STEP("munmap", munmap(p, 4096));
	}
	STEP("shm_unlink", shm_unlink(NAME));
	s = sem_open(NAME, O_CREAT | O_EXCL, 0600, 2);
	STEP("sem_open", s == SEM_FAILED ? -1 : 0);
	if (s != SEM_FAILED) {
		STEP("sem_wait", sem_wait(s));
		STEP("sem_getvalue", sem_getvalue(s, &v));
		printf("value %d\n", v);
		STEP("sem_close", sem_close(s));
		STEP("sem_unlink", sem_unlink(NAME));
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "files"))
		return files();
	if (argc == 2 && !strcmp(argv[1], "map"))
		return map();
	fprintf(stderr, "usage: shm files|map\n");
	return 2;
}
