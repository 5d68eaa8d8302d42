/* test_path_search.c - `vmlet run NAME` looks NAME up in PATH as a shell does (on the host or inside --root), and says which PATH it searched. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/path_search.h"

static char dir[64];

static void make_file(const char *rel, mode_t mode)
{
	char p[128];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(chmod(p, mode), 0);
}

/* a/ holds prog (not executable) and tool (executable); b/ holds prog (executable); c/prog is a directory. */
static int setup(void **state)
{
	char p[128];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/vmlet-path-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(p, sizeof(p), "%s/a", dir), mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/b", dir), mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/c", dir), mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/c/prog", dir), mkdir(p, 0755);
	make_file("a/prog", 0644);
	make_file("a/tool", 0755);
	make_file("b/prog", 0755);
	make_file("a/only-plain", 0644);
	/* Symlinks that would leave dir when it is a root: they resolve inside it. */
	snprintf(p, sizeof(p), "%s/up", dir);
	if (symlink("../../../../../..", p))
		return -1;
	snprintf(p, sizeof(p), "%s/abs", dir);
	if (symlink("/usr/bin", p))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void found_in(const char *name, const char *path, const char *root, const char *want)
{
	char msg[256] = "", *out = NULL;
	int r = path_search(name, path, root, &out, msg, sizeof(msg));

	if (r || !out || strcmp(out, want))
		print_error("path_search(%s, %s) = %d, '%s' ('%s'); wanted '%s'\n", name, path, r, out ? out : "(null)",
			    msg, want);
	assert_int_equal(r, 0);
	assert_string_equal(out, want);
	free(out);
}

static void found(const char *name, const char *path, const char *want)
{
	found_in(name, path, NULL, want);
}

static void test_slash_used_as_given(void **state)
{
	(void)state;
	found("./prog", "/nonexistent", "./prog");
	found("/no/such/prog", NULL, "/no/such/prog");
	found("sub/prog", "", "sub/prog");
}

static void test_first_executable_wins(void **state)
{
	char path[512], want[128];

	(void)state;
	/* c/prog is a directory and a/prog is not executable: b/prog is the one a shell runs. */
	snprintf(path, sizeof(path), "/nonexistent:%s/c:%s/a:%s/b", dir, dir, dir);
	snprintf(want, sizeof(want), "%s/b/prog", dir);
	found("prog", path, want);
	snprintf(want, sizeof(want), "%s/a/tool", dir);
	found("tool", path, want);
}

static void test_not_executable_only_is_returned(void **state)
{
	char path[512], want[128];

	(void)state;
	/* The only candidate is not executable: it is returned so that the run says why (126). */
	snprintf(path, sizeof(path), "%s/b:%s/a", dir, dir);
	snprintf(want, sizeof(want), "%s/a/only-plain", dir);
	found("only-plain", path, want);
}

static void test_empty_entry_is_current_directory(void **state)
{
	char cwd[512];

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(chdir("a"), 0);
	found("tool", "/nonexistent:", "./tool");
	found("tool", "::/nonexistent", "./tool");
	assert_int_equal(chdir(cwd), 0);
}

static void test_not_found_names_the_path(void **state)
{
	char msg[256], *out = (char *)1;

	(void)state;
	assert_int_equal(path_search("busybox-not-here", "/nonexistent:/also-not", NULL, &out, msg, sizeof(msg)), -ENOENT);
	assert_null(out);
	assert_string_equal(msg, "busybox-not-here: not found in PATH (/nonexistent:/also-not)");
	assert_int_equal(path_search("busybox-not-here-either", NULL, NULL, &out, msg, sizeof(msg)), -ENOENT);
	assert_string_equal(msg, "busybox-not-here-either: not found in PATH (vmlet's PATH is unset: searched "
				 "/usr/local/bin:/usr/bin:/bin)");
	assert_int_equal(path_search("", "/bin", NULL, &out, msg, sizeof(msg)), -ENOENT);
	assert_string_equal(msg, "'': not found in PATH (/bin)");
}

static void test_inside_a_root(void **state)
{
	(void)state;
	/* The guest's PATH, each entry inside the root: the same choices as on the host, guest paths out. */
	found_in("prog", "/nonexistent:/c:/a:/b", dir, "/b/prog");
	found_in("tool", "/b:/a", dir, "/a/tool");
	found_in("only-plain", "/b:/a", dir, "/a/only-plain");
	found_in("tool", "b:a", dir, "a/tool"); /* relative entries: from the guest's "/" */
	found_in("tool", ":/a", dir, "/a/tool");
	found_in("prog", "/up/b", dir, "/up/b/prog"); /* ".." stops at the root */
	found_in("bin/../a/tool", "/b", dir, "bin/../a/tool");
}

static void test_inside_a_root_never_leaves_it(void **state)
{
	char msg[512], want[512], *out = (char *)1;

	(void)state;
	/* sh exists on the host's /usr/bin and /bin, not in the root: symlinks and ".." do not reach it. */
	assert_int_equal(path_search("sh", "/abs:/up/usr/bin:/../bin", dir, &out, msg, sizeof(msg)), -ENOENT);
	assert_null(out);
	snprintf(want, sizeof(want), "sh: not found in the guest's PATH (/abs:/up/usr/bin:/../bin) inside the root %s", dir);
	assert_string_equal(msg, want);
	assert_int_equal(path_search("sh", NULL, dir, &out, msg, sizeof(msg)), -ENOENT);
	snprintf(want, sizeof(want), "sh: not found in the guest's PATH (unset: searched /bin:/usr/bin) inside the root %s", dir);
	assert_string_equal(msg, want);
	assert_int_equal(path_search("sh", "/bin", "/nonexistent-root", &out, msg, sizeof(msg)), -ENOENT);
	assert_string_equal(msg, "sh: not found in the guest's PATH (/bin) inside the root /nonexistent-root: "
				 "No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slash_used_as_given),
		cmocka_unit_test(test_first_executable_wins),
		cmocka_unit_test(test_not_executable_only_is_returned),
		cmocka_unit_test(test_empty_entry_is_current_directory),
		cmocka_unit_test(test_not_found_names_the_path),
		cmocka_unit_test(test_inside_a_root),
		cmocka_unit_test(test_inside_a_root_never_leaves_it),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
