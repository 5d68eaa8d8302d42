/* sigfault.c - faults a program handles (SIGSEGV, SIGFPE, SIGILL, SIGTRAP) and those it does not; each mode's output and death match Linux's. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf back;
static volatile int got_sig, got_code, got_onstack;
static volatile uintptr_t got_addr, got_rip;
static char *page;

/* poke(p): *p = 1 at poke_fault, then returns rcx + r11 (set to 7 and 9 before the store). */
extern char poke_fault[], poke_resume[], ud2_insn[], int3_next[];
int poke(char *p);
__asm__(".text\n"
	".globl poke\npoke:\n"
	"	movq $7, %rcx\n"
	"	movq $9, %r11\n"
	".globl poke_fault\npoke_fault:\n"
	"	movb $1, (%rdi)\n"
	".globl poke_resume\npoke_resume:\n"
	"	leaq (%rcx,%r11), %rax\n"
	"	ret\n"
	".globl do_ud2\ndo_ud2:\n"
	".globl ud2_insn\nud2_insn:\n"
	"	ud2\n"
	"	ret\n"
	".globl do_int3\ndo_int3:\n"
	"	movq $5, %rcx\n"
	"	int3\n"
	".globl int3_next\nint3_next:\n"
	"	movq %rcx, %rax\n"
	"	ret\n");
void do_ud2(void);
long do_int3(void);

static void record(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	got_sig = sig;
	got_code = si->si_code;
	got_addr = (uintptr_t)si->si_addr;
	got_rip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
}

static void jump_back(int sig, siginfo_t *si, void *ctx)
{
	record(sig, si, ctx);
	siglongjmp(back, 1);
}

static void skip_store(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	record(sig, si, ctx);
	if (uc->uc_mcontext.gregs[REG_RIP] == (greg_t)poke_fault)
		uc->uc_mcontext.gregs[REG_RIP] = (greg_t)poke_resume;
}

static void unprotect(int sig, siginfo_t *si, void *ctx)
{
	record(sig, si, ctx);
	mprotect(page, 4096, PROT_READ | PROT_WRITE);
}

static void skip_ud2(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	volatile double clobber = 3.25 * sig; /* the handler's own SSE use */

	record(sig, si, ctx);
	uc->uc_mcontext.gregs[REG_RIP] += 2 + (clobber < 0);
}

static void on_altstack(int sig, siginfo_t *si, void *ctx)
{
	stack_t ss;

	record(sig, si, ctx);
	got_onstack = sigaltstack(NULL, &ss) == 0 && (ss.ss_flags & SS_ONSTACK);
	siglongjmp(back, 1);
}

static void handle(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void report(const char *what)
{
	printf("%s: sig %d code %d\n", what, got_sig, got_code);
	fflush(stdout);
}

static int recurse(int n)
{
	volatile char buf[1024];

	buf[0] = (char)n;
	if (n == -1) /* never: the stack runs out first */
		return 0;
	return recurse(n + 1) + buf[0];
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	volatile int zero = 0, one = 1;
	char *volatile null = NULL;

	page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!strcmp(mode, "segv-longjmp")) {
		handle(SIGSEGV, jump_back, 0);
		if (!sigsetjmp(back, 1))
			*null = 1;
		report("null write");
		printf("addr %#lx\n", (unsigned long)got_addr);
		if (!sigsetjmp(back, 1))
			*(volatile char *)(page + 8) = 1;
		report("read-only write");
		printf("addr is the page+8: %d\n", got_addr == (uintptr_t)page + 8);
		mprotect(page, 4096, PROT_NONE);
		if (!sigsetjmp(back, 1))
			(void)*(volatile char *)(page + 16);
		report("PROT_NONE read");
		printf("addr is the page+16: %d\n", got_addr == (uintptr_t)page + 16);
		/* The mask was restored by siglongjmp: the same handler runs again. */
		if (!sigsetjmp(back, 1))
			*null = 2;
		report("again");
	} else if (!strcmp(mode, "segv-rip")) {
		handle(SIGSEGV, skip_store, 0);
		printf("poke returned %d\n", poke(NULL));
		report("skipped store");
		printf("rip was poke_fault: %d, addr %#lx\n", got_rip == (uintptr_t)poke_fault, (unsigned long)got_addr);
	} else if (!strcmp(mode, "segv-mprotect")) {
		handle(SIGSEGV, unprotect, 0);
		page[100] = 42;
		report("fixed by mprotect");
		printf("page[100] = %d, addr is the page+100: %d\n", page[100], got_addr == (uintptr_t)page + 100);
	} else if (!strcmp(mode, "fpe")) {
		handle(SIGFPE, jump_back, 0);
		if (!sigsetjmp(back, 1))
			printf("%d\n", one / zero);
		report("divide by zero");
		printf("addr is rip: %d\n", got_addr == got_rip && got_addr != 0);
	} else if (!strcmp(mode, "ill")) {
		volatile double d = one * 1.5;
		handle(SIGILL, skip_ud2, 0);
		do_ud2();
		report("ud2");
		printf("addr is the ud2: %d, rip too: %d, d*2 = %g\n", got_addr == (uintptr_t)ud2_insn,
		       got_rip == (uintptr_t)ud2_insn, d * 2);
	} else if (!strcmp(mode, "trap")) {
		handle(SIGTRAP, record, 0);
		printf("int3 returned %ld\n", do_int3());
		report("int3");
		printf("rip is after the int3: %d\n", got_rip == (uintptr_t)int3_next);
	} else if (!strcmp(mode, "altstack")) {
		stack_t ss = { .ss_sp = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
			       .ss_size = 65536 };
		stack_t old;
		sigaltstack(&ss, NULL);
		sigaltstack(NULL, &old);
		printf("off the alt stack: flags %d\n", old.ss_flags);
		handle(SIGSEGV, on_altstack, SA_ONSTACK);
		if (!sigsetjmp(back, 1))
			recurse(0);
		report("stack overflow");
		printf("handler saw SS_ONSTACK: %d\n", got_onstack);
	} else if (!strcmp(mode, "resethand")) {
		handle(SIGSEGV, jump_back, SA_RESETHAND | SA_NODEFER);
		if (!sigsetjmp(back, 1))
			*null = 1;
		report("first");
		*null = 2; /* the handler is SIG_DFL now */
		printf("still alive\n");
	} else if (!strcmp(mode, "dfl")) {
		*null = 1;
		printf("still alive\n");
	} else if (!strcmp(mode, "blocked")) {
		sigset_t set;
		handle(SIGSEGV, jump_back, 0);
		sigemptyset(&set);
		sigaddset(&set, SIGSEGV);
		sigprocmask(SIG_BLOCK, &set, NULL);
		*null = 1; /* a blocked fault kills, as Linux */
		printf("still alive\n");
	} else if (!strcmp(mode, "ignored")) {
		signal(SIGFPE, SIG_IGN);
		printf("%d\n", one / zero);
	} else if (!strcmp(mode, "ill-dfl")) {
		do_ud2();
		printf("still alive\n");
	} else {
		fprintf(stderr, "usage: sigfault MODE\n");
		return 2;
	}
	return 0;
}
