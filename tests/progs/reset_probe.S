/* reset_probe.S - with an argument: dirties vector, FPU, segment-base state and memory; without: reports any of it (exit bits). */
	.globl _start
	.text
_start:
	cmpq $2, (%rsp)
	jb check
	pcmpeqd %xmm0, %xmm0
	.irp r, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	movdqa %xmm0, %xmm\r
	.endr
	vpcmpeqd %ymm0, %ymm0, %ymm0
	movl $0x9fc0, -8(%rsp)
	ldmxcsr -8(%rsp)
	movw $0x27f, -8(%rsp)
	fldcw -8(%rsp)
	movq $0x1234000, %rax
	wrfsbase %rax
	wrgsbase %rax
	movq $0x3000000, %rax
	movl $0xdeadbeef, (%rax)
	movl $60, %eax
	xorl %edi, %edi
	syscall

check:
	xorl %edi, %edi
	/* 1: an XMM register is not zero */
	por %xmm1, %xmm0
	.irp r, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	por %xmm\r, %xmm0
	.endr
	ptest %xmm0, %xmm0
	jz 1f
	orl $1, %edi
1:	/* 2: the upper half of YMM0 is not zero */
	vextracti128 $1, %ymm0, %xmm1
	ptest %xmm1, %xmm1
	jz 2f
	orl $2, %edi
2:	/* 4: MXCSR is not the reset value */
	stmxcsr -8(%rsp)
	cmpl $0x1f80, -8(%rsp)
	je 3f
	orl $4, %edi
3:	/* 8: the x87 control word is not the reset value */
	fnstcw -8(%rsp)
	cmpw $0x37f, -8(%rsp)
	je 4f
	orl $8, %edi
4:	/* 16: FS or GS base is set */
	rdfsbase %rax
	rdgsbase %rdx
	orq %rdx, %rax
	jz 5f
	orl $16, %edi
5:	/* 32: memory written by the previous run is visible */
	movq $0x3000000, %rax
	cmpl $0, (%rax)
	je 6f
	orl $32, %edi
6:	movl $60, %eax
	syscall
