/* procs.c - process benchmark loops: N fork+_exit+waitpid, fork+execve+waitpid, posix_spawn+waitpid, or 1-byte pipe round trips. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Waits for pid: 0 when it exited with status 0, -2 for another end, -1 when waitpid fails (errno). */
static int reap(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -2;
}

/* N times: fork, the child exits at once (prog NULL) or execs prog, and the parent waits. */
static int fork_loop(long n, char *prog)
{
	char *argv[] = { prog, NULL };

	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		int rc;

		if (pid < 0)
			return -1;
		if (pid == 0) {
			if (prog)
				execve(prog, argv, environ);
			_exit(prog ? 127 : 0);
		}
		rc = reap(pid);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int spawn(long n, char *prog)
{
	char *argv[] = { prog, NULL };

	for (long i = 0; i < n; i++) {
		pid_t pid;
		int rc = posix_spawn(&pid, prog, NULL, NULL, argv, environ);

		if (rc != 0) {
			errno = rc;
			return -1;
		}
		rc = reap(pid);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The child echoes each byte back until its input ends. */
static void echo_bytes(int in, int out)
{
	char c;

	while (read(in, &c, 1) == 1)
		if (write(out, &c, 1) != 1)
			_exit(1);
	_exit(0);
}

static int ping_pong(long n)
{
	int down[2], up[2];
	pid_t pid;

	if (pipe(down) < 0 || pipe(up) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(down[1]);
		close(up[0]);
		echo_bytes(down[0], up[1]);
	}
	close(down[0]);
	close(up[1]);
	for (long i = 0; i < n; i++) {
		char c = (char)i, back;

		if (write(down[1], &c, 1) != 1 || read(up[0], &back, 1) != 1 || back != c)
			return -1;
	}
	close(down[1]);
	close(up[0]);
	return reap(pid);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[1] : "";
	long n = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
	char *prog = argc > 3 ? argv[3] : NULL;
	int with_prog = !strcmp(mode, "exec") || !strcmp(mode, "spawn");
	int out, null, rc;

	if (with_prog ? prog == NULL : strcmp(mode, "fork") && strcmp(mode, "pingpong")) {
		fprintf(stderr, "usage: procs fork|pingpong N | procs exec|spawn N PROGRAM\n");
		return 2;
	}
	/* The children's output goes to /dev/null; the result line to the original stdout. */
	out = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	null = open("/dev/null", O_WRONLY);
	if (out < 0 || null < 0 || dup2(null, STDOUT_FILENO) < 0) {
		perror("procs: stdout");
		return 1;
	}
	close(null);
	if (!strcmp(mode, "fork"))
		rc = fork_loop(n, NULL);
	else if (!strcmp(mode, "exec"))
		rc = fork_loop(n, prog);
	else if (!strcmp(mode, "spawn"))
		rc = spawn(n, prog);
	else
		rc = ping_pong(n);
	if (rc < 0) {
		fprintf(stderr, "procs: %s failed: %s\n", mode, rc == -2 ? "a child did not exit 0" : strerror(errno));
		return 1;
	}
	dprintf(out, "%s %ld ok\n", mode, n);
	return 0;
}
