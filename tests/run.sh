#!/bin/bash
# run.sh - runs the whole suite: cmocka unit tests, then every tests/vm/test_*.sh; prints "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
: "${BUILD:=build}"
export BUILD VMLET="$BUILD/vmlet" PROGS="$BUILD/progs"
RESULTS=$(mktemp); export RESULTS
WORK=$(mktemp -d); export WORK
chmod 755 "$WORK" # checks that run as another user (--user nobody) reach their files below it
trap 'rm -rf "$RESULTS" "$WORK"' EXIT

# Without usable KVM here, the suite runs inside QEMU guests that have it (scripts/qemu_kvm.sh, when
# set up: `make check` and .ci/run do), split over VMLET_TEST_GUESTS guests side by side (default: one
# per CPU), each running the part VMLET_TEST_PART=i/n of the list below.
tests=()
for t in "$BUILD"/tests/test_*; do [ -f "$t" ] && [ -x "$t" ] && tests+=("$t"); done
tests+=(tests/vm/test_*.sh)
kvm=1
why=$("$BUILD/tests/kvm_probe" 2>&1) || kvm=
if [ -z "$kvm" ] && [ -z "${QEMU_KVM_GUEST:-}" ] && scripts/qemu_kvm.sh ready; then
	n=${VMLET_TEST_GUESTS:-$(nproc)}
	echo "note: no usable KVM here ($why): the suite runs in $n QEMU guests with nested KVM (scripts/qemu_kvm.sh)"
	for i in $(seq 1 "$n"); do
		QEMU_KVM_MEM=${QEMU_KVM_MEM:-6G} timeout "${VMLET_TEST_GUEST_TIMEOUT:-2700}" scripts/qemu_kvm.sh run "BUILD=$BUILD VMLET_TEST_PART=$i/$n VMLET_TEST_SLOW=${VMLET_TEST_SLOW:-5} tests/run.sh" \
			> "$WORK/part$i.log" 2>&1 &
	done
	wait
	passed=0 failed=0 skipped=0
	for i in $(seq 1 "$n"); do
		echo "=== guest $i of $n"
		cat "$WORK/part$i.log"
		read -r p f s < <(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p' "$WORK/part$i.log" | tail -1)
		[ -n "${p:-}" ] || { echo "FAIL guest $i of $n: no result (see above)"; f=1 p=0 s=0; }
		passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	done
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
	exit
fi

# The part of the list this run takes (every n-th, from the i-th).
part=${VMLET_TEST_PART:-1/1}
mine=()
for k in "${!tests[@]}"; do
	[ $((k % ${part#*/})) = $((${part%/*} - 1)) ] && mine+=("${tests[$k]}")
done

# Without usable KVM, every check that needs a VM is skipped, saying why (tests/vm/lib.sh);
# the unit tests that need one skip themselves (tests/unit/needs_kvm.h).
if [ -z "$kvm" ]; then
	export VMLET_TEST_NO_KVM="$why" VMLET_REAL="$(realpath "$VMLET")" VMLET="$PWD/tests/vm/no_kvm_vmlet.sh" KVM_NEEDED="$WORK/kvm/needed" \
		VMLET_TEST_TOOLS="$PATH"
	mkdir -m 0777 "$WORK/kvm" # runs as another user (--user checks) mark it too
	echo "note: no usable KVM here ($why): the checks that need a VM are skipped"
fi

for t in "${mine[@]}"; do
	case "$t" in *.sh) continue ;; esac
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

for t in "${mine[@]}"; do
	case "$t" in *.sh) ;; *) continue ;; esac
	[ -f "$t" ] || continue
	echo "== $t"
	start=$SECONDS
	bash "$t"
	echo "== $t: $((SECONDS - start)) s"
done

passed=$(grep -c '^pass$' "$RESULTS"); failed=$(grep -c '^fail$' "$RESULTS"); skipped=$(grep -c '^skip$' "$RESULTS")
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
