#!/usr/bin/python3
"""processes.py - fork, exec, posix_spawn, pipes, a shell and gcc in vmlet (--root /, each guest process its own micro-VM) vs native, interleaved medians (issue 11)."""
import os
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

SH = "/bin/sh"
TMPFS = "/tmp"
TIMEOUT = 600
SMALL_C = r"""#include <stdio.h>
static unsigned long fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
int main(void) { printf("fib(20) = %lu\n", fib(20)); return 0; }
"""


class Row:
    """One measure. argv(side, n) is the command for n iterations ("vm" or "native" side); with a
    loop (n_full, n_quick), the figure is the time of n iterations less the time of 0 in the same
    round (program start and VM creation cancel), per iteration in microseconds, or as a
    throughput of mib_per_iter MiB per iteration in MB/s; without, the wall time of the whole run.
    check_argv(side), when given, is run instead of argv to compare outputs (for a command whose
    own output shows nothing). needs names what vmlet lacks when the row is known not to run yet
    (checked all the same). label is the row's short name in the plot."""

    def __init__(self, name, argv, target, loop=None, mib_per_iter=None, check_argv=None, tmpfs=False,
                 needs=None, label=None):
        self.name, self.argv, self.target, self.loop, self.label = name, argv, target, loop, label or name
        self.mib_per_iter, self.check_argv, self.tmpfs, self.needs = mib_per_iter, check_argv, tmpfs, needs

    def n(self):
        return (self.loop[1] if common.QUICK else self.loop[0]) if self.loop else None

    def unit(self):
        return "MB/s" if self.mib_per_iter else "us" if self.loop else "s"

    def higher_is_better(self):
        return self.mib_per_iter is not None


def rows(progs, data, native_dir):
    """The table's rows; the native gcc row works in native_dir (the VM's in a --tmpfs /tmp)."""
    procs = os.path.join(progs, "procs-musl")
    hello = os.path.join(progs, "hello-musl")
    for path in (procs, hello):
        if not os.access(path, os.X_OK):
            sys.exit("processes: %s missing (make bench builds it)" % path)
    small_c = os.path.join(data, "small.c")
    if not os.path.exists(small_c):
        with open(small_c + ".tmp", "w") as f:
            f.write(SMALL_C)
        os.replace(small_c + ".tmp", small_c)
    commands = 20 if common.QUICK else 200
    dd = "dd if=/dev/zero bs=1M count=%d status=none | "

    def loop(*argv):
        return lambda side, n: [procs, argv[0], str(n), *argv[1:]]

    return [
        Row("fork + _exit + waitpid", loop("fork"), ("<=", 3.0), loop=(2000, 20), label="fork+_exit"),
        Row("fork + execve(static hello) + waitpid", loop("exec", hello), ("<=", 3.0), loop=(1000, 10),
            label="fork+execve"),
        Row("posix_spawn(static hello) + waitpid (musl)", loop("spawn", hello), ("<=", 2.0), loop=(1000, 10),
            label="posix_spawn"),
        Row("pipe throughput: dd bs=1M | cat > /dev/null (sh)",
            lambda side, n: [SH, "-c", dd % n + "cat > /dev/null"], (">=", 1.0), loop=(2000, 20),
            mib_per_iter=1, check_argv=lambda side: [SH, "-c", dd % 20 + "wc -c"]),
        Row("1-byte ping-pong round trip over two pipes", loop("pingpong"), ("<=", 2.0), loop=(20000, 200),
            label="pipe round trip"),
        Row("sh script running %d external commands (/bin/true)" % commands,
            lambda side, n: [SH, "-c", 'n=0; while [ $n -lt %d ]; do /bin/true && n=$((n + 1)); done; echo $n'
                             % commands], ("<=", 2.0)),
        Row("gcc -O2 of a small C file, then run it (whole run)",
            lambda side, n: [SH, "-c", 'cd "$1" && gcc -O2 -o small "$2" && ./small', SH,
                             TMPFS if side == "vm" else native_dir, small_c], ("<=", 1.5), tmpfs=True,
            needs="a tmpfs shared between processes (cc1, as and ld hand their files to each other in "
                  "/tmp: each process has its own copy of the tmpfs today)"),
    ]


def vm_argv(vmlet, row, argv):
    return [vmlet, "run", "--root", "/", "--timeout", "%ds" % TIMEOUT] + (
        ["--tmpfs", TMPFS] if row.tmpfs else []) + argv


def side_argv(vmlet, row, side, n):
    argv = row.argv(side, n)
    return vm_argv(vmlet, row, argv) if side == "vm" else argv


def last_line(text):
    """The last non-empty line of a program's stderr, shortened: usually its error."""
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return lines[-1][:160] if lines else "no message"


def check(vmlet, row):
    """Runs the row (or its check command) once each way, outputs compared: (None when the VM's
    stdout and status equal native's, else why not, whether it runs natively)."""
    for argv in ([row.check_argv] if row.check_argv else []) + [lambda side: row.argv(side, row.n())]:
        native = common.run_capture(argv("native"), TIMEOUT)
        if native[0] != 0:
            return "fails natively (status %d: %s)" % (native[0], last_line(native[2])), False
        vm = common.run_capture(vm_argv(vmlet, row, argv("vm")), TIMEOUT + 60)
        if vm[:2] == native[:2]:
            continue
        what = "status %d" % vm[0] if vm[0] != native[0] else "output differs from native"
        if vm[0] == 124:
            what = "timed out after %d s" % TIMEOUT
        detail = "%s: %s" % (what, last_line(vm[2]))
        if row.needs:
            return "does not run yet: needs %s (%s)" % (row.needs, detail), True
        return "fails in vmlet (%s)" % detail, True
    return None, True


def measure(vmlet, row, rounds, sides=("vm", "native")):
    """Interleaved rounds of the sides (with a loop: n and 0 iterations each); for each side the
    median figure (us per iteration, MB/s or s) and the round count."""
    n = row.n()
    alternatives = [(side, k) for side in sides for k in ((n, 0) if row.loop else (None,))]

    def one(alt):
        seconds, status = common.run_timed(side_argv(vmlet, row, *alt))
        if status != 0:
            sys.exit("processes: %s (%s, n=%s) exited %d" % (row.name, alt[0], alt[1], status))
        return seconds

    samples = common.interleave(alternatives, rounds, one)
    figures = {}
    for side in sides:
        if not row.loop:
            figures[side] = common.median(samples[(side, None)])
            continue
        # Paired by round: the loop's time is the n run less the 0 run of the same round.
        loop_seconds = [max(a - b, 1e-9) for a, b in zip(samples[(side, n)], samples[(side, 0)])]
        if row.mib_per_iter:
            figures[side] = common.median([n * row.mib_per_iter * 1048576 / 1e6 / s for s in loop_seconds])
        else:
            figures[side] = common.median([s / n * 1e6 for s in loop_seconds])
    return figures, rounds


def ratio_verdict(row, vm, native):
    """The ratio vmlet / native and whether it meets the row's target."""
    ratio = vm / native
    op, limit = row.target
    met = ratio >= limit if op == ">=" else ratio <= limit
    return ratio, "met" if met else "NOT MET"


def main():
    a = common.parse_args(__doc__, lambda p: (
        p.add_argument("--rounds", type=int, default=1 if common.QUICK else 7, help="timed rounds per row"),
        p.add_argument("--only", default="", help="run only the rows whose name contains this")))
    native_dir = tempfile.mkdtemp(prefix="vmlet-bench-gcc-")
    results, plot = [], []
    try:
        for row in rows(a.progs, a.data, native_dir):
            if a.only not in row.name:
                continue
            n = row.n() or ""
            target = "%s %gx" % row.target
            print("processes: %s ..." % row.name, flush=True)
            why, runs_natively = check(a.vmlet, row)
            if why:
                native = ""
                if runs_natively:  # the native figure alone, the baseline for when vmlet can run it
                    native = "%.4g" % measure(a.vmlet, row, a.rounds, ("native",))[0]["native"]
                results.append([row.name, n, row.unit(), "", native, "", target,
                                "not run" if not runs_natively else "does not run in vmlet",
                                a.rounds if runs_natively else 0, why])
                continue
            figures, rounds = measure(a.vmlet, row, a.rounds)
            ratio, verdict = ratio_verdict(row, figures["vm"], figures["native"])
            results.append([row.name, n, row.unit(), "%.4g" % figures["vm"], "%.4g" % figures["native"],
                            "%.3f" % ratio, target, verdict, rounds, ""])
            if row.unit() == "us":
                plot.append((row.label, figures["vm"], figures["native"]))
    finally:
        shutil.rmtree(native_dir, ignore_errors=True)
    dat = os.path.join(a.out, "processes.dat")
    if plot:
        with open(dat + ".tmp", "w") as f:
            f.write("# measure\tvmlet us\tnative us\n")
            for name, vm, native in plot:
                f.write('"%s"\t%.3f\t%.3f\n' % (name, vm, native))
        os.replace(dat + ".tmp", dat)
    elif os.path.exists(dat):
        os.remove(dat)
    common.write_results(
        a.out, "processes", a.commit,
        "Processes in vmlet (--root /, one micro-VM per guest process) vs native",
        ["measure", "iterations", "unit", "vmlet", "native", "ratio vmlet/native", "target", "verdict", "n",
         "why not run"], results,
        ["Both sides run the same static programs (bench/progs/procs.c, hello.c, musl) and Debian's "
         "/bin/sh, dd, cat and gcc with the same arguments; %s; medians of n rounds. Each row runs once in "
         "the VM first and is timed only if its stdout and exit status equal native's; otherwise it says "
         "why, and only the native figure is given." % common.INTERLEAVED,
         "",
         "Units: us is microseconds per iteration of a loop inside one program (or one shell): the run "
         "with N iterations less the run with 0 in the same round, divided by N, so that process start "
         "and VM creation cancel. MB/s is N MiB through the pipe over the same difference (higher is "
         "better, so the target is a floor). s is the wall time of the whole run, `vmlet run` included."])


if __name__ == "__main__":
    main()
