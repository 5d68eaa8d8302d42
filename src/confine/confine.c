/* confine.c - privilege drop, resource limits, Landlock and the seccomp allowlist of a process running VMs. */
#include "confine.h"

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <linux/seccomp.h>
#include <pwd.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "filter.h"
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

int vmlet_become_user(const char *name, struct vmlet_error *err)
{
	struct vmlet_host_fds fds;

	vmlet_vm_host_fds(NULL, &fds); /* opens /dev/kvm while it still can */
	return vmlet_drop_privileges(name, err);
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
	struct rlimit core = { 0, 0 }, files, as, cur;
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
	if (fds->max_procs > 1) /* a pidfd per child */
		files.rlim_cur = files.rlim_max += (rlim_t)fds->max_procs;
	/* Only ever lowered: after --user, raising the hard limit is not permitted. */
	if (getrlimit(RLIMIT_NOFILE, &cur) == 0 && files.rlim_max > cur.rlim_max)
		files.rlim_cur = files.rlim_max = cur.rlim_max;
	if (setrlimit(RLIMIT_CORE, &core) < 0 || setrlimit(RLIMIT_NOFILE, &files) < 0)
		return -errno;
	/* A single VM's process does not grow beyond its guest RAM and a little heap. */
	as.rlim_cur = as.rlim_max = (rlim_t)(now + HEAP_HEADROOM);
	if (now && fds->vcpu_fd >= 0 && setrlimit(RLIMIT_AS, &as) < 0)
		return -errno;
	return 0;
}

/* A VM's filter: the prebuilt program with this VM's values, installed on every thread. */
static int load_vm_filter(const struct vmlet_host_fds *fds)
{
	static struct sock_filter program[FILTER_MAX_INSNS];
	struct filter_values v;
	struct sock_fprog prog;
	int n;

	filter_values_for_vm(fds, &v);
	if ((n = filter_vm_program(&v, program, FILTER_MAX_INSNS)) < 0)
		return n;
	prog.len = (unsigned short)n;
	prog.filter = program;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	n = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog);
	return n < 0 ? -errno : n > 0 ? -EAGAIN : 0; /* > 0: a thread that could not be synchronized */
}

/* A creator's filter, built with libseccomp: once per process, off the per-run path. */
static int load_creator_filter(const struct vmlet_host_fds *fds)
{
	struct filter_values v;
	scmp_filter_ctx ctx = filter_new();
	int r;

	if (!ctx)
		return -ENOMEM;
	filter_values_for_vm(fds, &v); /* vcpu_fd is -1: rules for any vCPU */
	v.ncommit_dirs = 0;            /* a creator's runs write no files */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (!r)
		r = filter_add_rules(ctx, &v);
	if (!r)
		r = filter_add_creator_rules(ctx, fds->kvm_fd);
	if (!r)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r < 0 ? r : r ? -EINVAL : 0;
}

int vmlet_confine(const struct vmlet_vm *vm, struct vmlet_error *err)
{
	return vmlet_confine_dirs(vm, NULL, 0, err);
}

int vmlet_confine_dirs(const struct vmlet_vm *vm, const int *dirs, int ndirs, struct vmlet_error *err)
{
	struct vmlet_host_fds fds;
	int r, i;

	vmlet_vm_host_fds(vm, &fds);
	if (ndirs > VMLET_MAX_WRITTEN_FILES - fds.ncommit_dirs)
		return fail(err, -E2BIG, "output directories");
	for (i = 0; i < ndirs; i++)
		fds.commit_dirs[fds.ncommit_dirs++] = dirs[i];
	if ((r = set_limits(&fds)))
		return fail(err, r, "setting resource limits");
	if ((r = landlock_confine(vm, &fds)) < 0)
		return fail(err, r, "installing the Landlock ruleset");
	if ((r = load_vm_filter(&fds)))
		return fail(err, r, "installing the seccomp filter");
	return 0;
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
	/* No output directories: a creator's runs may not write files. */
	struct vmlet_host_fds fds = { .vm_fd = -1, .vcpu_fd = -1, .trace_fd = trace_fd };
	int i, r;

	vmlet_vm_host_fds(NULL, &fds);
	for (i = 0; i < 3; i++)
		fds.stdio[i] = stdio[i];
	if ((r = set_limits(&fds)))
		return fail(err, r, "setting resource limits");
	if ((r = load_creator_filter(&fds)))
		return fail(err, r, "installing the seccomp filter");
	return 0;
}
