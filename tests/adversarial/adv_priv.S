/* adv_priv.S - privileged and odd instructions at CPL3, mode switches, syscalls with garbage stacks.
 *
 * usage: adv_priv N    runs case N (see the table at the end); prints "survived\n" and exits 0
 *                      if execution gets past the instruction, else the VM dies.
 * Built with gcc -nostdlib -static -no-pie (absolute addresses below 4 GiB for the 32-bit cases). */
#include "vmlet_abi.h"

#define SYS_write 1
#define SYS_getpid 39
#define SYS_exit_group 231
#define SYS_rt_sigreturn 15
#define SYS_rt_sigaction 13
#define SYS_kill 62

	.text
	.globl _start
_start:
	mov %rsp, saved_rsp(%rip)
	cmpq $2, (%rsp)
	jb usage
	mov 16(%rsp), %rsi
	xor %eax, %eax
1:	movzbl (%rsi), %ecx
	test %ecx, %ecx
	jz 2f
	sub $'0', %ecx
	cmp $9, %ecx
	ja usage
	imul $10, %rax, %rax
	add %rcx, %rax
	inc %rsi
	jmp 1b
2:	cmp $NCASES, %rax
	jae usage
	lea table(%rip), %rdx
	jmp *(%rdx,%rax,8)

survived:
	mov saved_rsp(%rip), %rsp
	mov $SYS_write, %eax
	mov $1, %edi
	lea msg_ok(%rip), %rsi
	mov $9, %edx
	syscall
	mov $SYS_exit_group, %eax
	xor %edi, %edi
	syscall
	ud2

usage:
	mov $SYS_write, %eax
	mov $2, %edi
	lea msg_usage(%rip), %rsi
	mov $len_usage, %edx
	syscall
	mov $SYS_exit_group, %eax
	mov $2, %edi
	syscall
	ud2

/* ---- privileged instructions: #GP (or #UD) at CPL3 ---- */
c_hlt:	hlt
	jmp survived
c_cli:	cli
	jmp survived
c_sti:	sti
	jmp survived
c_wrmsr:
	mov $0xc0000082, %ecx /* LSTAR */
	xor %eax, %eax
	xor %edx, %edx
	wrmsr
	jmp survived
c_rdmsr:
	mov $0x10, %ecx
	rdmsr
	jmp survived
c_lgdt:	lgdt descbuf(%rip)
	jmp survived
c_lidt:	lidt descbuf(%rip)
	jmp survived
c_ltr:	mov $0x40, %ax
	ltr %ax
	jmp survived
c_movcr3:
	xor %eax, %eax
	mov %rax, %cr3
	jmp survived
c_readcr0:
	mov %cr0, %rax
	jmp survived
c_movcr8:
	xor %eax, %eax
	mov %rax, %cr8
	jmp survived
c_movdr7:
	mov %dr7, %rax
	jmp survived
c_wbinvd:
	wbinvd
	jmp survived
c_invlpg:
	invlpg (%rsp)
	jmp survived
c_clts:	clts
	jmp survived
c_rdpmc:
	xor %ecx, %ecx
	rdpmc
	jmp survived
c_xsetbv:
	xor %ecx, %ecx
	mov $3, %eax
	xor %edx, %edx
	xsetbv
	jmp survived
c_swapgs:
	swapgs
	jmp survived
c_sysret:
	lea survived(%rip), %rcx
	mov $0x202, %r11
	sysretq
c_sysenter:
	sysenter
	jmp survived
/* vmcall/vmmcall at CPL3: a KVM host answers with an error in rax (-KVM_EPERM for CPL > 0;
 * -KVM_ENOSYS for an unknown call) or the instruction faults. What the guest may never get is a
 * change to any other register: ask for KVM_HC_MAP_GPA_RANGE (12, the one call KVM can forward to
 * the VMM) with arguments set, then check every register and print rax. */
#define HC_MARK 0x5a5a5a5a00000000
c_vmcall:
	call hc_regs
	vmcall
	jmp hc_check
c_vmmcall:
	call hc_regs
	vmmcall
	jmp hc_check
hc_regs:
	mov $12, %eax
	mov $HC_MARK + 3, %rbx
	mov $HC_MARK + 1, %rcx
	mov $HC_MARK + 2, %rdx
	mov $HC_MARK + 6, %rsi
	mov $HC_MARK + 7, %rdi
	mov $HC_MARK + 5, %rbp
	mov $HC_MARK + 8, %r8
	mov $HC_MARK + 9, %r9
	mov $HC_MARK + 10, %r10
	mov $HC_MARK + 11, %r11
	mov $HC_MARK + 12, %r12
	mov $HC_MARK + 13, %r13
	mov $HC_MARK + 14, %r14
	mov $HC_MARK + 15, %r15
	ret
/* hc_expect REG, N: on to hc_changed unless REG still holds HC_MARK + N (rax is the scratch). */
.macro hc_expect reg, n
	mov $HC_MARK + \n, %rax
	cmp %rax, %\reg
	jne hc_changed
.endm
hc_check:
	mov %rax, %r12
	hc_expect rbx, 3
	hc_expect rcx, 1
	hc_expect rdx, 2
	hc_expect rsi, 6
	hc_expect rdi, 7
	hc_expect rbp, 5
	hc_expect r8, 8
	hc_expect r9, 9
	hc_expect r10, 10
	hc_expect r11, 11
	hc_expect r13, 13
	hc_expect r14, 14
	hc_expect r15, 15
	/* "rax=" and 16 hex digits of the returned rax (kept in r12) */
	lea hc_hex+16(%rip), %rdi
	mov $16, %ecx
1:	mov %r12, %rax
	and $15, %eax
	lea hexdigits(%rip), %rsi
	movzbl (%rsi,%rax), %eax
	dec %rdi
	mov %al, (%rdi)
	shr $4, %r12
	dec %ecx
	jnz 1b
	mov saved_rsp(%rip), %rsp
	mov $SYS_write, %eax
	mov $1, %edi
	lea msg_hc(%rip), %rsi
	mov $len_hc, %edx
	syscall
	mov $SYS_exit_group, %eax
	xor %edi, %edi
	syscall
	ud2
hc_changed:
	mov saved_rsp(%rip), %rsp
	mov $SYS_write, %eax
	mov $1, %edi
	lea msg_hc_changed(%rip), %rsi
	mov $len_hc_changed, %edx
	syscall
	mov $SYS_exit_group, %eax
	mov $3, %edi
	syscall
	ud2
c_monitor:
	lea saved_rsp(%rip), %rax
	xor %ecx, %ecx
	xor %edx, %edx
	monitor
	mwait
	jmp survived

/* ---- port I/O: only `outb` to the hypercall port is allowed at CPL3 ---- */
c_in60:	inb $0x60, %al
	jmp survived
c_out80:
	outb %al, $0x80
	jmp survived
c_outfault:
	outb %al, $VMLET_PORT_FAULT_BASE /* pretend to be the divide-error stub */
	jmp survived
c_outfault5:
	outb %al, $(VMLET_PORT_FAULT_BASE + 5)
	jmp survived
c_outd1:
	outb %al, $0xd1
	jmp survived
c_outw_hc:
	outw %ax, $VMLET_PORT_HYPERCALL
	jmp survived
c_outl_hc:
	outl %eax, $VMLET_PORT_HYPERCALL
	jmp survived
c_in_hc:
	inb $VMLET_PORT_HYPERCALL, %al
	jmp survived
c_outs_hc:
	/* rep outsb: a string write of 4 bytes to the hypercall port (one exit with count 4). A
	 * clock_gettime first leaves a harmless VMLET_HC_CLOCK in the block (else it is EXIT). */
	mov $228, %eax
	mov $1, %edi
	lea descbuf(%rip), %rsi
	syscall
	mov $VMLET_PORT_HYPERCALL, %edx
	lea descbuf(%rip), %rsi
	mov $4, %ecx
	rep outsb
	jmp survived
c_ins_hc:
	mov $VMLET_PORT_HYPERCALL, %edx
	lea descbuf(%rip), %rdi
	mov $4, %ecx
	rep insb
	jmp survived
c_out_dx_big:
	mov $0xffff, %edx
	outb %al, %dx
	jmp survived

/* ---- software interrupts and faulting instructions ---- */
c_int80:
	int $0x80
	jmp survived
c_int0e:
	int $0x0e
	jmp survived
c_int3:	int3
	jmp survived
c_intn3:
	.byte 0xcd, 0x03 /* int $3, the two-byte form */
	jmp survived
c_ud2:	ud2
c_into:	.byte 0xce /* into: invalid in 64-bit mode */
	jmp survived
c_icebp:
	.byte 0xf1 /* int1: #DB without a DPL check */
	jmp survived
c_locknop:
	.byte 0xf0, 0x90
	jmp survived
c_toolong:
	.byte 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x90
	jmp survived
c_tf:	/* single-step: #DB after the next instruction */
	pushfq
	orq $0x100, (%rsp)
	popfq
	nop
	jmp survived
c_tf_syscall: /* TF across a syscall: masked on entry, back on return */
	pushfq
	orq $0x100, (%rsp)
	popfq
	mov $SYS_getpid, %eax
	syscall
	jmp survived
c_ac:	/* AC without CR0.AM: no #AC */
	pushfq
	orq $0x40000, (%rsp)
	popfq
	lea descbuf+1(%rip), %rax
	mov (%rax), %rbx
	jmp survived
c_sse:	/* unmasked SSE divide-by-zero: #XM */
	sub $8, %rsp
	stmxcsr (%rsp)
	andl $~0x200, (%rsp)
	ldmxcsr (%rsp)
	xorps %xmm1, %xmm1
	mov $1, %eax
	cvtsi2ss %eax, %xmm0
	divss %xmm1, %xmm0
	jmp survived
c_x87:	/* unmasked x87 divide-by-zero: #MF on the next wait */
	fninit
	sub $8, %rsp
	fnstcw (%rsp)
	andw $~0x4, (%rsp)
	fldcw (%rsp)
	fld1
	fldz
	fdivrp
	fwait
	fwait
	jmp survived
c_avx512:
	vpaddd %zmm0, %zmm0, %zmm0
	jmp survived
c_wrfs_noncanon:
	mov $0x800000000000, %rax
	wrfsbase %rax
	jmp survived
c_wrgs_kernel:
	mov $VMLET_KERNEL_VBASE, %rax
	wrgsbase %rax
	mov %gs:0, %rax
	jmp survived
c_cpuid:
	mov $0x40000000, %eax
	cpuid
	mov $0x80000008, %eax
	cpuid
	xor %eax, %eax
	cpuid
	jmp survived
c_descr:	/* sgdt/sidt/str/sldt/smsw: legal at CPL3 without UMIP; leaks addresses only */
	sgdt descbuf(%rip)
	sidt descbuf(%rip)
	str %ax
	sldt %ax
	smsw %ax
	xgetbv
	rdtsc
	jmp survived
c_enter:
	enter $0xffff, $31
	jmp survived

/* ---- segments and privilege transitions ---- */
c_iret_kernel:
	mov %rsp, %rax
	pushq $0x18
	pushq %rax
	pushfq
	pushq $0x10
	lea survived(%rip), %rax
	pushq %rax
	iretq
c_iret_noncanon:
	mov %rsp, %rax
	pushq $0x2b
	pushq %rax
	pushfq
	pushq $0x33
	mov $0x800000000000, %rax
	pushq %rax
	iretq
c_ss_kernel:
	mov $0x18, %ax
	mov %ax, %ss
	jmp survived
c_fs_tss:
	mov $0x40, %ax
	mov %ax, %fs
	jmp survived
c_lcall_tss:
	lcall *farptr_tss(%rip)
	jmp survived
c_ljmp_kernel:
	ljmp *farptr_kernel(%rip)
	jmp survived
c_compat_int80:
	pushq $0x23
	pushq $compat_int80
	lretq
c_compat_syscall:
	pushq $0x23
	pushq $compat_syscall
	lretq
c_compat_sysenter:
	pushq $0x23
	pushq $compat_sysenter
	lretq
c_compat_back:
	pushq $0x23
	pushq $compat_back
	lretq
	.code32
compat_int80:
	int $0x80
	ud2
compat_syscall:
	movl $SYS_getpid, %eax
	syscall
	ud2
compat_sysenter:
	sysenter
	ud2
compat_back:	/* 32-bit code far-returns to 64-bit: legal, then exit normally */
	pushl $0x33
	pushl $survived
	lret
	.code64

/* ---- jumping into the guest kernel and its data ---- */
c_jmp_stub:	/* the #GP fault stub, entered at CPL3: its outb faults itself */
	mov VMLET_KERNEL_VBASE + VMLET_GK_OFFSET + 16, %rax /* header.fault_stubs */
	add $(13 * VMLET_FAULT_STUB_SIZE), %rax
	jmp *%rax
c_jmp_entry:	/* the syscall entry without `syscall`: the return path brings us back */
	mov VMLET_KERNEL_VBASE + VMLET_GK_OFFSET + 8, %rax /* header.syscall_entry */
	mov %rax, %rbx
	lea survived(%rip), %rcx
	mov $0x202, %r11
	mov $SYS_getpid, %eax
	jmp *%rbx
c_jmp_entry_rsp0:
	mov VMLET_KERNEL_VBASE + VMLET_GK_OFFSET + 8, %rbx
	lea survived(%rip), %rcx
	mov $0x202, %r11
	mov $SYS_getpid, %eax
	xor %esp, %esp
	jmp *%rbx
c_jmp_data:	/* kernel data is NX */
	mov VMLET_KERNEL_VBASE + VMLET_GK_OFFSET + 40, %rax /* header.ring */
	jmp *%rax
c_jmp_sys:	/* the supervisor-only system area */
	mov $VMLET_KERNEL_VBASE, %rax
	jmp *%rax
c_jmp_noncanon:
	mov $0x800000000000, %rax
	jmp *%rax
c_jmp_null:
	xor %eax, %eax
	jmp *%rax
c_push_rsp0:
	xor %esp, %esp
	pushq $1
	jmp survived
c_int3_rsp0:
	xor %esp, %esp
	int3
	jmp survived

/* ---- syscall with a garbage stack pointer ---- */
c_sys_rsp0:
	xor %esp, %esp
	jmp do_getpid
c_sys_rsp_kernel:
	mov $VMLET_KERNEL_VBASE, %rsp
	jmp do_getpid
c_sys_rsp_noncanon:
	mov $0x800000000000, %rsp
	jmp do_getpid
c_sys_rsp_max:
	mov $-1, %rsp
	jmp do_getpid
c_sys_rsp_kstack:	/* the kernel's own stack top (bss_end) */
	mov VMLET_KERNEL_VBASE + VMLET_GK_OFFSET + 64, %rsp /* header.bss_end */
	jmp do_getpid
do_getpid:
	mov $SYS_getpid, %eax
	syscall
	mov $SYS_write, %eax /* a write with the same stack: goes through the ring */
	mov $1, %edi
	lea msg_ok(%rip), %rsi
	mov $0, %edx
	syscall
	jmp survived
c_sigreturn_rsp0:	/* rt_sigreturn with no frame: the guest kernel kills the program (SIGSEGV) */
	xor %esp, %esp
	mov $SYS_rt_sigreturn, %eax
	syscall
	jmp survived

/* rt_sigreturn with a crafted frame; the frame sets eflags, rip and rsp. */
#define UC_SIZE 304
#define MC 40
.macro SIGRETURN eflags, rip, rsp
	sub $UC_SIZE, %rsp
	mov %rsp, %rdi
	mov $(UC_SIZE / 8), %ecx
	xor %eax, %eax
	rep stosq
	movq \eflags, MC + 136(%rsp)
	movq \rip, %rax
	movq %rax, MC + 128(%rsp)
	movq \rsp, %rax
	movq %rax, MC + 120(%rsp)
	mov $SYS_rt_sigreturn, %eax
	syscall
	ud2
.endm
c_sigret_iopl:	/* IOPL 3 via the frame: a CPL0 return path (sysretq) would grant port access */
	mov saved_rsp(%rip), %rbx
	SIGRETURN $0x3202, $iopl_probe, %rbx
iopl_probe:
	cli /* #GP unless IOPL is 3 */
	mov $SYS_write, %eax
	mov $1, %edi
	lea msg_iopl(%rip), %rsi
	mov $len_iopl, %edx
	syscall
	outb %al, $0x80
	jmp survived
c_sigret_tf:
	mov saved_rsp(%rip), %rbx
	SIGRETURN $0x302, $survived, %rbx
c_sigret_noncanon:
	mov saved_rsp(%rip), %rbx
	SIGRETURN $0x202, $0x800000000000, %rbx
c_sigret_kernel_rip:
	mov saved_rsp(%rip), %rbx
	SIGRETURN $0x202, $(VMLET_KERNEL_VBASE + 0x1000), %rbx
c_sigret_rsp0:
	SIGRETURN $0x202, $push_after, $0
push_after:
	pushq $1
	jmp survived
c_sigret_nt:	/* NT, VM, VIF, RF, ID flags: must not stick or break the return */
	mov saved_rsp(%rip), %rbx
	SIGRETURN $0x3f7fd7, $survived, %rbx

/* Signal delivery with a stack that cannot hold the frame. */
c_signal_badstack:
	sub $32, %rsp
	lea handler(%rip), %rax
	mov %rax, 0(%rsp)
	movq $0x04000000, 8(%rsp) /* SA_RESTORER */
	mov %rax, 16(%rsp)
	movq $0, 24(%rsp)
	mov $SYS_rt_sigaction, %eax
	mov $10, %edi /* SIGUSR1 */
	mov %rsp, %rsi
	xor %edx, %edx
	mov $8, %r10d
	syscall
	mov $(VMLET_USER_LO + 64), %rsp
	mov $SYS_kill, %eax
	mov $2, %edi
	mov $10, %esi
	syscall
	jmp survived
handler:
	ret

	.data
	.balign 16
saved_rsp:	.quad 0
descbuf:	.quad 0, 0, 0, 0
farptr_tss:	.quad 0
		.word 0x40
farptr_kernel:	.quad survived
		.word 0x10
msg_ok:		.ascii "survived\n"
msg_hc:		.ascii "hypercall returned rax="
hc_hex:		.ascii "0000000000000000\n"
	len_hc = . - msg_hc
msg_hc_changed:	.ascii "hypercall changed a register\n"
	len_hc_changed = . - msg_hc_changed
hexdigits:	.ascii "0123456789abcdef"
msg_usage:	.ascii "usage: adv_priv N\n"
	len_usage = . - msg_usage
msg_iopl:	.ascii "iopl 3 reached user mode\n"
	len_iopl = . - msg_iopl

	.balign 8
table:
	.quad c_hlt, c_cli, c_sti, c_wrmsr, c_rdmsr, c_lgdt, c_lidt, c_ltr, c_movcr3, c_readcr0 /* 0-9 */
	.quad c_movcr8, c_movdr7, c_wbinvd, c_invlpg, c_clts, c_rdpmc, c_xsetbv, c_swapgs, c_sysret, c_sysenter /* 10-19 */
	.quad c_vmcall, c_vmmcall, c_monitor, c_in60, c_out80, c_outfault, c_outfault5, c_outd1, c_outw_hc, c_outl_hc /* 20-29 */
	.quad c_in_hc, c_outs_hc, c_ins_hc, c_out_dx_big, c_int80, c_int0e, c_int3, c_intn3, c_ud2, c_into /* 30-39 */
	.quad c_icebp, c_locknop, c_toolong, c_tf, c_tf_syscall, c_ac, c_sse, c_x87, c_avx512, c_wrfs_noncanon /* 40-49 */
	.quad c_wrgs_kernel, c_cpuid, c_descr, c_enter, c_iret_kernel, c_iret_noncanon, c_ss_kernel, c_fs_tss, c_lcall_tss, c_ljmp_kernel /* 50-59 */
	.quad c_compat_int80, c_compat_syscall, c_compat_sysenter, c_compat_back, c_jmp_stub, c_jmp_entry, c_jmp_entry_rsp0, c_jmp_data, c_jmp_sys, c_jmp_noncanon /* 60-69 */
	.quad c_jmp_null, c_push_rsp0, c_int3_rsp0, c_sys_rsp0, c_sys_rsp_kernel, c_sys_rsp_noncanon, c_sys_rsp_max, c_sys_rsp_kstack, c_sigreturn_rsp0, c_sigret_iopl /* 70-79 */
	.quad c_sigret_tf, c_sigret_noncanon, c_sigret_kernel_rip, c_sigret_rsp0, c_sigret_nt, c_signal_badstack /* 80-85 */
table_end:
	NCASES = (table_end - table) / 8

	.section .note.GNU-stack, "", @progbits
