/* lib.c - freestanding memory and string helpers for the guest kernel (no SSE: program state stays intact). */
#include "gk.h"

void *memcpy(void *d, const void *s, size_t n)
{
	void *ret = d;

	__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	return ret;
}

void *memmove(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	if (dp <= sp || dp >= sp + n)
		return memcpy(d, s, n);
	while (n--)
		dp[n] = sp[n];
	return d;
}

void *memset(void *d, int c, size_t n)
{
	void *ret = d;

	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return ret;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

void text_mem(struct gk_text *t, const void *s, uint64_t n)
{
	if (t->len < t->cap)
		memcpy(t->buf + t->len, s, n < t->cap - t->len ? n : t->cap - t->len);
	t->len += n;
}

void text_str(struct gk_text *t, const char *s)
{
	text_mem(t, s, strlen(s));
}

void text_u64(struct gk_text *t, uint64_t v, int width)
{
	char d[24];
	int n = 0;

	do
		d[sizeof(d) - 1 - n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n < width && n < (int)sizeof(d))
		d[sizeof(d) - 1 - n++] = ' ';
	text_mem(t, d + sizeof(d) - n, (uint64_t)n);
}

void text_hex(struct gk_text *t, uint64_t v, int width)
{
	char d[16];
	int n = 0;

	do
		d[sizeof(d) - 1 - n++] = "0123456789abcdef"[v & 15];
	while ((v >>= 4));
	while (n < width && n < (int)sizeof(d))
		d[sizeof(d) - 1 - n++] = '0';
	text_mem(t, d + sizeof(d) - n, (uint64_t)n);
}
