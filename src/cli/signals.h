/* signals.h - vmlet's own signal dispositions: write errors as errno, every terminating signal cleans up. */
#ifndef VMLET_SIGNALS_H
#define VMLET_SIGNALS_H

#include "vmlet.h"

/*
 * SIGPIPE and SIGXFSZ ignored: a write to a closed pipe or past RLIMIT_FSIZE
 * then fails with EPIPE or EFBIG, which vmlet hands to the guest, instead of
 * killing vmlet (and leaving its temporary files behind).
 */
void signals_ignore_write_errors(void);

/*
 * Catch every signal whose default action ends the process and that arrives
 * from outside (see signals_caught), except those already ignored when vmlet
 * started (nohup). Until signals_defer is called a caught signal still ends
 * the process, by its default action. Call before confinement (sigaction is
 * not allowed after it). Returns 0 or -errno.
 */
int signals_catch_termination(void);

/*
 * From now on a caught signal is recorded instead (signals_terminated) and,
 * when vm is not NULL, stops that VM (vmlet_vm_kill: the run ends, its written
 * files are dropped), or goes to its program (signals_forwarded_to_program). Call with NULL before creating the VM (temporary files
 * exist from then on), with the VM once it exists, with NULL again before the
 * VM is destroyed.
 */
void signals_defer(struct vmlet_vm *vm);

/*
 * Give the caught signals their default action back, for a process that will
 * not clean up through signals_defer (--repeat, whose runs write no files): the
 * handler's own reset would be a system call its confinement forbids.
 */
void signals_restore_defaults(void);

/* The signal caught since signals_defer was first called, or 0. Not one forwarded to the program. */
int signals_terminated(void);

/*
 * 1 for SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2: while a VM runs (signals_defer
 * with it) these go to the program (vmlet_vm_signal), which handles, ignores or dies of them.
 */
int signals_forwarded_to_program(int sig);
/* 1 if sig was forwarded to the program during its run. */
int signals_was_forwarded(int sig);

/*
 * 1 if signals_catch_termination catches sig: SIGHUP, SIGINT, SIGQUIT, SIGTERM,
 * SIGUSR1, SIGUSR2, SIGALRM, SIGXCPU, SIGVTALRM, SIGPROF, SIGIO, SIGPWR,
 * SIGSTKFLT and the real-time signals but the library's kick (SIGRTMAX-1). Not
 * the faults (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT, SIGSYS: vmlet's
 * own crash, which no handler can recover from), not SIGKILL (`vmlet gc`
 * removes what it leaves), not SIGPIPE and SIGXFSZ (ignored).
 */
int signals_caught(int sig);

#endif
