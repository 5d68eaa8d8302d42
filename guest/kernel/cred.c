/* cred.c - the program's user and group ids: from the boot block, changed as Linux's set*id rules allow. */
#include "gk.h"

#include <linux/errno.h>

#define GROUPS_MAX 256 /* supplementary groups kept (Linux allows 65536: more is EINVAL here) */
#define NO_ID 0xffffffffu /* (uid_t)-1: "unchanged" for the set*id calls, never an id */

enum { REAL, EFFECTIVE, SAVED };

/* uids[] and gids[]: real, effective, saved. The boot block's ids until the program first asks. */
static uint32_t uids[3], gids[3], groups[GROUPS_MAX];
static uint32_t ngroups;
static int loaded;

static void load(void)
{
	if (loaded)
		return;
	uids[REAL] = uids[EFFECTIVE] = uids[SAVED] = gk_boot.uid;
	gids[REAL] = gids[EFFECTIVE] = gids[SAVED] = gk_boot.gid;
	loaded = 1;
}

uint32_t cred_euid(void)
{
	load();
	return uids[EFFECTIVE];
}

uint32_t cred_egid(void)
{
	load();
	return gids[EFFECTIVE];
}

uint32_t cred_uid(void)
{
	load();
	return uids[REAL];
}

void cred_ids(uint32_t uid[3], uint32_t gid[3])
{
	load();
	memcpy(uid, uids, sizeof(uids));
	memcpy(gid, gids, sizeof(gids));
}

/* CAP_SETUID and CAP_SETGID: a process without file capabilities holds them while its effective uid is 0. */
static int privileged(void)
{
	return cred_euid() == 0;
}

/* Unprivileged, each id given must be one the process already has (real, effective or saved). */
static int held(const uint32_t ids[3], uint32_t id)
{
	return id == NO_ID || id == ids[REAL] || id == ids[EFFECTIVE] || id == ids[SAVED];
}

/* setresuid/setresgid: NO_ID leaves that id as it is. */
static long set_res(uint32_t ids[3], uint32_t r, uint32_t e, uint32_t s)
{
	if (!privileged() && (!held(ids, r) || !held(ids, e) || !held(ids, s)))
		return -EPERM;
	if (r != NO_ID)
		ids[REAL] = r;
	if (e != NO_ID)
		ids[EFFECTIVE] = e;
	if (s != NO_ID)
		ids[SAVED] = s;
	return 0;
}

/* setuid/setgid: privileged, all three; else only the effective id, to the real or saved one. */
static long set_one(uint32_t ids[3], uint32_t id)
{
	if (id == NO_ID)
		return -EINVAL;
	if (privileged())
		return set_res(ids, id, id, id);
	if (id != ids[REAL] && id != ids[SAVED])
		return -EPERM;
	ids[EFFECTIVE] = id;
	return 0;
}

/* setreuid/setregid: real to the real or effective id, effective to any held; the saved id follows
 * the new effective one when the real id is set or the effective one becomes other than the old real. */
static long set_re(uint32_t ids[3], uint32_t r, uint32_t e)
{
	uint32_t old_real = ids[REAL];

	if (!privileged() && ((r != NO_ID && r != ids[REAL] && r != ids[EFFECTIVE]) || !held(ids, e)))
		return -EPERM;
	if (r != NO_ID)
		ids[REAL] = r;
	if (e != NO_ID)
		ids[EFFECTIVE] = e;
	if (r != NO_ID || (e != NO_ID && e != old_real))
		ids[SAVED] = ids[EFFECTIVE];
	return 0;
}

static long get_res(const uint32_t ids[3], uint64_t r, uint64_t e, uint64_t s)
{
	if (!user_ok(r, 4) || !user_ok(e, 4) || !user_ok(s, 4))
		return -EFAULT;
	*(uint32_t *)r = ids[REAL];
	*(uint32_t *)e = ids[EFFECTIVE];
	*(uint32_t *)s = ids[SAVED];
	return 0;
}

long sys_getuid(struct gk_frame *f)
{
	(void)f;
	return cred_uid();
}

long sys_geteuid(struct gk_frame *f)
{
	(void)f;
	return cred_euid();
}

long sys_getgid(struct gk_frame *f)
{
	(void)f;
	load();
	return gids[REAL];
}

long sys_getegid(struct gk_frame *f)
{
	(void)f;
	return cred_egid();
}

long sys_getresuid(struct gk_frame *f)
{
	load();
	return get_res(uids, A0, A1, A2);
}

long sys_getresgid(struct gk_frame *f)
{
	load();
	return get_res(gids, A0, A1, A2);
}

long sys_setuid(struct gk_frame *f)
{
	load();
	return set_one(uids, (uint32_t)A0);
}

long sys_setgid(struct gk_frame *f)
{
	load();
	return set_one(gids, (uint32_t)A0);
}

long sys_setreuid(struct gk_frame *f)
{
	load();
	return set_re(uids, (uint32_t)A0, (uint32_t)A1);
}

long sys_setregid(struct gk_frame *f)
{
	load();
	return set_re(gids, (uint32_t)A0, (uint32_t)A1);
}

long sys_setresuid(struct gk_frame *f)
{
	load();
	return set_res(uids, (uint32_t)A0, (uint32_t)A1, (uint32_t)A2);
}

long sys_setresgid(struct gk_frame *f)
{
	load();
	return set_res(gids, (uint32_t)A0, (uint32_t)A1, (uint32_t)A2);
}

long sys_getgroups(struct gk_frame *f)
{
	int size = (int)A0;

	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return ngroups;
	if ((uint32_t)size < ngroups)
		return -EINVAL;
	if (!user_ok(A1, ngroups * 4ull))
		return -EFAULT;
	memcpy((void *)A1, groups, ngroups * 4ull);
	return ngroups;
}

long sys_setgroups(struct gk_frame *f)
{
	int size = (int)A0;

	if (!privileged())
		return -EPERM;
	if (size < 0 || size > GROUPS_MAX)
		return -EINVAL;
	if (!user_ok(A1, (uint64_t)size * 4))
		return -EFAULT;
	memcpy(groups, (const void *)A1, (uint64_t)size * 4);
	ngroups = (uint32_t)size;
	return 0;
}
