/* translate.c - sparse-region addresses to guest-physical ones, through the guest's own page tables. */
#include "vm_internal.h"

#include <errno.h>

_Static_assert(VMLET_MAX_MEM <= VMLET_SPARSE_LO, "guest RAM must end below the sparse region");

#define PTE_P 0x1ull
#define PTE_W 0x2ull
#define PTE_PS 0x80ull
#define PTE_ADDR 0x000ffffffffff000ull
#define PAGE 4096ull

/*
 * The frame of the 4 KiB page at gva (page-aligned), or UINT64_MAX when the
 * guest's tables do not map it (or map it read-only and write is asked). The
 * tables are the guest's: each one is found through guestmem_ptr, so whatever
 * they hold, the walk reads guest RAM only.
 */
static uint64_t walk(const struct vmlet_vm *vm, uint64_t gva, int write)
{
	uint64_t t = vm->kbase + SYS_PT_LO;
	int level;

	for (level = 3; level >= 0; level--) {
		const uint64_t *tab = guestmem_ptr(&vm->mem, gpa(t), PAGE);
		uint64_t e;
		if (!tab)
			return UINT64_MAX;
		e = tab[(gva >> (12 + 9 * level)) & 511];
		if (!(e & PTE_P) || (level && (e & PTE_PS)))
			return UINT64_MAX; /* vmlet's guest kernel maps the sparse region with 4 KiB pages only */
		if (!level && write && !(e & PTE_W))
			return UINT64_MAX;
		t = e & PTE_ADDR;
	}
	return t;
}

int vm_translate(const struct vmlet_vm *vm, uint64_t gva, uint64_t len, int write, uint64_t *out)
{
	uint64_t first_page = gva & ~(PAGE - 1), frame, page;

	if (gva < VMLET_SPARSE_LO || gva >= VMLET_SPARSE_HI || len > VMLET_SPARSE_HI - gva || len > vm->user_hi)
		return -EFAULT;
	if ((frame = walk(vm, first_page, write)) == UINT64_MAX)
		return -EFAULT;
	for (page = first_page + PAGE; page < gva + len; page += PAGE)
		if (walk(vm, page, write) != frame + (page - first_page))
			return -EFAULT; /* not one run of frames: the guest kernel splits such calls */
	*out = frame + (gva - first_page);
	if (*out >= VMLET_SHARED_GPA && *out - VMLET_SHARED_GPA <= vm->shared.size &&
	    len <= vm->shared.size - (*out - VMLET_SHARED_GPA))
		return 0; /* a shared tmpfs mapping: frames of the shared region */
	if (*out < VMLET_USER_LO || *out > vm->user_hi || len > vm->user_hi - *out)
		return -EFAULT; /* else frames of the user region only */
	return 0;
}
