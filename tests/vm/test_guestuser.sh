#!/bin/bash
# test_guestuser.sh - with --root: the program's user and group ids (--uid, --gid; compared with native runs
# under setpriv), /dev/shm a tmpfs by default (POSIX shared memory and semaphores), and PROGRAM looked up
# in the guest's PATH inside the root.
_own_work=; [ -z "${WORK:-}" ] && _own_work=1
. "$(dirname "$0")/lib.sh"
[ -n "$_own_work" ] && trap 'rm -rf "$WORK"' EXIT

# as_native NAME NATIVE_PREFIX VMLET_OPTS -- PROGRAM ARGS...: stdout and exit status of
# `vmlet run VMLET_OPTS PROGRAM ARGS` equal those of `NATIVE_PREFIX PROGRAM ARGS` in the default guest environment.
as_native() {
	local name=$1 prefix=$2 opts=$3; shift 3
	[ "$1" = "--" ] && shift
	env -i PATH=/bin:/usr/bin HOME=/ $prefix "$@" < /dev/null > "$WORK/native.out" 2> "$WORK/native.err"
	local nrc=$?
	"$VMLET" run $opts "$@" < /dev/null > "$WORK/vm.out" 2> "$WORK/vm.err"
	local vrc=$?
	if [ "$nrc" != "$vrc" ]; then fail "$name" "exit $vrc, native $nrc; stderr: $(head -c 300 "$WORK/vm.err")"; return; fi
	if ! cmp -s "$WORK/native.out" "$WORK/vm.out"; then
		fail "$name" "stdout '$(head -c 200 "$WORK/vm.out")', native '$(head -c 200 "$WORK/native.out")'"; return
	fi
	pass "$name"
}

# ---- the guest's ids ------------------------------------------------------------------------------
NOBODY="setpriv --reuid 65534 --regid 65534 --clear-groups"
if command -v setpriv > /dev/null && getent passwd 65534 > /dev/null; then
	as_native ids/id-nobody "$NOBODY" "--root / --uid 65534 --gid 65534" -- /usr/bin/id
	as_native ids/whoami-nobody "$NOBODY" "--root / --uid 65534 --gid 65534" -- /usr/bin/whoami
	as_native ids/python3-ids "$NOBODY" "--root / --uid 65534 --gid 65534" -- /usr/bin/python3 -c 'import os, pwd, grp
print(os.getuid(), os.geteuid(), os.getgid(), os.getegid(), os.getgroups(), os.getresuid(), os.getresgid())
print(pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name)'
	# setuid to its own uid works; to root it is EPERM (exit 1 with a traceback on stderr, as natively).
	as_native ids/python3-setuid "$NOBODY" "--root / --uid 65534 --gid 65534" -- /usr/bin/python3 -c 'import os
os.setuid(65534); os.setgid(65534); print("own ids ok", flush=True)
os.setuid(0)'
	# A file the program creates is its own; the tmpfs's root stays root's (/tmp is a tmpfs in vmlet, the host's /tmp natively).
	as_native ids/python3-tmpfs-owner "$NOBODY" "--root / --tmpfs /tmp --uid 65534 --gid 65534" -- /usr/bin/python3 -c 'import os, tempfile
with tempfile.NamedTemporaryFile(dir="/tmp") as f:
    st = os.stat(f.name)
    print(st.st_uid, st.st_gid, os.stat("/tmp").st_uid)'
else
	skip ids/native-nobody "no setpriv or no user 65534 here to run the native side as"
fi
# Root unless told otherwise: id as root natively.
expect_out ids/default-root 0 "uid=0(root) gid=0(root) groups=0(root)" -- run --root / /usr/bin/id
expect_out ids/default-uid-0 0 "0" -- run --root / /usr/bin/id -u
# Root may become anyone, and then is that user.
expect_out ids/root-setuid 0 "1000 1000 []" -- run --root / /usr/bin/python3 -c 'import os
os.setgroups([]); os.setgid(1000); os.setuid(1000); print(os.getuid(), os.getgid(), os.getgroups())'
# Out of range or not a number: refused before any VM, as other option errors (125).
expect_err ids/uid-too-big 125 "vmlet: --uid: expected a number from 0 to 4294967294, got '4294967295'" \
	-- run --root / --uid 4294967295 /usr/bin/id
expect_err ids/gid-negative 125 "vmlet: --gid: expected a number from 0 to 4294967294, got '-1'" \
	-- run --root / --gid -1 /usr/bin/id
expect_err ids/uid-name 125 "vmlet: --uid: expected a number from 0 to 4294967294, got 'nobody'" \
	-- run --root / --uid nobody /usr/bin/id

# ---- /dev/shm: a tmpfs by default with a root -----------------------------------------------------
for libc in musl glibc; do
	P="$PWD/$PROGS/shm-$libc"
	as_native "shm/files-$libc" "" "--root /" -- "$P" files
	as_native "shm/map-$libc" "" "--root /" -- "$P" map
done
# The user's own mount at /dev/shm wins: 64K fills up.
run_vm "$WORK/out" "$WORK/err" /dev/null run --root / --tmpfs /dev/shm:64K /bin/busybox dd if=/dev/zero of=/dev/shm/x bs=1k count=100
if [ "$rc" = 1 ] && grep -q "No space left on device" "$WORK/err"; then pass shm/user-mount-wins
else fail shm/user-mount-wins "exit $rc; stderr: $(head -c 200 "$WORK/err")"; fi
# Without a root there is no /dev/shm.
run_vm "$WORK/out" "$WORK/err" /dev/null run /bin/busybox ls -d /dev/shm
if [ "$rc" = 1 ]; then pass shm/none-without-root; else fail shm/none-without-root "exit $rc: $(head -c 200 "$WORK/out")"; fi

# ---- PROGRAM found in the guest's PATH inside the root --------------------------------------------
as_native path/python3-by-name "" "--root /" -- python3 -c 'import sys; print(sys.argv, sys.executable)'
as_native path/env-path "env PATH=/nonexistent:/usr/sbin" "--root / --env PATH=/nonexistent:/usr/sbin" -- nologin
R="$WORK/pathroot"
rm -rf "$R"; mkdir -p "$R/bin" "$R/sbin"
cp /bin/busybox "$R/sbin/busybox"
ln -s ../../../../../../../../sbin "$R/bin/up" # ".." stops at the root: the root's /sbin
expect_out path/small-root 0 "hi" -- run --root "$R" --env PATH=/bin:/sbin busybox echo hi
expect_out path/small-root-relative-entry 0 "hi" -- run --root "$R" --env PATH=sbin busybox echo hi
expect_out path/symlink-stays-inside 0 "hi" -- run --root "$R" --env PATH=/bin/up busybox echo hi
expect_err path/not-in-root 127 "vmlet: python3: not found in the guest's PATH (/bin:/usr/bin) inside the root $R" \
	-- run --root "$R" python3 -c pass
expect_err path/not-found 127 "vmlet: no-such-program-here: not found in the guest's PATH (/bin:/usr/bin) inside the root /" \
	-- run --root / no-such-program-here
expect_err path/path-unset 127 \
	"vmlet: no-such-program-here: not found in the guest's PATH (unset: searched /bin:/usr/bin) inside the root /" \
	-- run --root / --clear-env no-such-program-here
chmod -x "$R/sbin/busybox"
expect_err path/not-executable 126 "vmlet: /sbin/busybox: permission denied (not executable)" \
	-- run --root "$R" --env PATH=/sbin busybox echo hi
