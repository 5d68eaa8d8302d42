/* manifest.h - the JSON manifest of a run (ZeroVM's model): program, limits, channels, determinism, report. */
#ifndef VMLET_MANIFEST_H
#define VMLET_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

/*
 * A manifest declares everything a run may touch; the format is documented
 * in docs/MANIFEST.md. Parsing checks the document alone (types, ranges,
 * paths, rules between fields); manifest_check_host then checks it against
 * the host (files exist, have the declared type, can be opened as declared).
 *
 * Errors are values: each call returns 0 or a negative errno and writes one
 * line, without a newline, into msg: "NAME: JSON.PATH: what is wrong", where
 * NAME is the name the caller gave (usually the file name), e.g.
 *   job.json: channels[2].limits.write_bytes: must be a non-negative integer or size string, got -5
 * Nothing here prints or exits.
 */

#define MANIFEST_UNLIMITED UINT64_MAX    /* a limit that was not declared */
#define MANIFEST_MAX_CHANNELS 256        /* declared channels, stdio included */
#define MANIFEST_MAX_FILE (1u << 20)     /* manifest_load refuses bigger files */
#define MANIFEST_STDIO 3                 /* channels[0..2] are stdin, stdout, stderr */

enum manifest_type {
	MANIFEST_INHERITED = 0, /* stdio with no host: vmlet's own fd 0/1/2 (host is NULL) */
	MANIFEST_FILE,          /* a regular file */
	MANIFEST_DIRECTORY,     /* a read-only tree: every file beneath it, mode read */
	MANIFEST_FIFO,          /* a named pipe (must exist) */
	MANIFEST_CHARDEV,       /* a character device such as /dev/null (must exist) */
	MANIFEST_SOCKET,        /* a UNIX stream socket the run connects to (must exist) */
};

enum manifest_mode {
	MANIFEST_READ = 1,  /* O_RDONLY */
	MANIFEST_WRITE,     /* O_WRONLY | O_CREAT | O_TRUNC for files */
	MANIFEST_APPEND,    /* O_WRONLY | O_CREAT | O_APPEND for files */
	MANIFEST_READ_WRITE /* O_RDWR | O_CREAT for files (no truncation) */
};

enum manifest_access {
	MANIFEST_SEQUENTIAL = 1, /* reads and writes in order only: positioned I/O and seeks fail (ESPIPE) */
	MANIFEST_RANDOM,         /* positioned I/O and seeks allowed (files and directories only) */
};

enum manifest_commit {
	MANIFEST_COMMIT_SUCCESS = 1, /* keep written outputs only if the run ends in state "ok" */
	MANIFEST_COMMIT_ALWAYS,      /* keep them whatever the outcome */
};

/*
 * Per-channel quotas. Each is MANIFEST_UNLIMITED when not declared; 0 is a
 * valid limit (none allowed). "reads"/"writes" count calls that transfer
 * data on the channel (read/readv/pread..., write/writev/pwrite...);
 * "read_bytes"/"write_bytes" count the bytes they transfer. Past a limit the
 * call fails with EDQUOT (ZeroVM's rule). Limits are only accepted for the
 * directions the mode allows.
 */
struct manifest_limits {
	uint64_t reads, read_bytes, writes, write_bytes;
};

struct manifest_channel {
	char *guest;                 /* absolute, normalized ("/a/b"), unique among channels */
	char *host;                  /* host path as written (relative to the cwd), or NULL (inherited stdio) */
	enum manifest_type type;
	enum manifest_mode mode;
	enum manifest_access access;
	struct manifest_limits limits;
	int index;                   /* position in the JSON "channels" array, -1 if not declared */
};

struct manifest_determinism {
	int enabled;
	int64_t epoch;               /* the guest's clock starts here: seconds since 1970, >= 0 */
	uint8_t seed[32];            /* seeds the guest's random bytes (getrandom, AT_RANDOM) */
};

/* "tmpfs": [{"path": "/tmp", "size": "64M"}]: an in-memory filesystem in the guest. */
#define MANIFEST_MAX_TMPFS 8
struct manifest_tmpfs {
	char *path;                  /* guest path, normalized */
	uint64_t size;               /* bytes; 0: not given (half of the memory) */
};

struct vmlet_manifest {
	char *name;                  /* the name given to manifest_parse, for messages */
	char *program;               /* the executable: a host path, or with root a path inside the root */
	char *root;                  /* "root": host directory that is the guest's "/" (read-only); NULL: none */
	char **argv;                 /* argc + 1 entries: program, then "args", then NULL */
	size_t argc;
	char **envp;                 /* nenv + 1 entries: "NAME=VALUE"..., NULL (empty unless declared): the
				      * "env" settings, which add to or override the base environment */
	size_t nenv;
	int clear_env;               /* "clear_env": the base is empty, not PATH=/bin:/usr/bin HOME=/ */
	uint64_t memory;             /* guest RAM, bytes (default VMLET_DEFAULT_MEM) */
	uint64_t timeout;            /* wall-clock limit, ns; 0: none */
	/*
	 * channels[0], [1], [2] are always /dev/stdin, /dev/stdout, /dev/stderr
	 * (declared or not; undeclared ones are MANIFEST_INHERITED and unlimited);
	 * then the other declared channels in the order written.
	 */
	struct manifest_channel *channels;
	size_t nchannels;
	struct manifest_determinism deterministic;
	struct manifest_tmpfs tmpfs[MANIFEST_MAX_TMPFS];
	size_t ntmpfs;
	int64_t uid, gid;            /* "uid", "gid": the program's ids, 0..VMLET_MAX_ID; -1: not declared (0) */
	uint32_t processes;          /* "processes": 1..VMLET_MAX_PROCS at once; 0: not declared (the default) */
	char *report;                /* NULL: no report; "-": stderr; else a host path */
	enum manifest_commit commit;
};

/*
 * Parse and validate a manifest held in text[0..len) (need not be NUL-
 * terminated). name prefixes messages. On success returns 0 and fills *m,
 * which the caller releases with manifest_free. On error returns -EINVAL
 * (-ENOMEM when memory runs out), writes the message, and leaves *m empty
 * (manifest_free on it is harmless).
 */
int manifest_parse(const char *text, size_t len, const char *name, struct vmlet_manifest *m,
		   char *msg, size_t msglen);

/*
 * Read the file at path (at most MANIFEST_MAX_FILE bytes) and manifest_parse
 * it under the name path. Returns 0, -EINVAL, or the negative errno of a
 * failed open/read (-ENOENT, -EACCES, ...) with "path: strerror" as message.
 */
int manifest_load(const char *path, struct vmlet_manifest *m, char *msg, size_t msglen);

/* Release what manifest_parse allocated, and zero *m. Accepts a zeroed or failed manifest. */
void manifest_free(struct vmlet_manifest *m);

/*
 * Check the parsed manifest against the host, following symlinks:
 *  - program: an existing regular file, readable and executable;
 *  - each channel with a host path: it exists and has the declared type,
 *    and can be opened in the declared mode (read: readable; write, append,
 *    read-write: writable, or, for a file that does not exist yet, its
 *    parent directory is writable; directories also searchable; sockets
 *    writable, as connect needs); a dangling symlink counts as missing;
 *  - report (a path): the file is writable or can be created.
 * Permissions are those of the effective user (root passes most of them).
 * Returns 0, or -ENOENT (missing), -EACCES (not accessible), -EINVAL (wrong
 * type), with a message naming the channel:
 *   job.json: channels[1] (/data): host tests/x: No such file or directory
 */
int manifest_check_host(const struct vmlet_manifest *m, char *msg, size_t msglen);

/* Names used in the JSON: "file", "read", "sequential", "success"... ("inherited" for stdio). */
const char *manifest_type_name(enum manifest_type t);
const char *manifest_mode_name(enum manifest_mode mode);
const char *manifest_access_name(enum manifest_access a);
const char *manifest_commit_name(enum manifest_commit c);

/* Does the mode allow reading / writing? */
int manifest_mode_reads(enum manifest_mode mode);
int manifest_mode_writes(enum manifest_mode mode);

#endif
