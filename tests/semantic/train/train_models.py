#!/usr/bin/env python3
"""Train and predict every demo model of one qlib tree on one simulated machine; write what happened.

Runs in a fresh process per (tree, machine), with torch (Debian: /usr/bin/python3)
and tests/simmac on sys.path (found next to this file). Nothing is judged here.

usage: train_models.py --root DIR --machine cpu|mac|cuda [--torch-version X.Y] --out FILE.json
DIR contains the ``qlib`` package. Predictions go next to FILE.json as <FILE>.<case>.npy.
"""

import argparse
import json
import linecache
import logging
import os
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "simmac"))

import simmac  # noqa: E402  (installs nothing until install())

M = "qlib.contrib.model."
SMALL = dict(n_epochs=2, lr=0.01, seed=0)
# (case, module, class, attribute holding the network, dataset kind, constructor kwargs)
CASES = [
    ("gru_ts", M + "pytorch_gru_ts_demo", "GRU", "GRU_model", "ts",
     dict(SMALL, d_feat=4, hidden_size=8, num_layers=1, batch_size=32)),
    ("general_nn_ts", M + "pytorch_general_nn_demo", "GeneralPTNN", "dnn_model", "ts",
     dict(SMALL, batch_size=32, pt_model_uri=M + "pytorch_general_nn_demo.TSNet",
          pt_model_kwargs={"d_feat": 4, "hidden_size": 6})),
    ("general_nn_tabular", M + "pytorch_general_nn_demo", "GeneralPTNN", "dnn_model", "tabular",
     dict(SMALL, batch_size=32, pt_model_uri=M + "pytorch_general_nn_demo.TabularNet",
          pt_model_kwargs={"d_feat": 20, "hidden_size": 8})),
    ("sfm_freq", M + "pytorch_sfm_freq_demo", "SFM", "sfm_model", "tabular",
     dict(SMALL, d_feat=4, hidden_size=8, freq_dim=4, batch_size=32, optimizer="adam")),
    ("igmtf", M + "pytorch_igmtf_demo", "IGMTF", "igmtf_model", "tabular",
     dict(SMALL, d_feat=4, hidden_size=8, num_layers=1, k_day=3, n_neighbor=3)),
    ("lstm", M + "pytorch_lstm_demo", "LSTM", "model", "xy",
     dict(SMALL, d_feat=4, hidden_size=8, num_layers=1, batch_size=32)),
    ("gru", M + "pytorch_gru_demo", "GRU", "gru_model", "xy",
     dict(SMALL, d_feat=4, hidden_size=8, num_layers=1, batch_size=32)),
]

SAVES_CHECKPOINT = {"gru_ts"}  # fit(save_path=DIR) writes torch.save(state_dict) there


class XYDataset:
    """prepare() -> (x float32 [N, F*T], y float32 [N]), what the older demo models take."""

    def __init__(self, base):
        self.base = base

    def prepare(self, segments, **kwargs):
        def one(name):
            seg = self.base.segments[name]
            return seg.feature, seg.label.astype("float32")

        if isinstance(segments, (list, tuple)):
            return [one(s) for s in segments]
        return one(segments)


def fixture_frame(tb, root):
    """The innermost traceback frame inside the qlib tree: file relative to the tree, line, source."""
    found = None
    for frame in traceback.extract_tb(tb):
        if os.path.abspath(frame.filename).startswith(root + os.sep):
            found = frame
    if found is None:
        return None
    return {"file": os.path.relpath(found.filename, root), "line": found.lineno,
            "source": linecache.getline(found.filename, found.lineno).strip()}


def run_case(case, datasets, root, out_prefix, torch):
    name, module, cls, attr, kind, kwargs = case
    rec = simmac.recorder()
    rec.counts.clear()
    rec.forwards.clear()
    del rec.events[:]
    result = {"case": name}
    try:
        import importlib

        model = getattr(importlib.import_module(module), cls)(**kwargs)
        result["device"] = str(model.device)
        with tempfile.TemporaryDirectory() as tmp:
            if name in SAVES_CHECKPOINT:
                model.fit(datasets[kind], save_path=tmp)
            else:
                model.fit(datasets[kind])
        pred = model.predict(datasets[kind])
        import numpy as np

        pred = np.asarray(pred)
        np.save(out_prefix + "." + name + ".npy", pred)
        result.update(status="ok", pred_dtype=str(pred.dtype), pred_shape=list(pred.shape),
                      finite=bool(np.isfinite(pred).all()))
        net = getattr(model, attr)
        result["param_devices"] = sorted({str(p.device) for p in net.parameters()})
        result["grad_devices"] = sorted({str(p.grad.device) for p in net.parameters() if p.grad is not None})
    except Exception as exc:  # a model that crashes is a result, not a harness failure
        message = str(exc).splitlines()[0] if str(exc) else ""
        if len(message) > 200:
            message = message[:200] + "..."
        result.update(status="error", exception="%s: %s" % (type(exc).__name__, message),
                      at=fixture_frame(exc.__traceback__, root), traceback=traceback.format_exc().splitlines()[-8:])
    snap = rec.as_dict()
    result["counts"] = snap["counts"]
    result["forwards"] = snap["forwards"]
    result["mac_errors"] = [e for e in snap["events"] if e["kind"] == "mac_error"][:5]
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--machine", required=True, choices=simmac.MACHINES)
    parser.add_argument("--torch-version")
    parser.add_argument("--cases", help="comma list of cases (default: all)")
    parser.add_argument("--out", required=True)
    opts = parser.parse_args()

    simmac.install(machine=opts.machine, torch_version=opts.torch_version)
    import torch

    if opts.machine == "cuda":
        # bitwise comparison on a GPU needs deterministic kernels
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
        torch.use_deterministic_algorithms(True, warn_only=True)
    logging.basicConfig(level=logging.WARNING)

    root = os.path.abspath(opts.root)
    sys.path.insert(0, root)
    from qlib.contrib.data.synthetic_demo import DemoDatasetH, DemoTSDatasetH

    panel = dict(n_days=30, n_stocks=12, d_feat=4, step_len=5, seed=0)
    tabular = DemoDatasetH(**panel)
    datasets = {"ts": DemoTSDatasetH(**panel), "tabular": tabular, "xy": XYDataset(tabular)}
    wanted = set(opts.cases.split(",")) if opts.cases else None
    results = []
    for case in CASES:
        if wanted is None or case[0] in wanted:
            results.append(run_case(case, datasets, os.path.join(root, "qlib"), opts.out, torch))
    with open(opts.out, "w") as fh:
        json.dump({"machine": opts.machine, "torch_version": ".".join(map(str, simmac.torch_version())),
                   "cuda_available": torch.cuda.is_available(), "results": results}, fh, indent=1)


if __name__ == "__main__":
    main()
