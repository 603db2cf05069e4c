#!/usr/bin/env python3
"""Train the demo models of an original and a patched qlib tree on simulated machines, and judge.

Each (tree, machine) runs in its own process (``train_models.py``, simulated by
tests/simmac). Then, per model:

* cpu:  the patched tree's predictions are identical, bit for bit, to the original's;
* cuda: the same, and both trees really ran on CUDA (run it on a machine with a GPU);
* mac (CUDA absent, MPS available): the original runs on the CPU and is not judged
  further; the patched tree must finish fit + predict with finite predictions, its
  network and every batch on MPS (from the simulation's recorder).

A machine is "cpu", "cuda", "mac" (the installed torch's Mac) or "mac@X.Y" (the Mac
of torch X.Y, e.g. mac@2.4, which has torch.mps).

usage: check_training.py --original DIR --patched DIR [--machines cpu,mac] [--label L]
                         [--summary FILE] [--keep DIR]
Needs an interpreter with torch and numpy (Debian: /usr/bin/python3). Exit status 1 on any failure.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TIMEOUT_S = 300


def parse_machine(spec):
    name, _, version = spec.partition("@")
    if name not in ("cpu", "cuda", "mac") or (version and name != "mac"):
        raise SystemExit("check_training.py: unknown machine %r (cpu, cuda, mac or mac@X.Y)" % spec)
    return name, version or None


def run_all(trees, machines, workdir):
    procs = {}
    for tree, root in trees.items():
        for spec in machines:
            name, version = parse_machine(spec)
            out = os.path.join(workdir, "%s-%s.json" % (tree, spec.replace("@", "_")))
            cmd = [sys.executable, os.path.join(HERE, "train_models.py"), "--root", root, "--machine", name,
                   "--out", out]
            if version:
                cmd += ["--torch-version", version]
            procs[(tree, spec)] = (subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT), out)
    runs = {}
    for key, (proc, out) in procs.items():
        try:
            log = proc.communicate(timeout=TIMEOUT_S)[0].decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            proc.kill()
            log = proc.communicate()[0].decode("utf-8", "replace") + "\n(killed after %d s)" % TIMEOUT_S
        data = None
        if proc.returncode == 0 and os.path.exists(out):
            with open(out) as fh:
                data = json.load(fh)
            data["preds"] = out
        runs[key] = (data, log)
    return runs


class Report:
    def __init__(self, label):
        self.label = label
        self.passed = self.failed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print("ok   [%s] %s" % (self.label, what))
        else:
            self.failed += 1
            print("FAIL [%s] %s" % (self.label, what))
            if detail:
                print("       " + detail.replace("\n", "\n       "))
        return ok

    def info(self, what):
        print("info [%s] %s" % (self.label, what))


def load_pred(run, case):
    return np.load("%s.%s.npy" % (run["preds"], case))


def crash(result):
    at = result.get("at")
    where = " at %s:%d `%s`" % (at["file"], at["line"], at["source"]) if at else ""
    return "%s%s" % (result.get("exception"), where)


def by_case(run):
    return {r["case"]: r for r in run["results"]}


def ran_on(result, kind):
    counts = result.get("counts", {})
    others = sum(v for k, v in counts.items() if k.startswith("forward_") and k != "forward_" + kind)
    return counts.get("forward_" + kind, 0) > 0 and others == 0


def judge_same(report, spec, orig_run, patched_run, device_kind):
    orig, patched = by_case(orig_run), by_case(patched_run)
    for case, o in orig.items():
        p = patched.get(case)
        where = "%s %s" % (spec, case)
        if p is None:
            report.check(False, where + ": patched run has no result")
            continue
        if not report.check(o["status"] == "ok" and p["status"] == "ok", where + ": original and patched finish",
                            "original: %s\npatched:  %s" % (crash(o) if o["status"] != "ok" else "ok",
                                                            crash(p) if p["status"] != "ok" else "ok")):
            continue
        if device_kind == "cuda":
            report.check(ran_on(o, "cuda") and ran_on(p, "cuda"), where + ": both trees ran on CUDA",
                         "original forward calls %s; patched %s (is there a GPU?)" % (o["counts"], p["counts"]))
        a, b = load_pred(orig_run, case), load_pred(patched_run, case)
        same = a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
        detail = ""
        if not same:
            diff = np.nanmax(np.abs(a.astype(np.float64) - b.astype(np.float64))) if a.shape == b.shape else None
            detail = "original %s %s, patched %s %s, max abs diff %s" % (a.dtype, a.shape, b.dtype, b.shape, diff)
        report.check(same, "%s: patched predictions identical to the original's (%d %s)" % (where, a.size, a.dtype),
                     detail)


def judge_mac(report, spec, orig_run, patched_run):
    orig, patched = by_case(orig_run), by_case(patched_run)
    for case, o in orig.items():
        report.info("%s %s: original picks %s%s (not judged further)" % (
            spec, case, o.get("device", "?"), "" if o["status"] == "ok" else " and fails: " + crash(o)))
    for case, p in patched.items():
        where = "%s %s" % (spec, case)
        if not report.check(p["status"] == "ok", where + ": patched fit + predict finish", crash(p)):
            continue
        o = orig.get(case)
        shape_ok = o is None or o.get("pred_shape") is None or o["pred_shape"] == p["pred_shape"]
        report.check(p["finite"] and shape_ok, where + ": predictions finite, same shape as the original's",
                     "finite=%s shape %s vs %s" % (p["finite"], p["pred_shape"], o and o.get("pred_shape")))
        report.check(p["param_devices"] == ["mps:0"] and p["grad_devices"] in ([], ["mps:0"]),
                     where + ": every parameter (and gradient) on MPS",
                     "parameters on %s, gradients on %s" % (p["param_devices"], p["grad_devices"]))
        counts = p["counts"]
        report.check(counts.get("module_to_mps", 0) >= 1 and counts.get("tensor_to_mps", 0) >= 1,
                     where + ": the network and the batches were sent to MPS",
                     "recorder counts: %s" % counts)
        report.check(ran_on(p, "mps"), where + ": every module call had its inputs and parameters on MPS",
                     "forward calls: %s" % p["forwards"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--original", required=True)
    parser.add_argument("--patched", required=True)
    parser.add_argument("--machines", default="cpu,mac")
    parser.add_argument("--label", default="train")
    parser.add_argument("--summary")
    parser.add_argument("--keep", help="write the runs' JSON and predictions here")
    opts = parser.parse_args()

    machines = [m for m in opts.machines.split(",") if m]
    for spec in machines:
        parse_machine(spec)
    workdir = opts.keep or tempfile.mkdtemp(prefix="mps-train-")
    os.makedirs(workdir, exist_ok=True)
    runs = run_all({"original": opts.original, "patched": opts.patched}, machines, workdir)

    report = Report(opts.label)
    for spec in machines:
        kind = parse_machine(spec)[0]
        (orig_run, orig_log), (patched_run, patched_log) = runs[("original", spec)], runs[("patched", spec)]
        ok = report.check(orig_run is not None and patched_run is not None, "%s: training processes ran" % spec,
                          "\n".join(log[-3000:] for run, log in ((orig_run, orig_log), (patched_run, patched_log))
                                    if run is None))
        if not ok:
            continue
        if kind == "mac":
            judge_mac(report, spec, orig_run, patched_run)
        else:
            judge_same(report, spec, orig_run, patched_run, kind)

    if opts.summary:
        with open(opts.summary, "a") as fh:
            fh.write("%d %d\n" % (report.passed, report.failed))
    else:
        print("%d passed, %d failed" % (report.passed, report.failed))
    if not opts.keep:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
