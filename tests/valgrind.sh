#!/bin/bash
# valgrind.sh - memcheck over the unit tests (real VMs included) and the CLI running a few guests; prints "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
: "${BUILD:=build-vg}"
export BUILD VMLET_NO_REAPER=1
# Without usable KVM here, the whole run goes into a QEMU guest that has it (scripts/qemu_kvm.sh).
if ! "$BUILD/tests/kvm_probe" > /dev/null 2>&1 && [ -z "${QEMU_KVM_GUEST:-}" ] && scripts/qemu_kvm.sh ready; then
	echo "note: no usable KVM here: memcheck runs in a QEMU guest with nested KVM (scripts/qemu_kvm.sh)"
	exec env QEMU_KVM_MEM="${QEMU_KVM_MEM:-4G}" timeout "${VMLET_TEST_GUEST_TIMEOUT:-2700}" \
		scripts/qemu_kvm.sh run "BUILD=$BUILD tests/valgrind.sh"
fi
VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --track-fds=no"
passed=0 failed=0 skipped=0
check() { # NAME WANT_RC CMD...
	local name=$1 want=$2 out rc; shift 2
	out=$("$@" 2>&1 </dev/null); rc=$?
	if [ "$rc" = "$want" ] && ! grep -q "^==[0-9]*== .*\(Invalid\|uninitialised\|definitely lost\)" <<<"$out"; then
		echo "ok valgrind/$name"; passed=$((passed + 1))
	else
		echo "FAIL valgrind/$name: exit $rc (want $want)"; echo "$out" | grep "^==" | head -20
		failed=$((failed + 1))
	fi
}
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	case "$(basename "$t")" in
	test_confine) continue ;; # seccomp kills valgrind's own calls
	test_hostfs | test_guest | test_filemap | test_path_search) continue ;; # grants and the search inside a root rely on openat2 (syscall 437), which valgrind 3.19 does not know
	esac
	check "$(basename "$t")" 0 $VG "$t"
done
# vm_check: check for a CLI run of a VM; skipped, saying why, where there is no usable KVM.
no_kvm=$("$BUILD/tests/kvm_probe" 2>&1)
vm_check() {
	if [ -n "$no_kvm" ]; then echo "skip valgrind/$1: needs a VM ($no_kvm)"; skipped=$((skipped + 1)); return; fi
	check "$@"
}
V="$VG $BUILD/vmlet run --no-seccomp"
vm_check hello-musl 0 $V "$BUILD/progs/demo_hello-musl"
vm_check hello-glibc 0 $V "$BUILD/progs/demo_hello-glibc"
# (no --ro here: valgrind 3.19 does not know openat2, on which grants rely)
vm_check busybox-sha256 0 $V /bin/busybox sha256sum
vm_check fault 139 $V "$BUILD/progs/crash-musl" null
vm_check timeout 124 $V --timeout 1s "$BUILD/progs/demo_spin-musl"
vm_check trace 0 $V --trace "$BUILD/progs/demo_hello-musl"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
