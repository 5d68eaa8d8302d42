#!/bin/bash
# test_channels.sh - end to end: channels (file, directory, FIFO, char device, UNIX socket),
# host-enforced quotas (EDQUOT), transactional outputs (commit, exit, fault, timeout, quota,
# SIGTERM/SIGINT, SIGKILL + gc), determinism (epoch, seed) and the JSON report (--report,
# --manifest). The guest is tests/progs/chan.c (musl and glibc builds). Run from the
# repository root; every check prints "ok NAME", "FAIL NAME: why" or "skip NAME: why".
_own_work=; [ -z "${WORK:-}" ] && _own_work=1
. "$(dirname "$0")/lib.sh"

T="$WORK/channels"
rm -rf "$T"; mkdir -p "$T"
BG_PIDS=
cleanup() {
	local p
	for p in $BG_PIDS; do kill -KILL "$p" 2> /dev/null; done
	[ -n "$_own_work" ] && rm -rf "$WORK"
}
trap cleanup EXIT

HAVE_PY=; command -v "$PY" > /dev/null 2>&1 && HAVE_PY=1
NO_PY="python3 is not installed (needed to parse the JSON report / serve a UNIX socket)"

# --- helpers ------------------------------------------------------------------------------
# A check gathers what is wrong in $why through want_* calls; verdict NAME then calls
# pass or fail exactly once and starts the next check.
why=
need() { why="${why:+$why; }$*"; }
verdict() { if [ -z "$why" ]; then pass "$1"; else fail "$1" "$why"; fi; why=; }
# verdict_vm NAME: verdict for a check that only inspects what earlier runs left (skipped without a VM).
verdict_vm() { if skip_without_vm "$1"; then why=; else verdict "$1"; fi; }

# vm ARGS...: `vmlet run ARGS` with stdin from $STDIN (default /dev/null); stdout and stderr
# into $T/out and $T/err; sets $rc.
vm() {
	{ "$VMLET" run "$@" < "${STDIN:-/dev/null}" > "$T/out" 2> "$T/err"; } 2> /dev/null # no "Segmentation fault" from bash
	rc=$?
	[ "$rc" -ge 128 ] && [ "$rc" != 124 ] && [ ! -s "$T/err" ] && echo "(vmlet itself died of signal $((rc - 128)))" > "$T/err"
}
errtext() { head -c 300 "$T/err" | tr '\n' '|'; }
want_rc() { [ "$rc" = "$1" ] || need "exit $rc, want $1 (stderr: $(errtext))"; }
# want_out TEXT: stdout is exactly TEXT (trailing newlines aside).
want_out() { [ "$(cat "$T/out")" = "$1" ] || need "stdout '$(head -c 300 "$T/out" | tr '\n' '|')', want '$1'"; }
# want_err LINE: stderr has this exact line.
want_err() { grep -qxF -- "$1" "$T/err" || need "stderr lacks the line '$1' (stderr: $(errtext))"; }
# want_err_only LINE: stderr is exactly this one line.
want_err_only() { [ "$(cat "$T/err")" = "$1" ] || need "stderr '$(errtext)', want exactly '$1'"; }
# want_bytes FILE PRINTF-FORMAT: FILE holds exactly these bytes.
want_bytes() {
	if [ ! -f "$1" ]; then need "$1 does not exist, want '$2'"; return; fi
	# shellcheck disable=SC2059
	cmp -s "$1" <(printf "$2") || need "$(basename "$1") holds '$(head -c 100 "$1" | tr '\n' '|')', want '$2'"
}
want_absent() { [ ! -e "$1" ] || need "$(basename "$1") exists, should not"; }
temps() { ls -A "$1" | grep -E '^\..*\.vmlet-[0-9]+-[0-9]+\.tmp$'; }
want_no_temp() { local t; t=$(temps "$1"); [ -z "$t" ] || need "temporary file left: $(echo $t)"; }
ms_now() { echo $(( $(date +%s%N) / 1000000 )); }

# rep FILE EXPR: evaluate a Python expression over the JSON report found in FILE (the first
# JSON object with a "state" field, wherever it starts: stderr holds other lines too).
# r is the report, ch maps guest path -> channel object. Prints NO-REPORT if there is none.
rep() {
	"$PY" - "$1" "$2" << 'EOF'
import json, sys
t = open(sys.argv[1], errors="replace").read()
dec, r, i = json.JSONDecoder(), None, t.find("{")
while i >= 0:
    try:
        o, _ = dec.raw_decode(t, i)
        if isinstance(o, dict) and "state" in o:
            r = o
            break
    except ValueError:
        pass
    i = t.find("{", i + 1)
if r is None:
    print("NO-REPORT")
else:
    print(eval(sys.argv[2], {"r": r, "ch": {c.get("guest"): c for c in r.get("channels", [])}}))
EOF
}
# want_rep FILE EXPR VALUE: the expression over the report in FILE prints VALUE.
want_rep() {
	local got
	got=$(rep "$1" "$2" 2>&1)
	[ "$got" = "$3" ] || need "report: $2 is '$(echo "$got" | head -c 200 | tr '\n' '|')', want '$3'"
}
sha() { sha256sum "$1" | cut -d' ' -f1; }

# Fixtures
IN="$T/in.txt";      printf 'input-data\n' > "$IN"
H100="$T/h100.txt";  head -c 100 /dev/zero | tr '\0' a > "$H100"
D="$T/tree";         mkdir -p "$D/sub"; printf 'one\n' > "$D/a"; printf 'two\n' > "$D/sub/b"
printf 'other\n' > "$T/other.txt"
O="$T/odir";         mkdir -p "$O"      # output directory: targets and their temporaries
TG="$O/target.txt"
old() { printf 'old\n' > "$TG"; }

for libc in musl glibc; do
	P="$PROGS/chan-$libc"
	n="channels/$libc"
	if [ ! -x "$P" ]; then
		fail "$n/build" "$P missing (run make progs)"
		continue
	fi

	# --- transactional outputs ----------------------------------------------------------
	old; vm --channel "/in:$IN" --channel "/out:$TG:mode=write" "$P" copy /in /out
	want_rc 0; want_bytes "$TG" 'input-data\n'; want_no_temp "$O"
	verdict "$n/commit-on-success"

	old; vm --channel "/out:$TG:mode=write" "$P" write /out new 1
	want_rc 1; want_bytes "$TG" 'old\n'; want_no_temp "$O"
	verdict "$n/exit-1-target-untouched"

	rm -f "$O/fresh.txt"; vm --channel "/out:$O/fresh.txt:mode=write" "$P" write /out new 1
	want_rc 1; want_absent "$O/fresh.txt"; want_no_temp "$O"
	verdict "$n/exit-1-new-target-not-created"

	rm -f "$O/fresh.txt"; vm --channel "/out:$O/fresh.txt:mode=write" "$P" write /out new
	want_rc 0; want_bytes "$O/fresh.txt" 'new'; want_no_temp "$O"
	verdict "$n/new-target-created-on-success"

	old; vm --channel "/out:$TG:mode=write" "$P" halfcrash /out
	want_rc 139; want_bytes "$TG" 'old\n'; want_no_temp "$O"
	verdict "$n/fault-after-half-output-139-untouched"

	old; vm --timeout 500ms --channel "/out:$TG:mode=write" "$P" spin /out
	want_rc 124; want_bytes "$TG" 'old\n'; want_no_temp "$O"
	verdict "$n/timeout-124-untouched"

	old; vm --channel "/out:$TG:mode=write,write-bytes=25" "$P" writen /out 100 10
	want_rc 0; want_err "calls=3 bytes=25 end=EDQUOT"; want_bytes "$TG" 'old\n'; want_no_temp "$O"
	verdict "$n/quota-stop-untouched"

	old; vm --commit always --channel "/out:$TG:mode=write" "$P" write /out kept 1
	want_rc 1; want_bytes "$TG" 'kept'; want_no_temp "$O"
	verdict "$n/commit-always-exit-1-kept"

	old; vm --commit always --channel "/out:$TG:mode=write" "$P" halfcrash /out
	want_rc 139; want_bytes "$TG" 'AAAAAAAA'; want_no_temp "$O"
	verdict "$n/commit-always-fault-kept"

	old; vm --commit always --channel "/out:$TG:mode=write,write-bytes=25" "$P" writen /out 100 10
	want_err "calls=3 bytes=25 end=EDQUOT"; want_bytes "$TG" 'xxxxxxxxxxxxxxxxxxxxxxxxx'; want_no_temp "$O"
	verdict "$n/commit-always-quota-kept"

	old; chmod 600 "$TG"; vm --channel "/out:$TG:mode=write" "$P" write /out new
	want_rc 0; want_bytes "$TG" 'new'
	[ "$(stat -c %a "$TG")" = 600 ] || need "mode $(stat -c %a "$TG") after commit, want 600 (the target's)"
	verdict "$n/commit-keeps-target-permissions"
	chmod 644 "$TG"

	# --- modes and access ---------------------------------------------------------------
	old; vm --channel "/out:$TG:mode=append" "$P" append /out new
	want_rc 0; want_bytes "$TG" 'old\nnew'; want_no_temp "$O"
	verdict "$n/append-keeps-old-content"

	old; vm --channel "/out:$TG:mode=append" "$P" append /out more; vm --channel "/out:$TG:mode=append" "$P" write /out x 1
	want_rc 1; want_bytes "$TG" 'old\nmore'; want_no_temp "$O"
	verdict "$n/append-exit-1-untouched"

	printf 'abcdefgh' > "$O/rw.txt"; vm --channel "/f:$O/rw.txt:mode=rw" "$P" rw /f
	want_rc 0; want_out "read: abcde"; want_bytes "$O/rw.txt" 'HELLOfgh+tail'; want_no_temp "$O"
	verdict "$n/read-write-mode"

	printf 'abcdefgh' > "$O/rw.txt"; vm --channel "/f:$O/rw.txt" "$P" pread /f
	want_rc 0; want_out "pread ok: cdef"
	verdict "$n/random-access-pread"
	vm --channel "/f:$O/rw.txt:access=sequential" "$P" pread /f
	want_rc 0; want_out "pread ESPIPE"
	verdict "$n/sequential-pread-ESPIPE"

	# --- committing (issue 8; the commit logic itself is unit-tested in tests/unit/test_commit.c) ---
	# fstat and SEEK_END see what the program wrote (the guest kernel refreshes a written
	# file's size), and another fd of the same channel reads the new bytes.
	printf 'abc' > "$O/grow.txt"; vm --channel "/f:$O/grow.txt:mode=rw" "$P" grow /f
	want_rc 0; want_out "size=13 end=13 size=17 other=17 reread=XYZ"
	want_bytes "$O/grow.txt" 'XYZ0123456789+end'; want_no_temp "$O"
	verdict "$n/written-size-is-current"

	# A commit that fails (the target made immutable during the run) fails the run: 125,
	# one line naming the target and the error, report state "error", target and directory clean.
	old
	if chattr +i "$TG" 2> /dev/null && chattr -i "$TG"; then
		"$VMLET" run --report "$T/rep.json" --channel "/in:$IN" --channel "/out:$TG:mode=write" \
			"$P" det /in /out < /dev/null > "$T/out" 2> "$T/err" & bgc=$!
		sleep 0.4; chattr +i "$TG"; wait "$bgc"; rc=$?; chattr -i "$TG"
		want_rc 125; want_err_only "vmlet: committing $TG: Operation not permitted"
		want_bytes "$TG" 'old\n'; want_no_temp "$O"
		[ -z "$HAVE_PY" ] || want_rep "$T/rep.json" 'r["state"]' "error"
		verdict "$n/failed-commit-fails-the-run"
	else
		skip "$n/failed-commit-fails-the-run" "no chattr +i on this file system"
	fi

	# Concurrent appends: each run's lines are added at the end, none is lost.
	printf 'first\n' > "$O/log.txt"; pids=
	for i in 1 2 3 4 5 6 7 8; do
		"$VMLET" run --channel "/log:$O/log.txt:mode=append" "$P" append /log \
			"$(for j in $(seq 40); do echo "run $i line $j"; done)
" < /dev/null > /dev/null 2>&1 & pids="$pids $!"
	done
	for p in $pids; do wait "$p" || need "a run failed"; done
	[ "$(wc -l < "$O/log.txt")" = 321 ] || need "log has $(wc -l < "$O/log.txt") lines, want 321"
	want_no_temp "$O"
	verdict "$n/concurrent-appends-all-kept"

	# Links to a written target are followed, given absolute or relative: the file is updated, the link stays.
	mkdir -p "$O/real"; printf 'old\n' > "$O/real/t.txt"; ln -sfn real/t.txt "$O/link.txt"
	vm --channel "/out:$O/link.txt:mode=write" "$P" write /out abs
	want_rc 0; want_bytes "$O/real/t.txt" 'abs'; [ -L "$O/link.txt" ] || need "the link was replaced"
	vmlet_abs=$(realpath "$VMLET") p_abs=$(realpath "$P")
	(cd "$O" && "$vmlet_abs" run --channel "/out:link.txt:mode=write" "$p_abs" write /out rel < /dev/null > /dev/null 2>&1)
	want_bytes "$O/real/t.txt" 'rel'; [ -L "$O/link.txt" ] || need "the link was replaced"
	want_no_temp "$O"; want_no_temp "$O/real"
	verdict "$n/symlinked-target-followed"

	# --user: a root-owned 0444 target in a directory the user may write is not replaced.
	if [ "$(id -u)" = 0 ] && id nobody > /dev/null 2>&1; then
		PUB=$(mktemp -d /tmp/vmlet-pub-XXXXXX); chmod 777 "$PUB"; printf 'old\n' > "$PUB/ro.txt"; chmod 444 "$PUB/ro.txt"
		vm --user nobody --channel "/out:$PUB/ro.txt:mode=write" "$P" write /out new
		want_rc 125; grep -q "^vmlet: channel /out: $PUB/ro.txt: not writable: Permission denied$" "$T/err" || need "stderr '$(errtext)'"
		want_bytes "$PUB/ro.txt" 'old\n'; want_no_temp "$PUB"
		rm -rf "$PUB"
		verdict "$n/user-read-only-target-refused"
	else
		skip "$n/user-read-only-target-refused" "needs root and a 'nobody' user"
	fi

	# --- read quotas (reads of 10 bytes from a 100-byte file) -----------------------------
	vm --channel "/in:$H100:reads=3" "$P" readall /in 10
	want_rc 0; want_out "calls=3 bytes=30 end=EDQUOT"; want_err "vmlet: quota ran out on /in (reads)"
	verdict "$n/quota-reads"

	vm --channel "/in:$H100:read-bytes=25" "$P" readall /in 10
	want_rc 0; want_out "calls=3 bytes=25 end=EDQUOT"; want_err "vmlet: quota ran out on /in (read bytes)"
	verdict "$n/quota-read-bytes"

	# A directory channel's quotas count the guest's own calls too (no read-ahead).
	vm --channel "/d:$T:type=dir,reads=3" "$P" readall /d/h100.txt 10
	want_rc 0; want_out "calls=3 bytes=30 end=EDQUOT"; want_err "vmlet: quota ran out on /d (reads)"
	verdict "$n/dir-channel-quota-reads"

	vm --channel "/d:$T:type=dir,read-bytes=25" "$P" readall /d/h100.txt 10
	want_rc 0; want_out "calls=3 bytes=25 end=EDQUOT"; want_err "vmlet: quota ran out on /d (read bytes)"
	verdict "$n/dir-channel-quota-read-bytes"

	vm --channel "/in:$H100:read-bytes=100" "$P" readall /in 10
	want_rc 0; want_out "calls=10 bytes=100 end=EOF"; grep -q quota "$T/err" && need "quota reported: $(errtext)"
	verdict "$n/quota-read-bytes-exactly-enough"

	vm --channel "/in:$H100:reads=10" "$P" readall /in 10
	want_rc 0; want_out "calls=10 bytes=100 end=EOF"; grep -q quota "$T/err" && need "quota reported: $(errtext)"
	verdict "$n/quota-reads-exactly-enough"

	STDIN=$H100 vm --channel "/dev/stdin:-:read-bytes=25" "$P" readall - 10
	want_rc 0; want_out "calls=3 bytes=25 end=EDQUOT"; want_err "vmlet: quota ran out on stdin (read bytes)"
	verdict "$n/quota-stdin-read-bytes"

	# --- write quotas ---------------------------------------------------------------------
	old; vm --channel "/out:$TG:mode=write,writes=2" "$P" writen /out 100 7
	want_err "calls=2 bytes=14 end=EDQUOT"; want_err "vmlet: quota ran out on /out (writes)"
	want_bytes "$TG" 'old\n'; want_no_temp "$O"
	verdict "$n/quota-writes"

	old; vm --channel "/out:$TG:mode=write,write-bytes=25" "$P" writen /out 100 10
	want_err "calls=3 bytes=25 end=EDQUOT"; want_err "vmlet: quota ran out on /out (write bytes)"
	verdict "$n/quota-write-bytes"

	old; vm --channel "/out:$TG:mode=write,write-bytes=20,writes=1" "$P" writen /out 20
	want_rc 0; want_err_only "calls=1 bytes=20 end=ok"; want_bytes "$TG" 'xxxxxxxxxxxxxxxxxxxx'; want_no_temp "$O"
	verdict "$n/quota-write-exactly-the-limit-commits"

	vm --channel /dev/stdout:-:write-bytes=10 "$P" writen - 100 7
	want_out "xxxxxxxxxx"; want_err "calls=2 bytes=10 end=EDQUOT"; want_err "vmlet: quota ran out on stdout (write bytes)"
	verdict "$n/quota-stdout-write-bytes"

	vm --channel /dev/stdout:-:writes=2 "$P" writen - 100 7
	want_out "xxxxxxxxxxxxxx"; want_err "calls=2 bytes=14 end=EDQUOT"; want_err "vmlet: quota ran out on stdout (writes)"
	verdict "$n/quota-stdout-writes"

	# --- only what is declared ------------------------------------------------------------
	vm --channel "/in:$IN" "$P" open /etc/passwd
	want_rc 0; want_out "open ENOENT"
	verdict "$n/undeclared-host-path-ENOENT"
	vm --channel "/in:$IN" "$P" open /in2
	want_rc 0; want_out "open ENOENT"
	verdict "$n/undeclared-sibling-ENOENT"
	vm --channel "/in:$IN" "$P" open "$(realpath "$P")"
	want_rc 0; want_out "open ENOENT"
	verdict "$n/program-file-itself-ENOENT"
	vm --channel "/in:$IN" "$P" open in/../nothing
	want_rc 0; want_out "open ENOENT"
	verdict "$n/undeclared-relative-path-ENOENT"
	vm --channel "/in:$IN" "$P" cat in   # the guest's working directory is /
	want_rc 0; want_out "input-data"
	verdict "$n/channel-by-relative-path"
	vm --channel "/in:$IN" "$P" open /newfile c
	want_rc 0; want_out "open ENOENT"; want_absent /newfile
	verdict "$n/undeclared-create-ENOENT"

	# --- host resources checked before the run --------------------------------------------
	vm --channel "/in:$T/missing.txt" "$P" write - ran
	want_rc 125; want_out ""
	[ "$(wc -l < "$T/err")" = 1 ] && grep -q '^vmlet: .*missing.txt' "$T/err" || need "want one line 'vmlet: ...missing.txt...', got '$(errtext)'"
	verdict "$n/missing-read-host-125"

	vm --channel "/out:$T/nodir/x.txt:mode=write" "$P" write - ran
	want_rc 125; want_out ""; want_absent "$T/nodir"
	[ "$(wc -l < "$T/err")" = 1 ] && grep -q '^vmlet: .*nodir' "$T/err" || need "want one line 'vmlet: ...nodir...', got '$(errtext)'"
	verdict "$n/write-in-missing-directory-125"

	vm --channel "/p:$IN:type=fifo" "$P" write - ran
	want_rc 125; want_out ""
	[ "$(wc -l < "$T/err")" = 1 ] && grep -q '^vmlet: ' "$T/err" || need "want one 'vmlet: ' line, got '$(errtext)'"
	verdict "$n/wrong-type-125"

	# --- character devices, directories ---------------------------------------------------
	vm --report - --channel /n:/dev/null:type=chardev,mode=write "$P" writen /n 1000 100
	want_rc 0; want_err "calls=10 bytes=1000 end=ok"
	if [ -n "$HAVE_PY" ]; then want_rep "$T/err" 'ch["/n"]["write_bytes"], ch["/n"]["writes"]' "(1000, 10)"; fi
	verdict "$n/chardev-dev-null-write"

	vm --channel /z:/dev/zero:type=chardev "$P" zero /z 10000
	want_rc 0; want_out "zero ok 10000"
	verdict "$n/chardev-dev-zero-read"

	vm --channel "/data:$D:type=dir" "$P" ls /data
	want_rc 0; want_out "a
sub"
	verdict "$n/dir-channel-ls"
	vm --channel "/data:$D" "$P" ls /data/sub
	want_rc 0; want_out "b"
	verdict "$n/dir-channel-auto-type-ls-subdir"
	vm --channel "/data:$D:type=dir" "$P" cat /data/sub/b
	want_rc 0; want_out "two"
	verdict "$n/dir-channel-read-file"
	vm --channel "/data:$D:type=dir" "$P" open /data/new c
	want_rc 0; want_out "open EROFS"; want_absent "$D/new"
	verdict "$n/dir-channel-read-only"
	vm --channel "/data:$D:type=dir" --channel "/data/a:$T/other.txt" "$P" cat /data/a
	want_rc 0; want_out "other"
	verdict "$n/file-channel-inside-dir-channel"

	# --- report states ----------------------------------------------------------------------
	if [ -z "$HAVE_PY" ]; then
		for s in ok exit signal timeout quota digests; do skip "$n/report-$s" "$NO_PY"; done
	else
		vm --report - "$P" write - hi
		want_rc 0; want_rep "$T/err" 'r["state"], r["exit_code"], r["signal"]' "('ok', 0, None)"
		verdict "$n/report-ok"
		vm --report - "$P" write - hi 3
		want_rc 3; want_rep "$T/err" 'r["state"], r["exit_code"], r["signal"]' "('exit', 3, None)"
		verdict "$n/report-exit"
		old; vm --report - --channel "/out:$TG:mode=write" "$P" halfcrash /out
		want_rc 139; want_rep "$T/err" 'r["state"], r["exit_code"], r["signal"]' "('signal', None, 11)"
		want_rep "$T/err" 'ch["/out"]["write_bytes"]' 8
		verdict "$n/report-signal"
		vm --report - --timeout 300ms --channel "/out:$TG:mode=write" "$P" spin /out
		want_rc 124; want_rep "$T/err" 'r["state"], r["exit_code"]' "('timeout', None)"
		verdict "$n/report-timeout"
		vm --report - --channel "/out:$TG:mode=write,write-bytes=25" "$P" writen /out 100 10
		want_err "vmlet: quota ran out on /out (write bytes)"
		want_rep "$T/err" 'r["state"], r["exit_code"], ch["/out"]["quotas"], ch["/out"]["write_bytes"]' "('quota', 0, ['write_bytes'], 25)"
		verdict "$n/report-quota"
		vm --report - --channel "/in:$IN" --channel "/out:$TG:mode=write" "$P" copy /in /out
		want_rc 0
		want_rep "$T/err" 'ch["/in"]["read_sha256"], ch["/in"]["read_bytes"]' "('$(sha "$IN")', 11)"
		want_rep "$T/err" 'ch["/out"]["write_sha256"], ch["/out"]["write_bytes"]' "('$(sha "$TG")', 11)"
		want_rep "$T/err" '[c["guest"] for c in r["channels"]]' "['/dev/stdin', '/dev/stdout', '/dev/stderr', '/in', '/out']"
		verdict "$n/report-digests"
	fi
done

P="$PROGS/chan-musl"
n=channels
if [ ! -x "$P" ]; then
	fail "$n/build" "$P missing (run make progs)"
	exit 0
fi

# --- signals to vmlet -----------------------------------------------------------------------
# start_hold PROG [VMLET OPTIONS...]: vmlet runs `PROG hold /out` on $TG in the background
# ($bg), and we wait until the guest has written (it prints "ready"). Sets $ready.
# A background job starts with SIGINT and SIGQUIT ignored, which vmlet keeps: give it the defaults.
start_hold() {
	local prog=$1 i; shift
	env --default-signal=INT,QUIT "$VMLET" run --timeout 10s "$@" --channel "/out:$TG:mode=write" "$prog" hold /out < /dev/null > "$T/bg.out" 2> "$T/bg.err" &
	bg=$!; BG_PIDS="$BG_PIDS $bg"; ready=
	for i in $(seq 250); do
		grep -q ready "$T/bg.out" && { ready=1; break; }
		kill -0 "$bg" 2> /dev/null || break
		sleep 0.02
	done
	[ -n "$ready" ] || need "the guest never printed ready (stderr: $(head -c 200 "$T/bg.err"))"
}

# Every terminating signal vmlet can catch cleans up as SIGTERM does.
for sig in TERM INT HUP QUIT USR1 USR2 ALRM XCPU VTALRM PROF IO PWR STKFLT RTMIN+3 RTMAX; do
	num=$(kill -l "$sig")
	old; start_hold "$P"
	[ -n "$(temps "$O")" ] || need "no temporary file while the run writes"
	kill -"$sig" "$bg"; wait "$bg"; rc=$?
	[ "$rc" = $((128 + num)) ] || need "exit $rc, want $((128 + num)) (stderr: $(head -c 200 "$T/bg.err"))"
	grep -qxF "vmlet: terminated by signal $num; outputs not kept" "$T/bg.err" || need "stderr '$(head -c 200 "$T/bg.err")'"
	want_bytes "$TG" 'old\n'; want_no_temp "$O"
	verdict "$n/SIG$sig-$((128 + num))-untouched-no-temp"
done

old; start_hold "$P" --commit always
kill -TERM "$bg"; wait "$bg"; rc=$?
[ "$rc" = 143 ] || need "exit $rc, want 143"
want_bytes "$TG" 'old\n'; want_no_temp "$O"
verdict "$n/SIGTERM-with-commit-always-untouched"

# SIGKILL: the temporary stays; a live run's temporary is not garbage; `vmlet gc` removes it;
# a run writing another target leaves it alone.
old; start_hold "$P"
"$VMLET" gc "$O" > "$T/gc.out" 2>&1; gcrc=$?
[ "$gcrc" = 0 ] && [ "$(cat "$T/gc.out")" = "$O: removed 0 stale files" ] || need "gc during a live run: exit $gcrc, '$(cat "$T/gc.out")', want '$O: removed 0 stale files'"
[ -n "$(temps "$O")" ] || need "gc removed the temporary file of a live run"
verdict "$n/gc-spares-live-run"
kill -KILL "$bg"; { wait "$bg"; } 2> /dev/null
left=$(temps "$O")
[ -n "$left" ] || need "no temporary file left after SIGKILL"
want_bytes "$TG" 'old\n'
verdict_vm "$n/SIGKILL-leaves-temp-target-untouched"
vm --channel "/out:$O/another.txt:mode=write" "$P" write /out another
want_rc 0; [ "$(temps "$O")" = "$left" ] || need "temporaries '$(temps "$O" | tr '\n' ' ')', want '$left' (a run on another target must not touch it)"
verdict "$n/other-target-run-keeps-stale-temp"
"$VMLET" gc "$O" > "$T/gc.out" 2>&1; gcrc=$?
[ "$gcrc" = 0 ] && [ "$(cat "$T/gc.out")" = "$O: removed 1 stale file" ] || need "gc: exit $gcrc, '$(cat "$T/gc.out")', want '$O: removed 1 stale file'"
want_no_temp "$O"; want_bytes "$TG" 'old\n'
verdict_vm "$n/gc-removes-stale-temp"

"$VMLET" gc "$T/nonexistent" > "$T/gc.out" 2>&1; gcrc=$?
[ "$gcrc" = 125 ] && [ "$(cat "$T/gc.out")" = "vmlet: gc $T/nonexistent: No such file or directory" ] || need "exit $gcrc, '$(cat "$T/gc.out")'"
verdict "$n/gc-missing-directory-125"

old; start_hold "$P"
kill -KILL "$bg"; { wait "$bg"; } 2> /dev/null
[ -n "$(temps "$O")" ] || need "no temporary file left after SIGKILL"
vm --channel "/out:$TG:mode=write" "$P" write /out next
want_rc 0; want_bytes "$TG" 'next'; want_no_temp "$O"
verdict "$n/next-run-on-target-removes-stale-temp"

# --- FIFOs ----------------------------------------------------------------------------------
# Host-side peers get 30 s: under load (QEMU guests side by side) vmlet may take seconds to start;
# they end as soon as the run opens and closes its end.
FF="$T/fifo"; mkfifo "$FF"
( sleep 0.3; timeout 30 sh -c "printf 'fifo data\n' > '$FF'" ) & hp=$!; BG_PIDS="$BG_PIDS $hp"
vm --timeout 5s --channel "/p:$FF:type=fifo" "$P" cat /p
wait "$hp"
want_rc 0; want_out "fifo data"
verdict "$n/fifo-reader-writer-comes-later"

timeout 30 sh -c "printf 'early\n' > '$FF'" & hp=$!; BG_PIDS="$BG_PIDS $hp"; sleep 0.1
vm --timeout 5s --channel "/p:$FF:type=fifo" "$P" cat /p
wait "$hp"
want_rc 0; want_out "early"
verdict "$n/fifo-reader-writer-waiting-first"

t0=$(ms_now); vm --timeout 1s --channel "/p:$FF:type=fifo" "$P" cat /p; t1=$(ms_now)
want_rc 124; [ $((t1 - t0)) -lt 4000 ] || need "took $((t1 - t0)) ms"
verdict "$n/fifo-nobody-writes-timeout-124"

timeout 30 cat "$FF" > "$T/fifo.got" & hp=$!; BG_PIDS="$BG_PIDS $hp"; sleep 0.1
vm --timeout 5s --channel "/p:$FF:type=fifo,mode=write" "$P" write /p hi-fifo
wait "$hp"; hrc=$?
want_rc 0; want_bytes "$T/fifo.got" 'hi-fifo'; [ "$hrc" = 0 ] || need "host reader exit $hrc"
verdict "$n/fifo-writer-to-host-reader"

t0=$(ms_now); vm --timeout 3s --channel "/p:$FF:type=fifo,mode=write" "$P" write /p nobody-reads; t1=$(ms_now)
want_rc 0; [ $((t1 - t0)) -lt 2000 ] || need "took $((t1 - t0)) ms"
verdict "$n/fifo-writer-without-reader-does-not-block"

# --- UNIX socket ----------------------------------------------------------------------------
SK="$T/echo.sock"
if [ -z "$HAVE_PY" ]; then
	skip "$n/socket-round-trip" "$NO_PY"
	skip "$n/socket-no-listener-125" "$NO_PY"
else
	"$PY" - "$SK" << 'EOF' & hp=$!
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1); s.settimeout(10)
c, _ = s.accept(); c.settimeout(10)
c.sendall(b"echo:" + c.recv(4096))
c.close(); s.close()
EOF
	BG_PIDS="$BG_PIDS $hp"
	for _ in $(seq 100); do [ -S "$SK" ] && break; sleep 0.05; done
	vm --timeout 5s --channel "/s:$SK:type=socket,mode=rw" "$P" sock /s hello
	wait "$hp"
	want_rc 0; want_out "reply: echo:hello"
	verdict "$n/socket-round-trip"
	# The socket file stays, nobody listens any more: connecting at create fails.
	vm --timeout 5s --channel "/s:$SK:type=socket,mode=rw" "$P" sock /s hello
	want_rc 125; want_out ""
	[ "$(wc -l < "$T/err")" = 1 ] && grep -q '^vmlet: ' "$T/err" || need "want one 'vmlet: ' line, got '$(errtext)'"
	verdict "$n/socket-no-listener-125"
fi

# --- determinism ----------------------------------------------------------------------------
SEED1=$(printf '%064d' 1); SEED2=$(printf '%064d' 2)
vm --deterministic --epoch 1700000000 "$P" now
want_rc 0; [ "$(cut -d' ' -f1 "$T/out")" = 1700000000 ] || need "realtime '$(cat "$T/out")', want 1700000000 first"
verdict "$n/deterministic-epoch"

t0=$(ms_now); vm --deterministic "$P" sleepclock 5; t1=$(ms_now)
want_rc 0; want_out "slept 5000 5000"; [ $((t1 - t0)) -lt 2000 ] || need "a 5 s sleep took $((t1 - t0)) ms of wall time"
verdict "$n/deterministic-sleep-instant-clock-advances"

vm --deterministic --seed "$SEED1" "$P" rand; r1=$(cat "$T/out")
vm --deterministic --seed "$SEED1" "$P" rand; r1b=$(cat "$T/out")
vm --deterministic --seed "$SEED2" "$P" rand; r2=$(cat "$T/out")
[ -n "$r1" ] && [ "$r1" = "$r1b" ] || need "same seed: '$r1' vs '$r1b'"
for f in 1 2 3; do
	[ "$(echo "$r1" | cut -d' ' -f$f)" != "$(echo "$r2" | cut -d' ' -f$f)" ] || need "field $f (AT_RANDOM, getrandom, /dev/urandom) same under seeds 1 and 2: '$r1'"
done
verdict "$n/seed-same-equal-different-differs"

vm "$P" rand; a=$(cat "$T/out"); vm "$P" rand; b=$(cat "$T/out")
[ -n "$a" ] && [ "$a" != "$b" ] || need "two runs without determinism gave '$a' and '$b'"
verdict "$n/nondeterministic-random-differs"

vm "$P" now; now=$(date +%s); g=$(cut -d' ' -f1 "$T/out")
want_rc 0; [ -n "$g" ] && [ $((g - now)) -le 3 ] && [ $((now - g)) -le 3 ] || need "guest realtime '$g', host $now"
verdict "$n/nondeterministic-clock-is-real"

t0=$(ms_now); vm "$P" sleepclock 0.2; t1=$(ms_now)
want_rc 0; [ $((t1 - t0)) -ge 200 ] || need "a 0.2 s sleep took $((t1 - t0)) ms of wall time"
verdict "$n/nondeterministic-sleep-is-real"

# The same manifest twice (musl and glibc), 1.1 s apart: byte-identical outputs and reports.
printf 'deterministic input\n' > "$T/det.in"
mk_manifest() { # mk_manifest PROG LIBC
	cat > "$T/det-$2.json" << EOF
{"version": 1, "program": "$1", "args": ["det", "/in", "/out"], "timeout": "10s",
 "channels": [{"guest": "/in", "host": "$T/det.in", "limits": {"reads": 10}},
              {"guest": "/out", "host": "$T/det-$2.out", "mode": "write"}],
 "deterministic": {"epoch": 1700000000, "seed": "$SEED1"},
 "report": "$T/det-$2.report"}
EOF
}
det_run() { # det_run LIBC N
	vm --manifest "$T/det-$1.json"
	det_rc[$2]=$rc; cp "$T/out" "$T/det-$1.stdout.$2"; cp "$T/err" "$T/det-$1.stderr.$2"
	cp "$T/det-$1.out" "$T/det-$1.file.$2" 2> /dev/null; cp "$T/det-$1.report" "$T/det-$1.report.$2" 2> /dev/null
}
declare -A det_rc
for libc in musl glibc; do
	[ -x "$PROGS/chan-$libc" ] && { mk_manifest "$PROGS/chan-$libc" "$libc"; det_run "$libc" "${libc}1"; }
done
sleep 1.1
for libc in musl glibc; do
	[ -x "$PROGS/chan-$libc" ] && det_run "$libc" "${libc}2"
done
for libc in musl glibc; do
	m="$n/$libc/manifest"
	if [ ! -x "$PROGS/chan-$libc" ]; then fail "$m-deterministic" "$PROGS/chan-$libc missing"; continue; fi
	# end to end: exit, the output file committed and equal to stdout, the report file written
	[ "${det_rc[${libc}1]}" = 0 ] || need "exit ${det_rc[${libc}1]} (stderr: $(head -c 200 "$T/det-$libc.stderr.${libc}1"))"
	[ -s "$T/det-$libc.stdout.${libc}1" ] && cmp -s "$T/det-$libc.stdout.${libc}1" "$T/det-$libc.file.${libc}1" || need "output file differs from stdout or is empty"
	grep -q '^clock 1700000000\.' "$T/det-$libc.stdout.${libc}1" || need "clock does not start at the epoch: $(head -c 200 "$T/det-$libc.stdout.${libc}1" | tr '\n' '|')"
	want_no_temp "$T"
	if [ -z "$HAVE_PY" ]; then
		[ -s "$T/det-$libc.report.${libc}1" ] || need "no report file"
	else
		want_rep "$T/det-$libc.report.${libc}1" 'r["state"], ch["/out"]["write_sha256"], ch["/in"]["read_sha256"]' \
			"('ok', '$(sha "$T/det-$libc.file.${libc}1")', '$(sha "$T/det.in")')"
	fi
	verdict "$m-end-to-end"
	skip_without_vm "$m-deterministic-stdout" && { skip "$m-deterministic-report" "needs a VM ($VMLET_TEST_NO_KVM)"; why=; continue; }
	cmp -s "$T/det-$libc.stdout.${libc}1" "$T/det-$libc.stdout.${libc}2" || need "stdout differs: $(diff "$T/det-$libc.stdout.${libc}1" "$T/det-$libc.stdout.${libc}2" | tr '\n' '|' | head -c 300)"
	cmp -s "$T/det-$libc.file.${libc}1" "$T/det-$libc.file.${libc}2" || need "output file differs"
	if [ -z "$HAVE_PY" ]; then
		verdict "$m-deterministic-stdout"
		skip "$m-deterministic-report" "$NO_PY"
		continue
	fi
	verdict "$m-deterministic-stdout"
	digest='[r["state"], r["exit_code"]] + [[c[k] for k in ("guest", "reads", "read_bytes", "writes", "write_bytes", "read_sha256", "write_sha256", "quotas")] for c in r["channels"]]'
	d1=$(rep "$T/det-$libc.report.${libc}1" "$digest" 2>&1); d2=$(rep "$T/det-$libc.report.${libc}2" "$digest" 2>&1)
	[ -n "$d1" ] && [ "$d1" != NO-REPORT ] && [ "$d1" = "$d2" ] || need "reports differ: '$(echo "$d1" | head -c 300)' vs '$(echo "$d2" | head -c 300)'"
	verdict "$m-deterministic-report"
done

# Output keeps the target's permission bits but never its setuid/setgid bits.
P="$PROGS/chan-musl"; n=channels
printf 'old\n' > "$T/suid.txt"; chmod 6755 "$T/suid.txt"
vm --channel "/out:$T/suid.txt:mode=write" "$P" write /out new
want_rc 0; want_bytes "$T/suid.txt" 'new'
[ "$(stat -c %a "$T/suid.txt")" = 755 ] || need "mode $(stat -c %a "$T/suid.txt"), want 755"
verdict "$n/output-drops-setuid-bits"

# Each written file is committed through its own directory fd: at most 64 per run.
args=(); for i in $(seq 1 65); do args+=(--channel "/o$i:$T/many-$i.txt:mode=write"); done
vm "${args[@]}" "$P" write /o1 x
want_rc 125; want_absent "$T/many-1.txt"
[ "$(wc -l < "$T/err")" = 1 ] && grep -q '^vmlet: at most 64 written file channels per run (65 declared)' "$T/err" || need "got '$(errtext)'"
verdict "$n/too-many-written-files-125"

# Opening a FIFO in a granted tree is refused without opening it: a writer waiting
# on it stays blocked (opening for reading would have released it).
mkdir -p "$T/gfifo"; rm -f "$T/gfifo/p"; mkfifo "$T/gfifo/p"
sh -c "echo released > '$T/gfifo/p'" & writer=$!; BG_PIDS="$BG_PIDS $writer"
vm --ro "$T/gfifo" "$PROGS/files-musl" open "$T/gfifo/p"
want_rc 0; want_out "open EACCES"
sleep 0.2; kill -0 "$writer" 2> /dev/null || need "the waiting writer was released"
kill "$writer" 2> /dev/null; wait "$writer" 2> /dev/null
verdict "$n/grant-fifo-not-opened"

# --user drops privileges before the guest runs, alone and with --repeat: a root-only
# file in a granted tree is readable without it and refused with it. (With --repeat each run
# resolves its grants as the user, so the tree sits where the user can reach it.) Run under a hard
# limit of 4096 open files, a login's usual: vmlet, once the user, may lower its limits, never raise them.
PRIV=$(mktemp -d /tmp/vmlet-priv-XXXXXX); chmod 755 "$PRIV"; echo secret > "$PRIV/s"; chmod 600 "$PRIV/s"
( [ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -gt 4096 ] && ulimit -n 4096
for mode in single repeat; do
	extra=; [ "$mode" = repeat ] && extra="--repeat 2"
	if [ "$(id -u)" != 0 ] || ! id nobody > /dev/null 2>&1; then
		skip "$n/user-drops-privileges-$mode" "needs root and a 'nobody' user"
		continue
	fi
	vm $extra --ro "$PRIV" "$PROGS/files-musl" open "$PRIV/s"
	want_rc 0; grep -q '^open ok: secret$' "$T/out" || need "as root: '$(head -c 100 "$T/out")'"
	vm $extra --user nobody --ro "$PRIV" "$PROGS/files-musl" open "$PRIV/s"
	want_rc 0; [ "$(grep -c '^open EACCES$' "$T/out")" = "$([ "$mode" = repeat ] && echo 2 || echo 1)" ] \
		|| need "as nobody: '$(head -c 100 "$T/out" | tr '\n' '|')'"
	verdict "$n/user-drops-privileges-$mode"
done )
rm -rf "$PRIV"

# A manifest whose input is missing: stopped before it starts.
cat > "$T/bad.json" << EOF
{"program": "$P", "args": ["cat", "/in"], "channels": [{"guest": "/in", "host": "$T/missing.txt"}]}
EOF
vm --manifest "$T/bad.json"
want_rc 125; want_out ""
[ "$(wc -l < "$T/err")" = 1 ] && grep -q '^vmlet: .*missing.txt' "$T/err" || need "want one line 'vmlet: ...missing.txt...', got '$(errtext)'"
verdict "$n/manifest-missing-input-125"
