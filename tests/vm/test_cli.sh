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
if [ "$rc" = 0 ] && grep -Eq '^writev?\(1, ' "$T/trace.log" && ! grep -Eq '^writev?\(' "$T/err"; then
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

# --- the environment: --env adds to or overrides the default; --clear-env starts empty
if [ -x "$BB" ]; then
	expect_out "cli/env-adds-to-default" 0 "$(printf 'PATH=/bin:/usr/bin\nHOME=/\nFOO=bar')" -- run --env FOO=bar "$BB" env
	expect_out "cli/env-overrides-same-name" 0 "$(printf 'PATH=/bin:/usr/bin\nHOME=/work')" -- run --env HOME=/work "$BB" env
	expect_out "cli/clear-env" 0 "A=1" -- run --clear-env --env A=1 "$BB" env
	expect_out "cli/clear-env-alone" 0 "" -- run --clear-env "$BB" env
	run_vm "$T/out" "$T/err" /dev/null run --inherit-env --env HOME=/inherited-over "$BB" env
	if [ "$rc" = 0 ] && grep -qx 'HOME=/inherited-over' "$T/out" && [ "$(grep -c '^HOME=' "$T/out")" = 1 ] &&
	   grep -qx "PATH=$PATH" "$T/out"; then
		pass "cli/inherit-env-with-override"
	else
		fail "cli/inherit-env-with-override" "exit $rc; stdout: $(head -c 300 "$T/out")"
	fi
	printf '{"program": "%s", "args": ["env"], "env": ["HOME=/m", "X=1"]}\n' "$BB" > "$T/env.json"
	expect_out "cli/manifest-env-over-default" 0 "$(printf 'PATH=/bin:/usr/bin\nHOME=/m\nX=1')" -- run --manifest "$T/env.json"
	printf '{"program": "%s", "args": ["env"], "env": ["X=1"], "clear_env": true}\n' "$BB" > "$T/env-clear.json"
	expect_out "cli/manifest-clear-env" 0 "X=1" -- run --manifest "$T/env-clear.json"
else
	for c in env-adds-to-default env-overrides-same-name clear-env clear-env-alone inherit-env-with-override \
		 manifest-env-over-default manifest-clear-env; do skip "cli/$c" "no $BB"; done
fi

# --- --channel takes the manifest's names: directory, read-write (and the aliases dir, rw)
if [ -x "$BB" ]; then
	mkdir -p "$T/tree"; echo leaf > "$T/tree/leaf.txt"; echo rw-data > "$T/rw.txt"
	expect_out "cli/channel-type-directory" 0 "leaf" -- run --channel "/t:$T/tree:type=directory" "$BB" cat /t/leaf.txt
	expect_out "cli/channel-mode-read-write" 0 "rw-data" -- run --channel "/f:$T/rw.txt:mode=read-write" "$BB" cat /f
else
	for c in channel-type-directory channel-mode-read-write; do skip "cli/$c" "no $BB"; done
fi
