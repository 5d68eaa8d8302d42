#!/bin/bash
# test_events.sh - eventfd, timerfd, poll/ppoll, select/pselect6, epoll (level, edge, one-shot) and signalfd:
# tests/progs/events.c compared byte for byte with native runs (musl and glibc; also deterministic), epoll,
# poll and select on a stdin pipe, on /dev/null as stdin and on a FIFO channel a host writer fills later;
# python3's selectors and select modules, and asyncio with timers.
_own_work=; [ -z "${WORK:-}" ] && _own_work=1
. "$(dirname "$0")/lib.sh"
[ -n "$_own_work" ] && trap 'rm -rf "$WORK"' EXIT

# vs_native NAME STDIN_TEXT VMLET_OPTS -- PROGRAM ARGS...: stdout and exit status equal the native run's,
# stdin a pipe that already holds STDIN_TEXT and whose writer is gone (a here-string).
vs_native() {
	local name=$1 text=$2 opts=$3; shift 4
	env -i PATH=/bin:/usr/bin HOME=/ "$@" <<< "$text" > "$WORK/native.out" 2> "$WORK/native.err"
	local nrc=$?
	# shellcheck disable=SC2086
	"$VMLET" run $opts "$@" <<< "$text" > "$WORK/vm.out" 2> "$WORK/vm.err"
	native_verdict "$name" "$nrc" "$WORK/native.out" $? "$WORK/vm.out" "$WORK/vm.err"
}

for libc in musl glibc; do
	P="$PROGS/events-$libc"
	if [ ! -x "$P" ]; then fail "events/$libc/build" "$P missing (run make progs)"; continue; fi
	vs_native "events/$libc/semantics" hello "" -- "$P"
	vs_native "events/$libc/deterministic" hello "--deterministic --epoch 1700000000" -- "$P"
	vs_native "events/$libc/stdin-pipe" hello "" -- "$P" stdin
	VMLET_OPTS='' same_as_native "events/$libc/stdin-dev-null" /dev/null -- "$P" devnull
done

# A FIFO channel a host writer fills after the program started waiting, then closes.
FF="$WORK/events.fifo"; rm -f "$FF"; mkfifo "$FF"
fifo_run() { # OUT -- COMMAND...: COMMAND with a writer coming 0.3 s later
	local out=$1; shift 2
	( sleep 0.3; timeout 10 sh -c "printf 'fifo data\n' > '$FF'" ) & local hp=$!
	timeout 20 "$@" > "$out" 2> "$out.err"
	local rc=$?
	wait "$hp"
	return $rc
}
for libc in musl glibc; do
	P="$PROGS/events-$libc"
	[ -x "$P" ] || continue
	fifo_run "$WORK/native.out" -- "$P" fifo "$FF"; nrc=$?
	fifo_run "$WORK/vm.out" -- "$VMLET" run --timeout 10s --channel "$FF:$FF:type=fifo" "$P" fifo "$FF"
	native_verdict "events/$libc/fifo-channel" "$nrc" "$WORK/native.out" $? "$WORK/vm.out" "$WORK/vm.out.err"
	# no writer ever: waits on it end by their timeouts, on the virtual clock too
	timeout 20 "$P" quiet "$FF" > "$WORK/native.out" 2> /dev/null; nrc=$?
	for opts in "" --deterministic; do
		timeout 20 "$VMLET" run $opts --timeout 10s --channel "$FF:$FF:type=fifo" "$P" quiet "$FF" > "$WORK/vm.out" 2> "$WORK/vm.err"
		native_verdict "events/$libc/quiet-fifo-channel${opts:+-deterministic}" "$nrc" "$WORK/native.out" $? "$WORK/vm.out" "$WORK/vm.err"
	done
done

D=$(cd "$(dirname "$0")/../progs" && pwd)
if [ -x /usr/bin/python3 ]; then
	vs_native "events/python3-selectors" hello "--root /" -- /usr/bin/python3 "$D/events_selectors.py"
	# asyncio's loop wakes itself through socket.socketpair: without AF_UNIX sockets it cannot start.
	"$VMLET" run --root / /usr/bin/python3 -c 'import socket; socket.socketpair()' > /dev/null 2> "$WORK/sp.err"
	if [ $? = 0 ]; then
		vs_native "events/python3-asyncio" "" "--root /" -- /usr/bin/python3 "$D/events_asyncio.py"
	else
		skip "events/python3-asyncio" "socket.socketpair fails in vmlet: $(tail -1 "$WORK/sp.err" | head -c 200)"
	fi
else
	skip "events/python3" "no /usr/bin/python3"
fi
