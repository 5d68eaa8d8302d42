/* tmpfs_lock.c - the lock every process of a run takes to touch the shared tmpfs: held until the system call ends or makes a hypercall. */
#include "fs/tmpfs.h"

#define SPINS 200 /* reads of a held lock before sleeping in the host: a hypercall costs far more */

uint64_t gk_shared_vbase = VMLET_SHARED_VBASE;

static int held;   /* this process holds it (each process has its own copy of this flag) */
static int backed; /* the host gave the region memory (inherited: a fork backs it first) */

static uint32_t *lock_word(void)
{
	return (uint32_t *)gk_shared_vbase;
}

void tmpfs_enter(void)
{
	uint32_t *w = lock_word(), me = (uint32_t)gk_pid & VMLET_LOCK_OWNER, seen = 0;
	int spins;

	if (held)
		return;
	if (!backed) {
		hc(VMLET_HC_SHARED, 0, 0, 0, 0); /* a failure ends the run */
		backed = 1;
	}
	if (!__atomic_compare_exchange_n(w, &seen, me, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		for (;;) {
			for (spins = 0; spins < SPINS && __atomic_load_n(w, __ATOMIC_RELAXED); spins++)
				__asm__ volatile("pause");
			/* Once anyone slept, take it marked: its release then wakes the next sleeper. */
			seen = 0;
			if (__atomic_compare_exchange_n(w, &seen, me | VMLET_LOCK_WAITERS, 0, __ATOMIC_ACQUIRE,
							__ATOMIC_RELAXED))
				break;
			if (!(seen & VMLET_LOCK_WAITERS)) {
				uint32_t marked = seen | VMLET_LOCK_WAITERS;
				if (!__atomic_compare_exchange_n(w, &seen, marked, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
					continue;
				seen = marked;
			}
			hc(VMLET_HC_LOCK_WAIT, seen, 0, 0, 0);
		}
	}
	held = 1;
}

void tmpfs_leave(void)
{
	uint32_t old;

	if (!held)
		return;
	held = 0;
	old = __atomic_exchange_n(lock_word(), 0, __ATOMIC_RELEASE);
	if (old & (VMLET_LOCK_WAITERS | VMLET_LOCK_HOST))
		hc(VMLET_HC_LOCK_WAKE, 0, 0, 0, 0);
}
