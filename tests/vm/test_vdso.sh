#!/bin/bash
# test_vdso.sh - the guest's vDSO: clock reads after the first need no system call and track the host clock.
. "$(dirname "$0")/lib.sh"

for libc in musl glibc; do
	P="$PROGS/clock-$libc"
	# clock.c reads CLOCK_MONOTONIC 1000 times and sleeps; only the calibrating first read is a syscall.
	"$VMLET" run --trace "$P" > "$WORK/out" 2> "$WORK/trace"
	n=$(grep -c '^clock_gettime(' "$WORK/trace")
	if [ "$(cat "$WORK/out")" = "$(printf 'monotonic ok\nsleep ok')" ] && [ "$n" -le 2 ]; then
		pass "vdso/$libc/clock-without-syscalls"
	else
		fail "vdso/$libc/clock-without-syscalls" "$n clock_gettime syscalls; stdout: $(head -c 200 "$WORK/out")"
	fi
done

# time(2) through the vDSO agrees with the host's clock.
host=$(date +%s)
guest=$("$VMLET" run /bin/busybox date +%s 2>/dev/null)
if [ -n "$guest" ] && [ $((guest - host)) -ge -2 ] && [ $((guest - host)) -le 2 ]; then
	pass "vdso/realtime-matches-host"
else
	fail "vdso/realtime-matches-host" "guest $guest, host $host"
fi

# A deterministic run keeps the virtual clock: the vDSO falls back to the system call.
out=$("$VMLET" run --deterministic --epoch 1700000000 /bin/busybox date +%s 2>/dev/null)
if [ "$out" = 1700000000 ]; then pass "vdso/deterministic-uses-virtual-clock"; else fail "vdso/deterministic-uses-virtual-clock" "got '$out'"; fi
