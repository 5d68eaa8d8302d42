#!/bin/bash
# test_signals.sh - signals like Linux's: faults a program handles (tests/progs/sigfault.c: SIGSEGV
# with siglongjmp, a changed RIP or mprotect, SIGFPE, SIGILL, SIGTRAP, a sigaltstack overflow handler)
# and those it does not (death, 128+N, the fault line), compared with the native run, stdout and
# exit status, with musl and glibc.
_own_work=; [ -z "${WORK:-}" ] && _own_work=1
. "$(dirname "$0")/lib.sh"
[ -n "$_own_work" ] && trap 'rm -rf "$WORK"' EXIT

T="$WORK/signals"
mkdir -p "$T"

# like_native NAME STDIN -- PROGRAM ARGS...: stdout and exit status as a native run (no core dumps).
like_native() {
	local name=$1 in=$2 nrc vrc; shift 3
	{ (ulimit -c 0; exec env -i "$@") < "$in" > "$T/native.out" 2> /dev/null; } 2> /dev/null
	nrc=$?
	"$VMLET" run "$@" < "$in" > "$T/vm.out" 2> "$T/vm.err"
	vrc=$?
	if [ "$vrc" != "$nrc" ]; then
		fail "$name" "exit $vrc, native $nrc; stderr: $(head -c 300 "$T/vm.err")"
	elif ! cmp -s "$T/native.out" "$T/vm.out"; then
		fail "$name" "stdout differs: $(diff "$T/native.out" "$T/vm.out" | head -c 600 | tr '\n' '|')"
	else
		pass "$name"
	fi
}

for libc in musl glibc; do
	P="$PROGS/sigfault-$libc"
	if [ ! -x "$P" ]; then fail "signals/$libc/build" "$P missing (run make progs)"; continue; fi
	for mode in segv-longjmp segv-rip segv-mprotect fpe ill trap altstack resethand dfl blocked ignored ill-dfl; do
		like_native "signals/$libc/$mode" /dev/null -- "$P" "$mode"
	done
done

# A fault the program does not handle is reported as the guest fault it is.
for mode in dfl blocked resethand; do
	run_vm "$T/out" "$T/err" /dev/null -- run "$PROGS/sigfault-musl" "$mode"
	if [ "$rc" = 139 ] && grep -q "^vmlet: guest fault: page fault at 0x0 (rip 0x" "$T/err"; then
		pass "signals/fault-line-$mode"
	else
		fail "signals/fault-line-$mode" "exit $rc, stderr: $(head -c 300 "$T/err")"
	fi
done
run_vm "$T/out" "$T/err" /dev/null -- run "$PROGS/sigfault-musl" ill-dfl
if [ "$rc" = 132 ] && grep -q "^vmlet: guest fault: invalid opcode (vector 6, rip 0x" "$T/err"; then
	pass "signals/fault-line-ill"
else
	fail "signals/fault-line-ill" "exit $rc, stderr: $(head -c 300 "$T/err")"
fi
