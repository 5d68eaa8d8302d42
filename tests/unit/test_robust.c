/* test_robust.c - the front-end's defences that need no VM: absolute paths, signal dispositions, closed stdio, report files. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/options.h"
#include "cli/paths.h"
#include "cli/signals.h"
#include "cli/stdfds.h"
#include "core/vm_internal.h"
#include "manifest/report_file.h"

static char dir[] = "/tmp/vmlet-robust-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[100];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *in_dir(const char *name)
{
	static char buf[4][PATH_MAX];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

/* Files in dir whose name marks a temporary (".NAME.vmlet-PID-N.tmp"). */
static int temporaries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += strstr(e->d_name, ".vmlet-") && strstr(e->d_name, ".tmp") ? 1 : 0;
	if (d)
		closedir(d);
	return n;
}

/* Runs fn in a child; returns its wait status. */
static int in_child(int (*fn)(void))
{
	int st = 0;
	pid_t p = fork();

	if (p == 0)
		_exit(fn());
	waitpid(p, &st, 0);
	return st;
}

/* ---- paths ------------------------------------------------------------------ */

static void test_path_absolute(void **state)
{
	static const struct { const char *cwd, *path, *want; } cases[] = {
		{ "/w", "/abs/x", "/abs/x" },     { "/w", "x", "/w/x" },
		{ "/w", "./x", "/w/x" },          { "/w", "a/./b//c", "/w/a/b/c" },
		{ "/w", "../x", "/w/../x" },      { "/w", "tree/", "/w/tree/" },
		{ "/", "x", "/x" },               { "/w", ".", "/w" },
		{ "/w", "", "" },                 { "/w/d", "./../l/x", "/w/d/../l/x" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = path_absolute(cases[i].cwd, cases[i].path);
		assert_non_null(got);
		if (strcmp(got, cases[i].want))
			print_error("path_absolute(%s, %s) = %s, want %s\n", cases[i].cwd, cases[i].path, got,
				    cases[i].want);
		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

/* Every host path of a run, the way `vmlet run --repeat` needs them (no getcwd after confinement). */
static void test_paths_make_absolute(void **state)
{
	static struct cli_options o;
	struct abs_paths keep;
	char old[PATH_MAX], msg[200], cwd[PATH_MAX];

	(void)state;
	assert_non_null(getcwd(old, sizeof(old)));
	assert_int_equal(chdir(dir), 0);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	memset(&o, 0, sizeof(o));
	vmlet_config_init(&o.config);
	o.config.path = "./hello";
	o.grants[0] = (struct vmlet_grant){ .host_path = "tree", .guest_path = "/data" };
	o.grants[1] = (struct vmlet_grant){ .host_path = "/abs/tree", .guest_path = NULL };
	o.grants[2] = (struct vmlet_grant){ .host_path = "rel", .guest_path = NULL };
	o.config.grants = o.grants;
	o.config.ngrants = 3;
	o.channels[0] = (struct vmlet_channel){ .guest_path = "/in", .host_path = "tree/a.txt" };
	o.channels[1] = (struct vmlet_channel){ .guest_path = "/out", .host_path = "/abs/out" };
	o.config.channels = o.channels;
	o.config.nchannels = 2;
	o.report = "r.json";
	assert_int_equal(paths_make_absolute(&o, &keep, msg, sizeof(msg)), 0);
	assert_int_equal(chdir(old), 0);
	assert_string_equal(o.config.path, in_dir("hello"));
	assert_string_equal(o.grants[0].host_path, in_dir("tree"));
	assert_string_equal(o.grants[0].guest_path, "/data");
	assert_string_equal(o.grants[1].host_path, "/abs/tree");
	assert_string_equal(o.grants[1].guest_path, "/abs/tree");
	assert_string_equal(o.grants[2].host_path, in_dir("rel"));
	assert_string_equal(o.grants[2].guest_path, "rel"); /* still refused as relative, as given */
	assert_string_equal(o.channels[0].host_path, in_dir("tree/a.txt"));
	assert_string_equal(o.channels[1].host_path, "/abs/out");
	assert_string_equal(o.report, in_dir("r.json"));
	assert_string_equal(cwd, dir);
	paths_release(&keep);

	o.report = "-"; /* stderr stays stderr */
	o.config.path = "/bin/x";
	o.config.ngrants = o.config.nchannels = 0;
	assert_int_equal(paths_make_absolute(&o, &keep, msg, sizeof(msg)), 0);
	assert_string_equal(o.report, "-");
	assert_int_equal(keep.n, 0);
	paths_release(&keep);
}

/* ---- signals ---------------------------------------------------------------- */

static void test_signals_caught_list(void **state)
{
	static const int caught[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM,
				      SIGXCPU, SIGVTALRM, SIGPROF, SIGIO, SIGPWR, SIGSTKFLT };
	static const int not_caught[] = { SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT,
					  SIGSYS, SIGPIPE, SIGXFSZ, SIGCHLD, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU,
					  SIGURG, SIGWINCH };
	size_t i;
	int s;

	(void)state;
	for (i = 0; i < sizeof(caught) / sizeof(caught[0]); i++)
		assert_true(signals_caught(caught[i]));
	for (i = 0; i < sizeof(not_caught) / sizeof(not_caught[0]); i++)
		assert_false(signals_caught(not_caught[i]));
	for (s = SIGRTMIN; s <= SIGRTMAX; s++)
		assert_int_equal(signals_caught(s), s != SIGRTMAX - 1);
}

/* Every signal whose default action ends the process is caught, ignored, or a fault/SIGKILL. */
static int child_dispositions(void)
{
	static int ignored_at_start[65];
	struct sigaction sa;
	int s;

	signal(SIGHUP, SIG_IGN); /* as under nohup: stays ignored */
	for (s = 1; s <= SIGRTMAX && s < 65; s++) /* (valgrind starts us with SIGRTMAX ignored) */
		ignored_at_start[s] = sigaction(s, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN;
	signals_ignore_write_errors();
	if (signals_catch_termination())
		return 10;
	for (s = 1; s <= SIGRTMAX; s++) {
		if (sigaction(s, NULL, &sa) < 0)
			continue; /* reserved by the C library */
		if (s == SIGHUP || s == SIGPIPE || s == SIGXFSZ) {
			if (sa.sa_handler != SIG_IGN)
				return 20 + s;
		} else if (signals_caught(s) && (sa.sa_handler == SIG_DFL || (sa.sa_handler == SIG_IGN &&
										 !ignored_at_start[s]))) {
			return 100 + s;
		}
	}
	return 0;
}

static void test_signals_dispositions(void **state)
{
	int st = in_child(child_dispositions);

	(void)state;
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* Before signals_defer: a caught signal still ends the process by its default action. */
static int child_undeferred(void)
{
	signals_catch_termination();
	raise(SIGUSR1);
	return 0;
}

/* After signals_defer: every caught signal is recorded (the first kept), and the process goes on. */
static int child_deferred(void)
{
	static const int sigs[] = { SIGQUIT, SIGUSR2, SIGALRM, SIGXCPU, SIGVTALRM, SIGPROF, SIGIO, SIGPWR };
	size_t i;

	if (signals_catch_termination())
		return 1;
	signals_defer(NULL);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		raise(sigs[i]);
	raise(SIGRTMIN + 2);
	return signals_terminated() == SIGQUIT ? 0 : 2;
}

/* --repeat: back to the defaults (a confined creator could not reset a handler itself). */
static int child_restored(void)
{
	struct sigaction sa;

	signal(SIGHUP, SIG_IGN);
	if (signals_catch_termination())
		return 1;
	signals_restore_defaults();
	if (sigaction(SIGTERM, NULL, &sa) || sa.sa_handler != SIG_DFL)
		return 2;
	if (sigaction(SIGHUP, NULL, &sa) || sa.sa_handler != SIG_IGN)
		return 3;
	raise(SIGUSR2);
	return 4;
}

static void test_signals_restore_defaults(void **state)
{
	int st = in_child(child_restored);

	(void)state;
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGUSR2);
}

static void test_signals_defer(void **state)
{
	int st;

	(void)state;
	st = in_child(child_undeferred);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGUSR1);
	st = in_child(child_deferred);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* Past RLIMIT_FSIZE a write fails with EFBIG instead of killing the process (SIGXFSZ). */
static int child_fsize(void)
{
	struct rlimit rl = { 100, 100 };
	char buf[200] = { 0 };
	int fd;

	signals_ignore_write_errors();
	if (setrlimit(RLIMIT_FSIZE, &rl) || (fd = open(in_dir("fsize"), O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
		return 1;
	if (write(fd, buf, sizeof(buf)) != 100)
		return 2;
	return write(fd, buf, sizeof(buf)) < 0 && errno == EFBIG ? 0 : 3;
}

static void test_sigxfsz_ignored(void **state)
{
	int st = in_child(child_fsize);

	(void)state;
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* Outputs whose writes can fail go one hypercall per write, so the program gets ENOSPC/EFBIG at the call. */
static void test_output_exact(void **state)
{
	(void)state;
	assert_true(vm_output_exact(S_IFCHR | 0666, makedev(1, 7), 0, 0));  /* /dev/full */
	assert_false(vm_output_exact(S_IFCHR | 0666, makedev(1, 3), 0, 0)); /* /dev/null */
	assert_false(vm_output_exact(S_IFCHR | 0666, makedev(1, 5), 0, 0)); /* /dev/zero */
	assert_false(vm_output_exact(S_IFCHR | 0620, makedev(136, 0), 1, 0)); /* a terminal */
	assert_true(vm_output_exact(S_IFBLK | 0660, makedev(7, 0), 0, 0));
	assert_true(vm_output_exact(S_IFREG | 0644, 0, 0, 1));  /* ulimit -f: EFBIG */
	assert_false(vm_output_exact(S_IFREG | 0644, 0, 0, 0)); /* batched: a full disk still ends the run */
	assert_false(vm_output_exact(S_IFIFO | 0600, 0, 0, 1)); /* pipes: EPIPE is SIGPIPE, handled apart */
	assert_false(vm_output_exact(S_IFSOCK | 0600, 0, 0, 1));
}

/* ---- closed stdio ------------------------------------------------------------- */

static int child_closed_stdio(void)
{
	char c;
	int fd;

	close(0);
	close(2);
	if (stdfds_occupy() != 5)
		return 1;
	if (!(fcntl(0, F_GETFL) & O_PATH) || !(fcntl(2, F_GETFL) & O_PATH) || (fcntl(1, F_GETFL) & O_PATH))
		return 2;
	if (read(0, &c, 1) != -1 || errno != EBADF || write(2, "x", 1) != -1 || errno != EBADF)
		return 3; /* the guest gets EBADF, as a native program would */
	fd = open("/dev/null", O_RDONLY);
	if (fd < 3)
		return 4; /* nothing vmlet opens lands on a standard stream */
	return stdfds_occupy() == 0 ? 0 : 5;
}

static void test_closed_stdio(void **state)
{
	int st = in_child(child_closed_stdio);

	(void)state;
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* ---- report files -------------------------------------------------------------- */

static void check_refused(const char *path, int code, const char *want)
{
	const char *why;
	int r = report_target_check(path, &why);

	if (r != code || strcmp(why, want))
		print_error("report_target_check(%s) = %d '%s', want %d '%s'\n", path, r, why, code, want);
	assert_int_equal(r, code);
	assert_string_equal(why, want);
}

static void test_report_target_check(void **state)
{
	const char *proc = "is on procfs (a kernel interface), not storage";
	FILE *f;

	(void)state;
	assert_int_equal(mkfifo(in_dir("fifo"), 0644), 0);
	assert_int_equal(mkdir(in_dir("sub"), 0755), 0);
	assert_non_null(f = fopen(in_dir("old.json"), "w"));
	fclose(f);
	assert_int_equal(symlink(in_dir("old.json"), in_dir("link")), 0);
	assert_int_equal(symlink(in_dir("nothing"), in_dir("dangling")), 0);
	check_refused("-", 0, "");
	check_refused(in_dir("new.json"), 0, "");
	check_refused(in_dir("old.json"), 0, "");
	check_refused(in_dir("link"), 0, "");
	check_refused(in_dir("fifo"), -EINVAL, "is a FIFO, not a regular file");
	check_refused(in_dir("sub"), -EINVAL, "is a directory, not a regular file");
	check_refused(in_dir("dangling"), -ENOENT, "dangling symbolic link");
	check_refused(in_dir("nodir/r.json"), -ENOENT, "its directory does not exist");
	check_refused("/dev/null", -EINVAL, "is a character device, not a regular file");
	check_refused("/proc/self/comm", -EINVAL, proc);
	check_refused("/proc/new.json", -EINVAL, proc);
	check_refused("/sys/kernel/new.json", -EINVAL, "is on sysfs (a kernel interface), not storage");
}

static void read_all(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = 0;
	fclose(f);
}

static void test_report_file_commit(void **state)
{
	struct report_file rf;
	struct stat st;
	char msg[300], got[100];
	FILE *f;

	(void)state;
	/* A new file: written whole, no temporary left. */
	assert_int_equal(report_file_open(&rf, in_dir("r1.json"), msg, sizeof(msg)), 0);
	assert_int_equal(access(in_dir("r1.json"), F_OK), -1); /* nothing at the target until the commit */
	fputs("{\"state\": \"ok\"}\n", rf.f);
	assert_int_equal(report_file_commit(&rf, 0, in_dir("r1.json"), msg, sizeof(msg)), 0);
	read_all(in_dir("r1.json"), got, sizeof(got));
	assert_string_equal(got, "{\"state\": \"ok\"}\n");
	assert_int_equal(temporaries(), 0);

	/* An existing target keeps its permission bits; through a symbolic link, the file it names is replaced. */
	assert_non_null(f = fopen(in_dir("r2.json"), "w"));
	fputs("old\n", f);
	fclose(f);
	assert_int_equal(chmod(in_dir("r2.json"), 0600), 0);
	assert_int_equal(symlink("r2.json", in_dir("r2.link")), 0);
	assert_int_equal(report_file_open(&rf, in_dir("r2.link"), msg, sizeof(msg)), 0);
	fputs("new\n", rf.f);
	assert_int_equal(report_file_commit(&rf, 0, in_dir("r2.link"), msg, sizeof(msg)), 0);
	read_all(in_dir("r2.json"), got, sizeof(got));
	assert_string_equal(got, "new\n");
	assert_int_equal(lstat(in_dir("r2.link"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(stat(in_dir("r2.json"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	/* A report whose writing failed: the target is untouched, the temporary removed. */
	assert_int_equal(report_file_open(&rf, in_dir("r2.json"), msg, sizeof(msg)), 0);
	fputs("partial", rf.f);
	assert_int_equal(report_file_commit(&rf, -ENOSPC, in_dir("r2.json"), msg, sizeof(msg)), -ENOSPC);
	assert_non_null(strstr(msg, "writing the report"));
	assert_non_null(strstr(msg, strerror(ENOSPC)));
	read_all(in_dir("r2.json"), got, sizeof(got));
	assert_string_equal(got, "new\n");
	assert_int_equal(temporaries(), 0);

	/* Discarded (the run failed before its report): no temporary, no target. */
	assert_int_equal(report_file_open(&rf, in_dir("r3.json"), msg, sizeof(msg)), 0);
	report_file_discard(&rf);
	assert_int_equal(access(in_dir("r3.json"), F_OK), -1);
	assert_int_equal(temporaries(), 0);

	/* Refused targets are refused again at open, with the path in the message. */
	assert_int_equal(report_file_open(&rf, "/proc/self/comm", msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "report /proc/self/comm: is on procfs (a kernel interface), not storage");
	assert_null(rf.f);

	/* "-" is stderr. */
	assert_int_equal(report_file_open(&rf, "-", msg, sizeof(msg)), 0);
	assert_ptr_equal(rf.f, stderr);
	assert_int_equal(report_file_commit(&rf, 0, "-", msg, sizeof(msg)), 0);
}

/* The file system refuses the bytes (RLIMIT_FSIZE, SIGXFSZ ignored as vmlet does): the commit fails cleanly. */
static int child_report_too_large(void)
{
	struct rlimit rl = { 64, 64 };
	struct report_file rf;
	char msg[300];
	int i, r;

	signals_ignore_write_errors();
	if (setrlimit(RLIMIT_FSIZE, &rl) || report_file_open(&rf, in_dir("big.json"), msg, sizeof(msg)))
		return 1;
	for (i = 0; i < 100; i++)
		fputs("0123456789", rf.f);
	r = report_file_commit(&rf, 0, in_dir("big.json"), msg, sizeof(msg));
	if (r != -EFBIG || !strstr(msg, "File too large"))
		return 2;
	return access(in_dir("big.json"), F_OK) == -1 && temporaries() == 0 ? 0 : 3;
}

static void test_report_write_failure(void **state)
{
	int st = in_child(child_report_too_large);

	(void)state;
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_absolute),
		cmocka_unit_test(test_paths_make_absolute),
		cmocka_unit_test(test_signals_caught_list),
		cmocka_unit_test(test_signals_dispositions),
		cmocka_unit_test(test_signals_defer),
		cmocka_unit_test(test_signals_restore_defaults),
		cmocka_unit_test(test_sigxfsz_ignored),
		cmocka_unit_test(test_output_exact),
		cmocka_unit_test(test_closed_stdio),
		cmocka_unit_test(test_report_target_check),
		cmocka_unit_test(test_report_file_commit),
		cmocka_unit_test(test_report_write_failure),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
