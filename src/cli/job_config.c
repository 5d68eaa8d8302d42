/* job_config.c - maps a parsed manifest onto struct vmlet_config (no host access) and checks it as a run would. */
#include "job_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"

static const enum vmlet_channel_type channel_types[] = {
	[MANIFEST_FILE] = VMLET_CHANNEL_FILE,     [MANIFEST_DIRECTORY] = VMLET_CHANNEL_DIRECTORY,
	[MANIFEST_FIFO] = VMLET_CHANNEL_FIFO,     [MANIFEST_CHARDEV] = VMLET_CHANNEL_CHARDEV,
	[MANIFEST_SOCKET] = VMLET_CHANNEL_SOCKET,
};

static const enum vmlet_channel_mode channel_modes[] = {
	[MANIFEST_READ] = VMLET_CHANNEL_READ, [MANIFEST_WRITE] = VMLET_CHANNEL_WRITE,
	[MANIFEST_APPEND] = VMLET_CHANNEL_APPEND, [MANIFEST_READ_WRITE] = VMLET_CHANNEL_READ_WRITE,
};

_Static_assert(MANIFEST_MAX_TMPFS <= VMLET_MAX_TMPFS, "every tmpfs a manifest declares fits o->tmpfs");
_Static_assert(MANIFEST_MAX_CHANNELS <= OPT_MAX_CHANNELS, "every channel a manifest declares fits o->channels");

static struct vmlet_limits limits_of(const struct manifest_limits *l)
{
	return (struct vmlet_limits){ l->reads, l->read_bytes, l->writes, l->write_bytes };
}

int job_config(struct cli_options *o, const struct vmlet_manifest *m, char *msg, size_t msglen)
{
	struct vmlet_config *c = &o->config;
	size_t i;

	free(o->envp);
	o->envp = env_merge(m->clear_env ? NULL : env_default, (const char *const *)m->envp, m->nenv);
	if (!o->envp) {
		snprintf(msg, msglen, "%s: out of memory", m->name);
		return -ENOMEM;
	}
	c->path = m->program;
	c->root = m->root;
	c->uid = m->uid < 0 ? 0 : (uint32_t)m->uid;
	c->max_procs = m->processes;
	c->gid = m->gid < 0 ? 0 : (uint32_t)m->gid;
	c->argv = (const char *const *)m->argv;
	c->envp = o->envp;
	c->mem_bytes = m->memory;
	c->timeout_ns = m->timeout;
	c->commit = m->commit == MANIFEST_COMMIT_ALWAYS ? VMLET_COMMIT_ALWAYS : VMLET_COMMIT_SUCCESS;
	c->determinism.enabled = m->deterministic.enabled;
	c->determinism.epoch = m->deterministic.epoch;
	memcpy(c->determinism.seed, m->deterministic.seed, sizeof(c->determinism.seed));
	for (i = 0; i < MANIFEST_STDIO && i < m->nchannels; i++)
		c->stdio_limits[i] = limits_of(&m->channels[i].limits);
	for (i = MANIFEST_STDIO; i < m->nchannels; i++) {
		const struct manifest_channel *mc = &m->channels[i];
		o->channels[i - MANIFEST_STDIO] = (struct vmlet_channel){
			.guest_path = mc->guest, .host_path = mc->host, .type = channel_types[mc->type],
			.mode = channel_modes[mc->mode], .random_access = mc->access == MANIFEST_RANDOM,
			.limits = limits_of(&mc->limits),
		};
	}
	c->channels = o->channels;
	c->nchannels = m->nchannels - MANIFEST_STDIO;
	for (i = 0; i < m->ntmpfs; i++)
		o->tmpfs[i] = (struct vmlet_tmpfs_mount){ .path = m->tmpfs[i].path, .size = m->tmpfs[i].size };
	c->tmpfs = o->tmpfs;
	c->ntmpfs = m->ntmpfs;
	return 0;
}

int job_config_check(const struct cli_options *o, const struct vmlet_manifest *m, char *msg, size_t msglen)
{
	struct vmlet_error err;
	int r = vmlet_config_check(&o->config, &err);

	if (r)
		snprintf(msg, msglen, "%s: %s", m->name, err.message);
	return r;
}
