#!/usr/bin/env python3
"""The start-up cost of `mps-patch apply --persist`'s hook when nothing changed.

    python3 bench/hook_overhead.py build/mps-patch [--runs N] [--python EXE]

Makes a venv (with EXE, default /usr/bin/python3), installs a wheel of
fixtures/qlib-demo built by tests/cli/mkwheel.py (`pip install --no-index`),
patches it with `mps-patch apply --persist --python venv/bin/python`, then
times `venv/bin/python -c pass` with the hook's .pth in place and moved aside,
alternating run by run so that both see the same machine. Prints the medians
(wall time, and CPU time user + sys, which a busy machine stretches less) and
the overhead (median of the paired differences) in ms; exits 1 when the wall
overhead is 2 ms or more (the target), 2 when the set-up fails.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET_MS = 2.0


def run(cmd, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    if p.returncode != 0:
        sys.stderr.write("failed: %s\n%s%s" % (" ".join(cmd), p.stdout.decode(), p.stderr.decode()))
        sys.exit(2)
    return p.stdout.decode()


def time_start(py, env):
    """One `python -c pass`: wall time and CPU time (user + sys), in ms."""
    t = time.perf_counter()
    p = subprocess.Popen([py, "-c", "pass"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    err = p.stderr.read()
    p.stderr.close()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t
    if p.returncode != 0 or err:
        sys.stderr.write("python -c pass: exit %d, stderr %r\n" % (p.returncode, err[:200]))
        sys.exit(2)
    return wall * 1000.0, (ru.ru_utime + ru.ru_stime) * 1000.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mps_patch")
    ap.add_argument("--runs", type=int, default=300, help="timed starts with and without the hook, each (default 300)")
    ap.add_argument("--python", default="/usr/bin/python3", help="the interpreter the venv is made with")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (printed)")
    a = ap.parse_args()
    mps = os.path.abspath(a.mps_patch)

    work = tempfile.mkdtemp(prefix="mps-hook-bench.")
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") and k not in ("MPS_PATCH_NO_HOOK", "PYTHONPATH")}
        env.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
        venv = os.path.join(work, "venv")
        run([a.python, "-m", "venv", venv], env=env)
        py = os.path.join(venv, "bin", "python")
        wheel = run([a.python, os.path.join(REPO, "tests", "cli", "mkwheel.py"),
                     os.path.join(REPO, "fixtures", "qlib-demo"), "qlib", "pyqlib", "0.9.6",
                     os.path.join(work, "wheels")], env=env).strip()
        run([os.path.join(venv, "bin", "pip"), "install", "-q", "--no-index", "--no-deps", wheel], env=env)
        run([mps, "apply", "--persist", "--quiet", "--python", py], env=env)
        site = run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], env=env).strip()
        pth = os.path.join(site, "mps_patch_hook.pth")
        off = pth + ".off"  # site reads *.pth only
        if not os.path.exists(pth):
            sys.stderr.write("apply --persist installed no hook at %s\n" % pth)
            return 2
        # Nothing changed: the hook must stat RECORD and stop there.
        probe = "import sys; print('_mps_patch_hook' in sys.modules)"
        if run([py, "-c", probe], env=env).strip() != "False":
            sys.stderr.write("the hook imported its module although nothing changed\n")
            return 2

        def set_hook(on):
            src, dst = (off, pth) if on else (pth, off)
            if os.path.exists(src):
                os.replace(src, dst)

        for _ in range(10):  # warm the page cache and the bytecode caches
            time_start(py, env)
        with_hook, without, diffs, cpu_diffs = [], [], [], []
        for i in range(a.runs):
            got = {}
            for hooked in ((True, False) if i % 2 == 0 else (False, True)):
                set_hook(hooked)
                got[hooked] = time_start(py, env)
                (with_hook if hooked else without).append(got[hooked])
            diffs.append(got[True][0] - got[False][0])
            cpu_diffs.append(got[True][1] - got[False][1])
        set_hook(True)
        run([mps, "revert", "--quiet", "--python", py], env=env)

        overhead = statistics.median(diffs)
        cpu_overhead = statistics.median(cpu_diffs)
        wall = lambda xs: [x[0] for x in xs]
        cpu = lambda xs: [x[1] for x in xs]
        print("python: %s (venv of %s)" % (run([py, "-c", "import sys; print(sys.version.split()[0])"], env=env).strip(), a.python))
        print("runs: %d each, alternating; load average %s" % (a.runs, " ".join("%.2f" % x for x in os.getloadavg())))
        for name, xs in (("without the hook", without), ("with the hook   ", with_hook)):
            print("python -c pass %s: wall median %.2f ms (min %.2f), CPU median %.2f ms"
                  % (name, statistics.median(wall(xs)), min(wall(xs)), statistics.median(cpu(xs))))
        print("hook overhead: %.3f ms wall, %.3f ms CPU (medians of paired differences); target < %.1f ms: %s"
              % (overhead, cpu_overhead, TARGET_MS, "met" if overhead < TARGET_MS else "MISSED"))
        return 0 if overhead < TARGET_MS else 1
    finally:
        if a.keep:
            print("work directory: %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
