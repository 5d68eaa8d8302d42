/* job_config.h - a manifest as a struct vmlet_config without touching the host, and the library's check of it: shared by `vmlet run --manifest` and `vmlet check`. */
#ifndef VMLET_JOB_CONFIG_H
#define VMLET_JOB_CONFIG_H

#include <stddef.h>

#include "../manifest/manifest.h"
#include "options.h"

/*
 * Fill o->config (vmlet_config_init'ed) from the parsed manifest m: program,
 * arguments, environment (the "env" settings over env_default, or over
 * nothing with "clear_env"; kept in o->envp), memory, timeout, commit,
 * determinism, stdio limits and channels (pointing into m and o). Stdio with
 * a host path is left to the caller. Returns 0, or -ENOMEM with a one-line
 * message.
 */
int job_config(struct cli_options *o, const struct vmlet_manifest *m, char *msg, size_t msglen);

/*
 * vmlet_config_check on o->config, as the run will do it: 0, or its error
 * with "NAME: message" (NAME: the manifest's) in msg.
 */
int job_config_check(const struct cli_options *o, const struct vmlet_manifest *m, char *msg, size_t msglen);

#endif
