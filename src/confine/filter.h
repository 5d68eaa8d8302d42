/* filter.h - the seccomp allowlist: its rules (libseccomp), and the single-VM filter prebuilt at build time. */
#ifndef VMLET_FILTER_H
#define VMLET_FILTER_H

#include <linux/filter.h>
#include <seccomp.h>
#include <stddef.h>

#include "vmlet.h"

/*
 * Fds no confined process can hold (RLIMIT_NOFILE is far lower): they fill
 * unused slots and stand for negative fds, each slot its own so that rules
 * never coincide (libseccomp would merge equal rules, the template cannot).
 */
#define FILTER_UNUSED_FD(slot) (0x7fffffff - (slot))

/* The values a VM's rules name. vcpu_fd < 0: a creator (its future vCPUs, any fd). */
struct filter_values {
	int vcpu_fd;
	int stdio[3];
	int pid;
	int commit_dirs[VMLET_MAX_WRITTEN_FILES]; /* FILTER_UNUSED_FD(3 + i) when unused */
	int ncommit_dirs;                         /* slots with a rule; for a VM, a template's */
	int processes;  /* the VMM may fork for the guest (src/core/fork.c): the fork rules, and its
			 * vCPU requests on any fd (a forked VMM's vCPU is a new one); vcpu_fd unused */
};

/* An empty filter whose every refusal, another architecture's calls included, kills the process; NULL on failure. */
scmp_filter_ctx filter_new(void);

/*
 * The allowlist: everything the process does between the guest's first
 * instruction and its exit. Returns 0 or -EINVAL.
 */
int filter_add_rules(scmp_filter_ctx ctx, const struct filter_values *v);

/* What a creator adds: building VMs (KVM_CREATE_VM on kvm_fd), opening programs read-only. */
int filter_add_creator_rules(scmp_filter_ctx ctx, int kvm_fd);

/* Fill v for a VM: its fds, this pid, the smallest template's slots (FILTER_UNUSED_FD beyond the real ones). */
void filter_values_for_vm(const struct vmlet_host_fds *fds, struct filter_values *v);

/*
 * The single-VM filter for v, from the template libseccomp compiled at build
 * time (gen_filter.c) with a placeholder for each value: the same program
 * filter_add_rules would give, without building it (0.5 ms with musl's
 * malloc). v->ncommit_dirs picks the template (FILTER_SMALL_SLOTS or
 * VMLET_MAX_WRITTEN_FILES). Writes at most `cap` instructions; returns their
 * count, -EINVAL for another slot count, or -ENOSPC.
 */
int filter_vm_program(const struct filter_values *v, struct sock_filter *out, size_t cap);

/* Placeholders of the template: value i of struct filter_values' order is FILTER_PLACEHOLDER + i. */
#define FILTER_PLACEHOLDER 0x7f5e0000u
#define FILTER_NVALUES (5 + VMLET_MAX_WRITTEN_FILES)
#define FILTER_MAX_INSNS 4096 /* BPF_MAXINSNS */
/* Templates exist for this many output directories and for VMLET_MAX_WRITTEN_FILES: each
 * slot adds instructions, and the kernel's load time grows with the program. */
#define FILTER_SMALL_SLOTS 4

/* What a VMM that forks for its guest adds (docs/SECURITY.md, "Processes"). */
int filter_add_process_rules(scmp_filter_ctx ctx);

#endif
