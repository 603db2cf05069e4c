"""Turn this process's torch into one simulated machine ("mac", "cpu" or "cuda")."""

import sys
import threading
import types
import warnings

import torch

from . import _facts as F
from . import _mode
from ._marks import is_mps, mark
from ._recorder import RECORDER, where
from ._mode import SimMode, Settings, fail, tensors_in

MACHINES = ("mac", "cpu", "cuda")


class _State:
    machine = None
    version = None
    mode = None
    undo = []
    hooks = []


STATE = _State()


_MISSING = object()


def _set(obj, name, value):
    # Remember the object's own attribute (not an inherited one), so undo restores inheritance too.
    STATE.undo.append((obj, name, vars(obj).get(name, _MISSING)))
    setattr(obj, name, value)


def _del(obj, name):
    if name in vars(obj):
        STATE.undo.append((obj, name, vars(obj)[name]))
        delattr(obj, name)


def uninstall():
    """Undo install(): the process's torch is the real one again (marked tensors read as CPU)."""
    if STATE.mode is not None:
        STATE.mode.__exit__(None, None, None)
        STATE.mode = None
    for handle in STATE.hooks:
        handle.remove()
    STATE.hooks = []
    while STATE.undo:
        obj, name, old = STATE.undo.pop()
        if old is _MISSING:
            if name in vars(obj):
                delattr(obj, name)
        else:
            setattr(obj, name, old)
    if sys.modules.get("torch.mps") is not None and getattr(sys.modules["torch.mps"], "_simmac", False):
        del sys.modules["torch.mps"]
    STATE.machine = None


def installed():
    return STATE.machine


def torch_version():
    return STATE.version


# --- observation (every machine) ----------------------------------------------------

def _forward_pre_hook(module, inputs):
    tensors = tensors_in(inputs, [])
    if not tensors:
        return
    own = list(module.parameters(recurse=False)) + list(module.buffers(recurse=False))
    kinds = {("mps" if is_mps(t) else t.device.type) for t in tensors + own}
    RECORDER.forward(type(module).__name__, kinds.pop() if len(kinds) == 1 else "mixed")


# --- CUDA absent ------------------------------------------------------------------------

def _no_cuda():
    def lazy_init():
        raise AssertionError(F.NO_CUDA)

    _set(torch.cuda, "is_available", lambda: False)
    _set(torch.cuda, "device_count", lambda: 0)
    _set(torch.cuda, "is_initialized", lambda: False)
    _set(torch.cuda, "_lazy_init", lazy_init)


# --- the Mac ------------------------------------------------------------------------

def _torch_mps_module():
    mod = types.ModuleType("torch.mps")
    mod._simmac = True

    def recorded(name, result=None):
        def call(*args, **kwargs):
            RECORDER.count("torch.mps." + name)
            return result() if callable(result) else result
        call.__name__ = name
        return call

    def allocated():
        seen, total = set(), 0
        for t in list(_marked_tensors()):
            key = t.storage().data_ptr()
            if key not in seen:
                seen.add(key)
                total += t.storage().nbytes()
        return total

    for name in F.TORCH_MPS_FUNCTIONS:
        setattr(mod, name, recorded(name))
    mod.get_rng_state = recorded("get_rng_state", lambda: torch.get_rng_state())
    mod.current_allocated_memory = recorded("current_allocated_memory", allocated)
    mod.driver_allocated_memory = recorded("driver_allocated_memory", allocated)
    return mod


def _marked_tensors():
    from . import _marks
    for ref in list(_marks._marks.values()):
        t = ref()
        if t is not None:
            yield t


def _module_to(original):
    def to(self, *args, **kwargs):
        device, _, other, _ = _mode.parse_to(args, kwargs)
        dst = "mps" if (other is not None and is_mps(other)) else _mode.device_type(device)
        if dst == "mps":
            RECORDER.count("module_to_mps")
            RECORDER.event("module_to_mps", module=type(self).__name__,
                           parameters=sum(1 for _ in self.parameters()), where=where((_mode.TORCH_DIR,)))
            if other is not None:  # Module.to(tensor) reads the tensor's real (CPU) device: name MPS instead
                args = (torch.device("mps"), other.dtype) + tuple(a for a in args if isinstance(a, bool))
        return original(self, *args, **kwargs)
    to.__doc__ = original.__doc__
    return to


def _make_subclass(original):
    def make_subclass(cls, data, *args, **kwargs):
        result = original(cls, data, *args, **kwargs)
        if is_mps(data):  # nn.Parameter(mps_tensor) is on MPS
            mark(result)
        return result
    return staticmethod(make_subclass)


class _LegacySparse:
    """torch.sparse.FloatTensor(indices, values, size): legacy constructors are no torch functions."""

    def __init__(self, real):
        self._real = real

    def __call__(self, *args, **kwargs):
        tensors = tensors_in((args, kwargs), [])
        if any(is_mps(t) for t in tensors) or _mode.device_type(kwargs.get("device")) == "mps":
            _mode.check_same_device(tensors, "sparse_coo_tensor")
            if not Settings.has(F.SPARSE_COO):
                fail(NotImplementedError, F.no_backend_kernel(F.SPARSE_COO_OP, "SparseMPS"), "sparse_coo_tensor")
            return _mode.claim(self._real(*args, **kwargs), "sparse_coo_tensor")
        return self._real(*args, **kwargs)

    def __instancecheck__(self, obj):
        return isinstance(obj, self._real)

    def __getattr__(self, name):
        return getattr(self._real, name)


def _autocast_class(real):
    class autocast(real):
        """torch.autocast with device_type="mps" as the simulated torch version has it."""

        def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
            self._simmac_mps = device_type == "mps"
            if not self._simmac_mps:
                super().__init__(device_type, dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)
                return
            version = Settings.version
            if version < F.AUTOCAST_FP16:
                # raised even for enabled=False, as real torch does before MPS autocast
                message = F.autocast_unsupported("mps") if version >= F.AUTOCAST_NEW_MESSAGE else F.AUTOCAST_OLD
                fail(RuntimeError, message, "autocast")
            supported = [torch.float16] + ([torch.bfloat16] if version >= F.AUTOCAST_BF16 else [])
            self.device = "mps"
            self.fast_dtype = torch.float16 if dtype is None else dtype
            if enabled and self.fast_dtype not in supported:
                warnings.warn(F.autocast_dtype(version), UserWarning, stacklevel=2)
                enabled = False
            self._enabled = enabled
            RECORDER.count("autocast_mps")

        def __enter__(self):
            if self._simmac_mps:
                return self
            return super().__enter__()

        def __exit__(self, *exc):
            if self._simmac_mps:
                return False
            return super().__exit__(*exc)

    autocast.__name__ = real.__name__
    autocast.__qualname__ = real.__qualname__
    return autocast


# torch.save / torch.load: storages of MPS tensors are written with location "mps", as on a Mac.
_io = threading.local()
_registered = []


def _tag(storage):
    ptrs = getattr(_io, "saving", None)
    if ptrs and storage.data_ptr() in ptrs:
        return "mps"
    return None


def _restore(storage, location):
    loaded = getattr(_io, "loading", None)
    if STATE.machine == "mac" and loaded is not None and str(location).startswith("mps"):
        loaded.add(storage.data_ptr())
        return storage
    return None


def _storage_ptrs(obj):
    if isinstance(obj, torch.nn.Module):
        obj = list(obj.parameters()) + list(obj.buffers())
    ptrs = set()
    for t in tensors_in(obj, []):
        if is_mps(t) and t.numel() and not t.is_sparse:
            ptrs.add(t.storage().data_ptr())
    return ptrs


def _save(original):
    def save(obj, *args, **kwargs):
        _io.saving = _storage_ptrs(obj)
        try:
            return original(obj, *args, **kwargs)
        finally:
            _io.saving = None
    return save


def _load(original):
    def load(*args, **kwargs):
        _io.loading = set()
        try:
            result = original(*args, **kwargs)
            loaded = _io.loading
        finally:
            _io.loading = None
        if loaded:
            targets = list(result.parameters()) if isinstance(result, torch.nn.Module) else tensors_in(result, [])
            for t in targets:
                if t.numel() and t.storage().data_ptr() in loaded:
                    mark(t)
                    RECORDER.count("loaded_to_mps")
        return result
    return load


def _indexing():
    # torch 1.13 skips __torch_function__ for indexing a plain Tensor with ints or tensors, so the
    # simulation hooks the Python-level slots.
    base_get, base_set = torch._C._TensorBase.__getitem__, torch._C._TensorBase.__setitem__

    def __getitem__(self, index):
        return _mode.tensor_getitem(base_get, (self, index), {})

    def __setitem__(self, index, value):
        return _mode.tensor_setitem(base_set, (self, index, value), {})

    _set(torch.Tensor, "__getitem__", __getitem__)
    _set(torch.Tensor, "__setitem__", __setitem__)
    _mode.SPECIAL[__getitem__] = _mode.tensor_getitem
    _mode.SPECIAL[__setitem__] = _mode.tensor_setitem


def _install_mac(version):
    if version < F.MPS_BACKEND:
        raise ValueError("torch %d.%d has no MPS backend (it arrived in 1.12)" % version)
    _no_cuda()
    _set(torch.backends.mps, "is_available", lambda: True)
    _set(torch.backends.mps, "is_built", lambda: True)
    _set(torch, "has_mps", True)
    if version >= F.TORCH_MPS_MODULE:
        _set(torch.backends.mps, "is_macos13_or_newer", lambda minor=0: True)  # a current macOS
    if version >= F.TORCH_MPS_MODULE:
        mod = _torch_mps_module()
        _set(torch, "mps", mod)
        sys.modules["torch.mps"] = mod
    else:
        _del(torch, "mps")
    real_autocast = torch.autocast
    simulated = _autocast_class(real_autocast)
    _set(torch, "autocast", simulated)
    if hasattr(torch, "amp") and hasattr(torch.amp, "autocast"):
        _set(torch.amp, "autocast", simulated)
    _indexing()
    _set(torch.nn.Module, "to", _module_to(torch.nn.Module.to))
    _set(torch.Tensor, "_make_subclass", _make_subclass(torch.Tensor._make_subclass))
    for name in ("FloatTensor", "DoubleTensor"):
        _set(torch.sparse, name, _LegacySparse(getattr(torch.sparse, name)))
    if not _registered:
        torch.serialization.register_package(1, _tag, _restore)
        _registered.append(True)
    _set(torch, "save", _save(torch.save))
    _set(torch, "load", _load(torch.load))
    STATE.mode = SimMode()
    STATE.mode.__enter__()


def install(machine="mac", torch_version=None):
    """Make this process's torch behave like one machine.

    machine: "mac" (Apple Silicon: MPS available, no CUDA), "cpu" (neither), "cuda" (change nothing).
    torch_version: the torch release whose Mac behaviour to model ("2.4"); default: the installed one.
    Returns the recorder, emptied.
    """
    if machine not in MACHINES:
        raise ValueError("machine must be one of %s, not %r" % (", ".join(MACHINES), machine))
    uninstall()
    version = F.parse_version(torch_version if torch_version is not None else torch.__version__)
    STATE.machine, STATE.version = machine, version
    Settings.version = version
    RECORDER.reset()
    RECORDER.machine, RECORDER.torch_version = machine, version
    STATE.hooks.append(torch.nn.modules.module.register_module_forward_pre_hook(_forward_pre_hook))
    if machine == "cpu":
        _no_cuda()
        if getattr(torch.backends, "mps", None) is not None:
            _set(torch.backends.mps, "is_available", lambda: False)
    elif machine == "mac":
        _install_mac(version)
    return RECORDER
