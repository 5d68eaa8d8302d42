/* sigasync.c - signals that come while the program computes or waits: alarm, setitimer, POSIX timers, signals from outside; timed semaphore and condition waits. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t ticks, last_sig, last_code, last_value;

static void on_signal(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	ticks++;
	last_sig = sig;
	last_code = si->si_code;
	last_value = si->si_value.sival_int;
}

static void handle(int sig, int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void compute_until(int n)
{
	volatile unsigned long x = 0;

	while (ticks < n) /* no system call: only an asynchronous signal ends it */
		x++;
}

static void pause_until(int n)
{
	while (ticks < n)
		pause();
}

static const char *err_name(int e)
{
	return e == EINTR ? "EINTR" : e == ETIMEDOUT ? "ETIMEDOUT" : e == EAGAIN ? "EAGAIN" : e ? "other" : "none";
}

static int read_stdin(int restart)
{
	char buf[64];
	ssize_t n;

	/* Every 100 ms: a restarted read is interrupted again and again until the data comes. */
	handle(SIGALRM, restart ? SA_RESTART : 0);
	setitimer(ITIMER_REAL, &(struct itimerval){ { 0, 100000 }, { 0, 100000 } }, NULL);
	n = read(0, buf, sizeof(buf));
	setitimer(ITIMER_REAL, &(struct itimerval){ 0 }, NULL);
	printf("read: %zd (%s)\n", n, n < 0 ? err_name(errno) : "data");
	printf("handler ran: %d\n", ticks > 0);
	return 0;
}

static int itimer(void)
{
	struct itimerval it = { { 0, 10000 }, { 0, 10000 } }, cur;
	unsigned r;

	handle(SIGALRM, 0);
	setitimer(ITIMER_REAL, &it, NULL);
	compute_until(5);
	getitimer(ITIMER_REAL, &cur);
	printf("5 ticks while computing; interval %ld us, code is SI_KERNEL: %d\n", (long)cur.it_interval.tv_usec,
	       last_code == SI_KERNEL);
	setitimer(ITIMER_REAL, &(struct itimerval){ 0 }, &cur);
	getitimer(ITIMER_REAL, &cur);
	printf("stopped: %ld %ld\n", (long)cur.it_value.tv_sec, (long)cur.it_value.tv_usec);
	r = alarm(5);
	printf("alarm(5) = %u, then alarm(0) > 0: %d\n", r, alarm(0) > 0);
	return 0;
}

static int posix_timer(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1, .sigev_value.sival_int = 42 };
	struct itimerspec its = { { 0, 20000000 }, { 0, 20000000 } }, cur;
	struct timespec now;
	timer_t t, none;
	int r;

	handle(SIGUSR1, 0);
	if (timer_create(CLOCK_MONOTONIC, &ev, &t)) {
		perror("timer_create");
		return 1;
	}
	timer_settime(t, 0, &its, NULL);
	compute_until(3);
	timer_gettime(t, &cur);
	printf("3 expirations while computing: signal %d, SI_TIMER %d, value %d, interval %ld ns\n", last_sig,
	       last_code == SI_TIMER, last_value, cur.it_interval.tv_nsec);
	timer_delete(t);
	ev.sigev_notify = SIGEV_NONE;
	timer_create(CLOCK_REALTIME, &ev, &none);
	timer_settime(none, 0, &(struct itimerspec){ .it_value = { 5, 0 } }, NULL);
	timer_gettime(none, &cur);
	printf("SIGEV_NONE: armed, at most 5 s left: %d\n",
	       cur.it_value.tv_sec * 1000000000L + cur.it_value.tv_nsec > 0 && cur.it_value.tv_sec < 5);
	timer_delete(none);
	/* An absolute CLOCK_REALTIME time already past fires at once. */
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_value.sival_int = 7;
	timer_create(CLOCK_REALTIME, &ev, &t);
	clock_gettime(CLOCK_REALTIME, &now);
	now.tv_sec -= 1;
	timer_settime(t, TIMER_ABSTIME, &(struct itimerspec){ .it_value = now }, NULL);
	pause_until(4);
	printf("past absolute time: value %d\n", last_value);
	r = timer_delete(t);
	printf("timer_delete: %d\n", r);
	return 0;
}

static int sleep_eintr(int restart)
{
	struct timespec rem = { 0, 0 };
	int r;

	handle(SIGALRM, restart ? SA_RESTART : 0);
	setitimer(ITIMER_REAL, &(struct itimerval){ .it_value = { 0, 50000 } }, NULL);
	r = nanosleep(&(struct timespec){ 5, 0 }, &rem);
	printf("nanosleep: %d %s, time left below 5 s: %d, handler ran: %d\n", r, err_name(r ? errno : 0),
	       rem.tv_sec < 5 && (rem.tv_sec || rem.tv_nsec), ticks);
	return 0;
}

static int sleep_ticks(void)
{
	handle(SIGALRM, 0);
	setitimer(ITIMER_REAL, &(struct itimerval){ { 0, 10000 }, { 0, 10000 } }, NULL);
	while (ticks < 5)
		usleep(1000);
	printf("5 ticks while sleeping\n");
	return 0;
}

static int wait_for(int sig_a, int sig_b, int handled)
{
	if (handled) {
		handle(sig_a, 0);
		handle(sig_b, 0);
	}
	printf("ready\n");
	fflush(stdout);
	pause_until(1);
	printf("got %s\n", last_sig == SIGINT ? "SIGINT" : last_sig == SIGTERM ? "SIGTERM" : "other");
	return 0;
}

static int timed_waits(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t c = PTHREAD_COND_INITIALIZER;
	struct timespec ts;
	sem_t s;
	int r;

	sem_init(&s, 0, 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec -= 1;
	r = sem_timedwait(&s, &ts);
	printf("sem_timedwait, past deadline: %d %s\n", r, err_name(errno));
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 50000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	r = sem_timedwait(&s, &ts);
	printf("sem_timedwait, 50 ms: %d %s\n", r, err_name(errno));
	sem_post(&s);
	printf("sem_timedwait, posted: %d\n", sem_timedwait(&s, &ts));
	pthread_mutex_lock(&m);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec -= 1;
	printf("pthread_cond_timedwait, past deadline: %s\n", err_name(pthread_cond_timedwait(&c, &m, &ts)));
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec = ts.tv_nsec >= 900000000 ? 999999999 : ts.tv_nsec + 50000000;
	printf("pthread_cond_timedwait, 50 ms: %s\n", err_name(pthread_cond_timedwait(&c, &m, &ts)));
	pthread_mutex_unlock(&m);
	return 0;
}

static int pending_semantics(void)
{
	sigset_t set, got;

	handle(SIGUSR1, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGUSR1);
	raise(SIGUSR1);
	sigpending(&got);
	printf("blocked and raised twice: pending %d, handler ran %d\n", sigismember(&got, SIGUSR1), ticks);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	printf("unblocked: handler ran %d (a standard signal is pending once)\n", ticks);
	sigpending(&got);
	printf("pending after: %d\n", sigismember(&got, SIGUSR1));
	return 0;
}

static int waits(void)
{
	sigset_t set, empty, now;
	siginfo_t si;
	int r;

	handle(SIGALRM, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGALRM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGUSR2);
	r = sigtimedwait(&set, &si, &(struct timespec){ 1, 0 });
	printf("sigtimedwait: %d, SI_TKILL %d\n", r, si.si_code == SI_TKILL);
	r = sigtimedwait(&set, &si, &(struct timespec){ 0, 10000000 });
	printf("sigtimedwait, nothing pending: %d %s\n", r, err_name(errno));
	sigqueue(getpid(), SIGUSR2, (union sigval){ .sival_int = 5 });
	r = sigwaitinfo(&set, &si);
	printf("sigqueue, sigwaitinfo: %d, SI_QUEUE %d, value %d\n", r, si.si_code == SI_QUEUE, si.si_value.sival_int);
	setitimer(ITIMER_REAL, &(struct itimerval){ .it_value = { 0, 20000 } }, NULL);
	sigemptyset(&empty);
	r = sigsuspend(&empty);
	sigprocmask(SIG_BLOCK, NULL, &now);
	printf("sigsuspend: %d %s, handler ran %d, SIGALRM blocked again %d\n", r, err_name(errno), ticks,
	       sigismember(&now, SIGALRM));
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "read-eintr"))
		return read_stdin(0);
	if (!strcmp(mode, "read-restart"))
		return read_stdin(1);
	if (!strcmp(mode, "itimer"))
		return itimer();
	if (!strcmp(mode, "timer"))
		return posix_timer();
	if (!strcmp(mode, "nanosleep-eintr"))
		return sleep_eintr(0);
	if (!strcmp(mode, "nanosleep-restart"))
		return sleep_eintr(1);
	if (!strcmp(mode, "sleep-ticks"))
		return sleep_ticks();
	if (!strcmp(mode, "wait-handled"))
		return wait_for(SIGINT, SIGTERM, 1);
	if (!strcmp(mode, "wait-unhandled"))
		return wait_for(SIGINT, SIGTERM, 0);
	if (!strcmp(mode, "timed-waits"))
		return timed_waits();
	if (!strcmp(mode, "pending"))
		return pending_semantics();
	if (!strcmp(mode, "waits"))
		return waits();
	fprintf(stderr, "usage: sigasync MODE\n");
	return 2;
}
