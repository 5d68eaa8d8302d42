#!/bin/bash
# deps.sh - installs the Debian packages vmlet needs to build, test and benchmark (idempotent; needs root).
set -euo pipefail
packages=(gcc make libc6-dev musl-tools busybox-static shfmt libcmocka-dev libseccomp-dev libjansson-dev clang libclang-rt-14-dev
	  valgrind bubblewrap gnuplot-nox python3)
missing=()
for p in "${packages[@]}"; do
	dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps.sh: missing packages: ${missing[*]}; run as root or install them" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq "${missing[@]}" >/dev/null
	echo "deps.sh: installed ${missing[*]}"
fi
# Without /dev/kvm, the suite runs its VMs inside QEMU guests that have it (tests/run.sh).
if [ ! -e /dev/kvm ] && [ "$(id -u)" = 0 ]; then
	"$(dirname "$0")/qemu_kvm.sh" setup
fi
