#!/bin/bash
# test_errors.sh - vmlet's own error paths: exact message and exit code for programs that
# cannot run (126/127) and for bad command lines (125). Run from the repository root.
_own_work=; [ -z "${WORK:-}" ] && _own_work=1
. "$(dirname "$0")/lib.sh"
[ -n "$_own_work" ] && trap 'rm -rf "$WORK"' EXIT

T="$WORK/errors"
rm -rf "$T"; mkdir -p "$T/dir"

# A static x86-64 program to start from: any of the test programs, else busybox-static.
STATIC=
for c in "$PROGS/hello-glibc" "$PROGS/hello-musl" /bin/busybox; do
	[ -x "$c" ] && { STATIC=$c; break; }
done

# --- programs that cannot run
expect_err "errors/missing-file-127" 127 "vmlet: $T/missing: No such file or directory" -- run "$T/missing"
expect_err "errors/missing-dir-component-127" 127 "vmlet: $T/nodir/prog: No such file or directory" -- run "$T/nodir/prog"

printf 'echo hi\n' > "$T/script.sh"; chmod +x "$T/script.sh" # no "#!": execve's ENOEXEC
expect_err "errors/text-file-126" 126 "vmlet: $T/script.sh: not an ELF executable" -- run "$T/script.sh"
# A "#!" script runs its interpreter: Debian's /bin/sh is dynamic, which needs a root.
printf '#!/bin/sh\necho hi\n' > "$T/shebang.sh"; chmod +x "$T/shebang.sh"
SH_INTERP=$(readelf -l /bin/sh 2> /dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
if [ -n "$SH_INTERP" ]; then
	expect_err "errors/script-dynamic-interpreter-126" 126 "vmlet: $T/shebang.sh: interpreter /bin/sh: dynamically linked (interpreter $SH_INTERP): give --root DIR (--root / for this machine's) to find it and its libraries" -- run "$T/shebang.sh"
fi
printf '#!\n' > "$T/noint.sh"; chmod +x "$T/noint.sh"
expect_err "errors/script-no-interpreter-126" 126 "vmlet: $T/noint.sh: malformed \"#!\" line" -- run "$T/noint.sh"

: > "$T/empty"; chmod +x "$T/empty"
expect_err "errors/empty-file-126" 126 "vmlet: $T/empty: not an ELF executable" -- run "$T/empty"

# 32-bit ELF: a real one when gcc can build i386 code, and a bare 52-byte ELF32 header
# (all an i386 ELF header is; the class byte alone says 32-bit).
printf '.globl _start\n_start:\n\tmovl $1, %%eax\n\txorl %%ebx, %%ebx\n\tint $0x80\n' > "$T/e32.S"
if gcc -m32 -nostdlib -static -o "$T/e32-gcc" "$T/e32.S" 2> /dev/null; then
	expect_err "errors/elf32-gcc-126" 126 "vmlet: $T/e32-gcc: 32-bit ELF executables are not supported (x86-64 only)" -- run "$T/e32-gcc"
else
	skip "errors/elf32-gcc-126" "gcc -m32 cannot build i386 executables here"
fi
printf '\177ELF\001\001\001\000\000\000\000\000\000\000\000\000\002\000\003\000\001\000\000\000\124\200\004\010\064\000\000\000\000\000\000\000\000\000\000\000\064\000\040\000\001\000\000\000\000\000\000\000' > "$T/e32-hdr"
chmod +x "$T/e32-hdr"
if [ "$(wc -c < "$T/e32-hdr")" = 52 ]; then
	expect_err "errors/elf32-52-byte-header-126" 126 "vmlet: $T/e32-hdr: 32-bit ELF executables are not supported (x86-64 only)" -- run "$T/e32-hdr"
else
	fail "errors/elf32-52-byte-header-126" "test setup: crafted header is $(wc -c < "$T/e32-hdr") bytes, not 52"
fi

DYN=
for c in /bin/true /usr/bin/true /bin/ls; do
	if [ -x "$c" ] && readelf -l "$c" 2> /dev/null | grep -q 'INTERP'; then DYN=$c; break; fi
done
if [ -n "$DYN" ]; then
	INTERP=$(readelf -l "$DYN" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
	expect_err "errors/dynamic-126" 126 "vmlet: $DYN: dynamically linked (interpreter $INTERP): give --root DIR (--root / for this machine's) to find it and its libraries" -- run "$DYN"
else
	skip "errors/dynamic-126" "no dynamically linked /bin/true or /bin/ls found (or readelf missing)"
fi

if [ -n "$STATIC" ]; then
	head -c 100 "$STATIC" > "$T/trunc100"; chmod +x "$T/trunc100"
	expect_err "errors/truncated-100-126" 126 "vmlet: $T/trunc100: truncated ELF: program headers lie beyond the end of the file" -- run "$T/trunc100"
	head -c 20 "$STATIC" > "$T/trunc20"; chmod +x "$T/trunc20"
	expect_err "errors/truncated-20-126" 126 "vmlet: $T/trunc20: truncated ELF: file ends inside the ELF header" -- run "$T/trunc20"
	cp "$STATIC" "$T/noexec"; chmod 644 "$T/noexec"
	expect_err "errors/not-executable-126" 126 "vmlet: $T/noexec: permission denied (not executable)" -- run "$T/noexec"
else
	for c in truncated-100-126 truncated-20-126 not-executable-126; do
		skip "errors/$c" "no static x86-64 program (make progs, or install busybox-static)"
	done
fi

expect_err "errors/directory-126" 126 "vmlet: $T/dir: is a directory" -- run "$T/dir"
expect_err "errors/dev-null-126" 126 "vmlet: /dev/null: not a regular file (a character device)" -- run /dev/null

# --- a program named without a slash is looked up in vmlet's PATH, as a shell does (issue 8)
# with_path NAME PATH-OR-"-": a wrapper running vmlet with that PATH ("-": PATH unset).
with_path() {
	local abs; abs=$(cd "$(dirname "$VMLET")" && pwd)/$(basename "$VMLET")
	if [ "$2" = - ]; then printf '#!/bin/sh\nunset PATH\nexec "%s" "$@"\n' "$abs" > "$T/$1"
	else printf '#!/bin/sh\nPATH="%s" exec "%s" "$@"\n' "$2" "$abs" > "$T/$1"; fi
	chmod +x "$T/$1"
}
mkdir -p "$T/bin" "$T/emptybin"
cp "$T/script.sh" "$T/bin/script.sh"
with_path vmlet-bin "$T/emptybin:$T/bin"
with_path vmlet-empty "$T/emptybin"
with_path vmlet-nopath -
VMLET=$T/vmlet-bin expect_err "errors/path-search-finds-program-126" 126 "vmlet: $T/bin/script.sh: not an ELF executable" -- run script.sh
VMLET=$T/vmlet-empty expect_err "errors/path-search-not-found-127" 127 "vmlet: script.sh: not found in PATH ($T/emptybin)" -- run script.sh
VMLET=$T/vmlet-nopath expect_err "errors/path-search-unset-path-127" 127 "vmlet: vmlet-no-such-program: not found in PATH (vmlet's PATH is unset: searched /usr/local/bin:/usr/bin:/bin)" -- run vmlet-no-such-program
# Only a file that is not executable: it is the one run, so the error says why (126), as a shell does.
mkdir -p "$T/plainbin"; printf 'x' > "$T/plainbin/plain"; chmod 644 "$T/plainbin/plain"
with_path vmlet-plain "$T/emptybin:$T/plainbin"
VMLET=$T/vmlet-plain expect_err "errors/path-search-not-executable-126" 126 "vmlet: $T/plainbin/plain: permission denied (not executable)" -- run plain
# A name with a slash is a path: not searched.
VMLET=$T/vmlet-bin expect_err "errors/path-search-not-for-slash-127" 127 "vmlet: ./script.sh: No such file or directory" -- run ./script.sh

# --- messages are never cut: a ~3000-byte path in full (issue 8)
LONG=$T/long; for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do LONG=$LONG/$(printf "%0199d" "$i"); done
expect_err "errors/long-missing-program-not-cut-127" 127 "vmlet: $LONG/prog: No such file or directory" -- run "$LONG/prog"
printf '{"program": "%s"}\n' "$LONG/prog" > "$T/long.json"
expect_err "errors/long-manifest-program-not-cut-125" 125 "vmlet: $T/long.json: program: $LONG/prog: No such file or directory" -- check "$T/long.json"
expect_err "errors/long-missing-grant-not-cut-125" 125 "vmlet: --ro $LONG: No such file or directory" -- run --ro "$LONG" "${STATIC:-/bin/true}"

# --- bad command lines
P=${STATIC:-/bin/true}
expect_err "errors/mem-junk-125" 125 "vmlet: --mem: invalid size 'junk' (try 64M or 1G)" -- run --mem junk "$P"
expect_err "errors/mem-negative-125" 125 "vmlet: --mem: invalid size '-64M' (try 64M or 1G)" -- run --mem -64M "$P"
expect_err "errors/mem-1M-too-small-125" 125 "vmlet: --mem: guest memory must be between 16M and 64G, got 1M" -- run --mem 1M "$P"
expect_err "errors/timeout-junk-125" 125 "vmlet: --timeout: invalid duration 'junk' (try 500ms or 2s)" -- run --timeout junk "$P"
expect_err "errors/timeout-zero-125" 125 "vmlet: --timeout: invalid duration '0' (try 500ms or 2s)" -- run --timeout 0 "$P"
expect_err "errors/unknown-option-125" 125 "vmlet: unknown option '--bogus'" -- run --bogus "$P"
expect_err "errors/option-missing-value-125" 125 "vmlet: option --mem needs a value" -- run --mem
expect_err "errors/env-no-equals-125" 125 "vmlet: --env: expected NAME=VALUE, got 'FOO'" -- run --env FOO "$P"
expect_err "errors/ro-relative-125" 125 "vmlet: --ro rel/dir: give an absolute path, or HOST:GUEST" -- run --ro rel/dir "$P"
expect_err "errors/ro-missing-125" 125 "vmlet: --ro $T/nope: No such file or directory" -- run --ro "$T/nope" "$P"
expect_err "errors/trace-equals-file-125" 125 "vmlet: option --trace takes no value, got '--trace=$T/t.log' (to write the trace to a file: --trace-file FILE)" -- run "--trace=$T/t.log" "$P"
expect_err "errors/trace-file-directory-125" 125 "vmlet: --trace-file $T/dir: Is a directory" -- run --trace-file "$T/dir" "$P"
mkfifo "$T/trace.fifo"
expect_err "errors/trace-file-fifo-not-blocking-125" 125 "vmlet: --trace-file $T/trace.fifo: is a FIFO (give a regular file or a character device)" -- run --timeout 2s --trace-file "$T/trace.fifo" "$P"
expect_err "errors/missing-program-125" 125 "vmlet: no program given (usage: vmlet run [options] PROGRAM [ARGS...])" -- run
expect_err "errors/missing-program-after-options-125" 125 "vmlet: no program given (usage: vmlet run [options] PROGRAM [ARGS...])" -- run --mem 64M --timeout 2s

# --- vmlet check and vmlet run refuse a bad config in the same words: one validation path (issue 8)
for m in 0 15M 65G; do
	why="guest memory must be between 16M and 64G, got $m"
	printf '{"program": "%s", "memory": "%s"}\n' "$P" "$m" > "$T/mem-$m.json"
	expect_err "errors/same-refusal/mem-$m/run" 125 "vmlet: --mem: $why" -- run --mem "$m" "$P"
	expect_err "errors/same-refusal/mem-$m/check" 125 "vmlet: $T/mem-$m.json: memory: $why" -- check "$T/mem-$m.json"
	expect_err "errors/same-refusal/mem-$m/run-manifest" 125 "vmlet: $T/mem-$m.json: memory: $why" -- run --manifest "$T/mem-$m.json"
done
why="at most 64 written file channels per run (65 declared)"
mkdir -p "$T/out65"
chans=(); json=
for i in $(seq 0 64); do
	chans+=(--channel "/out$i:$T/out65/f$i:mode=write")
	json="$json${json:+, }{\"guest\": \"/out$i\", \"host\": \"$T/out65/f$i\", \"mode\": \"write\"}"
done
printf '{"program": "%s", "channels": [%s]}\n' "$P" "$json" > "$T/w65.json"
expect_err "errors/same-refusal/written-65/run" 125 "vmlet: $why" -- run "${chans[@]}" "$P"
expect_err "errors/same-refusal/written-65/check" 125 "vmlet: $T/w65.json: $why" -- check "$T/w65.json"
expect_err "errors/same-refusal/written-65/run-manifest" 125 "vmlet: $T/w65.json: $why" -- run --manifest "$T/w65.json"
if [ -z "$(ls "$T/out65")" ]; then pass "errors/same-refusal/written-65/nothing-created"; else fail "errors/same-refusal/written-65/nothing-created" "$(ls "$T/out65" | head -3)"; fi

# --- usage
run_vm "$T/help.out" "$T/help.err" /dev/null --help
if [ "$rc" != 0 ]; then fail "errors/help-0" "exit $rc, want 0"
elif [ "$(head -n 1 "$T/help.out")" != "usage: vmlet run [options] PROGRAM [ARGS...]" ]; then fail "errors/help-0" "stdout starts '$(head -n 1 "$T/help.out")'"
elif [ -s "$T/help.err" ]; then fail "errors/help-0" "unexpected stderr '$(head -c 200 "$T/help.err")'"
else pass "errors/help-0"; fi

run_vm "$T/o" "$T/e" /dev/null run --help
if [ "$rc" != 0 ] || ! cmp -s "$T/o" "$T/help.out" || [ -s "$T/e" ]; then fail "errors/run-help-0" "exit $rc; want 0 and the --help text on stdout"
else pass "errors/run-help-0"; fi

# A wrong command line is one line saying what was wrong, not the whole usage (issue 8).
expect_err "errors/no-arguments-125" 125 "vmlet: no command given; see 'vmlet --help'" --
expect_err "errors/unknown-command-125" 125 "vmlet: unknown command 'frobnicate'; see 'vmlet --help'" -- frobnicate
expect_err "errors/unknown-top-level-option-125" 125 "vmlet: unknown option '--frob'; see 'vmlet --help'" -- --frob
expect_out "errors/version-command-0" 0 "vmlet 0.1" -- version
expect_out "errors/version-option-0" 0 "vmlet 0.1" -- --version
