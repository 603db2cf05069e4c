"""Run one experiment of a framework tree (its run.py) in this process and write
a trace of what it did: every loss, the devices of every top-level model call,
how many module outputs were float16, the simulated machine's recorder, and the
error if it failed.

usage: runner.py --machine cpu|mac|cuda --tree DIR --trace OUT.json
                 [--record OUT.json] [--torch-version X.Y] -- RUN.PY ARGS...

Needs an interpreter with torch (e.g. /usr/bin/python3). The simulated machines
come from tests/simmac (on PYTHONPATH); "cuda" needs a real CUDA device.
"""
import argparse
import json
import os
import runpy
import sys
import traceback


def tensors_in(value, out):
    import torch
    if isinstance(value, torch.Tensor):
        out.append(value)
    elif isinstance(value, (list, tuple)):
        for v in value:
            tensors_in(v, out)
    elif isinstance(value, dict):
        for v in value.values():
            tensors_in(v, out)
    return out


class Trace:
    """Global module hooks. A top-level call is one made while no other module
    is running: the model called by the experiment, or its criterion."""

    def __init__(self):
        self.depth = 0
        self.losses = []
        self.loss_devices = set()
        self.model_calls = 0
        self.model_devices = set()
        self.model_class = set()
        self.mixed_calls = []
        self.half_outputs = 0

    def install(self):
        import torch.nn.modules.module as mm
        mm.register_module_forward_pre_hook(self.pre)
        mm.register_module_forward_hook(self.post)

    def pre(self, module, inputs):
        self.depth += 1
        if self.depth != 1:
            return
        import torch.nn as nn
        if isinstance(module, nn.modules.loss._Loss):
            return
        seen = {str(t.device) for t in tensors_in(inputs, [])}
        seen |= {str(p.device) for p in module.parameters()}
        seen |= {str(b.device) for b in module.buffers()}
        self.model_calls += 1
        self.model_class.add(type(module).__module__ + "." + type(module).__name__)
        self.model_devices |= seen
        if len(seen) != 1 and len(self.mixed_calls) < 5:
            self.mixed_calls.append(sorted(seen))

    def post(self, module, inputs, output):
        import torch
        import torch.nn as nn
        outs = tensors_in(output, [])
        self.half_outputs += sum(1 for t in outs if t.dtype == torch.float16)
        top = self.depth == 1
        self.depth -= 1
        if top and isinstance(module, nn.modules.loss._Loss):
            self.losses.append(repr(float(output.item())))
            self.loss_devices.add(str(output.device))

    def as_json(self):
        return {
            "losses": self.losses,
            "loss_devices": sorted(self.loss_devices),
            "model_calls": self.model_calls,
            "model_devices": sorted(self.model_devices),
            "model_class": sorted(self.model_class),
            "mixed_calls": self.mixed_calls,
            "half_outputs": self.half_outputs,
        }


def error_site(tree, tb):
    """The innermost frame inside the tree, as 'relative/path.py:LINE'."""
    site = None
    tree = os.path.realpath(tree)
    for frame in traceback.extract_tb(tb):
        path = os.path.realpath(frame.filename)
        if path.startswith(tree + os.sep):
            site = "%s:%d" % (os.path.relpath(path, tree), frame.lineno)
    return site


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--machine", required=True, choices=["cpu", "mac", "cuda"])
    ap.add_argument("--tree", required=True)
    ap.add_argument("--trace", required=True)
    ap.add_argument("--record")
    ap.add_argument("--torch-version", help="torch release whose Mac simmac models (default: the installed one)")
    ap.add_argument("script_args", nargs=argparse.REMAINDER)
    opts = ap.parse_args()
    script_args = opts.script_args[1:] if opts.script_args[:1] == ["--"] else opts.script_args

    result = {"machine": opts.machine, "args": script_args, "ok": False, "error": None,
              "simulated": False, "recorder": None}

    try:
        import simmac
    except ImportError:
        simmac = None
    if simmac is not None and not hasattr(simmac, "install"):
        simmac = None  # a namespace package left by a partial checkout: not usable
    if opts.machine == "cuda":
        # cuBLAS needs this before CUDA starts to give the same sums run after run.
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    if simmac is not None:
        simmac.install(machine=opts.machine, torch_version=opts.torch_version)
        result["simulated"] = True
    elif opts.machine == "mac":
        sys.exit("runner.py: machine 'mac' needs tests/simmac on PYTHONPATH")

    import torch
    if opts.machine == "cpu" and torch.cuda.is_available():
        sys.exit("runner.py: machine 'cpu' needs tests/simmac to hide this machine's CUDA")
    if opts.machine == "cuda" and not torch.cuda.is_available():
        sys.exit("runner.py: machine 'cuda' needs a CUDA device; torch.cuda.is_available() is False")
    if opts.machine == "cuda":
        # Two processes must give the same losses bit for bit; warn_only keeps
        # an operator without a deterministic kernel from stopping the run.
        torch.use_deterministic_algorithms(True, warn_only=True)

    trace = Trace()
    trace.install()

    tree = os.path.abspath(opts.tree)
    os.chdir(tree)
    sys.path.insert(0, tree)
    sys.argv = ["run.py"] + script_args
    try:
        runpy.run_path(os.path.join(tree, "run.py"), run_name="__main__")
        result["ok"] = True
    except SystemExit as e:
        result["ok"] = e.code in (None, 0)
        if not result["ok"]:
            result["error"] = {"type": "SystemExit", "message": str(e.code), "site": None}
    except BaseException as e:  # the trace is the product, whatever the fixture raised
        message = (str(e).strip().splitlines() or [""])[0]
        result["error"] = {"type": type(e).__name__, "message": message,
                           "site": error_site(tree, e.__traceback__)}
        traceback.print_exc()
    sys.stdout.flush()

    result.update(trace.as_json())
    if simmac is not None and opts.record:
        rec = simmac.recorder()
        rec.dump(opts.record)
        with open(opts.record) as f:
            result["recorder"] = json.load(f)
    with open(opts.trace, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
