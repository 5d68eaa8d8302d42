#!/bin/bash
# test_sparse.sh - address space beyond memory (the sparse region): tests/progs/sparse.c's 8 GiB
# reservation in a 256 MiB VM, mprotect inside it, a free hint honoured, MAP_FIXED(_NOREPLACE), a file
# read into that memory and written from it, compared byte for byte with the native run; touching a
# reservation or an unmapped range is SIGSEGV (139); a static Go program gets past its runtime's
# reservations (it then stops where it needs threads, which vmlet does not have yet); shared mappings
# of tmpfs files (sqlite3's WAL, python3's mmap with msync).
_own_work=; [ -z "${WORK:-}" ] && _own_work=1
. "$(dirname "$0")/lib.sh"
[ -n "$_own_work" ] && trap 'rm -rf "$WORK"' EXIT

T="$WORK/sparse"
mkdir -p "$T"
head -c 3000000 "$VMLET" > "$T/data"

for libc in musl glibc; do
	P="$PROGS/sparse-$libc"
	if [ ! -x "$P" ]; then fail "sparse/$libc/build" "$P missing (run make progs)"; continue; fi
	"$P" x "$T/data" > "$T/native.out" 2> /dev/null
	nrc=$?
	"$VMLET" run --mem 256M --ro "$T/data" "$P" x "$T/data" < /dev/null > "$T/vm.out" 2> "$T/vm.err"
	native_verdict "sparse/$libc/semantics" "$nrc" "$T/native.out" $? "$T/vm.out" "$T/vm.err"
	expect_rc "sparse/$libc/touch-reserved" 139 -- run "$P" touch-reserved
	expect_rc "sparse/$libc/touch-unmapped" 139 -- run "$P" touch-unmapped
done

# Go's runtime reserves hundreds of MiB (page summaries, arena hints at 0xc000000000) at start.
if [ -x /usr/bin/shfmt ]; then
	run_vm "$T/out" "$T/err" /dev/null -- run /usr/bin/shfmt --version
	if grep -q "failed to reserve\|out of memory" "$T/err"; then
		fail "sparse/go-runtime-reservations" "$(head -c 300 "$T/err")"
	elif [ "$rc" = 0 ] || grep -q "newosproc" "$T/err"; then
		pass "sparse/go-runtime-reservations"
	else
		fail "sparse/go-runtime-reservations" "exit $rc: $(head -c 300 "$T/err")"
	fi
else
	skip "sparse/go-runtime-reservations" "no /usr/bin/shfmt (Debian's shfmt, a static Go program)"
fi

# Shared mappings of tmpfs files are the file's pages: sqlite's WAL index (-shm) and python's mmap.
if [ -x /usr/bin/sqlite3 ]; then
	expect_out "sparse/sqlite3-wal-on-tmpfs" 0 "$(printf 'wal\n3')" -- run --root / --tmpfs /tmp /usr/bin/sqlite3 /tmp/db \
		'pragma journal_mode=wal; create table t(x); insert into t values(1),(2); select sum(x) from t;'
else
	skip "sparse/sqlite3-wal-on-tmpfs" "no /usr/bin/sqlite3"
fi
if [ -x /usr/bin/python3 ]; then
	expect_out "sparse/python3-mmap-shared" 0 "b'hello'" -- run --root / --tmpfs /tmp /usr/bin/python3 -c '
import mmap, os
fd = os.open("/tmp/f", os.O_RDWR | os.O_CREAT); os.ftruncate(fd, 8192)
m = mmap.mmap(fd, 8192); m[0:5] = b"hello"; m.flush(); m.close()
print(os.pread(fd, 5, 0))'
else
	skip "sparse/python3-mmap-shared" "no /usr/bin/python3"
fi
