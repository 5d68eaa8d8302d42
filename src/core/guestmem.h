/* guestmem.h - guest-physical addresses and the one bounds-checked path from them to host memory. */
#ifndef VMLET_GUESTMEM_H
#define VMLET_GUESTMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A guest-physical address. A distinct type so it never mixes with host pointers. */
typedef struct {
	uint64_t v;
} gpa_t;

static inline gpa_t gpa(uint64_t v)
{
	return (gpa_t){ v };
}

struct guestmem {
	uint8_t *host; /* host mapping of guest-physical [0, size) */
	uint64_t size;
};

/*
 * The host pointer for guest range [addr, addr + len), or NULL when any byte
 * lies outside guest RAM or the range wraps. len 0 is valid inside RAM.
 * Every guest-supplied address and length goes through here.
 */
void *guestmem_ptr(const struct guestmem *mem, gpa_t addr, uint64_t len);

/* Copy between guest and host memory; -EFAULT when the range is outside RAM. */
int guestmem_read(const struct guestmem *mem, gpa_t addr, void *dst, uint64_t len);
int guestmem_write(const struct guestmem *mem, gpa_t addr, const void *src, uint64_t len);

#endif
