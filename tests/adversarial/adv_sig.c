/* adv_sig.c - signals against the guest kernel's delivery: nesting, loops, bad frames, bad stacks.
 *
 * usage: adv_sig MODE
 *   nested        SA_NODEFER handler that raises itself forever: the frames run down the stack
 *                 into the guard (the guest kernel kills with SIGSEGV; exit 139, no host message)
 *   fault-in-handler  a handler that dereferences NULL (clean guest fault)
 *   segv-handler  a SIGSEGV handler that fixes nothing, then a real fault: the handler runs again and
 *                 again, as on Linux (the run's timeout ends it)
 *   loop          raise from the handler's return path forever: only --timeout ends it (124)
 *   altstack-bad  SA_ONSTACK with an alternate stack in the kernel area
 *   altstack-wrap SA_ONSTACK with an alternate stack whose end wraps around 2^64
 *   altstack-edge SA_ONSTACK with a 4 KiB alternate stack at the bottom of user memory (works)
 *   restorer-null a handler whose restorer is address 0 (returns to 0: page fault)
 *   no-restorer   a handler without SA_RESTORER (the guest kernel kills with SIGSEGV)
 *   sigreturn-junk rt_sigreturn on a stack of pseudo-random words
 *   mask-all      block everything, raise everything, print, then unblock (first one kills)
 *   abort         abort(): SIGABRT sent by the program itself (exit 134, no host message)
 *   kill9         kill(getpid(), SIGKILL) (exit 137, no host message)
 *   ignore-all    SIG_IGN for every signal, raise them all, exit 0
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adv.h"

struct ksa {
	uint64_t handler, flags, restorer, mask;
};

static volatile long depth;

static void raise_raw(int sig)
{
	sc2(62, 2, sig); /* kill(GK_PID, sig), no libc */
}

static void h_nested(int sig)
{
	depth++;
	raise_raw(sig);
}

static void h_fault(int sig)
{
	(void)sig;
	*(volatile int *)0 = 1;
}

static void h_loop(int sig)
{
	(void)sig;
	depth++;
}

static void h_nop(int sig)
{
	(void)sig;
	depth++;
}

extern void adv_restore_rt(void);
__asm__(".text\n.globl adv_restore_rt\nadv_restore_rt:\n\tmov $15, %eax\n\tsyscall\n\tud2\n");

static void install(int sig, void (*h)(int), uint64_t flags, uint64_t restorer)
{
	struct ksa a = { (uint64_t)(uintptr_t)h, flags, restorer, 0 };
	long r = sc4(13, sig, &a, 0, 8);

	if (r)
		adv_report("rt_sigaction", (uint64_t)sig, flags, r);
}

#define SA_RESTORER_K 0x04000000ull
#define SA_NODEFER_K 0x40000000ull
#define SA_ONSTACK_K 0x08000000ull

static void altstack(uint64_t sp, uint64_t size)
{
	struct { uint64_t sp; int32_t flags, pad; uint64_t size; } ss = { sp, 0, 0, size };
	long r = sc2(131, &ss, 0);

	if (r)
		adv_report("sigaltstack", sp, size, r);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	uint64_t rest = (uint64_t)(uintptr_t)adv_restore_rt;
	char line[100];
	int s;

	if (!strcmp(mode, "nested")) {
		install(SIGUSR1, h_nested, SA_RESTORER_K | SA_NODEFER_K, rest);
		raise_raw(SIGUSR1);
	} else if (!strcmp(mode, "fault-in-handler")) {
		install(SIGUSR1, h_fault, SA_RESTORER_K, rest);
		raise_raw(SIGUSR1);
	} else if (!strcmp(mode, "segv-handler")) {
		install(SIGSEGV, h_nop, SA_RESTORER_K, rest);
		*(volatile int *)8 = 1;
	} else if (!strcmp(mode, "loop")) {
		install(SIGUSR1, h_loop, SA_RESTORER_K, rest);
		for (;;)
			raise_raw(SIGUSR1);
	} else if (!strcmp(mode, "altstack-bad")) {
		altstack(VMLET_KERNEL_VBASE + VMLET_GK_OFFSET, 1 << 20);
		install(SIGUSR1, h_nop, SA_RESTORER_K | SA_ONSTACK_K, rest);
		raise_raw(SIGUSR1);
	} else if (!strcmp(mode, "altstack-wrap")) {
		altstack(~0ull - 4095, 1 << 20);
		install(SIGUSR1, h_nop, SA_RESTORER_K | SA_ONSTACK_K, rest);
		raise_raw(SIGUSR1);
	} else if (!strcmp(mode, "altstack-edge")) {
		altstack(VMLET_USER_LO, 4096);
		install(SIGUSR1, h_nop, SA_RESTORER_K | SA_ONSTACK_K, rest);
		raise_raw(SIGUSR1);
	} else if (!strcmp(mode, "restorer-null")) {
		install(SIGUSR1, h_nop, SA_RESTORER_K, 0);
		raise_raw(SIGUSR1);
	} else if (!strcmp(mode, "no-restorer")) {
		install(SIGUSR1, h_nop, 0, 0);
		raise_raw(SIGUSR1);
	} else if (!strcmp(mode, "sigreturn-junk")) {
		uint64_t st = 0x1234, i;
		static uint64_t junk[64];
		for (i = 0; i < 64; i++)
			junk[i] = adv_rand(&st);
		__asm__ volatile("mov %0, %%rsp\n\tmov $15, %%eax\n\tsyscall\n\tud2" : : "r"(junk) : "memory");
	} else if (!strcmp(mode, "mask-all")) {
		uint64_t all = ~0ull;
		sc4(14, 2, &all, 0, 8);
		for (s = 1; s <= 64; s++)
			raise_raw(s);
		adv_puts("adv_sig: all raised while blocked\n");
		all = 0;
		sc4(14, 2, &all, 0, 8);
	} else if (!strcmp(mode, "abort")) {
		abort();
	} else if (!strcmp(mode, "kill9")) {
		kill(getpid(), SIGKILL);
	} else if (!strcmp(mode, "ignore-all")) {
		for (s = 1; s <= 64; s++) {
			struct ksa a = { 1 /* SIG_IGN */, 0, 0, 0 };
			sc4(13, s, &a, 0, 8);
		}
		for (s = 1; s <= 64; s++)
			raise_raw(s);
	} else {
		adv_puts("adv_sig: unknown mode\n");
		return 2;
	}
	snprintf(line, sizeof(line), "adv_sig %s: survived (%ld handler runs)\n", mode, depth);
	adv_puts(line);
	return 0;
}
