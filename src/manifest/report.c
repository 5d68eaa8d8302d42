/* report.c - builds the JSON report of a run with jansson and writes it to a FILE or a manifest destination. */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const state_names[] = { NULL, "ok", "exit", "signal", "timeout", "quota", "error" };
static const char *const quota_names[] = { "reads", "read_bytes", "writes", "write_bytes" };
_Static_assert(sizeof(state_names) / sizeof(state_names[0]) == REPORT_ERROR + 1, "state names");
_Static_assert(1u << (sizeof(quota_names) / sizeof(quota_names[0])) == REPORT_QUOTA_ALL + 1, "quota names");

const char *report_state_name(enum report_state s)
{
	return (unsigned)s < sizeof(state_names) / sizeof(state_names[0]) ? state_names[s] : NULL;
}

const char *report_quota_name(unsigned bit)
{
	unsigned i;

	for (i = 0; i < sizeof(quota_names) / sizeof(quota_names[0]); i++)
		if (bit == 1u << i)
			return quota_names[i];
	return NULL;
}

void report_prepare(void)
{
	json_object_seed(0); /* 0: jansson picks the seed, once; later calls do nothing */
}

/* JSON integers are signed 64-bit: a counter past that (never, in practice) shows as the maximum. */
static json_t *u64(uint64_t v)
{
	return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v);
}

static json_t *hex(const uint8_t d[SHA256_DIGEST_SIZE])
{
	char s[SHA256_HEX_SIZE];

	return json_string(sha256_hex(d, s));
}

/* A string as JSON; bytes that are not UTF-8 (a message may quote the guest) become '?'. */
static json_t *text(const char *s)
{
	json_t *v = json_string(s);
	char *copy, *p;

	if (v || !(copy = strdup(s)))
		return v;
	for (p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	v = json_string(copy);
	free(copy);
	return v;
}

/* Whole microseconds, rounded to nearest. */
static json_t *usec(uint64_t ns)
{
	return u64(ns / 1000 + (ns % 1000 >= 500));
}

/* Remember the first failure as a negative errno. */
static void failed(int *bad, int code)
{
	if (!*bad)
		*bad = code;
}

/* json_object_set_new that remembers a failure (jansson frees value on error). */
static void set(json_t *obj, const char *key, json_t *value, int *bad)
{
	if (!value || json_object_set_new(obj, key, value))
		failed(bad, -ENOMEM);
}

static json_t *channel(const struct vmlet_report_channel *c, int *bad)
{
	json_t *o = json_object(), *q = json_array();
	unsigned bit;

	if (!o || !q || !c->guest || (c->quotas & ~REPORT_QUOTA_ALL)) {
		failed(bad, o && q ? -EINVAL : -ENOMEM);
		json_decref(o);
		json_decref(q);
		return NULL;
	}
	for (bit = 1; bit <= REPORT_QUOTA_ALL; bit <<= 1)
		if ((c->quotas & bit) && json_array_append_new(q, json_string(report_quota_name(bit))))
			failed(bad, -ENOMEM);
	set(o, "guest", text(c->guest), bad);
	set(o, "reads", u64(c->reads), bad);
	set(o, "read_bytes", u64(c->read_bytes), bad);
	set(o, "writes", u64(c->writes), bad);
	set(o, "write_bytes", u64(c->write_bytes), bad);
	set(o, "read_sha256", hex(c->read_sha256), bad);
	set(o, "write_sha256", hex(c->write_sha256), bad);
	set(o, "quotas", q, bad);
	return o;
}

static json_t *process(const struct vmlet_report_process *p, int *bad)
{
	json_t *o = json_object();

	if (!o || !p->program) {
		failed(bad, o ? -EINVAL : -ENOMEM);
		json_decref(o);
		return NULL;
	}
	set(o, "pid", json_integer(p->pid), bad);
	set(o, "ppid", json_integer(p->ppid), bad);
	set(o, "program", text(p->program), bad);
	set(o, "exit_code", json_integer(p->exit_code), bad);
	set(o, "exits", u64(p->exits), bad);
	set(o, "hypercalls", u64(p->hypercalls), bad);
	set(o, "syscalls", u64(p->syscalls), bad);
	return o;
}

static json_t *build(const struct vmlet_report *r, int *bad)
{
	const struct vmlet_report_phases *p = &r->phases;
	json_t *root = json_object(), *chans = json_array(), *sys = json_object(), *names = json_object(),
	       *phases = json_object(), *procs = json_array();
	const char *state = report_state_name(r->state);
	size_t i;

	if (!state || (r->nchannels && !r->channels) || (r->nsyscalls_by_name && !r->syscalls_by_name) ||
	    (r->nprocess_list && !r->process_list))
		failed(bad, -EINVAL);
	if (!root || !chans || !sys || !names || !phases || !procs)
		failed(bad, -ENOMEM);
	if (*bad) {
		json_decref(chans), json_decref(sys), json_decref(names), json_decref(phases), json_decref(procs);
		return root;
	}
	set(root, "version", json_integer(REPORT_FORMAT_VERSION), bad);
	set(root, "state", json_string(state), bad);
	set(root, "exit_code",
	    r->state == REPORT_OK || r->state == REPORT_EXIT || r->state == REPORT_QUOTA ? json_integer(r->exit_code)
											  : json_null(),
	    bad);
	set(root, "signal", r->state == REPORT_SIGNAL ? json_integer(r->signal) : json_null(), bad);
	set(root, "message", r->message && *r->message ? text(r->message) : json_null(), bad);

	for (i = 0; i < r->nchannels; i++)
		if (json_array_append_new(chans, channel(&r->channels[i], bad)))
			failed(bad, -ENOMEM); /* kept if channel() already said why */
	set(root, "channels", chans, bad);

	set(root, "memory_peak", u64(r->mem_peak), bad);
	set(root, "exits", u64(r->exits), bad);
	set(root, "hypercalls", u64(r->hypercalls), bad);
	set(root, "processes", u64(r->processes), bad);
	for (i = 0; i < r->nprocess_list; i++)
		if (json_array_append_new(procs, process(&r->process_list[i], bad)))
			failed(bad, -ENOMEM);
	set(root, "process_list", procs, bad);
	set(sys, "total", u64(r->syscalls), bad);
	for (i = 0; i < r->nsyscalls_by_name; i++) {
		const struct vmlet_report_syscall *s = &r->syscalls_by_name[i];

		if (!s->name || json_object_get(names, s->name))
			failed(bad, -EINVAL);
		else
			set(names, s->name, u64(s->count), bad); /* names are ASCII */
	}
	set(sys, "by_name", names, bad);
	set(root, "syscalls", sys, bad);

	set(phases, "create_vm", usec(p->create_vm), bad);
	set(phases, "create_vcpu", usec(p->create_vcpu), bad);
	set(phases, "memory", usec(p->memory), bad);
	set(phases, "load", usec(p->load), bad);
	set(phases, "run", usec(p->run), bad);
	set(phases, "destroy", usec(p->destroy), bad);
	set(root, "phases_us", phases, bad);
	return root;
}

int report_write(FILE *f, const struct vmlet_report *r)
{
	int bad = 0, r2;
	json_t *root = build(r, &bad);

	if (bad || !root) {
		json_decref(root);
		return bad ? bad : -ENOMEM;
	}
	r2 = json_dumpf(root, f, JSON_INDENT(2));
	json_decref(root);
	if (r2 || fputc('\n', f) == EOF || fflush(f) || ferror(f))
		return -EIO;
	return 0;
}
