/* test_translate.c - vm_translate and vm_guest_ptr over page tables written by hand, as a hostile guest may write them. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/vm_internal.h"

/* RAM as plan_memory makes it for 8 MiB: user region [VMLET_USER_LO, 4 MiB), kernel area above. */
#define MEM_SIZE (8ull << 20)
#define PAGE 4096ull
#define P 0x1ull
#define W 0x2ull
#define U 0x4ull
#define PS 0x80ull
#define RW (P | W | U)
#define FRAME 0x100000ull /* a user-region frame the tests map */
#define MID 0xc000000000ull

struct fixture {
	struct vmlet_vm *vm;
	uint8_t *ram;
	uint64_t next_table; /* guest-physical: the next unused page of the page-table pool */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f || !(f->vm = calloc(1, sizeof(*f->vm))) || !(f->ram = calloc(1, MEM_SIZE)))
		return -1;
	f->vm->mem.host = f->ram;
	f->vm->mem.size = MEM_SIZE;
	f->vm->kbase = MEM_SIZE - VMLET_KERNEL_SIZE;
	f->vm->user_hi = f->vm->kbase;
	f->vm->gk.text_end = VMLET_KERNEL_VBASE + VMLET_GK_OFFSET + 0x1000;
	f->vm->gk.bss_end = VMLET_KERNEL_VBASE + VMLET_GK_OFFSET + 0x3000;
	f->next_table = f->vm->kbase + SYS_PT_LO + PAGE;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->ram);
	free(f->vm);
	free(f);
	return 0;
}

static uint64_t *table(struct fixture *f, uint64_t gpa_)
{
	return (uint64_t *)(f->ram + gpa_);
}

/* The entry for gva at level (3 = PML4 ... 0 = PT), creating present, writable tables on the way. */
static uint64_t *entry(struct fixture *f, uint64_t gva, int level)
{
	uint64_t t = f->vm->kbase + SYS_PT_LO;
	int l;

	for (l = 3; l > level; l--) {
		uint64_t *e = &table(f, t)[(gva >> (12 + 9 * l)) & 511];
		if (!(*e & P)) {
			*e = f->next_table | RW;
			f->next_table += PAGE;
		}
		t = *e & 0x000ffffffffff000ull;
	}
	return &table(f, t)[(gva >> (12 + 9 * level)) & 511];
}

static void map(struct fixture *f, uint64_t gva, uint64_t frame, uint64_t flags)
{
	*entry(f, gva, 0) = frame | flags;
}

static int translate(struct fixture *f, uint64_t gva, uint64_t len, int write, uint64_t *out)
{
	*out = 0xdead;
	return vm_translate(f->vm, gva, len, write, out);
}

static void test_mapped_page(void **state)
{
	struct fixture *f = *state;
	uint64_t out;

	map(f, VMLET_SPARSE_LO, FRAME, RW);
	assert_int_equal(translate(f, VMLET_SPARSE_LO, 1, 0, &out), 0);
	assert_int_equal(out, FRAME);
	assert_int_equal(translate(f, VMLET_SPARSE_LO + 0x123, 16, 1, &out), 0);
	assert_int_equal(out, FRAME + 0x123);
	assert_int_equal(translate(f, VMLET_SPARSE_LO, PAGE, 1, &out), 0);
	assert_int_equal(translate(f, VMLET_SPARSE_LO + PAGE - 1, 1, 0, &out), 0);
	assert_int_equal(out, FRAME + PAGE - 1);
	/* len 0 on a mapped page is fine; the next page is not mapped. */
	assert_int_equal(translate(f, VMLET_SPARSE_LO + 8, 0, 0, &out), 0);
	assert_int_equal(translate(f, VMLET_SPARSE_LO + PAGE, 0, 0, &out), -EFAULT);
	assert_int_equal(out, 0xdead);
	assert_int_equal(translate(f, VMLET_SPARSE_LO, PAGE + 1, 0, &out), -EFAULT);
	assert_ptr_equal(vm_guest_ptr(f->vm, VMLET_SPARSE_LO + 0x10, 8), f->ram + FRAME + 0x10);
	assert_ptr_equal(vm_guest_ptr_w(f->vm, VMLET_SPARSE_LO + 0x10, 8), f->ram + FRAME + 0x10);
}

static void test_contiguous_run(void **state)
{
	struct fixture *f = *state;
	uint64_t out;

	map(f, MID, FRAME, RW);
	map(f, MID + PAGE, FRAME + PAGE, RW);
	map(f, MID + 2 * PAGE, FRAME + 5 * PAGE, RW); /* out of order */
	map(f, MID + 3 * PAGE, FRAME + 3 * PAGE, RW); /* in order with the first two, but after a gap */
	assert_int_equal(translate(f, MID + PAGE - 8, 16, 1, &out), 0);
	assert_int_equal(out, FRAME + PAGE - 8);
	assert_int_equal(translate(f, MID, 2 * PAGE, 0, &out), 0);
	assert_int_equal(out, FRAME);
	assert_int_equal(translate(f, MID + 2 * PAGE - 8, 16, 0, &out), -EFAULT);
	assert_int_equal(translate(f, MID, 2 * PAGE + 1, 0, &out), -EFAULT);
	assert_int_equal(translate(f, MID, 4 * PAGE, 0, &out), -EFAULT);
	assert_int_equal(translate(f, MID + 2 * PAGE, PAGE, 0, &out), 0);
	assert_int_equal(out, FRAME + 5 * PAGE);
	assert_null(vm_guest_ptr(f->vm, MID + 2 * PAGE - 8, 16));
	/* Two runs that meet across a level-1 boundary (a different PT) are one run. */
	map(f, MID + 511 * PAGE, FRAME + 0x40000, RW);
	map(f, MID + 512 * PAGE, FRAME + 0x41000, RW);
	assert_int_equal(translate(f, MID + 512 * PAGE - 4, 8, 1, &out), 0);
	assert_int_equal(out, FRAME + 0x41000 - 4);
}

static void test_not_present_each_level(void **state)
{
	struct fixture *f = *state;
	uint64_t out;
	int level;

	for (level = 3; level >= 0; level--) {
		uint64_t gva = MID + (uint64_t)(3 - level) * (1ull << 39); /* its own tables at every level */
		map(f, gva, FRAME, RW);
		assert_int_equal(translate(f, gva, 8, 0, &out), 0);
		*entry(f, gva, level) &= ~P;
		assert_int_equal(translate(f, gva, 8, 0, &out), -EFAULT);
		assert_null(vm_guest_ptr(f->vm, gva, 8));
	}
}

static void test_large_pages_refused(void **state)
{
	struct fixture *f = *state;
	uint64_t out;
	int level;

	for (level = 3; level >= 1; level--) {
		uint64_t gva = MID + (uint64_t)(3 - level) * (1ull << 39);
		map(f, gva, FRAME, RW);
		/* A large page of the user region's frames, as the CPU would take it. */
		*entry(f, gva, level) = FRAME | RW | PS;
		assert_int_equal(translate(f, gva, 8, 0, &out), -EFAULT);
		assert_int_equal(translate(f, gva, 8, 1, &out), -EFAULT);
	}
	/* At level 0 bit 7 is PAT, not a size: still a 4 KiB page. */
	map(f, VMLET_SPARSE_LO, FRAME, RW | PS);
	assert_int_equal(translate(f, VMLET_SPARSE_LO, 8, 0, &out), 0);
	assert_int_equal(out, FRAME);
}

static void test_tables_outside_ram(void **state)
{
	struct fixture *f = *state;
	static const uint64_t bad[] = { MEM_SIZE, MEM_SIZE + PAGE, 1ull << 40, 0x000ffffffffff000ull };
	uint64_t out, *e;
	size_t i;
	int level;

	map(f, MID, FRAME, RW);
	for (level = 3; level >= 1; level--) {
		e = entry(f, MID, level);
		uint64_t saved = *e;
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			*e = bad[i] | RW;
			assert_int_equal(translate(f, MID, 8, 0, &out), -EFAULT);
		}
		*e = saved;
	}
	assert_int_equal(translate(f, MID, 8, 0, &out), 0);
}

static void test_table_unaligned_and_at_end(void **state)
{
	struct fixture *f = *state;
	uint64_t out, *pd = entry(f, MID, 1), pt = MEM_SIZE - PAGE;

	/* Low bits of an entry are flags: a pointer to the last page of RAM plus 0xf78 is that page. */
	*pd = pt | 0xf78 | RW;
	table(f, pt)[(MID >> 12) & 511] = FRAME | RW;
	assert_int_equal(translate(f, MID, 8, 0, &out), 0);
	assert_int_equal(out, FRAME);
	/* The last entry of the last page of RAM. */
	table(f, pt)[511] = (FRAME + PAGE) | RW;
	assert_int_equal(translate(f, MID + 511 * PAGE, 8, 1, &out), 0);
	assert_int_equal(out, FRAME + PAGE);
	/* Bits 52..62 (ignored, protection keys) and NX do not move the table. */
	*pd = pt | (0xfffull << 52) | RW;
	assert_int_equal(translate(f, MID, 8, 0, &out), 0);
	assert_int_equal(out, FRAME);
}

static void test_frames_outside_user_region(void **state)
{
	struct fixture *f = *state;
	const uint64_t user_hi = f->vm->user_hi;
	uint64_t out;

	map(f, MID, f->vm->kbase, RW);                      /* the system area */
	map(f, MID + PAGE, f->vm->kbase + SYS_PT_LO, RW);   /* the page tables themselves */
	map(f, MID + 2 * PAGE, MEM_SIZE - PAGE, RW);         /* the kernel area's last page */
	map(f, MID + 3 * PAGE, MEM_SIZE, RW);                /* past RAM */
	map(f, MID + 4 * PAGE, 0, RW);                       /* below VMLET_USER_LO */
	map(f, MID + 5 * PAGE, VMLET_USER_LO - PAGE, RW);
	map(f, MID + 6 * PAGE, 0x000ffffffffff000ull, RW);
	for (int i = 0; i < 7; i++) {
		assert_int_equal(translate(f, MID + (uint64_t)i * PAGE, 8, 0, &out), -EFAULT);
		assert_null(vm_guest_ptr(f->vm, MID + (uint64_t)i * PAGE, 8));
	}
	/* The user region's last frame, then the kernel area's first: the run may not cross user_hi. */
	map(f, MID + 8 * PAGE, user_hi - PAGE, RW);
	map(f, MID + 9 * PAGE, user_hi, RW);
	assert_int_equal(translate(f, MID + 8 * PAGE, PAGE, 1, &out), 0);
	assert_int_equal(out, user_hi - PAGE);
	assert_int_equal(translate(f, MID + 9 * PAGE - 1, 2, 0, &out), -EFAULT);
	/* The user region's first frame is fine. */
	map(f, MID + 10 * PAGE, VMLET_USER_LO, RW);
	assert_int_equal(translate(f, MID + 10 * PAGE, PAGE, 0, &out), 0);
	assert_int_equal(out, VMLET_USER_LO);
}

static void test_read_only_page(void **state)
{
	struct fixture *f = *state;
	uint64_t out;

	map(f, MID, FRAME, P | U);
	map(f, MID + PAGE, FRAME + PAGE, RW);
	assert_int_equal(translate(f, MID + 8, 8, 0, &out), 0);
	assert_int_equal(out, FRAME + 8);
	assert_int_equal(translate(f, MID + 8, 8, 1, &out), -EFAULT);
	assert_int_equal(translate(f, MID + PAGE - 8, 16, 1, &out), -EFAULT); /* writable second page only */
	assert_int_equal(translate(f, MID + PAGE - 8, 16, 0, &out), 0);
	assert_ptr_equal(vm_guest_ptr(f->vm, MID + 8, 8), f->ram + FRAME + 8);
	assert_null(vm_guest_ptr_w(f->vm, MID + 8, 8));
	assert_ptr_equal(vm_guest_ptr_w(f->vm, MID + PAGE, 8), f->ram + FRAME + PAGE);
}

static void test_address_and_length_bounds(void **state)
{
	struct fixture *f = *state;
	uint64_t out, last = VMLET_SPARSE_HI - PAGE;

	map(f, VMLET_SPARSE_LO, FRAME, RW);
	map(f, last, FRAME + PAGE, RW);
	assert_int_equal(translate(f, VMLET_SPARSE_LO - 1, 1, 0, &out), -EFAULT);
	assert_int_equal(translate(f, VMLET_SPARSE_LO - 1, 2, 0, &out), -EFAULT);
	assert_int_equal(translate(f, 0, 8, 0, &out), -EFAULT);
	assert_int_equal(translate(f, VMLET_SPARSE_HI - 8, 8, 1, &out), 0);
	assert_int_equal(out, FRAME + 2 * PAGE - 8);
	assert_int_equal(translate(f, VMLET_SPARSE_HI - 8, 9, 0, &out), -EFAULT);
	assert_int_equal(translate(f, VMLET_SPARSE_HI, 0, 0, &out), -EFAULT);
	assert_int_equal(translate(f, VMLET_SPARSE_HI, 1, 0, &out), -EFAULT);
	assert_int_equal(translate(f, 1ull << 47, 1, 0, &out), -EFAULT);
	assert_int_equal(translate(f, VMLET_KERNEL_VBASE, 1, 0, &out), -EFAULT);
	assert_int_equal(translate(f, UINT64_MAX, 1, 0, &out), -EFAULT);
	/* Lengths that wrap past 2^64, or exceed the region or the user region. */
	assert_int_equal(translate(f, VMLET_SPARSE_LO, UINT64_MAX, 0, &out), -EFAULT);
	assert_int_equal(translate(f, VMLET_SPARSE_LO, 0 - VMLET_SPARSE_LO + 1, 0, &out), -EFAULT);
	assert_int_equal(translate(f, VMLET_SPARSE_HI - 8, UINT64_MAX - 4, 0, &out), -EFAULT);
	assert_int_equal(translate(f, VMLET_SPARSE_LO, f->vm->user_hi + 1, 0, &out), -EFAULT);
	assert_int_equal(translate(f, VMLET_SPARSE_LO, 1ull << 40, 0, &out), -EFAULT);
	assert_null(vm_guest_ptr(f->vm, VMLET_SPARSE_LO, UINT64_MAX));
	assert_null(vm_guest_ptr(f->vm, VMLET_SPARSE_HI - 8, 16));
}

/* A table that points at itself at every level: the walk stops after four reads, at a frame it refuses. */
static void test_self_reference(void **state)
{
	struct fixture *f = *state;
	uint64_t root = f->vm->kbase + SYS_PT_LO, out;
	uint64_t gva = (1ull << 39) | (1ull << 30) | (1ull << 21) | (1ull << 12); /* index 1 at every level */

	table(f, root)[1] = root | RW;
	assert_int_equal(translate(f, gva, 8, 0, &out), -EFAULT);
	assert_int_equal(translate(f, gva, 3 * PAGE, 1, &out), -EFAULT);
	/* Every entry of the root pointing at the root, over a whole user region's length. */
	for (int i = 0; i < 512; i++)
		table(f, root)[i] = root | RW;
	assert_int_equal(translate(f, VMLET_SPARSE_LO, f->vm->user_hi - VMLET_USER_LO, 0, &out), -EFAULT);
	assert_int_equal(translate(f, VMLET_SPARSE_LO, 1ull << 40, 0, &out), -EFAULT);
}

/* The longest range a translation may walk: the whole user region, every page mapped in order. */
static void test_longest_run(void **state)
{
	struct fixture *f = *state;
	uint64_t len = f->vm->user_hi - VMLET_USER_LO, off, out;

	for (off = 0; off < len; off += PAGE)
		map(f, VMLET_SPARSE_LO + off, VMLET_USER_LO + off, RW);
	assert_int_equal(translate(f, VMLET_SPARSE_LO, len, 1, &out), 0);
	assert_int_equal(out, VMLET_USER_LO);
	assert_int_equal(translate(f, VMLET_SPARSE_LO, len + 1, 1, &out), -EFAULT);
	assert_int_equal(translate(f, VMLET_SPARSE_LO + 1, len, 1, &out), -EFAULT);
	assert_ptr_equal(vm_guest_ptr_w(f->vm, VMLET_SPARSE_LO, len), f->ram + VMLET_USER_LO);
}

/* Addresses below the sparse region keep their meaning: identity user region, guest kernel image. */
static void test_identity_region_unchanged(void **state)
{
	struct fixture *f = *state;
	const uint64_t user_hi = f->vm->user_hi, gk_lo = VMLET_KERNEL_VBASE + VMLET_GK_OFFSET;

	map(f, VMLET_SPARSE_LO, FRAME, RW);
	assert_ptr_equal(vm_guest_ptr(f->vm, VMLET_USER_LO, 16), f->ram + VMLET_USER_LO);
	assert_ptr_equal(vm_guest_ptr(f->vm, FRAME, 16), f->ram + FRAME);
	assert_ptr_equal(vm_guest_ptr(f->vm, user_hi - 16, 16), f->ram + user_hi - 16);
	assert_ptr_equal(vm_guest_ptr(f->vm, user_hi, 0), f->ram + user_hi);
	assert_null(vm_guest_ptr(f->vm, user_hi - 16, 17));
	assert_null(vm_guest_ptr(f->vm, user_hi, 1));
	assert_null(vm_guest_ptr(f->vm, VMLET_USER_LO - 1, 1));
	assert_null(vm_guest_ptr(f->vm, 0, 1));
	assert_null(vm_guest_ptr(f->vm, MEM_SIZE, 1));
	assert_null(vm_guest_ptr(f->vm, VMLET_SPARSE_LO - 8, 8));
	assert_null(vm_guest_ptr(f->vm, VMLET_USER_LO, UINT64_MAX));
	assert_ptr_equal(vm_guest_ptr(f->vm, gk_lo, 8), f->ram + f->vm->kbase + VMLET_GK_OFFSET);
	assert_null(vm_guest_ptr(f->vm, gk_lo - 1, 1));
	assert_null(vm_guest_ptr(f->vm, f->vm->gk.bss_end - 4, 8));
	assert_null(vm_guest_ptr_w(f->vm, gk_lo, 8)); /* the guest kernel's text */
	assert_ptr_equal(vm_guest_ptr_w(f->vm, f->vm->gk.text_end, 8), f->ram + f->vm->kbase + VMLET_GK_OFFSET + 0x1000);
	assert_null(vm_guest_ptr(f->vm, VMLET_KERNEL_VBASE + SYS_PT_LO, 8)); /* the page tables are not hypercall memory */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mapped_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_contiguous_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_present_each_level, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_pages_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tables_outside_ram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_unaligned_and_at_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_frames_outside_user_region, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_address_and_length_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_self_reference, setup, teardown),
		cmocka_unit_test_setup_teardown(test_longest_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identity_region_unchanged, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
