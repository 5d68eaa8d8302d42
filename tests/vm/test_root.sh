#!/bin/bash
# test_root.sh - --root: Debian's dynamic executables and scripts run from a root filesystem (compared with
# native runs byte for byte), and the root is a read-only chroot: symlinks and ".." stay inside it, writes
# are EROFS, a missing interpreter is named.
_own_work=; [ -z "${WORK:-}" ] && _own_work=1
. "$(dirname "$0")/lib.sh"
[ -n "$_own_work" ] && trap 'rm -rf "$WORK"' EXIT

# Real programs with --root /, each compared with the same command run natively.
VMLET_OPTS="--root /"
same_as_native root/python3-json /dev/null -- /usr/bin/python3 -c 'import json; print(json.dumps([1]))'
same_as_native root/python3-stdlib /dev/null -- /usr/bin/python3 -c 'import re, zlib, hashlib, base64
print(re.sub(r"b+", "-", "abbbc"), zlib.crc32(b"vmlet"), hashlib.sha256(b"x").hexdigest()[:16], base64.b64encode(b"ok"))'
same_as_native root/python3-exit3 /dev/null -- /usr/bin/python3 -c 'raise SystemExit(3)'
same_as_native root/perl-map /dev/null -- /usr/bin/perl -e 'print join(",", map { $_*2 } 1..5), "\n"'
same_as_native root/perl-hash /dev/null -- /usr/bin/perl -e 'my %h = (b => 2, a => 1); printf("%s=%d\n", $_, $h{$_}) for sort keys %h'
same_as_native root/ls-l /dev/null -- /bin/ls -l /usr/share/doc/bash
same_as_native root/sort /etc/passwd -- /usr/bin/sort
same_as_native root/wc /dev/null -- /usr/bin/wc -l /etc/passwd
same_as_native root/sed /etc/passwd -- /bin/sed -n 's/:.*//p'
same_as_native root/grep /etc/passwd -- /bin/grep -c root
# File mappings: copy-on-write (a write stays private), then anonymous memory in their place reads zeros.
for f in /usr/lib/x86_64-linux-gnu/libc.so.6 /etc/passwd; do
	same_as_native "root/mmap-then-anonymous$f" /dev/null -- /usr/bin/python3 -c 'import mmap, sys
f = open(sys.argv[1], "rb")
m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)
n = len(m); head = m[:4]; m[0:4] = b"XXXX"; m.close()
m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
print(head, m[:4] == head, m[n - 1:] == open(sys.argv[1], "rb").read()[-1:])
m.close()
a = mmap.mmap(-1, n); print(a[:] == bytes(n)); a.close()' "$f"
done
S="$WORK/root-script.sh"
printf '#!/bin/sh -e\necho "script $# $1"\nexit 4\n' > "$S"
chmod +x "$S"
same_as_native root/shebang-script /dev/null -- "$S" one
same_as_native root/proc-self-exe /dev/null -- /usr/bin/python3 -c 'import os, sys; print(os.readlink("/proc/self/exe"), sys.executable)'
VMLET_OPTS=

# A small root: busybox (static) and /bin/true (dynamic) without its interpreter.
R="$WORK/root"
rm -rf "$R"; mkdir -p "$R/bin" "$R/etc" "$WORK/outside"
cp /bin/busybox "$R/bin/busybox"
cp /bin/true "$R/bin/true"
echo inside > "$R/etc/marker"
echo "host secret" > "$WORK/outside/secret"
ln -s "$WORK/outside/secret" "$R/abs-out"                              # absolute: resolved inside the root
ln -s "$(echo "$R" | sed 's|/[^/]*|../|g')outside/secret" "$R/rel-out" # relative, climbing past "/"
ln -s "$(echo "$R" | sed 's|/[^/]*|../|g')etc" "$R/up"                 # to the host's /etc: the root's
printf '#!/bin/missing-sh\n' > "$R/bin/script"; chmod +x "$R/bin/script"
mkdir -p "$WORK/data"; echo granted > "$WORK/data/f"

BB="run --root $R /bin/busybox"
expect_out root/busybox-inside 0 "inside" -- $BB cat /etc/marker
expect_out root/dotdot-at-root 0 "inside" -- $BB cat /../../../etc/marker
expect_out root/symlink-up-stays-inside 0 "inside" -- $BB cat /up/marker
run_vm "$WORK/out" "$WORK/err" /dev/null $BB cat /abs-out
if [ "$rc" = 1 ] && ! grep -q secret "$WORK/out"; then pass root/symlink-abs-out; else fail root/symlink-abs-out "exit $rc: $(head -c 200 "$WORK/out")"; fi
run_vm "$WORK/out" "$WORK/err" /dev/null $BB cat /rel-out
if [ "$rc" = 1 ] && ! grep -q secret "$WORK/out"; then pass root/symlink-rel-out; else fail root/symlink-rel-out "exit $rc: $(head -c 200 "$WORK/out")"; fi
run_vm "$WORK/out" "$WORK/err" /dev/null $BB touch /newfile
if [ "$rc" = 1 ] && grep -q "Read-only file system" "$WORK/err" && [ ! -e "$R/newfile" ]; then pass root/write-erofs
else fail root/write-erofs "exit $rc; stderr: $(head -c 200 "$WORK/err")"; fi
run_vm "$WORK/out" "$WORK/err" /dev/null $BB sh -c 'echo x > /etc/marker'
if [ "$rc" != 0 ] && grep -q "Read-only file system" "$WORK/err" && [ "$(cat "$R/etc/marker")" = inside ]; then pass root/overwrite-erofs
else fail root/overwrite-erofs "exit $rc; stderr: $(head -c 200 "$WORK/err")"; fi
expect_out root/ro-grant-on-top 0 "granted" -- run --root "$R" --ro "$WORK/data:/etc" /bin/busybox cat /etc/f
expect_err root/missing-interpreter 127 \
	"vmlet: /bin/true: interpreter /lib64/ld-linux-x86-64.so.2 not found in the root $R" -- run --root "$R" /bin/true
expect_err root/missing-script-interpreter 127 \
	"vmlet: /bin/script: interpreter /bin/missing-sh not found in the root $R" -- run --root "$R" /bin/script
R2="$WORK/root2"
rm -rf "$R2"; mkdir -p "$R2/bin" "$R2/lib64/ld-linux-x86-64.so.2"
cp /bin/true "$R2/bin/true"
expect_err root/interpreter-is-a-directory 126 \
	"vmlet: /bin/true: interpreter /lib64/ld-linux-x86-64.so.2: is a directory" -- run --root "$R2" /bin/true
expect_err root/missing-program 127 "vmlet: /bin/nothing: No such file or directory" -- run --root "$R" /bin/nothing
expect_err root/dynamic-without-root 126 \
	"vmlet: /bin/true: dynamically linked (interpreter /lib64/ld-linux-x86-64.so.2): give --root DIR (--root / for this machine's) to find it and its libraries" \
	-- run /bin/true
