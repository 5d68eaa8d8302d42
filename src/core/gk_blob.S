/* gk_blob.S - embeds the guest kernel image (build/gk.bin) in libvmlet. */
	.section .rodata
	.balign 4096
	.globl vmlet_gk_image, vmlet_gk_image_end
vmlet_gk_image:
	.incbin GK_BIN
vmlet_gk_image_end:
	.section .note.GNU-stack, "", @progbits
