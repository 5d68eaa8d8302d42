/* check.c - `vmlet check MANIFEST`: parse + host check, then one line per setting and per channel. */
#include "check.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../manifest/manifest.h"
#include "../manifest/sha256.h"
#include "env.h"
#include "job_config.h"
#include "options.h"
#include "vmlet.h"

#define EXIT_VMLET_ERROR 125

static const char usage[] =
	"usage: vmlet check MANIFEST\n"
	"Validate a JSON manifest (docs/MANIFEST.md) and its host paths without running it,\n"
	"and print what the run would be granted. Exit status 0 if valid, 125 if not.\n";

/* A path or string as-is when it is plain, else as a quoted JSON string (unambiguous either way). */
static void put_str(FILE *f, const char *s)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+,:=@%~";
	json_t *v;
	char *q;

	if (*s && strspn(s, plain) == strlen(s)) {
		fputs(s, f);
		return;
	}
	v = json_string(s);
	q = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_ENSURE_ASCII) : NULL;
	fputs(q ? q : "?", f);
	free(q);
	json_decref(v);
}

static void put_list(FILE *f, const char *const *items, size_t n)
{
	json_t *a = json_array();
	char *s;
	size_t i;

	for (i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(items[i]));
	s = a ? json_dumps(a, JSON_ENSURE_ASCII) : NULL;
	fputs(s ? s : "?", f);
	free(s);
	json_decref(a);
}

/* Exact, shortest: "64M" when a whole number of MiB, else bytes. */
static void put_size(FILE *f, uint64_t v)
{
	static const char units[] = "GMK";
	int shift;

	for (shift = 30; shift >= 10; shift -= 10)
		if (v && !(v & ((1ull << shift) - 1))) {
			fprintf(f, "%" PRIu64 "%c", v >> shift, units[(30 - shift) / 10]);
			return;
		}
	fprintf(f, "%" PRIu64, v);
}

static void put_duration(FILE *f, uint64_t ns)
{
	if (!(ns % 1000000000))
		fprintf(f, "%" PRIu64 "s", ns / 1000000000);
	else if (!(ns % 1000000))
		fprintf(f, "%" PRIu64 "ms", ns / 1000000);
	else if (!(ns % 1000))
		fprintf(f, "%" PRIu64 "us", ns / 1000);
	else
		fprintf(f, "%" PRIu64 "ns", ns);
}

static void put_limit(FILE *f, const char *name, uint64_t v, int bytes)
{
	fprintf(f, " %s=", name);
	if (v == MANIFEST_UNLIMITED)
		fputs("unlimited", f);
	else if (bytes)
		put_size(f, v);
	else
		fprintf(f, "%" PRIu64, v);
}

static void put_channel(FILE *f, const struct manifest_channel *c, size_t slot)
{
	static const char *const stdio_names[] = { "<stdin>", "<stdout>", "<stderr>" };

	fputs("channel ", f);
	put_str(f, c->guest);
	fprintf(f, ": type=%s mode=%s access=%s host=", manifest_type_name(c->type), manifest_mode_name(c->mode),
		manifest_access_name(c->access));
	if (c->host)
		put_str(f, c->host);
	else
		fputs(slot < 3 ? stdio_names[slot] : "?", f);
	if (manifest_mode_reads(c->mode)) {
		put_limit(f, "reads", c->limits.reads, 0);
		put_limit(f, "read_bytes", c->limits.read_bytes, 1);
	}
	if (manifest_mode_writes(c->mode)) {
		put_limit(f, "writes", c->limits.writes, 0);
		put_limit(f, "write_bytes", c->limits.write_bytes, 1);
	}
	fputc('\n', f);
}

void check_print(FILE *f, const struct vmlet_manifest *m, int dev_shm)
{
	const struct manifest_determinism *d = &m->deterministic;
	const char **env;
	size_t i;

	fputs("manifest: ", f);
	put_str(f, m->name);
	fputs("\nprogram: ", f);
	put_str(f, m->program);
	if (m->root) { /* only when given: the output of manifests without one is unchanged */
		fputs("\nroot: ", f);
		put_str(f, m->root);
	}
	if (m->uid >= 0) /* only when given, as root */
		fprintf(f, "\nuid: %" PRId64, m->uid);
	if (m->gid >= 0)
		fprintf(f, "\ngid: %" PRId64, m->gid);
	fputs("\nargs: ", f);
	put_list(f, (const char *const *)m->argv + 1, m->argc - 1);
	fputs("\nenv: ", f); /* what the program gets: the settings over the base */
	env = env_merge(m->clear_env ? NULL : env_default, (const char *const *)m->envp, m->nenv);
	for (i = 0; env && env[i]; i++)
		;
	if (env)
		put_list(f, env, i);
	else
		fputs("? (out of memory)", f);
	free(env);
	fputs("\nmemory: ", f);
	put_size(f, m->memory);
	fputs("\ntimeout: ", f);
	if (m->timeout)
		put_duration(f, m->timeout);
	else
		fputs("none", f);
	fputs("\ndeterministic: ", f);
	if (d->enabled) {
		time_t t = (time_t)d->epoch;
		char when[64] = "?", seed[SHA256_HEX_SIZE];
		struct tm tm;

		if (gmtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(f, "on, epoch %" PRId64 " (%s), seed %s", d->epoch, when, sha256_hex(d->seed, seed));
	} else {
		fputs("off", f);
	}
	fputs("\nreport: ", f);
	if (!m->report)
		fputs("none", f);
	else if (!strcmp(m->report, "-"))
		fputs("- (stderr)", f);
	else
		put_str(f, m->report);
	fprintf(f, "\ncommit: %s\n", manifest_commit_name(m->commit));
	for (i = 0; i < m->ntmpfs; i++) {
		fputs("tmpfs ", f);
		put_str(f, m->tmpfs[i].path);
		fputs(": size=", f);
		if (m->tmpfs[i].size)
			put_size(f, m->tmpfs[i].size);
		else
			fputs("half of memory", f);
		fputc('\n', f);
	}
	if (dev_shm)
		fputs("tmpfs /dev/shm: size=half of memory (by default with a root)\n", f);
	for (i = 0; i < m->nchannels; i++)
		put_channel(f, &m->channels[i], i);
}

int cmd_check(int argc, char **argv)
{
	struct vmlet_manifest m;
	struct vmlet_error err;
	struct cli_options o;
	char msg[CLI_MSG_MAX];
	int r;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc != 2 || (argv[1][0] == '-' && argv[1][1])) {
		fprintf(stderr, "vmlet: usage: vmlet check MANIFEST\n");
		return EXIT_VMLET_ERROR;
	}
	/* The checks `vmlet run --manifest` makes, in its order; then the program's, which a run makes at create. */
	memset(&o, 0, sizeof(o));
	vmlet_config_init(&o.config);
	r = manifest_load(argv[1], &m, msg, sizeof(msg));
	if (!r)
		r = manifest_check_host(&m, msg, sizeof(msg));
	if (!r)
		r = job_config(&o, &m, msg, sizeof(msg));
	if (!r)
		r = job_config_check(&o, &m, msg, sizeof(msg));
	free(o.envp);
	if (r) {
		fprintf(stderr, "vmlet: %s\n", msg);
		manifest_free(&m);
		return EXIT_VMLET_ERROR;
	}
	/* The program must also be one vmlet can load: an x86-64 ELF (or a script) that fits, its interpreter in the root. */
	if (vmlet_program_check(m.program, m.root, m.memory, &err)) {
		fprintf(stderr, "vmlet: %s: program: %s\n", argv[1], err.message);
		manifest_free(&m);
		return EXIT_VMLET_ERROR;
	}
	check_print(stdout, &m, vmlet_config_dev_shm(&o.config));
	manifest_free(&m);
	return fflush(stdout) ? EXIT_VMLET_ERROR : 0;
}
