/* report.h - the JSON report of a run (ZeroVM's model): exit state, per-channel accounting and etags, counters, phase times. */
#ifndef VMLET_REPORT_H
#define VMLET_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sha256.h"

/*
 * Plain data the caller fills after a run; the writer owns nothing and keeps
 * no pointer. Independent of the VM's internals: a counter the VM does not
 * keep stays 0. The JSON it becomes is documented in docs/MANIFEST.md.
 */

#define REPORT_FORMAT_VERSION 1

enum report_state {
	REPORT_OK = 1,  /* the program exited with status 0 and no limit ran out: a success */
	REPORT_EXIT,    /* the program exited with another status (exit_code) */
	REPORT_SIGNAL,  /* the program died of a signal (signal) */
	REPORT_TIMEOUT, /* the manifest's timeout ran out */
	REPORT_QUOTA,   /* the program exited (exit_code), but a declared limit ran out on the way
			   (some calls failed with EDQUOT; each channel's quotas say which) */
	REPORT_ERROR,   /* vmlet failed, or the guest broke the protocol (message) */
};

/* Bits: which of a channel's limits ran out (after which its calls failed with EDQUOT). */
#define REPORT_QUOTA_READS 1u
#define REPORT_QUOTA_READ_BYTES 2u
#define REPORT_QUOTA_WRITES 4u
#define REPORT_QUOTA_WRITE_BYTES 8u
#define REPORT_QUOTA_ALL 15u

struct vmlet_report_channel {
	const char *guest;                          /* the manifest channel's guest path */
	uint64_t reads, read_bytes;                 /* read calls, bytes they returned */
	uint64_t writes, write_bytes;               /* write calls, bytes they accepted */
	uint8_t read_sha256[SHA256_DIGEST_SIZE];    /* etag: digest of all data read, in order */
	uint8_t write_sha256[SHA256_DIGEST_SIZE];   /* etag: digest of all data written, in order */
	unsigned quotas;                            /* REPORT_QUOTA_* bits; 0 if none ran out */
};

struct vmlet_report_process {
	int pid, ppid;                              /* guest pids */
	const char *program;                        /* the last program it ran */
	int exit_code;                              /* status, or 128 + signal */
	uint64_t exits, hypercalls, syscalls;       /* its own */
};

struct vmlet_report_syscall {
	const char *name;                           /* "write", "openat"... */
	uint64_t count;
};

/* Nanoseconds (as struct vmlet_phases); the report shows whole microseconds. */
struct vmlet_report_phases {
	uint64_t create_vm, create_vcpu, memory, load, run, destroy;
};

struct vmlet_report {
	enum report_state state;
	int exit_code;                              /* the program's exit status: REPORT_OK/EXIT/QUOTA only */
	int signal;                                 /* signal number: REPORT_SIGNAL only */
	const char *message;                        /* why it ended; NULL or "" for none */
	const struct vmlet_report_channel *channels;
	size_t nchannels;
	uint64_t mem_peak;                          /* guest memory peak, bytes */
	uint64_t exits, hypercalls, syscalls;       /* KVM_RUN returns, hypercalls, syscalls in total */
	uint64_t processes;                         /* guest processes, the first included */
	const struct vmlet_report_process *process_list; /* the first, then those that ended, in order */
	size_t nprocess_list;
	const struct vmlet_report_syscall *syscalls_by_name; /* counts by name; names unique */
	size_t nsyscalls_by_name;
	struct vmlet_report_phases phases;
};

/*
 * Write r as a JSON object (2-space indent, trailing newline) to f and flush
 * it. Returns 0, -EINVAL for a report that breaks the contract above (unknown
 * state, unknown quota bits, a NULL name or array, a repeated syscall name), -ENOMEM,
 * or -EIO when f fails.
 */
int report_write(FILE *f, const struct vmlet_report *r);

/* "ok", "exit", ... (NULL if unknown); "reads", ..., "write_bytes" for one REPORT_QUOTA_* bit (else NULL). */
const char *report_state_name(enum report_state s);
const char *report_quota_name(unsigned bit);

/*
 * jansson seeds its hash function on first use by opening /dev/urandom. Call
 * this before installing a seccomp allowlist that forbids open (parsing a
 * manifest has the same effect); afterwards report_write opens nothing.
 */
void report_prepare(void);

#endif
