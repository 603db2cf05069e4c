"""Run the framework fixture's experiment, original and patched, on simulated
machines and judge the patched run against the original.

usage: harness.py --original DIR --patched DIR --work DIR [--machines cpu,mac,cuda]
                  [--torch-version X.Y] [-v]

Needs an interpreter with torch and numpy (e.g. /usr/bin/python3); each run is a
fresh process of runner.py under the same interpreter. Prints one line per check
and "N passed, N failed"; exits 1 on any failure.
"""
import argparse
import glob
import json
import math
import os
import random
import subprocess
import sys
import time
from datetime import datetime, timedelta

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(HERE, "runner.py")
SIMMAC = os.path.normpath(os.path.join(HERE, "..", "..", "simmac"))
ARRAYS = ("metrics.npy", "pred.npy", "true.npy", "real_prediction.npy")


def write_series(path, rows=400, seed=7):
    """Hourly rows of three seasonal columns and a target built from them."""
    rng = random.Random(seed)
    start = datetime(2021, 1, 1)
    with open(path, "w") as f:
        f.write("date,x0,x1,x2,OT\n")
        for i in range(rows):
            xs = [math.sin(2 * math.pi * i / 24 + k) * (1 + 0.3 * k) + 0.01 * i * k + rng.gauss(0, 0.1)
                  for k in range(3)]
            ot = 10 + 0.5 * xs[0] - 0.3 * xs[1] + 0.2 * xs[2] + rng.gauss(0, 0.05)
            stamp = (start + timedelta(hours=i)).strftime("%Y-%m-%d %H:%M:%S")
            f.write(stamp + "," + ",".join("%.6f" % v for v in xs + [ot]) + "\n")


def retag_as_cuda(src, dst):
    """Re-save a checkpoint as a CUDA machine writes it: every storage tagged
    cuda:0, so torch.load without map_location fails where CUDA is absent."""
    import torch
    import torch.serialization as ser
    state = torch.load(src, map_location="cpu")
    entry = (-1000, lambda obj: "cuda:0", lambda obj, location: None)
    ser._package_registry.insert(0, entry)
    try:
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        torch.save(state, dst)
    finally:
        ser._package_registry.remove(entry)


class Run:
    def __init__(self, work, label, tree, machine, amp, training=True, checkpoints=None):
        self.label, self.tree, self.machine, self.amp = label, tree, machine, amp
        self.dir = os.path.join(work, "%s-%s-amp%s%s" % (machine, label, "on" if amp else "off",
                                                         "" if training else "-load"))
        self.checkpoints = checkpoints or os.path.join(self.dir, "checkpoints")
        self.training = training
        self.trace, self.arrays, self.seconds = None, {}, 0.0

    def args(self, data_dir):
        a = ["--is_training", "1" if self.training else "0", "--model_id", "synth",
             "--root_path", data_dir, "--data_path", "synth.csv",
             "--checkpoints", self.checkpoints + "/", "--results", os.path.join(self.dir, "results") + "/",
             "--train_epochs", "1", "--log_interval", "1", "--use_gpu", "True"]
        if self.training:
            a.append("--do_predict")
        if self.amp:
            a.append("--use_amp")
        return a

    def execute(self, python, data_dir, env, torch_version=None):
        os.makedirs(self.dir, exist_ok=True)
        cmd = [python, RUNNER, "--machine", self.machine, "--tree", self.tree,
               "--trace", os.path.join(self.dir, "trace.json"),
               "--record", os.path.join(self.dir, "record.json")]
        if torch_version:
            cmd += ["--torch-version", torch_version]
        cmd += ["--"] + self.args(data_dir)
        started = time.time()
        with open(os.path.join(self.dir, "log.txt"), "w") as log:
            rc = subprocess.call(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, timeout=600)
        self.seconds = time.time() - started
        path = os.path.join(self.dir, "trace.json")
        if os.path.exists(path):
            with open(path) as f:
                self.trace = json.load(f)
        else:
            with open(os.path.join(self.dir, "log.txt")) as f:
                tail = f.read().strip().splitlines()[-1:] or ["(no output)"]
            self.trace = {"ok": False, "error": {"type": "runner", "site": None,
                                                 "message": "runner exited %d: %s" % (rc, tail[0])}}
        for name in ARRAYS:
            for path in glob.glob(os.path.join(self.dir, "results", "*", name)):
                self.arrays[name] = np.load(path)
        return self

    @property
    def ok(self):
        return bool(self.trace and self.trace.get("ok"))

    def failure(self):
        e = self.trace.get("error") or {}
        where = (" at " + e["site"]) if e.get("site") else ""
        return "%s%s: %s (log: %s)" % (e.get("type", "?"), where, e.get("message", ""),
                                      os.path.join(self.dir, "log.txt"))

    def checkpoint(self):
        found = glob.glob(os.path.join(self.checkpoints, "*", "checkpoint.pth"))
        return found[0] if found else None


def recorder_counts(record):
    """(modules, tensors, mixed forwards) from simmac's recorder dump: Module.to
    calls aimed at MPS, tensors copied to MPS, module calls mixing MPS and CPU."""
    if not isinstance(record, dict) or not isinstance(record.get("counts"), dict):
        return None
    counts = record["counts"]
    return counts.get("module_to_mps", 0), counts.get("tensor_to_mps", 0), counts.get("forward_mixed", 0)


class Judge:
    def __init__(self, verbose):
        self.passed = self.failed = 0
        self.verbose = verbose

    def check(self, machine, what, ok, detail=""):
        if ok:
            self.passed += 1
            print("PASS [%s] %s" % (machine, what))
        else:
            self.failed += 1
            print("FAIL [%s] %s%s" % (machine, what, (": " + detail) if detail else ""))
        sys.stdout.flush()
        return ok

    def completes(self, run, devices, what=None):
        what = what or "%s completes, model and batches on %s" % (run.label, "/".join(devices))
        if not run.ok:
            return self.check(run.machine, what, False, run.failure())
        seen = run.trace["model_devices"]
        detail = "model calls saw %s" % seen
        if run.trace["mixed_calls"]:
            detail += "; mixed in one call: %s" % run.trace["mixed_calls"]
        return self.check(run.machine, what,
                          run.trace["model_calls"] > 0 and seen == devices and not run.trace["mixed_calls"],
                          detail)

    def same_losses(self, machine, what, a, b):
        la, lb = a.trace["losses"], b.trace["losses"]
        if self.verbose:
            for i, (x, y) in enumerate(zip(la, lb)):
                print("      loss %3d  %-22s %-22s%s" % (i, x, y, "" if x == y else "  <-- differs"))
        if la == lb:
            return self.check(machine, "%s: %d losses identical (first %s, last %s)" % (what, len(la), la[0], la[-1])
                              if la else what + ": no losses recorded", bool(la))
        first = next((i for i, (x, y) in enumerate(zip(la, lb)) if x != y), min(len(la), len(lb)))
        return self.check(machine, what, False, "%d vs %d losses, first difference at %d: %s vs %s" % (
            len(la), len(lb), first, la[first] if first < len(la) else "-", lb[first] if first < len(lb) else "-"))

    def same_arrays(self, machine, what, a, b, names=ARRAYS):
        bad = []
        for name in names:
            x, y = a.arrays.get(name), b.arrays.get(name)
            if x is None or y is None:
                bad.append("%s missing (%s)" % (name, a.label if x is None else b.label))
            elif x.dtype != y.dtype or x.shape != y.shape or not np.array_equal(x, y):
                bad.append("%s differs" % name)
        shown = ", ".join(n.split(".")[0] for n in names)
        if not bad and "metrics.npy" in names:
            m = a.arrays["metrics.npy"]
            shown += " (mse %r, mae %r)" % (float(m[1]), float(m[0]))
        return self.check(machine, "%s: %s identical" % (what, shown), not bad, "; ".join(bad))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--original", required=True)
    ap.add_argument("--patched", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--machines", default="cpu,mac")
    ap.add_argument("--torch-version", help="torch release whose Mac simmac models (default: the installed one)")
    ap.add_argument("-v", "--verbose", action="store_true")
    opts = ap.parse_args()
    machines = [m for m in opts.machines.split(",") if m]
    for m in machines:
        if m not in ("cpu", "mac", "cuda"):
            sys.exit("harness.py: unknown machine %r (cpu, mac, cuda)" % m)

    python = sys.executable
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    if os.path.isdir(SIMMAC):
        env["PYTHONPATH"] = SIMMAC + os.pathsep + env.get("PYTHONPATH", "")
    data_dir = os.path.join(opts.work, "data")
    os.makedirs(data_dir, exist_ok=True)
    write_series(os.path.join(data_dir, "synth.csv"))

    judge = Judge(opts.verbose)
    trees = {"original": opts.original, "patched": opts.patched}

    def run(label, machine, amp, **kw):
        r = Run(opts.work, label, trees[label], machine, amp, **kw).execute(python, data_dir, env, opts.torch_version)
        if opts.verbose:
            print("      ran %-8s on %-4s AMP %-3s in %.1fs" % (label, machine, "on" if amp else "off", r.seconds))
        return r

    # The CPU run of the original is the reference the simulated Mac is judged against.
    cpu_reference = {}
    if "cpu" in machines or "mac" in machines:
        cpu_reference[False] = run("original", "cpu", False)
        if not cpu_reference[False].ok and "cpu" not in machines:
            judge.check("cpu", "original completes (the reference for mac)", False, cpu_reference[False].failure())
    cuda_checkpoint = None
    ref = cpu_reference.get(False)
    if ref is not None and ref.ok and ref.checkpoint():
        cuda_checkpoint = os.path.join(opts.work, "checkpoints-from-cuda")
        retag_as_cuda(ref.checkpoint(), os.path.join(cuda_checkpoint, os.path.basename(
            os.path.dirname(ref.checkpoint())), "checkpoint.pth"))

    for machine in machines:
        if machine == "cpu":
            for amp in (False, True):
                tag = "AMP %s" % ("on" if amp else "off")
                orig = cpu_reference[False] if not amp else run("original", "cpu", amp)
                patched = run("patched", "cpu", amp)
                a = judge.completes(orig, ["cpu"], "original completes on the CPU, %s" % tag)
                b = judge.completes(patched, ["cpu"], "patched completes on the CPU, %s" % tag)
                if a and b:
                    judge.same_losses("cpu", "patched = original, %s" % tag, orig, patched)
                    judge.same_arrays("cpu", "patched = original, %s" % tag, orig, patched)
        elif machine == "cuda":
            for amp in (True, False):
                tag = "AMP %s" % ("on" if amp else "off")
                orig = run("original", "cuda", amp)
                patched = run("patched", "cuda", amp)
                a = judge.completes(orig, ["cuda:0"], "original completes on cuda:0, %s" % tag)
                b = judge.completes(patched, ["cuda:0"], "patched completes on cuda:0, %s" % tag)
                if a and b:
                    judge.same_losses("cuda", "patched = original, %s" % tag, orig, patched)
                    judge.same_arrays("cuda", "patched = original, %s" % tag, orig, patched)
                    ho, hp = orig.trace["half_outputs"], patched.trace["half_outputs"]
                    judge.check("cuda", "%s: float16 module outputs, original %d, patched %d" % (tag, ho, hp),
                                ho == hp and (ho > 0) == amp)
        elif machine == "mac":
            for amp in (False, True):
                tag = "AMP %s" % ("on" if amp else "off")
                orig = run("original", "mac", amp)
                patched = run("patched", "mac", amp)
                if orig.ok:
                    judge.completes(orig, ["cpu"], "original stays on the CPU, %s" % tag)
                else:
                    e = orig.trace.get("error") or {}
                    judge.check("mac", "original crashes on .cuda(), %s" % tag,
                                "CUDA" in e.get("message", ""), orig.failure())
                if not judge.completes(patched, ["mps:0"], "patched completes, model and every batch on MPS, %s" % tag):
                    continue
                ref = cpu_reference[False]
                if ref.ok:
                    judge.check("mac", "patched: %d model calls, as many as the CPU run, %s" % (
                        patched.trace["model_calls"], tag), patched.trace["model_calls"] == ref.trace["model_calls"],
                        "CPU run made %d" % ref.trace["model_calls"])
                counts = recorder_counts(patched.trace.get("recorder"))
                if counts is None:
                    judge.check("mac", "recorder: modules and tensors sent to MPS, %s" % tag, False,
                                "no recorder counts in %s" % os.path.join(patched.dir, "record.json"))
                else:
                    judge.check("mac", "recorder: %d Module.to and %d tensors sent to MPS, %d mixed calls, %s" % (
                        counts + (tag,)), counts[0] >= 1 and counts[1] >= patched.trace["model_calls"] and not counts[2])
                if not amp and ref.ok:
                    # The simulated MPS computes on the CPU, so the numbers must not move.
                    judge.same_losses("mac", "patched = CPU run (simulated MPS computes on the CPU), %s" % tag,
                                      ref, patched)
                    judge.same_arrays("mac", "patched = CPU run, %s" % tag, ref, patched)

        if machine in ("cpu", "mac"):
            what = "checkpoint saved on CUDA"
            if cuda_checkpoint is None:
                judge.check(machine, what, False, "no checkpoint from the CPU run to re-tag")
                continue
            orig = run("original", machine, False, training=False, checkpoints=cuda_checkpoint)
            patched = run("patched", machine, False, training=False, checkpoints=cuda_checkpoint)
            e = orig.trace.get("error") or {}
            judge.check(machine, "%s: original cannot load it (torch.load without map_location)" % what,
                        not orig.ok and "CUDA" in e.get("message", "") and "deserialize" in e.get("message", ""),
                        "original loaded it" if orig.ok else orig.failure())
            device = "cpu" if machine == "cpu" else "mps:0"
            if judge.completes(patched, [device], "%s: patched loads it and tests on %s" % (what, device)):
                judge.same_arrays(machine, "%s: patched test = CPU run's test" % what, cpu_reference[False],
                                  patched, names=("metrics.npy", "pred.npy"))

    print("%d passed, %d failed" % (judge.passed, judge.failed))
    return 1 if judge.failed else 0


if __name__ == "__main__":
    sys.exit(main())
