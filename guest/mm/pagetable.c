/* pagetable.c - the program's page protections: the guest kernel edits the page tables the host built. */
#include "gk.h"

#include <linux/errno.h>
#include <linux/mman.h>

/*
 * User memory is identity-mapped (guest-virtual == guest-physical), with 2 MiB
 * pages where a whole chunk has one protection and a table of 4 KiB pages where
 * it has several. The sparse region (sparse.c) maps its pages to frames of user
 * memory with 4 KiB pages. The host's tables lie in the boot block's page-table
 * area, mapped into the kernel area; tables this file creates come from the
 * area's unused pages and, once those are gone, from program memory (reached
 * through the identity map). Identity-map tables go back to a free list when
 * their chunk is whole again; sparse-region tables stay.
 */
#define PAGE 4096ull
#define CHUNK (2ull << 20)
#define PTE_ADDR 0x000ffffffffff000ull
#define PTE_PS 0x80ull
#define PTE_PERMS (PT_P | PT_W | PT_U | PT_NX)

static uint64_t table_free_list; /* guest-physical; each free table holds the next in its first word */
static uint64_t table_next;      /* first never-used table page */
static uint64_t nonpresent_pages;
static int readonly_made; /* the program made a page read-only (or PROT_NONE) */
static int flush_needed;

/* Where the guest kernel reaches the table at guest-physical t; NULL if t is not a table's place. */
static uint64_t *table(uint64_t t)
{
	if (t & (PAGE - 1))
		return NULL;
	if (t >= gk_boot.pt_area_lo && t < gk_boot.pt_area_hi)
		return (uint64_t *)(VMLET_KERNEL_VBASE + (t - gk_boot.kbase));
	if (t >= VMLET_USER_LO && t < gk_boot.user_hi)
		return (uint64_t *)t; /* taken from program memory */
	return NULL;
}

#define TABLES_PER_REFILL 16

/* A zeroed table page; 0 when none is left. */
static uint64_t table_alloc(void)
{
	static uint64_t spill_next, spill_end; /* tables taken from program memory */
	uint64_t t = table_free_list;

	if (t) {
		table_free_list = *table(t);
	} else {
		if (!table_next)
			table_next = gk_boot.pt_free_lo;
		if (table_next < gk_boot.pt_area_hi) {
			t = table_next;
			table_next += PAGE;
		} else {
			if (spill_next == spill_end) {
				spill_next = mm_kernel_map(TABLES_PER_REFILL * PAGE);
				spill_end = spill_next ? spill_next + TABLES_PER_REFILL * PAGE : 0;
			}
			if (!spill_next)
				return 0;
			t = spill_next;
			spill_next += PAGE;
		}
	}
	memset(table(t), 0, PAGE);
	return t;
}

static void table_free(uint64_t t)
{
	*table(t) = table_free_list;
	table_free_list = t;
}

/* The entry for addr at level (1: the page directory, 0: a 4 KiB page), creating tables on the way if
 * create; NULL where there is none (or a large page lies above it), or no table page is left. */
static uint64_t *entry_of(uint64_t addr, int level, int create)
{
	uint64_t t = gk_boot.pt_root, *tab, *e;
	int l;

	for (l = 3; l > level; l--) {
		if (!(tab = table(t)))
			return NULL;
		e = &tab[(addr >> (12 + 9 * l)) & 511];
		if (*e & PTE_PS)
			return NULL;
		if (!(*e & PT_P)) {
			if (!create || !(t = table_alloc()))
				return NULL;
			*e = t | PT_P | PT_W | PT_U;
		}
		t = *e & PTE_ADDR;
	}
	return (tab = table(t)) ? &tab[(addr >> (12 + 9 * level)) & 511] : NULL;
}

/* The page-directory entry of the chunk holding addr; NULL where the host mapped nothing. */
static uint64_t *pde_of(uint64_t addr)
{
	return entry_of(addr, 1, 0);
}

uint64_t pt_flags(unsigned prot)
{
	if (!(prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		return 0;
	if (prot & PROT_WRITE)
		return PT_DEFAULT;
	return PT_P | PT_U | ((prot & PROT_EXEC) ? 0 : PT_NX);
}

/* Did a page go from old to new lose a right a cached translation may still grant? */
static int lost(uint64_t old, uint64_t new)
{
	uint64_t gained_nx = (new & PT_NX) & ~old;

	return !!((old & ~new & (PT_P | PT_W | PT_U)) | gained_nx);
}

/* n pages go from rights old to new: what that asks of the TLB, and the counters pt_all relies on. */
static void account(uint64_t old, uint64_t new, uint64_t n)
{
	flush_needed |= lost(old, new);
	readonly_made |= !(new & PT_W);
	if ((old & PT_P) && !(new & PT_P))
		nonpresent_pages += n;
	if (!(old & PT_P) && (new & PT_P))
		nonpresent_pages -= n;
}

static void set_page(uint64_t *e, uint64_t addr, uint64_t flags)
{
	uint64_t old = *e & PTE_PERMS;

	if (old == flags)
		return;
	account(old, flags, 1);
	*e = addr | flags;
}

/* A chunk mapped whole by *pde becomes a table of 512 pages with the same rights. */
static int split(uint64_t *pde, uint64_t chunk)
{
	uint64_t t = table_alloc(), flags = *pde & PTE_PERMS, *tab, i;

	if (!t)
		return -ENOMEM;
	tab = table(t);
	for (i = 0; i < 512; i++)
		tab[i] = (chunk + i * PAGE) | flags;
	*pde = t | PT_P | PT_W | PT_U;
	return 0;
}

/* A table whose 512 pages have the same rights becomes one 2 MiB page again. */
static void merge(uint64_t *pde, uint64_t chunk)
{
	uint64_t t = *pde & PTE_ADDR, *tab = table(t), flags = tab[0] & PTE_PERMS, i;

	for (i = 0; i < 512; i++)
		if (tab[i] != ((chunk + i * PAGE) | flags))
			return;
	*pde = chunk | flags | PTE_PS;
	table_free(t);
	flush_needed = 1; /* paging-structure caches may still point at the freed table */
}

static void flush_if_needed(void)
{
	if (flush_needed) {
		__asm__ volatile("int %0" : : "i"(VMLET_TLB_FLUSH_VECTOR) : "memory");
		flush_needed = 0;
	}
}

int pt_map(uint64_t lo, uint64_t hi, uint64_t frame, uint64_t flags)
{
	uint64_t page;
	int r = 0;

	for (page = lo; page < hi; page += PAGE) {
		uint64_t *e = entry_of(page, 0, flags != 0), old;
		if (!e) {
			if (flags)
				r = -ENOMEM;
			continue;
		}
		old = *e;
		flush_needed |= (old & PT_P) && ((old & PTE_ADDR) != frame + (page - lo) || lost(old & PTE_PERMS, flags));
		*e = flags ? (frame + (page - lo)) | flags : 0;
	}
	flush_if_needed();
	return r;
}

int pt_protect(uint64_t lo, uint64_t hi, uint64_t flags)
{
	uint64_t chunk;
	int r = 0;

	for (chunk = lo & ~(CHUNK - 1); chunk < hi && !r; chunk += CHUNK) {
		uint64_t a = lo > chunk ? lo : chunk, b = hi < chunk + CHUNK ? hi : chunk + CHUNK;
		uint64_t *pde = pde_of(chunk), *tab, page;

		if (!pde || !(*pde & (PT_P | PTE_PS)))
			continue; /* the host never maps it (the stack guard) */
		if (*pde & PTE_PS) {
			if ((*pde & PTE_PERMS) == flags)
				continue;
			if (a == chunk && b == chunk + CHUNK) {
				account(*pde & PTE_PERMS, flags, 512);
				*pde = chunk | flags | PTE_PS;
				continue;
			}
			if ((r = split(pde, chunk)))
				break;
		}
		tab = table(*pde & PTE_ADDR);
		if (!tab)
			return -EFAULT;
		for (page = a; page < b; page += PAGE)
			set_page(&tab[(page >> 12) & 511], page, flags);
		merge(pde, chunk);
	}
	flush_if_needed();
	return r;
}

uint64_t pt_get(uint64_t addr)
{
	uint64_t *pde = pde_of(addr), *tab;

	if (!pde)
		return 0;
	if (*pde & PTE_PS)
		return *pde & PTE_PERMS;
	if (!(*pde & PT_P) || !(tab = table(*pde & PTE_ADDR)))
		return 0;
	return tab[(addr >> 12) & 511] & PTE_PERMS;
}

int pt_all(uint64_t lo, uint64_t hi, uint64_t right)
{
	uint64_t page = lo & ~(PAGE - 1);

	if ((right == PT_P && !nonpresent_pages) || (right == PT_W && !readonly_made))
		return 1;
	while (page < hi) {
		uint64_t *pde = pde_of(page);
		if (pde && (*pde & PTE_PS)) {
			if ((*pde & right) != right)
				return 0;
			page = (page & ~(CHUNK - 1)) + CHUNK;
			continue;
		}
		if ((pt_get(page) & right) != right)
			return 0;
		page += PAGE;
	}
	return 1;
}
