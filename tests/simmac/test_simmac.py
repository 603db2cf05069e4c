#!/usr/bin/env python3
"""Self-tests of the simulated Mac. Run with an interpreter that has torch (Debian: /usr/bin/python3):

    /usr/bin/python3 tests/simmac/test_simmac.py [-v]

Each behaviour is checked both ways: what a real Mac accepts works, what it refuses raises.
"""

import copy
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

import simmac  # noqa: E402

MPS0 = torch.device("mps", 0)
FLOAT64 = ("Cannot convert a MPS Tensor to float64 dtype as the MPS framework doesn't support float64. "
           "Please use float32 instead.")
MIXED = "Expected all tensors to be on the same device, but found at least two devices, mps:0 and cpu!"
NUMPY = "can't convert mps:0 device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host memory first."
REAL_CUDA_AVAILABLE = torch.cuda.is_available
REAL_MPS_AVAILABLE = torch.backends.mps.is_available


class Sim(unittest.TestCase):
    machine, version = "mac", None

    def setUp(self):
        self.rec = simmac.install(self.machine, self.version)

    def tearDown(self):
        simmac.uninstall()
        os.environ.pop("PYTORCH_ENABLE_MPS_FALLBACK", None)

    def on_mps(self, t):
        self.assertEqual(t.device, MPS0)
        self.assertTrue(t.is_mps)
        self.assertEqual(str(t.device), "mps:0")

    def on_cpu(self, t):
        self.assertEqual(t.device, torch.device("cpu"))
        self.assertFalse(t.is_mps)


class Availability(Sim):
    def test_mac_has_mps_and_no_cuda(self):
        self.assertFalse(torch.cuda.is_available())
        self.assertEqual(torch.cuda.device_count(), 0)
        self.assertTrue(torch.backends.mps.is_available())
        self.assertTrue(torch.backends.mps.is_built())

    def test_cuda_calls_fail_as_on_a_mac(self):
        for call in (lambda: torch.ones(1).cuda(), torch.cuda.synchronize, lambda: torch.ones(1).to("cuda")):
            with self.assertRaises(AssertionError) as cm:
                call()
            self.assertIn("Torch not compiled with CUDA enabled", str(cm.exception))
        torch.cuda.empty_cache()  # a no-op where CUDA was never initialised, as on a Mac

    def test_torch_mps_module_only_from_2_0(self):
        self.assertFalse(hasattr(torch, "mps"))  # the installed torch is 1.13
        simmac.install("mac", "2.0")
        for name in ("empty_cache", "synchronize", "manual_seed"):
            self.assertTrue(callable(getattr(torch.mps, name)))
        torch.mps.empty_cache()
        torch.mps.synchronize()
        self.assertEqual(simmac.recorder().counts["torch.mps.empty_cache"], 1)
        simmac.install("mac", "1.13")
        self.assertFalse(hasattr(torch, "mps"))

    def test_uninstall_restores_torch(self):
        simmac.uninstall()
        self.assertIs(torch.cuda.is_available, REAL_CUDA_AVAILABLE)
        self.assertIs(torch.backends.mps.is_available, REAL_MPS_AVAILABLE)
        with self.assertRaises(RuntimeError):  # this CPU build really has no MPS
            torch.ones(1).to("mps")

    def test_unknown_machine_and_version(self):
        with self.assertRaises(ValueError):
            simmac.install("tpu")
        with self.assertRaises(ValueError):
            simmac.install("mac", "1.11")  # MPS arrived in 1.12


class CpuMachine(Sim):
    machine = "cpu"

    def test_neither_cuda_nor_mps(self):
        self.assertFalse(torch.cuda.is_available())
        self.assertFalse(torch.backends.mps.is_available())
        with self.assertRaises(AssertionError):
            torch.ones(1).cuda()
        with self.assertRaises(RuntimeError):
            torch.ones(1).to("mps")


class CudaMachine(Sim):
    machine = "cuda"

    def test_nothing_is_patched(self):
        self.assertIs(torch.cuda.is_available, REAL_CUDA_AVAILABLE)
        self.assertIs(torch.backends.mps.is_available, REAL_MPS_AVAILABLE)
        self.assertNotIn("_make_subclass", vars(torch.Tensor))
        self.assertEqual(torch.ones(2).device, torch.device("cpu"))


class DeviceReporting(Sim):
    def test_every_way_to_send_a_tensor(self):
        other = torch.zeros(1).to("mps")
        for t in (torch.ones(2).to("mps"), torch.ones(2).to(torch.device("mps")), torch.ones(2).to(device="mps"),
                  torch.ones(2).to("mps:0"), torch.ones(2).to(other), torch.ones(2).to("mps", torch.float16),
                  torch.ones(2).to(device=torch.device("mps"), dtype=torch.float32, non_blocking=True)):
            self.on_mps(t)

    def test_factories(self):
        dev = torch.device("mps")
        made = [torch.zeros(2, device="mps"), torch.ones(2, device=dev), torch.tensor([1.0], device=dev),
                torch.arange(3, device="mps"), torch.linspace(0, 1, 3, device=dev), torch.randn(2, device=dev),
                torch.empty(2, device=dev), torch.full((2,), 3.0, device=dev), torch.eye(2, device=dev),
                torch.zeros_like(torch.ones(2), device="mps")]
        for t in made:
            self.on_mps(t)
        self.on_cpu(torch.zeros(2))
        self.assertEqual(self.rec.counts["created_on_mps"], len(made))

    def test_cpu_copies_are_plain(self):
        x = torch.ones(3).to("mps")
        for y in (x.cpu(), x.to("cpu"), x.to(torch.device("cpu")), x.detach().cpu()):
            self.on_cpu(y)
            self.assertIsNot(y, x)
            self.assertEqual(y.numpy().tolist(), [1.0, 1.0, 1.0])
        self.on_mps(x)
        y = x.cpu()
        y += 1  # a copy, as on a real Mac
        self.assertEqual(x.cpu().tolist(), [1.0, 1.0, 1.0])

    def test_results_of_operations_stay_on_mps(self):
        x = torch.randn(4, 3).to("mps")
        idx = torch.tensor([0, 2]).to("mps")
        results = [x + 1, x * x, -x, x ** 2, 2 ** x, x @ x.T, x.T, x.sum(), x.mean(dim=0), x > 0, x[0], x[idx],
                   x[:, 0], x[x > 0], x[..., None], x.view(12), x.clone(), x.detach(), x.float(), x.half(),
                   x.long(), torch.stack([x, x]), torch.cat([x, x]), torch.relu(x), x.new_zeros(2),
                   torch.zeros_like(x), x.masked_fill(x > 0, 0.0), x.max(dim=1).values, x.max(dim=1).indices]
        results += list(x.chunk(2)) + list(torch.topk(x, 2, dim=1)) + list(x)
        for r in results:
            self.on_mps(r)
        x.add_(1)
        self.on_mps(x)
        with torch.no_grad():
            self.on_mps(x * 2)
        self.assertIsInstance(x.sum().item(), float)
        self.assertEqual(len(x.tolist()), 4)
        self.assertEqual(x.type(), "torch.mps.FloatTensor")

    def test_repr_names_the_device(self):
        self.assertEqual(repr(torch.tensor([1.0, 2.0]).to("mps")), "tensor([1., 2.], device='mps:0')")
        self.assertEqual(repr(torch.tensor(3.0).to("mps")), "tensor(3., device='mps:0')")
        self.assertNotIn("mps", repr(torch.tensor([1.0])))

    def test_module_parameters_and_buffers(self):
        model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)).to("mps")
        self.on_mps(next(model.parameters()))
        for t in list(model.parameters()) + list(model.buffers()):
            self.on_mps(t)
        self.assertIsInstance(next(model.parameters()), nn.Parameter)
        self.on_mps(nn.Parameter(torch.ones(2).to("mps")))
        self.on_mps(next(nn.Linear(2, 1).to(torch.ones(1).to("mps")).parameters()))  # Module.to(tensor)
        model.cpu()
        self.on_cpu(next(model.parameters()))
        self.assertEqual(self.rec.counts["module_to_mps"], 2)


class Float64(Sim):
    def assert_float64_refused(self, call):
        with self.assertRaises(TypeError) as cm:
            call()
        self.assertEqual(str(cm.exception), FLOAT64)

    def test_float64_cannot_reach_mps(self):
        x64 = torch.from_numpy(np.ones(3))
        self.assertEqual(x64.dtype, torch.float64)
        self.assert_float64_refused(lambda: x64.to("mps"))
        self.assert_float64_refused(lambda: torch.zeros(2, dtype=torch.float64, device="mps"))
        self.assert_float64_refused(lambda: torch.tensor(np.array([0.5]), device="mps"))
        x = torch.ones(3).to("mps")
        self.assert_float64_refused(lambda: x.double())
        self.assert_float64_refused(lambda: x.to(torch.float64))
        self.assert_float64_refused(lambda: nn.Linear(2, 2).double().to("mps"))
        self.assertEqual(self.rec.counts["mac_errors"], 6)
        self.assertTrue(self.rec.errors()[0]["where"].startswith(os.path.abspath(__file__)))

    def test_float32_is_fine(self):
        self.on_mps(torch.from_numpy(np.ones(3)).float().to("mps"))
        self.on_mps(torch.from_numpy(np.ones(3)).to("mps", torch.float32))
        x64 = torch.from_numpy(np.ones(3))
        self.on_cpu(x64 + 1)  # float64 on the CPU stays allowed
        self.assertEqual(self.rec.counts["mac_errors"], 0)


class MixedDevices(Sim):
    def test_mixing_raises(self):
        x = torch.ones(3).to("mps")
        for call in (lambda: x + torch.ones(3), lambda: torch.cat([x, torch.ones(3)]),
                     lambda: torch.ones(3).add_(x), lambda: nn.Linear(3, 1).to("mps")(torch.ones(2, 3)),
                     lambda: torch.tensor(1.0).to("mps") + torch.ones(3)):
            with self.assertRaises(RuntimeError) as cm:
                call()
            self.assertIn("Expected all tensors to be on the same device", str(cm.exception))
        with self.assertRaises(RuntimeError) as cm:
            x * torch.ones(3)
        self.assertEqual(str(cm.exception), MIXED)

    def test_cpu_scalars_may_mix(self):
        x = torch.ones(3).to("mps")
        self.on_mps(x * torch.tensor(2.0))
        self.on_mps(torch.tensor(2 * np.pi) * x)
        self.on_mps(x[torch.tensor([0, 1])])  # CPU index tensors are fine too
        x.copy_(torch.zeros(3))  # copy_ moves data across devices
        self.on_mps(x)


class Numpy(Sim):
    def test_numpy_needs_cpu(self):
        x = torch.ones(3).to("mps")
        for call in (x.numpy, lambda: np.asarray(x), lambda: x.detach().numpy()):
            with self.assertRaises(TypeError) as cm:
                call()
            self.assertEqual(str(cm.exception), NUMPY)
        self.assertEqual(x.cpu().numpy().tolist(), [1.0, 1.0, 1.0])
        self.assertEqual(x.detach().cpu().numpy().dtype, np.float32)


class Sparse(Sim):
    def coo(self, device):
        i = torch.tensor([[0, 1], [1, 0]]).to(device)
        v = torch.tensor([1.0, 2.0]).to(device)
        return i, v

    def assert_sparse_mps_missing(self, call, op="aten::_sparse_coo_tensor_with_dims_and_tensors"):
        with self.assertRaises(NotImplementedError) as cm:
            call()
        self.assertIn("'SparseMPS' backend", str(cm.exception))
        self.assertIn(op, str(cm.exception))

    def test_no_sparse_mps_before_2_9(self):
        i, v = self.coo("mps")
        self.assert_sparse_mps_missing(lambda: torch.sparse_coo_tensor(i, v, (2, 2)))
        self.assert_sparse_mps_missing(lambda: torch.sparse.FloatTensor(i, v, torch.Size([2, 2])))
        self.assert_sparse_mps_missing(lambda: torch.ones(2, 2).to("mps").to_sparse())
        ic, vc = self.coo("cpu")
        self.assert_sparse_mps_missing(lambda: torch.sparse_coo_tensor(ic, vc, (2, 2), device="mps"))
        s = torch.sparse_coo_tensor(ic, vc, (2, 2))
        self.assert_sparse_mps_missing(lambda: s.to("mps"), "aten::empty.memory_format")
        with self.assertRaises(RuntimeError):
            torch.sparse.mm(s, torch.ones(2, 2).to("mps"))

    def test_sparse_on_the_cpu_still_works(self):
        ic, vc = self.coo("cpu")
        s = torch.sparse.FloatTensor(ic, vc, torch.Size([2, 2]))
        self.assertTrue(isinstance(s, torch.sparse.FloatTensor))
        self.assertEqual(torch.sparse.mm(s, torch.eye(2)).tolist(), [[0.0, 1.0], [2.0, 0.0]])
        self.assertEqual(self.rec.counts["mac_errors"], 0)

    def test_sparse_mps_from_2_9_without_matmul_until_2_10(self):
        simmac.install("mac", "2.9")
        i, v = self.coo("mps")
        s = torch.sparse_coo_tensor(i, v, (2, 2))
        self.assertTrue(s.is_sparse)
        self.on_mps(s)
        self.on_mps(s.coalesce()._indices())
        self.on_mps(s.coalesce()._values())
        dense = torch.eye(2).to("mps")
        self.assert_sparse_mps_missing(lambda: torch.sparse.mm(s, dense), "aten::addmm")
        simmac.install("mac", "2.10")
        s = torch.sparse_coo_tensor(*self.coo("mps"), (2, 2))
        product = torch.sparse.mm(s, dense)
        self.on_mps(product)
        self.assertEqual(product.cpu().tolist(), [[0.0, 1.0], [2.0, 0.0]])

    def test_no_compressed_sparse_on_mps(self):
        simmac.install("mac", "2.10")
        with self.assertRaises(NotImplementedError):
            torch.eye(2).to("mps").to_sparse_csr()


class MissingOperators(Sim):
    def model(self):
        return nn.utils.weight_norm(nn.Linear(3, 2)).to("mps")

    def test_weight_norm_before_2_2(self):
        model, x = self.model(), torch.ones(1, 3).to("mps")
        with self.assertRaises(NotImplementedError) as cm:
            model(x)
        self.assertIn("The operator 'aten::_weight_norm_interface' is not currently implemented for the MPS "
                      "device", str(cm.exception))
        self.assertIn("PYTORCH_ENABLE_MPS_FALLBACK=1", str(cm.exception))

    def test_weight_norm_fallback(self):
        os.environ["PYTORCH_ENABLE_MPS_FALLBACK"] = "1"
        model, x = self.model(), torch.ones(1, 3).to("mps")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.on_mps(model(x))
        self.assertTrue(any(issubclass(w.category, UserWarning) and "will fall back to run on the CPU"
                            in str(w.message) for w in caught))
        self.assertEqual(self.rec.counts["mps_fallbacks"], 1)

    def test_weight_norm_from_2_2_and_unfused(self):
        x = torch.ones(1, 3).to("mps")
        self.on_mps(nn.utils.weight_norm(nn.Linear(3, 2), dim=None).to("mps")(x))  # not the fused kernel
        simmac.install("mac", "2.2")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.on_mps(self.model()(x))
        self.assertFalse(caught)


class Autocast(Sim):
    def test_before_mps_autocast(self):
        with self.assertRaises(RuntimeError) as cm:
            torch.autocast(device_type="mps")
        self.assertEqual(str(cm.exception), "User specified autocast device_type must be 'cuda' or 'cpu'")
        simmac.install("mac", "2.4")
        with self.assertRaises(RuntimeError) as cm:
            torch.autocast(device_type="mps", enabled=False)
        self.assertEqual(str(cm.exception), "User specified an unsupported autocast device_type 'mps'")
        with torch.autocast(device_type="cpu", dtype=torch.bfloat16):  # the CPU's own autocast still works
            pass

    def test_mps_autocast_by_dtype(self):
        simmac.install("mac", "2.5")
        with torch.autocast(device_type="mps", dtype=torch.float16):
            self.on_mps(torch.ones(2).to("mps") * 2)
        for version, refused in (("2.5", torch.bfloat16), ("2.6", torch.float32)):
            simmac.install("mac", version)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                ctx = torch.autocast(device_type="mps", dtype=refused)
            self.assertFalse(ctx._enabled)
            self.assertIn("In MPS autocast, but the target dtype is not supported. Disabling autocast.",
                          str(caught[0].message))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.assertTrue(torch.autocast(device_type="mps", dtype=torch.bfloat16)._enabled)
        self.assertFalse(caught)


def train(model, batches, optimizer, clip=None):
    losses = []
    for x, y in batches:
        loss = ((model(x).squeeze(-1) - y) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        if clip == "norm":
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        elif clip == "value":
            nn.utils.clip_grad_value_(model.parameters(), 1.0)
        optimizer.step()
        losses.append(loss.item())
    return losses


class RNNHead(nn.Module):
    def __init__(self, kind):
        super().__init__()
        self.rnn = kind(input_size=3, hidden_size=8, batch_first=True)
        self.fc = nn.Linear(8, 1)

    def forward(self, x):
        out = self.rnn(x)[0]
        return self.fc(out[:, -1, :])


class ConvHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(3, 4, kernel_size=2)
        self.fc = nn.Linear(4, 1)

    def forward(self, x):
        return self.fc(self.conv(x.transpose(1, 2)).mean(dim=2))


class TransformerHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(3, 8)
        self.enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True), 1)
        self.fc = nn.Linear(8, 1)

    def forward(self, x):
        return self.fc(self.enc(self.proj(x))[:, -1, :])


class Training(Sim):
    def batches(self, device, n=6):
        gen = torch.Generator().manual_seed(1)
        out = []
        for _ in range(n):
            x = torch.randn(8, 5, 3, generator=gen)
            out.append((x.to(device), x.sum(dim=(1, 2)).to(device)))
        return out

    def run_model(self, make, device, opt="adam", clip="norm"):
        torch.manual_seed(0)
        model = make().to(device)
        optimizer = (torch.optim.Adam if opt == "adam" else torch.optim.SGD)(model.parameters(), lr=0.01,
                                                                           **({"momentum": 0.9} if opt == "sgd"
                                                                              else {}))
        losses = train(model, self.batches(device), optimizer, clip)
        model.eval()
        with torch.no_grad():
            pred = model(self.batches(device, 1)[0][0])
        return model, optimizer, losses, pred

    def test_training_loops_stay_on_mps_and_match_the_cpu(self):
        makers = [lambda: RNNHead(nn.LSTM), lambda: RNNHead(nn.GRU), ConvHead, TransformerHead]
        for make, opt, clip in zip(makers, ("adam", "sgd", "adam", "sgd"), ("norm", "value", None, "norm")):
            model, optimizer, losses, pred = self.run_model(make, "mps", opt, clip)
            for p in model.parameters():
                self.on_mps(p)
                self.on_mps(p.grad)
                for state in optimizer.state[p].values():
                    if isinstance(state, torch.Tensor) and state.dim() > 0:
                        self.on_mps(state)
            self.on_mps(pred)
            self.assertLess(losses[-1], losses[0] * 1.5)
            _, _, cpu_losses, cpu_pred = self.run_model(make, "cpu", opt, clip)
            self.assertEqual(losses, cpu_losses)  # the simulation computes on the CPU: same numbers
            self.assertTrue(torch.equal(pred.cpu(), cpu_pred))
        self.assertEqual(self.rec.counts["forward_cpu"] > 0, True)  # the CPU reference runs
        self.assertGreater(self.rec.counts["forward_mps"], 0)
        self.assertEqual(self.rec.counts["forward_mixed"], 0)

    def test_state_dict_copies_save_and_load(self):
        model = RNNHead(nn.GRU).to("mps")
        best = copy.deepcopy(model.state_dict())
        for t in best.values():
            self.on_mps(t)
        model.load_state_dict(best)
        model.load_state_dict({k: v.cpu() for k, v in best.items()})  # a CPU state dict loads into MPS
        self.on_mps(next(model.parameters()))
        self.on_mps(next(copy.deepcopy(model).parameters()))
        buf = io.BytesIO()
        torch.save(best, buf)
        buf.seek(0)
        loaded = torch.load(buf)
        for k, t in loaded.items():
            self.on_mps(t)
            self.assertTrue(torch.equal(t.cpu(), best[k].cpu()))
        buf.seek(0)
        for t in torch.load(buf, map_location="cpu").values():
            self.on_cpu(t)
        cpu_buf = io.BytesIO()
        torch.save({k: v.cpu() for k, v in best.items()}, cpu_buf)
        cpu_buf.seek(0)
        for t in torch.load(cpu_buf, map_location=torch.device("mps")).values():
            self.on_mps(t)
        self.assertGreater(self.rec.counts["loaded_to_mps"], 0)


class RecorderAndCli(Sim):
    def test_recorder_counts_and_dump(self):
        model = nn.Linear(3, 1).to("mps")
        model(torch.ones(2, 3).to("mps"))
        model.cpu()(torch.ones(2, 3))
        counts = self.rec.counts
        self.assertEqual((counts["module_to_mps"], counts["tensor_to_mps"]), (1, 3))
        self.assertEqual(dict(self.rec.forwards["Linear"]), {"mps": 1, "cpu": 1})
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "rec.json")
            self.rec.dump(path)
            with open(path) as fh:
                data = json.load(fh)
        self.assertEqual(data["counts"]["forward_mps"], 1)
        self.assertEqual(data["machine"], "mac")

    def test_command_line(self):
        script = ("import sys, torch\n"
                  "assert __name__ == '__main__' and sys.argv[1:] == ['a', '--b']\n"
                  "assert torch.backends.mps.is_available() and hasattr(torch, 'mps')\n"
                  "torch.nn.Linear(2, 1).to('mps')(torch.ones(1, 2).to('mps'))\n"
                  "if 'fail' in sys.argv[0]:\n"
                  "    torch.ones(2, dtype=torch.float64).to('mps')\n")
        with tempfile.TemporaryDirectory() as tmp:
            for name, status in (("ok.py", 0), ("fail.py", 1)):
                path, record = os.path.join(tmp, name), os.path.join(tmp, name + ".json")
                with open(path, "w") as fh:
                    fh.write(script)
                env = dict(os.environ, PYTHONPATH=HERE)
                proc = subprocess.run([sys.executable, "-m", "simmac", "--machine", "mac", "--torch-version", "2.4",
                                       "--record", record, path, "a", "--b"], env=env, capture_output=True,
                                      text=True)
                self.assertEqual(proc.returncode, status, proc.stderr)
                with open(record) as fh:
                    data = json.load(fh)
                self.assertEqual(data["torch_version"], "2.4")
                self.assertEqual(data["counts"]["module_to_mps"], 1)
                if status:
                    self.assertTrue(data["exit"]["exception"].startswith("TypeError: Cannot convert a MPS Tensor"))


if __name__ == "__main__":
    unittest.main()
