/* adv_smc.c - self-modifying code: write code to RWX memory (mmap, stack, the unmapped-by-ELF gap),
 * run it, change it, run it again; then write to the program's own read-only text (exit 139).
 * usage: adv_smc [text]   prints "adv_smc: ok" after the writable cases; "text" then writes .text */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

typedef int (*fn)(void);

/* mov $imm32, %eax; ret */
static void emit(volatile uint8_t *p, uint32_t v)
{
	p[0] = 0xb8;
	memcpy((void *)(p + 1), &v, 4);
	p[5] = 0xc3;
}

static int run_at(volatile uint8_t *p)
{
	int sum = 0;
	uint32_t i;

	for (i = 1; i <= 100; i++) {
		emit(p, i);
		sum += ((fn)(uintptr_t)p)();
		/* Rewrite the instruction in place, executing it between writes. */
		p[1] = (uint8_t)(i + 1);
		sum -= ((fn)(uintptr_t)p)();
	}
	return sum;
}

int main(int argc, char **argv)
{
	uint8_t stack_code[64];
	void *m = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int r1, r2, r3;

	r1 = run_at((volatile uint8_t *)m);
	r2 = run_at((volatile uint8_t *)stack_code);
	r3 = run_at((volatile uint8_t *)0x20000); /* the gap below the image: mapped read-write-execute */
	printf("adv_smc: ok %d %d %d\n", r1, r2, r3);
	fflush(stdout);
	if (argc > 1 && !strcmp(argv[1], "text")) {
		volatile uint8_t *t = (volatile uint8_t *)(uintptr_t)&main;
		t[0] = 0xcc;
		puts("adv_smc: wrote .text");
	}
	return 0;
}
