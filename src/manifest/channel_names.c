/* channel_names.c - channel type, mode and access names and their aliases, shared by the manifest parser and --channel. */
#include "channel_names.h"

#include <stdio.h>
#include <string.h>

const char *const channel_type_names[MANIFEST_SOCKET + 1] = { "inherited", "file", "directory", "fifo", "chardev",
							   "socket" };
const char *const channel_mode_names[MANIFEST_READ_WRITE + 1] = { NULL, "read", "write", "append", "read-write" };
const char *const channel_access_names[MANIFEST_RANDOM + 1] = { NULL, "sequential", "random" };

/* Other spellings of a canonical name. */
static const struct {
	const char *alias, *name;
} aliases[] = {
	{ "dir", "directory" },
	{ "rw", "read-write" },
};

static const char *alias_of(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(aliases[i].name, name))
			return aliases[i].alias;
	return NULL;
}

int channel_name_lookup(const char *const *names, int lo, int hi, const char *s)
{
	int i;

	for (i = lo; i <= hi; i++)
		if (names[i] && (!strcmp(s, names[i]) || (alias_of(names[i]) && !strcmp(s, alias_of(names[i])))))
			return i;
	return -1;
}

const char *channel_names_list(const char *const *names, int lo, int hi, char *buf, size_t n)
{
	size_t len = 0;
	int i;

	buf[0] = 0;
	for (i = lo; i <= hi && len < n; i++) {
		const char *alias = alias_of(names[i]);
		len += (size_t)snprintf(buf + len, n - len, "%s%s%s%s%s", i == lo ? "" : ", ", names[i],
					alias ? " (or " : "", alias ? alias : "", alias ? ")" : "");
	}
	return buf;
}
