/* hypercall.c - the guest side of the hypercall ABI: fill the block, one `out`, read the result. */
#include "gk.h"

#include <linux/errno.h>

GK_HOT struct vmlet_hypercall gk_hypercall;

/* A wait the host ended for a signal (-EINTR) is made again unless the signal interrupts the
 * call; a sleep is time_sleep's to resume (it knows the time left). */
long hc(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	volatile struct vmlet_hypercall *b = &gk_hypercall;
	long r;

	tmpfs_leave(); /* the host may block: no other process waits on this one meanwhile */
	for (;;) {
		b->nr = nr;
		b->arg[0] = a0;
		b->arg[1] = a1;
		b->arg[2] = a2;
		b->arg[3] = a3;
		if (gk_hc_gated)
			__asm__ volatile("int %0" : : "i"(VMLET_HC_VECTOR), "a"(0) : "memory");
		else
			__asm__ volatile("outb %%al, %0" : : "i"(VMLET_PORT_HYPERCALL), "a"(0) : "memory");
		r = b->ret; /* signal_interrupts may make a call of its own (VMLET_HC_ALARM) */
		if (r != -EINTR || nr == VMLET_HC_SLEEP || signal_interrupts())
			return r;
	}
}

_Noreturn void gk_exit(int status, int signal)
{
	process_tmpfs_refs(0); /* the other processes may still use the files it held open */
	for (;;)
		hc(VMLET_HC_EXIT, (uint64_t)status & 0xff, (uint64_t)signal, 0, 0);
}
