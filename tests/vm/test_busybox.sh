#!/bin/bash
# test_busybox.sh - busybox-static applets under vmlet, byte for byte against a native run
# of the same binary: once reading generated text on stdin, once reading files of a
# read-only grant given as arguments. Run from the repository root.
_own_work=; [ -z "${WORK:-}" ] && _own_work=1
. "$(dirname "$0")/lib.sh"
[ -n "$_own_work" ] && trap 'rm -rf "$WORK"' EXIT

BB=/bin/busybox
T="$WORK/busybox"
rm -rf "$T"; mkdir -p "$T/data" "$T/gz"
D="$T/data"

APPLETS="echo wc sort uniq sha256sum md5sum awk sed tr head gzip gunzip"
if [ ! -x "$BB" ]; then
	skip "busybox" "$BB not installed (apt-get install busybox-static)"
	exit 0
fi
"$VMLET" run "$BB" true < /dev/null > "$T/probe.out" 2> "$T/probe.err"
if [ $? = 126 ] && grep -q 'dynamically linked' "$T/probe.err"; then
	skip "busybox" "$BB is dynamically linked (needs busybox-static): $(cat "$T/probe.err")"
	exit 0
fi
missing=
for a in $APPLETS; do "$BB" --list 2> /dev/null | grep -qx "$a" || missing="$missing $a"; done
if [ -n "$missing" ]; then
	skip "busybox" "$BB lacks applets:$missing"
	exit 0
fi

# A few hundred KiB of text with runs of repeated lines (for uniq) and numeric columns.
seq 1 9000 | awk '{ n = ($1 * 7919) % 97; for (i = 0; i <= $1 % 3; i++)
	printf "row %05d word%d %s %d\n", int($1 / 2), n, (n % 2 ? "alpha" : "beta"), ($1 * 31) % 1000 }' > "$D/in.txt"
printf '{ s += $5; c[$4]++ } END { print s; for (k in c) print k, c[k] }\n' > "$D/prog.awk"
printf 's/alpha/ALPHA/g\n/beta/d\n' > "$D/prog.sed"
IN="$D/in.txt"

# Compare, for one applet invocation, the stdin form and (when FILE_ARGS are given) the file form.
# bb NAME 'ARGS...' (word-split) with stdin; bbf NAME ARGS... with the grant and files as arguments.
bb() {
	local name=$1; shift
	VMLET_OPTS='' same_as_native "busybox/stdin/$name" "$IN" -- "$BB" "$@"
}
bbf() {
	local name=$1; shift
	VMLET_OPTS="--ro $D" same_as_native "busybox/file/$name" /dev/null -- "$BB" "$@"
}

VMLET_OPTS='' same_as_native "busybox/echo" /dev/null -- "$BB" echo hello 'two  spaces' -n
VMLET_OPTS='' same_as_native "busybox/echo-e" /dev/null -- "$BB" echo -e 'a\tb\nc'

bb wc wc;                     bbf wc wc "$IN"
bb wc-l wc -l;                bbf wc-l wc -l "$IN" "$IN"
bb sort sort;                 bbf sort sort "$IN"
bb sort-keys sort -k5,5n -k3; bbf sort-keys sort -k5,5n -k3 "$IN"
bb sort-r-u sort -r -u;       bbf sort-r-u sort -r -u "$IN"
bb uniq uniq;                 bbf uniq uniq "$IN"
bb uniq-c uniq -c;            bbf uniq-c uniq -c "$IN"
bb sha256sum sha256sum;       bbf sha256sum sha256sum "$IN"
bb md5sum md5sum;             bbf md5sum md5sum "$IN" "$D/prog.awk"
bb awk awk '{ s += $5 } END { print s, NR }'; bbf awk awk '{ s += $5 } END { print s, NR }' "$IN"
bbf awk-f awk -f "$D/prog.awk" "$IN"
bb sed sed 's/alpha/ALPHA/g';  bbf sed sed 's/alpha/ALPHA/g' "$IN"
bbf sed-f sed -f "$D/prog.sed" "$IN"
bb tr tr a-z A-Z
bb tr-d tr -d '0-9'
bb head head -n 100;          bbf head head -n 100 "$IN"
bb head-c head -c 1000;       bbf head-c head -c 1000 "$IN"
bb gzip gzip -c;              bbf gzip gzip -c "$IN"

# gzip | gunzip round trip, both sides in vmlet.
"$VMLET" run "$BB" gzip -c < "$IN" 2> "$T/gz1.err" | "$VMLET" run "$BB" gunzip -c > "$T/rt.out" 2> "$T/gz2.err"
st=("${PIPESTATUS[@]}")
if [ "${st[0]}" != 0 ] || [ "${st[1]}" != 0 ]; then
	fail "busybox/stdin/gzip-gunzip-roundtrip" "exit ${st[0]} | ${st[1]}; stderr: $(head -c 200 "$T/gz1.err") $(head -c 200 "$T/gz2.err")"
elif ! cmp -s "$IN" "$T/rt.out"; then
	fail "busybox/stdin/gzip-gunzip-roundtrip" "output differs from input ($(wc -c < "$T/rt.out") vs $(wc -c < "$IN") bytes)"
else
	pass "busybox/stdin/gzip-gunzip-roundtrip"
fi

# Same through files: gzip a granted file, then gunzip that .gz from another grant.
"$VMLET" run --ro "$D" "$BB" gzip -c "$IN" < /dev/null > "$T/gz/in.txt.gz" 2> "$T/gz1.err"
r1=$?
"$VMLET" run --ro "$T/gz" "$BB" gunzip -c "$T/gz/in.txt.gz" < /dev/null > "$T/rtf.out" 2> "$T/gz2.err"
r2=$?
if [ "$r1" != 0 ] || [ "$r2" != 0 ]; then
	fail "busybox/file/gzip-gunzip-roundtrip" "exit $r1, $r2; stderr: $(head -c 200 "$T/gz1.err") $(head -c 200 "$T/gz2.err")"
elif ! cmp -s "$IN" "$T/rtf.out"; then
	fail "busybox/file/gzip-gunzip-roundtrip" "output differs from input ($(wc -c < "$T/rtf.out") vs $(wc -c < "$IN") bytes)"
else
	pass "busybox/file/gzip-gunzip-roundtrip"
fi
VMLET_OPTS="--ro $T/gz" same_as_native "busybox/file/gunzip" /dev/null -- "$BB" gunzip -c "$T/gz/in.txt.gz"
VMLET_OPTS='' same_as_native "busybox/stdin/gunzip" "$T/gz/in.txt.gz" -- "$BB" gunzip -c
