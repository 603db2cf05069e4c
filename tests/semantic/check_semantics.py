#!/usr/bin/env python3
"""Compare how an original and a patched demo Qlib tree pick and use devices.

Both trees are executed (never compared as text): ``observe.py`` runs each one
in its own process, once with the real torch and once with the stand-in torch
under ``standin/``, over every simulated machine (CUDA present or not; MPS
available, unavailable, or absent from torch). This script then checks the
patched behaviour against the original:

* MPS unavailable or absent: the patched tree behaves exactly like the original
  (same device, same type). Where the original raised, the patched tree may
  raise too or fall back to CPU.
* CUDA present: exactly the original's choice.
* CUDA absent, MPS available: "mps" exactly where the original picks CUDA once
  CUDA is present (and CPU without it); everywhere else the original's choice.
  GPU=None always means CPU.
* ``use_gpu`` is true iff the chosen device is not the CPU.
* cache clearing calls torch.cuda.empty_cache for CUDA only, torch.mps.empty_cache
  for MPS only (when torch has it), and nothing on CPU.
* torch.load gets map_location=self.device.
* GATModel.forward uses the input tensor's own device.

Usage: check_semantics.py --original DIR --patched DIR [--label LF] [--summary FILE] [-v]
where each DIR contains a ``qlib`` package. Exit status 1 when any check fails.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
OBSERVE_TIMEOUT_S = 300


def run_observers(python, trees, torches, workdir):
    """Start one observe.py per (tree, torch) in parallel; return {(tree, torch): records}."""
    procs = {}
    for tree_name, root in trees.items():
        for torch_kind in torches:
            out = os.path.join(workdir, "%s-%s.json" % (tree_name, torch_kind))
            cmd = [python, os.path.join(HERE, "observe.py"), "--root", root, "--torch", torch_kind, "--out", out]
            procs[(tree_name, torch_kind)] = (subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                                               stderr=subprocess.STDOUT), out)
    results, broken = {}, []
    for key, (proc, out) in procs.items():
        try:
            output = proc.communicate(timeout=OBSERVE_TIMEOUT_S)[0].decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            proc.kill()
            output = proc.communicate()[0].decode("utf-8", "replace")
            output += "\n(killed after %d s)" % OBSERVE_TIMEOUT_S
            broken.append((key, "timeout", output))
            continue
        if proc.returncode != 0 or not os.path.exists(out):
            broken.append((key, proc.returncode, output))
            continue
        with open(out) as fh:
            results[key] = json.load(fh)["records"]
    return results, broken


def fmt(r):
    if r is None:
        return "<no observation>"
    if r["t"] == "device":
        return "torch.device(%r)" % r["v"]
    if r["t"] == "str":
        return repr(r["v"])
    if r["t"] == "raise":
        return "raises %s" % r["v"]
    return "%s %s" % (r["t"], r["v"])


def same(a, b):
    return a is not None and b is not None and a["t"] == b["t"] and a["v"] == b["v"]


def raised(r):
    """The observation is an exception (including a module that failed to import)."""
    return r is not None and r["t"] in ("raise", "import-error")


def is_cpu(r, vtype):
    return r is not None and r["t"] == vtype and r["v"] == "cpu"


def is_cuda(r, vtype):
    return r is not None and r["t"] == vtype and (r["v"] == "cuda" or r["v"].startswith("cuda:"))


def key(rec, *extra):
    return (rec["kind"], rec["case"], rec.get("gpu"), rec.get("cuda"), rec.get("mps")) + extra


class Report:
    def __init__(self, label, verbose):
        self.label, self.verbose = label, verbose
        self.passed = self.failed = self.not_applicable = 0

    def check(self, ok, where, detail):
        if ok:
            self.passed += 1
            if self.verbose:
                print("ok   [%s] %s" % (self.label, where))
        else:
            self.failed += 1
            print("FAIL [%s] %s\n       %s" % (self.label, where, detail.replace("\n", "\n       ")))

    def skip(self):
        self.not_applicable += 1


def describe(rec):
    parts = [rec["case"]]
    if rec.get("gpu") not in (None, "n/a"):
        parts.append("GPU=%s" % rec["gpu"])
    if "cuda" in rec:
        parts.append("cuda=%s" % ("yes" if rec["cuda"] else "no"))
    if "mps" in rec:
        parts.append("mps=%s" % rec["mps"])
    if "torch_mps" in rec:
        parts.append("torch.mps=%s" % rec["torch_mps"])
    if "tensor" in rec:
        parts.append("tensor on %s" % rec["tensor"])
    parts.append("torch=%s" % rec["torch"])
    return " ".join(parts)


def expected_device(rec, orig, orig_index):
    """What the patched tree must pick for an init/module record, as (expected, tolerate_cpu_for_raise, why)."""
    vtype = rec["vtype"]
    if rec["cuda"] or rec["mps"] != "available":
        return orig["result"], True, "original behaviour"
    if rec["gpu"] == "None":
        return {"t": vtype, "v": "cpu"}, False, "GPU=None means CPU"
    with_cuda = orig_index.get(key(dict(rec, cuda=True)))
    with_cuda_result = with_cuda["result"] if with_cuda else None
    if is_cuda(with_cuda_result, vtype) and is_cpu(orig["result"], vtype):
        return {"t": vtype, "v": "mps"}, False, "original picks %s when CUDA is present" % fmt(with_cuda_result)
    return orig["result"], True, "original does not pick CUDA here even with CUDA present (%s)" % fmt(with_cuda_result)


def judge_device(report, rec, orig, orig_index):
    where = describe(rec) + " -> device"
    if orig is None:
        report.check(False, where, "no matching observation of the original tree")
        return None
    exp, tolerate, why = expected_device(rec, orig, orig_index)
    got = rec["result"]
    if raised(exp) and tolerate:
        # where the original raised, raising too or falling back to CPU are both fine; failing to import is not
        ok = got["t"] == "raise" or is_cpu(got, rec["vtype"])
        want = "%s (or CPU)" % fmt(exp)
    else:
        ok = same(got, exp)
        want = fmt(exp)
    report.check(ok, where, "expected %s [%s]; patched gave %s; original gave %s" % (want, why, fmt(got),
                                                                                    fmt(orig["result"])))
    return exp


def judge_init(report, rec, orig, orig_index):
    exp = judge_device(report, rec, orig, orig_index)
    got = rec["result"]
    if raised(got):
        return
    if "use_gpu" in rec:
        want = got["v"] != "cpu"
        report.check(rec["use_gpu"] == {"t": "bool", "v": want}, describe(rec) + " -> use_gpu",
                     "device %s but use_gpu is %s" % (fmt(got), fmt(rec["use_gpu"])))
    if rec.get("logger") and exp is not None:
        # the new MPS branch logs that MPS is used; no other branch does
        if exp["t"] != "raise" and exp["v"] == "mps" and not (orig and orig["result"]["v"] == "mps"):
            report.check(rec["mps_log"], describe(rec) + " -> MPS log line",
                         "MPS was chosen but no log record mentions MPS")
        elif got["v"] != "mps":
            report.check(not rec["mps_log"], describe(rec) + " -> no MPS log line",
                         "device %s but a log record mentions MPS" % fmt(got))


def judge_module(report, rec, orig, orig_index):
    judge_device(report, rec, orig, orig_index)
    if "tensor_devices" in rec and not raised(rec["result"]):
        bad = [t for t in rec["tensor_devices"] if not same(t, rec["result"])]
        report.check(not bad, describe(rec) + " -> torch.tensor(device=...)",
                     "module device is %s but tensors were created with %s" % (
                         fmt(rec["result"]), ", ".join(fmt(t) for t in bad)))


def judge_cache(report, rec, orig):
    where = describe(rec) + " -> empty_cache calls"
    if raised(rec["init"]):
        if rec["init"]["t"] == "import-error":
            report.check(False, where, "patched module does not import: %s" % rec["init"]["v"])
        else:
            report.skip()  # constructor raised: judged by the init checks
        return
    if rec["fit_error"]:
        report.check(False, where, "fit() raised %s on device %s\n%s" % (
            rec["fit_error"], fmt(rec["init"]), rec.get("fit_traceback", "")))
        return
    dev = rec["init"]["v"]
    if dev.startswith("cuda"):
        want = ["cuda"]
    elif dev.startswith("mps"):
        want = ["mps"] if rec["torch_mps"] == "has" else []
    else:
        want = []
    detail = "device %s: expected calls %s, patched made %s" % (fmt(rec["init"]), want, rec["calls"])
    ok = rec["calls"] == want
    if ok and orig is not None and not raised(orig["init"]) and same(orig["init"], rec["init"]) \
            and not dev.startswith("mps") and orig.get("calls") != rec["calls"]:
        ok, detail = False, "device %s: original made %s, patched made %s" % (
            fmt(rec["init"]), orig.get("calls"), rec["calls"])
    report.check(ok, where, detail)


def judge_load(report, rec):
    where = describe(rec) + " -> torch.load(map_location=...)"
    if raised(rec["init"]):
        if rec["init"]["t"] == "import-error":
            report.check(False, where, "patched module does not import: %s" % rec["init"]["v"])
        else:
            report.skip()
        return
    problems = []
    if rec["error"]:
        problems.append("load_model raised %s" % rec["error"])
    if len(rec["loads"]) != 1:
        problems.append("torch.load called %d times" % len(rec["loads"]))
    else:
        call = rec["loads"][0]
        ml = call["kwargs"].get("map_location")
        if not same(ml, rec["init"]):
            problems.append("map_location is %s, self.device is %s" % (fmt(ml) if ml else "not passed",
                                                                       fmt(rec["init"])))
        if call["args"] != ["'/nonexistent/checkpoint.pt'"]:
            problems.append("torch.load positional args changed: %s" % call["args"])
    if not rec.get("state_dict_passed_on"):
        problems.append("the loaded state dict did not reach load_state_dict")
    report.check(not problems, where, "; ".join(problems))


def judge_forward(report, rec, orig):
    where = describe(rec) + " -> local `device`"
    report.check(same(rec["result"], rec["expected"]), where, "expected the tensor's device %s; patched gave %s "
                 "(original gave %s)" % (fmt(rec["expected"]), fmt(rec["result"]),
                                         fmt(orig["result"]) if orig else "?"))


def judge_untouched(report, rec, orig):
    report.check(orig is not None and same(rec["result"], orig["result"]), describe(rec) + " -> unchanged",
                 "original %s, patched %s" % (fmt(orig["result"]) if orig else "?", fmt(rec["result"])))


def index_of(records):
    out = {}
    for rec in records:
        extra = (rec.get("torch_mps"), rec.get("tensor"))
        out[key(rec, *extra)] = rec
        if rec["kind"] in ("init", "module"):
            out[key(rec)] = rec
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--original", required=True, help="directory holding the unpatched qlib package")
    ap.add_argument("--patched", required=True, help="directory holding the patched qlib package")
    ap.add_argument("--label", default="", help="tag printed with every result (e.g. LF, CRLF)")
    ap.add_argument("--torch", default="real,standin", help="comma list of: real, standin")
    ap.add_argument("--summary", help="append 'PASSED FAILED' to this file")
    ap.add_argument("-v", "--verbose", action="store_true", help="print passing checks too")
    opts = ap.parse_args()

    for d in (opts.original, opts.patched):
        if not os.path.isfile(os.path.join(d, "qlib", "__init__.py")):
            sys.exit("check_semantics.py: %s does not contain a qlib package" % d)
    torches = [t for t in opts.torch.split(",") if t]
    report = Report(opts.label or os.path.basename(os.path.abspath(opts.patched)), opts.verbose)

    with tempfile.TemporaryDirectory(prefix="mps-semantic-") as work:
        results, broken = run_observers(sys.executable, {"original": opts.original, "patched": opts.patched},
                                        torches, work)
    for (tree, torch_kind), rc, output in broken:
        report.check(False, "%s tree with %s torch" % (tree, torch_kind),
                     "observe.py exited %s:\n%s" % (rc, output.strip()[-3000:]))

    for torch_kind in torches:
        if ("original", torch_kind) not in results or ("patched", torch_kind) not in results:
            continue
        orig_index = index_of(results[("original", torch_kind)])
        for rec in results[("patched", torch_kind)]:
            orig = orig_index.get(key(rec, rec.get("torch_mps"), rec.get("tensor")))
            kind = rec["kind"]
            if kind == "init":
                judge_init(report, rec, orig, orig_index)
            elif kind == "module":
                judge_module(report, rec, orig, orig_index)
            elif kind == "cache":
                judge_cache(report, rec, orig)
            elif kind == "load":
                judge_load(report, rec)
            elif kind == "forward":
                judge_forward(report, rec, orig)
            elif kind == "untouched":
                judge_untouched(report, rec, orig)

    if report.not_applicable:
        print("[%s] %d rows not applicable (the constructor raised; judged by the device checks)"
              % (report.label, report.not_applicable))
    print("[%s] %d passed, %d failed" % (report.label, report.passed, report.failed))
    if opts.summary:
        with open(opts.summary, "a") as fh:
            fh.write("%d %d\n" % (report.passed, report.failed))
    sys.exit(1 if report.failed else 0)


if __name__ == "__main__":
    main()
