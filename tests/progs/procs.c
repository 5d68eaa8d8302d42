/* procs.c - fork, wait, pipes, execve and files shared through a directory, each mode printing what a native run prints: procs MODE [PROG|DIR]. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int counter = 1;

static void show_status(const char *what, int st)
{
	if (WIFEXITED(st))
		printf("%s: exited %d\n", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("%s: killed by %d\n", what, WTERMSIG(st));
	else
		printf("%s: status %#x\n", what, st);
}

/* The child's ids relate as Linux relates them; its memory is a copy. */
static int mode_basic(void)
{
	pid_t parent = getpid(), child, w;
	int st;

	fflush(stdout);
	child = fork();
	if (child < 0)
		return perror("fork"), 1;
	if (child == 0) {
		counter = 42;
		printf("child: ppid is parent %d, pid differs %d, counter %d\n", getppid() == parent,
		       getpid() != parent, counter);
		exit(7);
	}
	w = waitpid(child, &st, 0);
	printf("parent: waited the child %d\n", w == child);
	show_status("child", st);
	printf("parent: counter %d\n", counter);
	w = waitpid(-1, &st, 0);
	printf("again: %d %s\n", (int)w, strerror(errno));
	return 0;
}

static int mode_signal(void)
{
	pid_t child = fork();
	int st;

	if (child == 0) {
		raise(SIGTERM);
		_exit(1);
	}
	waitpid(child, &st, 0);
	show_status("raise", st);
	child = fork();
	if (child == 0) {
		int *volatile nowhere = NULL;
		*nowhere = 1; /* a fault: SIGSEGV */
	}
	waitpid(child, &st, 0);
	show_status("fault", st);
	return 0;
}

/* A pipe from parent to child, and back: bytes in order, end of file when the writers close. */
static int mode_pipe(void)
{
	int down[2], up[2], st;
	char buf[4096];
	long total = 0, sum = 0, n, i;
	pid_t child;

	if (pipe(down) || pipe(up))
		return perror("pipe"), 1;
	fflush(stdout);
	child = fork();
	if (child == 0) {
		close(down[1]);
		close(up[0]);
		while ((n = read(down[0], buf, sizeof(buf))) > 0)
			for (i = 0; i < n; i++)
				total++, sum += (unsigned char)buf[i];
		n = snprintf(buf, sizeof(buf), "child read %ld bytes, sum %ld\n", total, sum);
		if (write(up[1], buf, (size_t)n) != n)
			_exit(2);
		_exit(0);
	}
	close(down[0]);
	close(up[1]);
	for (i = 0; i < 300; i++) { /* 1.2 MB: more than a pipe holds */
		memset(buf, (int)(i & 0xff), sizeof(buf));
		if (write(down[1], buf, sizeof(buf)) != (long)sizeof(buf))
			return perror("write"), 1;
	}
	close(down[1]);
	n = read(up[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	printf("parent got: %s", buf);
	printf("then: %ld\n", (long)read(up[0], buf, sizeof(buf)));
	waitpid(child, &st, 0);
	show_status("child", st);
	return 0;
}

/* WNOHANG sees a running child as 0; ECHILD with none left; waitid fills siginfo. */
static int mode_nohang(void)
{
	int p[2], st;
	char c;
	siginfo_t si;
	pid_t child;

	if (pipe(p))
		return 1;
	child = fork();
	if (child == 0) {
		close(p[1]);
		_exit(read(p[0], &c, 1) == 1 ? c : 99);
	}
	close(p[0]);
	printf("nohang while running: %d\n", (int)waitpid(child, &st, WNOHANG));
	if (write(p[1], "\x05", 1) != 1)
		return 1;
	memset(&si, 0, sizeof(si));
	printf("waitid: %d\n", waitid(P_PID, (id_t)child, &si, WEXITED));
	printf("siginfo: signo %d code %d pid ok %d status %d\n", si.si_signo, si.si_code, si.si_pid == child,
	       si.si_status);
	child = waitpid(-1, &st, WNOHANG);
	printf("none left: %d %s\n", (int)child, strerror(errno));
	return 0;
}

/* Three generations; a grandchild's status reaches its own parent, and 20 forks in a row. */
static int mode_tree(void)
{
	int st, i, sum = 0;
	pid_t child = fork();

	if (child == 0) {
		pid_t g = fork();
		if (g == 0)
			_exit(3);
		waitpid(g, &st, 0);
		_exit(WEXITSTATUS(st) + 10);
	}
	waitpid(child, &st, 0);
	show_status("child of grandchild 3", st);
	for (i = 0; i < 20; i++) {
		child = fork();
		if (child == 0)
			_exit(i);
		waitpid(child, &st, 0);
		sum += WEXITSTATUS(st);
	}
	printf("20 forks: sum %d\n", sum);
	return 0;
}

/* Output of parent and child to one stdout keeps its order when they take turns. */
static int mode_order(void)
{
	int i, st;

	for (i = 0; i < 5; i++) {
		printf("parent %d\n", i);
		fflush(stdout);
		if (fork() == 0) {
			printf("child %d\n", i);
			fflush(stdout);
			_exit(0);
		}
		wait(&st);
	}
	return 0;
}

/* Children until fork fails (under a process limit), each blocked on a pipe; then all reaped. */
static int mode_bomb(void)
{
	int p[2], n = 0, reaped = 0, st, err = 0;
	char c;

	if (pipe(p))
		return 1;
	fflush(stdout);
	while (n < 100) {
		pid_t child = fork();
		if (child < 0) {
			err = errno;
			break;
		}
		if (child == 0) {
			close(p[1]);
			_exit(read(p[0], &c, 1) == 0 ? 0 : 1);
		}
		n++;
	}
	close(p[1]);
	while (wait(&st) > 0)
		reaped++;
	printf("forked %d, then %s; reaped %d\n", n, err ? strerror(err) : "no failure", reaped);
	return 0;
}

/* Socket pairs between processes (stream and datagram), and SIGPIPE: default, ignored, MSG_NOSIGNAL. */
static int mode_sockets(void)
{
	int sv[2], dg[2], p[2], st;
	char buf[64];
	long n;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) || socketpair(AF_UNIX, SOCK_DGRAM, 0, dg))
		return perror("socketpair"), 1;
	fflush(stdout);
	if (fork() == 0) {
		close(sv[0]);
		n = recv(sv[1], buf, sizeof(buf), 0);
		if (send(sv[1], "pong", 4, 0) != 4 || n != 4)
			_exit(2);
		send(dg[1], "one", 3, 0);
		send(dg[1], "three", 5, 0);
		_exit(0);
	}
	close(sv[1]);
	send(sv[0], "ping", 4, 0);
	n = recv(sv[0], buf, sizeof(buf), 0);
	printf("stream reply: %.*s\n", (int)n, buf);
	n = recv(dg[0], buf, sizeof(buf), 0);
	printf("datagram 1: %ld bytes\n", n);
	n = recv(dg[0], buf, sizeof(buf), 0);
	printf("datagram 2: %ld bytes\n", n);
	wait(&st);
	show_status("socket child", st);
	printf("after the peer left: recv %ld\n", (long)recv(sv[0], buf, sizeof(buf), 0));
	errno = 0;
	n = send(sv[0], "x", 1, MSG_NOSIGNAL);
	printf("MSG_NOSIGNAL send: %ld %s\n", n, strerror(errno));
	n = send(1, "x", 1, 0);
	printf("not a socket: %ld %s\n", n, strerror(errno));
	/* A pipe with no reader: ignored SIGPIPE gives EPIPE; the default kills. */
	if (pipe(p))
		return 1;
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	errno = 0;
	n = write(p[1], "x", 1);
	printf("ignored SIGPIPE: %ld %s\n", n, strerror(errno));
	signal(SIGPIPE, SIG_DFL);
	fflush(stdout);
	if (fork() == 0) {
		write(p[1], "x", 1);
		_exit(0);
	}
	wait(&st);
	show_status("default SIGPIPE", st);
	return 0;
}

static volatile int got_chld;

static void on_signal(int sig)
{
	if (sig == SIGCHLD)
		got_chld++;
	else
		_exit(42);
}

/* Signals between processes: default, handled, SIGKILL, existence, ESRCH, SIGCHLD. */
static int mode_kill(void)
{
	int p[2], st;
	pid_t child;
	char c;

	fflush(stdout);
	child = fork();
	if (child == 0) {
		pause();
		_exit(1);
	}
	printf("exists: %d\n", kill(child, 0));
	kill(child, SIGTERM);
	waitpid(child, &st, 0);
	show_status("SIGTERM, no handler", st);
	if (pipe(p))
		return 1;
	child = fork();
	if (child == 0) {
		signal(SIGUSR1, on_signal);
		if (write(p[1], "r", 1) != 1)
			_exit(2);
		for (;;)
			pause();
	}
	if (read(p[0], &c, 1) != 1)
		return 1;
	kill(child, SIGUSR1);
	waitpid(child, &st, 0);
	show_status("SIGUSR1, handler exits 42", st);
	child = fork();
	if (child == 0)
		for (;;)
			;
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
	show_status("SIGKILL, busy", st);
	errno = 0;
	st = kill(99999, SIGTERM);
	printf("no such process: %d %s\n", st, strerror(errno));
	signal(SIGCHLD, on_signal);
	child = fork();
	if (child == 0)
		_exit(0);
	waitpid(child, &st, 0);
	printf("SIGCHLD handled: %d\n", got_chld);
	return 0;
}

/* execve in a child: PROG with two arguments and one variable, and the failures Linux reports. */
static int mode_exec(const char *prog)
{
	char *args[] = { (char *)prog, "a b", "c", NULL }, *env[] = { "K=V", "PATH=/bin:/usr/bin", NULL };
	const char *bad[] = { "/nonexistent/prog", "/", "/etc/passwd" };
	int st, p[2], n;
	size_t i;
	char c;

	fflush(stdout);
	if (fork() == 0) {
		execve(prog, args, env);
		_exit(127);
	}
	wait(&st);
	show_status("exec", st);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		execve(bad[i], args, env);
		printf("execve %s: %s\n", bad[i], strerror(errno));
	}
	/* A close-on-exec pipe end closes at a successful exec: the reader sees end of file. */
	if (pipe2(p, O_CLOEXEC))
		return 1;
	if (fork() == 0) {
		close(p[0]);
		execve(prog, args, env);
		_exit(127);
	}
	close(p[1]);
	n = (int)read(p[0], &c, 1);
	wait(&st);
	printf("cloexec pipe: read %d\n", n);
	return 0;
}

static volatile sig_atomic_t usr1_seen;

static void on_usr1(int sig)
{
	(void)sig;
	usr1_seen++;
}

static void child_on_usr1(int sig)
{
	(void)sig;
	_exit(5);
}

/* SIGCHLD ignored: children leave no zombie (they do not fill the process table either), and
 * wait finds none. */
static int mode_autoreap(void)
{
	int i, again = 0, r, e;
	pid_t c;

	signal(SIGCHLD, SIG_IGN);
	fflush(stdout);
	for (i = 0; i < 12; i++) {
		while ((c = fork()) < 0 && errno == EAGAIN && again++ < 2000)
			usleep(10000); /* the table is full until the host reaped one */
		if (c < 0)
			return perror("fork"), 1;
		if (c == 0)
			_exit(i);
	}
	while ((r = wait(NULL)) > 0) /* Linux: wait blocks until every child is gone, then ECHILD */
		;
	e = errno;
	printf("forked 12, wait %d ECHILD %d\n", r, e == ECHILD);
	return 0;
}

/* Process groups and sessions: a child starts in its parent's, setpgid moves it, killpg and
 * kill(0) reach a group, setsid makes a new session; the errors Linux gives. */
static int mode_groups(void)
{
	pid_t me = getpid(), c;
	int st, p[2];
	char x;

	if (setpgid(0, 0) < 0) /* a group of its own: kill(0) below reaches nothing outside the test */
		return perror("setpgid"), 1;
	printf("leads its group: %d\n", getpgrp() == me && getpgid(0) == me);
	fflush(stdout);
	if ((c = fork()) == 0) {
		printf("child: parent's group %d, parent's session %d\n", getpgrp() == me, getsid(0) == getsid(me));
		_exit(0);
	}
	waitpid(c, &st, 0);
	if (pipe(p) < 0)
		return perror("pipe"), 1;
	fflush(stdout);
	if ((c = fork()) == 0) {
		if (setpgid(0, 0) < 0 || write(p[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	if (read(p[0], &x, 1) != 1)
		return perror("read"), 1;
	printf("child leads its own group: %d, parent's unchanged: %d\n", getpgid(c) == c, getpgrp() == me);
	printf("killpg: %d\n", killpg(c, SIGTERM));
	waitpid(c, &st, 0);
	show_status("group member", st);
	fflush(stdout);
	if ((c = fork()) == 0) {
		pid_t s = setsid();
		int again = setsid(), e = errno;
		printf("setsid: new session %d, leads its group %d, again %d EPERM %d\n", s == getpid(),
		       getpgrp() == getpid(), again, e == EPERM);
		_exit(0);
	}
	waitpid(c, &st, 0);
	signal(SIGUSR1, on_usr1);
	fflush(stdout);
	if ((c = fork()) == 0) {
		signal(SIGUSR1, child_on_usr1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	if (read(p[0], &x, 1) != 1)
		return perror("read"), 1;
	printf("kill(0): %d\n", kill(0, SIGUSR1));
	waitpid(c, &st, 0);
	show_status("same group", st);
	printf("the caller got it too: %d\n", usr1_seen);
	st = killpg(99999, SIGTERM);
	printf("killpg of no group: %d ESRCH %d\n", st, errno == ESRCH);
	st = setpgid(1, 0);
	printf("setpgid of a non-child: %d ESRCH %d\n", st, errno == ESRCH);
	st = getpgid(99999);
	printf("getpgid of nobody: %d ESRCH %d\n", st, errno == ESRCH);
	return 0;
}

static int wait_one(const char *what)
{
	int st;

	if (wait(&st) < 0)
		return perror("wait"), 1;
	show_status(what, st);
	return 0;
}

static void cat_file(const char *label, const char *path)
{
	char buf[256];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = 0;
	printf("%s: %s", label, n < 0 ? "(unreadable)\n" : buf);
	if (fd >= 0)
		close(fd);
}

/* Files in DIR that processes share: what a child writes its parent reads, and the other way;
 * appends of several children all land; a description's offset is one for parent and child;
 * a file open and unlinked lives while a child holds it;
 * a shared mapping of a file, of a memfd and anonymous is one memory for parent and child. */
static int mode_files(const char *dir)
{
	char a[512], b[512];
	int fd, i, lines = 0, c;
	FILE *f;
	char *map;

	snprintf(a, sizeof(a), "%s/from-child", dir);
	snprintf(b, sizeof(b), "%s/appended", dir);
	fflush(stdout);
	if (fork() == 0) {
		fd = open(a, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		_exit(fd < 0 || write(fd, "written by the child\n", 21) != 21);
	}
	wait_one("writer");
	cat_file("parent reads", a);
	fd = open(a, O_WRONLY | O_APPEND);
	if (fd < 0 || write(fd, "and by the parent\n", 18) != 18)
		return perror("append"), 1;
	close(fd);
	fflush(stdout);
	if (fork() == 0) {
		cat_file("child reads", a);
		_exit(0);
	}
	wait_one("reader");
	for (i = 0; i < 4; i++) {
		if (fork() == 0) {
			for (c = 0; c < 50; c++) {
				char line[16];
				int n = snprintf(line, sizeof(line), "%d-%d\n", i, c);
				fd = open(b, O_WRONLY | O_CREAT | O_APPEND, 0644);
				if (fd < 0 || write(fd, line, (size_t)n) != n)
					_exit(1);
				close(fd);
			}
			_exit(0);
		}
	}
	for (i = 0; i < 4; i++)
		wait(NULL);
	f = fopen(b, "r");
	while (f && (c = fgetc(f)) != EOF)
		lines += c == '\n';
	if (f)
		fclose(f);
	printf("appended lines: %d\n", lines);
	/* One description, its offset shared: the parent's, the child's and the parent's writes follow. */
	fd = open(b, O_WRONLY | O_TRUNC);
	if (fd < 0 || write(fd, "parent first\n", 13) != 13)
		return perror("offset"), 1;
	fflush(stdout);
	if (fork() == 0)
		_exit(write(fd, "then the child\n", 15) != 15);
	wait_one("offset child");
	if (write(fd, "parent last\n", 12) != 12)
		return perror("offset"), 1;
	close(fd);
	cat_file("one offset", b);
	/* Open, unlinked, closed by the parent: the child's copy of the descriptor still reads it. */
	fd = open(a, O_RDONLY);
	unlink(a);
	fflush(stdout);
	if (fork() == 0) {
		char buf[64] = { 0 };
		usleep(20000);
		printf("unlinked, still read: %zd\n", pread(fd, buf, sizeof(buf) - 1, 0));
		_exit(0);
	}
	close(fd);
	wait_one("unlinked reader");
	printf("gone: %d\n", access(a, F_OK) < 0 && errno == ENOENT);
	/* A shared mapping of a file in DIR, then of a memfd: the child's store is the parent's. */
	fd = open(b, O_RDWR);
	map = fd < 0 ? MAP_FAILED : mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return perror("mmap"), 1;
	fflush(stdout);
	if (fork() == 0) {
		memcpy(map, "CHILD", 5);
		_exit(0);
	}
	wait_one("mapper");
	printf("file mapping: %.5s\n", map);
	munmap(map, 4096);
	close(fd);
	fd = memfd_create("shared", 0);
	if (fd < 0 || ftruncate(fd, 4096) < 0 ||
	    (map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED)
		return perror("memfd"), 1;
	strcpy(map, "parent");
	fflush(stdout);
	if (fork() == 0) {
		printf("child sees memfd: %s\n", map);
		strcpy(map, "child wrote");
		_exit(0);
	}
	wait_one("memfd child");
	printf("memfd mapping: %s\n", map);
	map = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return perror("mmap anonymous"), 1;
	fflush(stdout);
	if (fork() == 0) {
		strcpy(map + 4096 * 7, "anonymous, from the child");
		_exit(0);
	}
	wait_one("anonymous child");
	printf("anonymous mapping: %s, first byte %d\n", map + 4096 * 7, map[0]);
	return 0;
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(m, "basic"))
		return mode_basic();
	if (!strcmp(m, "signal"))
		return mode_signal();
	if (!strcmp(m, "pipe"))
		return mode_pipe();
	if (!strcmp(m, "nohang"))
		return mode_nohang();
	if (!strcmp(m, "tree"))
		return mode_tree();
	if (!strcmp(m, "order"))
		return mode_order();
	if (!strcmp(m, "bomb"))
		return mode_bomb();
	if (!strcmp(m, "kill"))
		return mode_kill();
	if (!strcmp(m, "sockets"))
		return mode_sockets();
	if (!strcmp(m, "exec") && argc > 2)
		return mode_exec(argv[2]);
	if (!strcmp(m, "files") && argc > 2)
		return mode_files(argv[2]);
	if (!strcmp(m, "groups"))
		return mode_groups();
	if (!strcmp(m, "autoreap"))
		return mode_autoreap();
	fprintf(stderr, "usage: procs basic|signal|pipe|nohang|tree|order|bomb|sockets|kill|groups|autoreap|exec PROG|files DIR\n");
	return 2;
}
