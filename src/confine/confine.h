/* confine.h - narrows the vmlet process before the guest's first instruction: privileges, limits, seccomp. */
#ifndef VMLET_CONFINE_H
#define VMLET_CONFINE_H

#include "vmlet.h"

/*
 * Switch to user `name` (uid, gid, supplementary groups), which drops every
 * capability, and set no_new_privs. Call after the VM and its files exist.
 * Returns 0 or -errno with a message.
 */
int vmlet_drop_privileges(const char *name, struct vmlet_error *err);

/*
 * Limit the process to what running `vm` needs: RLIMIT_NOFILE at the fds in
 * use plus the VM's handle budget, no core dumps, and a seccomp-bpf allowlist
 * on every thread (any other host system call kills the process). Call after
 * vmlet_vm_create and before vmlet_vm_run; the process must not create
 * another VM afterwards.
 */
int vmlet_confine(const struct vmlet_vm *vm, struct vmlet_error *err);

/*
 * The same for a process that keeps creating VMs (a pool, --repeat): also
 * allows opening programs read-only and the KVM calls that build a VM, on
 * any fd (the fds of future VMs are unknown). `stdio` are the fds the runs use.
 */
int vmlet_confine_creator(const int stdio[3], int trace_fd, struct vmlet_error *err);

#endif
