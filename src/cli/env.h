/* env.h - the program's environment: a base (vmlet's default, empty, or vmlet's own) with NAME=VALUE settings on top. */
#ifndef VMLET_ENV_H
#define VMLET_ENV_H

#include <stddef.h>

/* The base unless --clear-env, --inherit-env or a manifest's "clear_env" says otherwise. */
extern const char *const env_default[]; /* "PATH=/bin:/usr/bin", "HOME=/", NULL */

/*
 * base (NULL-terminated; NULL: empty), then set[0..nset) in order: a setting
 * replaces the entry of the same NAME (the part before the first '='; later
 * duplicates of that NAME in base are dropped), else it is appended. Returns
 * a malloc'd NULL-terminated array pointing into base and set (free the array
 * alone), or NULL when out of memory.
 */
const char **env_merge(const char *const *base, const char *const *set, size_t nset);

/* The value of variable name in envp (NULL-terminated), or NULL when it is not set. */
const char *env_get(const char *const *envp, const char *name);

#endif
