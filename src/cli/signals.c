/* signals.c - ignores SIGPIPE/SIGXFSZ, forwards the usual ones to the program, and turns every other terminating signal into a clean stop of the run. */
#include "signals.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>

static struct vmlet_vm *volatile deferred_vm;
static volatile sig_atomic_t deferring, terminated;
static volatile uint64_t forwarded;

void signals_ignore_write_errors(void)
{
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
}

int signals_forwarded_to_program(int sig)
{
	return sig == SIGHUP || sig == SIGINT || sig == SIGQUIT || sig == SIGTERM || sig == SIGUSR1 || sig == SIGUSR2;
}

int signals_caught(int sig)
{
	static const int async[] = { SIGHUP,    SIGINT,  SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2,   SIGALRM,
				     SIGXCPU,   SIGVTALRM, SIGPROF, SIGIO,   SIGPWR,  SIGSTKFLT };
	size_t i;

	for (i = 0; i < sizeof(async) / sizeof(async[0]); i++)
		if (sig == async[i])
			return 1;
	return sig >= SIGRTMIN && sig <= SIGRTMAX && sig != SIGRTMAX - 1;
}

static void on_signal(int sig)
{
	struct vmlet_vm *vm = deferred_vm;
	int e = errno;

	if (!deferring) { /* nothing to clean up yet: end as the default action would */
		signal(sig, SIG_DFL);
		raise(sig); /* delivered when this handler returns */
	} else if (vm && signals_forwarded_to_program(sig)) {
		forwarded |= 1ull << (sig - 1);
		vmlet_vm_signal(vm, sig);
	} else {
		if (!terminated)
			terminated = sig;
		if (vm)
			vmlet_vm_kill(vm);
	}
	errno = e;
}

int signals_catch_termination(void)
{
	struct sigaction sa, old;
	int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask); /* one handler at a time */
	for (sig = 1; sig <= SIGRTMAX; sig++) {
		if (!signals_caught(sig))
			continue;
		if (sigaction(sig, NULL, &old) < 0)
			return -errno;
		if (old.sa_handler == SIG_IGN)
			continue;
		if (sigaction(sig, &sa, NULL) < 0)
			return -errno;
	}
	return 0;
}

void signals_restore_defaults(void)
{
	struct sigaction old;
	int sig;

	for (sig = 1; sig <= SIGRTMAX; sig++)
		if (signals_caught(sig) && sigaction(sig, NULL, &old) == 0 && old.sa_handler == on_signal)
			signal(sig, SIG_DFL);
}

void signals_defer(struct vmlet_vm *vm)
{
	deferred_vm = vm;
	deferring = 1;
	if (vm && terminated)
		vmlet_vm_kill(vm); /* a signal that came while the VM was being built */
}

int signals_terminated(void)
{
	return terminated;
}

int signals_was_forwarded(int sig)
{
	return sig >= 1 && sig <= 64 && (forwarded >> (sig - 1) & 1);
}
