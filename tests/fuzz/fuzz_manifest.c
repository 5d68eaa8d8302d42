/*
 * fuzz_manifest.c - libFuzzer target for the manifest parser: manifest_parse
 * over the raw bytes, then `vmlet check`'s printer over what it accepted.
 *
 * Besides memory errors (ASan) and undefined behaviour (UBSan), it checks the
 * parser's contract and traps when it is broken: a rejected input leaves a
 * one-line message naming the input and an empty manifest; an accepted one
 * obeys every rule docs/MANIFEST.md states (stdio in slots 0-2, normalized
 * unique guest paths, modes and limits that agree, values in range).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/check.h"
#include "manifest/manifest.h"
#include "vmlet.h"

#define NAME "fuzz.json"

#define CHECK(cond)                                                                        \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "fuzz_manifest: contract broken: %s (line %d)\n", #cond, \
				__LINE__);                                                 \
			abort();                                                           \
		}                                                                          \
	} while (0)

static FILE *devnull;

/* parse_size/parse_duration come from src/cli/options.c, whose option parser needs the library. */
__attribute__((weak)) void vmlet_config_init(struct vmlet_config *config)
{
	memset(config, 0, sizeof(*config));
}

/* check.c's cmd_check (linked, never called here) validates programs through the library. */
__attribute__((weak)) int vmlet_program_check(const char *path, const char *root, uint64_t mem_bytes, struct vmlet_error *err)
{
	(void)path, (void)mem_bytes, (void)err;
	abort();
}

static int has_dotdot(const char *s)
{
	size_t n = strlen(s);

	return !strcmp(s, "..") || !strncmp(s, "../", 3) || strstr(s, "/../") ||
	       (n >= 3 && !strcmp(s + n - 3, "/.."));
}

static void check_guest(const char *g)
{
	size_t n = strlen(g);

	CHECK(g[0] == '/');
	CHECK(!strstr(g, "//") && !strstr(g, "/./") && !has_dotdot(g));
	CHECK(n == 1 || (g[n - 1] != '/' && strcmp(g + n - 2, "/.")));
}

/* Is b strictly beneath a? */
static int beneath(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (!strcmp(a, "/"))
		return strcmp(b, "/") != 0;
	return !strncmp(a, b, n) && b[n] == '/';
}

static void check_channel(const struct vmlet_manifest *m, size_t i)
{
	static const char *const stdio[] = { "/dev/stdin", "/dev/stdout", "/dev/stderr" };
	const struct manifest_channel *c = &m->channels[i];
	size_t j;

	check_guest(c->guest);
	if (i < 3)
		CHECK(!strcmp(c->guest, stdio[i]));
	else
		for (j = 0; j < 3; j++)
			CHECK(strcmp(c->guest, stdio[j]));
	CHECK((c->host == NULL) == (c->type == MANIFEST_INHERITED));
	CHECK(c->host || i < 3);
	CHECK(!c->host || (c->host[0] && !has_dotdot(c->host)));
	CHECK(c->type >= MANIFEST_INHERITED && c->type <= MANIFEST_SOCKET);
	CHECK(c->mode >= MANIFEST_READ && c->mode <= MANIFEST_READ_WRITE);
	CHECK(c->access == MANIFEST_SEQUENTIAL || c->access == MANIFEST_RANDOM);
	CHECK(i != 0 || c->mode == MANIFEST_READ);
	CHECK(i == 0 || i > 2 || c->mode == MANIFEST_WRITE || c->mode == MANIFEST_APPEND);
	CHECK(c->type != MANIFEST_DIRECTORY || (c->mode == MANIFEST_READ && i > 2));
	CHECK(strcmp(c->guest, "/") || c->type == MANIFEST_DIRECTORY);
	if (c->access == MANIFEST_RANDOM)
		CHECK(c->mode != MANIFEST_APPEND && c->type != MANIFEST_FIFO && c->type != MANIFEST_CHARDEV &&
		      c->type != MANIFEST_SOCKET);
	if (!manifest_mode_reads(c->mode))
		CHECK(c->limits.reads == MANIFEST_UNLIMITED && c->limits.read_bytes == MANIFEST_UNLIMITED);
	if (!manifest_mode_writes(c->mode))
		CHECK(c->limits.writes == MANIFEST_UNLIMITED && c->limits.write_bytes == MANIFEST_UNLIMITED);
	CHECK(c->index >= -1 && c->index < MANIFEST_MAX_CHANNELS);
	CHECK(c->index >= 0 || i < 3);
	for (j = 0; j < i; j++) {
		const struct manifest_channel *o = &m->channels[j];

		CHECK(strcmp(o->guest, c->guest));
		CHECK(c->index < 0 || o->index != c->index);
		CHECK(!beneath(o->guest, c->guest) || o->type == MANIFEST_DIRECTORY);
		CHECK(!beneath(c->guest, o->guest) || c->type == MANIFEST_DIRECTORY);
	}
	/* Declared non-stdio channels keep their order. */
	if (i > 3 && m->channels[i - 1].index >= 0)
		CHECK(c->index > m->channels[i - 1].index);
}

static void check_manifest(const struct vmlet_manifest *m)
{
	size_t i;

	CHECK(m->name && !strcmp(m->name, NAME));
	CHECK(m->program && m->program[0] && !has_dotdot(m->program));
	CHECK(m->argc >= 1 && m->argv && !strcmp(m->argv[0], m->program) && !m->argv[m->argc]);
	for (i = 0; i < m->argc; i++)
		CHECK(m->argv[i]);
	CHECK(m->envp && !m->envp[m->nenv]);
	CHECK(m->clear_env == 0 || m->clear_env == 1);
	for (i = 0; i < m->nenv; i++)
		CHECK(m->envp[i] && strchr(m->envp[i], '=') && m->envp[i][0] != '=');
	CHECK(m->memory >= VMLET_MIN_MEM && m->memory <= VMLET_MAX_MEM);
	CHECK(m->timeout <= 1000000000000000000ull);
	CHECK(m->deterministic.enabled == 0 || m->deterministic.enabled == 1);
	CHECK(m->deterministic.epoch >= 0 && m->deterministic.epoch <= 9223372036ll);
	CHECK(!m->report || (m->report[0] && (!strcmp(m->report, "-") || !has_dotdot(m->report))));
	CHECK(m->commit == MANIFEST_COMMIT_SUCCESS || m->commit == MANIFEST_COMMIT_ALWAYS);
	CHECK(m->nchannels >= 3 && m->nchannels <= MANIFEST_MAX_CHANNELS + 3 && m->channels);
	for (i = 0; i < m->nchannels; i++)
		check_channel(m, i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmlet_manifest m, zero;
	char msg[512];
	size_t n;
	int r;

	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		if (!devnull)
			abort();
	}
	memset(&zero, 0, sizeof(zero));
	memset(msg, 0x55, sizeof(msg));
	r = manifest_parse((const char *)data, size, NAME, &m, msg, sizeof(msg));
	n = strnlen(msg, sizeof(msg));
	CHECK(n < sizeof(msg));
	if (r) {
		CHECK(n > 0);
		CHECK(r == -EINVAL || r == -ENOMEM);
		CHECK(!strncmp(msg, NAME ": ", strlen(NAME ": ")) || r == -ENOMEM);
		CHECK(!memchr(msg, '\n', n) && !memchr(msg, '\r', n));
		CHECK(!memcmp(&m, &zero, sizeof(m)));
		return 0;
	}
	CHECK(n == 0);
	check_manifest(&m);
	check_print(devnull, &m, 0);
	manifest_free(&m);
	CHECK(!memcmp(&m, &zero, sizeof(m)));
	return 0;
}
