/* env.c - builds the program's environment: settings add to the base or override an entry of the same name. */
#include "env.h"

#include <stdlib.h>
#include <string.h>

const char *const env_default[] = { "PATH=/bin:/usr/bin", "HOME=/", NULL };

/* Do a and b set the same variable? */
static int same_name(const char *a, const char *b)
{
	size_t n = strcspn(a, "=");

	return n == strcspn(b, "=") && !strncmp(a, b, n);
}

const char **env_merge(const char *const *base, const char *const *set, size_t nset)
{
	size_t nbase = 0, n = 0, i, j;
	const char **out;

	while (base && base[nbase])
		nbase++;
	out = malloc((nbase + nset + 1) * sizeof(*out));
	if (!out)
		return NULL;
	for (i = 0; i < nbase; i++)
		out[n++] = base[i];
	for (i = 0; i < nset; i++) {
		size_t k = 0;
		int replaced = 0;

		for (j = 0; j < n; j++) { /* replace the first of that name, drop the others */
			if (!same_name(out[j], set[i]))
				out[k++] = out[j];
			else if (!replaced)
				out[k++] = set[i], replaced = 1;
		}
		n = k;
		if (!replaced)
			out[n++] = set[i];
	}
	out[n] = NULL;
	return out;
}

const char *env_get(const char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (!strncmp(*envp, name, n) && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}
