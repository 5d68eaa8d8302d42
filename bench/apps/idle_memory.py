#!/usr/bin/python3
"""idle_memory.py - host memory of N idle python3 VMs blocked on stdin vs N idle native python3 processes (PSS, RSS)."""
import os
import signal
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

PYTHON = "/usr/bin/python3"
IDLE = "import sys; sys.stdin.read()"
TARGET = 1.3
READ = 0  # x86-64 read(2), on fd 0
WAITS = {7, 23, 232, 270, 271, 281}  # poll, select, epoll_wait, pselect6, ppoll, epoll_pwait


def descendants(pid):
    """pid and every process below it (vmlet may have helper processes)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as f:
                    ppid = int(f.read().rpartition(")")[2].split()[1])
            except OSError:
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, pending = [], [pid]
    while pending:
        p = pending.pop()
        found.append(p)
        pending += children.get(p, [])
    return found


def rollup(pid):
    """(Pss, Rss) of one process in KiB, from /proc/PID/smaps_rollup."""
    values = {}
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("Pss", "Rss"):
                values[key] = int(rest.split()[0])
    return values.get("Pss", 0), values.get("Rss", 0)


def blocked_reading_stdin(pid):
    """True when a thread of pid's tree sleeps in read(0, ...) (python natively), or in a wait
    for its fds (the VMM waiting on the guest's stdin pipe for it)."""
    for p in descendants(pid):
        try:
            tasks = os.listdir("/proc/%d/task" % p)
        except OSError:
            continue
        for t in tasks:
            try:
                with open("/proc/%d/task/%s/syscall" % (p, t)) as f:
                    fields = f.read().split()
            except OSError:
                continue
            if len(fields) > 1 and fields[0].isdigit():
                nr = int(fields[0])
                if (nr == READ and int(fields[1], 16) == 0) or nr in WAITS:
                    return True
    return False


def mem_available_kib():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1])
    return 0


class Idlers:
    """N processes started on open stdin pipes; stop() ends them all, however we leave."""

    def __init__(self):
        self.procs = []  # (pid, write end of its stdin pipe)

    def start(self, argv, n):
        for _ in range(n):
            r, w = os.pipe()
            try:
                pid = common.spawn(argv, stdin=r)
            finally:
                os.close(r)
            self.procs.append((pid, w))

    def wait_idle(self, timeout):
        """Seconds until every process blocks reading stdin; sys.exit if one dies or time runs out."""
        t0 = time.monotonic()
        pending = [pid for pid, _ in self.procs]
        while pending:
            for pid in list(pending):
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    sys.exit("idle_memory: %d exited early (status %d)" % (pid, os.waitstatus_to_exitcode(status)))
                if blocked_reading_stdin(pid):
                    pending.remove(pid)
            if time.monotonic() - t0 > timeout:
                sys.exit("idle_memory: %d processes not blocked on stdin after %d s" % (len(pending), timeout))
            time.sleep(0.1)
        return time.monotonic() - t0

    def measure(self):
        pss = rss = 0
        for pid, _ in self.procs:
            for p in descendants(pid):
                try:
                    a, b = rollup(p)
                except OSError:
                    continue
                pss += a
                rss += b
        return pss, rss

    def stop(self):
        """Closes every stdin (python reads EOF and exits), then SIGKILLs what is left after 30 s."""
        for _, w in self.procs:
            os.close(w)
        deadline = time.monotonic() + 30
        left = [pid for pid, _ in self.procs]
        while left and time.monotonic() < deadline:
            left = [pid for pid in left if os.waitpid(pid, os.WNOHANG)[0] == 0]
            time.sleep(0.05)
        for pid in left:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        self.procs = []
        return len(left)


def main():
    a = common.parse_args(__doc__, lambda p: p.add_argument(
        "--count", type=int, default=5 if common.QUICK else 50, help="idle processes per side"))
    sides = [
        ("vmlet run --root / python3 (VMM processes)", [a.vmlet, "run", "--root", "/", PYTHON, "-c", IDLE]),
        ("native python3", [PYTHON, "-c", IDLE]),
    ]
    # SIGTERM/SIGINT end the run through the finally below, which ends every idle process.
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, lambda *_: sys.exit("idle_memory: interrupted"))
    results = []
    for name, argv in sides:
        idlers = Idlers()
        try:
            before = mem_available_kib()
            idlers.start(argv, a.count)
            settle = idlers.wait_idle(900 if common.QUICK else 300)
            time.sleep(1)
            pss, rss = idlers.measure()
            drop = before - mem_available_kib()
        finally:
            killed = idlers.stop()
        results.append((name, pss, rss, drop, settle, killed))
    rows = [[name, a.count, "%.1f" % (pss / 1024), "%.1f" % (rss / 1024), "%.2f" % (pss / 1024 / a.count),
             "%.1f" % (drop / 1024), "%.1f" % settle, killed]
            for name, pss, rss, drop, settle, killed in results]
    pss_ratio = results[0][1] / results[1][1]
    rss_ratio = results[0][2] / results[1][2]
    rows.append(["ratio vmlet / native", "", "%.2fx" % pss_ratio, "%.2fx" % rss_ratio, "", "", "", ""])
    common.write_results(
        a.out, "idle_memory", a.commit,
        "Host memory of %d idle python3 VMs blocked on stdin vs %d idle native python3" % (a.count, a.count),
        ["side", "processes", "PSS MiB", "RSS MiB", "PSS MiB each", "MemAvailable drop MiB",
         "s until all idle", "killed at the end"], rows,
        ["Each process runs `python3 -c '%s'` on an open pipe; measured once every one sleeps in "
         "read(0) (the VMM reads the guest's stdin for it), plus 1 s. PSS and RSS are the sums of "
         "/proc/PID/smaps_rollup over the started processes and their children: PSS divides shared "
         "pages (the page cache of python3 and its libraries, mapped by the host into every VM) "
         "between their users. Guest memory is the VMM's anonymous memory, so it is counted; KVM's "
         "kernel memory (page tables, vCPU state) is not, and shows only in the system-wide "
         "MemAvailable drop, which other work on the machine moves." % IDLE,
         "At the end every stdin is closed (python reads EOF and exits); whatever is left after 30 s "
         "is killed (last column).", "",
         "Target: PSS ratio <= %.1fx: %.2fx, %s" % (TARGET, pss_ratio, common.verdict(pss_ratio, TARGET))])


if __name__ == "__main__":
    main()
