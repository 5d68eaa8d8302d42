"""common.py - shared helpers of the application parts of `make bench`: options, the machine, interleaved timing, results files."""
import argparse
import csv
import os
import statistics
import sys
import time

# Every program runs with vmlet's default environment, natively too, so both sides read the same.
ENV = {"PATH": "/bin:/usr/bin", "HOME": "/"}
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
INTERLEAVED = ("interleaved round-robin with a rotating start, "
               + ("no warm-up (BENCH_QUICK)" if QUICK else "one warm-up round discarded"))


def parse_args(description, extra=None):
    """The options every part takes; extra(parser) adds a part's own."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--vmlet", required=True, help="the vmlet binary")
    p.add_argument("--data", required=True, help="directory for generated inputs (visible under --root /)")
    p.add_argument("--out", required=True, help="directory for the results files")
    p.add_argument("--commit", default="unknown", help="vmlet commit, written beside the results")
    p.add_argument("--progs", default="build/bench", help="directory of the guest programs bench.mk builds "
                   "from bench/progs/ (visible under --root /)")
    if extra:
        extra(p)
    a = p.parse_args()
    a.vmlet = os.path.realpath(a.vmlet)
    a.data = os.path.realpath(a.data)
    a.progs = os.path.realpath(a.progs)
    os.makedirs(a.data, exist_ok=True)
    os.makedirs(a.out, exist_ok=True)
    if not os.path.exists("/dev/kvm"):
        sys.exit("bench: no /dev/kvm on this machine; run `make bench` on a KVM host "
                 "(or in the QEMU guest of scripts/qemu_kvm.sh, with BENCH_QUICK=1, to check the scripts)")
    machine()
    return a


def _cpuinfo_field(name):
    with open("/proc/cpuinfo") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key.strip() == name:
                return value.strip()
    return ""


def kvm_kind():
    """Which KVM serves /dev/kvm: the vendor module or PVM, and whether this host is itself a guest."""
    kinds = [m for m in ("kvm_pvm", "kvm_intel", "kvm_amd") if os.path.isdir("/sys/module/" + m)]
    kind = "+".join(kinds) or "unknown (no kvm module listed in /sys/module)"
    if "hypervisor" in _cpuinfo_field("flags").split():
        kind += ", nested (this host runs under a hypervisor)"
    return kind


_machine = []


def machine():
    """The machine the figures were taken on, as (key, value) pairs, taken at the first call
    (parse_args makes it, so the load average is the one at the start)."""
    if _machine:
        return _machine
    u = os.uname()
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    _machine[:] = [
        ("date", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())),
        ("kernel", "%s %s" % (u.sysname, u.release)),
        ("cpu_vendor", _cpuinfo_field("vendor_id") or "unknown"),
        ("cpu", _cpuinfo_field("model name") or "unknown"),
        ("cpus", str(os.cpu_count())),
        ("mem_gib", "%.1f" % (mem_kib / 1048576)),
        ("kvm", kvm_kind()),
        ("load_average", "%.2f" % os.getloadavg()[0]),
        ("quick", "yes (BENCH_QUICK: shortened, not for comparison)" if QUICK else "no"),
    ]
    return _machine


def machine_lines(commit):
    m = dict(machine())
    return ["vmlet %s, %s" % (commit, m["date"]),
            "machine: %s, %s (%s), %s CPUs, %s GiB RAM" % (m["kernel"], m["cpu"], m["cpu_vendor"],
                                                          m["cpus"], m["mem_gib"]),
            "KVM: %s; 1-minute load average at the start: %s; quick: %s" % (m["kvm"], m["load_average"],
                                                                              m["quick"])]


def spawn(argv, stdin=None, stdout=None, stderr=None):
    """posix_spawn argv with the given fds (default /dev/null) and ENV; returns the pid."""
    null = os.open("/dev/null", os.O_RDWR)
    try:
        actions = [(os.POSIX_SPAWN_DUP2, fd if fd is not None else null, i)
                   for i, fd in enumerate((stdin, stdout, stderr))]
        return os.posix_spawn(argv[0], argv, ENV, file_actions=actions)
    finally:
        os.close(null)


def run_timed(argv, stdin_path=None):
    """Runs argv once, output to /dev/null; returns (seconds, exit status)."""
    fd = os.open(stdin_path or "/dev/null", os.O_RDONLY)
    try:
        t0 = time.perf_counter()
        pid = spawn(argv, stdin=fd)
        _, status = os.waitpid(pid, 0)
        t1 = time.perf_counter()
    finally:
        os.close(fd)
    return t1 - t0, os.waitstatus_to_exitcode(status)


def run_capture(argv, timeout, stdin_path=None):
    """Runs argv once; returns (exit status, stdout bytes, stderr text). Status 124 on timeout."""
    import subprocess
    try:
        with open(stdin_path or "/dev/null", "rb") as stdin:
            r = subprocess.run(argv, stdin=stdin, capture_output=True, env=ENV, timeout=timeout)
        return r.returncode, r.stdout, r.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        return 124, e.stdout or b"", (e.stderr or b"").decode(errors="replace") + "\n(timed out)"


def run_capture_to(argv, f):
    """Runs argv once with stdout to the open file f; sys.exit unless it succeeds."""
    import subprocess
    if subprocess.run(argv, stdout=f, env=ENV).returncode != 0:
        sys.exit("bench: %s failed" % " ".join(argv))


def interleave(alternatives, rounds, measure):
    """Round-robin over alternatives with a rotating start, one warm-up round discarded (none
    with BENCH_QUICK). measure(alt) returns a number; the result maps each alternative to its
    list of samples."""
    samples = {a: [] for a in alternatives}
    warmup = 0 if QUICK else 1
    for r in range(rounds + warmup):
        n = len(alternatives)
        for i in range(n):
            alt = alternatives[(r + i) % n]
            value = measure(alt)
            if r >= warmup:
                samples[alt].append(value)
    return samples


def median(values):
    return statistics.median(values) if values else float("nan")


def write_results(out, name, commit, title, header, rows, notes=()):
    """Writes out/name.md (machine, table, notes) and out/name.csv (machine as comment lines)
    through temporaries renamed at the end, and prints the markdown."""
    md = ["# " + title, ""] + ["    " + line for line in machine_lines(commit)] + [""]
    md.append("| " + " | ".join(header) + " |")
    md.append("|" + "---|" * len(header))
    md += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    md += [""] + list(notes)
    text = "\n".join(md).rstrip() + "\n"
    with open(os.path.join(out, name + ".md.tmp"), "w") as f:
        f.write(text)
    with open(os.path.join(out, name + ".csv.tmp"), "w", newline="") as f:
        for key, value in machine() + [("vmlet_commit", commit)]:
            f.write("# %s: %s\n" % (key, value))
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    for ext in (".md", ".csv"):
        os.replace(os.path.join(out, name + ext + ".tmp"), os.path.join(out, name + ext))
    print(text)
    print("wrote %s/%s.md and %s.csv" % (out, name, name))


def verdict(value, limit):
    return "met" if value <= limit else "NOT MET"
