#!/bin/bash
# qemu_kvm.sh - runs a command where /dev/kvm works: inside a QEMU guest (TCG, emulated AMD SVM with nested paging) on hosts that offer no KVM.
#
#   scripts/qemu_kvm.sh setup          fetch Debian's kernel and build the boot image (idempotent; needs root)
#   scripts/qemu_kvm.sh ready          exit 0 if set up for this version of the script
#   scripts/qemu_kvm.sh run CMD...     run CMD (a shell command line) in the guest, in the current directory;
#                                      its output streams here and its exit status is ours
#
# The guest is a throwaway test machine, not part of vmlet: Debian's kernel with kvm-amd, booted from a
# busybox initramfs, whose root is this machine's / over 9p (read-write, as root: the command sees the
# same files, builds and tools as here), with fresh /proc, /sys, /dev, and a tmpfs /tmp of its own.
# QEMU_KVM_MEM sizes it (default 12G). It has one vCPU: with two, the guest kernel locks up (soft lockup
# on both CPUs) after a few nested VMs have run, under QEMU 7.2's emulated SVM; run two guests side by
# side to use two cores. Exit 125 when the guest could not be booted or did not report a status.
set -euo pipefail
CACHE=${QEMU_KVM_CACHE:-/var/cache/vmlet-qemu-kvm}
MODULES="irqbypass kvm ccp kvm-amd virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
	 9pnet 9pnet_virtio netfs fscache 9p"

die() { echo "qemu_kvm.sh: $*" >&2; exit 125; }

# The boot image is rebuilt whenever this script changes.
STAMP=$(sha256sum "$0" | cut -d' ' -f1)

setup() {
	[ "$(cat "$CACHE/ready" 2>/dev/null)" = "$STAMP" ] && return 0
	[ "$(id -u)" = 0 ] || die "setup needs root (it installs packages)"
	local need=()
	command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
	command -v cpio >/dev/null || need+=(cpio)
	dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
	if [ ${#need[@]} -gt 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null ||
			{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }
	fi
	# Built beside the cache and swapped in whole: guests booting from the old one keep their files.
	local final=$CACHE CACHE=$CACHE.new.$$
	rm -rf "$CACHE" && mkdir -p "$CACHE/deb" "$CACHE/initrd/bin" "$CACHE/initrd/lib/modules"
	local pkg
	pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
	[ -n "$pkg" ] || die "cannot find Debian's kernel package (apt-cache depends linux-image-amd64)"
	(cd "$CACHE/deb" && apt-get download "$pkg" >/dev/null 2>&1) || die "cannot download $pkg"
	dpkg-deb -x "$CACHE"/deb/*.deb "$CACHE/root"
	cp "$CACHE"/root/boot/vmlinuz-* "$CACHE/vmlinuz"
	local m f
	for m in $MODULES; do
		f=$(find "$CACHE"/root/lib/modules -name "$m.ko" | head -1)
		[ -n "$f" ] || die "$pkg has no module $m.ko"
		cp "$f" "$CACHE/initrd/lib/modules/"
	done
	cp /bin/busybox "$CACHE/initrd/bin/busybox"
	cat > "$CACHE/initrd/init" <<-EOF
	#!/bin/busybox sh
	/bin/busybox --install -s /bin
	mkdir -p /proc /sys /dev /mnt
	mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
	for m in $(echo $MODULES); do insmod /lib/modules/\$m.ko || echo "init: insmod \$m failed"; done
	opts=trans=virtio,version=9p2000.L,msize=1048576
	mount -t 9p -o \$opts,cache=loose root /mnt || { echo "init: cannot mount the host's root"; poweroff -f; }
	mount -t proc proc /mnt/proc; mount -t sysfs sys /mnt/sys; mount -t devtmpfs dev /mnt/dev
	mkdir -p /mnt/dev/pts /mnt/dev/shm; mount -t devpts devpts /mnt/dev/pts; mount -t tmpfs shm /mnt/dev/shm
	ln -s /proc/self/fd /mnt/dev/fd; ln -s fd/0 /mnt/dev/stdin; ln -s fd/1 /mnt/dev/stdout; ln -s fd/2 /mnt/dev/stderr
	mount -t tmpfs tmp /mnt/tmp; mkdir /mnt/tmp/qemu-kvm; mount -t 9p -o \$opts job /mnt/tmp/qemu-kvm
	chroot /mnt /bin/bash /tmp/qemu-kvm/job.sh > /mnt/tmp/qemu-kvm/out 2>&1 < /dev/null
	echo \$? > /mnt/tmp/qemu-kvm/status
	umount /mnt/tmp/qemu-kvm; sync; poweroff -f
	EOF
	chmod +x "$CACHE/initrd/init"
	(cd "$CACHE/initrd" && find . | cpio -o -H newc 2>/dev/null | gzip -1 > "$CACHE/initrd.gz")
	rm -rf "$CACHE/root" "$CACHE/deb"
	echo "$STAMP" > "$CACHE/ready"
	rm -rf "$final.old" && { [ ! -e "$final" ] || mv "$final" "$final.old"; } && mv "$CACHE" "$final" && rm -rf "$final.old"
}

ready() { [ "$(cat "$CACHE/ready" 2>/dev/null)" = "$STAMP" ]; }

run() {
	ready || die "not set up: run 'scripts/qemu_kvm.sh setup' (as root) first"
	# Global, not local: the EXIT trap runs after run() has returned.
	job=$(mktemp -d /tmp/qemu-kvm.XXXXXX) qpid=
	trap 'if [ -n "$qpid" ]; then kill "$qpid" 2> /dev/null || true; fi
	      [ -s "$job/status" ] || tail -30 "$job/console" >&2 || true; rm -rf "$job"' EXIT
	trap 'exit 125' TERM INT HUP
	{
		echo "export PATH=$(printf %q "$PATH") HOME=$(printf %q "${HOME:-/root}") QEMU_KVM_GUEST=1"
		# the caller's exported variables, but those naming this machine's session or terminal
		export -p | grep -v -E '^declare -x (PATH|HOME|PWD|OLDPWD|SHLVL|TERM|TMPDIR|DISPLAY|SSH_[A-Z_]*)='
		echo "cd $(printf %q "$PWD") || exit 125"
		echo "$*"
	} > "$job/job.sh"
	: > "$job/out"
	qemu-system-x86_64 -accel tcg,thread=multi -cpu max -smp 1 -m "${QEMU_KVM_MEM:-12G}" \
		-nographic -no-reboot -kernel "$CACHE/vmlinuz" -initrd "$CACHE/initrd.gz" \
		-append 'console=ttyS0 loglevel=4 panic=-1' \
		-virtfs local,path=/,mount_tag=root,security_model=passthrough,id=root,multidevs=remap \
		-virtfs local,path="$job",mount_tag=job,security_model=passthrough,id=job \
		> "$job/console" 2>&1 &
	qpid=$!
	tail -n +1 --pid=$qpid -f "$job/out"
	wait $qpid || true
	[ -s "$job/status" ] || die "the guest did not report a status"
	return "$(cat "$job/status")"
}

case "${1:-}" in
setup) setup ;;
ready) ready ;;
run) shift; run "$@" ;;
*) echo "usage: scripts/qemu_kvm.sh setup | ready | run CMD..." >&2; exit 2 ;;
esac
