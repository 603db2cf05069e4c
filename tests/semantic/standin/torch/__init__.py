"""A minimal stand-in for ``torch``, for the semantic suite only.

It models an old PyTorch build that predates Apple's MPS backend: there is no
``torch.backends.mps`` and no ``torch.mps``. It implements just enough for the
demo Qlib models to be imported, constructed, and have their device-selection,
cache-clearing and checkpoint-loading methods called. Tensors carry a device
and a numpy array but do no autograd.
"""

import builtins as _builtins
import pickle as _pickle

import numpy as _np

__version__ = "1.11.0+standin"
STANDIN = True

_DEVICE_TYPES = ("cpu", "cuda", "meta")


class device:
    """Mirrors ``torch.device``: "cpu", "cuda", "cuda:N", ("cuda", N) or a bare int N (cuda:N)."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            object.__setattr__(self, "type", type.type)
            object.__setattr__(self, "index", type.index)
            return
        if isinstance(type, _builtins.bool) or not isinstance(type, (str, int)):
            raise TypeError("device() received an invalid combination of arguments - got (%s)" % _type_name(type))
        if isinstance(type, int):
            if type < 0:
                raise RuntimeError("Device index must not be negative")
            type, index = "cuda", type
        name, sep, idx = type.partition(":")
        if sep:
            if index is not None or not idx.isdigit():
                raise RuntimeError("Invalid device string: '%s'" % type)
            index = int(idx)
        if name not in _DEVICE_TYPES:
            raise RuntimeError("Expected one of cpu, cuda, meta device type at start of device string: %s" % type)
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        object.__setattr__(self, "type", name)
        object.__setattr__(self, "index", index)

    def __setattr__(self, name, value):
        raise AttributeError("torch.device is immutable")

    def __reduce__(self):
        return (device, (self.type, self.index))

    def __eq__(self, other):
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __str__(self):
        return self.type if self.index is None else "%s:%d" % (self.type, self.index)

    def __repr__(self):
        if self.index is None:
            return "device(type='%s')" % self.type
        return "device(type='%s', index=%d)" % (self.type, self.index)


def _type_name(x):
    return type(x).__name__


class dtype:
    def __init__(self, name, np_type):
        self.name, self.np_type = name, np_type

    def __repr__(self):
        return "torch." + self.name


float32 = float = dtype("float32", _np.float32)
float64 = double = dtype("float64", _np.float64)
int64 = long = dtype("int64", _np.int64)
bool = dtype("bool", _np.bool_)  # noqa: A001 - mirrors torch's namespace


class Tensor:
    def __init__(self, data, device_=None):
        self._data = _np.asarray(data)
        self.device = device("cpu") if device_ is None else device(device_)

    shape = property(lambda self: self._data.shape)

    def size(self, dim=None):
        return self._data.shape if dim is None else self._data.shape[dim]

    def __len__(self):
        return len(self._data)

    def to(self, *args, **kwargs):
        target = kwargs.get("device", args[0] if args else None)
        if isinstance(target, (str, device)):
            return Tensor(self._data, target)
        return self

    def cpu(self):
        return Tensor(self._data, "cpu")

    def numpy(self):
        if self.device.type != "cpu":
            raise TypeError("can't convert %s device type tensor to numpy. Use Tensor.cpu() first." % self.device.type)
        return self._data

    def float(self):
        return Tensor(self._data.astype(_np.float32), self.device)

    def detach(self):
        return self

    def __repr__(self):
        return "tensor(%r, device='%s')" % (self._data.tolist(), self.device)


def tensor(data, dtype=None, device=None, requires_grad=False):
    arr = _np.asarray(data, dtype=None if dtype is None else dtype.np_type)
    return Tensor(arr, device)


def from_numpy(arr):
    return Tensor(arr)


def zeros(*size, dtype=None, device=None):
    return tensor(_np.zeros(size[0] if len(size) == 1 and isinstance(size[0], tuple) else size), dtype, device)


def randn(*size, dtype=None, device=None):
    return tensor(_np.random.standard_normal(size), dtype, device)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def get_device(input):
    if not isinstance(input, Tensor):
        raise TypeError("get_device(): argument 'input' (position 1) must be Tensor, not %s" % _type_name(input))
    return input.device.index if input.device.type == "cuda" else -1


def manual_seed(seed):
    _np.random.seed(seed % (2 ** 32))


class no_grad:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def save(obj, f):
    with open(f, "wb") as fh:
        _pickle.dump(obj, fh)


def load(f, map_location=None):
    with open(f, "rb") as fh:
        return _pickle.load(fh)


from . import backends, cuda, nn, optim  # noqa: E402  (submodules need the names above)
