/* entry.S - guest kernel header, syscall entry/return, and the one-instruction exception stubs. */
#include "../../include/vmlet_abi.h"

	.section .gk_header, "a"
	.long VMLET_GK_MAGIC, VMLET_ABI_VERSION
	.quad gk_syscall_entry, gk_fault_stubs, gk_boot, gk_hypercall, gk_ring, gk_stats
	.quad __text_end, __bss_end, gk_vdso, gk_tlb_flush
	.quad gk_interrupt_entry, gk_interrupt_info, gk_hc_gate

/* struct gk_frame on the kernel stack: rsp, rip and rflags slots from the operands given. */
.macro push_frame rsp_src, rip_src, flags_src
	pushq %r11
	pushq %rcx
	pushq \rsp_src
	pushq %rax
	pushq \rip_src
	pushq %rdi
	pushq %rsi
	pushq %rdx
	pushq %r8
	pushq %r9
	pushq %r10
	pushq \flags_src
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
.endm

/* Registers back from the frame up to its rcx slot (flags untouched); rax and rsp are left. */
.macro pop_frame_to_rcx
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
.endm

	.text
/*
 * `syscall` lands here. On hardware KVM the CPU is now at CPL0; under a
 * software-assisted KVM it may still be at CPL3 (CS unchanged). Both paths
 * save the program's registers on the guest kernel stack and call C; the
 * return path is chosen by the current CPL: sysretq at CPL0, and at CPL3
 * (where sysretq faults) popfq + jmp, which leaves the program's red zone intact.
 * The frame (struct gk_frame) ends with rcx and r11 as the program had them (at a
 * syscall: its return address and flags); when gk_syscall returns nonzero
 * (rt_sigreturn), every register comes back from the frame (gk_resume_full).
 */
	.globl gk_syscall_entry
gk_syscall_entry:
	movq %rsp, gk_user_rsp(%rip)
	leaq gk_kstack_top(%rip), %rsp
	push_frame gk_user_rsp(%rip), %rcx, %r11
	cld
	movq %rsp, %rdi
	call gk_syscall
	testl %eax, %eax
	jnz gk_resume_full
	movl %cs, %eax
	testb $3, %al
	pop_frame_to_rcx
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
 * The host enters here at CPL3 between two instructions of the program (struct
 * vmlet_interrupt: a fault that is a signal). Every register is the program's but
 * rip, rsp and rflags, which the record holds. The frame is gk_syscall's, with rip
 * and rflags in its rcx and r11 slots and the real rcx and r11 after it.
 */
	.globl gk_interrupt_entry
gk_interrupt_entry:
	leaq gk_kstack_top(%rip), %rsp
	push_frame gk_interrupt_info+8(%rip), gk_interrupt_info(%rip), gk_interrupt_info+16(%rip)
	cld
	movq %rsp, %rdi
	call gk_interrupt
	/* fall through */

/*
 * Back to the program with every register from the frame at %rsp (rip and rflags
 * in the rcx and r11 slots, which gk_frame_resume filled and sanitized). At CPL0
 * iretq; at CPL3 popfq, then the program's rsp and a jump through memory, so no
 * register is spent and the program's stack is not touched.
 */
gk_resume_full:
	movq 13*8(%rsp), %rax
	movq %rax, gk_iret(%rip)
	movq $0x33, gk_iret+8(%rip)
	movq 6*8(%rsp), %rax
	movq %rax, gk_iret+16(%rip)
	movq 15*8(%rsp), %rax
	movq %rax, gk_iret+24(%rip)
	movq $0x2b, gk_iret+32(%rip)
	movl %cs, %eax
	andl $3, %eax
	movl %eax, gk_iret_cpl(%rip)
	pop_frame_to_rcx
	popq %rax
	movq 8(%rsp), %rcx
	movq 16(%rsp), %r11
	cmpl $0, gk_iret_cpl(%rip)
	jne 1f
	leaq gk_iret(%rip), %rsp
	iretq
1:	leaq gk_iret+16(%rip), %rsp
	popfq
	popq %rsp
	jmp *gk_iret(%rip)

/* `int $VMLET_HC_VECTOR`: the hypercall from CPL3 code the host entered (hc_gated). */
	.globl gk_hc_gate
gk_hc_gate:
	outb %al, $VMLET_PORT_HYPERCALL
	iretq

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
gk_iret:	/* rip, cs, rflags, rsp, ss: gk_resume_full's way back */
	.quad 0, 0, 0, 0, 0
gk_iret_cpl:
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
