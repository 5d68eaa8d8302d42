#!/bin/bash
# demo.sh - runs real programs in fresh micro-VMs: a hello, then busybox hashing and sorting a generated file.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${BUILD:-build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo '$ vmlet run --stats build/progs/demo_hello-musl demo'
"$B/vmlet" run --stats "$B/progs/demo_hello-musl" demo
seq 1 200000 | awk '{print ($1 * 7919) % 100003}' > "$tmp/numbers.txt"
echo
echo '$ vmlet run /bin/busybox sha256sum < numbers.txt   (and natively, to compare)'
"$B/vmlet" run /bin/busybox sha256sum < "$tmp/numbers.txt"
sha256sum < "$tmp/numbers.txt"
echo
echo '$ vmlet run --ro DIR:/data /bin/busybox sort -n /data/numbers.txt | tail -3'
"$B/vmlet" run --ro "$tmp:/data" /bin/busybox sort -n /data/numbers.txt | tail -3
echo
echo '$ vmlet run --timeout 1s build/progs/demo_spin-musl   (an endless loop, stopped by the timeout)'
set +e
"$B/vmlet" run --timeout 1s "$B/progs/demo_spin-musl"
echo "exit status: $?"
