/* elf.h - validate an x86-64 ELF executable (static or with an interpreter) and copy its segments into guest memory. */
#ifndef VMLET_ELF_H
#define VMLET_ELF_H

#include <stddef.h>
#include <stdint.h>

#include "../core/guestmem.h"

#define ELF_MAX_SEGMENTS 16

/* Reads len bytes at off; returns bytes read (short at end of file) or -errno. */
typedef long (*elf_reader)(void *ctx, void *buf, size_t len, uint64_t off);

struct elf_segment {
	uint64_t vaddr, memsz; /* after relocation by the image's bias */
	uint64_t offset, filesz;
	uint32_t flags; /* PF_R | PF_W | PF_X */
};

struct elf_image {
	uint64_t file_size;
	int is_pie;       /* ET_DYN (a PIE, or an interpreter): loaded at bias */
	uint64_t bias;    /* added to every vaddr of a PIE; 0 for ET_EXEC */
	uint64_t entry;   /* relocated */
	uint64_t phdr;    /* relocated address of the program headers */
	uint64_t phnum, phent;
	uint64_t lo, hi;  /* page-aligned span of all segments, relocated */
	uint64_t interp_off, interp_len; /* PT_INTERP's bytes in the file (its NUL included); len 0: none */
	size_t nsegs;
	struct elf_segment segs[ELF_MAX_SEGMENTS];
};

/* Where a PIE is placed: the lowest page of the image lands here. */
#define ELF_PIE_BASE 0x400000ull

/*
 * Parse and validate the file behind reader. On failure returns -ENOEXEC
 * (or the reader's error) and writes a one-line reason into msg.
 */
int elf_parse(elf_reader reader, void *ctx, uint64_t file_size, struct elf_image *img,
	      char *msg, size_t msglen);

/* Longest interpreter path elf_parse accepts, its NUL included (Linux's PATH_MAX). */
#define ELF_INTERP_MAX 4096

/*
 * Read the interpreter's path named by PT_INTERP into out (ELF_INTERP_MAX
 * bytes): 0, or -ENOEXEC with a message when it is not one NUL-terminated
 * absolute path (or the reader's error).
 */
int elf_interp(elf_reader reader, void *ctx, const struct elf_image *img, char *out, char *msg,
	       size_t msglen);

/*
 * Check a parsed image can serve as an interpreter (position-independent, no
 * interpreter of its own) and move it so that its lowest page lands at lo
 * (page-aligned): -ENOEXEC with a message if it cannot.
 */
int elf_place_interp(struct elf_image *img, uint64_t lo, char *msg, size_t msglen);

/*
 * Check the image fits in guest user memory [lo_limit, hi_limit); -ENOEXEC
 * with a message if not.
 */
int elf_check_fit(const struct elf_image *img, uint64_t lo_limit, uint64_t hi_limit, char *msg,
		  size_t msglen);

/* Copy the segments' file bytes into guest memory (assumed zeroed). */
int elf_load(elf_reader reader, void *ctx, const struct elf_image *img, const struct guestmem *mem,
	     char *msg, size_t msglen);

/* A reader over a memory buffer; ctx is a struct elf_buffer. */
struct elf_buffer {
	const uint8_t *data;
	size_t size;
};
long elf_buffer_reader(void *ctx, void *buf, size_t len, uint64_t off);

#endif
