/* stack.c - writes strings, auxv, envp, argv and argc below the stack top, as execve(2) does. */
#include "stack.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct cursor {
	uint8_t *window;
	uint64_t top, lo; /* guest addresses: window[0] is at top - size */
	uint64_t sp;
	uint64_t base;
};

static int push_bytes(struct cursor *c, const void *src, size_t len, uint64_t *addr)
{
	if (c->sp - c->lo < len)
		return -E2BIG;
	c->sp -= len;
	memcpy(c->window + (c->sp - c->base), src, len);
	*addr = c->sp;
	return 0;
}

static int push_strings(struct cursor *c, const char *const *v, size_t n, uint64_t *addrs)
{
	size_t i;

	for (i = n; i-- > 0;) {
		int r = push_bytes(c, v[i], strlen(v[i]) + 1, &addrs[i]);
		if (r)
			return r;
	}
	return 0;
}

static size_t count(const char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

int stack_build(uint8_t *window, uint64_t top, uint64_t size, uint64_t limit,
		const struct stack_params *p, uint64_t *rsp)
{
	size_t argc = count(p->argv), envc = count(p->envp);
	struct cursor c = { window, top, top - (limit < size ? limit : size), top, top - size };
	uint64_t execfn, random, platform, words, *w, i;
	uint64_t *addrs;
	uint64_t auxv[][2] = {
		{ AT_PHDR, p->phdr },	    { AT_PHENT, p->phent },  { AT_PHNUM, p->phnum },
		{ AT_PAGESZ, 4096 },	    { AT_BASE, p->base },	     { AT_FLAGS, 0 },
		{ AT_ENTRY, p->entry },	    { AT_UID, p->uid },	     { AT_EUID, p->uid },
		{ AT_GID, p->gid },	    { AT_EGID, p->gid },     { AT_SECURE, 0 },
		{ AT_HWCAP, p->hwcap },	    { AT_HWCAP2, p->hwcap2 }, { AT_CLKTCK, 100 },
		{ AT_RANDOM, 0 },	    { AT_EXECFN, 0 },	     { AT_PLATFORM, 0 },
		{ p->sysinfo_ehdr ? AT_SYSINFO_EHDR : AT_IGNORE, p->sysinfo_ehdr },
		{ AT_NULL, 0 },
	};
	const size_t nauxv = sizeof(auxv) / sizeof(auxv[0]);
	int r;

	if (argc == 0)
		return -EINVAL;
	addrs = malloc((argc + envc + 1) * sizeof(*addrs));
	if (!addrs)
		return -ENOMEM;
	r = push_bytes(&c, p->execfn, strlen(p->execfn) + 1, &execfn);
	if (!r)
		r = push_strings(&c, p->envp, envc, addrs + argc);
	if (!r)
		r = push_strings(&c, p->argv, argc, addrs);
	if (!r)
		r = push_bytes(&c, "x86_64", 7, &platform);
	if (!r)
		r = push_bytes(&c, p->random, sizeof(p->random), &random);
	if (r)
		goto out;
	for (i = 0; i < nauxv; i++) {
		if (auxv[i][0] == AT_RANDOM)
			auxv[i][1] = random;
		else if (auxv[i][0] == AT_EXECFN)
			auxv[i][1] = execfn;
		else if (auxv[i][0] == AT_PLATFORM)
			auxv[i][1] = platform;
	}
	/* argc, argv[], NULL, envp[], NULL, auxv pairs; RSP 16-byte aligned at argc. */
	words = 1 + argc + 1 + envc + 1 + 2 * nauxv;
	c.sp &= ~15ull;
	r = -E2BIG;
	if (c.sp - c.lo < words * 8 + 16)
		goto out;
	c.sp = (c.sp - words * 8) & ~15ull;
	w = (uint64_t *)(c.window + (c.sp - c.base));
	*w++ = argc;
	for (i = 0; i < argc; i++)
		*w++ = addrs[i];
	*w++ = 0;
	for (i = 0; i < envc; i++)
		*w++ = addrs[argc + i];
	*w++ = 0;
	memcpy(w, auxv, sizeof(auxv));
	*rsp = c.sp;
	r = 0;
out:
	free(addrs);
	return r;
}
