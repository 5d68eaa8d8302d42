/* stack.h - build the System V x86-64 initial process stack (argc, argv, envp, auxv, strings). */
#ifndef VMLET_STACK_H
#define VMLET_STACK_H

#include <stddef.h>
#include <stdint.h>

struct stack_params {
	const char *const *argv; /* NULL-terminated, at least one entry */
	const char *const *envp; /* NULL-terminated, may be empty */
	const char *execfn;      /* AT_EXECFN string */
	uint64_t phdr, phent, phnum, entry; /* the program's (AT_ENTRY: its entry, not the interpreter's) */
	uint64_t base;           /* AT_BASE: where the interpreter was loaded; 0 without one */
	uint64_t hwcap, hwcap2;
	uint64_t sysinfo_ehdr;   /* the vDSO (AT_SYSINFO_EHDR), 0 for none */
	uint32_t uid, gid;
	uint8_t random[16];      /* AT_RANDOM bytes */
};

/*
 * Build the stack in the host buffer `window`, which backs guest-virtual
 * [top - size, top). On success stores the initial RSP (16-byte aligned,
 * pointing at argc) and returns 0; returns -E2BIG if it does not fit in
 * `limit` bytes (Linux's ARG_MAX rule: a quarter of the stack).
 */
int stack_build(uint8_t *window, uint64_t top, uint64_t size, uint64_t limit,
		const struct stack_params *p, uint64_t *rsp);

#endif
