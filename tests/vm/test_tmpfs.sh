#!/bin/bash
# test_tmpfs.sh - --tmpfs: a writable in-memory filesystem inside the guest. tests/progs/tmpfsops.c's
# file, directory, link, rename, lock, memfd and copy semantics compared byte for byte with a native
# run in a directory of a real tmpfs (/dev/shm); real programs (busybox tar, sort, mkdir, cp) writing
# into it; a tmpfs that fills up (ENOSPC); bad --tmpfs values (exit 125, one line).
_own_work=; [ -z "${WORK:-}" ] && _own_work=1
. "$(dirname "$0")/lib.sh"
[ -n "$_own_work" ] && trap 'rm -rf "$WORK" "${SHM:-}"' EXIT

T="$WORK/tmpfs"
mkdir -p "$T"

# vm_vs NAME NATIVE_OUT NATIVE_RC -- VMLET_RUN_ARGS...: vmlet's stdout and exit equal the native ones.
vm_vs() {
	local name=$1 nout=$2 nrc=$3; shift 4
	"$VMLET" run "$@" < /dev/null > "$T/vm.out" 2> "$T/vm.err"
	native_verdict "$name" "$nrc" "$nout" $? "$T/vm.out" "$T/vm.err"
}

SHM=
if [ -d /dev/shm ] && [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then
	SHM=$(mktemp -d /dev/shm/vmlet-tmpfs.XXXXXX)
fi
for libc in musl glibc; do
	P="$PROGS/tmpfsops-$libc"
	if [ ! -x "$P" ]; then fail "tmpfs/$libc/build" "$P missing (run make progs)"; continue; fi
	if [ -n "$SHM" ]; then
		rm -rf "${SHM:?}"/*
		env -i "$P" "$SHM" > "$T/native.out" 2> /dev/null
		nrc=$?
		vm_vs "tmpfs/$libc/semantics" "$T/native.out" $nrc -- --tmpfs /tmp "$P" /tmp
		# A single-VM run (its tighter host filter): the tmpfs region is given before confinement.
		vm_vs "tmpfs/$libc/semantics-single-vm" "$T/native.out" $nrc -- --max-procs 1 --tmpfs /tmp "$P" /tmp
	else
		skip "tmpfs/$libc/semantics" "no tmpfs at /dev/shm for the native reference"
	fi
	printf 'fill: ENOSPC after some data\nunlink big: ok\nwrite after unlink: ok\n' > "$T/want.out"
	vm_vs "tmpfs/$libc/fills-up-enospc" "$T/want.out" 0 -- --tmpfs /tmp:1M "$P" fill /tmp
done

# Real programs, one per run: tar extracting into the tmpfs lists what it wrote, as natively.
B=/bin/busybox
if [ -x "$B" ]; then
	mkdir -p "$T/src/dir/sub" "$T/nat"
	printf 'one\n' > "$T/src/dir/a"; printf 'two\n' > "$T/src/dir/sub/b"; ln -sf a "$T/src/dir/l"
	(cd "$T/src" && tar -cf "$T/src.tar" dir)
	printf 'pear\napple\nfig\n' > "$T/in.txt"
	(cd "$T/nat" && "$B" tar -xvf "$T/src.tar" > "$T/native.out" 2>&1)
	vm_vs "tmpfs/busybox-tar-x" "$T/native.out" 0 -- --tmpfs /t --ro "$T/src.tar" "$B" tar -xvf "$T/src.tar" -C /t
	expect_rc "tmpfs/busybox-sort-o" 0 -- run --tmpfs /t --ro "$T/in.txt" "$B" sort -o /t/sorted "$T/in.txt"
	expect_rc "tmpfs/busybox-mkdir-p" 0 -- run --tmpfs /t "$B" mkdir -p /t/a/b/c
	expect_rc "tmpfs/busybox-cp-r" 0 -- run --tmpfs /t --ro "$T/src" "$B" cp -r "$T/src/dir" /t/copy
	expect_out "tmpfs/busybox-find" 0 "/t" -- run --tmpfs /t "$B" find /t
	expect_out "tmpfs/busybox-stat-f" 0 "tmpfs 4096 255" -- run --tmpfs /t "$B" stat -f -c '%T %S %l' /t
	# statfs of a grant is the host's answer (block size and type of the same filesystem)
	"$B" stat -f -c '%t %S %l' "$T/src" > "$T/native.out"
	vm_vs "tmpfs/grant-statfs-is-the-hosts" "$T/native.out" 0 -- --ro "$T/src" "$B" stat -f -c '%t %S %l' "$T/src"
	printf '{"program": "%s", "args": ["stat", "-f", "-c", "%%T %%b", "/t"], "tmpfs": [{"path": "/t", "size": "1M"}]}' "$B" > "$T/job.json"
	expect_out "tmpfs/manifest" 0 "tmpfs 256" -- run --manifest "$T/job.json"
	expect_rc "tmpfs/outside-stays-read-only" 2 -- run --tmpfs /t --ro "$T/in.txt" "$B" sort -o "$T/in.txt" "$T/in.txt"
else
	skip "tmpfs/busybox" "no $B"
fi

# Bad values: exit 125 with one line, before any VM.
expect_err "tmpfs/relative-path" 125 "vmlet: tmpfs tmp: the path must be absolute and normalized, and not /" -- run --tmpfs tmp /bin/true
expect_err "tmpfs/bad-size" 125 "vmlet: --tmpfs: invalid size in '/tmp:lots' (try /tmp:64M)" -- run --tmpfs /tmp:lots /bin/true
expect_err "tmpfs/larger-than-mem" 125 "vmlet: tmpfs /tmp: size 1G is larger than the guest memory (64M)" -- run --mem 64M --tmpfs /tmp:1G /bin/true
expect_err "tmpfs/overlap" 125 "vmlet: tmpfs /tmp/x: overlaps tmpfs /tmp" -- run --tmpfs /tmp --tmpfs /tmp/x /bin/true
