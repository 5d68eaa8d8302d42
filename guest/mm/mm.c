/* mm.c - program memory inside preallocated guest RAM: brk, mmap regions allocated top-down, files mapped by the host. */
#include "fs/fd.h"
#include "fs/tmpfs.h"

#include <linux/errno.h>
#include <linux/mman.h>
#include <linux/stat.h>

/*
 * User memory is identity-mapped and the host maps all of it before the first
 * instruction, read-write-execute, so memory management is bookkeeping: a sorted
 * list of mmap'd ranges in [brk, mmap_top) and the program break. Rights other
 * than read-write go into the page tables (pagetable.c): PROT_NONE and read-only
 * pages fault as on Linux. Memory that no mapping holds keeps (or gets back) the
 * default rights, so mmap and brk of read-write memory never touch a page table.
 */
#define PAGE 4096ull
#define MAP_MAX 4096

struct range {
	uint64_t lo, hi;
};

static struct range maps[MAP_MAX];
static int nmaps;
/* The ranges of maps[] the guest kernel took for itself (mm_kernel_map): they outlive an execve. */
#define KCHUNK_MAX 1024
static struct range kchunks[KCHUNK_MAX];
static int nkchunks;
static GK_HOT uint64_t brk_cur, brk_max_seen;
static uint64_t mmap_low_seen; /* lowest address ever handed out by mmap */
static uint64_t mapped_bytes;

static uint64_t page_up(uint64_t x)
{
	return (x + PAGE - 1) & ~(PAGE - 1);
}

static void mm_init(void)
{
	if (!brk_cur) {
		brk_cur = brk_max_seen = gk_boot.brk_start;
		mmap_low_seen = gk_boot.mmap_top;
	}
}

/* Ranges at least this large go back to the host instead of being cleared here. */
#define DISCARD_MIN (1ull << 20)

/* Zero [lo, hi): large page-aligned spans are discarded (one exit, memory returned). */
static void clear(uint64_t lo, uint64_t hi)
{
	uint64_t a = page_up(lo), b = hi & ~(PAGE - 1);

	if (b > a && b - a >= DISCARD_MIN && hc(VMLET_HC_DISCARD, a, b - a, 0, 0) == 0) {
		memset((void *)lo, 0, a - lo);
		memset((void *)b, 0, hi - b);
		return;
	}
	memset((void *)lo, 0, hi - lo);
}

/* Memory handed out before may hold old data: zero it before reuse. */
static void zero_reused(uint64_t lo, uint64_t hi)
{
	uint64_t a, b;

	a = lo;
	b = hi < brk_max_seen ? hi : brk_max_seen;
	if (a < b)
		clear(a, b);
	a = lo > mmap_low_seen ? lo : mmap_low_seen;
	b = hi;
	if (a < b)
		clear(a, b);
}

/* Freed memory: large spans go back to the host now. */
static void release(uint64_t lo, uint64_t hi)
{
	if (hi > lo && hi - lo >= DISCARD_MIN)
		hc(VMLET_HC_DISCARD, lo, hi - lo, 0, 0);
}

static uint64_t lowest_map(void)
{
	return nmaps ? maps[0].lo : gk_boot.mmap_top;
}

static void note_peak(void)
{
	uint64_t in_use = (brk_cur - gk_boot.brk_start) + mapped_bytes;

	if (brk_cur > gk_stats.brk_peak)
		gk_stats.brk_peak = brk_cur;
	if (in_use > gk_stats.mmap_bytes_peak)
		gk_stats.mmap_bytes_peak = in_use;
}

/* Pages of [lo, hi) that leave a mapping get the default rights back (before they are zeroed). */
static int forget_rights(uint64_t lo, uint64_t hi)
{
	if (lo < VMLET_USER_LO)
		lo = VMLET_USER_LO;
	if (hi > gk_boot.user_hi)
		hi = gk_boot.user_hi;
	return lo < hi ? pt_protect(lo, hi, PT_DEFAULT) : 0;
}

long sys_brk(struct gk_frame *f)
{
	uint64_t want = A0;

	mm_init();
	if (want < gk_boot.brk_start || want > lowest_map() - PAGE)
		return (long)brk_cur;
	if (want > brk_cur && forget_rights(page_up(brk_cur), page_up(want)))
		return (long)brk_cur;
	if (want > brk_cur)
		zero_reused(brk_cur, page_up(want));
	brk_cur = want;
	if (page_up(want) > brk_max_seen)
		brk_max_seen = page_up(want);
	note_peak();
	return (long)brk_cur;
}

/* Remove [lo, hi) from the map list. */
static int unmap_range(uint64_t lo, uint64_t hi)
{
	int i, j;

	for (i = 0; i < nmaps; i++) {
		struct range *r = &maps[i];
		if (r->hi <= lo || r->lo >= hi)
			continue;
		if (r->lo < lo && r->hi > hi) { /* split */
			if (nmaps == MAP_MAX)
				return -ENOMEM;
			for (j = nmaps; j > i + 1; j--)
				maps[j] = maps[j - 1];
			maps[i + 1].lo = hi;
			maps[i + 1].hi = r->hi;
			r->hi = lo;
			nmaps++;
			mapped_bytes -= hi - lo;
			return 0;
		}
		if (r->lo >= lo && r->hi <= hi) {
			mapped_bytes -= r->hi - r->lo;
			for (j = i; j < nmaps - 1; j++)
				maps[j] = maps[j + 1];
			nmaps--;
			i--;
		} else if (r->lo < lo) {
			mapped_bytes -= r->hi - lo;
			r->hi = lo;
		} else {
			mapped_bytes -= hi - r->lo;
			r->lo = hi;
		}
	}
	return 0;
}

/* [lo, hi) leaves the map list with its rights reset (a failed mapping undone, a mapping shrunk). */
static void drop(uint64_t lo, uint64_t hi)
{
	unmap_range(lo, hi);
	forget_rights(lo, hi);
}

static int insert_range(uint64_t lo, uint64_t hi)
{
	int i, j;

	if (nmaps == MAP_MAX)
		return -ENOMEM;
	for (i = 0; i < nmaps && maps[i].lo < lo; i++)
		;
	for (j = nmaps; j > i; j--)
		maps[j] = maps[j - 1];
	maps[i].lo = lo;
	maps[i].hi = hi;
	nmaps++;
	mapped_bytes += hi - lo;
	if (lo < mmap_low_seen)
		mmap_low_seen = lo;
	note_peak();
	return 0;
}

/* Highest free gap of len bytes below mmap_top and above the break; 0 if none. */
static uint64_t find_gap(uint64_t len)
{
	uint64_t top = gk_boot.mmap_top, floor = page_up(brk_cur) + PAGE;
	int i;

	for (i = nmaps - 1; i >= -1; i--) {
		uint64_t lo = i >= 0 ? maps[i].hi : floor;
		if (lo < floor)
			lo = floor;
		if (top >= lo && top - lo >= len)
			return top - len;
		if (i >= 0)
			top = maps[i].lo;
	}
	return 0;
}

/* zero: clear memory handed out before (a file mapping leaves that to the host or to map_file). */
static long map_anywhere(uint64_t len, int zero)
{
	uint64_t addr = find_gap(len);
	long r;

	if (!addr)
		return -ENOMEM;
	if (zero)
		zero_reused(addr, addr + len);
	r = insert_range(addr, addr + len);
	return r ? r : (long)addr;
}

uint64_t mm_kernel_map(uint64_t len)
{
	long addr;

	mm_init();
	if (nkchunks == KCHUNK_MAX)
		return 0;
	addr = map_anywhere(page_up(len), 1);
	if (addr < 0)
		return 0;
	kchunks[nkchunks++] = (struct range){ (uint64_t)addr, (uint64_t)addr + page_up(len) };
	return (uint64_t)addr;
}

static int kernel_owned(uint64_t lo, uint64_t hi)
{
	int i;

	for (i = 0; i < nkchunks; i++)
		if (kchunks[i].lo <= lo && hi <= kchunks[i].hi)
			return 1;
	return 0;
}

/* The lowest address a kernel chunk holds (the new image must end below it), or the mmap top. */
static uint64_t kernel_floor(void)
{
	uint64_t lo = gk_boot.mmap_top;
	int i;

	for (i = 0; i < nkchunks; i++)
		if (kchunks[i].lo < lo)
			lo = kchunks[i].lo;
	return lo;
}

int mm_exec_fits(uint64_t image_hi)
{
	mm_init();
	return page_up(image_hi) + PAGE <= kernel_floor();
}

long mm_exec_reset(const char *exe)
{
	uint64_t low_hi, top_lo = gk_boot.mmap_top, lo, hi;
	unsigned prot;
	long r;
	int i;

	mm_init();
	while (sparse_region(0, &lo, &hi, &prot)) /* the program's: their frames are freed too */
		if ((r = sparse_unmap(lo, hi)) < 0)
			return r;
	for (i = nmaps - 1; i >= 0; i--)
		if (!kernel_owned(maps[i].lo, maps[i].hi)) {
			lo = maps[i].lo;
			hi = maps[i].hi;
			drop(lo, hi);
			release(lo, hi);
		}
	low_hi = page_up(brk_max_seen) < kernel_floor() ? page_up(brk_max_seen) : kernel_floor();
	/* The image, its heap and the first interpreter (above the boot mmap top): fresh zeros. */
	r = hc(VMLET_HC_EXEC, low_hi, top_lo, (uint64_t)exe, strlen(exe));
	if (r < 0)
		return r;
	forget_rights(VMLET_USER_LO, low_hi);
	forget_rights(top_lo, gk_hypercall.out[0]);
	gk_boot.mmap_top = gk_hypercall.out[0];
	forget_rights(gk_boot.stack_lo, gk_boot.user_hi);
	clear(gk_boot.stack_lo, gk_boot.user_hi);
	return 0;
}

void mm_exec_image(uint64_t image_hi)
{
	gk_boot.brk_start = page_up(image_hi);
	brk_cur = gk_boot.brk_start;
	if (brk_cur > brk_max_seen)
		brk_max_seen = brk_cur;
}

long mm_exec_map(uint64_t len)
{
	return map_anywhere(page_up(len), 1);
}

int mm_region(int i, uint64_t *lo, uint64_t *hi)
{
	if (i >= nmaps)
		return 0;
	*lo = maps[i].lo;
	*hi = maps[i].hi;
	return 1;
}

uint64_t mm_brk(void)
{
	mm_init();
	return brk_cur;
}

void mm_kernel_unmap(uint64_t addr, uint64_t len)
{
	int i;

	for (i = 0; i < nkchunks; i++)
		if (kchunks[i].lo == addr) {
			kchunks[i] = kchunks[--nkchunks];
			break;
		}
	drop(addr, addr + page_up(len));
	release(addr, addr + page_up(len));
}

void mm_clear(uint64_t addr, uint64_t len)
{
	clear(addr, addr + len);
}

static long map_fixed(uint64_t addr, uint64_t len, int zero)
{
	long r;

	if (addr < page_up(brk_cur) || addr > gk_boot.mmap_top || len > gk_boot.mmap_top - addr)
		return -ENOMEM;
	r = unmap_range(addr, addr + len);
	if (!r)
		r = forget_rights(addr, addr + len);
	if (r)
		return r;
	if (zero)
		zero_reused(addr, addr + len);
	r = insert_range(addr, addr + len);
	return r ? r : (long)addr;
}

static int range_free(uint64_t lo, uint64_t hi)
{
	int i;

	if (lo < page_up(brk_cur) || hi > gk_boot.mmap_top)
		return 0;
	for (i = 0; i < nmaps; i++)
		if (maps[i].lo < hi && maps[i].hi > lo)
			return 0;
	return 1;
}

/* Checked before any memory is taken: what can be mapped from fd A4. */
static long map_file_check(struct gk_frame *f)
{
	struct ofd *o = fd_get((long)(int)A4);

	if (!o)
		return -EBADF;
	if (o->kind != OFD_FILE && !(o->kind == OFD_TMPFS && S_ISREG(o->node->mode)))
		return -ENODEV;
	if ((A2 & PROT_WRITE) && (A3 & MAP_SHARED) && o->kind != OFD_TMPFS)
		return -EACCES; /* a host file: its pages are mapped copy-on-write */
	return 0;
}

/*
 * The file's pages at [addr, addr+len): the host maps them copy-on-write (one exit, no copy);
 * a file it cannot map (a channel, whose quotas count reads) is copied through reads, and so is
 * a tmpfs file (its pages are guest memory already).
 */
static long map_file(struct gk_frame *f, uint64_t addr, uint64_t len)
{
	struct ofd *o = fd_get((long)(int)A4);
	uint64_t done = 0;
	long r;

	if (o->kind == OFD_TMPFS) {
		zero_reused(addr, addr + len);
		r = tnode_read(o->node, (uint8_t *)addr, len, A5);
		return r < 0 ? r : (long)addr;
	}
	r = hc(VMLET_HC_MMAP, o->handle, addr, len, A5);
	if (r != -ENODEV)
		return r < 0 ? r : (long)addr;
	zero_reused(addr, addr + len);
	while (done < len) {
		long n = hc(VMLET_HC_READ, o->handle, addr + done, len - done, A5 + done);
		if (n < 0)
			return n;
		if (n == 0)
			break;
		done += (uint64_t)n;
	}
	return (long)addr;
}

/* The mapping sys_mmap asks for, at [addr, addr+len) of the sparse region; a file's pages go to its frames. */
static long map_sparse(struct gk_frame *f, uint64_t addr, uint64_t len)
{
	uint64_t frames = 0;
	long r = sparse_map(addr, addr + len, (unsigned)A2, &frames);

	if (!r && frames && !(A3 & MAP_ANONYMOUS) && (r = map_file(f, frames, len)) >= 0)
		r = 0;
	if (r) {
		sparse_unmap(addr, addr + len);
		return r;
	}
	return (long)addr;
}

/* MAP_SHARED of a tmpfs file: its pages themselves, at an address of the sparse region. */
static long map_shared_tmpfs(struct gk_frame *f, uint64_t hint, uint64_t len, struct tnode *file)
{
	uint64_t addr = hint;
	long r;

	if (A3 & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (!sparse_contains(hint, hint + len))
			return -ENOMEM; /* only there can a page be any frame */
		if ((A3 & MAP_FIXED_NOREPLACE) && !(A3 & MAP_FIXED) && !sparse_free(hint, hint + len))
			return -EEXIST;
	} else if (!hint || !sparse_free(hint, hint + len)) {
		addr = sparse_find(len);
	}
	if (!addr)
		return -ENOMEM;
	r = sparse_map_shared(addr, addr + len, (unsigned)A2, file, A5 / PAGE);
	return r ? r : (long)addr;
}

/* Anonymous MAP_SHARED: a nameless file of the memfd tmpfs mapped shared, so that the processes
 * forked from here share it (the mapping holds the file; it goes with its last mapping). */
static long map_shared_anon(struct gk_frame *f, uint64_t hint, uint64_t len)
{
	struct tnode *n = tnode_new(tmpfs_memfd_mount(), S_IFREG | 0600);
	long r;

	if (!n)
		return -ENOMEM;
	r = tnode_truncate(n, len);
	if (!r) {
		struct gk_frame g = *f;
		g.r9 = 0; /* its pages from the file's first */
		r = map_shared_tmpfs(&g, hint, len, n);
	}
	tnode_drop(n);
	return r;
}

long sys_mmap(struct gk_frame *f)
{
	uint64_t hint = A0, len = page_up(A1), flags = A3;
	int anon = !!(flags & MAP_ANONYMOUS);
	long addr, r;

	mm_init();
	if (!A1 || len < A1 || (hint & (PAGE - 1)) || (A5 & (PAGE - 1)))
		return -EINVAL;
	if (!(flags & (MAP_PRIVATE | MAP_SHARED)))
		return -EINVAL;
	if (!anon && (addr = map_file_check(f)) < 0)
		return addr;
	if (!anon && (flags & MAP_SHARED) && fd_get((long)(int)A4)->kind == OFD_TMPFS)
		return map_shared_tmpfs(f, hint, len, fd_get((long)(int)A4)->node);
	if (anon && (flags & MAP_SHARED) && !((flags & MAP_FIXED) && !sparse_contains(hint, hint + len)))
		return map_shared_anon(f, hint, len); /* MAP_FIXED in guest RAM: private, as before */
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if ((flags & MAP_FIXED_NOREPLACE) && !(flags & MAP_FIXED) && !range_free(hint, hint + len) &&
		    !sparse_free(hint, hint + len))
			return -EEXIST;
		if (sparse_contains(hint, hint + len))
			return map_sparse(f, hint, len);
		addr = map_fixed(hint, len, anon);
	} else if (hint && sparse_free(hint, hint + len)) {
		return map_sparse(f, hint, len);
	} else if (hint && range_free(hint, hint + len) && hint + len > hint) {
		addr = map_fixed(hint, len, anon);
	} else if (!(A2 & (PROT_READ | PROT_WRITE | PROT_EXEC)) && (addr = (long)sparse_find(len))) {
		return map_sparse(f, (uint64_t)addr, len); /* a reservation: address space only */
	} else {
		addr = map_anywhere(len, anon);
	}
	if (addr < 0)
		return addr;
	r = anon ? addr : map_file(f, (uint64_t)addr, len);
	if (r >= 0 && pt_flags((unsigned)A2) != PT_DEFAULT && pt_protect((uint64_t)addr, (uint64_t)addr + len, pt_flags((unsigned)A2)))
		r = -ENOMEM;
	if (r < 0)
		drop((uint64_t)addr, (uint64_t)addr + len);
	return r;
}

long sys_munmap(struct gk_frame *f)
{
	uint64_t len = page_up(A1), end = A0 + len;
	long r;

	if ((A0 & (PAGE - 1)) || !A1 || len < A1 || end < A0)
		return -EINVAL;
	mm_init();
	if (end > VMLET_SPARSE_LO && A0 < VMLET_SPARSE_HI &&
	    (r = sparse_unmap(A0 > VMLET_SPARSE_LO ? A0 : VMLET_SPARSE_LO, end < VMLET_SPARSE_HI ? end : VMLET_SPARSE_HI)))
		return r;
	if (A0 >= gk_boot.user_hi)
		return 0;
	if (end > gk_boot.user_hi)
		end = gk_boot.user_hi;
	r = unmap_range(A0, end);
	if (!r)
		r = forget_rights(A0, end);
	if (!r && A0 >= page_up(brk_cur) && end <= gk_boot.mmap_top)
		release(A0, end);
	return r;
}

static int range_mapped(uint64_t lo, uint64_t hi)
{
	int i;

	for (i = 0; i < nmaps; i++)
		if (maps[i].lo <= lo && maps[i].hi >= hi)
			return 1;
	return 0;
}

long sys_mremap(struct gk_frame *f)
{
	uint64_t old = A0, old_len = page_up(A1), new_len = page_up(A2), flags = A3, rights;
	long addr;

	mm_init();
	if ((old & (PAGE - 1)) || !new_len || new_len < A2 || old_len < A1 || (flags & ~3ull))
		return -EINVAL;
	if (old + old_len < old || old + new_len < old)
		return -EFAULT;
	if (sparse_contains(old, old + old_len)) { /* shrinking only: a frame run does not grow */
		if (!sparse_ok(old, old + old_len))
			return -EFAULT;
		if (new_len > old_len)
			return -ENOMEM;
		addr = new_len < old_len ? sparse_unmap(old + new_len, old + old_len) : 0;
		return addr ? addr : (long)old;
	}
	if (!range_mapped(old, old + old_len))
		return -EFAULT;
	rights = pt_get(old);
	if (new_len <= old_len) {
		if (new_len < old_len)
			drop(old + new_len, old + old_len);
		return (long)old;
	}
	if (range_free(old + old_len, old + new_len)) {
		zero_reused(old + old_len, old + new_len);
		if (pt_protect(old + old_len, old + new_len, rights))
			return -ENOMEM;
		unmap_range(old, old + old_len);
		insert_range(old, old + new_len);
		return (long)old;
	}
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	addr = map_anywhere(new_len, 1);
	if (addr < 0)
		return addr;
	if (forget_rights(old, old + old_len)) {
		drop((uint64_t)addr, (uint64_t)addr + new_len);
		return -ENOMEM;
	}
	memcpy((void *)addr, (const void *)old, old_len);
	if (pt_protect((uint64_t)addr, (uint64_t)addr + new_len, rights)) {
		drop((uint64_t)addr, (uint64_t)addr + new_len);
		return -ENOMEM;
	}
	unmap_range(old, old + old_len);
	return addr;
}

/* Is every page of [lo, hi) something the program has: its image, heap, a mapping, the stack? */
static int range_held(uint64_t lo, uint64_t hi)
{
	uint64_t heap_end = page_up(brk_cur), a, b;
	int i;

	if (lo < VMLET_USER_LO || hi > gk_boot.user_hi || hi < lo)
		return 0;
	if (lo < gk_boot.stack_lo && hi > gk_boot.stack_lo - (2ull << 20))
		return 0; /* the stack guard */
	a = lo > heap_end ? lo : heap_end;
	b = hi < gk_boot.mmap_top ? hi : gk_boot.mmap_top;
	for (i = 0; i < nmaps && a < b; i++) {
		if (maps[i].hi <= a)
			continue;
		if (maps[i].lo > a)
			return 0;
		a = maps[i].hi;
	}
	return a >= b;
}

long sys_mprotect(struct gk_frame *f)
{
	uint64_t len = page_up(A1);

	if (A0 & (PAGE - 1) || len < A1)
		return -EINVAL;
	if (A2 & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (!len)
		return 0;
	mm_init();
	if (sparse_contains(A0, A0 + len))
		return sparse_protect(A0, A0 + len, (unsigned)A2);
	if (!range_held(A0, A0 + len))
		return -ENOMEM;
	return pt_protect(A0, A0 + len, pt_flags((unsigned)A2));
}

/* Every mapping is the memory itself (a shared tmpfs page) or a private copy: nothing to write back. */
long sys_msync(struct gk_frame *f)
{
	uint64_t len = page_up(A1);

	if ((A0 & (PAGE - 1)) || len < A1 || (A2 & ~(uint64_t)(MS_ASYNC | MS_SYNC | MS_INVALIDATE)) ||
	    ((A2 & MS_ASYNC) && (A2 & MS_SYNC)))
		return -EINVAL;
	mm_init();
	if (len && !(sparse_contains(A0, A0 + len) ? sparse_ok(A0, A0 + len) : range_held(A0, A0 + len)))
		return -ENOMEM;
	return 0;
}

long sys_madvise(struct gk_frame *f)
{
	uint64_t len = page_up(A1);

	if (A0 & (PAGE - 1))
		return -EINVAL;
	if (!user_ok(A0, len))
		return -ENOMEM;
	if (A2 == MADV_DONTNEED && sparse_contains(A0, A0 + len)) {
		sparse_discard(A0, A0 + len);
		return 0;
	}
	/* Private anonymous memory reads back as zeros after MADV_DONTNEED; the host
	 * clears pages the guest kernel may not write. */
	if (A2 == MADV_DONTNEED && len && A0 >= gk_boot.brk_start) {
		if (pt_all(A0, A0 + len, PT_W))
			clear(A0, A0 + len);
		else
			hc(VMLET_HC_DISCARD, A0, len, 0, 0);
	}
	return 0;
}
