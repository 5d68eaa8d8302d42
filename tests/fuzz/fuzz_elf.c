/*
 * fuzz_elf.c - libFuzzer target for the ELF loader: elf_parse over the buffer
 * reader, then elf_check_fit, then elf_load into a small fake guest memory.
 *
 * Besides memory errors (ASan) and undefined behaviour (UBSan), it checks the
 * loader's contract and traps when it is broken: a parsed image must be
 * self-consistent, an image that passed elf_check_fit must lie entirely inside
 * the limits, and elf_load must copy exactly the file bytes of every segment.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/guestmem.h"
#include "loader/elf.h"

#define GUEST_SIZE (8ull << 20)
#define LO_LIMIT 0x400000ull
#define PAGE 4096ull

#define CHECK(cond)                                                                    \
	do {                                                                           \
		if (!(cond)) {                                                         \
			fprintf(stderr, "fuzz_elf: contract broken: %s (line %d)\n", #cond, \
				__LINE__);                                             \
			abort();                                                       \
		}                                                                      \
	} while (0)

static uint8_t *guest;

static void check_message(const char *msg, size_t msglen)
{
	size_t n = strnlen(msg, msglen);

	CHECK(n > 0 && n < msglen);
	CHECK(!memchr(msg, '\n', n));
}

static void check_image(const struct elf_image *img, size_t size)
{
	size_t i, in_entry = 0;

	CHECK(img->file_size == size);
	CHECK(img->nsegs >= 1 && img->nsegs <= ELF_MAX_SEGMENTS);
	CHECK(img->phent == 56 && img->phnum >= 1);
	CHECK(img->lo % PAGE == 0 && img->hi % PAGE == 0);
	CHECK(img->lo < img->hi);
	CHECK(img->is_pie ? img->lo == ELF_PIE_BASE : img->bias == 0);
	for (i = 0; i < img->nsegs; i++) {
		const struct elf_segment *s = &img->segs[i];

		CHECK(s->memsz > 0);
		CHECK(s->filesz <= s->memsz);
		CHECK(s->offset <= size && s->filesz <= size - s->offset);
		CHECK(s->vaddr >= img->lo);
		CHECK(s->vaddr <= img->hi && s->memsz <= img->hi - s->vaddr);
		if (i)
			CHECK(s->vaddr >= img->segs[i - 1].vaddr + img->segs[i - 1].memsz);
		if (img->entry >= s->vaddr && img->entry - s->vaddr < s->memsz)
			in_entry = 1;
	}
	CHECK(in_entry);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_buffer b = { data, size };
	struct elf_image img;
	struct guestmem mem;
	char msg[200];
	size_t i;
	int r;

	if (!guest) {
		guest = calloc(1, GUEST_SIZE);
		if (!guest)
			abort();
	}
	memset(msg, 0, sizeof(msg));
	r = elf_parse(elf_buffer_reader, &b, size, &img, msg, sizeof(msg));
	if (r) {
		CHECK(r == -ENOEXEC);
		check_message(msg, sizeof(msg));
		return 0;
	}
	check_image(&img, size);
	if (img.interp_len) { /* the interpreter's path: one absolute NUL-terminated string, or refused */
		static char path[ELF_INTERP_MAX];
		CHECK(img.interp_off <= size && img.interp_len <= size - img.interp_off);
		memset(msg, 0, sizeof(msg));
		r = elf_interp(elf_buffer_reader, &b, &img, path, msg, sizeof(msg));
		if (r) {
			CHECK(r == -ENOEXEC);
			check_message(msg, sizeof(msg));
		} else {
			CHECK(path[0] == '/' && strlen(path) + 1 == img.interp_len);
		}
	}

	memset(msg, 0, sizeof(msg));
	r = elf_check_fit(&img, LO_LIMIT, GUEST_SIZE, msg, sizeof(msg));
	if (r) {
		CHECK(r == -ENOEXEC);
		check_message(msg, sizeof(msg));
		return 0;
	}
	CHECK(img.lo >= LO_LIMIT && img.hi <= GUEST_SIZE);
	for (i = 0; i < img.nsegs; i++) {
		CHECK(img.segs[i].vaddr >= LO_LIMIT);
		CHECK(img.segs[i].vaddr + img.segs[i].memsz <= GUEST_SIZE);
	}

	/* A segment's pages are its own: clear them so stale bytes cannot hide a short copy. */
	memset(guest + img.lo, 0, img.hi - img.lo);
	mem = (struct guestmem){ guest, GUEST_SIZE };
	memset(msg, 0, sizeof(msg));
	r = elf_load(elf_buffer_reader, &b, &img, &mem, msg, sizeof(msg));
	CHECK(r == 0); /* it parsed, it fits, the buffer does not shrink */
	for (i = 0; i < img.nsegs; i++) {
		const struct elf_segment *s = &img.segs[i];

		CHECK(memcmp(guest + s->vaddr, data + s->offset, s->filesz) == 0);
	}
	return 0;
}
