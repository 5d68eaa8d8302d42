/* commit.h - the all-or-nothing commit of a run's written files, its journal, and recovery by gc. */
#ifndef VMLET_COMMIT_H
#define VMLET_COMMIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct vmlet_vm;
struct vmlet_error;

/*
 * On-disk protocol (docs/MANIFEST.md "Commit" states it for users). A run writing
 * files owns, in each output directory D, files tagged ".vmlet-PID-N":
 *   .NAME.vmlet-PID-M.tmp    what the program wrote for target NAME (M: per channel)
 *   .NAME.vmlet-PID-M.bak    a hard link to NAME's previous file, made at commit
 *   .vmlet-PID-N.journal     the run's entries (every directory holds the same copy);
 *                            created empty at create, filled at commit
 *   .vmlet-PID-N.commit      in the first output directory only: a hard link to its
 *                            journal, whose existence is the commit decision
 * Commit: fsync temporaries; lock append targets; link backups; write and fsync the
 * journals (prepared); link the marker (decided); apply the entries in order (rename
 * a temporary over its target; append a temporary's new bytes to its target); fsync
 * the directories; remove the journals, then the marker.
 * Recovery of a dead run (gc, or the next run writing in that directory): with the
 * marker, roll forward (apply what is not applied yet); without it, roll back
 * (remove temporaries and backups; targets were not touched).
 */

enum journal_kind { JOURNAL_REPLACE = 'R', JOURNAL_APPEND = 'A' };

struct journal_entry {
	enum journal_kind kind;
	char *dir;          /* absolute path of the target's directory */
	char *name, *tmp;   /* base names in dir */
	char *bak;          /* REPLACE: backup name, or NULL when the target did not exist */
	uint64_t orig_len;  /* APPEND: the target's size when the commit locked it */
	uint64_t base, len; /* APPEND: the new bytes are tmp[base, base + len) */
};

/* journal.c: the text form (one entry a line, paths hex-encoded); malloc'd, NULL on ENOMEM. */
char *journal_format(const char *primary, const struct journal_entry *e, size_t n, size_t *len);
/* Parse; returns the number of entries (*out malloc'd, *primary the first directory), or -errno. */
int journal_parse(const char *text, size_t len, char **primary, struct journal_entry **out);
void journal_entries_free(struct journal_entry *e, size_t n);

/*
 * Apply entry e in dirfd (target_fd: APPEND's target, locked by the caller; tmp_fd:
 * APPEND's temporary). An append adds only what the target lacks of it. With resume
 * (recovery), a REPLACE whose temporary is gone counts as applied; without, that is
 * ENOENT. 0 or -errno.
 */
int journal_roll_forward(const struct journal_entry *e, int dirfd, int target_fd, int tmp_fd, int resume);
/* Undo an applied entry while the decision stands: the new file goes back to tmp. */
int journal_undo(const struct journal_entry *e, int dirfd, int target_fd);
/* Remove the entry's temporary and backup (targets untouched). */
void journal_discard(const struct journal_entry *e, int dirfd);

/* commit.c, the in-process side. Register written channel ch's directory (creates its
 * journal file on first use); at create, before confinement. */
int commit_add_channel(struct vmlet_vm *vm, size_t ch, struct vmlet_error *err);
/* The steps of commit_outputs, in order (exposed so tests can stop between them as a crash would). */
int commit_prepare(struct vmlet_vm *vm, struct vmlet_error *err);  /* flush, lock, back up, journal */
int commit_decide(struct vmlet_vm *vm, struct vmlet_error *err);   /* the marker: roll forward from here */
int commit_apply(struct vmlet_vm *vm, size_t i, struct vmlet_error *err); /* entry i */
void commit_cleanup(struct vmlet_vm *vm); /* remove journals, then the marker; unlock */
/* All of it; on failure everything is rolled back (or left for gc, and the message says so). */
int commit_outputs(struct vmlet_vm *vm, struct vmlet_error *err);
/* Drop the run's outputs (temporaries, empty journals); also what channels_free calls. */
void commit_discard(struct vmlet_vm *vm);
void commit_free(struct vmlet_vm *vm);

/* gc.c: recover every dead run's journal in dirfd, then remove dead runs' files there (see
 * vmlet_collect_garbage); with only_for, only the temporaries and backups of that target. */
struct vmlet_gc_counts;
int gc_directory(int dirfd, const char *only_for, struct vmlet_gc_counts *counts);

#endif
