/* filter_rules.c - the seccomp allowlist's rules, written with libseccomp. */
#include "filter.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

/* By number: libc headers may #define names like pread64 to something else. */
/* Bits that make an open able to write or create (3, not O_ACCMODE: musl adds O_PATH to it). */
#define OPEN_WRITE_BITS (3 | O_CREAT | O_TRUNC | O_APPEND)

#define ALLOW(nr) seccomp_rule_add(ctx, SCMP_ACT_ALLOW, __NR_##nr, 0)
/* KICK_SIGNAL (src/core/vm_internal.h), SIGRTMAX - 1: 63 with glibc and musl on x86-64. */
#define KICK_SIGNAL_K 63

/* The vCPU loop, the hypercalls, output, the tick timer, the allocator, the reaper. */
int filter_add_rules(scmp_filter_ctx ctx, const struct filter_values *v)
{
	static const unsigned long vcpu_requests[] = { KVM_RUN, KVM_GET_REGS, KVM_GET_SREGS, KVM_SET_REGS,
						       KVM_SET_SREGS };
	static const unsigned long tty_requests[] = { TCGETS, TIOCGWINSZ };
	int r = 0;
	size_t i, j;

	/* vCPU: run it; read its registers to report a fault, set them to hand the program's fault
	 * to the guest kernel as a signal (any fd: creator mode). */
	for (i = 0; i < sizeof(vcpu_requests) / sizeof(vcpu_requests[0]); i++)
		r |= v->vcpu_fd >= 0 && !v->processes
			     ? seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2,
						SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)v->vcpu_fd),
						SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, vcpu_requests[i]))
			     : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
						SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, vcpu_requests[i]));
	/* Terminal queries the guest forwards for its stdio. */
	for (i = 0; i < 3; i++)
		for (j = 0; j < sizeof(tty_requests) / sizeof(tty_requests[0]); j++)
			r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2,
					      SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)v->stdio[i]),
					      SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, tty_requests[j]));
	/* Hypercalls: stdio and granted files (openat2 always carries RESOLVE_BENEATH). */
	r |= ALLOW(read) | ALLOW(pread64) | ALLOW(write) | ALLOW(pwrite64) | ALLOW(writev) | ALLOW(lseek);
	r |= ALLOW(openat2) | ALLOW(close) | ALLOW(fstat) | ALLOW(newfstatat);
	r |= ALLOW(getdents64) | ALLOW(readlinkat) | ALLOW(ppoll) | ALLOW(clock_gettime);
	/* Every granted path opened is refused on procfs, sysfs and other kernel interfaces;
	 * the guest's statfs of a grant or channel (VMLET_HC_STATFS). */
	r |= ALLOW(fstatfs);
	/* Each guest open of a channel duplicates the fd opened at create. */
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1, SCMP_A1(SCMP_CMP_EQ, F_DUPFD_CLOEXEC));
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1, SCMP_A1(SCMP_CMP_EQ, F_SETFD)); /* musl's dup */
	/* The 50 ms tick: timer, kick signal, its handler's return. */
	r |= ALLOW(timer_create) | ALLOW(timer_settime) | ALLOW(timer_delete) | ALLOW(gettid);
	r |= ALLOW(rt_sigprocmask) | ALLOW(rt_sigreturn) | ALLOW(restart_syscall);
	/* vmlet_vm_kill kicks the vCPU thread: signals to this process's own threads only. */
	r |= ALLOW(getpid);
	/* Never a stop signal (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU: 19..22): a forked VMM shares this
	 * rule and its first VMM's pid, and a stopped first VMM would hang the run. */
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 2, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)v->pid),
			      SCMP_A2(SCMP_CMP_LT, SIGSTOP));
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 2, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)v->pid),
			      SCMP_A2(SCMP_CMP_GT, SIGTTOU));
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tkill), 2, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)v->pid),
			      SCMP_A1(SCMP_CMP_LT, SIGSTOP));
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tkill), 2, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)v->pid),
			      SCMP_A1(SCMP_CMP_GT, SIGTTOU));
	/* The allocator and locks; no new executable memory. */
	r |= ALLOW(brk) | ALLOW(munmap) | ALLOW(mremap) | ALLOW(madvise) | ALLOW(futex);
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
			      SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	/* The reaper: a CLONE_VM child that closes the VM's last references. */
	r |= ALLOW(pipe2) | ALLOW(close_range);
	/* The guest's socketpair (VMLET_HC_SOCKETPAIR): a connected AF_UNIX pair, nothing named. */
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socketpair), 1, SCMP_A0(SCMP_CMP_EQ, AF_UNIX));
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
			      SCMP_A0(SCMP_CMP_EQ, CLONE_VM | CLONE_UNTRACED));
	r |= ALLOW(exit) | ALLOW(exit_group);
	/* Transactional outputs (src/host/commit.c): flush files and directories; lock append
	 * targets (flock: only fds opened before confinement exist); undo an append (ftruncate, also
	 * the guest's ftruncate of a written file channel: VMLET_HC_TRUNCATE);
	 * back up, mark, rename or remove inside the output directories only. */
	r |= ALLOW(fsync) | ALLOW(flock) | ALLOW(ftruncate);
	for (i = 0; i < (size_t)v->ncommit_dirs; i++) {
		scmp_datum_t d = (scmp_datum_t)v->commit_dirs[i];
		r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(linkat), 3, SCMP_A0(SCMP_CMP_EQ, d),
				      SCMP_A2(SCMP_CMP_EQ, d), SCMP_A4(SCMP_CMP_EQ, 0)); /* no AT_EMPTY_PATH */
		r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(renameat), 2, SCMP_A0(SCMP_CMP_EQ, d),
				      SCMP_A2(SCMP_CMP_EQ, d));
		r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(renameat2), 2, SCMP_A0(SCMP_CMP_EQ, d),
				      SCMP_A2(SCMP_CMP_EQ, d));
		r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(unlinkat), 1, SCMP_A0(SCMP_CMP_EQ, d));
	}
	if (v->processes)
		r |= filter_add_process_rules(ctx);
	return r ? -EINVAL : 0;
}

/*
 * A guest fork (src/core/fork.c, src/core/tree.c): the host's fork with a pidfd of the child,
 * and the child's death signal; the new VM over the child's copy of guest memory and the vCPU state carried
 * over; a pidfd per child, to wait for it and to kill it, and nothing else to signal.
 */
int filter_add_process_rules(scmp_filter_ctx ctx)
{
	static const unsigned long vcpu_requests[] = {
		KVM_GET_XCRS, KVM_GET_XSAVE, KVM_GET_MSRS, KVM_SET_USER_MEMORY_REGION, KVM_CREATE_VCPU,
		KVM_SET_CPUID2, KVM_SET_SREGS, KVM_SET_MSRS, KVM_SET_XCRS, KVM_SET_XSAVE, KVM_SET_REGS,
		KVM_CREATE_VM, /* on /dev/kvm, the only fd that answers it */
	};
	int r = 0;
	size_t i;

	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1, SCMP_A0(SCMP_CMP_EQ, CLONE_PIDFD | SIGCHLD));
	r |= ALLOW(getppid);
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 2, SCMP_A0(SCMP_CMP_EQ, PR_SET_PDEATHSIG),
			      SCMP_A1(SCMP_CMP_EQ, SIGKILL));
	for (i = 0; i < sizeof(vcpu_requests) / sizeof(vcpu_requests[0]); i++)
		r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				      SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, vcpu_requests[i]));
	r |= ALLOW(waitid);
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(pidfd_send_signal), 1, SCMP_A1(SCMP_CMP_EQ, SIGKILL));
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(pidfd_send_signal), 1,
			      SCMP_A1(SCMP_CMP_EQ, KICK_SIGNAL_K)); /* the kick: a signal for a child's guest */
	return r ? -EINVAL : 0;
}

/*
 * Building VMs: open the program read-only, the KVM calls of shell_prepare and
 * the program load, guest memory, and the per-create checks of stdio.
 */
int filter_add_creator_rules(scmp_filter_ctx ctx, int kvm_fd)
{
	static const unsigned long build_requests[] = {
		KVM_SET_USER_MEMORY_REGION, KVM_CREATE_VCPU, KVM_SET_CPUID2, KVM_SET_SREGS,
		KVM_SET_MSRS, KVM_SET_XCRS, KVM_SET_REGS, KVM_GET_TSC_KHZ,
		/* vmlet_vm_reuse: reset the vCPU, read a new vCPU's MSRs once */
		KVM_SET_XSAVE, KVM_SET_DEBUGREGS, KVM_SET_VCPU_EVENTS, KVM_GET_MSRS,
		KVM_GET_MSR_INDEX_LIST, KVM_CHECK_EXTENSION,
	};
	int r = 0;
	size_t i;

	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2,
			      SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)kvm_fd),
			      SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, KVM_CREATE_VM));
	for (i = 0; i < sizeof(build_requests) / sizeof(build_requests[0]); i++)
		r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				      SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, build_requests[i]));
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
			      SCMP_A2(SCMP_CMP_MASKED_EQ, OPEN_WRITE_BITS, O_RDONLY));
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, __NR_open, 1, /* musl's open() */
			      SCMP_A1(SCMP_CMP_MASKED_EQ, OPEN_WRITE_BITS, O_RDONLY));
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1, SCMP_A1(SCMP_CMP_EQ, F_GETFL));
	r |= ALLOW(getrandom) | ALLOW(sched_yield);
	/* Each VM resolves its read-only grants (realpath, stat). */
	r |= ALLOW(readlink) | ALLOW(stat) | ALLOW(lstat);
	/* The image cache: a sealed memfd per program. */
	r |= ALLOW(memfd_create) | ALLOW(ftruncate);
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1, SCMP_A1(SCMP_CMP_EQ, F_ADD_SEALS));
	return r ? -EINVAL : 0;
}

scmp_filter_ctx filter_new(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);

	if (ctx && seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)) {
		seccomp_release(ctx);
		return NULL;
	}
	return ctx;
}

void filter_values_for_vm(const struct vmlet_host_fds *fds, struct filter_values *v)
{
	int i;

	v->vcpu_fd = fds->vcpu_fd;
	for (i = 0; i < 3; i++)
		v->stdio[i] = fds->stdio[i] >= 0 ? fds->stdio[i] : FILTER_UNUSED_FD(i);
	v->pid = getpid();
	v->processes = fds->max_procs > 1;
	for (i = 0; i < VMLET_MAX_WRITTEN_FILES; i++)
		v->commit_dirs[i] = i < fds->ncommit_dirs ? fds->commit_dirs[i] : FILTER_UNUSED_FD(3 + i);
	v->ncommit_dirs = fds->ncommit_dirs <= FILTER_SMALL_SLOTS ? FILTER_SMALL_SLOTS : VMLET_MAX_WRITTEN_FILES;
}
