/* start.c - the program's initial stack as the host laid it out (argc, argv, envp, auxv): /proc/self's cmdline, environ, maps. */
#include "gk.h"

#include <linux/auxvec.h>

/* The word at index i above the first stack pointer, or 0 if it is not program memory. */
static uint64_t start_word(uint64_t i)
{
	uint64_t at = gk_boot.start_rsp + 8 * i;

	return gk_boot.start_rsp && user_ok(at, 8) ? *(const uint64_t *)at : 0;
}

/* The end of the NUL-terminated string at addr (past its NUL), or addr if it is not program memory. */
static uint64_t string_end(uint64_t addr)
{
	uint64_t end = addr;

	while (user_ok(end, 1) && end < gk_boot.user_hi && *(const char *)end)
		end++;
	return user_ok(end, 1) && end < gk_boot.user_hi ? end + 1 : addr;
}

void start_spans(struct gk_start *s)
{
	uint64_t argc = start_word(0), envc = 0;

	s->arg_lo = start_word(1);
	s->arg_hi = argc ? string_end(start_word(argc)) : s->arg_lo;
	while (start_word(argc + 2 + envc))
		envc++;
	s->env_lo = envc ? start_word(argc + 2) : s->arg_hi;
	s->env_hi = envc ? string_end(start_word(argc + 1 + envc)) : s->env_lo;
	if (!s->arg_lo || s->arg_hi < s->arg_lo)
		s->arg_lo = s->arg_hi = 0;
	if (!s->env_lo || s->env_hi < s->env_lo)
		s->env_lo = s->env_hi = 0;
}

uint64_t start_auxv(uint64_t type)
{
	uint64_t i = start_word(0) + 2, t;

	while (start_word(i))
		i++; /* past envp */
	for (i++; (t = start_word(i)) != AT_NULL; i += 2)
		if (t == type)
			return start_word(i + 1);
	return 0;
}
