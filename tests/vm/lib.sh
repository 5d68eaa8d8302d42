# lib.sh - helpers for VM tests: run vmlet, compare output and exit code, record pass/fail.
# Sourced by tests/vm/test_*.sh. Each check prints "ok NAME" or "FAIL NAME: why" and
# appends to $RESULTS. Environment: VMLET (the binary), PROGS (built test programs), WORK (scratch dir).

: "${BUILD:=build}"
: "${VMLET:=$BUILD/vmlet}"
: "${PROGS:=$BUILD/progs}"
: "${RESULTS:=/dev/null}"
: "${WORK:=$(mktemp -d)}"
# Debian's python3 first: a version manager's shim earlier on PATH can cost a second a call.
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3

skip() { echo "skip $1: $2"; echo "skip" >> "$RESULTS"; [ -z "${KVM_NEEDED:-}" ] || rm -f "$KVM_NEEDED"; }

# Without usable KVM (tests/run.sh sets VMLET_TEST_NO_KVM to the reason), a check during which
# vmlet or the library stopped at /dev/kvm tested nothing it meant to: it is skipped, saying why.
kvm_was_needed() { # MESSAGE
	[ -n "${VMLET_TEST_NO_KVM:-}" ] || return 1
	[ -e "$KVM_NEEDED" ] || [ -e "$KVM_NEEDED.last" ] || [[ "$1" == *"/dev/kvm"* ]]
}
# skip_without_vm NAME: true (after recording NAME as skipped) where no VM can run; for checks that
# only inspect what earlier runs left behind, so that no vmlet call of their own meets /dev/kvm.
skip_without_vm() {
	[ -n "${VMLET_TEST_NO_KVM:-}" ] || return 1
	skip "$1" "needs a VM ($VMLET_TEST_NO_KVM)"
}
pass() {
	if kvm_was_needed ""; then skip "$1" "needs a VM ($VMLET_TEST_NO_KVM)"; return; fi
	echo "ok $1"; echo "pass" >> "$RESULTS"
}
fail() {
	if kvm_was_needed "$2"; then skip "$1" "needs a VM ($VMLET_TEST_NO_KVM)"; return; fi
	echo "FAIL $1: $2"; echo "fail" >> "$RESULTS"
}

# run_vm OUT ERR STDIN -- ARGS...: run vmlet with stdin from file STDIN (or /dev/null),
# capturing stdout/stderr into files; sets $rc.
run_vm() {
	local out=$1 err=$2 in=$3; shift 3
	[ "$1" = "--" ] && shift
	"$VMLET" "$@" < "$in" > "$out" 2> "$err"
	rc=$?
}

# expect_rc NAME WANT_RC -- ARGS...: exit code only.
expect_rc() {
	local name=$1 want=$2; shift 2
	run_vm "$WORK/out" "$WORK/err" /dev/null "$@"
	if [ "$rc" = "$want" ]; then pass "$name"; else fail "$name" "exit $rc, want $want; stderr: $(head -c 300 "$WORK/err")"; fi
}

# expect_out NAME WANT_RC WANT_STDOUT -- ARGS...: exit code and exact stdout.
expect_out() {
	local name=$1 want=$2 text=$3; shift 3
	run_vm "$WORK/out" "$WORK/err" /dev/null "$@"
	if [ "$rc" != "$want" ]; then fail "$name" "exit $rc, want $want; stderr: $(head -c 300 "$WORK/err")"; return; fi
	if [ "$(cat "$WORK/out")" != "$text" ]; then fail "$name" "stdout '$(head -c 300 "$WORK/out")', want '$text'"; return; fi
	pass "$name"
}

# expect_err NAME WANT_RC WANT_STDERR_LINE -- ARGS...: exit code and exact stderr (one line).
expect_err() {
	local name=$1 want=$2 line=$3; shift 3
	run_vm "$WORK/out" "$WORK/err" /dev/null "$@"
	if [ "$rc" != "$want" ]; then fail "$name" "exit $rc, want $want; stderr: $(head -c 300 "$WORK/err")"; return; fi
	if [ "$(cat "$WORK/err")" != "$line" ]; then fail "$name" "stderr '$(head -c 300 "$WORK/err")', want '$line'"; return; fi
	pass "$name"
}

# native_verdict NAME NATIVE_RC NATIVE_OUT VM_RC VM_OUT VM_ERR: pass when vmlet's exit code and stdout equal the
# native run's; else fail, showing vmlet's stderr or where the outputs differ.
native_verdict() {
	local name=$1 nrc=$2 nout=$3 vrc=$4 vout=$5 verr=$6
	if [ "$nrc" != "$vrc" ]; then
		fail "$name" "exit $vrc, native $nrc; stderr: $(head -c 300 "$verr")"
	elif ! cmp -s "$nout" "$vout"; then
		fail "$name" "stdout differs from native: $(diff -a "$nout" "$vout" | head -c 600 | tr '\n' '|')"
	else
		pass "$name"
	fi
}

# like_native NAME STDIN -- PROGRAM ARGS...: stdout and exit status of `vmlet run [VMLET_OPTS] PROGRAM ARGS`
# must equal a native run of PROGRAM ARGS in an empty environment without core dumps (a program that dies
# of a signal on purpose), both with the same stdin; the VM side is bounded (60 s x VMLET_TEST_SLOW).
like_native() {
	local name=$1 in=$2 nrc; shift 2
	[ "$1" = "--" ] && shift
	{ (ulimit -c 0; exec env -i "$@") < "$in" > "$WORK/native.out" 2> /dev/null; } 2> /dev/null
	nrc=$?
	timeout $((60 * ${VMLET_TEST_SLOW:-1})) "$VMLET" run $VMLET_OPTS "$@" < "$in" > "$WORK/vm.out" 2> "$WORK/vm.err"
	native_verdict "$name" "$nrc" "$WORK/native.out" $? "$WORK/vm.out" "$WORK/vm.err"
}

# same_as_native NAME STDIN -- PROGRAM ARGS...: stdout and exit code of `vmlet run [VMLET_OPTS] PROGRAM ARGS`
# must equal a native run of PROGRAM ARGS with the same stdin and an empty environment.
same_as_native() {
	local name=$1 in=$2; shift 2
	[ "$1" = "--" ] && shift
	env -i PATH=/bin:/usr/bin HOME=/ "$@" < "$in" > "$WORK/native.out" 2> "$WORK/native.err"
	local nrc=$?
	"$VMLET" run $VMLET_OPTS "$@" < "$in" > "$WORK/vm.out" 2> "$WORK/vm.err"
	native_verdict "$name" "$nrc" "$WORK/native.out" $? "$WORK/vm.out" "$WORK/vm.err"
}
