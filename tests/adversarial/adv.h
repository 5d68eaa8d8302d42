/* adv.h - helpers shared by the adversarial guest programs: raw syscalls, raw hypercalls, output. */
#ifndef ADV_H
#define ADV_H

#include <stdint.h>
#include <string.h>

#include "vmlet_abi.h"

/* Raw `syscall`: no libc wrapper, no errno; returns the kernel's rax (-errno on failure). */
static inline long sc6(long nr, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
#define sc0(n) sc6((n), 0, 0, 0, 0, 0, 0)
#define sc1(n, a) sc6((n), (long)(a), 0, 0, 0, 0, 0)
#define sc2(n, a, b) sc6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define sc3(n, a, b, c) sc6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sc4(n, a, b, c, d) sc6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

/* Output without stdio buffering, straight through write(2). */
static inline void adv_puts(const char *s)
{
	sc3(1, 1, s, strlen(s));
}

static inline void adv_u64(char *buf, uint64_t v, int hex)
{
	char tmp[24];
	int n = 0, i = 0;

	if (hex) {
		buf[i++] = '0';
		buf[i++] = 'x';
	}
	do {
		unsigned d = (unsigned)(v % (hex ? 16 : 10));
		tmp[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= hex ? 16 : 10;
	} while (v);
	while (n)
		buf[i++] = tmp[--n];
	buf[i] = 0;
}

/* "tag: a=0x.. b=0x.. ret=-N" lines for unexpected results. */
static inline void adv_report(const char *tag, uint64_t a, uint64_t b, long ret)
{
	char line[200], num[24];

	line[0] = 0;
	strcat(line, tag);
	strcat(line, ": a=");
	adv_u64(num, a, 1);
	strcat(line, num);
	strcat(line, " b=");
	adv_u64(num, b, 1);
	strcat(line, num);
	strcat(line, " ret=");
	if (ret < 0) {
		strcat(line, "-");
		adv_u64(num, (uint64_t)-ret, 0);
	} else {
		adv_u64(num, (uint64_t)ret, 0);
	}
	strcat(line, num);
	strcat(line, "\n");
	adv_puts(line);
}

/* The guest kernel header: readable (and executable) from CPL3. */
#define ADV_GK ((const volatile struct vmlet_gk_header *)(VMLET_KERNEL_VBASE + VMLET_GK_OFFSET))

/* Issue a hypercall directly from the program: fill the block, `outb` to the port. */
static inline long adv_hc(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	volatile struct vmlet_hypercall *b = (volatile struct vmlet_hypercall *)ADV_GK->hypercall;

	b->nr = nr;
	b->arg[0] = a0;
	b->arg[1] = a1;
	b->arg[2] = a2;
	b->arg[3] = a3;
	b->ret = 0x5a5a5a5a;
	__asm__ volatile("outb %%al, %0" : : "i"(VMLET_PORT_HYPERCALL), "a"(0) : "memory");
	return b->ret;
}

/* Deterministic generator (xorshift64*). */
static inline uint64_t adv_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

#define KB 1024ull
#define MB (1024ull * 1024)

#endif
