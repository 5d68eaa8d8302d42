#!/bin/bash
# test_manifest.sh - `vmlet check` over the golden manifests in tests/manifest: valid/*.json must
# print valid/*.out (exit 0), invalid/*.json must fail with the one line in invalid/*.err (exit 125).
# Run from the repository root. Host paths in the manifests are relative to it; "@WORK@" stands
# for a scratch directory this script fills with what git cannot hold (fifos, a socket, symlinks).
# UPDATE_GOLDEN=1 rewrites the .out/.err files from the current output (review the diff!).
_own_work=; [ -z "${WORK:-}" ] && _own_work=1
. "$(dirname "$0")/lib.sh"
[ -n "$_own_work" ] && trap 'rm -rf "$WORK"' EXIT

G=tests/manifest
FIX="$WORK/manifest-fix"      # what @WORK@ stands for
COPY="$WORK/manifest-copy"    # the manifests with @WORK@ filled in
rm -rf "$FIX" "$COPY"; mkdir -p "$FIX" "$COPY/valid" "$COPY/invalid"

mkfifo "$FIX/in.fifo" "$FIX/out.fifo"
: > "$FIX/state.db"
ln -s "$PWD/$G/data/input.txt" "$FIX/link-to-input"
ln -s "$FIX/nowhere" "$FIX/dangling"
have_socket=
if "$PY" -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$FIX/service.sock" 2> /dev/null; then
	have_socket=1
fi

# "@PROG@" in the manifests: a real static program, since vmlet check loads its ELF headers.
PROG="$PWD/${PROGS:-build/progs}/demo_hello-musl"

# normalize FILE: scratch paths back to what the golden files say.
normalize() {
	sed -e "s|$PROG|@PROG@|g" -e "s|$FIX|@WORK@|g" -e "s|$COPY|$G|g" "$1"
}

# check_case KIND NAME: run `vmlet check` on the filled-in copy and compare.
check_case() {
	local kind=$1 name=$2 src="$G/$1/$2.json" copy="$COPY/$1/$2.json" want got stream rc_want
	sed -e "s|@WORK@|$FIX|g" -e "s|@PROG@|$PROG|g" "$src" > "$copy"
	"$VMLET" check "$copy" > "$WORK/out" 2> "$WORK/err"
	rc=$?
	if [ "$kind" = valid ]; then want="$G/valid/$name.out"; stream="$WORK/out"; rc_want=0
	else want="$G/invalid/$name.err"; stream="$WORK/err"; rc_want=125; fi
	if [ -n "${UPDATE_GOLDEN:-}" ] && [ "$rc" = "$rc_want" ]; then normalize "$stream" > "$want"; fi
	if [ "$rc" != "$rc_want" ]; then
		fail "manifest/$kind/$name" "exit $rc, want $rc_want; stderr: $(head -c 300 "$WORK/err")"; return
	fi
	if [ "$kind" = valid ] && [ -s "$WORK/err" ]; then
		fail "manifest/$kind/$name" "unexpected stderr: $(head -c 300 "$WORK/err")"; return
	fi
	if [ "$kind" = invalid ] && [ -s "$WORK/out" ]; then
		fail "manifest/$kind/$name" "unexpected stdout: $(head -c 300 "$WORK/out")"; return
	fi
	if [ "$kind" = invalid ] && [ "$(wc -l < "$WORK/err")" != 1 ]; then
		fail "manifest/$kind/$name" "error is not one line: $(head -c 300 "$WORK/err")"; return
	fi
	if [ ! -f "$want" ]; then fail "manifest/$kind/$name" "no golden file $want"; return; fi
	got=$(normalize "$stream")
	if [ "$got" != "$(cat "$want")" ]; then
		fail "manifest/$kind/$name" "output differs from $want: $(diff <(echo "$got") "$want" | head -c 400)"; return
	fi
	pass "manifest/$kind/$name"
}

needs_socket() { grep -q '"socket"' "$1"; }

for kind in valid invalid; do
	for f in "$G/$kind"/*.json; do
		name=$(basename "$f" .json)
		if needs_socket "$f" && [ -z "$have_socket" ] && grep -q '@WORK@/service.sock' "$f"; then
			skip "manifest/$kind/$name" "cannot create a UNIX socket file (python3 missing)"; continue
		fi
		check_case "$kind" "$name"
	done
done

# Every golden file has its manifest (a stale .out/.err is a test that no longer runs).
stale=
for f in "$G"/valid/*.out "$G"/invalid/*.err; do
	[ -f "${f%.*}.json" ] || stale="$stale $f"
done
if [ -z "$stale" ]; then pass "manifest/no-stale-golden-files"; else fail "manifest/no-stale-golden-files" "$stale"; fi

# --- the command line of `vmlet check`
expect_err "manifest/check-no-argument-125" 125 "vmlet: usage: vmlet check MANIFEST" -- check
expect_err "manifest/check-two-arguments-125" 125 "vmlet: usage: vmlet check MANIFEST" -- check a.json b.json
expect_err "manifest/check-option-125" 125 "vmlet: usage: vmlet check MANIFEST" -- check --verbose
expect_err "manifest/check-missing-manifest-125" 125 "vmlet: $WORK/none.json: No such file or directory" -- check "$WORK/none.json"
expect_err "manifest/check-directory-125" 125 "vmlet: $G: Is a directory" -- check "$G"
run_vm "$WORK/out" "$WORK/err" /dev/null check --help
if [ "$rc" = 0 ] && grep -q '^usage: vmlet check MANIFEST' "$WORK/out"; then pass "manifest/check-help-0"
else fail "manifest/check-help-0" "exit $rc; stdout: $(head -c 200 "$WORK/out")"; fi
run_vm "$WORK/out" "$WORK/err" /dev/null --help
if grep -q 'vmlet check MANIFEST' "$WORK/out"; then pass "manifest/usage-mentions-check"
else fail "manifest/usage-mentions-check" "vmlet --help does not mention check"; fi

# --- permission bits, which bind only users other than root: as root, check as nobody.
PERM=$(mktemp -d); chmod 755 "$PERM"
printf '{"program": "%s/prog", "channels": [{"guest": "/in", "host": "%s/secret"}]}\n' "$PERM" "$PERM" > "$PERM/job.json"
printf '#!/bin/sh\n' > "$PERM/prog"; chmod 755 "$PERM/prog"
echo secret > "$PERM/secret"; chmod 000 "$PERM/secret"
chmod 644 "$PERM/job.json"
want="vmlet: $PERM/job.json: channels[0] (/in): host $PERM/secret: Permission denied (mode read needs read permission)"
as_user=()
if [ "$(id -u)" = 0 ]; then
	command -v setpriv > /dev/null && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
if [ "$(id -u)" = 0 ] && [ ${#as_user[@]} = 0 ]; then
	skip "manifest/unreadable-host-as-nobody" "running as root and setpriv is missing"
elif ! "${as_user[@]}" test -x "$VMLET"; then
	skip "manifest/unreadable-host-as-nobody" "$VMLET is not reachable by an unprivileged user"
else
	"${as_user[@]}" "$VMLET" check "$PERM/job.json" > "$WORK/out" 2> "$WORK/err"; rc=$?
	if [ "$rc" = 125 ] && [ "$(cat "$WORK/err")" = "$want" ]; then pass "manifest/unreadable-host-as-nobody"
	else fail "manifest/unreadable-host-as-nobody" "exit $rc; stderr '$(head -c 300 "$WORK/err")', want '$want'"; fi
fi
rm -rf "$PERM"
