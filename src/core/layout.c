/* layout.c - writes the guest's page tables, GDT, IDT and TSS: long mode from the first instruction. */
#include "vm_internal.h"

#include <elf.h>
#include <errno.h>
#include <string.h>

#define PTE_P 0x1ull
#define PTE_W 0x2ull
#define PTE_U 0x4ull
#define PTE_PS 0x80ull
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull
#define PAGE 4096ull
#define HUGE (2ull << 20)

struct pt {
	const struct guestmem *mem;
	uint64_t next, end; /* guest-physical pool of table pages */
	uint64_t root;
};

static uint64_t *table(const struct pt *pt, uint64_t gpa_)
{
	return guestmem_ptr(pt->mem, gpa(gpa_), PAGE);
}

/* The entry for gva at `level` (3 = PML4 ... 0 = PT), creating tables on the way. */
static uint64_t *entry(struct pt *pt, uint64_t gva, int level)
{
	uint64_t t = pt->root;
	int l;

	for (l = 3; l > level; l--) {
		uint64_t *e = &table(pt, t)[(gva >> (12 + 9 * l)) & 511];
		if (!(*e & PTE_P)) {
			if (pt->next >= pt->end)
				return NULL;
			*e = pt->next | PTE_P | PTE_W | PTE_U;
			pt->next += PAGE;
		}
		t = *e & PTE_ADDR;
	}
	return &table(pt, t)[(gva >> (12 + 9 * level)) & 511];
}

static int map(struct pt *pt, uint64_t gva, uint64_t gpa_, uint64_t flags, int huge)
{
	uint64_t *e = entry(pt, gva, huge ? 1 : 0);

	if (!e)
		return -E2BIG;
	*e = gpa_ | flags | (huge ? PTE_PS : 0);
	return 0;
}

/* Turn the 2 MiB page mapping `chunk` (if it is one) into a table of 4 KiB pages. */
static int split_huge(struct pt *pt, uint64_t chunk)
{
	uint64_t *pde = entry(pt, chunk, 1), *t, i;

	if (!pde)
		return -E2BIG;
	if (!(*pde & PTE_P) || !(*pde & PTE_PS))
		return 0;
	if (pt->next >= pt->end)
		return -E2BIG;
	t = table(pt, pt->next);
	for (i = 0; i < 512; i++)
		t[i] = ((*pde & PTE_ADDR) + i * PAGE) | (*pde & (PTE_P | PTE_W | PTE_U | PTE_NX));
	*pde = pt->next | PTE_P | PTE_W | PTE_U;
	pt->next += PAGE;
	return 0;
}

/* Flags of one user page: the union of the ELF segments on it, else read-write-execute. */
static uint64_t user_page_flags(const struct elf_image *img, uint64_t page)
{
	int present = 0, writable = 0, executable = 0;
	size_t i;

	for (i = 0; i < img->nsegs; i++) {
		const struct elf_segment *s = &img->segs[i];
		if (page + PAGE <= s->vaddr || page >= s->vaddr + s->memsz)
			continue;
		present = 1;
		writable |= !!(s->flags & PF_W);
		executable |= !!(s->flags & PF_X);
	}
	if (!present)
		return PTE_P | PTE_W | PTE_U;
	return PTE_P | PTE_U | (writable ? PTE_W : 0) | (executable ? 0 : PTE_NX);
}

/* Program-independent user map: 2 MiB pages; the first 64 KiB and the stack guard unmapped. */
static int map_user_default(struct pt *pt, const struct vmlet_vm *vm)
{
	uint64_t chunk, page;
	int r;

	for (chunk = 0; chunk < vm->user_hi; chunk += HUGE) {
		if (chunk >= vm->stack_lo - STACK_GUARD && chunk < vm->stack_lo)
			continue;
		if (chunk < VMLET_USER_LO) {
			for (page = VMLET_USER_LO; page < chunk + HUGE; page += PAGE)
				if ((r = map(pt, page, page, PTE_P | PTE_W | PTE_U, 0)))
					return r;
		} else if ((r = map(pt, chunk, chunk, PTE_P | PTE_W | PTE_U, 1))) {
			return r;
		}
	}
	return 0;
}

static int map_kernel(struct pt *pt, const struct vmlet_vm *vm)
{
	uint64_t text = vm->gk.text_end - VMLET_KERNEL_VBASE, bss = vm->gk.bss_end - VMLET_KERNEL_VBASE;
	uint64_t off, flags;
	int r;

	for (off = 0; off < bss; off += PAGE) {
		if (off >= SYS_PT_LO && off < SYS_PT_HI)
			flags = PTE_P | PTE_W | PTE_U | PTE_NX; /* page tables: the guest kernel's, at any CPL */
		else if (off < VMLET_GK_OFFSET)
			flags = PTE_P | PTE_W | PTE_NX; /* GDT, IDT, TSS, exception stack: supervisor only */
		else if (off < text)
			flags = PTE_P | PTE_U;
		else
			flags = PTE_P | PTE_W | PTE_U | PTE_NX;
		r = map(pt, VMLET_KERNEL_VBASE + off, vm->kbase + off, flags, 0);
		if (r)
			return r;
	}
	return 0;
}

static void write_gdt(uint64_t *gdt, uint64_t tss_base)
{
	gdt[SEL_KERNEL_CS >> 3] = 0x00af9b000000ffffull;
	gdt[SEL_KERNEL_DS >> 3] = 0x00cf93000000ffffull;
	gdt[SEL_USER32_CS >> 3] = 0x00cffb000000ffffull;
	gdt[SEL_USER_DS >> 3] = 0x00cff3000000ffffull;
	gdt[SEL_USER_CS >> 3] = 0x00affb000000ffffull;
	gdt[SEL_TSS >> 3] = (TSS_LIMIT & 0xffffull) | ((tss_base & 0xffffffull) << 16) |
			    (0x89ull << 40) | (((tss_base >> 24) & 0xffull) << 56);
	gdt[(SEL_TSS >> 3) + 1] = tss_base >> 32;
}

/* An interrupt gate to handler h on the exception stack (IST1), callable from CPL dpl. */
static void write_gate(uint64_t *idt, unsigned v, uint64_t h, uint64_t dpl)
{
	idt[2 * v] = (h & 0xffff) | ((uint64_t)SEL_KERNEL_CS << 16) | (1ull << 32) /* IST1 */ |
		     ((0x8eull | dpl << 5) << 40) | (((h >> 16) & 0xffff) << 48);
	idt[2 * v + 1] = h >> 32;
}

static void write_idt(uint64_t *idt, uint64_t stubs, uint64_t tlb_flush, uint64_t hc_gate)
{
	unsigned v;

	/* int3 and into may be used from user mode (DPL3), as on Linux. */
	for (v = 0; v < VMLET_FAULT_VECTORS; v++)
		write_gate(idt, v, stubs + v * VMLET_FAULT_STUB_SIZE, (v == 3 || v == 4) ? 3 : 0);
	/* The guest kernel's TLB flush: reachable from CPL3, where it runs on some KVMs. */
	write_gate(idt, VMLET_TLB_FLUSH_VECTOR, tlb_flush, 3);
	write_gate(idt, VMLET_HC_VECTOR, hc_gate, 3);
}

static void write_tss(uint8_t *tss, uint64_t ist_top)
{
	uint16_t iopb = 104;

	memcpy(tss + 4, &ist_top, 8);  /* RSP0 */
	memcpy(tss + 36, &ist_top, 8); /* IST1 */
	memcpy(tss + 102, &iopb, 2);
	/* I/O bitmap: every port denied at CPL3 but the hypercall port. */
	memset(tss + 104, 0xff, 32 + 1);
	tss[104 + VMLET_PORT_HYPERCALL / 8] &= (uint8_t)~(1u << (VMLET_PORT_HYPERCALL % 8));
}

static struct pt pt_of(struct vmlet_vm *vm)
{
	return (struct pt){ &vm->mem, vm->pt_next, vm->kbase + SYS_PT_HI, vm->kbase + SYS_PT_LO };
}

int layout_prepare(struct vmlet_vm *vm, struct vmlet_error *err)
{
	uint8_t *sys = guestmem_ptr(&vm->mem, gpa(vm->kbase), SYS_PT_LO);
	struct pt pt;
	int r;

	if (!sys)
		return vm_error(err, -EINVAL, "guest memory too small for the kernel area");
	vm->pt_next = vm->kbase + SYS_PT_LO + PAGE;
	pt = pt_of(vm);
	r = map_user_default(&pt, vm);
	if (!r)
		r = map_kernel(&pt, vm);
	if (r)
		return vm_error(err, -ENOMEM, "guest memory needs more page tables than vmlet reserves");
	vm->pt_next = pt.next;
	write_gdt((uint64_t *)(sys + SYS_GDT), VMLET_KERNEL_VBASE + SYS_TSS);
	write_idt((uint64_t *)(sys + SYS_IDT), vm->gk.fault_stubs, vm->gk.tlb_flush, vm->gk.hc_gate);
	write_tss(sys + SYS_TSS, VMLET_KERNEL_VBASE + SYS_IST_TOP);
	return 0;
}

int layout_map_image(struct vmlet_vm *vm, const struct elf_image *img, struct vmlet_error *err)
{
	struct pt pt = pt_of(vm);
	uint64_t first = img->lo & ~(PAGE - 1), page;
	int r = 0;

	for (page = first; page < img->hi && !r; page += PAGE) {
		uint64_t *e = NULL;
		if (page % HUGE == 0 || page == first)
			r = split_huge(&pt, page & ~(HUGE - 1));
		if (!r && !(e = entry(&pt, page, 0)))
			r = -E2BIG;
		if (!r)
			*e = page | user_page_flags(img, page);
	}
	vm->pt_next = pt.next;
	if (r)
		return vm_error(err, -ENOEXEC, "program image needs more page tables than vmlet reserves");
	return 0;
}

int layout_map_shared(struct vmlet_vm *vm, struct vmlet_error *err)
{
	struct pt pt = pt_of(vm);
	uint64_t off;
	int r = 0;

	for (off = 0; off < vm->shared.size && !r; off += HUGE)
		r = map(&pt, VMLET_SHARED_VBASE + off, VMLET_SHARED_GPA + off, PTE_P | PTE_W | PTE_U | PTE_NX, 1);
	vm->pt_next = pt.next;
	if (r)
		return vm_error(err, -ENOMEM, "the tmpfs region needs more page tables than vmlet reserves");
	return 0;
}
