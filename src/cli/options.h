/* options.h - command-line parsing for the vmlet front-end, separate from main so it can be unit-tested. */
#ifndef VMLET_OPTIONS_H
#define VMLET_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "vmlet.h"

#define OPT_MAX_GRANTS 64
#define OPT_MAX_ENV 256
#define OPT_MAX_CHANNELS 256
/* A front-end message: a library message (VMLET_MESSAGE_MAX) after a manifest's name. */
#define CLI_MSG_MAX (VMLET_MESSAGE_MAX + 4096)

struct cli_options {
	struct vmlet_config config;
	struct vmlet_grant grants[OPT_MAX_GRANTS];
	const char *env[OPT_MAX_ENV + 1]; /* --env settings, in order */
	size_t nenv;
	int inherit_env;           /* --inherit-env: vmlet's environment is the base */
	int clear_env;             /* --clear-env: the base is empty (default: env_default) */
	const char **envp;         /* the program's environment (env_merge), owned */
	int stats;
	int no_seccomp;
	unsigned repeat, parallel; /* --repeat N (0: a single run), --parallel P */
	int reset;                 /* --reset: reuse one VM per runner, reset between runs */
	const char *user;
	int ids_given;             /* --uid or --gid (config.uid, config.gid) */
	int procs_given;           /* --max-procs (config.max_procs) */
	int help, version;
	char *grant_storage[OPT_MAX_GRANTS]; /* owned copies split at ':' */
	struct vmlet_tmpfs_mount tmpfs[VMLET_MAX_TMPFS];
	char *tmpfs_storage[VMLET_MAX_TMPFS]; /* owned copies split at ':' */
	struct vmlet_channel channels[OPT_MAX_CHANNELS];
	char *channel_storage[OPT_MAX_CHANNELS];
	const char *manifest;      /* --manifest FILE */
	const char *report;        /* --report FILE or "-" */
	const char *trace_file;    /* --trace-file FILE (implies VMLET_TRACE) */
	char *program;             /* config.path once looked up in PATH (path_search), owned */
};

/*
 * "GUEST:HOST[:KEY=VALUE,...]" -> a channel. Keys and values are the manifest's
 * (docs/MANIFEST.md; '-' may stand for '_' in keys): type=file|directory|fifo|chardev|socket,
 * mode=read|write|append|read-write, access=sequential|random, reads=N, read_bytes=SIZE,
 * writes=N, write_bytes=SIZE, with the aliases both accept (channel_names.h: dir, rw).
 * GUEST /dev/stdin, /dev/stdout or /dev/stderr with HOST "-" only sets that stream's
 * limits. Returns 0 or -EINVAL with a message.
 */
int parse_channel_spec(const char *spec, struct cli_options *o, char *msg, size_t msglen);

/* "64M", "1G", "4096", "512k" -> bytes; -EINVAL on junk or overflow. */
int parse_size(const char *s, uint64_t *out);

/* "500ms", "2s", "1.5s", "3m", "100us", "10" (seconds) -> ns; -EINVAL on junk. */
int parse_duration(const char *s, uint64_t *out);

/*
 * Parse `vmlet run` arguments (argv[0] is "run"). On success returns 0 and
 * config.path/argv point into argv. On error returns -EINVAL and writes a
 * one-line message into msg.
 */
int parse_run_options(int argc, char **argv, struct cli_options *o, char *msg, size_t msglen);

void cli_options_free(struct cli_options *o);

#endif
