/* confine.h - narrows the vmlet process before the guest's first instruction: privileges, limits, Landlock, seccomp. */
#ifndef VMLET_CONFINE_H
#define VMLET_CONFINE_H

#include "vmlet.h"

/*
 * Switch to user `name` (uid, gid, supplementary groups), which drops every
 * capability, and set no_new_privs. Call once /dev/kvm is open (vmlet_vm_host_fds
 * with a NULL vm opens it) and before the VM's files are, so that they are opened
 * and committed with the user's permissions.
 * Returns 0 or -errno with a message.
 */
int vmlet_drop_privileges(const char *name, struct vmlet_error *err);
/* --user: vmlet_drop_privileges once /dev/kvm is open (the process keeps it), before a run's files
 * are opened: they are then opened, checked and committed with that user's permissions. */
int vmlet_become_user(const char *name, struct vmlet_error *err);

/*
 * Limit the process to what running `vm` needs: RLIMIT_NOFILE at the fds in
 * use plus the VM's handle budget, no core dumps, a Landlock domain (when the
 * kernel has Landlock) in which only the VM's grants can be read and only its
 * output directories changed, and a seccomp-bpf allowlist on every thread
 * (any other host system call kills the process). Call after vmlet_vm_create,
 * before vmlet_vm_run, from the thread that runs the VM, with no other thread
 * started; the process must not create another VM afterwards.
 */
int vmlet_confine(const struct vmlet_vm *vm, struct vmlet_error *err);

/*
 * vmlet_confine, with `ndirs` more output directories (O_PATH fds) in which the
 * process may still rename and remove files: where the CLI commits its report.
 * -E2BIG when they and the VM's together exceed VMLET_MAX_WRITTEN_FILES.
 */
int vmlet_confine_dirs(const struct vmlet_vm *vm, const int *dirs, int ndirs, struct vmlet_error *err);

/*
 * The same for a process that keeps creating VMs (a pool, --repeat): also
 * allows opening programs read-only and the KVM calls that build a VM, on
 * any fd (the fds of future VMs are unknown). `stdio` are the fds the runs use.
 */
int vmlet_confine_creator(const int stdio[3], int trace_fd, struct vmlet_error *err);

/*
 * The filesystem half for a creator, to call before the process starts any
 * thread (a Landlock domain binds the calling thread and those it starts):
 * every file stays readable, none can be written, created, renamed or
 * removed. No-op on a kernel without Landlock. Returns 0 or -errno.
 */
int vmlet_confine_creator_files(struct vmlet_error *err);

#endif
