/* mprot.c - page rights as mmap and mprotect set them; each mode's output and death match Linux's. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096ul
#define CHUNK (2ul << 20)

static void say(const char *what, long r)
{
	printf("%s: %s\n", what, r < 0 ? strerror(errno) : "ok");
	fflush(stdout);
}

static char *anon(size_t len, int prot)
{
	char *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		_exit(2);
	}
	return p;
}

/* Rights changed back and forth across 2 MiB chunk boundaries keep the data. */
static int cycle(void)
{
	size_t len = 3 * CHUNK, i;
	char *raw = anon(len + CHUNK, PROT_READ | PROT_WRITE);
	char *p = (char *)(((uintptr_t)raw + CHUNK - 1) & ~(CHUNK - 1));
	unsigned long sum = 0;
	int round;

	for (i = 0; i < len; i += PAGE)
		p[i] = (char)(i / PAGE);
	for (round = 0; round < 50; round++) {
		size_t off = (size_t)round * 37 * PAGE % len, n = (size_t)(round % 7 + 1) * 97 * PAGE;
		if (off + n > len)
			n = len - off;
		if (mprotect(p + off, n, round % 3 ? PROT_READ : PROT_NONE) || mprotect(p + off, n, PROT_READ | PROT_WRITE)) {
			perror("mprotect");
			return 1;
		}
		p[off] ^= 1;
		p[off] ^= 1;
	}
	if (mprotect(p + CHUNK, CHUNK, PROT_READ)) /* a whole chunk */
		return 1;
	for (i = 0; i < len; i += PAGE)
		sum += (unsigned char)p[i];
	if (mprotect(p + CHUNK, CHUNK, PROT_READ | PROT_WRITE))
		return 1;
	p[CHUNK] = 1;
	printf("cycle: sum %lu\n", sum);
	/* Unmapped and mapped again: writable again. */
	say("munmap", munmap(raw, len + CHUNK));
	raw = anon(len, PROT_READ | PROT_WRITE);
	memset(raw, 7, len);
	say("remap and write", 0);
	return 0;
}

static int efault(void)
{
	char *p = anon(2 * PAGE, PROT_READ | PROT_WRITE), *q;

	strcpy(p, "hello\n");
	say("mprotect none", mprotect(p, PAGE, PROT_NONE));
	say("write from PROT_NONE", write(1, p, 6));
	say("write across into PROT_NONE", write(1, p + PAGE - 1, 2));
	say("mprotect read", mprotect(p, PAGE, PROT_READ));
	say("write from read-only", write(1, p, 6));
	say("read into read-only", read(open("/dev/zero", O_RDONLY), p, 6));
	q = anon(4 * PAGE, PROT_READ | PROT_WRITE);
	say("munmap a hole", munmap(q + 2 * PAGE, 2 * PAGE));
	say("mprotect over the hole", mprotect(q, 4 * PAGE, PROT_READ));
	say("mprotect unaligned", mprotect(p + 1, PAGE, PROT_READ));
	say("mprotect bad prot", mprotect(p, PAGE, 0x100));
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	volatile char *p;

	if (!strcmp(mode, "cycle"))
		return cycle();
	if (!strcmp(mode, "efault"))
		return efault();
	if (!strcmp(mode, "write-readonly")) {
		p = anon(PAGE, PROT_READ | PROT_WRITE);
		p[0] = 1;
		say("mprotect read", mprotect((void *)p, PAGE, PROT_READ));
		printf("read back %d\n", p[0]);
		fflush(stdout);
		p[0] = 2; /* SIGSEGV */
		return 0;
	}
	if (!strcmp(mode, "read-none")) {
		p = anon(PAGE, PROT_NONE);
		say("mapped none", 0);
		return p[0]; /* SIGSEGV */
	}
	if (!strcmp(mode, "guard")) { /* a thread stack's guard page, as pthread_create makes it */
		char *s = anon(16 * PAGE, PROT_READ | PROT_WRITE);
		say("guard", mprotect(s, PAGE, PROT_NONE));
		memset(s + PAGE, 1, 15 * PAGE);
		say("stack written", 0);
		p = s + PAGE;
		while (1)
			*--p = 1; /* runs into the guard: SIGSEGV */
	}
	if (!strcmp(mode, "exec-noexec")) { /* NX: data mapped without PROT_EXEC does not run */
		unsigned char *c = (unsigned char *)anon(PAGE, PROT_READ | PROT_WRITE);
		c[0] = 0xc3; /* ret */
		say("mprotect read+exec", mprotect(c, PAGE, PROT_READ | PROT_EXEC));
		((void (*)(void))c)();
		say("ran", 0);
		say("mprotect read", mprotect(c, PAGE, PROT_READ));
		((void (*)(void))c)(); /* SIGSEGV */
		return 0;
	}
	if (!strcmp(mode, "mremap-keeps")) { /* a read-only mapping moved stays read-only */
		char *a = anon(4 * PAGE, PROT_READ | PROT_WRITE), *b;
		strcpy(a, "moved");
		say("mprotect read", mprotect(a, 4 * PAGE, PROT_READ));
		b = mremap(a, 4 * PAGE, 64 * PAGE, MREMAP_MAYMOVE);
		printf("%s\n", b == MAP_FAILED ? "mremap failed" : b);
		fflush(stdout);
		b[0] = 'M'; /* SIGSEGV */
		return 0;
	}
	fprintf(stderr, "usage: mprot cycle|efault|write-readonly|read-none|guard|exec-noexec|mremap-keeps\n");
	return 2;
}
