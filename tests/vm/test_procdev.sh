#!/bin/bash
# test_procdev.sh - the synthetic /proc and /dev the guest kernel serves: what real programs read there
# (compared with native runs where the answer is the same), devices, read-only-ness, and grants winning.
_own_work=; [ -z "${WORK:-}" ] && _own_work=1
. "$(dirname "$0")/lib.sh"
[ -n "$_own_work" ] && trap 'rm -rf "$WORK"' EXIT

# same_err_as_native NAME -- PROGRAM ARGS...: exit code and stderr equal a native run's (stdin /dev/null).
same_err_as_native() {
	local name=$1; shift
	[ "$1" = "--" ] && shift
	env -i PATH=/bin:/usr/bin HOME=/ "$@" < /dev/null > "$WORK/native.out" 2> "$WORK/native.err"
	local nrc=$?
	"$VMLET" run $VMLET_OPTS "$@" < /dev/null > "$WORK/vm.out" 2> "$WORK/vm.err"
	local vrc=$?
	if [ "$nrc" != "$vrc" ]; then fail "$name" "exit $vrc, native $nrc; stderr: $(head -c 300 "$WORK/vm.err")"; return; fi
	if ! cmp -s "$WORK/native.err" "$WORK/vm.err"; then fail "$name" "stderr '$(head -c 300 "$WORK/vm.err")', native '$(head -c 300 "$WORK/native.err")'"; return; fi
	pass "$name"
}

VMLET_OPTS="--root /"
# Devices: kind, numbers and permissions as on Linux.
same_as_native procdev/dev-stat /dev/null -- /usr/bin/stat -c '%n %F %t,%T %a' /dev/null /dev/zero /dev/full /dev/random /dev/urandom
expect_out procdev/dev-stdio-links 0 "$(printf '%s\n' /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2 /proc/self/fd /dev/null)" \
	-- run --root / /bin/readlink /dev/stdin /dev/stdout /dev/stderr /dev/fd /proc/self/fd/0
same_as_native procdev/urandom-read /dev/null -- /usr/bin/python3 -c 'import os
f = os.open("/dev/urandom", os.O_RDONLY); print(len(os.read(f, 8)), len(set(os.read(f, 64))) > 8)'
same_as_native procdev/zero-read-null-write /dev/null -- /usr/bin/python3 -c 'print(open("/dev/zero", "rb").read(5), open("/dev/null", "w").write("xyz"), open("/dev/null").read())'
same_err_as_native procdev/full-enospc-cp -- /bin/cp /etc/hostname /dev/full
same_as_native procdev/full-enospc-python /dev/null -- /usr/bin/python3 -c 'import errno
try:
    with open("/dev/full", "w") as f: f.write("x")
except OSError as e: print(e.errno == errno.ENOSPC, len(open("/dev/full", "rb").read(3)))'
run_vm "$WORK/out" "$WORK/err" /dev/null run --root / /usr/bin/head -c 8 /dev/urandom
if [ "$rc" = 0 ] && [ "$(wc -c < "$WORK/out")" = 8 ]; then pass procdev/head-urandom
else fail procdev/head-urandom "exit $rc, $(wc -c < "$WORK/out") bytes; stderr: $(head -c 300 "$WORK/err")"; fi

# /proc/self: the program's own files.
same_as_native procdev/ls-self-fd /dev/null -- /bin/ls /proc/self/fd/
same_as_native procdev/python-listdir-fd /dev/null -- /usr/bin/python3 -c 'import os; print(sorted(os.listdir("/proc/self/fd")))'
same_as_native procdev/readlink-exe /dev/null -- /bin/readlink /proc/self/exe
same_as_native procdev/cat-cmdline /dev/null -- /bin/cat /proc/self/cmdline
same_as_native procdev/environ /dev/null -- /usr/bin/python3 -c 'import os
print(sorted(open("/proc/self/environ", "rb").read().split(b"\0")[:-1]) == sorted(k + b"=" + v for k, v in os.environb.items()))'
same_as_native procdev/stat-fields /dev/null -- /usr/bin/python3 -c 'import os
s = open("/proc/self/stat").read(); f = s[s.rindex(")") + 2:].split()
print(len(f) + 2, s.split()[0] == str(os.getpid()), f[1] == str(os.getppid()), f[0], s.split()[1])'
same_as_native procdev/self-is-pid /dev/null -- /usr/bin/python3 -c 'import os
print(os.readlink("/proc/self") == str(os.getpid()), os.path.samefile("/proc/self/status", "/proc/%d/status" % os.getpid()))'
same_as_native procdev/fd-link-to-file /dev/null -- /usr/bin/python3 -c 'import os
f = open("/etc/hostname"); print(os.readlink("/proc/self/fd/%d" % f.fileno()), open("/dev/fd/%d" % f.fileno()).read() == open("/etc/hostname").read())'
expect_out procdev/status-fields 0 "$(printf 'Name:\tgrep\nState:\tR (running)\nTgid:\t2\nPid:\t2\nPPid:\t1\nUid:\t0\t0\t0\t0\nThreads:\t1')" \
	-- run --root / /bin/grep -E '^(Name|State|Tgid|Pid|PPid|Uid|Threads):' /proc/self/status
expect_out procdev/status-sigmasks 0 "True True" -- run --root / /usr/bin/python3 -c 'import signal
signal.signal(signal.SIGUSR1, signal.SIG_IGN); signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR2])
s = dict(l.split(":\t") for l in open("/proc/self/status").read().splitlines())
print(int(s["SigIgn"], 16) & (1 << 9) != 0, int(s["SigBlk"], 16) == 1 << 11)'
expect_out procdev/maps 0 "True True True" -- run --root / /usr/bin/python3 -c 'import os, sys
m = open("/proc/self/maps").read().splitlines(); lo = [int(l.split("-")[0], 16) for l in m]
print(lo == sorted(lo), any(l.endswith(" [stack]") for l in m), any(l.endswith(" " + os.readlink("/proc/self/exe")) for l in m))'

# /proc: the system, as one CPU and the VM's memory.
expect_out procdev/ls-proc 0 "$(printf '%s\n' 2 cpuinfo loadavg meminfo mounts self stat sys thread-self uptime version)" \
	-- run --root / /bin/ls /proc
expect_out procdev/ls-proc-sys 0 "$(printf '%s\n' /proc/sys/kernel: hostname ngroups_max osrelease ostype pid_max random version '' \
	/proc/sys/kernel/random: boot_id uuid '' /proc/sys/vm: overcommit_memory)" -- run --root / /bin/ls /proc/sys/kernel /proc/sys/kernel/random /proc/sys/vm
expect_out procdev/cpuinfo-one 0 "1 1 True" -- run --root / /usr/bin/python3 -c 'import os
c = open("/proc/cpuinfo").read(); print(c.count("processor\t:"), os.cpu_count(), "flags\t\t: fpu" in c)'
expect_out procdev/meminfo 0 "True 65536 True" -- run --root / --mem 64M /usr/bin/python3 -c '
m = {l.split(":")[0]: int(l.split()[1]) for l in open("/proc/meminfo")}
print(open("/proc/meminfo").readline().startswith("MemTotal:        "), m["MemTotal"], 0 < m["MemAvailable"] < m["MemTotal"])'
expect_out procdev/uptime-loadavg-stat 0 "True 5 True" -- run --root / /usr/bin/python3 -c '
u = open("/proc/uptime").read().split(); s = open("/proc/stat").read()
print(float(u[0]) >= 0, len(open("/proc/loadavg").read().split()), "\ncpu0 " in s and "\nbtime " in s)'
expect_out procdev/sys-kernel 0 "True Linux True 36" -- run --root / /usr/bin/python3 -c 'import os
r = lambda p: open("/proc/sys/" + p).read().strip()
print(r("kernel/osrelease") == os.uname().release, r("kernel/ostype"), r("kernel/hostname") == os.uname().nodename,
      len(r("kernel/random/uuid")))'

# Read-only: no new names, no writes to the texts; /dev/tty is absent (no terminal).
expect_out procdev/read-only 0 "EACCES EROFS EACCES ENOENT" -- run --root / /usr/bin/python3 -c 'import errno
def e(p, m):
    try: open(p, m); return "ok"
    except OSError as x: return errno.errorcode[x.errno]
print(e("/proc/new", "w"), e("/dev/new", "w"), e("/proc/cpuinfo", "w"), e("/dev/tty", "r"))'

# Grants at /dev and /proc paths win over the synthetic files, and their names are listed.
mkdir -p "$WORK/data"; echo granted > "$WORK/data/f"
expect_out procdev/grant-wins 0 "granted
granted" -- run --root / --ro "$WORK/data:/dev/data" --ro "$WORK/data/f:/proc/version" /bin/cat /dev/data/f /proc/version
expect_out procdev/grant-listed 0 "$(printf '%s\n' data fd full null random shm stderr stdin stdout urandom zero)" \
	-- run --root / --ro "$WORK/data:/dev/data" /bin/ls /dev
expect_out procdev/tmpfs-listed 0 "$(printf '%s\n' fd full null random shm stderr stdin stdout urandom zero)" \
	-- run --root / --tmpfs /dev/shm /bin/ls /dev
VMLET_OPTS=

# Without a root: /proc and /dev are there all the same (a static busybox).
expect_out procdev/no-root-exe 0 "/bin/busybox" -- run /bin/busybox readlink /proc/self/exe
expect_out procdev/no-root-ls-dev 0 "$(printf '%s\n' fd full null random stderr stdin stdout urandom zero)" -- run /bin/busybox ls /dev
expect_out procdev/no-root-status 0 "$(printf 'Threads:\t1')" -- run /bin/busybox grep Threads /proc/self/status
expect_out procdev/no-root-dev-null 0 "crw-rw-rw- 1,3" -- run /bin/busybox stat -c '%A %t,%T' /dev/null
