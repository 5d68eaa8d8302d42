/* signal.c - signal dispositions and masks, the alternate stack, and delivery: signal frames and rt_sigreturn. */
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
#define SA_RESTART_K 0x10000000ull
#define SA_NOCLDWAIT_K 0x2ull
#define SIGCHLD_K 17
#define SI_USER_K 0
#define SI_TKILL_K (-6)
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
	union {
		struct {
			int32_t pid, uid; /* kill, tkill; timers: the timer id and overrun */
		} kill;
		uint64_t addr; /* faults */
	} u;
	uint64_t value; /* POSIX timers: sigev_value */
	uint8_t rest[128 - 32];
};

/* What siginfo says of a pending signal: si_code, the two ints after it, si_value. */
static struct {
	int32_t code;
	uint64_t ints, value;
} info_of[NSIG_K + 1];

struct rt_sigframe_k {
	uint64_t pretcode;
	struct ucontext_k uc;
	struct siginfo_k info;
};

static int resume_full; /* rt_sigreturn: every register comes back from the frame */
static int suspended;   /* rt_sigsuspend: the next frame saves suspend_mask, the mask before it */
static uint64_t suspend_mask;
static uint64_t awaited; /* rt_sigtimedwait: these end a wait even while blocked */

/* Ignored SIGCHLD, or SA_NOCLDWAIT: the children leave no zombies (the host reaps them). */
static void note_child_reaping(void)
{
	const struct ksigaction *a = &actions[SIGCHLD_K];

	gk_interrupt_info.child_reaping = a->handler == SIG_IGN_K || (a->flags & SA_NOCLDWAIT_K);
}

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
		note_child_reaping();
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

static int on_altstack(uint64_t sp)
{
	return !(altstack.flags & SS_DISABLE_K) && sp > altstack.sp && sp - altstack.sp <= altstack.size;
}

long sys_sigaltstack(struct gk_frame *f)
{
	int on = on_altstack(f->rsp);

	if (A1) {
		if (!user_ok(A1, sizeof(altstack)))
			return -EFAULT;
		memcpy((void *)A1, &altstack, sizeof(altstack));
		((int32_t *)A1)[2] = on ? SS_ONSTACK_K : altstack.flags;
	}
	if (A0) {
		int32_t flags;
		if (!user_ok(A0, sizeof(altstack)))
			return -EFAULT;
		flags = ((const int32_t *)A0)[2];
		if (flags & ~(SS_DISABLE_K | SS_ONSTACK_K))
			return -EINVAL;
		if (on) /* Linux: the stack in use may not change */
			return -EPERM;
		if (!(flags & SS_DISABLE_K) && ((const uint64_t *)A0)[2] < 2048)
			return -ENOMEM;
		memcpy(&altstack, (const void *)A0, sizeof(altstack));
		altstack.flags = flags & SS_DISABLE_K; /* SS_ONSTACK in a request means nothing */
		if (flags & SS_DISABLE_K)
			altstack.sp = altstack.size = 0;
	}
	return 0;
}

static int ignored_by_default(int sig)
{
	/* SIGCHLD, SIGCONT, SIGURG, SIGWINCH; stop signals do nothing without job control. */
	return sig == 17 || sig == 18 || sig == 23 || sig == 28 || (sig >= 19 && sig <= 22);
}

void signal_send(int sig, int32_t code, uint64_t value, uint64_t ints)
{
	if (sig < 1 || sig > NSIG_K)
		return;
	if (!(pending & SIGBIT(sig))) /* a standard signal pending twice is one */
		info_of[sig].code = code, info_of[sig].value = value, info_of[sig].ints = ints;
	pending |= SIGBIT(sig);
}

/* kill (SI_USER) or tkill/tgkill (SI_TKILL) to the program itself; sig 0 only checks. */
static long send_self(int sig, int32_t code)
{
	if (sig < 0 || sig > NSIG_K)
		return -EINVAL;
	if (sig)
		signal_send(sig, code, 0, (uint64_t)(uint32_t)gk_pid | (uint64_t)cred_uid() << 32);
	return 0;
}

long signal_raise(struct gk_frame *f, int sig)
{
	(void)f;
	return send_self(sig, SI_TKILL_K);
}

/* Take what came from outside the VM (the host's record) and the timers that are due. */
static void collect(void)
{
	volatile struct vmlet_interrupt *in = &gk_interrupt_info;
	uint64_t host = in->host_pending, fired = in->alarm_fired;

	if (host | fired) {
		in->host_pending = 0;
		in->alarm_fired = 0;
	}
	while (host) { /* sent by someone outside the sandbox: pid 0 */
		signal_send(__builtin_ctzll(host) + 1, SI_USER_K, 0, 0);
		host &= host - 1;
	}
	timers_run(fired);
}

/* A signal that is not blocked and does something: runs a handler or ends the program. */
static int deliverable(int sig)
{
	uint64_t h = actions[sig].handler;

	return h > SIG_IGN_K || (h == SIG_DFL_K && !ignored_by_default(sig));
}

int signal_interrupts(void)
{
	uint64_t ready;

	collect();
	if (pending & awaited)
		return 1;
	for (ready = pending & ~blocked; ready; ready &= ready - 1)
		if (deliverable(__builtin_ctzll(ready) + 1))
			return 1;
	return 0;
}


static int is_self(int64_t pid)
{
	return pid == gk_pid;
}

/* The signal set argument of the rt_sig* calls: 0, or -EINVAL/-EFAULT. */
static long read_set(uint64_t addr, uint64_t size, uint64_t *set)
{
	if (size != 8)
		return -EINVAL;
	if (!user_ok(addr, 8))
		return -EFAULT;
	*set = *(const uint64_t *)addr;
	return 0;
}

long sys_rt_sigpending(struct gk_frame *f)
{
	if (A1 != 8)
		return -EINVAL;
	if (!user_ok_w(A0, 8))
		return -EFAULT;
	collect();
	*(uint64_t *)A0 = pending;
	return 0;
}

long sys_rt_sigsuspend(struct gk_frame *f)
{
	uint64_t set;
	long r = read_set(A0, A1, &set);

	if (r)
		return r;
	suspend_mask = blocked;
	blocked = set & ~UNBLOCKABLE;
	suspended = 1; /* the handler's frame restores the mask before; a death needs none */
	return time_wait_signal();
}

long sys_rt_sigtimedwait(struct gk_frame *f)
{
	uint64_t set, ns = UINT64_MAX;
	long r = read_set(A0, A3, &set);
	int sig;

	if (r)
		return r;
	if (A1 && !user_ok_w(A1, sizeof(struct siginfo_k)))
		return -EFAULT;
	if (A2 && (r = time_read_timespec(A2, &ns)))
		return r;
	set &= ~UNBLOCKABLE;
	collect();
	if (!(pending & set)) {
		awaited = set;
		r = ns == UINT64_MAX ? time_wait_signal() : time_sleep(ns);
		awaited = 0;
		if (!(pending & set))
			return r ? r : -EAGAIN; /* interrupted by another signal, or timed out */
	}
	sig = __builtin_ctzll(pending & set) + 1;
	pending &= ~SIGBIT(sig);
	if (A1) {
		struct siginfo_k *si = (struct siginfo_k *)A1;
		memset(si, 0, sizeof(*si));
		si->signo = sig;
		si->code = info_of[sig].code;
		si->u.kill.pid = (int32_t)info_of[sig].ints;
		si->u.kill.uid = (int32_t)(info_of[sig].ints >> 32);
		si->value = info_of[sig].value;
	}
	return sig;
}

long sys_rt_sigqueueinfo(struct gk_frame *f)
{
	const struct siginfo_k *si = (const struct siginfo_k *)A2;
	int sig = (int)A1;

	if (!is_self((int64_t)(int)A0) || (int)A0 <= 0)
		return -ESRCH;
	if (sig < 0 || sig > NSIG_K)
		return -EINVAL;
	if (!user_ok(A2, sizeof(*si)))
		return -EFAULT;
	if (sig)
		signal_send(sig, si->code, si->value, (uint64_t)(uint32_t)si->u.kill.pid | (uint64_t)si->u.kill.uid << 32);
	return 0;
}

long sys_kill(struct gk_frame *f)
{
	int64_t pid = (int64_t)(int)A0;

	int mine = 0;
	long r;

	if (is_self(pid))
		return send_self((int)A1, SI_USER_K);
	if ((int)A1 < 0 || (int)A1 > NSIG_K)
		return -EINVAL;
	if (pid == 0 || pid < -1) { /* a process group: 0 is the caller's */
		long group = process_group();
		if (group < 0)
			return group;
		if (!pid)
			pid = -group;
		mine = -pid == group;
	}
	/* Another process of the run (its own VM), all of them but this one (-1), or a group's other
	 * members: the host hands the signal over; this one's own is sent here, after theirs. */
	r = hc(VMLET_HC_KILL, (uint64_t)pid, A1, 0, 0);
	if (mine)
		return send_self((int)A1, SI_USER_K) ? -EINVAL : 0;
	return r;
}

long sys_tgkill(struct gk_frame *f)
{
	return (int)A0 == gk_pid && (int)A1 == gk_pid ? signal_raise(f, (int)A2) : -ESRCH;
}

long sys_tkill(struct gk_frame *f)
{
	return (int)A0 == gk_pid ? signal_raise(f, (int)A1) : -ESRCH;
}


/* Bytes of the XSAVE area for the state XCR0 enables (CPUID 0xd.0 EBX), asked once. */
static uint64_t xsave_size(void)
{
	static uint64_t size;
	uint32_t a, b, c, d;

	if (!size) {
		__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0xd), "c"(0));
		size = b < 576 ? 576 : b;
	}
	return size;
}

/*
 * Build Linux's rt_sigframe for sig on the program's stack (or its alternate stack), below
 * the red zone and the saved FPU/SSE/AVX state, and point the frame at the handler. The
 * interrupted context is f (ctx_rcx/ctx_r11: its real rcx and r11); fault: a fault's
 * values, or NULL for a signal sent. -1 if the frame does not fit in writable memory.
 */
static int setup_frame(struct gk_frame *f, int sig, const struct ksigaction *a,
		       const struct vmlet_interrupt *fault)
{
	uint64_t sp = f->rsp - 128, fpu, xsize = xsave_size();
	struct rt_sigframe_k *fr;

	if ((a->flags & SA_ONSTACK_K) && !(altstack.flags & SS_DISABLE_K) && !on_altstack(f->rsp))
		sp = altstack.sp + altstack.size;
	fpu = (sp - xsize) & ~63ull;
	sp = ((fpu - sizeof(*fr)) & ~15ull) - 8;
	if (sp > fpu || !user_ok_w(sp, fpu + xsize - sp) || !(a->flags & SA_RESTORER_K))
		return -1;
	memset((void *)(fpu + 512), 0, 64); /* the XSAVE header: xrstor wants its reserved bytes zero */
	__asm__ volatile("xsave64 (%0)" : : "r"(fpu), "a"(~0u), "d"(~0u) : "memory");
	fr = (struct rt_sigframe_k *)sp;
	memset(fr, 0, sizeof(*fr));
	fr->pretcode = a->restorer;
	fr->uc.ss_sp = altstack.sp;
	fr->uc.ss_flags = on_altstack(f->rsp) ? SS_ONSTACK_K : altstack.flags;
	fr->uc.ss_size = altstack.size;
	fr->uc.mc = (struct sigcontext_k){
		.r8 = f->r8, .r9 = f->r9, .r10 = f->r10, .r11 = f->ctx_r11, .r12 = f->r12,
		.r13 = f->r13, .r14 = f->r14, .r15 = f->r15, .rdi = f->rdi, .rsi = f->rsi,
		.rbp = f->rbp, .rbx = f->rbx, .rdx = f->rdx, .rax = f->rax, .rcx = f->ctx_rcx,
		.rsp = f->rsp, .rip = f->rcx, .eflags = f->r11, .cs = 0x33, .ss = 0x2b,
		.oldmask = suspended ? suspend_mask : blocked, .fpstate = fpu,
	};
	fr->uc.sigmask = fr->uc.mc.oldmask;
	suspended = 0;
	fr->info.signo = sig;
	if (fault) {
		fr->uc.mc.trapno = fault->trapno;
		fr->uc.mc.err = fault->error;
		fr->uc.mc.cr2 = fault->cr2;
		fr->info.code = fault->code;
		fr->info.u.addr = fault->addr;
	} else {
		fr->info.code = info_of[sig].code;
		fr->info.u.kill.pid = (int32_t)info_of[sig].ints;
		fr->info.u.kill.uid = (int32_t)(info_of[sig].ints >> 32);
		fr->info.value = info_of[sig].value;
	}
	blocked |= a->mask | ((a->flags & SA_NODEFER_K) ? 0 : SIGBIT(sig));
	blocked &= ~UNBLOCKABLE;
	if (a->flags & SA_RESETHAND_K)
		actions[sig].handler = SIG_DFL_K;
	f->rdi = (uint64_t)sig;
	f->rsi = (uint64_t)&fr->info;
	f->rdx = (uint64_t)&fr->uc;
	f->rax = 0;
	f->rsp = sp;
	f->rcx = a->handler;
	f->r11 = 0x202; /* DF clear for the handler, as Linux */
	return 0;
}

/* Linux restarts these after a handler with SA_RESTART (ERESTARTSYS); the others fail with EINTR. */
static int restartable(int64_t nr)
{
	switch (nr) {
	case 0: case 1: case 17: case 18: case 19: case 20: /* read write pread64 pwrite64 readv writev */
	case 61: case 73: case 202: case 247: case 295: case 296: /* wait4 flock futex waitid preadv pwritev */
		return 1;
	default:
		return 0;
	}
}

long signal_deliver(struct gk_frame *f, int64_t nr)
{
	collect();
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
		if (nr >= 0 && (int64_t)f->rax == -EINTR && restartable(nr) && (a.flags & SA_RESTART_K)) {
			f->rax = (uint64_t)nr; /* the handler returns to the syscall instruction again */
			f->rcx -= 2;
		}
		if (setup_frame(f, sig, &a, NULL))
			gk_exit(0, 11); /* no room for the frame: SIGSEGV, as Linux does */
		return sig;
	}
	return 0;
}

void signal_fault(struct gk_frame *f, const struct vmlet_interrupt *in)
{
	int sig = (int)in->signo;
	struct ksigaction a;

	/* Blocked, ignored or default: Linux's force_sig_fault kills with it. */
	if (sig < 1 || sig > NSIG_K || (blocked & SIGBIT(sig)) || actions[sig].handler <= SIG_IGN_K)
		hc(VMLET_HC_EXIT, 0, sig < 1 || sig > NSIG_K ? 11 : (uint64_t)sig, 1, 0);
	a = actions[sig];
	if (setup_frame(f, sig, &a, in)) /* no room for the frame (a stack overflow): SIGSEGV */
		hc(VMLET_HC_EXIT, 0, 11, 1, 0);
}

int signal_resume_full(void)
{
	int r = resume_full;

	resume_full = 0;
	return r;
}

long sys_rt_sigreturn(struct gk_frame *f)
{
	const struct ucontext_k *uc = (const struct ucontext_k *)f->rsp;
	const struct sigcontext_k *m = &uc->mc;

	if (!user_ok(f->rsp, sizeof(*uc)))
		gk_exit(0, 11);
	if (m->fpstate) {
		if ((m->fpstate & 63) || !user_ok(m->fpstate, xsave_size()))
			gk_exit(0, 11);
		__asm__ volatile("xrstor64 (%0)" : : "r"(m->fpstate), "a"(~0u), "d"(~0u) : "memory");
	}
	/* Only the flags a program may change: never IOPL, NT or VM (iretq would load them). */
	f->r8 = m->r8; f->r9 = m->r9; f->r10 = m->r10; f->r12 = m->r12;
	f->r11 = (m->eflags & USER_EFLAGS) | 0x202;
	f->r13 = m->r13; f->r14 = m->r14; f->r15 = m->r15; f->rdi = m->rdi; f->rsi = m->rsi;
	f->rbp = m->rbp; f->rbx = m->rbx; f->rdx = m->rdx; f->rcx = m->rip; f->rsp = m->rsp;
	f->ctx_rcx = m->rcx;
	f->ctx_r11 = m->r11;
	blocked = uc->sigmask & ~UNBLOCKABLE;
	resume_full = 1;
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
	note_child_reaping();
	timers_exec_reset();
}

/* The lowest pending signal in mask (0 if none), taken off the pending set when take is set. */
int signal_pending_in(uint64_t mask, int take)
{
	int sig;

	collect(); /* what the host and the timers sent */
	sig = pending & mask ? __builtin_ctzll(pending & mask) + 1 : 0;

	if (sig && take)
		pending &= ~SIGBIT(sig);
	return sig;
}

void signal_forked_child(void)
{
	pending = 0; /* a child starts with no pending signal; mask and dispositions are inherited */
	/* (The host cleared what its record held for the parent: what is there now is the child's.) */
	timers_forked_child();
}
