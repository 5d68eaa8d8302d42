#!/bin/bash
# test_cpuid.sh - the CPUID table VMs get: self-consistent, cheap for libc start-up, fixed in deterministic runs.
. "$(dirname "$0")/lib.sh"

for libc in musl glibc; do
	P="$PROGS/cpuid-$libc"
	if [ ! -x "$P" ]; then fail "cpuid/$libc/consistent" "$P missing"; continue; fi
	# cpuid.c check: highest basic leaf 0xd, HTT off, no XSAVEC, XSAVE sizes, leaf 2 descriptors where leaf 4
	# exists; glibc's sysconf cache sizes sane and equal to leaf 4's.
	run_vm "$WORK/out" "$WORK/err" /dev/null run "$P" check
	if [ "$rc" = 0 ] && grep -q '^ok ' "$WORK/out"; then
		pass "cpuid/$libc/consistent"
	else
		fail "cpuid/$libc/consistent" "exit $rc: $(grep -v '^ok ' "$WORK/out" | head -5 | tr '\n' ';') $(head -c 200 "$WORK/err")"
	fi
	run_vm "$WORK/out" "$WORK/err" /dev/null run --deterministic "$P" check
	if [ "$rc" = 0 ]; then pass "cpuid/$libc/deterministic-consistent"; else
		fail "cpuid/$libc/deterministic-consistent" "exit $rc: $(grep -v '^ok ' "$WORK/out" | head -5 | tr '\n' ';')"; fi
done

# Deterministic runs see the same CPUID, whichever libc asks.
"$VMLET" run --deterministic "$PROGS/cpuid-glibc" dump > "$WORK/det1" 2>&1
"$VMLET" run --deterministic "$PROGS/cpuid-musl" dump > "$WORK/det2" 2>&1
if [ -s "$WORK/det1" ] && cmp -s "$WORK/det1" "$WORK/det2" && grep -q '^00000001.00: 00060f00 ' "$WORK/det1"; then
	pass "cpuid/deterministic-identical"
else
	fail "cpuid/deterministic-identical" "$(diff "$WORK/det1" "$WORK/det2" | head -4 | tr '\n' ';')"
fi

# Where the kvm_cpuid tracepoint is at hand (the throwaway QEMU guest of scripts/qemu_kvm.sh), count the
# leaves glibc's start-up asks for: none of those the table makes unnecessary (4, 0xb, 0x14, 0x19, 0xd
# per state component).
T=/sys/kernel/tracing
if [ -n "${QEMU_KVM_GUEST:-}" ] && { mountpoint -q $T || mount -t tracefs nodev $T 2>/dev/null; } &&
	[ -w $T/events/kvm/kvm_cpuid/enable ]; then
	echo 0 > $T/tracing_on; echo > $T/trace; echo 1 > $T/events/kvm/kvm_cpuid/enable; echo 1 > $T/tracing_on
	"$VMLET" run "$PROGS/hello-glibc" > "$WORK/out" 2>&1
	echo 0 > $T/tracing_on; echo 0 > $T/events/kvm/kvm_cpuid/enable
	grep -o 'func [0-9a-f]* idx [0-9a-f]*' $T/trace > "$WORK/leaves"
	n=$(wc -l < "$WORK/leaves")
	avoidable=$(grep -E 'func (4|b|14|19) |func d idx ([2-9a-f]|[0-9a-f]{2,})$' "$WORK/leaves" | sort | uniq -c | tr '\n' ';')
	if [ "$(cat "$WORK/out")" = "hello, world" ] && [ "$n" -gt 0 ] && [ -z "$avoidable" ]; then
		pass "cpuid/glibc-startup-leaves ($n cpuid)"
	else
		fail "cpuid/glibc-startup-leaves" "$n cpuid, avoidable: $avoidable"
	fi
else
	skip "cpuid/glibc-startup-leaves" "no kvm_cpuid tracepoint (run under scripts/qemu_kvm.sh)"
fi
