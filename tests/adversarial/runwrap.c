/* runwrap.c - run a command with a hard time limit and tell apart how it ended.
 *
 * usage: runwrap STATUS_FILE LIMIT_MS COMMAND [ARGS...]
 *
 * stdin, stdout and stderr pass through. Writes one line to STATUS_FILE:
 *   "exit N MS"    the command called exit(N) (vmlet reporting 128+N for a guest death is this)
 *   "signal N MS"  the command was killed by signal N (a host crash: SIGSEGV, SIGABRT, ...)
 *   "hang N MS"    the command outlived LIMIT_MS and was killed with SIGKILL (N is always 9)
 * MS is the wall-clock time in milliseconds. A shell cannot tell exit(139) from a SIGSEGV death;
 * this can. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	double t0, limit;
	pid_t pid;
	FILE *f;
	int status, hung = 0;

	if (argc < 4) {
		fprintf(stderr, "usage: runwrap STATUS_FILE LIMIT_MS COMMAND [ARGS...]\n");
		return 2;
	}
	limit = atof(argv[2]);
	t0 = now_ms();
	pid = fork();
	if (pid < 0) {
		perror("runwrap: fork");
		return 2;
	}
	if (pid == 0) {
		setpgid(0, 0); /* one group: a hang kills vmlet and anything it started */
		execvp(argv[3], argv + 3);
		perror("runwrap: exec");
		_exit(127);
	}
	setpgid(pid, pid);
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			perror("runwrap: waitpid");
			return 2;
		}
		if (!hung && now_ms() - t0 > limit) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			hung = 1;
		}
		usleep(2000);
	}
	f = fopen(argv[1], "w");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	if (hung)
		fprintf(f, "hang 9 %.0f\n", now_ms() - t0);
	else if (WIFSIGNALED(status))
		fprintf(f, "signal %d %.0f\n", WTERMSIG(status), now_ms() - t0);
	else
		fprintf(f, "exit %d %.0f\n", WEXITSTATUS(status), now_ms() - t0);
	fclose(f);
	return 0;
}
