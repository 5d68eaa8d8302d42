#!/bin/bash
# run.sh - runs the whole suite: cmocka unit tests, then every tests/vm/test_*.sh; prints "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
: "${BUILD:=build}"
export BUILD VMLET="$BUILD/vmlet" PROGS="$BUILD/progs"
RESULTS=$(mktemp); export RESULTS
WORK=$(mktemp -d); export WORK
trap 'rm -rf "$RESULTS" "$WORK"' EXIT

# Without usable KVM, every check that needs a VM is skipped, saying why (tests/vm/lib.sh);
# the unit tests that need one skip themselves (tests/unit/needs_kvm.h).
if ! why=$("$BUILD/tests/kvm_probe" 2>&1); then
	export VMLET_TEST_NO_KVM="$why" VMLET_REAL="$(realpath "$VMLET")" VMLET="$PWD/tests/vm/no_kvm_vmlet.sh" KVM_NEEDED="$WORK/kvm/needed" \
		VMLET_TEST_TOOLS="$PATH"
	mkdir -m 0777 "$WORK/kvm" # runs as another user (--user checks) mark it too
	echo "note: no usable KVM here ($why): the checks that need a VM are skipped"
fi

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	out=$("$t" 2>&1); status=$?
	echo "$out" | grep -E '^\[  (FAILED|ERROR)' | sed "s|^|$(basename "$t"): |"
	p=$(echo "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p')
	f=$(echo "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p')
	s=$(echo "$out" | sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p')
	echo "$out" | grep '^skip' | sed "s|^|$(basename "$t"): |"
	for _ in $(seq 1 "${p:-0}"); do echo pass >> "$RESULTS"; done
	for _ in $(seq 1 "${f:-0}"); do echo fail >> "$RESULTS"; done
	for _ in $(seq 1 "${s:-0}"); do echo skip >> "$RESULTS"; done
	if [ "$status" != 0 ] && [ -z "$f" ]; then echo "FAIL $(basename "$t"): exit $status"; echo fail >> "$RESULTS"; fi
	echo "unit $(basename "$t"): ${p:-0} passed, ${f:-0} failed, ${s:-0} skipped"
done

for t in tests/vm/test_*.sh; do
	[ -f "$t" ] || continue
	echo "== $t"
	start=$SECONDS
	bash "$t"
	echo "== $t: $((SECONDS - start)) s"
done

passed=$(grep -c '^pass$' "$RESULTS"); failed=$(grep -c '^fail$' "$RESULTS"); skipped=$(grep -c '^skip$' "$RESULTS")
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
