#!/usr/bin/python3
"""python_start.py - `python3 -c pass` under --root /: the whole `vmlet run` process vs native, interleaved medians."""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

PYTHON = "/usr/bin/python3"
TARGET = 1.5


def main():
    a = common.parse_args(__doc__, lambda p: p.add_argument(
        "--rounds", type=int, default=3 if common.QUICK else 30, help="timed rounds (one warm-up more)"))
    alts = {
        "vmlet run --root / python3 -c pass": [a.vmlet, "run", "--root", "/", PYTHON, "-c", "pass"],
        "native python3 -c pass": [PYTHON, "-c", "pass"],
    }
    probe = "import sys, json; print(json.dumps(sys.version_info[:2]), sys.argv)"
    outs = [common.run_capture(argv[:-1] + [probe], 600) for argv in alts.values()]
    if outs[0][:2] != outs[1][:2]:
        sys.exit("python_start: python3 in vmlet (status %d, %r, %s) differs from native (status %d, %r)"
                 % (outs[0][0], outs[0][1], outs[0][2].strip()[-300:], outs[1][0], outs[1][1]))

    def measure(name):
        seconds, status = common.run_timed(alts[name])
        if status != 0:
            sys.exit("python_start: %s exited %d" % (name, status))
        return seconds * 1000

    samples = common.interleave(list(alts), a.rounds, measure)
    vm, nat = (common.median(samples[n]) for n in alts)
    rows = [[name, "%.1f" % common.median(s), "%.1f" % min(s), "%.1f" % max(s), len(s)]
            for name, s in samples.items()]
    rows.append(["ratio vmlet / native", "%.2fx" % (vm / nat), "", "", ""])
    common.write_results(
        a.out, "python_start", a.commit,
        "python3 -c pass with --root /: whole vmlet run vs native",
        ["alternative", "median ms", "min ms", "max ms", "n"], rows,
        [common.INTERLEAVED[0].upper() + common.INTERLEAVED[1:] + "; both with vmlet's default "
         "environment (PATH=/bin:/usr/bin HOME=/), stdout to /dev/null.",
         "Output of a probe script checked equal to native before timing.", "",
         "Target: ratio <= %.1fx: %.2fx, %s" % (TARGET, vm / nat, common.verdict(vm / nat, TARGET))])


if __name__ == "__main__":
    main()
