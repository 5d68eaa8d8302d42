#!/bin/bash
# test_syscalls.sh - errnos and limits a program relies on, compared byte for byte with a native run of
# the same program (tests/progs/fsops.c): tree-changing calls on a granted tree against a read-only bind
# mount, RLIMIT_NOFILE, a CLOCK_REALTIME futex deadline, pause(), fsync and its kin; and --trace's
# string arguments as they were when each call began.
_own_work=; [ -z "${WORK:-}" ] && _own_work=1
. "$(dirname "$0")/lib.sh"
[ -n "$_own_work" ] && trap 'rm -rf "$WORK"' EXIT

T="$WORK/syscalls"
# fresh_tree: DIR/file, DIR/sub, DIR/link -> file, DIR/dangling -> nowhere; no DIR/missing.
fresh_tree() {
	rm -rf "$T"; mkdir -p "$T/tree/sub"
	echo data > "$T/tree/file"
	ln -s file "$T/tree/link"
	ln -s nowhere "$T/tree/dangling"
}

# native_ro OUT PROG ARGS...: PROG on the tree made read-only by a bind mount in a private mount namespace.
native_ro() {
	local out=$1; shift
	unshare -m sh -c 'mount --bind -o ro "$1" "$1" && shift && exec "$@"' sh "$T/tree" "$@" > "$out" 2> /dev/null
}

# same_output NAME NATIVE_OUT NATIVE_RC -- VMLET_RUN_ARGS...: vmlet's stdout and exit equal the native ones.
same_output() {
	local name=$1 nout=$2 nrc=$3; shift 4
	"$VMLET" run "$@" < /dev/null > "$T/vm.out" 2> "$T/vm.err"
	native_verdict "$name" "$nrc" "$nout" $? "$T/vm.out" "$T/vm.err"
}

for libc in musl glibc; do
	P="$PROGS/fsops-$libc"
	if [ ! -x "$P" ]; then fail "syscalls/$libc/build" "$P missing (run make progs)"; continue; fi
	fresh_tree
	if native_ro "$T/native.out" "$P" "$T/tree" && [ -s "$T/native.out" ]; then
		same_output "syscalls/$libc/read-only-tree-errnos" "$T/native.out" 0 -- --ro "$T/tree" "$P" "$T/tree"
	else
		skip "syscalls/$libc/read-only-tree-errnos" "no read-only bind mount for the native reference (needs root and unshare -m)"
	fi
	for op in nofile futex-rt sync; do
		env -i "$P" "$op" > "$T/native.out" 2> /dev/null
		same_output "syscalls/$libc/$op" "$T/native.out" $? -- "$P" "$op"
	done
	timeout 1 "$P" pause > "$T/native.out" 2> /dev/null
	same_output "syscalls/$libc/pause-blocks" "$T/native.out" $? -- --timeout 1s "$P" pause
done

# --trace shows a string argument as it was when the call began: the program overwrites the
# path right after open() fails, before anything leaves the VM.
for libc in musl glibc; do
	"$VMLET" run --trace "$PROGS/sys-$libc" tracebuf < /dev/null > "$T/vm.out" 2> "$T/vm.err"
	rc=$?
	if [ "$rc" = 0 ] && grep -q '"/nonexistent-A", .*= -1 ENOENT' "$T/vm.err" && ! grep -q '"/XXXX' "$T/vm.err"; then
		pass "syscalls/$libc/trace-strings-at-entry"
	else
		fail "syscalls/$libc/trace-strings-at-entry" "exit $rc; trace: $(grep -m1 nonexistent "$T/vm.err" || grep -m1 XXXX "$T/vm.err" || head -c 200 "$T/vm.err")"
	fi
done
