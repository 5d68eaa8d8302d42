/* options.c - parses `vmlet run` options into a struct vmlet_config. */
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../manifest/channel_names.h"
#include "../manifest/manifest.h"

int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mult = 1;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 0: break;
	case 'k': case 'K': mult = 1ull << 10; end++; break;
	case 'm': case 'M': mult = 1ull << 20; end++; break;
	case 'g': case 'G': mult = 1ull << 30; end++; break;
	default: return -EINVAL;
	}
	if ((*end == 'i' || *end == 'I') && mult > 1)
		end++;
	if ((*end == 'b' || *end == 'B') && mult > 1)
		end++;
	if (*end || v > UINT64_MAX / mult)
		return -EINVAL;
	*out = v * mult;
	return 0;
}

int parse_duration(const char *s, uint64_t *out)
{
	char *end;
	double v, mult = 1e9;

	if (!s || !(isdigit((unsigned char)*s) || *s == '.'))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v != v)
		return -EINVAL;
	if (!strcmp(end, "") || !strcmp(end, "s"))
		mult = 1e9;
	else if (!strcmp(end, "ms"))
		mult = 1e6;
	else if (!strcmp(end, "us"))
		mult = 1e3;
	else if (!strcmp(end, "ns"))
		mult = 1;
	else if (!strcmp(end, "m"))
		mult = 60e9;
	else if (!strcmp(end, "h"))
		mult = 3600e9;
	else
		return -EINVAL;
	v *= mult;
	if (v < 1 || v > 1e18)
		return -EINVAL;
	*out = (uint64_t)v;
	return 0;
}

static int fail(char *msg, size_t msglen, const char *fmt, const char *arg)
{
	snprintf(msg, msglen, fmt, arg);
	return -EINVAL;
}

static int add_grant(struct cli_options *o, const char *arg, char *msg, size_t msglen)
{
	size_t n = o->config.ngrants;
	char *copy, *colon;

	if (n == OPT_MAX_GRANTS)
		return fail(msg, msglen, "--ro: at most 64 grants (%s)", arg);
	if (!*arg)
		return fail(msg, msglen, "--ro: empty path%s", "");
	copy = strdup(arg);
	if (!copy)
		return fail(msg, msglen, "out of memory%s", "");
	o->grant_storage[n] = copy;
	o->config.ngrants = n + 1;
	colon = strchr(copy, ':');
	o->grants[n].host_path = copy;
	o->grants[n].guest_path = NULL;
	if (colon) {
		*colon = 0;
		o->grants[n].guest_path = colon + 1;
		if (colon[1] != '/')
			return fail(msg, msglen, "--ro %s: guest path must be absolute", arg);
	}
	if (!o->grants[n].guest_path && copy[0] != '/')
		return fail(msg, msglen, "--ro %s: give an absolute path, or HOST:GUEST", arg);
	return 0;
}

/* "PATH[:SIZE]": the path is checked with the rest of the config (vmlet_config_check). */
static int add_tmpfs(struct cli_options *o, const char *arg, char *msg, size_t msglen)
{
	size_t n = o->config.ntmpfs;
	char *copy, *colon;

	if (n == VMLET_MAX_TMPFS)
		return fail(msg, msglen, "--tmpfs: at most 8 mounts (%s)", arg);
	copy = strdup(arg);
	if (!copy)
		return fail(msg, msglen, "out of memory%s", "");
	o->tmpfs_storage[n] = copy;
	o->config.ntmpfs = n + 1;
	o->tmpfs[n].path = copy;
	o->tmpfs[n].size = 0;
	colon = strrchr(copy, ':');
	if (colon) {
		*colon = 0;
		if (parse_size(colon + 1, &o->tmpfs[n].size) || !o->tmpfs[n].size)
			return fail(msg, msglen, "--tmpfs: invalid size in '%s' (try /tmp:64M)", arg);
	}
	return 0;
}

/* --uid, --gid: a decimal number 0..VMLET_MAX_ID (names are not looked up). */
static int parse_id(const char *opt, const char *s, uint32_t *out, char *msg, size_t msglen)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = isdigit((unsigned char)*s) ? strtoull(s, &end, 10) : 0;
	if (!isdigit((unsigned char)*s) || errno || *end || v > VMLET_MAX_ID) {
		snprintf(msg, msglen, "%s: expected a number from 0 to %u, got '%s'", opt, VMLET_MAX_ID, s);
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

static int parse_seed(const char *s, uint8_t seed[32])
{
	int i;

	if (strlen(s) != 64)
		return -EINVAL;
	for (i = 0; i < 32; i++) {
		unsigned v;
		if (!isxdigit((unsigned char)s[2 * i]) || !isxdigit((unsigned char)s[2 * i + 1]) ||
		    sscanf(s + 2 * i, "%2x", &v) != 1)
			return -EINVAL;
		seed[i] = (uint8_t)v;
	}
	return 0;
}

static int lookup(const char *const *names, int n, const char *v)
{
	int i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], v))
			return i;
	return -1;
}

#define SAME(a, b) ((int)(a) == (int)(b))
_Static_assert(SAME(VMLET_CHANNEL_FILE, MANIFEST_FILE) && SAME(VMLET_CHANNEL_DIRECTORY, MANIFEST_DIRECTORY) &&
		       SAME(VMLET_CHANNEL_FIFO, MANIFEST_FIFO) && SAME(VMLET_CHANNEL_CHARDEV, MANIFEST_CHARDEV) &&
		       SAME(VMLET_CHANNEL_SOCKET, MANIFEST_SOCKET) && SAME(VMLET_CHANNEL_READ, MANIFEST_READ) &&
		       SAME(VMLET_CHANNEL_WRITE, MANIFEST_WRITE) && SAME(VMLET_CHANNEL_APPEND, MANIFEST_APPEND) &&
		       SAME(VMLET_CHANNEL_READ_WRITE, MANIFEST_READ_WRITE),
	       "--channel takes the manifest's names (channel_names.c) for the library's values");

/* type=, mode=, access=: a name from the table the manifest uses, or a message listing them. */
static int channel_name(const char *key, const char *const *names, int lo, int hi, const char *v, int *out,
			char *msg, size_t msglen)
{
	char list[160];

	if ((*out = channel_name_lookup(names, lo, hi, v)) >= 0)
		return 0;
	snprintf(msg, msglen, "--channel: %s must be one of %s, got '%s'", key,
		 channel_names_list(names, lo, hi, list, sizeof(list)), v);
	return -EINVAL;
}

/* One KEY=VALUE of a channel spec into ch; keys are the manifest's field names ('-' or '_'). */
static int channel_option(struct vmlet_channel *ch, char *kv, char *msg, size_t msglen)
{
	char *eq = strchr(kv, '='), key[16];
	uint64_t v;
	int i, r;
	size_t k;

	if (!eq)
		return fail(msg, msglen, "--channel: expected KEY=VALUE, got '%s'", kv);
	*eq++ = 0;
	for (k = 0; k + 1 < sizeof(key) && kv[k]; k++) /* the key as the manifest spells it */
		key[k] = kv[k] == '-' ? '_' : kv[k];
	key[k] = 0;
	if (kv[k]) /* longer than any key */
		key[0] = 0;
	if (!strcmp(key, "type")) {
		if ((r = channel_name("type", channel_type_names, MANIFEST_FILE, MANIFEST_SOCKET, eq, &i, msg, msglen)))
			return r;
		ch->type = (enum vmlet_channel_type)i;
	} else if (!strcmp(key, "mode")) {
		if ((r = channel_name("mode", channel_mode_names, MANIFEST_READ, MANIFEST_READ_WRITE, eq, &i, msg, msglen)))
			return r;
		ch->mode = (enum vmlet_channel_mode)i;
	} else if (!strcmp(key, "access")) {
		if ((r = channel_name("access", channel_access_names, MANIFEST_SEQUENTIAL, MANIFEST_RANDOM, eq, &i, msg,
				      msglen)))
			return r;
		ch->random_access = i == MANIFEST_RANDOM;
	} else if (!strcmp(key, "reads") || !strcmp(key, "read_bytes") || !strcmp(key, "writes") ||
		   !strcmp(key, "write_bytes")) {
		if (parse_size(eq, &v)) {
			snprintf(msg, msglen, "--channel: %s must be a count or size (e.g. 100, 64k), got '%s'", kv, eq);
			return -EINVAL;
		}
		*(!strcmp(key, "reads") ? &ch->limits.reads : !strcmp(key, "read_bytes") ? &ch->limits.read_bytes
			: !strcmp(key, "writes") ? &ch->limits.writes : &ch->limits.write_bytes) = v;
	} else {
		return fail(msg, msglen, "--channel: unknown option '%s' (options: type, mode, access, reads, read_bytes, "
					 "writes, write_bytes)", kv);
	}
	return 0;
}

int parse_channel_spec(const char *spec, struct cli_options *o, char *msg, size_t msglen)
{
	static const char *const stdio[] = { "/dev/stdin", "/dev/stdout", "/dev/stderr" };
	size_t n = o->config.nchannels;
	struct vmlet_channel ch = { .type = VMLET_CHANNEL_FILE, .mode = VMLET_CHANNEL_READ,
				    .random_access = 1,
				    .limits = { VMLET_UNLIMITED, VMLET_UNLIMITED, VMLET_UNLIMITED, VMLET_UNLIMITED } };
	char *copy, *host, *opts, *kv, *save = NULL;
	int i, r, type_given;

	if (n == OPT_MAX_CHANNELS)
		return fail(msg, msglen, "--channel: at most 256 channels (%s)", spec);
	copy = strdup(spec);
	if (!copy)
		return fail(msg, msglen, "out of memory%s", "");
	host = strchr(copy, ':');
	if (!host || copy[0] != '/' || !host[1]) {
		free(copy);
		return fail(msg, msglen, "--channel: expected GUEST:HOST[:OPTIONS] with an absolute GUEST, got '%s'", spec);
	}
	*host++ = 0;
	opts = strchr(host, ':');
	if (opts)
		*opts++ = 0;
	type_given = opts && strstr(opts, "type=") != NULL;
	for (kv = opts ? strtok_r(opts, ",", &save) : NULL; kv; kv = strtok_r(NULL, ",", &save))
		if ((r = channel_option(&ch, kv, msg, msglen))) {
			free(copy);
			return r;
		}
	i = lookup(stdio, 3, copy);
	if (i >= 0) { /* limits of a standard stream */
		if (strcmp(host, "-") != 0) {
			free(copy);
			return fail(msg, msglen, "--channel %s: standard streams take '-' as host (redirect them with the shell)", spec);
		}
		o->config.stdio_limits[i] = ch.limits;
		free(copy);
		return 0;
	}
	if (!type_given) {
		struct stat st;
		if (stat(host, &st) == 0 && S_ISDIR(st.st_mode))
			ch.type = VMLET_CHANNEL_DIRECTORY;
	}
	o->channel_storage[n] = copy;
	ch.guest_path = copy;
	ch.host_path = host;
	o->channels[n] = ch;
	o->config.channels = o->channels;
	o->config.nchannels = n + 1;
	return 0;
}

enum { OPT_MEM = 256, OPT_TIMEOUT, OPT_RO, OPT_ENV, OPT_INHERIT, OPT_TRACE, OPT_STATS, OPT_HELP,
       OPT_NO_SECCOMP, OPT_USER, OPT_REPEAT, OPT_PARALLEL, OPT_RESET, OPT_CHANNEL, OPT_MANIFEST,
       OPT_REPORT, OPT_DETERMINISTIC, OPT_EPOCH, OPT_SEED, OPT_COMMIT, OPT_TRACE_FILE, OPT_CLEAR_ENV, OPT_TMPFS, OPT_ROOT,
       OPT_UID, OPT_GID, OPT_MAX_PROCS };

int parse_run_options(int argc, char **argv, struct cli_options *o, char *msg, size_t msglen)
{
	static const struct option longopts[] = {
		{ "mem", required_argument, 0, OPT_MEM },
		{ "timeout", required_argument, 0, OPT_TIMEOUT },
		{ "ro", required_argument, 0, OPT_RO },
		{ "tmpfs", required_argument, 0, OPT_TMPFS },
		{ "root", required_argument, 0, OPT_ROOT },
		{ "uid", required_argument, 0, OPT_UID },
		{ "max-procs", required_argument, 0, OPT_MAX_PROCS },
		{ "gid", required_argument, 0, OPT_GID },
		{ "env", required_argument, 0, OPT_ENV },
		{ "inherit-env", no_argument, 0, OPT_INHERIT },
		{ "clear-env", no_argument, 0, OPT_CLEAR_ENV },
		{ "trace", no_argument, 0, OPT_TRACE },
		{ "trace-file", required_argument, 0, OPT_TRACE_FILE },
		{ "stats", no_argument, 0, OPT_STATS },
		{ "help", no_argument, 0, OPT_HELP },
		{ "no-seccomp", no_argument, 0, OPT_NO_SECCOMP },
		{ "user", required_argument, 0, OPT_USER },
		{ "repeat", required_argument, 0, OPT_REPEAT },
		{ "parallel", required_argument, 0, OPT_PARALLEL },
		{ "reset", no_argument, 0, OPT_RESET },
		{ "channel", required_argument, 0, OPT_CHANNEL },
		{ "manifest", required_argument, 0, OPT_MANIFEST },
		{ "report", required_argument, 0, OPT_REPORT },
		{ "deterministic", no_argument, 0, OPT_DETERMINISTIC },
		{ "epoch", required_argument, 0, OPT_EPOCH },
		{ "seed", required_argument, 0, OPT_SEED },
		{ "commit", required_argument, 0, OPT_COMMIT },
		{ 0, 0, 0, 0 },
	};
	int c, r;

	memset(o, 0, sizeof(*o));
	vmlet_config_init(&o->config);
	o->config.grants = o->grants;
	o->config.tmpfs = o->tmpfs;
	optind = 0; /* 0, not 1: GNU getopt then forgets a half-parsed option cluster */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_MEM: {
			struct vmlet_error err;
			if (parse_size(optarg, &o->config.mem_bytes))
				return fail(msg, msglen, "--mem: invalid size '%s' (try 64M or 1G)", optarg);
			if (vmlet_mem_check(o->config.mem_bytes, &err)) /* 0 too: it is not "the default" here */
				return fail(msg, msglen, "--mem: %s", err.message);
			break;
		}
		case OPT_TIMEOUT:
			if (parse_duration(optarg, &o->config.timeout_ns))
				return fail(msg, msglen, "--timeout: invalid duration '%s' (try 500ms or 2s)",
					    optarg);
			break;
		case OPT_RO:
			if ((r = add_grant(o, optarg, msg, msglen)))
				return r;
			break;
		case OPT_TMPFS:
			if ((r = add_tmpfs(o, optarg, msg, msglen)))
				return r;
			break;
		case OPT_ROOT:
			if (!optarg[0])
				return fail(msg, msglen, "--root: empty path%s", "");
			o->config.root = optarg;
			break;
		case OPT_UID:
		case OPT_GID:
			if ((r = parse_id(c == OPT_UID ? "--uid" : "--gid", optarg, c == OPT_UID ? &o->config.uid : &o->config.gid,
					  msg, msglen)))
				return r;
			o->ids_given = 1;
			break;
		case OPT_MAX_PROCS:
			if (parse_id("--max-procs", optarg, &o->config.max_procs, msg, msglen) ||
			    o->config.max_procs < 1 || o->config.max_procs > VMLET_MAX_PROCS)
				return fail(msg, msglen, "--max-procs: expected a number from 1 to 4096, got '%s'", optarg);
			o->procs_given = 1;
			break;
		case OPT_ENV:
			if (!strchr(optarg, '=') || optarg[0] == '=')
				return fail(msg, msglen, "--env: expected NAME=VALUE, got '%s'", optarg);
			if (o->nenv == OPT_MAX_ENV)
				return fail(msg, msglen, "--env: too many variables (%s)", optarg);
			o->env[o->nenv++] = optarg;
			break;
		case OPT_INHERIT: o->inherit_env = 1; break;
		case OPT_CLEAR_ENV: o->clear_env = 1; break;
		case OPT_TRACE: o->config.flags |= VMLET_TRACE; break;
		case OPT_TRACE_FILE:
			o->trace_file = optarg;
			o->config.flags |= VMLET_TRACE;
			break;
		case OPT_STATS: o->stats = 1; break;
		case OPT_NO_SECCOMP: o->no_seccomp = 1; break;
		case OPT_USER: o->user = optarg; break;
		case OPT_RESET: o->reset = 1; break;
		case OPT_CHANNEL:
			if ((r = parse_channel_spec(optarg, o, msg, msglen)))
				return r;
			break;
		case OPT_MANIFEST: o->manifest = optarg; break;
		case OPT_REPORT: o->report = optarg; break;
		case OPT_DETERMINISTIC: o->config.determinism.enabled = 1; break;
		case OPT_EPOCH: {
			uint64_t v;
			if (parse_size(optarg, &v) || v > (1ull << 40))
				return fail(msg, msglen, "--epoch: expected seconds since 1970, got '%s'", optarg);
			o->config.determinism.epoch = (int64_t)v;
			o->config.determinism.enabled = 1;
			break;
		}
		case OPT_SEED:
			if (parse_seed(optarg, o->config.determinism.seed))
				return fail(msg, msglen, "--seed: expected 64 hexadecimal digits, got '%s'", optarg);
			o->config.determinism.enabled = 1;
			break;
		case OPT_COMMIT:
			if (!strcmp(optarg, "success"))
				o->config.commit = VMLET_COMMIT_SUCCESS;
			else if (!strcmp(optarg, "always"))
				o->config.commit = VMLET_COMMIT_ALWAYS;
			else
				return fail(msg, msglen, "--commit: expected success or always, got '%s'", optarg);
			break;
		case OPT_REPEAT:
		case OPT_PARALLEL: {
			uint64_t n;
			if (parse_size(optarg, &n) || n == 0 || n > 1000000)
				return fail(msg, msglen, c == OPT_REPEAT ? "--repeat: expected a count from 1 to 1000000, got '%s'"
									 : "--parallel: expected a count from 1 to 1000000, got '%s'", optarg);
			*(c == OPT_REPEAT ? &o->repeat : &o->parallel) = (unsigned)n;
			break;
		}
		case OPT_HELP: o->help = 1; return 0;
		case ':':
			return fail(msg, msglen, "option %s needs a value", argv[optind - 1]);
		default:
			if (optopt >= OPT_MEM) { /* a known long option that takes no value, given one */
				const char *arg = argv[optind - 1], *eq = strchr(arg, '=');
				snprintf(msg, msglen, "option %.*s takes no value, got '%s'%s", eq ? (int)(eq - arg) : (int)strlen(arg),
					 arg, arg, optopt == OPT_TRACE ? " (to write the trace to a file: --trace-file FILE)" : "");
				return -EINVAL;
			}
			if (optopt) {
				char shortopt[3] = { '-', (char)optopt, 0 };
				return fail(msg, msglen, "unknown option '%s'", shortopt);
			}
			return fail(msg, msglen, "unknown option '%s'", argv[optind - 1]);
		}
	}
	o->env[o->nenv] = NULL;
	if (o->manifest && optind < argc)
		return fail(msg, msglen, "--manifest names the program: no program arguments (%s)", argv[optind]);
	if (o->inherit_env && o->clear_env)
		return fail(msg, msglen, "--clear-env and --inherit-env: give one (--env then adds to it)%s", "");
	if (o->manifest && (o->repeat || o->config.nchannels || o->config.ngrants || o->config.ntmpfs || o->config.root))
		return fail(msg, msglen, "--manifest declares the run: no --repeat, --channel, --ro, --tmpfs or --root with it%s",
			    "");
	if (o->manifest && o->ids_given)
		return fail(msg, msglen, "--manifest declares the ids (\"uid\", \"gid\"): no --uid or --gid with it%s", "");
	if (o->manifest && o->procs_given)
		return fail(msg, msglen, "--manifest declares \"processes\": no --max-procs with it%s", "");
	if (o->manifest && (o->nenv || o->inherit_env || o->clear_env))
		return fail(msg, msglen, "--manifest declares the environment (\"env\", \"clear_env\"): no --env, --clear-env or --inherit-env with it%s", "");
	if (o->manifest)
		return 0;
	if (optind >= argc)
		return fail(msg, msglen, "no program given (usage: vmlet run [options] PROGRAM [ARGS...])%s", "");
	if (o->repeat)
		for (size_t i = 0; i < o->config.nchannels; i++)
			if (o->channels[i].mode != VMLET_CHANNEL_READ)
				return fail(msg, msglen, "--repeat: channels that write (%s) are not supported",
					    o->channels[i].guest_path);
	if (o->reset && o->config.determinism.enabled)
		return fail(msg, msglen, "--reset cannot be used with --deterministic: a deterministic run needs a VM that has not run%s", "");
	if (o->reset && !o->repeat)
		return fail(msg, msglen, "--reset needs --repeat%s", "");
	if (o->parallel && !o->repeat)
		return fail(msg, msglen, "--parallel needs --repeat%s", "");
	if (o->repeat && !o->parallel)
		o->parallel = 1;
	if (o->parallel > o->repeat)
		o->parallel = o->repeat;
	if (o->parallel > 256)
		return fail(msg, msglen, "--parallel: at most 256 concurrent runs%s", "");
	o->config.path = argv[optind];
	o->config.argv = (const char *const *)&argv[optind];
	return 0;
}

void cli_options_free(struct cli_options *o)
{
	size_t i;

	for (i = 0; i < o->config.ngrants; i++)
		free(o->grant_storage[i]);
	for (i = 0; i < o->config.ntmpfs; i++)
		free(o->tmpfs_storage[i]);
	for (i = 0; i < o->config.nchannels; i++)
		free(o->channel_storage[i]);
	free(o->program);
	free(o->envp);
}
