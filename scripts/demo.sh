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

echo
echo '$ vmlet run --manifest job.json   (declared channels, a quota, a transactional output, a report)'
cat > "$tmp/job.json" <<JOB
{
  "version": 1,
  "program": "/bin/busybox",
  "args": ["sort", "-n", "-u", "/in/numbers.txt", "-o", "/out/sorted.txt"],
  "timeout": "10s",
  "channels": [
    {"guest": "/in", "host": "$tmp", "type": "directory"},
    {"guest": "/out/sorted.txt", "host": "$tmp/sorted.txt", "mode": "write", "limits": {"write_bytes": "4M"}}
  ],
  "deterministic": {"enabled": true, "epoch": 1700000000},
  "report": "$tmp/report.json"
}
JOB
"$B/vmlet" run --manifest "$tmp/job.json"
echo "exit status: $?; the output file now has $(wc -l < "$tmp/sorted.txt") lines; from the report:"
python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); out = r["channels"][-1]
print("  state", r["state"] + ",", r["exits"], "exits,", r["syscalls"]["total"], "syscalls;", out["guest"] + ":", out["writes"], "writes,", out["write_bytes"], "bytes, sha256", out["write_sha256"][:16] + "...")' "$tmp/report.json" 2>/dev/null || grep '"state"' "$tmp/report.json"
