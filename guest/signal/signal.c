/* signal.c - signal dispositions and masks, and synchronous delivery of signals a program sends itself. */
#include "gk.h"

#include <linux/errno.h>

#define NSIG_K 64
#define SIGBIT(s) (1ull << ((s) - 1))
#define SIG_DFL_K 0ull
#define SIG_IGN_K 1ull
#define SA_SIGINFO_K 0x4ull
#define SA_ONSTACK_K 0x08000000ull
#define SA_RESTORER_K 0x04000000ull
#define SA_NODEFER_K 0x40000000ull
#define SA_RESETHAND_K 0x80000000ull
#define SS_ONSTACK_K 1
#define SS_DISABLE_K 2
#define SIGKILL_K 9
#define SIGSTOP_K 19
#define UNBLOCKABLE (SIGBIT(SIGKILL_K) | SIGBIT(SIGSTOP_K))
/* CF PF AF ZF SF TF DF OF AC RF: what rt_sigreturn may restore (Linux FIX_EFLAGS). */
#define USER_EFLAGS 0x50dd5ull

struct ksigaction {
	uint64_t handler, flags, restorer, mask;
};

static struct ksigaction actions[NSIG_K + 1];
static GK_HOT uint64_t blocked, pending;
static struct {
	uint64_t sp;
	int32_t flags, pad;
	uint64_t size;
} altstack = { 0, SS_DISABLE_K, 0, 0 };

/* Linux x86-64 signal frame: what a handler (and rt_sigreturn) sees. */
struct sigcontext_k {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip;
	uint64_t eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2, fpstate, reserved[8];
};

struct ucontext_k {
	uint64_t flags, link;
	uint64_t ss_sp;
	int32_t ss_flags, pad;
	uint64_t ss_size;
	struct sigcontext_k mc;
	uint64_t sigmask;
};

struct siginfo_k {
	int32_t signo, errno_, code, pad;
	int32_t pid, uid;
	uint8_t rest[128 - 24];
};

struct rt_sigframe_k {
	uint64_t pretcode;
	struct ucontext_k uc;
	struct siginfo_k info;
};

long sys_rt_sigaction(struct gk_frame *f)
{
	long sig = (long)A0;

	if (sig < 1 || sig > NSIG_K || A3 != 8)
		return -EINVAL;
	if (A2) {
		if (!user_ok(A2, sizeof(struct ksigaction)))
			return -EFAULT;
		*(struct ksigaction *)A2 = actions[sig];
	}
	if (A1) {
		if (sig == SIGKILL_K || sig == SIGSTOP_K)
			return -EINVAL;
		if (!user_ok(A1, sizeof(struct ksigaction)))
			return -EFAULT;
		actions[sig] = *(const struct ksigaction *)A1;
		actions[sig].mask &= ~UNBLOCKABLE;
	}
	return 0;
}

long sys_rt_sigprocmask(struct gk_frame *f)
{
	uint64_t set;

	if (A3 != 8)
		return -EINVAL;
	if (A2) {
		if (!user_ok(A2, 8))
			return -EFAULT;
		*(uint64_t *)A2 = blocked;
	}
	if (!A1)
		return 0;
	if (!user_ok(A1, 8))
		return -EFAULT;
	set = *(const uint64_t *)A1 & ~UNBLOCKABLE;
	switch (A0) {
	case 0: blocked |= set; break;  /* SIG_BLOCK */
	case 1: blocked &= ~set; break; /* SIG_UNBLOCK */
	case 2: blocked = set; break;   /* SIG_SETMASK */
	default: return -EINVAL;
	}
	return 0;
}

long sys_sigaltstack(struct gk_frame *f)
{
	if (A1) {
		if (!user_ok(A1, sizeof(altstack)))
			return -EFAULT;
		memcpy((void *)A1, &altstack, sizeof(altstack));
	}
	if (A0) {
		if (!user_ok(A0, sizeof(altstack)))
			return -EFAULT;
		memcpy(&altstack, (const void *)A0, sizeof(altstack));
		if (altstack.flags & ~(SS_DISABLE_K | SS_ONSTACK_K))
			return -EINVAL;
		if (!(altstack.flags & SS_DISABLE_K) && altstack.size < 2048)
			return -ENOMEM;
	}
	return 0;
}

long signal_raise(struct gk_frame *f, int sig)
{
	(void)f;
	if (sig < 0 || sig > NSIG_K)
		return -EINVAL;
	if (sig)
		pending |= SIGBIT(sig);
	return 0;
}

static int is_self(int64_t pid)
{
	return pid == gk_pid || pid == 0 || pid == -1 || pid == -gk_pid;
}

long sys_kill(struct gk_frame *f)
{
	return is_self((int64_t)(int)A0) ? signal_raise(f, (int)A1) : -ESRCH;
}

long sys_tgkill(struct gk_frame *f)
{
	return (int)A0 == gk_pid && (int)A1 == gk_pid ? signal_raise(f, (int)A2) : -ESRCH;
}

long sys_tkill(struct gk_frame *f)
{
	return (int)A0 == gk_pid ? signal_raise(f, (int)A1) : -ESRCH;
}

static int ignored_by_default(int sig)
{
	/* SIGCHLD, SIGCONT, SIGURG, SIGWINCH; stop signals do nothing without job control. */
	return sig == 17 || sig == 18 || sig == 23 || sig == 28 || (sig >= 19 && sig <= 22);
}

static void setup_frame(struct gk_frame *f, int sig, const struct ksigaction *a)
{
	uint64_t sp = f->rsp - 128;
	struct rt_sigframe_k *fr;

	if ((a->flags & SA_ONSTACK_K) && !(altstack.flags & SS_DISABLE_K) &&
	    !(f->rsp > altstack.sp && f->rsp <= altstack.sp + altstack.size))
		sp = altstack.sp + altstack.size;
	sp = ((sp - sizeof(*fr)) & ~15ull) - 8;
	if (!user_ok(sp, sizeof(*fr)) || !(a->flags & SA_RESTORER_K))
		gk_exit(0, 11); /* no room for the frame: SIGSEGV, as Linux does */
	fr = (struct rt_sigframe_k *)sp;
	memset(fr, 0, sizeof(*fr));
	fr->pretcode = a->restorer;
	fr->uc.ss_sp = altstack.sp;
	fr->uc.ss_flags = altstack.flags;
	fr->uc.ss_size = altstack.size;
	fr->uc.mc = (struct sigcontext_k){
		.r8 = f->r8, .r9 = f->r9, .r10 = f->r10, .r11 = f->r11, .r12 = f->r12,
		.r13 = f->r13, .r14 = f->r14, .r15 = f->r15, .rdi = f->rdi, .rsi = f->rsi,
		.rbp = f->rbp, .rbx = f->rbx, .rdx = f->rdx, .rax = f->rax, .rcx = f->rcx,
		.rsp = f->rsp, .rip = f->rcx, .eflags = f->r11, .cs = 0x33, .ss = 0x2b,
	};
	fr->uc.sigmask = blocked;
	fr->info.signo = sig;
	fr->info.code = -6; /* SI_TKILL */
	fr->info.pid = gk_pid;
	fr->info.uid = (int32_t)cred_uid(); /* the sender's real uid: the program itself */
	blocked |= a->mask | ((a->flags & SA_NODEFER_K) ? 0 : SIGBIT(sig));
	blocked &= ~UNBLOCKABLE;
	f->rdi = (uint64_t)sig;
	f->rsi = (uint64_t)&fr->info;
	f->rdx = (uint64_t)&fr->uc;
	f->rax = 0;
	f->rsp = sp;
	f->rcx = a->handler;
}

long signal_deliver_pending(struct gk_frame *f)
{
	while (pending & ~blocked) {
		int sig = __builtin_ctzll(pending & ~blocked) + 1;
		struct ksigaction a = actions[sig];

		pending &= ~SIGBIT(sig);
		if (a.handler == SIG_IGN_K && sig != SIGKILL_K)
			continue;
		if (a.handler == SIG_DFL_K || sig == SIGKILL_K) {
			if (ignored_by_default(sig))
				continue;
			gk_exit(0, sig);
		}
		if (a.flags & SA_RESETHAND_K)
			actions[sig].handler = SIG_DFL_K;
		setup_frame(f, sig, &a);
		return sig;
	}
	return 0;
}

long sys_rt_sigreturn(struct gk_frame *f)
{
	const struct ucontext_k *uc = (const struct ucontext_k *)f->rsp;
	const struct sigcontext_k *m = &uc->mc;

	if (!user_ok(f->rsp, sizeof(*uc)))
		gk_exit(0, 11);
	/* Only the flags a program may change: never IOPL, NT or VM (sysretq would load them). */
	f->r8 = m->r8; f->r9 = m->r9; f->r10 = m->r10; f->r12 = m->r12;
	f->r11 = (m->eflags & USER_EFLAGS) | 0x202;
	f->r13 = m->r13; f->r14 = m->r14; f->r15 = m->r15; f->rdi = m->rdi; f->rsi = m->rsi;
	f->rbp = m->rbp; f->rbx = m->rbx; f->rdx = m->rdx; f->rcx = m->rip; f->rsp = m->rsp;
	blocked = uc->sigmask & ~UNBLOCKABLE;
	return (long)m->rax;
}

void signal_masks(uint64_t *blocked_out, uint64_t *ignored, uint64_t *caught)
{
	int sig;

	*blocked_out = blocked;
	*ignored = *caught = 0;
	for (sig = 1; sig <= NSIG_K && sig <= 64; sig++) {
		if (actions[sig].handler == SIG_IGN_K)
			*ignored |= 1ull << (sig - 1);
		else if (actions[sig].handler != SIG_DFL_K)
			*caught |= 1ull << (sig - 1);
	}
}

/* execve: handled signals go back to their default action (ignored ones stay ignored); masks and
 * pending signals stay; the alternate stack is gone with the old memory. */
void signal_exec_reset(void)
{
	int s;

	for (s = 1; s <= NSIG_K; s++)
		if (actions[s].handler != SIG_IGN_K)
			actions[s] = (struct ksigaction){ 0 };
		else
			actions[s].flags = actions[s].restorer = actions[s].mask = 0;
	altstack.sp = altstack.size = 0;
	altstack.flags = SS_DISABLE_K;
}

/* The lowest pending signal in mask (0 if none), taken off the pending set when take is set. */
int signal_pending_in(uint64_t mask, int take)
{
	int sig = pending & mask ? __builtin_ctzll(pending & mask) + 1 : 0;

	if (sig && take)
		pending &= ~SIGBIT(sig);
	return sig;
}
