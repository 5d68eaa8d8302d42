/* sparse.c - the sparse region: reservations that cost nothing, and mappings at any address above RAM. */
#include "fs/tmpfs.h"

#include <linux/errno.h>
#include <linux/mman.h>

/*
 * Addresses in [VMLET_SPARSE_LO, VMLET_SPARSE_HI) are mapped page by page to
 * frames of the user region. A mapping here is a range with one protection and,
 * once any of it was accessible, its frames: a contiguous run of program memory
 * taken with mm_kernel_map (so it counts against --mem), zeroed. PROT_NONE
 * ranges that never were accessible take nothing but an entry here, so a
 * program may reserve far more address space than the VM has memory. A shared
 * mapping of a tmpfs file maps the file's own pages instead (each page its
 * frame), so writes through it are the file's data; it holds the file open.
 */
#define PAGE 4096ull
#define SPARSE_MAX 512

struct sparse_map {
	uint64_t lo, hi;
	uint64_t frames; /* user-region address of lo's frame; 0 while it has none */
	unsigned prot;
	struct tnode *file; /* a shared mapping of this tmpfs file, from page pgoff; or NULL */
	uint64_t pgoff;
};

static struct sparse_map maps[SPARSE_MAX]; /* sorted, disjoint */
static int nmaps;

int sparse_contains(uint64_t lo, uint64_t hi)
{
	/* Above the user region too: where the guest kernel runs as a host process for tests, the
	 * user region is the host's whole address space and there is no sparse region. */
	return lo >= VMLET_SPARSE_LO && lo >= gk_boot.user_hi && hi <= VMLET_SPARSE_HI && lo <= hi;
}

static int accessible(unsigned prot)
{
	return !!(prot & (PROT_READ | PROT_WRITE | PROT_EXEC));
}

/* No mapping straddles a afterwards. */
static int cut(uint64_t a)
{
	int i, j;

	for (i = 0; i < nmaps; i++) {
		struct sparse_map *m = &maps[i];
		if (m->lo >= a)
			return 0;
		if (m->hi <= a)
			continue;
		if (nmaps == SPARSE_MAX)
			return -ENOMEM;
		for (j = nmaps; j > i + 1; j--)
			maps[j] = maps[j - 1];
		maps[i + 1] = *m;
		maps[i + 1].lo = a;
		if (m->frames)
			maps[i + 1].frames = m->frames + (a - m->lo);
		if (m->file) {
			maps[i + 1].pgoff = m->pgoff + (a - m->lo) / PAGE;
			tnode_hold(m->file);
		}
		m->hi = a;
		nmaps++;
		return 0;
	}
	return 0;
}

static void remove_at(int i)
{
	int j;

	for (j = i; j < nmaps - 1; j++)
		maps[j] = maps[j + 1];
	nmaps--;
}

int sparse_shared(uint64_t addr)
{
	int i;

	for (i = 0; i < nmaps && maps[i].lo <= addr; i++)
		if (addr < maps[i].hi)
			return maps[i].file != 0;
	return 0;
}

void sparse_tmpfs_refs(int add)
{
	int i;

	for (i = 0; i < nmaps; i++)
		if (maps[i].file) {
			if (add)
				tnode_hold(maps[i].file);
			else
				tnode_release(maps[i].file);
		}
}

long sparse_unmap(uint64_t lo, uint64_t hi)
{
	int i, r;

	if ((r = cut(lo)) || (r = cut(hi)))
		return r;
	for (i = 0; i < nmaps; i++) {
		struct sparse_map *m = &maps[i];
		if (m->hi <= lo || m->lo >= hi)
			continue;
		if (m->frames)
			mm_kernel_unmap(m->frames, m->hi - m->lo);
		if (m->file)
			tnode_release(m->file);
		remove_at(i--);
	}
	return pt_map(lo, hi, 0, 0);
}

int sparse_free(uint64_t lo, uint64_t hi)
{
	int i;

	if (!sparse_contains(lo, hi))
		return 0;
	for (i = 0; i < nmaps; i++)
		if (maps[i].lo < hi && maps[i].hi > lo)
			return 0;
	return 1;
}

uint64_t sparse_find(uint64_t len)
{
	uint64_t top = VMLET_SPARSE_HI;
	int i;

	for (i = nmaps - 1; i >= -1; i--) {
		uint64_t lo = i >= 0 ? maps[i].hi : VMLET_SPARSE_LO;
		if (top >= lo && top - lo >= len)
			return top - len;
		if (i >= 0)
			top = maps[i].lo;
	}
	return 0;
}

/* The pages of a shared file mapping: the file's pages (none past its end) with m's rights. */
static long apply_file(struct sparse_map *m)
{
	uint64_t page, frame;
	long r = 0;

	for (page = m->lo; page < m->hi && !r; page += PAGE) {
		frame = accessible(m->prot) ? tnode_page(m->file, m->pgoff + (page - m->lo) / PAGE) : 0;
		r = pt_map(page, page + PAGE, frame, frame ? pt_flags(m->prot) : 0);
	}
	return r;
}

/* m gets frames (zeroed) if its protection now needs them, and its pages their rights. */
static long apply(struct sparse_map *m)
{
	if (m->file)
		return apply_file(m);
	if (accessible(m->prot) && !m->frames && !(m->frames = mm_kernel_map(m->hi - m->lo)))
		return -ENOMEM;
	return pt_map(m->lo, m->hi, m->frames, m->frames ? pt_flags(m->prot) : 0);
}

/* A new mapping m at its place in the list, given its pages: 0 or -errno (nothing left mapped). */
static long insert(struct sparse_map m)
{
	int i, j;
	long r = sparse_unmap(m.lo, m.hi);

	if (r)
		return r;
	if (nmaps == SPARSE_MAX)
		return -ENOMEM;
	for (i = 0; i < nmaps && maps[i].lo < m.lo; i++)
		;
	for (j = nmaps; j > i; j--)
		maps[j] = maps[j - 1];
	maps[i] = m;
	nmaps++;
	if (m.file)
		tnode_hold(m.file);
	if ((r = apply(&maps[i])))
		sparse_unmap(m.lo, m.hi);
	return r;
}

long sparse_map(uint64_t lo, uint64_t hi, unsigned prot, uint64_t *frames)
{
	long r = insert((struct sparse_map){ .lo = lo, .hi = hi, .prot = prot });
	int i;

	if (r)
		return r;
	for (i = 0; maps[i].lo != lo; i++)
		;
	*frames = maps[i].frames;
	return 0;
}

long sparse_map_shared(uint64_t lo, uint64_t hi, unsigned prot, struct tnode *file, uint64_t pgoff)
{
	return insert((struct sparse_map){ .lo = lo, .hi = hi, .prot = prot, .file = file, .pgoff = pgoff });
}

long sparse_protect(uint64_t lo, uint64_t hi, unsigned prot)
{
	uint64_t at = lo;
	long r;
	int i;

	for (i = 0; i < nmaps && at < hi; i++) { /* every page must be mapped */
		if (maps[i].hi <= at)
			continue;
		if (maps[i].lo > at)
			return -ENOMEM;
		at = maps[i].hi;
	}
	if (at < hi)
		return -ENOMEM;
	if ((r = cut(lo)) || (r = cut(hi)))
		return r;
	for (i = 0; i < nmaps; i++) {
		if (maps[i].hi <= lo || maps[i].lo >= hi)
			continue;
		maps[i].prot = prot;
		if ((r = apply(&maps[i])))
			return r;
	}
	return 0;
}

int sparse_ok(uint64_t lo, uint64_t hi)
{
	uint64_t at = lo;
	int i;

	for (i = 0; i < nmaps && at < hi; i++) {
		if (maps[i].hi <= at)
			continue;
		if (maps[i].lo > at || !(maps[i].frames || maps[i].file) || !accessible(maps[i].prot))
			return 0;
		at = maps[i].hi;
	}
	return at >= hi;
}

void sparse_discard(uint64_t lo, uint64_t hi)
{
	int i;

	for (i = 0; i < nmaps; i++) {
		struct sparse_map *m = &maps[i];
		uint64_t a = m->lo > lo ? m->lo : lo, b = m->hi < hi ? m->hi : hi;
		if (a < b && m->frames) /* a shared file mapping keeps the file's data */
			mm_clear(m->frames + (a - m->lo), b - a);
	}
}

uint64_t sparse_run(uint64_t addr, uint64_t len)
{
	uint64_t end = addr;
	int i;

	for (i = 0; i < nmaps && maps[i].hi <= addr; i++)
		;
	if (i < nmaps && maps[i].file) { /* each page its own frame */
		end = (addr & ~(PAGE - 1)) + PAGE;
		return end - addr < len ? end - addr : len;
	}
	for (; i < nmaps && maps[i].lo <= end && end < addr + len && maps[i].frames && !maps[i].file; i++) {
		if (end > addr && maps[i].frames != maps[i - 1].frames + (maps[i - 1].hi - maps[i - 1].lo))
			break;
		end = maps[i].hi;
	}
	return end - addr < len ? end - addr : len;
}

int sparse_region(int i, uint64_t *lo, uint64_t *hi, unsigned *prot)
{
	if (i >= nmaps)
		return 0;
	*lo = maps[i].lo;
	*hi = maps[i].hi;
	*prot = maps[i].prot;
	return 1;
}
