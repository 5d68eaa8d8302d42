#!/bin/bash
# no_kvm_vmlet.sh - stands in for vmlet in the VM tests on a machine without usable KVM: runs the real
# binary ($VMLET_REAL) and, when it stopped because /dev/kvm cannot be used, touches $KVM_NEEDED (kept
# until lib.sh records the check) and $KVM_NEEDED.last (this call), so that lib.sh records the check as
# skipped (it could not test what it meant to) instead of passed or failed. Its own tools come from the
# suite's PATH ($VMLET_TEST_TOOLS): checks give vmlet a PATH of their own.
tools=${VMLET_TEST_TOOLS:-$PATH}
err=$(PATH=$tools mktemp)
PATH=$tools rm -f "$KVM_NEEDED.last" 2> /dev/null
"$VMLET_REAL" "$@" 2> "$err"
rc=$?
text=$(< "$err")
PATH=$tools rm -f "$err"
if [[ "$text" == *"/dev/kvm"* ]]; then
	{ : > "$KVM_NEEDED"; : > "$KVM_NEEDED.last"; } 2> /dev/null
fi
[ -z "$text" ] || printf '%s\n' "$text" >&2
exit $rc
