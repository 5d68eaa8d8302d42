/* maps.c - the text of /proc/self/maps: the program's image, its interpreter, heap, mappings (with the rights the page tables give them), stack, vDSO. */
#include "gk.h"

#include <linux/auxvec.h>
#include <linux/elf.h>

#define PAGE 4096ull
#define REGIONS_MAX 256
#define NAME_COLUMN 73 /* where Linux starts a mapping's name */

struct region {
	uint64_t lo, hi, off;
	char perm[5];
	const char *name;
};

static struct region regions[REGIONS_MAX];
static int nregions;

static void add(uint64_t lo, uint64_t hi, const char *perm, uint64_t off, const char *name)
{
	struct region *r;

	if (hi <= lo || nregions == REGIONS_MAX)
		return;
	r = &regions[nregions++];
	r->lo = lo & ~(PAGE - 1);
	r->hi = (hi + PAGE - 1) & ~(PAGE - 1);
	memcpy(r->perm, perm, 5);
	r->off = off;
	r->name = name;
}

/* The loaded segments of an ELF image whose program headers are at phdr (checked program memory). */
static void add_image(uint64_t phdr, uint64_t phnum, uint64_t bias, const char *name)
{
	const struct elf64_phdr *ph = (const struct elf64_phdr *)phdr;
	uint64_t i;

	if (!phdr || !phnum || !user_ok(phdr, phnum * sizeof(*ph)))
		return;
	for (i = 0; i < phnum; i++) {
		char perm[5] = "---p";
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (ph[i].p_flags & PF_R)
			perm[0] = 'r';
		if (ph[i].p_flags & PF_W)
			perm[1] = 'w';
		if (ph[i].p_flags & PF_X)
			perm[2] = 'x';
		add(bias + ph[i].p_vaddr, bias + ph[i].p_vaddr + ph[i].p_memsz, perm, ph[i].p_offset & ~(PAGE - 1), name);
	}
}

/* The program's own image (AT_PHDR) and the name of its interpreter (PT_INTERP), if any. */
static const char *add_program(void)
{
	const struct elf64_phdr *ph = (const struct elf64_phdr *)start_auxv(AT_PHDR);
	uint64_t n = start_auxv(AT_PHNUM), bias = 0, i;
	const char *interp = 0;

	if (!ph || !user_ok((uint64_t)ph, n * sizeof(*ph)))
		return 0;
	for (i = 0; i < n; i++)
		if (ph[i].p_type == PT_PHDR)
			bias = (uint64_t)ph - ph[i].p_vaddr;
	for (i = 0; i < n; i++)
		if (ph[i].p_type == PT_INTERP && user_ok(bias + ph[i].p_vaddr, ph[i].p_filesz) && ph[i].p_filesz)
			interp = (const char *)(bias + ph[i].p_vaddr);
	add_image((uint64_t)ph, n, bias, gk_boot.exe);
	return interp;
}

/* The interpreter's image, loaded at AT_BASE with its ELF header first. */
static void add_interpreter(const char *name)
{
	uint64_t base = start_auxv(AT_BASE);
	const struct elf64_hdr *eh = (const struct elf64_hdr *)base;

	if (!base || !user_ok(base, sizeof(*eh)) || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return;
	add_image(base + eh->e_phoff, eh->e_phnum, base, name);
}

/* The vDSO, whose image the guest kernel keeps in its text, and the clock page below it. */
static void add_vdso(void)
{
	const struct elf64_hdr *eh = (const struct elf64_hdr *)start_auxv(AT_SYSINFO_EHDR);
	const struct elf64_phdr *ph;
	uint64_t size = 0, i;

	add(VMLET_VVAR_ADDR, VMLET_VVAR_ADDR + PAGE, "r--p", 0, "[vvar]");
	if (!eh)
		return;
	ph = (const struct elf64_phdr *)((uint64_t)eh + eh->e_phoff);
	for (i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr + ph[i].p_memsz > size)
			size = ph[i].p_vaddr + ph[i].p_memsz;
	add((uint64_t)eh, (uint64_t)eh + size, "r-xp", 0, "[vdso]");
}

static void put_region(struct gk_text *t, const struct region *r)
{
	uint64_t start = t->len;

	text_hex(t, r->lo, 8);
	text_str(t, "-");
	text_hex(t, r->hi, 8);
	text_str(t, " ");
	text_str(t, r->perm);
	text_str(t, " ");
	text_hex(t, r->off, 8);
	text_str(t, " 00:00 0");
	if (r->name) {
		while (t->len - start < NAME_COLUMN)
			text_str(t, " ");
		text_str(t, r->name);
	}
	text_str(t, "\n");
}

static void perm_of(uint64_t rights, char perm[5])
{
	memcpy(perm, "---p", 5);
	if (rights & PT_P) {
		perm[0] = 'r';
		perm[1] = (rights & PT_W) ? 'w' : '-';
		perm[2] = (rights & PT_NX) ? '-' : 'x';
	}
}

/* The user region's mappings, one line per run of pages with the same rights (file names are not kept). */
static void add_mappings(void)
{
	uint64_t lo, hi, page, start;
	char perm[5], next[5];
	int i;

	for (i = 0; mm_region(i, &lo, &hi); i++) {
		perm_of(pt_get(lo), perm);
		for (start = lo, page = lo + PAGE; page <= hi; page += PAGE) {
			if (page < hi) {
				perm_of(pt_get(page), next);
				if (!memcmp(next, perm, 5))
					continue;
			}
			add(start, page, perm, 0, 0);
			start = page;
			memcpy(perm, next, 5);
		}
	}
}

static void add_sparse(void)
{
	uint64_t lo, hi;
	unsigned prot;
	char perm[5];
	int i;

	for (i = 0; sparse_region(i, &lo, &hi, &prot); i++) {
		perm_of(pt_flags(prot), perm);
		add(lo, hi, perm, 0, 0);
	}
}

long mm_maps_text(char *buf, uint64_t cap)
{
	struct gk_text t = { buf, 0, cap };
	const char *interp;
	int i, j;

	nregions = 0;
	interp = add_program();
	if (interp)
		add_interpreter(interp);
	if (mm_brk() > gk_boot.brk_start)
		add(gk_boot.brk_start, mm_brk(), "rw-p", 0, "[heap]");
	add_mappings();
	add_sparse();
	if (gk_boot.start_rsp)
		add(gk_boot.start_rsp, gk_boot.user_hi, "rw-p", 0, "[stack]");
	add_vdso();
	for (i = 1; i < nregions; i++) /* in address order, as programs that parse it expect */
		for (j = i; j > 0 && regions[j].lo < regions[j - 1].lo; j--) {
			struct region r = regions[j];
			regions[j] = regions[j - 1];
			regions[j - 1] = r;
		}
	for (i = 0; i < nregions; i++)
		put_region(&t, &regions[i]);
	return (long)t.len;
}
