#!/bin/bash
# test_cli.sh - what a new user trips on (issue 8), checked through real runs: PATH search,
# the environment (--env, --clear-env, --inherit-env, manifest env), --trace-file. Run from the repository root.
_own_work=; [ -z "${WORK:-}" ] && _own_work=1
. "$(dirname "$0")/lib.sh"
[ -n "$_own_work" ] && trap 'rm -rf "$WORK"' EXIT

T="$WORK/cli"
rm -rf "$T"; mkdir -p "$T"
BB=/bin/busybox

# --- --trace-file: the trace goes to the file, the program's stderr stays its own
run_vm "$T/out" "$T/err" /dev/null run --trace-file "$T/trace.log" "$PROGS/hello-musl"
if [ "$rc" = 0 ] && grep -q '^write(1, ' "$T/trace.log" && ! grep -q '^write(' "$T/err"; then
	pass "cli/trace-file-separate-from-stderr"
else
	fail "cli/trace-file-separate-from-stderr" "exit $rc; stderr: $(head -c 300 "$T/err"); trace: $(head -c 200 "$T/trace.log" 2>/dev/null)"
fi

# --- a program named without a slash is found in PATH, and keeps its name as argv[0]
if [ -x "$BB" ]; then
	expect_out "cli/path-search-busybox-echo" 0 "hi" -- run busybox echo hi
else
	skip "cli/path-search-busybox-echo" "no $BB"
fi
