#!/bin/bash
# test_hostfs.sh - grants and channels end to end: /proc, /sys and other kernel interfaces are refused as
# grants and channels and hidden inside `--ro /` (a guest must never read vmlet's own /proc/self).
# The host-side logic is unit-tested without KVM in tests/unit/test_hostfs.c.
_own_work=; [ -z "${WORK:-}" ] && _own_work=1
. "$(dirname "$0")/lib.sh"
[ -n "$_own_work" ] && trap 'rm -rf "$WORK"' EXIT

T="$WORK/hostfs"
rm -rf "$T"; mkdir -p "$T/tree"
echo "ordinary file" > "$T/tree/plain.txt"
# A relative symlink inside the tree that leads into /proc (under --ro / it stays beneath the grant).
up=$(echo "$T/tree" | sed 's|/[^/]*|../|g')
ln -s "${up}proc/self/environ" "$T/tree/env-link"
MARKER="vmlet-hostfs-marker-$$"

# expect_refused NAME MESSAGE -- ARGS...: exit 125 and exactly "vmlet: MESSAGE" on stderr.
expect_refused() {
	local name=$1 msg=$2; shift 2
	expect_err "$name" 125 "vmlet: $msg" "$@"
}

P="$PROGS/files-musl"
expect_refused hostfs/ro-proc-refused "--ro /proc: refused: /proc is procfs (a kernel interface)" -- \
	run --ro /proc "$P" open /proc/self/environ
expect_refused hostfs/ro-sys-refused "--ro /sys: refused: /sys is sysfs (a kernel interface)" -- \
	run --ro /sys:/s "$P" open /s/kernel/uevent_seqnum
# /proc/self resolves to vmlet's own pid, which the message names.
run_vm "$WORK/out" "$WORK/err" /dev/null run --ro /proc/self/environ:/env "$P" open /env
if [ "$rc" = 125 ] && grep -Eqx 'vmlet: --ro /proc/self/environ: refused: /proc/[0-9]+/environ is procfs \(a kernel interface\)' "$WORK/err"; then
	pass hostfs/ro-proc-file-refused
else
	fail hostfs/ro-proc-file-refused "exit $rc; stderr: $(head -c 300 "$WORK/err")"
fi
expect_refused hostfs/channel-proc-refused "channel /env: refused: /proc/self/environ is procfs (a kernel interface)" -- \
	run --channel /env:/proc/self/environ "$P" open /env

for libc in musl glibc; do
	P="$PROGS/files-$libc"
	n="hostfs/$libc"
	expect_out "$n/root-grant-reads-files" 0 "open ok: ordinary file" -- run --ro / "$P" open "$T/tree/plain.txt"
	# The host's /proc and /sys stay hidden; /proc is the guest kernel's own (test_procdev.sh), never vmlet's.
	for path in /proc/self/environ /proc/self/maps /proc/self/mem /proc/self /proc /sys /sys/kernel "$T/tree/env-link"; do
		case $path in
		/proc/self/environ) want="open ok: PATH=/bin:/usr/bin" ;;
		/proc/self/maps) want="open ok: 00400000-" ;;
		/proc/self/mem) want="open ENOENT" ;;
		/proc*) want="open ok: " ;;
		*) want="open EACCES" ;;
		esac
		VMLET_HOSTFS_MARKER=$MARKER run_vm "$WORK/out" "$WORK/err" /dev/null run --ro / "$P" open "$path"
		if [ "$rc" != 0 ]; then fail "$n/root-grant-hides $path" "exit $rc; stderr: $(head -c 300 "$WORK/err")"
		elif grep -q "$MARKER" "$WORK/out"; then fail "$n/root-grant-hides $path" "vmlet's environment reached the guest"
		elif [ "$(head -c ${#want} "$WORK/out")" != "$want" ]; then fail "$n/root-grant-hides $path" "stdout '$(head -c 200 "$WORK/out")', want '$want'"
		else pass "$n/root-grant-hides $path"; fi
	done
	expect_out "$n/root-grant-stat-proc" 0 "stat ok" -- run --ro / "$P" stat /proc/self
done
