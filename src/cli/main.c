/* main.c - the vmlet command: parse options, run the program in a fresh micro-VM, exit like a shell. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../confine/confine.h"
#include "check.h"
#include "gc.h"
#include "options.h"
#include "path_search.h"
#include "env.h"
#include "job.h"
#include "repeat.h"
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

/* A manifest whose resources are missing or inaccessible stops the run before it starts: 125. */
static int exit_code_for_manifest(int code)
{
	(void)code;
	return EXIT_VMLET_ERROR;
}

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
		"vmlet: exits %llu, hypercalls %llu, syscalls %llu (%llu unsupported), memory peak %llu KiB\n"
		"vmlet: phases (us): create_vm %.0f, create_vcpu %.0f, memory %.0f, load %.0f, run %.0f, destroy %.0f\n",
		(unsigned long long)r->exits, (unsigned long long)r->hypercalls,
		(unsigned long long)r->syscalls, (unsigned long long)r->unsupported,
		(unsigned long long)(r->mem_peak >> 10), p->create_vm / 1e3, p->create_vcpu / 1e3,
		p->memory / 1e3, p->load / 1e3, p->run / 1e3, p->destroy / 1e3);
}

/*
 * --user: become the user once /dev/kvm is open and before the run's files are: they
 * are then opened, checked and committed with the user's permissions (as with --repeat).
 */
static int become_user(const char *user, struct vmlet_error *err)
{
	struct vmlet_host_fds fds;

	vmlet_vm_host_fds(NULL, &fds);
	return vmlet_drop_privileges(user, err);
}

/* Narrow this process before the guest's first instruction (see src/confine). */
static int confine(const struct cli_options *o, struct vmlet_vm *vm, struct vmlet_error *err)
{
	if (o->no_seccomp) {
		fprintf(stderr, "vmlet: warning: --no-seccomp: Landlock and the host system-call allowlist are OFF "
				"(debugging only; a compromised vmlet could use any system call)\n");
		return 0;
	}
#ifdef __SANITIZE_ADDRESS__
	/* The sanitizer runtime needs system calls (ptrace, /proc) the allowlist forbids. */
	(void)vm;
	(void)err;
	return 0;
#else
	return vmlet_confine(vm, err);
#endif
}

/* SIGTERM, SIGINT, SIGHUP during a run: stop the guest, drop its outputs, exit 128+N. */
static struct vmlet_vm *running;
static volatile sig_atomic_t terminated;

static void on_terminate(int sig)
{
	terminated = sig;
	if (running)
		vmlet_vm_kill(running);
}

static void catch_termination(void)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_terminate;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

/*
 * Without a manifest (which declares both): PROGRAM looked up in PATH, and the
 * environment built from its base and the --env settings. Returns 0, or the
 * exit status with the message in msg.
 */
static int program_and_env(struct cli_options *o, char *msg, size_t msglen)
{
	int r = path_search(o->config.path, getenv("PATH"), &o->program, msg, msglen);

	if (r == -ENOENT)
		return EXIT_NOT_FOUND;
	o->envp = r ? NULL : env_merge(o->inherit_env ? (const char *const *)environ : o->clear_env ? NULL : env_default,
				       o->env, o->nenv);
	if (!o->envp) {
		snprintf(msg, msglen, "out of memory");
		return EXIT_VMLET_ERROR;
	}
	o->config.path = o->program;
	o->config.envp = o->envp;
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	struct vmlet_manifest manifest;
	FILE *report = NULL;
	struct cli_options o;
	struct vmlet_error err;
	struct vmlet_result res;
	struct vmlet_vm *vm;
	char msg[CLI_MSG_MAX];
	int r;

	memset(&manifest, 0, sizeof(manifest));
	if (parse_run_options(argc, argv, &o, msg, sizeof(msg))) {
		fprintf(stderr, "vmlet: %s\n", msg);
		cli_options_free(&o);
		return EXIT_VMLET_ERROR;
	}
	if (o.help) {
		fputs(usage, stdout);
		cli_options_free(&o);
		return 0;
	}
	if (!o.manifest && (r = program_and_env(&o, msg, sizeof(msg)))) {
		fprintf(stderr, "vmlet: %s\n", msg);
		cli_options_free(&o);
		return r;
	}
	if (o.trace_file && (o.config.trace_fd = trace_file_open(o.trace_file, msg, sizeof(msg))) < 0) {
		fprintf(stderr, "vmlet: %s\n", msg);
		cli_options_free(&o);
		return EXIT_VMLET_ERROR;
	}
	if (o.manifest && (r = job_from_manifest(&o, &manifest, msg, sizeof(msg)))) {
		fprintf(stderr, "vmlet: %s\n", msg);
		manifest_free(&manifest);
		cli_options_free(&o);
		return exit_code_for_manifest(r);
	}
	report = job_open_report(o.report, msg, sizeof(msg));
	if (report)
		o.config.flags |= VMLET_DIGESTS;
	if (o.report && !report) {
		fprintf(stderr, "vmlet: %s\n", msg);
		manifest_free(&manifest);
		cli_options_free(&o);
		return EXIT_VMLET_ERROR;
	}
	if (o.repeat) {
		r = run_repeated(&o);
		cli_options_free(&o);
		return r;
	}
	r = o.user ? become_user(o.user, &err) : 0;
	if (!r)
		r = vmlet_vm_create(&o.config, &vm, &err);
	if (r) {
		fprintf(stderr, "vmlet: %s\n", err.message);
		manifest_free(&manifest);
		cli_options_free(&o);
		return err.program ? exit_code_for(r) : EXIT_VMLET_ERROR;
	}
	catch_termination(); /* before confinement: it installs handlers */
	r = confine(&o, vm, &err);
	if (r) {
		fprintf(stderr, "vmlet: %s\n", err.message);
		cli_options_free(&o);
		return EXIT_VMLET_ERROR;
	}
	running = vm;
	r = vmlet_vm_run(vm, &res, &err);
	running = NULL;
	if (terminated) {
		fprintf(stderr, "vmlet: terminated by signal %d; outputs not kept\n", (int)terminated);
		res.exit_code = 128 + terminated;
	}
	if (!r && res.quota_hit) {
		char q[80];
		for (size_t i = 0; i < res.nchannels; i++)
			if (res.channels[i].quota_hit)
				fprintf(stderr, "vmlet: quota ran out on %s (%s)\n",
					i < 3 ? (const char *[]){ "stdin", "stdout", "stderr" }[i]
					      : o.config.channels[i - 3].guest_path,
					quota_names(res.channels[i].quota_hit, q, sizeof(q)));
	}
	if (!r && report && job_write_report(report, &o.config, &res))
		fprintf(stderr, "vmlet: writing the report failed\n");
	if (report && report != stderr)
		fclose(report);
	/* We exit next: tear the VM down in a detached process, off our critical path. */
	vmlet_vm_destroy_detached(vm);
	manifest_free(&manifest);
	cli_options_free(&o);
	if (r) {
		fprintf(stderr, "vmlet: %s\n", err.message);
		return EXIT_VMLET_ERROR;
	}
	if (res.message[0] && !terminated)
		fprintf(stderr, "vmlet: %s\n", res.message);
	if (res.process_calls)
		fprintf(stderr, "vmlet: note: the program tried to start a process or thread "
				"(fork/clone/execve), which vmlet does not support yet\n");
	if (o.stats)
		print_stats(&res);
	return res.exit_code;
}

int main(int argc, char **argv)
{
	const char *cmd = argc >= 2 ? argv[1] : NULL;

	/* Writes to a closed stdout are reported as the guest's SIGPIPE, not ours. */
	signal(SIGPIPE, SIG_IGN);
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
