/* confine.c - privilege drop, resource limits, Landlock and the seccomp allowlist of a process running VMs. */
#include "confine.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/kvm.h>
#include <pwd.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock.h"
#include "vmlet_abi.h"

static int fail(struct vmlet_error *err, int code, const char *what)
{
	if (err) {
		err->code = code;
		snprintf(err->message, sizeof(err->message), "%s: %s", what, strerror(-code));
	}
	return code;
}

int vmlet_drop_privileges(const char *name, struct vmlet_error *err)
{
	struct passwd *pw = getpwnam(name);

	if (!pw) {
		if (err) {
			err->code = -EINVAL;
			snprintf(err->message, sizeof(err->message), "--user %s: no such user", name);
		}
		return -EINVAL;
	}
	if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0)
		return fail(err, -errno, "dropping group privileges");
	if (setuid(pw->pw_uid) < 0)
		return fail(err, -errno, "dropping user privileges");
	if (setuid(0) == 0) /* must be impossible now */
		return fail(err, -EPERM, "privileges could be regained");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fail(err, -errno, "PR_SET_NO_NEW_PRIVS");
	return 0;
}

/* Bytes of address space this process has now (guest RAM included), or 0 if unknown. */
static uint64_t address_space(void)
{
	unsigned long pages = 0;
	FILE *f = fopen("/proc/self/statm", "re");

	if (f) {
		if (fscanf(f, "%lu", &pages) != 1)
			pages = 0;
		fclose(f);
	}
	return (uint64_t)pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* The VMM's own allocations after confinement: stats, ring batches, a report. */
#define HEAP_HEADROOM (256ull << 20)

/* The highest fd open now (channels, grants and output directories included), or -1. */
static int highest_fd(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int top = -1;

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) > top)
			top = atoi(e->d_name);
	if (d)
		closedir(d);
	return top;
}

static int set_limits(const struct vmlet_host_fds *fds)
{
	struct rlimit core = { 0, 0 }, files, as;
	uint64_t now = address_space();
	int top = highest_fd(), i;

	top = fds->vcpu_fd > top ? fds->vcpu_fd : top;
	for (i = 0; i < 3; i++)
		top = fds->stdio[i] > top ? fds->stdio[i] : top;
	top = fds->trace_fd > top ? fds->trace_fd : top;
	/* Room for the guest's host handles and the reaper's pipe, nothing more. */
	if (fds->vcpu_fd < 0) /* creator: many VMs, each with its fds and handles */
		top += 4096;
	files.rlim_cur = files.rlim_max = (rlim_t)top + 1 + VMLET_HANDLE_MAX + 8;
	if (setrlimit(RLIMIT_CORE, &core) < 0 || setrlimit(RLIMIT_NOFILE, &files) < 0)
		return -errno;
	/* A single VM's process does not grow beyond its guest RAM and a little heap. */
	as.rlim_cur = as.rlim_max = (rlim_t)(now + HEAP_HEADROOM);
	if (now && fds->vcpu_fd >= 0 && setrlimit(RLIMIT_AS, &as) < 0)
		return -errno;
	return 0;
}

/* By number: libc headers may #define names like pread64 to something else. */
/* Bits that make an open able to write or create (3, not O_ACCMODE: musl adds O_PATH to it). */
#define OPEN_WRITE_BITS (3 | O_CREAT | O_TRUNC | O_APPEND)

#define ALLOW(nr) seccomp_rule_add(ctx, SCMP_ACT_ALLOW, __NR_##nr, 0)

/*
 * The allowlist. Everything the process does between the guest's first
 * instruction and its exit: the vCPU loop, the hypercalls, output, the tick
 * timer, the allocator, and the detached reaper that destroys the VM.
 */
static int add_rules(scmp_filter_ctx ctx, const struct vmlet_host_fds *fds)
{
	static const unsigned long vcpu_requests[] = { KVM_RUN, KVM_GET_REGS, KVM_GET_SREGS };
	static const unsigned long tty_requests[] = { TCGETS, TIOCGWINSZ };
	int r = 0;
	size_t i, j;

	/* vCPU: run it, and read its registers to report a fault (any fd: creator mode). */
	for (i = 0; i < sizeof(vcpu_requests) / sizeof(vcpu_requests[0]); i++)
		r |= fds->vcpu_fd >= 0
			     ? seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2,
						SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fds->vcpu_fd),
						SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, vcpu_requests[i]))
			     : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
						SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, vcpu_requests[i]));
	/* Terminal queries the guest forwards for its stdio. */
	for (i = 0; i < 3; i++)
		for (j = 0; j < sizeof(tty_requests) / sizeof(tty_requests[0]); j++)
			r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2,
					      SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fds->stdio[i]),
					      SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, tty_requests[j]));
	/* Hypercalls: stdio and granted files (openat2 always carries RESOLVE_BENEATH). */
	r |= ALLOW(read) | ALLOW(pread64) | ALLOW(write) | ALLOW(pwrite64) | ALLOW(writev) | ALLOW(lseek);
	r |= ALLOW(openat2) | ALLOW(close) | ALLOW(fstat) | ALLOW(newfstatat);
	r |= ALLOW(getdents64) | ALLOW(readlinkat) | ALLOW(ppoll) | ALLOW(clock_gettime);
	/* Each guest open of a channel duplicates the fd opened at create. */
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1, SCMP_A1(SCMP_CMP_EQ, F_DUPFD_CLOEXEC));
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1, SCMP_A1(SCMP_CMP_EQ, F_SETFD)); /* musl's dup */
	/* The 50 ms tick: timer, kick signal, its handler's return. */
	r |= ALLOW(timer_create) | ALLOW(timer_settime) | ALLOW(timer_delete) | ALLOW(gettid);
	r |= ALLOW(rt_sigprocmask) | ALLOW(rt_sigreturn) | ALLOW(restart_syscall);
	/* vmlet_vm_kill kicks the vCPU thread: signals to this process's own threads only. */
	r |= ALLOW(getpid);
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid()));
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tkill), 1, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid()));
	/* The allocator and locks; no new executable memory. */
	r |= ALLOW(brk) | ALLOW(munmap) | ALLOW(mremap) | ALLOW(madvise) | ALLOW(futex);
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
			      SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	/* The reaper: a CLONE_VM child that closes the VM's last references. */
	r |= ALLOW(pipe2) | ALLOW(close_range);
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
			      SCMP_A0(SCMP_CMP_EQ, CLONE_VM | CLONE_UNTRACED));
	r |= ALLOW(exit) | ALLOW(exit_group);
	/* Transactional outputs: flush, then rename or remove inside the output directories only. */
	r |= ALLOW(fsync);
	for (i = 0; i < (size_t)fds->ncommit_dirs; i++) {
		scmp_datum_t d = (scmp_datum_t)fds->commit_dirs[i];
		r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(renameat), 2, SCMP_A0(SCMP_CMP_EQ, d),
				      SCMP_A2(SCMP_CMP_EQ, d));
		r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(renameat2), 2, SCMP_A0(SCMP_CMP_EQ, d),
				      SCMP_A2(SCMP_CMP_EQ, d));
		r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(unlinkat), 1, SCMP_A0(SCMP_CMP_EQ, d));
	}
	return r ? -EINVAL : 0;
}

/*
 * Building VMs: open the program read-only, the KVM calls of shell_prepare and
 * the program load, guest memory, and the per-create checks of stdio.
 */
static int add_creator_rules(scmp_filter_ctx ctx, const struct vmlet_host_fds *fds)
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
			      SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fds->kvm_fd),
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

static int load_filter(const struct vmlet_host_fds *fds, int creator, struct vmlet_error *err)
{
	scmp_filter_ctx ctx;
	int r;

	if ((r = set_limits(fds)))
		return fail(err, r, "setting resource limits");
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		return fail(err, -ENOMEM, "seccomp_init");
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (!r)
		r = add_rules(ctx, fds);
	if (!r && creator)
		r = add_creator_rules(ctx, fds);
	if (!r)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r ? fail(err, r < 0 ? r : -EINVAL, "installing the seccomp filter") : 0;
}

int vmlet_confine(const struct vmlet_vm *vm, struct vmlet_error *err)
{
	struct vmlet_host_fds fds;
	int r;

	vmlet_vm_host_fds(vm, &fds);
	if ((r = landlock_confine(vm, &fds)) < 0)
		return fail(err, r, "installing the Landlock ruleset");
	return load_filter(&fds, 0, err);
}

int vmlet_confine_creator_files(struct vmlet_error *err)
{
	struct vmlet_host_fds fds;
	int r;

	vmlet_vm_host_fds(NULL, &fds); /* opens /dev/kvm (read-write) while it still can */
	if (fds.kvm_fd < 0)
		return 0; /* creating the first VM reports why */
	r = landlock_confine(NULL, NULL);
	return r < 0 ? fail(err, r, "installing the Landlock ruleset") : 0;
}

int vmlet_confine_creator(const int stdio[3], int trace_fd, struct vmlet_error *err)
{
	struct vmlet_host_fds fds = { .vm_fd = -1, .vcpu_fd = -1, .trace_fd = trace_fd };

	/* A creator's VMs write outputs in directories it cannot know in advance: deny. */
	int i;

	vmlet_vm_host_fds(NULL, &fds);
	for (i = 0; i < 3; i++)
		fds.stdio[i] = stdio[i];
	return load_filter(&fds, 1, err);
}
