#!/usr/bin/env python3
"""Benchmark: mps-patch on a Qlib-sized tree.

Builds a synthetic tree in a temporary directory: the demo's model files
copied into many sub-packages (so there are hundreds of sites) plus plain
modules without device code, in about the proportions of an installed Qlib
(~400 Python files, ~30 of them with sites). Times `apply --dry-run`, `apply`,
`verify --no-probe` and `revert`, each several times, and reads the peak
resident memory of each run. Exits 1 when a target is missed.

    python3 bench/run.py [path/to/mps-patch] [--copies N] [--runs N]
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

# Targets for a Qlib-sized tree on one core of a small machine.
TARGET_SECONDS = {"apply --dry-run": 1.0, "apply": 1.5, "verify": 1.0, "revert": 1.0}
TARGET_RSS_MIB = 64


def build_tree(root, copies):
    demo = os.path.join(REPO, "fixtures", "qlib-demo", "qlib")
    pkg = os.path.join(root, "qlib")
    shutil.copytree(demo, pkg)
    models = os.path.join(demo, "contrib", "model")
    filler = "".join(
        f"def helper_{i}(frame, window=5):\n    \"\"\"Rolling statistic {i}.\"\"\"\n"
        f"    return frame.rolling(window).mean() * {i}\n\n" for i in range(40))
    for c in range(copies):
        dst = os.path.join(pkg, "contrib", f"zoo{c}")
        os.makedirs(dst)
        for name in os.listdir(models):
            if name.endswith(".py"):
                shutil.copy(os.path.join(models, name), dst)
        for k in range(40):
            with open(os.path.join(dst, f"ops_{k}.py"), "w") as f:
                f.write(filler)
    files = sum(len([n for n in fs if n.endswith(".py")]) for _, _, fs in os.walk(pkg))
    return pkg, files


def run(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if p.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr.decode()}")
    return elapsed, max(rss, before)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary", nargs="?", default=os.path.join(REPO, "build", "mps-patch"))
    ap.add_argument("--copies", type=int, default=8)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pkg, files = build_tree(tmp, args.copies)
        size = sum(os.path.getsize(os.path.join(d, n)) for d, _, fs in os.walk(pkg) for n in fs)
        print(f"tree: {files} Python files, {size / 1024:.0f} KiB, under {pkg}")
        b = args.binary
        results = {}
        # Each round: dry run, apply, verify on the patched tree, revert.
        steps = [("apply --dry-run", [b, "apply", "--dry-run", "--quiet", "--target", pkg]),
                 ("apply", [b, "apply", "--quiet", "--target", pkg]),
                 ("verify", [b, "verify", "--no-probe", "--quiet", "--target", pkg]),
                 ("revert", [b, "revert", "--quiet", "--target", pkg])]
        for _ in range(args.runs):
            for name, cmd in steps:
                results.setdefault(name, []).append(run(cmd))
        failed = False
        print(f"{'step':<16}{'median s':>10}{'min s':>10}{'max RSS MiB':>14}   target")
        for name, _ in steps:
            times = [t for t, _ in results[name]]
            rss = max(r for _, r in results[name]) / 1024
            ok = statistics.median(times) <= TARGET_SECONDS[name]
            failed |= not ok
            print(f"{name:<16}{statistics.median(times):>10.3f}{min(times):>10.3f}{rss:>14.1f}   "
                  f"<= {TARGET_SECONDS[name]} s {'ok' if ok else 'MISSED'}")
        rss_all = max(r for v in results.values() for _, r in v) / 1024
        rss_ok = rss_all <= TARGET_RSS_MIB
        print(f"peak RSS {rss_all:.1f} MiB (target <= {TARGET_RSS_MIB} MiB): {'ok' if rss_ok else 'MISSED'}")
        return 0 if (not failed and rss_ok) else 1


if __name__ == "__main__":
    sys.exit(main())
