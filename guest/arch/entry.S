/* entry.S - guest kernel header, syscall entry/return, and the one-instruction exception stubs. */
#include "../../include/vmlet_abi.h"

	.section .gk_header, "a"
	.long VMLET_GK_MAGIC, VMLET_ABI_VERSION
	.quad gk_syscall_entry, gk_fault_stubs, gk_boot, gk_hypercall, gk_ring, gk_stats
	.quad __text_end, __bss_end, gk_vdso, gk_tlb_flush

	.text
/*
 * `syscall` lands here. On hardware KVM the CPU is now at CPL0; under a
 * software-assisted KVM it may still be at CPL3 (CS unchanged). Both paths
 * save the program's registers on the guest kernel stack and call C; the
 * return path is chosen by the current CPL: sysretq at CPL0, and at CPL3
 * (where sysretq faults) popfq + jmp, which leaves the program's red zone intact.
 */
	.globl gk_syscall_entry
gk_syscall_entry:
	movq %rsp, gk_user_rsp(%rip)
	leaq gk_kstack_top(%rip), %rsp
	pushq gk_user_rsp(%rip)
	pushq %rax
	pushq %rcx
	pushq %rdi
	pushq %rsi
	pushq %rdx
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	call gk_syscall
	movl %cs, %eax
	testb $3, %al
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdx
	popq %rsi
	popq %rdi
	popq %rcx
	jnz 1f
	popq %rax
	popq %rsp
	sysretq
1:	popq %rax
	pushq %r11
	popfq
	popq %rsp
	jmp *%rcx

/*
 * `int $VMLET_TLB_FLUSH_VECTOR`: the guest kernel changed page tables and drops the
 * stale translations. At CPL0 it could do this itself; at CPL3 (a software-assisted
 * KVM) it cannot, so it always comes here (CPL0, on the exception stack).
 */
	.globl gk_tlb_flush
gk_tlb_flush:
	pushq %rax
	movq %cr3, %rax
	movq %rax, %cr3
	popq %rax
	iretq

/* Exception `v` from any CPL: report it to the host; the VM never resumes. */
	.balign VMLET_FAULT_STUB_SIZE
	.globl gk_fault_stubs
gk_fault_stubs:
	.set vector, 0
	.rept VMLET_FAULT_VECTORS
	.balign VMLET_FAULT_STUB_SIZE
	outb %al, $(VMLET_PORT_FAULT_BASE + vector)
	hlt
	jmp .
	.set vector, vector + 1
	.endr

	.section .bss.hot, "aw", @nobits
	.balign 16
gk_user_rsp:
	.quad 0
	.bss
	.balign 4096
gk_kstack:
	.space 65536
gk_kstack_top:

/* The vDSO image, page-aligned in the text (read+execute for the program). */
	.section .text.vdso, "ax"
	.balign 4096
	.globl gk_vdso
gk_vdso:
	.incbin VDSO_BIN
	.balign 4096
