#!/bin/bash
# test_mprotect.sh - page rights: tests/progs/mprot.c's mprotect/mmap modes (read-only and PROT_NONE
# pages, a guard page, NX, mremap, EFAULT and ENOMEM) compared with the native run, stdout and exit
# status (139 for the SIGSEGV a forbidden access is); real dynamic programs, whose ld.so makes RELRO
# read-only, still run.
_own_work=; [ -z "${WORK:-}" ] && _own_work=1
. "$(dirname "$0")/lib.sh"
[ -n "$_own_work" ] && trap 'rm -rf "$WORK"' EXIT

T="$WORK/mprotect"
mkdir -p "$T"

for libc in musl glibc; do
	P="$PROGS/mprot-$libc"
	if [ ! -x "$P" ]; then fail "mprotect/$libc/build" "$P missing (run make progs)"; continue; fi
	for mode in cycle efault write-readonly read-none guard exec-noexec mremap-keeps; do
		VMLET_OPTS= like_native "mprotect/$libc/$mode" /dev/null -- "$P" "$mode"
	done
done

# The forbidden write is reported as the guest fault it is.
run_vm "$T/out" "$T/err" /dev/null -- run "$PROGS/mprot-musl" write-readonly
if [ "$rc" = 139 ] && grep -q "^vmlet: guest fault: page fault at 0x" "$T/err"; then
	pass "mprotect/fault-line"
else
	fail "mprotect/fault-line" "exit $rc, stderr: $(head -c 300 "$T/err")"
fi

# ld.so of glibc and the programs it loads: RELRO pages read-only, text read+execute.
if [ -x /usr/bin/python3 ]; then
	expect_out "mprotect/python3-relro" 0 "3" -- run --root / /usr/bin/python3 -c 'import json, zlib; print(len(json.dumps([1])))'
else
	skip "mprotect/python3-relro" "no /usr/bin/python3"
fi
