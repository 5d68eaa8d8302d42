/* guestmem.c - bounds- and overflow-checked access to guest memory. */
#include "guestmem.h"

#include <errno.h>
#include <string.h>

void *guestmem_ptr(const struct guestmem *mem, gpa_t addr, uint64_t len)
{
	if (addr.v > mem->size || len > mem->size - addr.v)
		return NULL;
	return mem->host + addr.v;
}

int guestmem_read(const struct guestmem *mem, gpa_t addr, void *dst, uint64_t len)
{
	const void *src = guestmem_ptr(mem, addr, len);

	if (!src)
		return -EFAULT;
	memcpy(dst, src, len);
	return 0;
}

int guestmem_write(const struct guestmem *mem, gpa_t addr, const void *src, uint64_t len)
{
	void *dst = guestmem_ptr(mem, addr, len);

	if (!dst)
		return -EFAULT;
	memcpy(dst, src, len);
	return 0;
}
