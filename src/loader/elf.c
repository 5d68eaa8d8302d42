/* elf.c - ELF64 validation and loading; every field from the file is checked before use. */
#include "elf.h"

#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define PAGE 4096ull
#define MAX_PHNUM 256
#define MAX_SPAN (1ull << 47) /* no x86-64 user address space is larger */

static int fail(char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
	return -ENOEXEC;
}

static int read_exact(elf_reader reader, void *ctx, void *buf, size_t len, uint64_t off)
{
	long n = reader(ctx, buf, len, off);

	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -ENOEXEC;
}

long elf_buffer_reader(void *ctx, void *buf, size_t len, uint64_t off)
{
	const struct elf_buffer *b = ctx;

	if (off >= b->size)
		return 0;
	if (len > b->size - off)
		len = b->size - off;
	memcpy(buf, b->data + off, len);
	return (long)len;
}

static int check_ident(const Elf64_Ehdr *eh, char *msg, size_t msglen)
{
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return fail(msg, msglen, "not an ELF executable");
	if (eh->e_ident[EI_CLASS] == ELFCLASS32)
		return fail(msg, msglen, "32-bit ELF executables are not supported (x86-64 only)");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return fail(msg, msglen, "malformed ELF: unknown class %u", eh->e_ident[EI_CLASS]);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return fail(msg, msglen, "big-endian ELF executables are not supported");
	if (eh->e_machine != EM_X86_64)
		return fail(msg, msglen, "not an x86-64 executable (ELF machine %u)", eh->e_machine);
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return fail(msg, msglen, "not an executable (ELF type %u)", eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return fail(msg, msglen, "malformed ELF: program header size %u", eh->e_phentsize);
	if (eh->e_phnum == 0 || eh->e_phnum > MAX_PHNUM)
		return fail(msg, msglen, "malformed ELF: %u program headers", eh->e_phnum);
	return 0;
}

static int add_segment(struct elf_image *img, const Elf64_Phdr *ph, unsigned idx, char *msg,
		       size_t msglen)
{
	struct elf_segment *s;

	if (ph->p_memsz == 0)
		return 0;
	if (img->nsegs == ELF_MAX_SEGMENTS)
		return fail(msg, msglen, "malformed ELF: more than %d loadable segments",
			    ELF_MAX_SEGMENTS);
	if (ph->p_filesz > ph->p_memsz)
		return fail(msg, msglen, "malformed ELF: segment %u file size exceeds memory size", idx);
	if (ph->p_offset > img->file_size || ph->p_filesz > img->file_size - ph->p_offset)
		return fail(msg, msglen, "truncated ELF: segment %u lies beyond the end of the file",
			    idx);
	if (ph->p_memsz > MAX_SPAN || ph->p_vaddr > UINT64_MAX - 2 * PAGE - ph->p_memsz)
		return fail(msg, msglen, "malformed ELF: segment %u address range overflows", idx);
	if (img->nsegs && ph->p_vaddr < img->segs[img->nsegs - 1].vaddr + img->segs[img->nsegs - 1].memsz)
		return fail(msg, msglen, "malformed ELF: segment %u overlaps or precedes the previous one",
			    idx);
	s = &img->segs[img->nsegs++];
	s->vaddr = ph->p_vaddr;
	s->memsz = ph->p_memsz;
	s->offset = ph->p_offset;
	s->filesz = ph->p_filesz;
	s->flags = ph->p_flags & (PF_R | PF_W | PF_X);
	return 0;
}

static void relocate(struct elf_image *img, uint64_t phoff)
{
	const struct elf_segment *first = &img->segs[0];
	uint64_t phdr = 0;
	size_t i;

	img->lo = first->vaddr & ~(PAGE - 1);
	img->hi = (img->segs[img->nsegs - 1].vaddr + img->segs[img->nsegs - 1].memsz + PAGE - 1) &
		  ~(PAGE - 1);
	img->bias = img->is_pie ? ELF_PIE_BASE - img->lo : 0;
	/* Program headers inside a loaded segment's file bytes, as Linux computes AT_PHDR. */
	for (i = 0; i < img->nsegs; i++) {
		const struct elf_segment *s = &img->segs[i];
		if (phoff >= s->offset && phoff - s->offset < s->filesz)
			phdr = s->vaddr + (phoff - s->offset);
	}
	if (!phdr && img->phdr)
		phdr = img->phdr;
	img->phdr = phdr ? phdr + img->bias : 0;
	img->entry += img->bias;
	img->lo += img->bias;
	img->hi += img->bias;
	for (i = 0; i < img->nsegs; i++)
		img->segs[i].vaddr += img->bias;
}

int elf_parse(elf_reader reader, void *ctx, uint64_t file_size, struct elf_image *img,
	      char *msg, size_t msglen)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph[MAX_PHNUM];
	unsigned i;
	int r;

	memset(img, 0, sizeof(*img));
	img->file_size = file_size;
	if (file_size < sizeof(eh)) {
		size_t n = file_size < EI_NIDENT ? (size_t)file_size : EI_NIDENT;
		if (n < SELFMAG || read_exact(reader, ctx, eh.e_ident, n, 0) != 0 ||
		    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
			return fail(msg, msglen, "not an ELF executable");
		if (n > EI_CLASS && eh.e_ident[EI_CLASS] == ELFCLASS32)
			return fail(msg, msglen, "32-bit ELF executables are not supported (x86-64 only)");
		return fail(msg, msglen, "truncated ELF: file ends inside the ELF header");
	}
	r = read_exact(reader, ctx, &eh, sizeof(eh), 0);
	if (r)
		return r == -ENOEXEC ? fail(msg, msglen, "truncated ELF header") : r;
	r = check_ident(&eh, msg, msglen);
	if (r)
		return r;
	if (eh.e_phoff > file_size ||
	    (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > file_size - eh.e_phoff)
		return fail(msg, msglen, "truncated ELF: program headers lie beyond the end of the file");
	r = read_exact(reader, ctx, ph, eh.e_phnum * sizeof(Elf64_Phdr), eh.e_phoff);
	if (r)
		return r == -ENOEXEC ? fail(msg, msglen, "truncated ELF program headers") : r;

	img->phnum = eh.e_phnum;
	img->phent = sizeof(Elf64_Phdr);
	img->entry = eh.e_entry;
	for (i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type == PT_INTERP) {
			if (img->interp_len)
				return fail(msg, msglen, "malformed ELF: more than one interpreter (PT_INTERP)");
			if (ph[i].p_filesz < 2 || ph[i].p_filesz > ELF_INTERP_MAX || ph[i].p_offset > file_size ||
			    ph[i].p_filesz > file_size - ph[i].p_offset)
				return fail(msg, msglen, "malformed ELF: interpreter path (PT_INTERP) of %llu bytes at 0x%llx",
					    (unsigned long long)ph[i].p_filesz, (unsigned long long)ph[i].p_offset);
			img->interp_off = ph[i].p_offset;
			img->interp_len = ph[i].p_filesz;
		} else if (ph[i].p_type == PT_PHDR)
			img->phdr = ph[i].p_vaddr;
		else if (ph[i].p_type == PT_LOAD) {
			r = add_segment(img, &ph[i], i, msg, msglen);
			if (r)
				return r;
		}
	}
	if (img->nsegs == 0)
		return fail(msg, msglen, "malformed ELF: no loadable segments");
	if (img->segs[img->nsegs - 1].vaddr + img->segs[img->nsegs - 1].memsz - img->segs[0].vaddr > MAX_SPAN)
		return fail(msg, msglen, "malformed ELF: segments span more than 128 TiB");
	img->is_pie = eh.e_type == ET_DYN;
	for (i = 0; i < img->nsegs; i++)
		if (img->entry >= img->segs[i].vaddr &&
		    img->entry - img->segs[i].vaddr < img->segs[i].memsz)
			break;
	if (i == img->nsegs)
		return fail(msg, msglen, "malformed ELF: entry point 0x%llx is outside the loadable segments",
			    (unsigned long long)img->entry);
	relocate(img, eh.e_phoff);
	return 0;
}

int elf_interp(elf_reader reader, void *ctx, const struct elf_image *img, char *out, char *msg,
	       size_t msglen)
{
	int r;

	if (!img->interp_len || img->interp_len > ELF_INTERP_MAX)
		return fail(msg, msglen, "no interpreter");
	r = read_exact(reader, ctx, out, img->interp_len, img->interp_off);
	if (r)
		return r == -ENOEXEC ? fail(msg, msglen, "truncated ELF: interpreter path") : r;
	if (out[img->interp_len - 1] != 0 || strlen(out) != img->interp_len - 1 || out[0] != '/')
		return fail(msg, msglen, "malformed ELF: the interpreter path is not one absolute path");
	return 0;
}

int elf_place_interp(struct elf_image *img, uint64_t lo, char *msg, size_t msglen)
{
	uint64_t delta = lo - img->lo;
	size_t i;

	if (!img->is_pie)
		return fail(msg, msglen, "not position-independent (ELF type %u)", ET_EXEC);
	if (img->interp_len)
		return fail(msg, msglen, "has an interpreter of its own");
	if (lo & (PAGE - 1))
		return fail(msg, msglen, "cannot be placed at 0x%llx", (unsigned long long)lo);
	img->bias += delta;
	img->entry += delta;
	if (img->phdr)
		img->phdr += delta;
	img->lo += delta;
	img->hi += delta;
	for (i = 0; i < img->nsegs; i++)
		img->segs[i].vaddr += delta;
	return 0;
}

int elf_check_fit(const struct elf_image *img, uint64_t lo_limit, uint64_t hi_limit, char *msg,
		  size_t msglen)
{
	if (img->lo < lo_limit)
		return fail(msg, msglen, "program loads at 0x%llx, below the lowest guest address 0x%llx",
			    (unsigned long long)img->lo, (unsigned long long)lo_limit);
	if (img->hi > hi_limit)
		return fail(msg, msglen,
			    "program does not fit in guest memory (it ends at 0x%llx, usable memory ends at 0x%llx; try a larger --mem)",
			    (unsigned long long)img->hi, (unsigned long long)hi_limit);
	return 0;
}

int elf_load(elf_reader reader, void *ctx, const struct elf_image *img, const struct guestmem *mem,
	     char *msg, size_t msglen)
{
	size_t i;

	for (i = 0; i < img->nsegs; i++) {
		const struct elf_segment *s = &img->segs[i];
		void *dst = guestmem_ptr(mem, gpa(s->vaddr), s->filesz);
		long n;

		if (!dst)
			return fail(msg, msglen, "segment at 0x%llx is outside guest memory",
				    (unsigned long long)s->vaddr);
		n = reader(ctx, dst, s->filesz, s->offset);
		if (n < 0)
			return (int)n;
		if ((uint64_t)n != s->filesz)
			return fail(msg, msglen, "truncated ELF: file shrank while loading");
	}
	return 0;
}
