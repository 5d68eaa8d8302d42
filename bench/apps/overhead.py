#!/usr/bin/python3
"""overhead.py - the classic hypervisor overhead table: Debian's CPU benchmarks in vmlet (--root /) vs native, interleaved medians."""
import os
import re
import shutil
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import inputs  # noqa: E402

TARGET_PCT = 2.0
TMPFS = "/tmp"


class Row:
    """One benchmark. argv(side) gives the command ("vm" or "native"); rate(stdout) parses a
    throughput (higher is better) from a time-based benchmark, or None: then the figure is the
    wall time of the whole process. check(stdout) is what must be equal in the VM and natively.
    needs names what vmlet lacks when the row is known not to run (checked all the same)."""

    def __init__(self, name, argv, package, unit="s", rate=None, check=None, tmpfs=False,
                 needs=None, stdin=None, timeout=600):
        self.name, self.argv, self.package, self.unit = name, argv, package, unit
        self.rate, self.check, self.tmpfs, self.needs = rate, check, tmpfs, needs
        self.stdin, self.timeout = stdin, timeout


def openssl_rate(stdout):
    """openssl speed -mr: "+F:n:alg:bytes/s" for the one block size asked; in MB/s."""
    m = re.search(rb"^\+F:\d+:[^:]+:([0-9.]+)$", stdout, re.M)
    return float(m.group(1)) / 1e6 if m else None


def openssl_check(stdout):
    """The algorithm and block size lines, without the figures."""
    return re.sub(rb":[0-9.]+$", b"", b"\n".join(l for l in stdout.splitlines() if l.startswith((b"+H", b"+F"))),
                  flags=re.M)


def sevenzip_rate(stdout):
    """7z b: the "Tot:" line's total rating in MIPS (last figure)."""
    m = re.search(rb"^Tot:.*?(\d+)\s*$", stdout, re.M)
    return float(m.group(1)) if m else None


def sevenzip_check(stdout):
    """The benchmark's dictionary and pass layout, without ratings, versions and CPU lines."""
    keep = [l.split(b":")[0] for l in stdout.splitlines() if re.match(rb"^(\d+|Avr|Tot):", l)]
    return b"\n".join(keep) + (b"\nTot" if sevenzip_rate(stdout) is not None else b"")


def postmark_check(stdout):
    """postmark's counts (fixed seed: the same everywhere), without times and rates."""
    lines = [re.sub(rb"\([^)]*per second\)", b"", l) for l in stdout.splitlines()]
    return b"\n".join(l for l in lines if not re.search(rb"second|^PostMark|[Cc]onfiguration", l))


def rows(data, quick):
    """The table's rows, with their inputs made under data."""
    mib = 1 if quick else 8
    corpus = inputs.corpus(data, mib)
    gz, xz = corpus + ".gz", corpus + ".xz"
    for path, argv in ((gz, ["gzip", "-6", "-c", corpus]), (xz, ["xz", "-T1", "-6", "-c", corpus])):
        if not os.path.exists(path):
            with open(path + ".tmp", "wb") as f:
                common.run_capture_to(argv, f)
            os.replace(path + ".tmp", path)
    seqs = inputs.sequences(data, 20 if quick else 60, 300 if quick else 1000)
    scene = inputs.scene(data)
    secs = "1" if quick else "2"
    pm_files, pm_trans = (100, 300) if quick else (2000, 20000)
    pm_native_dir = "/dev/shm/vmlet-bench-postmark-%d" % os.getpid()
    pm = {"vm": inputs.postmark_config(data, "postmark-vm.cfg", TMPFS, pm_files, pm_trans),
          "native": inputs.postmark_config(data, "postmark-native.cfg", pm_native_dir, pm_files, pm_trans)}
    size = "%dx%d" % ((64, 48) if quick else (320, 240))
    w, h = size.split("x")

    def speed(*alg):
        return lambda side: ["/usr/bin/openssl", "speed", "-mr", "-seconds", secs, "-bytes", "8192", *alg]

    def fixed(*argv):
        return lambda side: list(argv)

    legacy = ("-provider", "legacy", "-provider", "default")
    key = ("-K", "00112233445566778899aabbccddeeff0011223344556677", "-iv", "0011223344556677")
    timer = "timer signals (SIGALRM from alarm(); issue 12)"
    speed_timeout = 10 * int(secs) + 20
    sevenzip_dict = "18" if quick else "22"
    pipes = "pipes (xz makes a pipe to wake itself from its signal handler; issue 11)"
    return [
        Row("openssl speed md5 (8 KiB blocks)", speed("md5"), "openssl", "MB/s", openssl_rate, openssl_check,
            needs=timer, timeout=speed_timeout),
        Row("openssl speed des-ede3 (8 KiB blocks)", speed("des-ede3"), "openssl", "MB/s", openssl_rate,
            openssl_check, needs=timer, timeout=speed_timeout),
        Row("openssl speed bf-cbc (8 KiB blocks)", speed("-evp", "bf-cbc", *legacy), "openssl", "MB/s",
            openssl_rate, openssl_check, needs=timer, timeout=speed_timeout),
        Row("openssl speed sha256 (8 KiB blocks)", speed("sha256"), "openssl", "MB/s", openssl_rate,
            openssl_check, needs=timer, timeout=speed_timeout),
        Row("openssl dgst -md5 (corpus)", fixed("/usr/bin/openssl", "dgst", "-md5", corpus), "openssl"),
        Row("openssl enc -des-ede3-cbc (corpus)",
            fixed("/usr/bin/openssl", "enc", "-des-ede3-cbc", *key, "-in", corpus), "openssl"),
        Row("openssl enc -bf-cbc (corpus)",
            fixed("/usr/bin/openssl", "enc", "-bf-cbc", *legacy, "-K", key[1][:32], *key[2:], "-in", corpus),
            "openssl"),
        Row("openssl dgst -sha256 (corpus)", fixed("/usr/bin/openssl", "dgst", "-sha256", corpus), "openssl"),
        # A fixed dictionary: by default 7z sizes it from the RAM it sees, the VM's or the host's.
        Row("7z b -mmt1 -md%s" % sevenzip_dict, fixed("/usr/lib/p7zip/7z", "b", "-mmt1", "-md" + sevenzip_dict,
                                                       *(["1"] if quick else [])),
            "p7zip-full", "MIPS", sevenzip_rate, sevenzip_check),
        Row("povray %s scene, 1 render thread" % size,
            fixed("/usr/bin/povray", "+I" + scene, "+O-", "+FP", "+W" + w, "+H" + h, "+WT1", "-D", "-V"),
            "povray", needs="threads (povray's front end and back end are threads; issue 12)"),
        Row("mafft (%s)" % os.path.basename(seqs), fixed("/usr/bin/mafft", "--quiet", "--thread", "1", seqs),
            "mafft", needs="fork, exec and pipes (mafft is a bash script running its aligners; issue 11)"),
        Row("postmark %d files, %d transactions (tmpfs)" % (pm_files, pm_trans),
            lambda side: ["/usr/bin/postmark", pm[side]], "postmark", check=postmark_check, tmpfs=True),
        Row("gzip -6 (corpus)", fixed("/bin/gzip", "-6", "-c", corpus), "gzip"),
        Row("gzip -d (corpus)", fixed("/bin/gzip", "-d", "-c", gz), "gzip"),
        Row("xz -6 -T1 (corpus)", fixed("/usr/bin/xz", "-T1", "-6", "-c", corpus), "xz-utils", needs=pipes),
        Row("xz -d (corpus)", fixed("/usr/bin/xz", "-d", "-c", xz), "xz-utils", needs=pipes),
    ], corpus, pm_native_dir


def vm_argv(vmlet, row, timeout=None):
    argv = [vmlet, "run", "--root", "/"]
    if row.tmpfs:
        argv += ["--tmpfs", TMPFS]
    if timeout:
        argv += ["--timeout", "%ds" % timeout]
    return argv + row.argv("vm")


def last_line(text):
    """The last non-empty line of a program's stderr, shortened: usually its error."""
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return lines[-1][:160] if lines else "no message"


def check(vmlet, row):
    """Runs the row once each way: (None when the VM's result matches native, else why not,
    whether it runs natively)."""
    native = common.run_capture(row.argv("native"), row.timeout, row.stdin)
    if native[0] != 0:
        return "fails natively (status %d: %s)" % (native[0], last_line(native[2])), False
    vm = common.run_capture(vm_argv(vmlet, row, row.timeout), row.timeout + 60, row.stdin)
    same = (row.check or (lambda out: out))
    if vm[0] == 0 and same(vm[1]) == same(native[1]) and (not row.rate or row.rate(vm[1])):
        return None, True
    what = "status %d" % vm[0] if vm[0] != 0 else "output differs from native"
    if vm[0] == 124:
        what = "timed out after %d s" % row.timeout
    if row.needs:
        return "needs %s (%s: %s)" % (row.needs, what, last_line(vm[2])), True
    return "%s: %s" % (what, last_line(vm[2])), True


def measure(vmlet, row, rounds, sides=("vm", "native")):
    """Interleaved medians of the sides: (vm figure or None, native figure, n)."""
    def one(side):
        argv = vm_argv(vmlet, row) if side == "vm" else row.argv("native")
        if row.rate:
            status, out, err = common.run_capture(argv, row.timeout, row.stdin)
            value = row.rate(out) if status == 0 else None
            if value is None:
                sys.exit("overhead: %s (%s) failed: status %d, %s" % (row.name, side, status, last_line(err)))
            return value
        seconds, status = common.run_timed(argv, row.stdin)
        if status != 0:
            sys.exit("overhead: %s (%s) exited %d" % (row.name, side, status))
        return seconds

    samples = common.interleave(list(sides), rounds, one)
    vm = common.median(samples["vm"]) if "vm" in sides else None
    return vm, common.median(samples["native"]), len(samples["native"])


def main():
    a = common.parse_args(__doc__, lambda p: (
        p.add_argument("--rounds", type=int, default=1 if common.QUICK else 5, help="timed rounds per row"),
        p.add_argument("--only", default="", help="run only the rows whose name contains this")))
    table, corpus, pm_native_dir = rows(a.data, common.QUICK)
    os.makedirs(pm_native_dir, exist_ok=True)
    results, plot = [], []
    try:
        for row in table:
            if a.only not in row.name:
                continue
            if shutil.which(row.argv("native")[0]) is None:
                results.append([row.name, row.package, row.unit, "", "", "", "", 0, "not run",
                                "%s not installed (bench/apps/setup.sh installs it)" % row.argv("native")[0]])
                continue
            print("overhead: %s ..." % row.name, flush=True)
            why, runs_natively = check(a.vmlet, row)
            if why:
                native, n = "", 0
                if runs_natively:  # the native figure alone, the baseline for when vmlet can run it
                    native, n = "%.4g" % measure(a.vmlet, row, a.rounds, ("native",))[1], a.rounds
                results.append([row.name, row.package, row.unit, "", native, "", "", n,
                                "does not run in vmlet" if runs_natively else "not run", why])
                continue
            vm, native, n = measure(a.vmlet, row, a.rounds)
            # Overhead: how much longer the VM takes for the same work (rates inverted).
            ratio = native / vm if row.rate else vm / native
            pct = (ratio - 1) * 100
            results.append([row.name, row.package, row.unit, "%.4g" % vm, "%.4g" % native, "%.3f" % ratio,
                            "%+.1f" % pct, n, "met" if pct <= TARGET_PCT else "NOT MET", ""])
            plot.append((row.name, pct))
    finally:
        shutil.rmtree(pm_native_dir, ignore_errors=True)
    with open(os.path.join(a.out, "overhead.dat"), "w") as f:
        f.write("# row\toverhead %\n")
        for name, pct in plot:
            f.write('"%s"\t%.2f\n' % (name, pct))
    common.write_results(
        a.out, "overhead", a.commit,
        "Hypervisor overhead: Debian's programs in vmlet (--root /) vs native",
        ["benchmark", "package", "unit", "vmlet", "native", "time ratio vmlet/native", "overhead %", "n",
         "target <= %g%%" % TARGET_PCT, "why not run"], results,
        ["Same inputs both ways (fixed seeds; corpus %s, sha256 %s); %s; medians of n rounds. "
         "Units: s is the wall time of the whole process (`vmlet run` included, so VM creation "
         "counts); MB/s and MIPS are the benchmark's own figure (higher is better), turned into a time ratio (native / vmlet). Each row runs once in the VM first and is "
         "timed only if its output equals native's (for timing benchmarks: the same lines without their "
         "figures); otherwise it says why, and only the native figure is given. Rows are from the classic KVM/Xen vs bare-metal comparison "
         "(OpenSSL MD5, DES, Blowfish, 7-Zip, POV-Ray, MAFFT, PostMark), where KVM cost 0.2-2.8%%."
         % (os.path.basename(corpus), inputs.sha256(corpus)[:16], common.INTERLEAVED),
         "", "Target: every row within %g%% of native." % TARGET_PCT])


if __name__ == "__main__":
    main()
