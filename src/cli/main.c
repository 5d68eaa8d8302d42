/* main.c - the vmlet command: parse options, run the program in a fresh micro-VM, exit like a shell. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../confine/confine.h"
#include "../manifest/report.h"
#include "../manifest/report_file.h"
#include "check.h"
#include "gc.h"
#include "options.h"
#include "path_search.h"
#include "env.h"
#include "job.h"
#include "paths.h"
#include "repeat.h"
#include "signals.h"
#include "stdfds.h"
#include "trace_file.h"
#include "vmlet.h"

extern char **environ;

#define EXIT_VMLET_ERROR 125
#define EXIT_CANNOT_EXEC 126
#define EXIT_NOT_FOUND 127

static const char usage[] =
	"usage: vmlet run [options] PROGRAM [ARGS...]\n"
	"       vmlet check MANIFEST   validate a JSON manifest, print what a run would be granted\n"
	"Run a static x86-64 Linux executable in a fresh KVM micro-VM. PROGRAM is a path, or a\n"
	"name without '/' looked up in vmlet's PATH as a shell does (default /usr/local/bin:/usr/bin:/bin).\n"
	"\n"
	"  --mem SIZE          guest memory, 16M to 64G, e.g. 64M, 1G (default 256M)\n"
	"  --timeout DURATION  wall-clock limit, e.g. 500ms, 2s, 1m (exit 124 when hit)\n"
	"  --ro HOST[:GUEST]   grant read-only access to a host file or directory tree\n"
	"  --tmpfs PATH[:SIZE] a writable in-memory filesystem at PATH inside the guest, in guest\n"
	"                      memory, gone after the run (default size: half of --mem)\n"
	"  --root DIR          DIR is the guest's / (read-only, like a chroot); PROGRAM (a name without\n"
	"                      '/' looked up in the guest's PATH) and the interpreter of a dynamic\n"
	"                      executable are found inside it; /dev/shm is a tmpfs\n"
	"  --uid N, --gid N    the program's user and group ids, numbers 0..4294967294 (default 0)\n"
	"  --max-procs N       guest processes at once, the first included (default 64; 1: no fork)\n"
	"  --env NAME=VALUE    set a variable in the program's environment (repeatable); it adds to\n"
	"                      or overrides the default PATH=/bin:/usr/bin HOME=/\n"
	"  --clear-env         start from an empty environment instead (--env then adds to it)\n"
	"  --inherit-env       start from vmlet's whole environment instead (--env then overrides)\n"
	"  --trace             print every system call of the program to stderr\n"
	"  --trace-file FILE   print them to FILE instead (a regular file or character device)\n"
	"  --stats             print exits, system calls and phase times to stderr\n"
	"  --repeat N          run the program N times, each in a fresh VM (from a pool)\n"
	"  --parallel P        with --repeat: P runs at a time (default 1)\n"
	"  --reset             with --repeat: reset and reuse each VM instead of a fresh one\n"
	"  --user NAME         when started as root, run as NAME (after opening /dev/kvm; files as NAME)\n"
	"  --no-seccomp        do not install the host system-call allowlist (debugging only)\n"
	"\n"
	"  --channel GUEST:HOST[:KEY=VALUE,...]  a channel: the program opens GUEST, vmlet HOST.\n"
	"                      Keys and names are the manifest's (docs/MANIFEST.md):\n"
	"                        type=file|directory|fifo|chardev|socket (dir for directory;\n"
	"                             default file, or directory when HOST is one)\n"
	"                        mode=read|write|append|read-write (rw for read-write; default read)\n"
	"                        access=sequential|random (default random)\n"
	"                        reads=N read_bytes=SIZE writes=N write_bytes=SIZE (quotas; EDQUOT past one)\n"
	"                      e.g. --channel /out/r.txt:r.txt:mode=write,write_bytes=1M\n"
	"                      GUEST /dev/stdin|stdout|stderr with HOST - sets only that stream's quotas\n"
	"  --manifest FILE     run what a JSON manifest declares (vmlet check FILE validates it)\n"
	"  --report FILE|-     write a JSON report of the run\n"
	"  --deterministic     fixed clock and random seed (--epoch SECONDS, --seed HEX64)\n"
	"  --commit success|always  when written files replace their targets (default success)\n"
	"\n"
	"Other commands: vmlet check FILE; vmlet gc DIR... (finish or undo interrupted commits, remove leftovers);\n"
	"vmlet version\n"
	"\n"
	"Exit status: the program's own; 128+N if it died of signal N (a fault is 139);\n"
	"124 timeout; 125 vmlet error (bad option or command, bad config, no /dev/kvm);\n"
	"126 not runnable; 127 not found (a file, or a name in PATH).\n";

static const char *quota_names(unsigned bits, char *buf, size_t len)
{
	static const char *const names[] = { "reads", "read bytes", "writes", "write bytes" };
	size_t n = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < 4; i++)
		if (bits & (1u << i))
			n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? ", " : "", names[i]);
	return buf;
}

static int exit_code_for(int code)
{
	switch (code) {
	case -ENOENT: return EXIT_NOT_FOUND;
	case -ENOEXEC:
	case -EACCES: return EXIT_CANNOT_EXEC;
	default: return EXIT_VMLET_ERROR;
	}
}

static void print_stats(const struct vmlet_result *r)
{
	const struct vmlet_phases *p = &r->phases;

	fprintf(stderr,
		"vmlet: exits %llu, hypercalls %llu, syscalls %llu (%llu unsupported), processes %llu, memory peak %llu KiB\n"
		"vmlet: phases (us): create_vm %.0f, create_vcpu %.0f, memory %.0f, load %.0f, run %.0f, destroy %.0f\n",
		(unsigned long long)r->exits, (unsigned long long)r->hypercalls,
		(unsigned long long)r->syscalls, (unsigned long long)r->unsupported,
		(unsigned long long)r->processes, (unsigned long long)(r->mem_peak >> 10), p->create_vm / 1e3, p->create_vcpu / 1e3,
		p->memory / 1e3, p->load / 1e3, p->run / 1e3, p->destroy / 1e3);
	for (size_t i = 0; r->nprocess_list > 1 && i < r->nprocess_list; i++) {
		const struct vmlet_process_summary *s = &r->process_list[i];
		fprintf(stderr, "vmlet: process %d (parent %d) %s: exit %d, exits %llu, hypercalls %llu, syscalls %llu\n",
			s->pid, s->ppid, s->program, s->exit_code, (unsigned long long)s->exits,
			(unsigned long long)s->hypercalls, (unsigned long long)s->syscalls);
	}
}

/*
 * Narrow this process before the guest's first instruction (see src/confine).
 * The report's directory stays an output directory.
 */
static int confine(const struct cli_options *o, struct vmlet_vm *vm, const struct report_file *rf,
		   struct vmlet_error *err)
{
	if (o->no_seccomp) {
		fprintf(stderr, "vmlet: warning: --no-seccomp: Landlock and the host system-call allowlist are OFF "
				"(debugging only; a compromised vmlet could use any system call)\n");
		return 0;
	}
#ifdef __SANITIZE_ADDRESS__
	/* The sanitizer runtime needs system calls (ptrace, /proc) the allowlist forbids. */
	(void)vm;
	(void)rf;
	(void)err;
	return 0;
#else
	return vmlet_confine_dirs(vm, &rf->dirfd, rf->dirfd >= 0, err);
#endif
}

/* Everything a run holds, released on every way out of cmd_run. */
struct run_state {
	struct cli_options o;
	struct vmlet_manifest manifest;
	struct abs_paths paths;
	struct report_file report;
	struct vmlet_vm *vm;
};

static int finish(struct run_state *st, int code)
{
	report_file_discard(&st->report);
	if (st->vm) {
		signals_defer(NULL); /* a signal from now on must not reach a freed VM */
		vmlet_vm_destroy(st->vm); /* synchronously: its temporary files go with it */
	}
	manifest_free(&st->manifest);
	paths_release(&st->paths);
	cli_options_free(&st->o);
	return code;
}

/*
 * Without a manifest (which declares both): the environment built from its
 * base and the --env settings, and PROGRAM looked up in PATH: vmlet's own on
 * the host, or with --root the guest environment's, inside the root. Returns
 * 0, or the exit status with the message in msg.
 */
static int program_and_env(struct cli_options *o, char *msg, size_t msglen)
{
	int r;

	o->envp = env_merge(o->inherit_env ? (const char *const *)environ : o->clear_env ? NULL : env_default,
			    o->env, o->nenv);
	r = !o->envp ? -ENOMEM
		     : path_search(o->config.path, o->config.root ? env_get(o->envp, "PATH") : getenv("PATH"),
				   o->config.root, &o->program, msg, msglen);
	if (r == -ENOENT)
		return EXIT_NOT_FOUND;
	if (r) {
		snprintf(msg, msglen, "out of memory");
		return EXIT_VMLET_ERROR;
	}
	o->config.path = o->program;
	o->config.envp = o->envp;
	return 0;
}

/*
 * Before any VM exists: options, program and environment (or the manifest),
 * trace file, absolute paths for --repeat, the report's target. Returns 0, or the exit status
 * with the message in msg.
 */
static int prepare(struct run_state *st, int argc, char **argv, char *msg, size_t msglen)
{
	struct cli_options *o = &st->o;
	const char *why;
	int r;

	if (parse_run_options(argc, argv, o, msg, msglen))
		return EXIT_VMLET_ERROR;
	if (o->help)
		return 0;
	if (!o->manifest && (r = program_and_env(o, msg, msglen)))
		return r;
	if (o->trace_file && (o->config.trace_fd = trace_file_open(o->trace_file, msg, msglen)) < 0)
		return EXIT_VMLET_ERROR;
	if (o->manifest && job_from_manifest(o, &st->manifest, msg, msglen))
		return EXIT_VMLET_ERROR; /* a manifest whose resources are missing stops the run before it starts */
	if (o->report && o->repeat) {
		snprintf(msg, msglen, "--report applies to a single run, not to --repeat");
		return EXIT_VMLET_ERROR;
	}
	/* --repeat opens them in each run, after confinement (no getcwd then); a single run
	 * opens everything before it, and its messages keep the paths as given. */
	if (o->repeat && paths_make_absolute(o, &st->paths, msg, msglen))
		return EXIT_VMLET_ERROR;
	if (!o->report)
		return 0;
	if (report_target_check(o->report, &why)) {
		snprintf(msg, msglen, "report %s: %s", o->report, why);
		return EXIT_VMLET_ERROR;
	}
	report_prepare();
	o->config.flags |= VMLET_DIGESTS;
	return 0;
}

static void print_quotas(const struct vmlet_config *c, const struct vmlet_result *res)
{
	char q[80];
	size_t i;

	for (i = 0; i < res->nchannels; i++)
		if (res->channels[i].quota_hit)
			fprintf(stderr, "vmlet: quota ran out on %s (%s)\n",
				i < 3 ? (const char *[]){ "stdin", "stdout", "stderr" }[i] : c->channels[i - 3].guest_path,
				quota_names(res->channels[i].quota_hit, q, sizeof(q)));
}

static int cmd_run(int argc, char **argv)
{
	static struct run_state st; /* large (options, manifest): off the stack */
	struct vmlet_error err;
	struct vmlet_result res;
	char msg[CLI_MSG_MAX];
	int r, sig;

	memset(&st, 0, sizeof(st));
	st.report.dirfd = -1;
	if ((r = signals_catch_termination())) {
		fprintf(stderr, "vmlet: installing signal handlers: %s\n", strerror(-r));
		return EXIT_VMLET_ERROR;
	}
	if ((r = prepare(&st, argc, argv, msg, sizeof(msg)))) {
		fprintf(stderr, "vmlet: %s\n", msg);
		return finish(&st, r);
	}
	if (st.o.help) {
		fputs(usage, stdout);
		return finish(&st, 0);
	}
	if (st.o.repeat) {
		signals_restore_defaults();
		return finish(&st, run_repeated(&st.o));
	}
	signals_defer(NULL); /* temporary files exist from here on: a signal cleans up */
	r = st.o.user ? vmlet_become_user(st.o.user, &err) : 0;
	if (!r)
		r = vmlet_vm_create(&st.o.config, &st.vm, &err);
	if (r && (sig = signals_terminated())) { /* it interrupted a wait (a socket's connect) */
		fprintf(stderr, "vmlet: terminated by signal %d; outputs not kept\n", sig);
		return finish(&st, 128 + sig);
	}
	if (r) {
		fprintf(stderr, "vmlet: %s\n", err.message);
		return finish(&st, err.program ? exit_code_for(r) : EXIT_VMLET_ERROR);
	}
	signals_defer(st.vm);
	/* As the run's user (--user applied before the create), before confinement. */
	if (st.o.report && (r = report_file_open(&st.report, st.o.report, msg, sizeof(msg)))) {
		fprintf(stderr, "vmlet: %s\n", msg);
		return finish(&st, EXIT_VMLET_ERROR);
	}
	if ((r = confine(&st.o, st.vm, &st.report, &err))) {
		fprintf(stderr, "vmlet: %s\n", err.message);
		return finish(&st, EXIT_VMLET_ERROR);
	}
	r = vmlet_vm_run(st.vm, &res, &err);
	signals_defer(NULL);
	if ((sig = signals_terminated())) {
		fprintf(stderr, "vmlet: terminated by signal %d; outputs not kept\n", sig);
		res.exit_code = 128 + sig;
	} else if (!r && res.outcome == VMLET_SIGNALED && signals_was_forwarded(res.signal)) {
		fprintf(stderr, "vmlet: terminated by signal %d; outputs not kept\n", res.signal);
	}
	if (!r && res.quota_hit)
		print_quotas(&st.o.config, &res);
	if (!r && st.o.report) {
		int w;
		errno = 0;
		w = job_write_report(st.report.f, &st.o.config, &res);
		if (report_file_commit(&st.report, w ? (errno ? -errno : w) : 0, st.o.report, msg, sizeof(msg))) {
			fprintf(stderr, "vmlet: %s\n", msg);
			res.exit_code = EXIT_VMLET_ERROR;
		}
	}
	if (!r && res.message[0] && !sig)
		fprintf(stderr, "vmlet: %s\n", res.message);
	if (!r && st.o.stats) /* (the process list is the VM's) */
		print_stats(&res);
	/* We exit next: tear the VM down in a detached process, off our critical path. */
	vmlet_vm_destroy_detached(st.vm);
	st.vm = NULL;
	if (r) {
		fprintf(stderr, "vmlet: %s\n", err.message);
		return finish(&st, EXIT_VMLET_ERROR);
	}
	return finish(&st, res.exit_code);
}

int main(int argc, char **argv)
{
	const char *cmd = argc >= 2 ? argv[1] : NULL;

	/* Before anything is opened: no fd of vmlet's may take a closed stdio number. */
	if (stdfds_occupy() < 0)
		return EXIT_VMLET_ERROR;
	/* Write errors (a closed pipe, RLIMIT_FSIZE) are the guest's EPIPE/SIGPIPE and EFBIG, not our death. */
	signals_ignore_write_errors();
	if (!cmd) {
		fprintf(stderr, "vmlet: no command given; see 'vmlet --help'\n");
		return EXIT_VMLET_ERROR;
	}
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "check"))
		return cmd_check(argc - 1, argv + 1);
	if (!strcmp(cmd, "gc"))
		return cmd_gc(argc - 1, argv + 1);
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		puts("vmlet 0.1");
		return 0;
	}
	fprintf(stderr, "vmlet: unknown %s '%s'; see 'vmlet --help'\n", cmd[0] == '-' ? "option" : "command", cmd);
	return EXIT_VMLET_ERROR;
}
