#!/usr/bin/env python3
"""Run the demo Qlib tree under every simulated accelerator setup and record what it does.

One process observes one tree (original or patched) with one torch (the real
one, or the stand-in under ``standin/``). Nothing is judged here:
``check_semantics.py`` runs this script for both trees and compares.

Usage: observe.py --root DIR --torch real|standin --out FILE.json
where DIR contains the ``qlib`` package.
"""

import argparse
import importlib
import json
import logging
import os
import sys
import traceback
import types

HERE = os.path.dirname(os.path.abspath(__file__))

GPUS = [0, 1, -1, None]
STR_GPUS = ["cuda:1", "mps"]
MPS_STATES = ["available", "unavailable", "missing"]

M = "qlib.contrib.model."
# (case id, module, class, value type of .device, whether __init__ sets self.logger before the
#  device line, GPU values, extra constructor kwargs)
INIT_CASES = [
    ("lstm.LSTM", M + "pytorch_lstm_demo", "LSTM", "device", True, GPUS, {}),
    ("lstm.LSTMLoss", M + "pytorch_lstm_demo", "LSTMLoss", "device", False, GPUS, {}),
    ("lstm.LSTMNet", M + "pytorch_lstm_demo", "LSTMNet", "device", False, GPUS, {"hidden_size": 4}),
    ("gru.GRU", M + "pytorch_gru_demo", "GRU", "device", True, GPUS + STR_GPUS, {}),
    ("tabnet.TabnetModel", M + "pytorch_tabnet_demo", "TabnetModel", "device", True, GPUS + STR_GPUS, {}),
    ("tcts.TCTS", M + "pytorch_tcts_demo", "TCTS", "str", True, GPUS, {}),
    ("sfm.SFM", M + "pytorch_sfm_demo", "SFM", "device", True, GPUS, {}),
    ("localformer.LocalformerModel", M + "pytorch_localformer_demo", "LocalformerModel", "device", False, GPUS, {}),
    ("gats.GATs", M + "pytorch_gats_demo", "GATs", "device", True, GPUS, {}),
]
# Module-level ``device = "cuda" if ... else "cpu"``.
MODULE_CASES = [
    ("localformer.<module>", M + "pytorch_localformer_demo"),
    ("dataset_demo.<module>", "qlib.contrib.data.dataset_demo"),
]
# Classes whose fit() ends by clearing the accelerator cache.
CACHE_CASES = [
    ("lstm.LSTM.fit", M + "pytorch_lstm_demo", "LSTM"),
    ("gru.GRU.fit", M + "pytorch_gru_demo", "GRU"),
    ("tcts.TCTS.fit", M + "pytorch_tcts_demo", "TCTS"),
    ("sfm.SFM.fit", M + "pytorch_sfm_demo", "SFM"),
]
# (case id, module, class, attribute holding the network)
LOAD_CASES = [
    ("lstm.LSTM.load_model", M + "pytorch_lstm_demo", "LSTM", "model"),
    ("sfm.SFM.load_model", M + "pytorch_sfm_demo", "SFM", "sfm_model"),
]
FORWARD_CASE = ("gats.GATModel.forward", M + "pytorch_gats_demo", "GATModel")
UNTOUCHED_CASE = ("gbdt.LGBModel", M + "gbdt_demo", "LGBModel")


def encode(value, torch):
    if isinstance(value, torch.device):
        return {"t": "device", "v": str(value)}
    if isinstance(value, str):
        return {"t": "str", "v": value}
    if isinstance(value, bool) or value is None:
        return {"t": "bool" if isinstance(value, bool) else "none", "v": value}
    return {"t": type(value).__name__, "v": repr(value)}


def encode_exc(exc):
    return {"t": "raise", "v": "%s: %s" % (type(exc).__name__, str(exc).splitlines()[0] if str(exc) else "")}


class Env:
    """Patch torch into one simulated machine, record accelerator calls, and undo it all on exit."""

    def __init__(self, torch, cuda, mps, torch_mps):
        self.torch, self.cuda, self.mps, self.torch_mps = torch, cuda, mps, torch_mps
        self.calls = []  # "cuda" / "mps" for each empty_cache call, in order
        self.loads = []  # (args, kwargs) for each torch.load call
        self.load_result = object()
        self._undo = []

    def _remember(self, obj, name):
        missing = object()
        old = vars(obj).get(name, missing)
        self._undo.append((obj, name, old, missing))
        return old is not missing

    def _set(self, obj, name, value):
        self._remember(obj, name)
        setattr(obj, name, value)

    def _del(self, obj, name):
        if self._remember(obj, name):
            delattr(obj, name)

    def __enter__(self):
        torch = self.torch
        self._set(torch.cuda, "is_available", lambda: self.cuda)
        self._set(torch.cuda, "empty_cache", lambda: self.calls.append("cuda"))
        if self.mps == "missing":
            self._del(torch.backends, "mps")
        else:
            self._set(torch.backends.mps, "is_available", lambda: self.mps == "available")
        if self.torch_mps == "has":
            fake = types.ModuleType("torch.mps")
            fake.empty_cache = lambda: self.calls.append("mps")
            self._set(torch, "mps", fake)
        else:
            self._del(torch, "mps")
        # Moving a network to cuda/mps cannot work on this machine; the device is all that matters here.
        self._set(torch.nn.Module, "to", lambda module, *a, **k: module)

        def fake_load(*args, **kwargs):
            self.loads.append((args, kwargs))
            return self.load_result

        self._set(torch, "load", fake_load)
        return self

    def __exit__(self, *exc):
        while self._undo:
            obj, name, old, missing = self._undo.pop()
            if old is missing:
                if name in vars(obj):
                    delattr(obj, name)
            else:
                setattr(obj, name, old)
        return False


class FakeDataset:
    """Just enough of ``qlib.data.dataset.DatasetH`` for fit(): ``prepare`` returns (x, y) arrays."""

    def __init__(self, np):
        self.x = np.zeros((4, 24), dtype=np.float32)
        self.y = np.zeros((4, 3), dtype=np.float32)

    def prepare(self, segments):
        if isinstance(segments, (list, tuple)):
            return [(self.x, self.y) for _ in segments]
        return self.x, self.y


class LogCapture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())

    def mentions_mps(self):
        return any("MPS" in m for m in self.messages)


class FakeAccelTensor:
    """An object that only has ``.device`` (real torch cannot allocate cuda/mps tensors here)."""

    def __init__(self, device):
        self.device = device

    def __getattr__(self, name):
        raise RuntimeError("fake %s tensor: .%s is not supported" % (self.device, name))

    def __len__(self):
        raise RuntimeError("fake %s tensor: len() is not supported" % self.device)


def capture_local(func, code, name, *args):
    """Call func(*args); return (last value bound to local `name` inside `code`, exception or None)."""
    seen = {}

    def local_trace(frame, event, arg):
        if name in frame.f_locals:
            seen["value"] = frame.f_locals[name]
        return local_trace

    def global_trace(frame, event, arg):
        return local_trace if frame.f_code is code else None

    error = None
    sys.settrace(global_trace)
    try:
        func(*args)
    except Exception as exc:  # the rest of forward() may fail on a fake tensor
        error = exc
    finally:
        sys.settrace(None)
    return seen, error


def scenarios(torch_kind):
    mps_states = MPS_STATES if torch_kind == "real" else ["missing"]
    for cuda in (True, False):
        for mps in mps_states:
            yield cuda, mps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--torch", choices=["real", "standin"], required=True)
    ap.add_argument("--out", required=True)
    opts = ap.parse_args()

    if opts.torch == "standin":
        sys.path.insert(0, os.path.join(HERE, "standin"))
    sys.path.insert(0, os.path.abspath(opts.root))
    sys.dont_write_bytecode = True
    import numpy as np
    import torch
    import torch.nn  # noqa: F401

    is_standin = getattr(torch, "STANDIN", False)
    if is_standin != (opts.torch == "standin"):
        sys.exit("observe.py: wanted %s torch, imported %s" % (opts.torch, torch.__file__))
    import qlib

    if not os.path.abspath(qlib.__file__).startswith(os.path.abspath(opts.root) + os.sep):
        sys.exit("observe.py: imported qlib from %s, not from %s" % (qlib.__file__, opts.root))

    log = LogCapture()
    qlib_logger = logging.getLogger("qlib")
    qlib_logger.addHandler(log)
    qlib_logger.propagate = False

    records = []
    base = {"torch": opts.torch}

    def load(modname):
        return importlib.import_module(modname)

    def try_import(modname):
        try:
            return load(modname), None
        except Exception as exc:
            return None, {"t": "import-error", "v": "%s: %s" % (type(exc).__name__, exc)}

    # 1. __init__ device selection.
    for case_id, modname, clsname, vtype, has_logger, gpus, kwargs in INIT_CASES:
        mod, err = try_import(modname)
        for gpu in gpus:
            for cuda, mps in scenarios(opts.torch):
                rec = dict(base, kind="init", case=case_id, gpu=repr(gpu), cuda=cuda, mps=mps, vtype=vtype,
                           logger=has_logger)
                if err:
                    rec["result"] = err
                    records.append(rec)
                    continue
                del log.messages[:]
                with Env(torch, cuda, mps, "missing"):
                    try:
                        obj = getattr(mod, clsname)(GPU=gpu, **kwargs)
                        rec["result"] = encode(obj.device, torch)
                        if hasattr(type(obj), "use_gpu") or "use_gpu" in vars(obj):
                            rec["use_gpu"] = encode(obj.use_gpu, torch)
                    except Exception as exc:
                        rec["result"] = encode_exc(exc)
                rec["mps_log"] = log.mentions_mps()
                records.append(rec)

    # 2. module-level device, evaluated at import time.
    for case_id, modname in MODULE_CASES:
        for cuda, mps in scenarios(opts.torch):
            rec = dict(base, kind="module", case=case_id, gpu="n/a", cuda=cuda, mps=mps, vtype="str", logger=False)
            with Env(torch, cuda, mps, "missing"):
                sys.modules.pop(modname, None)
                mod, err = try_import(modname)
                if err:
                    rec["result"] = err
                else:
                    rec["result"] = encode(mod.device, torch) if hasattr(mod, "device") else {"t": "absent", "v": None}
                    if hasattr(mod, "MTSDatasetH"):
                        # the batches must be built on the module's device
                        seen = []
                        real_tensor = torch.tensor

                        def recording_tensor(*a, **k):
                            seen.append(encode(k.pop("device", None), torch))
                            return real_tensor(*a, **k)

                        torch.tensor = recording_tensor
                        try:
                            list(mod.MTSDatasetH(np.zeros((3, 2, 2)), np.zeros(3), batch_size=2))
                            rec["tensor_devices"] = seen
                        except Exception as exc:
                            rec["tensor_devices"] = [encode_exc(exc)]
                        finally:
                            torch.tensor = real_tensor
            records.append(rec)
            sys.modules.pop(modname, None)

    # 3. cache clearing at the end of fit().
    torch_mps_states = ["has", "missing"] if opts.torch == "real" else ["missing"]
    for case_id, modname, clsname in CACHE_CASES:
        mod, err = try_import(modname)
        for gpu in GPUS:
            for cuda, mps in scenarios(opts.torch):
                for torch_mps in torch_mps_states:
                    rec = dict(base, kind="cache", case=case_id, gpu=repr(gpu), cuda=cuda, mps=mps,
                               torch_mps=torch_mps)
                    if err:
                        rec["init"] = err
                        records.append(rec)
                        continue
                    with Env(torch, cuda, mps, torch_mps) as env:
                        try:
                            obj = getattr(mod, clsname)(GPU=gpu, n_epochs=0, hidden_size=4)
                        except Exception as exc:
                            rec["init"] = encode_exc(exc)
                            records.append(rec)
                            continue
                        rec["init"] = encode(obj.device, torch)
                        try:
                            obj.fit(FakeDataset(np))
                            rec["fit_error"] = None
                        except Exception as exc:
                            rec["fit_error"] = encode_exc(exc)["v"]
                            rec["fit_traceback"] = traceback.format_exc(limit=-3)
                        rec["calls"] = list(env.calls)
                    records.append(rec)

    # 4. checkpoint loading.
    for case_id, modname, clsname, attr in LOAD_CASES:
        mod, err = try_import(modname)
        for gpu in GPUS:
            for cuda, mps in scenarios(opts.torch):
                rec = dict(base, kind="load", case=case_id, gpu=repr(gpu), cuda=cuda, mps=mps)
                if err:
                    rec["init"] = err
                    records.append(rec)
                    continue
                with Env(torch, cuda, mps, "missing") as env:
                    try:
                        obj = getattr(mod, clsname)(GPU=gpu)
                    except Exception as exc:
                        rec["init"] = encode_exc(exc)
                        records.append(rec)
                        continue
                    rec["init"] = encode(obj.device, torch)
                    received = []
                    net = types.SimpleNamespace(load_state_dict=lambda sd, *a, **k: received.append(sd))
                    setattr(obj, attr, net)
                    try:
                        obj.load_model("/nonexistent/checkpoint.pt")
                        rec["error"] = None
                    except Exception as exc:
                        rec["error"] = encode_exc(exc)["v"]
                    rec["loads"] = [
                        {"args": [repr(a) for a in args],
                         "kwargs": {k: encode(v, torch) for k, v in kwargs.items()}}
                        for args, kwargs in env.loads
                    ]
                    rec["state_dict_passed_on"] = len(received) == 1 and received[0] is env.load_result
                records.append(rec)

    # 5. the device of a tensor inside forward().
    case_id, modname, clsname = FORWARD_CASE
    mod, err = try_import(modname)
    if opts.torch == "real":
        tensors = [("cpu", False, "unavailable"), ("cuda:1", True, "unavailable"), ("mps", False, "available")]
    else:
        tensors = [("cpu", False, "missing"), ("cuda:1", True, "missing")]
    for dev, cuda, mps in tensors:
        rec = dict(base, kind="forward", case=case_id, tensor=dev, cuda=cuda, mps=mps)
        if err:
            rec["result"] = err
            records.append(rec)
            continue
        with Env(torch, cuda, mps, "missing"):
            if is_standin:
                x = torch.zeros(2, 24, device=dev)
            elif dev == "cpu":
                x = torch.zeros(3, 24)
            else:
                x = FakeAccelTensor(torch.device(dev))
            rec["expected"] = encode(x.device, torch)
            net = getattr(mod, clsname)(d_feat=6, hidden_size=4)
            seen, error = capture_local(net.forward, type(net).forward.__code__, "device", x)
            if "value" in seen:
                rec["result"] = encode(seen["value"], torch)
            else:
                rec["result"] = encode_exc(error) if error else {"t": "unbound", "v": None}
            rec["forward_error"] = None if error is None else encode_exc(error)["v"]
        records.append(rec)

    # 6. a model without device code still imports and constructs.
    case_id, modname, clsname = UNTOUCHED_CASE
    mod, err = try_import(modname)
    rec = dict(base, kind="untouched", case=case_id)
    if err:
        rec["result"] = err
    else:
        try:
            rec["result"] = {"t": "params", "v": repr(sorted(getattr(mod, clsname)(num_leaves=8).params.items()))}
        except Exception as exc:
            rec["result"] = encode_exc(exc)
    records.append(rec)

    with open(opts.out, "w") as fh:
        json.dump({"torch_file": torch.__file__, "qlib_file": qlib.__file__, "records": records}, fh, indent=1)


if __name__ == "__main__":
    main()
