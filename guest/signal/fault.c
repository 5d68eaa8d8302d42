/* fault.c - the host's entry into the guest kernel between two instructions of the program: faults that are signals. */
#include "gk.h"

/* Written by the host before it enters gk_interrupt_entry (entry.S); read by it and by gk_interrupt. */
struct vmlet_interrupt gk_interrupt_info;
GK_HOT int gk_hc_gated;

#define SIGSEGV_K 11
#define SEGV_MAPERR_K 1
#define SEGV_ACCERR_K 2

/* addr lies in a mapping of the program (PROT_NONE pages too, which are not present). */
static int in_mapping(uint64_t addr)
{
	uint64_t lo, hi;
	unsigned prot;
	int i;

	for (i = 0; mm_region(i, &lo, &hi); i++)
		if (addr >= lo && addr < hi)
			return 1;
	for (i = 0; sparse_region(i, &lo, &hi, &prot); i++)
		if (addr >= lo && addr < hi)
			return 1;
	return 0;
}

void gk_interrupt(struct gk_frame *f);

void gk_interrupt(struct gk_frame *f)
{
	struct vmlet_interrupt in = gk_interrupt_info;

	gk_hc_gated = 1;

	/* The host sees a missing page; Linux says SEGV_ACCERR where a mapping forbids the access. */
	if (in.signo == SIGSEGV_K && in.code == SEGV_MAPERR_K && in_mapping(in.addr))
		in.code = SEGV_ACCERR_K;
	if (in.signo)
		signal_fault(f, &in);
	signal_deliver(f, -1);
	gk_hc_gated = 0;
}
