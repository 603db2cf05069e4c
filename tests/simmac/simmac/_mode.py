"""The torch function mode that makes CPU tensors pass for MPS tensors, and enforces MPS's limits.

Tensors stay on the CPU; marked ones (``_marks``) report the MPS device. Every
torch function goes through ``SimMode.__torch_function__``: results of an
operation on MPS tensors are marked, factories asked for ``device="mps"`` run
on the CPU and are marked, and what a real Mac refuses raises the real error.
While a handler runs, torch 1.13 disables the mode, so code inside runs plain.
"""

import os
import warnings

import torch
from torch.overrides import TorchFunctionMode

from . import _facts as F
from ._marks import is_mps, mark, unmark
from ._recorder import RECORDER, where

MPS0 = torch.device("mps", 0)
TORCH_DIR = os.path.dirname(os.path.abspath(torch.__file__))


class Settings:
    version = (0, 0)

    @classmethod
    def has(cls, since):
        return cls.version >= since


def fail(exc_type, message, op):
    """Raise what a real Mac raises, and record it."""
    RECORDER.count("mac_errors")
    RECORDER.event("mac_error", type=exc_type.__name__, message=message.splitlines()[0][:240], op=op,
                   where=where((TORCH_DIR,)))
    raise exc_type(message)


def tensors_in(obj, out):
    if isinstance(obj, torch.Tensor):
        out.append(obj)
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            tensors_in(item, out)
    elif isinstance(obj, dict):
        for item in obj.values():
            tensors_in(item, out)
    return out


def device_type(device):
    """'mps' / 'cpu' / 'cuda' for a device argument; None when it names no device."""
    if isinstance(device, torch.device):
        return device.type
    if isinstance(device, str):
        return torch.device(device).type
    if isinstance(device, int) and not isinstance(device, bool):
        return "cuda"  # an int device is a CUDA ordinal
    return None


def placement(t):
    """The device type a tensor reports under the simulation (call only inside a handler)."""
    return "mps" if is_mps(t) else t.device.type


def check_same_device(tensors, op):
    # Real torch lets 0-dim CPU tensors (scalars) mix with any device; nothing else.
    first = None
    for t in tensors:
        if is_mps(t):
            dev = "mps:0"
        else:
            if t.device.type == "cpu" and t.dim() == 0:
                continue
            dev = str(t.device)
        if first is None:
            first = dev
        elif dev != first:
            fail(RuntimeError, F.mixed_devices(first, dev), op)


def claim(result, op):
    """Results of an MPS operation live on MPS; MPS has no float64."""
    if isinstance(result, torch.Tensor):
        if result.dtype == torch.float64:
            fail(TypeError, F.FLOAT64, op)
        mark(result)
    elif isinstance(result, (list, tuple)):
        for item in result:
            claim(item, op)
    return result


# --- operator coverage -----------------------------------------------------------

SPARSE_BUILDERS = {"sparse_coo_tensor", "_sparse_coo_tensor_unsafe", "to_sparse", "to_sparse_coo", "_to_sparse"}
COMPRESSED_BUILDERS = {"sparse_csr_tensor", "sparse_csc_tensor", "sparse_bsr_tensor", "sparse_bsc_tensor",
                       "sparse_compressed_tensor", "_sparse_csr_tensor_unsafe", "to_sparse_csr", "to_sparse_csc",
                       "to_sparse_bsr", "to_sparse_bsc"}
SPARSE_MATMULS = {"mm", "_sparse_mm", "addmm", "matmul", "__matmul__", "__rmatmul__", "bmm", "smm", "hspmm",
                  "_sparse_addmm", "sspaddmm"}
_warned_fallback = set()


def weight_norm_is_fused(args, kwargs):
    # torch._weight_norm calls the _weight_norm_interface kernel only for dim 0 or the last dim, no half.
    v, g = args[0], args[1]
    dim = args[2] if len(args) > 2 else kwargs.get("dim", 0)
    half = torch.float16 in (v.dtype, g.dtype)
    return not half and (dim == 0 or dim == v.dim() - 1)


def check_supported(name, args, kwargs, tensors):
    if name in SPARSE_BUILDERS and not Settings.has(F.SPARSE_COO):
        fail(NotImplementedError, F.no_backend_kernel(F.SPARSE_COO_OP, "SparseMPS"), name)
    if name in COMPRESSED_BUILDERS:
        fail(NotImplementedError, F.COMPRESSED, name)
    if name in SPARSE_MATMULS and not Settings.has(F.SPARSE_MATMUL):
        if any(t.is_sparse and is_mps(t) for t in tensors):
            fail(NotImplementedError, F.no_backend_kernel(F.SPARSE_MATMUL_OP, "SparseMPS"), name)
    missing = F.MISSING_OPS.get(name)
    if missing is None or Settings.has(missing.since):
        return
    if name == "_weight_norm" and not weight_norm_is_fused(args, kwargs):
        return
    if os.environ.get("PYTORCH_ENABLE_MPS_FALLBACK") == "1":
        RECORDER.count("mps_fallbacks")
        if missing.aten not in _warned_fallback:  # TORCH_WARN_ONCE in MPSFallback.mm
            _warned_fallback.add(missing.aten)
            RECORDER.event("mps_fallback", op=missing.aten, where=where((TORCH_DIR,)))
            warnings.warn(F.mps_fallback_warning(missing.aten), UserWarning, stacklevel=3)
        return
    fail(NotImplementedError, F.mps_not_implemented(missing.aten), name)


def as_mps_error(exc):
    """The CPU kernel's complaint about an MPS operation, as the MPS backend words it."""
    text = str(exc)
    for cpu, mps in (("'SparseCPU' backend", "'SparseMPS' backend"), ("'CPU' backend", "'MPS' backend")):
        text = text.replace(cpu, mps)
    return exc if text == str(exc) else type(exc)(text)


# --- Tensor.to and friends ---------------------------------------------------------

def parse_to(rest, kwargs):
    """(device argument, dtype, other tensor, bool flags) of Tensor.to(...) arguments."""
    device = kwargs.get("device")
    dtype = kwargs.get("dtype")
    other, flags = None, []
    for arg in rest:
        if isinstance(arg, torch.Tensor):
            other = arg
        elif isinstance(arg, torch.dtype):
            dtype = arg
        elif isinstance(arg, bool):
            flags.append(arg)
        elif isinstance(arg, (str, torch.device, int)):
            device = arg
    return device, dtype, other, flags


def tensor_to(func, args, kwargs):
    self, rest = args[0], list(args[1:])
    device, dtype, other, flags = parse_to(rest, kwargs)
    if other is not None:
        dst = placement(other)
        dtype = other.dtype
        rest = [other.device if dst != "mps" else "cpu", dtype] + [a for a in rest[1:]]
    else:
        dst = device_type(device)
    src_mps = is_mps(self)
    to_mps = dst == "mps" or (dst is None and src_mps)
    if not to_mps and not src_mps:
        return func(*args, **kwargs)
    kwargs = dict(kwargs)
    if to_mps:
        if self.is_sparse and not Settings.has(F.SPARSE_COO):
            fail(NotImplementedError, F.no_backend_kernel(F.SPARSE_EMPTY_OP, "SparseMPS"), "to")
        if (dtype or self.dtype) == torch.float64:
            fail(TypeError, F.FLOAT64, "to")
        rest = ["cpu" if device_type(a) == "mps" and not isinstance(a, bool) else a for a in rest]
        if device_type(kwargs.get("device")) == "mps":
            kwargs["device"] = "cpu"
    crossing = to_mps != src_mps
    if crossing:  # a real copy between devices: a new tensor, never self
        if len(flags) >= 2:
            idx = [i for i, a in enumerate(rest) if isinstance(a, bool)][1]
            rest[idx] = True
        else:
            kwargs["copy"] = True
    result = func(self, *rest, **kwargs)
    if to_mps:
        mark(result)
        if crossing:
            RECORDER.count("tensor_to_mps")
            if RECORDER.counts["tensor_to_mps"] <= 50:
                RECORDER.event("tensor_to_mps", dtype=str(result.dtype), shape=list(result.shape),
                               where=where((TORCH_DIR,)))
    else:
        unmark(result)
    return result


def tensor_cpu(func, args, kwargs):
    if is_mps(args[0]):
        return torch.Tensor.to(args[0], "cpu", copy=True, **kwargs)
    return func(*args, **kwargs)


def tensor_numpy(func, args, kwargs):
    if is_mps(args[0]):
        fail(TypeError, F.numpy_of("mps:0"), "numpy")
    return func(*args, **kwargs)


def tensor_type(func, args, kwargs):
    self = args[0]
    if not is_mps(self):
        return func(*args, **kwargs)
    target = args[1] if len(args) > 1 else kwargs.get("dtype")
    if target is None:
        return func(*args, **kwargs).replace("torch.", "torch.mps.", 1)
    if isinstance(target, torch.dtype):
        return claim(func(*args, **kwargs), "type")
    name = target if isinstance(target, str) else "%s.%s" % (target.__module__, target.__name__)
    if ".cuda." in name:
        return func(*args, **kwargs)
    result = func(*args, **kwargs)  # a CPU tensor type: the tensor leaves MPS
    return result.clone() if result is self else result


def tensor_type_as(func, args, kwargs):
    return tensor_to(torch.Tensor.to, (args[0], args[1]), {})


def tensor_copy_(func, args, kwargs):
    # copy_ is how data crosses devices: no same-device check; the destination keeps its device.
    return func(*args, **kwargs)


def tensor_getitem(func, args, kwargs):
    self = args[0]
    if not is_mps(self):
        if any(is_mps(t) and t.dim() > 0 for t in tensors_in(args[1:], [])):
            fail(RuntimeError, F.INDEX_DEVICE, "__getitem__")
        return func(*args, **kwargs)
    return claim(func(*args, **kwargs), "__getitem__")


def tensor_setitem(func, args, kwargs):
    if not is_mps(args[0]) and any(is_mps(t) and t.dim() > 0 for t in tensors_in(args[1:2], [])):
        fail(RuntimeError, F.INDEX_DEVICE, "__setitem__")
    return func(*args, **kwargs)


def like_self(func, args, kwargs):
    # expand_as/view_as/new_tensor...: the result lives where self lives, whatever the other argument.
    result = func(*args, **kwargs)
    if is_mps(args[0]) and device_type(kwargs.get("device")) in (None, "mps"):
        claim(result, func.__name__)
    return result


def with_device_suffix(text):
    start = text.find("tensor(")
    if start < 0:
        return text
    i = start + len("tensor(")
    if i < len(text) and text[i] == "[":
        depth = 0
        for j in range(i, len(text)):
            if text[j] == "[":
                depth += 1
            elif text[j] == "]":
                depth -= 1
                if depth == 0:
                    break
        end = j + 1
    else:
        end = i
        while end < len(text) and text[end] not in ",)":
            end += 1
    return text[:end] + ", device='mps:0'" + text[end:]


def tensor_repr(func, args, kwargs):
    text = func(*args, **kwargs)
    return with_device_suffix(text) if is_mps(args[0]) else text


def tensor_format(func, args, kwargs):
    self = args[0]
    if is_mps(self) and self.dim() != 0 and not (args[1:] and args[1]):
        return with_device_suffix(torch.Tensor.__repr__(self))
    return func(*args, **kwargs)


def tensor_iter(func, args, kwargs):
    items = list(func(*args, **kwargs))
    if is_mps(args[0]):
        claim(items, "__iter__")
    return iter(items)


def get_device(func, args, kwargs):
    return MPS0 if is_mps(args[0]) else func(*args, **kwargs)


def get_is_mps(func, args, kwargs):
    return True if is_mps(args[0]) else func(*args, **kwargs)


def get_is_cpu(func, args, kwargs):
    return False if is_mps(args[0]) else func(*args, **kwargs)


def set_data(func, args, kwargs):
    func(*args, **kwargs)
    self, value = args[0], args[1]
    (mark if is_mps(value) else unmark)(self)


def passthrough(func, args, kwargs):
    return func(*args, **kwargs)


SPECIAL = {
    torch.Tensor.to: tensor_to,
    torch.Tensor.cpu: tensor_cpu,
    torch.Tensor.numpy: tensor_numpy,
    torch.Tensor.__array__: tensor_numpy,
    torch.Tensor.type: tensor_type,
    torch.Tensor.type_as: tensor_type_as,
    torch.Tensor.copy_: tensor_copy_,
    torch.Tensor.__getitem__: tensor_getitem,
    torch.Tensor.__setitem__: tensor_setitem,
    torch.Tensor.__repr__: tensor_repr,
    torch.Tensor.__format__: tensor_format,
    torch.Tensor.__iter__: tensor_iter,
    torch.Tensor.device.__get__: get_device,
    torch.Tensor.is_mps.__get__: get_is_mps,
    torch.Tensor.data.__set__: set_data,
    torch._has_compatible_shallow_copy_type: passthrough,
}
if hasattr(torch.Tensor, "is_cpu"):
    SPECIAL[torch.Tensor.is_cpu.__get__] = get_is_cpu
for _name in ("expand_as", "view_as", "reshape_as", "new_tensor", "new_zeros", "new_ones", "new_empty",
              "new_full"):
    SPECIAL[getattr(torch.Tensor, _name)] = like_self


class SimMode(TorchFunctionMode):
    def __torch_function__(self, func, types, args=(), kwargs=None):
        if kwargs is None:
            kwargs = {}
        try:
            handler = SPECIAL.get(func)
        except TypeError:  # an unhashable callable
            handler = None
        if handler is not None:
            return handler(func, args, kwargs)
        name = getattr(func, "__name__", "")
        if name == "__get__":
            # .data, .grad, .T, .mT, ...: what an MPS tensor exposes lives on MPS
            result = func(*args, **kwargs)
            if isinstance(result, torch.Tensor) and args and is_mps(args[0]):
                mark(result)
            return result
        if name == "__set__":
            return func(*args, **kwargs)
        target = device_type(kwargs.get("device"))
        if target == "mps":
            kwargs = dict(kwargs)
            kwargs["device"] = "cpu"
        tensors = tensors_in(args, [])
        if kwargs:
            tensors_in(kwargs, tensors)
        on_mps = any(is_mps(t) for t in tensors)
        if not on_mps and target != "mps":
            return func(*args, **kwargs)
        if target is None:
            check_same_device(tensors, name)
            self_arg = args[0] if args and isinstance(args[0], torch.Tensor) else None
            inplace = name.endswith("_") and not name.startswith("_")
            out = kwargs.get("out")
            for dest in ([self_arg] if inplace and self_arg is not None else []) + tensors_in(out, []):
                if not is_mps(dest):  # writing MPS results into a CPU tensor
                    fail(RuntimeError, F.mixed_devices("mps:0", str(dest.device)), name)
        check_supported(name, args, kwargs, tensors)
        try:
            result = func(*args, **kwargs)
        except (RuntimeError, NotImplementedError) as exc:
            raise as_mps_error(exc) from None
        if target == "mps":
            RECORDER.count("created_on_mps")
            return claim(result, name)
        if target is None:
            return claim(result, name)
        return result
