/* Process entry. The kernel leaves on the stack (Linux RISC-V psABI):
 *   sp -> argc, argv[0..argc-1], NULL, envp[...], NULL, auxv pairs..., AT_NULL
 * We set gp, derive argv/envp and hand over to C; there is no return. */
	.file "start.S"	/* a fixed name: otherwise the temporary file name lands in the symbol table */
	.section .text._start,"ax",@progbits
	.globl _start
	.type _start, @function
_start:
	/* gp must be loaded without relaxation, or the linker would rewrite this very
	 * instruction into a gp-relative one before gp holds anything. */
	.option push
	.option norelax
	lla	gp, __global_pointer$
	.option pop
	ld	a0, 0(sp)		/* argc */
	addi	a1, sp, 8		/* argv */
	slli	a2, a0, 3
	add	a2, a2, a1
	addi	a2, a2, 8		/* envp = argv + argc + 1 */
	andi	sp, sp, -16		/* the ABI already guarantees this; be defensive */
	li	ra, 0			/* terminate frame chains for debuggers */
	li	s0, 0
	tail	__rt_start_c
	.size _start, . - _start

	.section .note.GNU-stack,"",@progbits
