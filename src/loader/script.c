/* script.c - parses a "#!" line: interpreter and optional argument, as Linux's binfmt_script. */
#include "script.h"

#include <errno.h>
#include <string.h>

static int blank(char c)
{
	return c == ' ' || c == '\t';
}

int script_parse(char *buf, size_t n, const char **interp, const char **arg)
{
	char *end, *p, *q;
	int cut;

	if (n < 2 || buf[0] != '#' || buf[1] != '!')
		return 0;
	buf[n] = 0;
	end = memchr(buf, '\n', n);
	cut = !end && n == SCRIPT_HEAD; /* the line may go on past what was read */
	if (!end)
		end = buf + n;
	*end = 0;
	end = buf + strlen(buf); /* a NUL inside the line ends it there */
	for (p = buf + 2; blank(*p); p++)
		;
	for (q = p; q < end && !blank(*q); q++)
		;
	if (q == p || (cut && q == end))
		return -ENOEXEC; /* no interpreter, or its name may have been cut */
	*interp = p;
	*arg = NULL;
	if (q == end)
		return 1;
	*q++ = 0;
	while (q < end && blank(*q))
		q++;
	while (end > q && blank(end[-1]))
		*--end = 0;
	if (q < end)
		*arg = q; /* as Linux: the rest of the line, cut at SCRIPT_HEAD bytes if it is longer */
	return 1;
}
