/* job.c - a run from a manifest (loaded, checked, mapped by job_config, stdio opened), and a finished run onto the JSON report. */
#include "job.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../manifest/report.h"
#include "job_config.h"

_Static_assert(REPORT_QUOTA_READS == VMLET_QUOTA_READS && REPORT_QUOTA_READ_BYTES == VMLET_QUOTA_READ_BYTES &&
		       REPORT_QUOTA_WRITES == VMLET_QUOTA_WRITES && REPORT_QUOTA_WRITE_BYTES == VMLET_QUOTA_WRITE_BYTES,
	       "report quota bits are the library's");

/*
 * stdin, stdout or stderr given a host path: opened directly (not transactional).
 * A FIFO opens without waiting for its peer (the run waits in poll, bounded by
 * the timeout); a socket is connected.
 */
static int open_stdio(const struct manifest_channel *ch, int i, char *msg, size_t msglen)
{
	int flags = i == 0 ? O_RDONLY : ch->mode == MANIFEST_APPEND ? O_WRONLY | O_CREAT | O_APPEND
								     : O_WRONLY | O_CREAT | O_TRUNC;
	int fd;

	if (ch->type == MANIFEST_FIFO)
		flags = (i == 0 ? O_RDONLY : O_RDWR) | O_NONBLOCK;
	if (ch->type == MANIFEST_SOCKET) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", ch->host);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			int e = errno;
			close(fd);
			fd = -1;
			errno = e;
		}
	} else {
		fd = open(ch->host, flags | O_CLOEXEC | O_NOCTTY, 0644);
	}
	if (fd < 0) {
		snprintf(msg, msglen, "%s: %s", ch->host, strerror(errno));
		return -errno;
	}
	return fd;
}

int job_from_manifest(struct cli_options *o, struct vmlet_manifest *m, char *msg, size_t msglen)
{
	struct vmlet_config *c = &o->config;
	int r = manifest_load(o->manifest, m, msg, msglen);
	size_t i;

	if (!r)
		r = manifest_check_host(m, msg, msglen);
	if (!r)
		r = job_config(o, m, msg, msglen);
	if (!r) /* before stdio is opened: a config the run would refuse truncates nothing */
		r = job_config_check(o, m, msg, msglen);
	if (r)
		return r;
	for (i = 0; i < MANIFEST_STDIO && i < m->nchannels; i++) {
		int fd;
		if (!m->channels[i].host)
			continue;
		if ((fd = open_stdio(&m->channels[i], (int)i, msg, msglen)) < 0)
			return fd;
		*(i == 0 ? &c->stdin_fd : i == 1 ? &c->stdout_fd : &c->stderr_fd) = fd;
	}
	if (!o->report)
		o->report = m->report;
	return 0;
}

static enum report_state state_of(const struct vmlet_result *res)
{
	switch (res->outcome) {
	case VMLET_SIGNALED: return REPORT_SIGNAL;
	case VMLET_TIMEOUT: return REPORT_TIMEOUT;
	case VMLET_FAILED: return REPORT_ERROR;
	default: return res->quota_hit ? REPORT_QUOTA : res->status == 0 ? REPORT_OK : REPORT_EXIT;
	}
}

int job_write_report(FILE *f, const struct vmlet_config *c, const struct vmlet_result *res)
{
	static const char *const stdio[] = { "/dev/stdin", "/dev/stdout", "/dev/stderr" };
	struct vmlet_report_channel ch[3 + OPT_MAX_CHANNELS];
	struct vmlet_report_syscall sys[512];
	struct vmlet_report_process procs[VMLET_PROCESS_LIST_MAX];
	char unnamed[512][16];
	struct vmlet_report r = {
		.state = state_of(res), .exit_code = res->status, .signal = res->signal,
		.message = res->message, .channels = ch, .mem_peak = res->mem_peak, .exits = res->exits,
		.hypercalls = res->hypercalls, .processes = res->processes, .syscalls = res->syscalls, .syscalls_by_name = sys,
		.phases = { res->phases.create_vm, res->phases.create_vcpu, res->phases.memory,
			    res->phases.load, res->phases.run, res->phases.destroy },
	};
	size_t i;

	for (i = 0; i < res->nchannels && i < 3 + OPT_MAX_CHANNELS; i++) {
		const struct vmlet_channel_stats *s = &res->channels[i];
		ch[i] = (struct vmlet_report_channel){
			.guest = i < 3 ? stdio[i] : c->channels[i - 3].guest_path, .reads = s->reads,
			.read_bytes = s->read_bytes, .writes = s->writes, .write_bytes = s->write_bytes,
			.quotas = s->quota_hit,
		};
		memcpy(ch[i].read_sha256, s->read_sha256, sizeof(ch[i].read_sha256));
		memcpy(ch[i].write_sha256, s->write_sha256, sizeof(ch[i].write_sha256));
	}
	r.nchannels = i;
	for (i = 0; i < res->nprocess_list && i < VMLET_PROCESS_LIST_MAX; i++) {
		const struct vmlet_process_summary *p = &res->process_list[i];
		procs[i] = (struct vmlet_report_process){ .pid = p->pid, .ppid = p->ppid, .program = p->program,
							  .exit_code = p->exit_code, .exits = p->exits,
							  .hypercalls = p->hypercalls, .syscalls = p->syscalls };
	}
	r.process_list = procs;
	r.nprocess_list = i;
	for (i = 0; i < 512; i++) {
		const char *name = vmlet_syscall_name((unsigned)i);
		if (!res->syscall_counts[i])
			continue;
		if (!name) {
			snprintf(unnamed[i], sizeof(unnamed[i]), "syscall_%zu", i);
			name = unnamed[i];
		}
		sys[r.nsyscalls_by_name++] = (struct vmlet_report_syscall){ name, res->syscall_counts[i] };
	}
	return report_write(f, &r);
}
