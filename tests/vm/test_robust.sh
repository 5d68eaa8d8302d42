#!/bin/bash
# test_robust.sh - vmlet under hostile conditions of its own process: FIFOs and kernel files as program
# or report, closed stdio, signals, file-size limits, relative paths. Run from the repository root.
_own_work=; [ -z "${WORK:-}" ] && _own_work=1
. "$(dirname "$0")/lib.sh"
T="$WORK/robust"
BG=
cleanup() { local p; for p in $BG; do kill -KILL "$p" 2> /dev/null; done; [ -n "$_own_work" ] && rm -rf "$WORK"; }
trap cleanup EXIT
rm -rf "$T"; mkdir -p "$T"
# The binary itself (tests/run.sh may point VMLET at a wrapper): these checks look at its process.
VMLET_ABS=$(realpath "${VMLET_REAL:-$VMLET}")
HELLO=$(realpath "$PROGS/hello-musl" 2> /dev/null)
CHAN=$(realpath "$PROGS/chan-musl" 2> /dev/null)

why=
need() { why="${why:+$why; }$*"; }
verdict() { if [ -z "$why" ]; then pass "$1"; else fail "$1" "$why"; fi; why=; }
# A check that needs a VM: without /dev/kvm it is recorded as skipped, not failed.
verdict_vm() {
	if grep -q "/dev/kvm" "$T/err" 2> /dev/null; then skip "$1" "needs a VM (${VMLET_TEST_NO_KVM:-$(head -c 200 "$T/err")})"; why=; return; fi
	verdict "$1"
}
temps() { ls -A "$1" | grep -E '^\..*\.vmlet-[0-9]+-[0-9]+\.tmp$'; }

# run_t SECONDS ARGS...: vmlet run ARGS from $T, stdin /dev/null, bounded; out/err in $T; sets $rc.
run_t() {
	local s=$1; shift
	(cd "$T" && timeout "$s" "$VMLET_ABS" "$@" < /dev/null > "$T/out" 2> "$T/err"); rc=$?
}
want_rc() { [ "$rc" = "$1" ] || need "exit $rc, want $1 (stderr: $(head -c 300 "$T/err"))"; }
want_err() { [ "$(cat "$T/err")" = "$1" ] || need "stderr '$(head -c 300 "$T/err")', want '$1'"; }

# ---- a FIFO (or other non-regular file) as the program: refused without waiting for a writer
mkfifo "$T/p.fifo"; chmod +x "$T/p.fifo"
run_t 10 run "$T/p.fifo"
want_rc 126; want_err "vmlet: $T/p.fifo: not a regular file (a FIFO)"
verdict "robust/program-fifo-126-no-block"
run_t 10 run ./p.fifo
want_rc 126; want_err "vmlet: ./p.fifo: not a regular file (a FIFO)"
verdict "robust/program-fifo-relative-126"
run_t 10 run /dev/null
want_rc 126; want_err "vmlet: /dev/null: not a regular file (a character device)"
verdict "robust/program-chardev-126"
printf '{"program": "%s"}\n' "$T/p.fifo" > "$T/fifo-prog.json"
run_t 10 check "$T/fifo-prog.json"
want_rc 125
verdict "robust/check-program-fifo-125"

# ---- reports: never on kernel files, devices or FIFOs (refused before the VM, in check and run)
# (/proc/self/comm: were it ever written, only vmlet's own name would change.)
host_before=$(cat /proc/sys/kernel/hostname)
for target in /proc/self/comm /sys/kernel/vmlet-report.json /dev/full "$T/p.fifo" "$T/nodir/r.json"; do
	case $target in
	/proc/*) reason="is on procfs (a kernel interface), not storage" ;;
	/sys/*) reason="is on sysfs (a kernel interface), not storage" ;;
	/dev/full) reason="is a character device, not a regular file" ;;
	*.fifo) reason="is a FIFO, not a regular file" ;;
	*) reason="its directory does not exist" ;;
	esac
	run_t 10 run --report "$target" "$HELLO"
	want_rc 125; want_err "vmlet: report $target: $reason"
	verdict "robust/report-refused-run$target"
	printf '{"program": "%s", "report": "%s"}\n' "$HELLO" "$target" > "$T/rep.json"
	run_t 10 check "$T/rep.json"
	want_rc 125
	case $target in /proc/*|/sys/*) grep -qF "$reason" "$T/err" || need "stderr '$(head -c 300 "$T/err")' lacks '$reason'" ;; esac
	verdict "robust/report-refused-check$target"
done
printf '{"program": "%s", "report": "/proc/sys/kernel/hostname"}\n' "$HELLO" > "$T/rep.json"
run_t 10 check "$T/rep.json"
want_rc 125
verdict "robust/report-refused-check-hostname"
[ "$(cat /proc/sys/kernel/hostname)" = "$host_before" ] || fail "robust/hostname-untouched" "the hostname changed to '$(cat /proc/sys/kernel/hostname)'"
ln -s /proc/self/comm "$T/link-to-proc"
run_t 10 run --report "$T/link-to-proc" "$HELLO"
want_rc 125; want_err "vmlet: report $T/link-to-proc: is on procfs (a kernel interface), not storage"
verdict "robust/report-refused-symlink-to-procfs"
# A relative report is checked (and created) against the directory vmlet started in.
run_t 10 run --report p.fifo "$HELLO"
want_rc 125; want_err "vmlet: report p.fifo: is a FIFO, not a regular file"
verdict "robust/report-relative-resolved"

# --repeat writes no report: refused rather than ignored (it used to create an empty file).
run_t 10 run --repeat 2 --report "$T/rep-repeat.json" "$HELLO"
want_rc 125; want_err "vmlet: --report applies to a single run, not to --repeat"
[ ! -e "$T/rep-repeat.json" ] || need "an empty report file was created"
verdict "robust/report-with-repeat-refused"

# The report's temporary file of a run killed with SIGKILL is one `vmlet gc` removes.
mkdir -p "$T/gc"; dead=$(sh -c 'echo $$')
: > "$T/gc/.r.json.vmlet-$dead-4294967295.tmp"
"$VMLET_ABS" gc "$T/gc" > "$T/out" 2> "$T/err"; rc=$?
want_rc 0; [ -z "$(ls -A "$T/gc")" ] || need "left: $(ls -A "$T/gc")"
verdict "robust/report-temporary-collected-by-gc"

# With a VM: a report is written through a temporary file, also as the run's user; `-` is stderr.
run_t 20 run --report "$T/r.json" "$HELLO"
want_rc 0; [ -s "$T/r.json" ] || need "no report"; [ -z "$(temps "$T")" ] || need "temporary left: $(temps "$T")"
verdict_vm "robust/report-written"
run_t 20 run --report - "$HELLO"
want_rc 0; grep -q '"state": "ok"' "$T/err" || need "no report on stderr"
verdict_vm "robust/report-stderr"
if id nobody > /dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	mkdir -p "$T/nobody"; chmod 777 "$T/nobody"
	run_t 20 run --user nobody --report "$T/nobody/r.json" "$HELLO"
	want_rc 0; [ "$(stat -c %U "$T/nobody/r.json" 2> /dev/null)" = nobody ] || need "report not owned by nobody"
	verdict_vm "robust/report-as-user"
	mkdir -p "$T/rootonly"; chmod 755 "$T/rootonly"
	run_t 20 run --user nobody --report "$T/rootonly/r.json" "$HELLO"
	want_rc 125; [ ! -e "$T/rootonly/r.json" ] || need "nobody wrote a report into a root-only directory"
	verdict_vm "robust/report-as-user-refused"
fi
# A report that cannot be written fails the run: RLIMIT_FSIZE of 1 KiB (the report is larger).
(ulimit -f 1; run_t 20 run --report "$T/big.json" "$HELLO"; echo "$rc" > "$T/rc")
rc=$(cat "$T/rc"); want_rc 125
grep -q "writing the report $T/big.json: File too large" "$T/err" || need "stderr '$(head -c 300 "$T/err")'"
[ ! -e "$T/big.json" ] && [ -z "$(temps "$T")" ] || need "a partial report or temporary was left"
verdict_vm "robust/report-write-failure-125"

# ---- closed stdin, stdout, stderr: no fd of vmlet's takes their number
# blocked_on_manifest REDIR: vmlet run --manifest FIFO (blocks opening it, before any VM) with
# the given redirections; sets $bg once it sleeps there.
mkfifo "$T/m.fifo"
DEFAULT_SIGNALS=; env --default-signal=INT true 2> /dev/null && DEFAULT_SIGNALS="env --default-signal=INT,QUIT"
blocked_on_manifest() {
	local i
	# A background job starts with SIGINT and SIGQUIT ignored: give vmlet the defaults.
	eval "\$DEFAULT_SIGNALS \"\$VMLET_ABS\" run --manifest \"\$T/m.fifo\" $1 &"
	bg=$!; BG="$BG $bg"
	for i in $(seq 200); do
		[ "$(readlink "/proc/$bg/exe" 2> /dev/null)" = "$VMLET_ABS" ] && grep -q '^State:.*S' "/proc/$bg/status" 2> /dev/null && return
		sleep 0.02
	done
}
release_manifest() { timeout 5 sh -c "echo '{}' > '$T/m.fifo'"; wait "$bg" 2> /dev/null; }
for fd in 0 1 2; do
	redir="$fd>&-"; [ "$fd" != 0 ] && redir="$redir </dev/null"; [ "$fd" != 1 ] && redir="$redir >/dev/null"
	[ "$fd" != 2 ] && redir="$redir 2>/dev/null"
	blocked_on_manifest "$redir"
	got=$(readlink "/proc/$bg/fd/$fd" 2> /dev/null)
	[ "$got" = /dev/null ] || need "fd $fd is '$got' while the manifest opens, want /dev/null (O_PATH)"
	release_manifest
	verdict "robust/closed-fd$fd-kept-free"
done
# closed_run FD ARGS...: vmlet ARGS from $T with fd FD closed, the others /dev/null or $T/err; sets $rc.
closed_run() {
	local fd=$1; shift
	: > "$T/err"
	case $fd in
	0) (cd "$T" && timeout 20 "$VMLET_ABS" "$@" <&- > /dev/null 2> "$T/err") ;;
	1) (cd "$T" && timeout 20 "$VMLET_ABS" "$@" < /dev/null >&- 2> "$T/err") ;;
	2) (cd "$T" && timeout 20 "$VMLET_ABS" "$@" < /dev/null > /dev/null 2>&-) ;;
	esac
	rc=$?
}
for fd in 0 1 2; do
	closed_run "$fd" run ./missing
	want_rc 127; [ "$fd" = 2 ] || want_err "vmlet: ./missing: No such file or directory"
	verdict "robust/closed-fd$fd-missing-program-127"
	closed_run "$fd" run /bin/busybox cat
	[ "$rc" -lt 128 ] || need "vmlet died of signal $((rc - 128))"
	verdict "robust/closed-fd$fd-no-signal-death"
	# With a VM: `cat <&-` gets EBADF reading (busybox: exit 1), as natively; the others read EOF.
	want=0; [ "$fd" = 0 ] && want=1
	want_rc "$want"
	if [ "$fd" = 2 ] && [ ! -e /dev/kvm ]; then skip "robust/closed-fd$fd-busybox-cat" "needs a VM (no /dev/kvm)"; why=; else verdict_vm "robust/closed-fd$fd-busybox-cat"; fi
done

# ---- signal dispositions, read while vmlet waits for its manifest (before any VM)
mask_has() { local mask=$1 sig=$2; (( (16#$mask >> (sig - 1)) & 1 )); }
blocked_on_manifest "</dev/null >/dev/null 2>/dev/null"
cgt=$(sed -n 's/^SigCgt:\t//p' "/proc/$bg/status"); ign=$(sed -n 's/^SigIgn:\t//p' "/proc/$bg/status")
for sig in HUP INT QUIT TERM USR1 USR2 ALRM XCPU VTALRM PROF IO PWR STKFLT; do
	mask_has "$cgt" "$(kill -l "$sig")" || need "SIG$sig not caught"
done
for n in $(seq 35 64); do
	[ "$n" = 63 ] && continue # SIGRTMAX-1: the library's vCPU kick
	mask_has "$cgt" "$n" || need "signal $n not caught"
done
for sig in PIPE XFSZ; do mask_has "$ign" "$(kill -l "$sig")" || need "SIG$sig not ignored"; done
verdict "robust/signals-caught-xfsz-pipe-ignored"
# Before a VM exists there is nothing to clean up: a signal ends vmlet as its default action would.
kill -USR1 "$bg"; { wait "$bg"; } 2> /dev/null; rc=$?
want_rc 138
verdict "robust/signal-before-vm-default-death"
(trap '' HUP; exec "$VMLET_ABS" run --manifest "$T/m.fifo" < /dev/null > /dev/null 2>&1) &
bg=$!; BG="$BG $bg"; sleep 0.3
cgt=$(sed -n 's/^SigCgt:\t//p' "/proc/$bg/status")
mask_has "$cgt" "$(kill -l HUP)" && need "SIGHUP caught although it was ignored at start (nohup)"
release_manifest
verdict "robust/ignored-at-start-stays-ignored"

# --repeat keeps the default actions (its confined process could not reset a handler): SIGTERM is 143.
SPIN=$(realpath "$PROGS/demo_spin-musl" 2> /dev/null)
if [ -x "$SPIN" ]; then
	"$VMLET_ABS" run --repeat 1000 --timeout 5s "$SPIN" < /dev/null > /dev/null 2> "$T/err" &
	bg=$!; BG="$BG $bg"; sleep 1
	kill -TERM "$bg" 2> /dev/null; { wait "$bg"; } 2> /dev/null; rc=$?
	want_rc 143
	verdict_vm "robust/repeat-sigterm-143"
fi

# ---- relative paths with --repeat: made absolute before the seccomp filter (which forbids getcwd);
# not observable without a VM (the first run opens them): tests/unit/test_robust.c checks the resolution.
mkdir -p "$T/tree"; echo data > "$T/tree/a.txt"; cp "$HELLO" "$T/hello" 2> /dev/null
run_t 20 run --ro tree:/data --repeat 1 ./hello
want_rc 0
verdict_vm "robust/repeat-relative-grant-and-program"
if [ -x "$CHAN" ]; then
	cp "$CHAN" "$T/chan"
	run_t 20 run --channel /in:tree/a.txt --repeat 1 ./chan cat /in
	want_rc 0
	verdict_vm "robust/repeat-relative-channel"
fi

# ---- file-size limit and a full device as stdout: the program gets EFBIG / ENOSPC
(cd "$T" && ulimit -f 1 && timeout 20 "$VMLET_ABS" run /bin/busybox dd if=/dev/zero bs=1024 count=4 > "$T/fsz.out" 2> "$T/err"; echo $? > "$T/rc")
rc=$(cat "$T/rc")
[ "$rc" != 153 ] || need "vmlet died of SIGXFSZ"
grep -q "File too large" "$T/err" || need "the program did not get EFBIG (stderr: $(head -c 300 "$T/err"))"
[ -z "$(temps "$T")" ] || need "temporary left"
verdict_vm "robust/ulimit-f-program-gets-efbig"
(timeout 20 "$VMLET_ABS" run /bin/busybox echo hi > /dev/full 2> "$T/err"; echo $? > "$T/rc")
rc=$(cat "$T/rc")
[ "$rc" = 1 ] || need "exit $rc, want 1 (busybox echo on ENOSPC; stderr: $(head -c 300 "$T/err"))"
grep -q "No space left on device" "$T/err" || need "the program did not get ENOSPC"
verdict_vm "robust/stdout-dev-full-program-gets-enospc"
exit 0
