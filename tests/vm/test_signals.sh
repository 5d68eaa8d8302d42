#!/bin/bash
# test_signals.sh - signals like Linux's: faults a program handles (tests/progs/sigfault.c: SIGSEGV
# with siglongjmp, a changed RIP or mprotect, SIGFPE, SIGILL, SIGTRAP, a sigaltstack overflow handler)
# and those it does not (death, 128+N, the fault line); timers and signals from outside while the
# program computes or waits (tests/progs/sigasync.c: alarm, setitimer, timer_create, EINTR against
# SA_RESTART, SIGINT/SIGTERM sent to vmlet, timed semaphore waits, python3's signal module); each
# compared with the native run, stdout and exit status, with musl and glibc.
_own_work=; [ -z "${WORK:-}" ] && _own_work=1
. "$(dirname "$0")/lib.sh"
[ -n "$_own_work" ] && trap 'rm -rf "$WORK"' EXIT

T="$WORK/signals"
mkdir -p "$T"

# judge NAME VM_RC NATIVE_RC: the exit statuses and $T/vm.out and $T/native.out must match.
judge() {
	if [ "$2" != "$3" ]; then
		fail "$1" "exit $2, native $3; stderr: $(head -c 300 "$T/vm.err")"
	elif ! cmp -s "$T/native.out" "$T/vm.out"; then
		fail "$1" "stdout differs: $(diff "$T/native.out" "$T/vm.out" | head -c 600 | tr '\n' '|')"
	else
		pass "$1"
	fi
}

# like_native NAME STDIN -- PROGRAM ARGS...: stdout and exit status as a native run (no core dumps).
like_native() {
	local name=$1 in=$2 nrc vrc; shift 3
	{ (ulimit -c 0; exec env -i "$@") < "$in" > "$T/native.out" 2> /dev/null; } 2> /dev/null
	nrc=$?
	timeout $((60 * ${VMLET_TEST_SLOW:-1})) "$VMLET" run ${VMLET_DET:-} "$@" < "$in" > "$T/vm.out" 2> "$T/vm.err"
	vrc=$?
	judge "$name" "$vrc" "$nrc"
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

# Signals that come while the program computes or waits (tests/progs/sigasync.c).
SLOW=${VMLET_TEST_SLOW:-1}
for libc in musl glibc; do
	P="$PROGS/sigasync-$libc"
	if [ ! -x "$P" ]; then fail "signals/$libc/async-build" "$P missing (run make progs)"; continue; fi
	for mode in itimer timer nanosleep-eintr nanosleep-restart sleep-ticks timed-waits pending waits; do
		like_native "signals/$libc/$mode" /dev/null -- "$P" "$mode"
	done
	# A deterministic run: timers fire at system calls, on the virtual clock.
	for mode in nanosleep-eintr sleep-ticks timed-waits waits; do
		VMLET_DET=--deterministic like_native "signals/$libc/deterministic-$mode" /dev/null -- "$P" "$mode"
	done
	# A blocking read of stdin (a pipe whose writer is silent for a while): the itimer's SIGALRM
	# interrupts it (EINTR), or with SA_RESTART the read goes on and gets the data.
	for mode in read-eintr read-restart; do
		data=; [ "$mode" = read-restart ] && data="echo hello"
		(sleep $((2 * SLOW)); $data) | timeout $((60 * SLOW)) env -i "$P" "$mode" > "$T/native.out" 2> /dev/null
		nrc=${PIPESTATUS[1]}
		(sleep $((2 * SLOW)); $data) | timeout $((60 * SLOW)) "$VMLET" run "$P" "$mode" > "$T/vm.out" 2> "$T/vm.err"
		vrc=${PIPESTATUS[1]}
		judge "signals/$libc/$mode" "$vrc" "$nrc"
	done
done

# SIGINT and SIGTERM sent to vmlet reach the program: handled, it goes on; unhandled, the run
# dies of it (128+N, "terminated by signal N"). As natively (job control off: a background job
# would ignore SIGINT, so env gives it back its default).
# sent_to NAME SIG MODE: run MODE in the background, send SIG once it said "ready".
sent_to() {
	local name=$1 sig=$2 mode=$3 pid i rc_n rc_v
	for who in native vm; do
		if [ $who = native ]; then
			env --default-signal=INT "$PROGS/sigasync-musl" "$mode" > "$T/$who.out" 2> "$T/$who.err" < /dev/null &
		else
			env --default-signal=INT "$VMLET" run "$PROGS/sigasync-musl" "$mode" > "$T/$who.out" 2> "$T/$who.err" < /dev/null &
		fi
		pid=$!
		for ((i = 0; i < 300 * SLOW; i++)); do grep -q ready "$T/$who.out" 2> /dev/null && break; sleep 0.1; done
		kill -"$sig" "$pid"
		for ((i = 0; i < 300 * SLOW; i++)); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2> /dev/null
		wait "$pid"
		eval "rc_$who=\$?"
	done
	judge "$name" "$rc_vm" "$rc_native"
}
sent_to signals/sigint-handled INT wait-handled
sent_to signals/sigterm-handled TERM wait-handled
sent_to signals/sigint-unhandled INT wait-unhandled
if grep -q "^vmlet: terminated by signal 2; outputs not kept" "$T/vm.err"; then
	pass "signals/sigint-unhandled-message"
else
	fail "signals/sigint-unhandled-message" "stderr: $(head -c 300 "$T/vm.err")"
fi
sent_to signals/sigterm-unhandled TERM wait-unhandled

# python3's signal module: an itimer's SIGALRM runs its handler during time.sleep, which goes on
# (PEP 475); signal.alarm and signal.pause.
if [ -x /usr/bin/python3 ]; then
	cat > "$T/alarm.py" <<'PY'
import signal, time
hits = []
signal.signal(signal.SIGALRM, lambda s, f: hits.append(s))
signal.setitimer(signal.ITIMER_REAL, 0.05)
time.sleep(0.5)
print("slept through", hits)
signal.alarm(1)
signal.pause()
print("paused until", hits, signal.getitimer(signal.ITIMER_REAL))
PY
	env -i /usr/bin/python3 "$T/alarm.py" > "$T/native.out" 2>&1
	nrc=$?
	timeout $((60 * SLOW)) "$VMLET" run --root / --ro "$T/alarm.py:/alarm.py" /usr/bin/python3 /alarm.py > "$T/vm.out" 2> "$T/vm.err"
	vrc=$?
	judge signals/python3-alarm "$vrc" "$nrc"
else
	skip "signals/python3-alarm" "no /usr/bin/python3"
fi
