#!/bin/bash
# test_core.sh - end-to-end checks of the guest kernel through small C programs (tests/progs),
# each run against its musl and its glibc static build. Run from the repository root.
_own_work=; [ -z "${WORK:-}" ] && _own_work=1
. "$(dirname "$0")/lib.sh"
[ -n "$_own_work" ] && trap 'rm -rf "$WORK"' EXIT

T="$WORK/core"
rm -rf "$T"; mkdir -p "$T"

# vm OUT-PREFIX STDIN ARGS...: run `vmlet ARGS` with stdin from STDIN, stdout/stderr into
# $T/PREFIX.out and $T/PREFIX.err; sets $rc.
vm() {
	local p=$1 in=$2; shift 2
	"$VMLET" "$@" < "$in" > "$T/$p.out" 2> "$T/$p.err"
	rc=$?
}

# expect_all NAME WANT_RC WANT_STDOUT WANT_STDERR -- ARGS...: exit code, exact stdout and exact stderr.
expect_all() {
	local name=$1 want=$2 out=$3 err=$4; shift 4
	[ "$1" = "--" ] && shift
	vm x /dev/null "$@"
	if [ "$rc" != "$want" ]; then fail "$name" "exit $rc, want $want; stderr: $(head -c 300 "$T/x.err")"; return; fi
	if [ "$(cat "$T/x.out")" != "$out" ]; then fail "$name" "stdout '$(head -c 300 "$T/x.out")', want '$out'"; return; fi
	if [ "$(cat "$T/x.err")" != "$err" ]; then fail "$name" "stderr '$(head -c 300 "$T/x.err")', want '$err'"; return; fi
	pass "$name"
}

ms_now() { echo $(( $(date +%s%N) / 1000000 )); }

# Grant tree for the file checks: regular files, a subdirectory, an in-tree symlink, and
# symlinks that point out of the tree (absolute and relative).
D="$T/data"
mkdir -p "$D/sub"
printf 'hello granted file\nline two\n' > "$D/greeting.txt"
echo inner > "$D/sub/inner.txt"
echo "host secret outside the grant" > "$T/secret"
ln -s /etc/passwd "$D/passwd-link"
ln -s ../secret "$D/secret-link"
ln -s greeting.txt "$D/ok-link"
head -c $((8 << 20)) /dev/urandom > "$T/in8m"


for libc in musl glibc; do
	P="$PROGS"
	n="core/$libc"
	for prog in hello args cat mem exitcode crash math clock sys files writev; do
		if [ ! -x "$P/$prog-$libc" ]; then
			fail "$n/build" "$P/$prog-$libc missing (run make progs)"
			continue 2
		fi
	done

	# --- basics: output, arguments, environment
	expect_out "$n/hello" 0 "hello, world" -- run "$P/hello-$libc"
	expect_out "$n/hello-with-timeout" 0 "hello, world" -- run --timeout 5s "$P/hello-$libc"
	expect_out "$n/argv-env" 0 "argc=5
argv[0]=$P/args-$libc
argv[1]=a b
argv[2]=
argv[3]=  two  spaces  
argv[4]=--env
env:PATH=/bin:/usr/bin
env:HOME=/
env:GREETING=hello world
env:EMPTY=
env:X=a=b" -- run --env 'GREETING=hello world' --env EMPTY= --env X=a=b "$P/args-$libc" 'a b' '' '  two  spaces  ' --env
	expect_out "$n/default-env" 0 "argc=1
argv[0]=$P/args-$libc
env:PATH=/bin:/usr/bin
env:HOME=/" -- run "$P/args-$libc"

	# --- stdin to stdout, byte-exact: from a file, then through pipes on both ends
	vm cat "$T/in8m" run "$P/cat-$libc"
	if [ "$rc" != 0 ]; then fail "$n/cat-8MiB" "exit $rc; stderr: $(head -c 300 "$T/cat.err")"
	elif ! cmp -s "$T/in8m" "$T/cat.out"; then fail "$n/cat-8MiB" "output differs from input ($(wc -c < "$T/cat.out") bytes vs 8388608)"
	else pass "$n/cat-8MiB"; fi
	cat "$T/in8m" | "$VMLET" run "$P/cat-$libc" 2> "$T/catp.err" | cat > "$T/catp.out"
	st=("${PIPESTATUS[@]}")
	if [ "${st[1]}" != 0 ]; then fail "$n/cat-8MiB-pipes" "exit ${st[1]}; stderr: $(head -c 300 "$T/catp.err")"
	elif ! cmp -s "$T/in8m" "$T/catp.out"; then fail "$n/cat-8MiB-pipes" "output differs from input ($(wc -c < "$T/catp.out") bytes vs 8388608)"
	else pass "$n/cat-8MiB-pipes"; fi

	# --- memory
	expect_out "$n/malloc-32MiB" 0 "ok 32 MiB" -- run "$P/mem-$libc" malloc 32
	expect_out "$n/mem16M-malloc-64MiB-ENOMEM" 0 "ENOMEM" -- run --mem 16M "$P/mem-$libc" malloc 64
	expect_out "$n/mem16M-mmap-64MiB-ENOMEM" 0 "ENOMEM" -- run --mem 16M "$P/mem-$libc" mmap 64

	# --- exit status and deaths
	for code in 0 3 255; do
		expect_rc "$n/exit-$code" "$code" -- run "$P/exitcode-$libc" "$code"
	done
	expect_all "$n/abort-134" 134 "" "" -- run "$P/crash-$libc" abort
	vm x /dev/null run "$P/crash-$libc" null
	if [ "$rc" != 139 ]; then fail "$n/null-write-139" "exit $rc, want 139; stderr: $(head -c 300 "$T/x.err")"
	elif [ "$(wc -l < "$T/x.err")" != 1 ] || ! grep -Eq '^vmlet: guest fault: page fault at 0x0 \(rip 0x[0-9a-f]+\)$' "$T/x.err"; then
		fail "$n/null-write-139" "stderr '$(head -c 300 "$T/x.err")', want 'vmlet: guest fault: page fault at 0x0 (rip 0x...)'"
	elif [ -s "$T/x.out" ]; then fail "$n/null-write-139" "unexpected stdout '$(head -c 100 "$T/x.out")'"
	else pass "$n/null-write-139"; fi

	t0=$(ms_now)
	vm x /dev/null run --timeout 1s "$P/crash-$libc" spin
	dt=$(( $(ms_now) - t0 ))
	if [ "$rc" != 124 ]; then fail "$n/timeout-124" "exit $rc, want 124; stderr: $(head -c 300 "$T/x.err")"
	elif [ "$(cat "$T/x.err")" != "vmlet: timeout: the program ran for more than 1.000 s" ]; then
		fail "$n/timeout-124" "stderr '$(head -c 300 "$T/x.err")'"
	elif [ "$dt" -lt 900 ] || [ "$dt" -gt 3000 ]; then fail "$n/timeout-124" "took $dt ms, want 900..3000"
	else pass "$n/timeout-124"; fi

	# --- libc work: floating point, qsort
	expect_out "$n/float" 0 "6.283
1.414214
2.718282
3.1416
0.333333 1e+200 1.234568e+04
2.50
6283" -- run "$P/math-$libc" float
	expect_out "$n/qsort-100k" 0 "sorted 100000" -- run "$P/math-$libc" qsort

	# --- time
	expect_out "$n/clock-monotonic-nanosleep" 0 "monotonic ok
sleep ok" -- run "$P/clock-$libc"

	# --- system calls
	expect_out "$n/unsupported-syscall-ENOSYS" 0 "syscall(999) = -1 ENOSYS
io_setup = -1 ENOSYS" -- run "$P/sys-$libc" enosys
	expect_all "$n/fork-limited" 0 "fork = -1" "" -- run --max-procs 1 "$P/sys-$libc" fork
	expect_all "$n/exec-missing" 0 "execve = -1" "" -- run "$P/sys-$libc" exec
	expect_out "$n/getpid-uname" 0 "getpid positive
sysname=Linux
machine=x86_64
release set" -- run "$P/sys-$libc" ids
	expect_out "$n/signal-handler" 0 "handler ran
continued" -- run "$P/sys-$libc" signal
	expect_out "$n/dev-null-urandom-getrandom" 0 "/dev/null read 0
/dev/null write 1
/dev/urandom ok
getrandom ok" -- run "$P/sys-$libc" dev
	"$VMLET" run "$P/sys-$libc" isatty < /dev/null 2> "$T/tty.err" | cat > "$T/tty.out"
	st=("${PIPESTATUS[@]}")
	if [ "${st[0]}" != 0 ]; then fail "$n/isatty-pipe" "exit ${st[0]}; stderr: $(head -c 300 "$T/tty.err")"
	elif [ "$(cat "$T/tty.out")" != "isatty 0 0 0" ]; then fail "$n/isatty-pipe" "stdout '$(cat "$T/tty.out")', want 'isatty 0 0 0'"
	else pass "$n/isatty-pipe"; fi
	expect_out "$n/writev-empty-null-iovec" 0 "abc
writev = 4" -- run "$P/writev-$libc"

	# --- read-only grants
	expect_out "$n/ro-read-fstat-lseek" 0 "fread 28 bytes
hello granted file
line two
fstat size 28 regular
lseek end 28
at 6: grant
last 4: two
read at end: 0" -- run --ro "$D" "$P/files-$libc" read "$D/greeting.txt"
	expect_out "$n/ro-read-mapped" 0 "open ok: hello granted file" -- run --ro "$D:/data" "$P/files-$libc" open /data/greeting.txt
	expect_out "$n/ro-single-file" 0 "open ok: hello granted file" -- run --ro "$D/greeting.txt:/etc/greeting" "$P/files-$libc" open /etc/greeting
	expect_out "$n/ro-readdir" 0 "greeting.txt
ok-link
passwd-link
secret-link
sub" -- run --ro "$D" "$P/files-$libc" ls "$D"
	expect_out "$n/ro-readdir-mapped-sub" 0 "inner.txt" -- run --ro "$D:/data" "$P/files-$libc" ls /data/sub
	expect_out "$n/ro-symlink-inside" 0 "open ok: hello granted file" -- run --ro "$D" "$P/files-$libc" open "$D/ok-link"
	expect_out "$n/outside-grant-ENOENT" 0 "open ENOENT" -- run --ro "$D" "$P/files-$libc" open /etc/passwd
	expect_out "$n/no-grant-ENOENT" 0 "open ENOENT" -- run "$P/files-$libc" open "$D/greeting.txt"
	expect_out "$n/sibling-of-grant-ENOENT" 0 "open ENOENT" -- run --ro "$D" "$P/files-$libc" open "$T/secret"
	expect_out "$n/symlink-escape-abs-EACCES" 0 "open EACCES" -- run --ro "$D" "$P/files-$libc" open "$D/passwd-link"
	expect_out "$n/symlink-escape-rel-EACCES" 0 "open EACCES" -- run --ro "$D" "$P/files-$libc" open "$D/secret-link"
	# `..` must never climb out of a grant: whatever the errno, no host bytes may come back.
	for esc in "$D/../../../../../../../../etc/passwd" "$D/../secret" "$D/sub/../../secret" "/data/../../etc/passwd" "/data/../secret" "/data/sub/../../../etc/passwd"; do
		vm x /dev/null run --ro "$D" --ro "$D:/data" "$P/files-$libc" open "$esc"
		esc=${esc/#$D/DIR}
		if [ "$rc" != 0 ]; then fail "$n/dotdot-escape $esc" "exit $rc; stderr: $(head -c 300 "$T/x.err")"
		elif grep -q 'open ok\|root:\|secret' "$T/x.out"; then fail "$n/dotdot-escape $esc" "host file revealed: $(head -c 200 "$T/x.out")"
		elif ! grep -Eq '^open E[A-Z]+$' "$T/x.out"; then fail "$n/dotdot-escape $esc" "unexpected stdout '$(head -c 200 "$T/x.out")'"
		else pass "$n/dotdot-escape $esc"; fi
	done
	cp "$D/greeting.txt" "$T/greeting.orig"
	vm x /dev/null run --ro "$D" "$P/files-$libc" write "$D/greeting.txt"
	bad=$(grep -v '^create: ' "$T/x.out" | grep -Ev ': (EROFS|EBADF)$')
	if [ "$rc" != 0 ]; then fail "$n/ro-write-refused" "exit $rc; stderr: $(head -c 300 "$T/x.err")"
	elif [ "$(grep -c '' "$T/x.out")" != 6 ] || [ -n "$bad" ]; then fail "$n/ro-write-refused" "want EROFS/EBADF for every write, got: $(tr '\n' ';' < "$T/x.out")"
	elif grep -q '^create: ok' "$T/x.out" || [ -e "$D/greeting.txt.new" ]; then fail "$n/ro-write-refused" "creating a file in a grant succeeded"
	elif ! cmp -s "$D/greeting.txt" "$T/greeting.orig"; then fail "$n/ro-write-refused" "host file changed"
	else pass "$n/ro-write-refused"; fi
done
