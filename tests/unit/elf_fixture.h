/* elf_fixture.h - builds small ELF images in memory for the loader's unit tests (shared by test_elf*.c). */
#ifndef VMLET_ELF_FIXTURE_H
#define VMLET_ELF_FIXTURE_H

#include <elf.h>
#include <stdint.h>
#include <string.h>

#include "loader/elf.h"

#define FILE_SIZE 0x1800
#define BUF_SIZE 0x4000
#define NPH 3
#define EXEC_BASE 0x400000ull

struct img {
	uint8_t buf[BUF_SIZE];
	size_t size;
};

static inline Elf64_Ehdr *eh(struct img *m)
{
	return (Elf64_Ehdr *)m->buf;
}

static inline Elf64_Phdr *ph(struct img *m)
{
	return (Elf64_Phdr *)(m->buf + sizeof(Elf64_Ehdr));
}

static inline void build(struct img *m, uint16_t type, uint64_t base)
{
	Elf64_Ehdr *e = eh(m);
	Elf64_Phdr *p = ph(m);
	size_t i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < BUF_SIZE; i++)
		m->buf[i] = (uint8_t)(i * 31 + 7);
	memset(m->buf, 0, sizeof(*e) + NPH * sizeof(*p));
	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_type = type;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_entry = base + 0x100;
	e->e_phoff = sizeof(*e);
	e->e_ehsize = sizeof(*e);
	e->e_phentsize = sizeof(*p);
	e->e_phnum = NPH;
	p[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0,
			     .p_vaddr = base, .p_paddr = base, .p_filesz = 0x1000,
			     .p_memsz = 0x1000, .p_align = 0x1000 };
	p[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = 0x1000,
			     .p_vaddr = base + 0x1000, .p_paddr = base + 0x1000, .p_filesz = 0x800,
			     .p_memsz = 0x2000, .p_align = 0x1000 };
	p[2] = (Elf64_Phdr){ .p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W };
	m->size = FILE_SIZE;
}

static inline void build_exec(struct img *m)
{
	build(m, ET_EXEC, EXEC_BASE);
}

static inline int parse(struct img *m, struct elf_image *out, char *msg, size_t msglen)
{
	struct elf_buffer b = { m->buf, m->size };

	msg[0] = 0;
	return elf_parse(elf_buffer_reader, &b, m->size, out, msg, msglen);

#endif
