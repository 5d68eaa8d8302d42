/* sparse.c - address space beyond memory: large reservations, hints, MAP_FIXED(_NOREPLACE), as runtimes use them. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MIB (1ul << 20)
#define HINT ((void *)0xc000000000ul) /* where Go puts its heap */

static void say(const char *what, long r)
{
	printf("%s: %s\n", what, r < 0 ? strerror(errno) : "ok");
	fflush(stdout);
}

static unsigned long sum(const unsigned char *p, size_t n)
{
	unsigned long s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s = s * 31 + p[i];
	return s;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	unsigned char *res, *arena, *p;
	size_t i;

	/* 8 GiB of address space, far more than the VM's memory: nothing is committed. */
	res = mmap(NULL, 8192 * MIB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	say("reserve 8G", res == MAP_FAILED ? -1 : 0);
	if (res == MAP_FAILED)
		return 1;
	if (!strcmp(mode, "touch-reserved"))
		return res[4096]; /* SIGSEGV */
	say("write from reserved", write(1, res, 1));
	say("mprotect 4M inside", mprotect(res + 4096 * MIB, 4 * MIB, PROT_READ | PROT_WRITE));
	for (i = 0; i < 4 * MIB; i += 4096)
		res[4096 * MIB + i] = (unsigned char)(i >> 12);
	printf("sum %lx\n", sum(res + 4096 * MIB, 4 * MIB));
	say("mprotect read-only", mprotect(res + 4096 * MIB, MIB, PROT_READ));
	say("mprotect back", mprotect(res + 4096 * MIB, MIB, PROT_READ | PROT_WRITE));
	printf("sum %lx\n", sum(res + 4096 * MIB, 4 * MIB));
	say("madvise dontneed", madvise(res + 4096 * MIB, 4 * MIB, MADV_DONTNEED));
	printf("sum after dontneed %lx\n", sum(res + 4096 * MIB, 4 * MIB));
	say("mprotect past a munmap", (munmap(res + 8000 * MIB, 64 * MIB), mprotect(res + 7990 * MIB, 64 * MIB, PROT_READ)));

	/* A hint that is free is honoured; MAP_FIXED_NOREPLACE refuses a taken range. */
	arena = mmap(HINT, 64 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("arena at hint: %s\n", arena == HINT ? "yes" : "no");
	memset(arena, 0xab, 64 * MIB);
	printf("arena sum %lx\n", sum(arena, 64 * MIB));
	p = mmap(HINT, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	say("fixed-noreplace over the arena", p == MAP_FAILED ? -1 : 0);
	p = mmap(arena + MIB, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	printf("fixed inside the arena: %s, reads %d\n", p == arena + MIB ? "yes" : "no", p[0]);

	/* A file read into and written from that memory. */
	if (argc > 2) {
		int fd = open(argv[2], O_RDONLY);
		ssize_t n = read(fd, arena + 3 * MIB, 2 * MIB);
		printf("read %zd bytes, sum %lx\n", n, sum(arena + 3 * MIB, n > 0 ? (size_t)n : 0));
		close(fd);
		fflush(stdout);
		n = write(1, arena + 3 * MIB, 16);
		printf("\nwrote %zd\n", n);
	}
	say("munmap arena", munmap(arena, 64 * MIB));
	say("munmap reservation", munmap(res, 8192 * MIB));
	if (!strcmp(mode, "touch-unmapped"))
		return arena[0]; /* SIGSEGV */
	return 0;
}
