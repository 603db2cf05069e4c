"""What a real Mac's PyTorch does, by torch version: the data the simulation follows.

Every entry names its source in tests/simmac/README.md ("Sources"). Messages are
the real ones, character for character where the source quotes them.
"""

import collections

# --- versions ------------------------------------------------------------------

MPS_BACKEND = (1, 12)  # torch.backends.mps and the "mps" device
TORCH_MPS_MODULE = (2, 0)  # torch.mps: synchronize, empty_cache, manual_seed, ...
WEIGHT_NORM = (2, 2)  # aten::_weight_norm_interface on MPS (pytorch#108008, not in 2.1.1)
AUTOCAST_FP16 = (2, 5)  # torch.autocast("mps") (pytorch#99272), float16 only
AUTOCAST_BF16 = (2, 6)  # bfloat16 autocast on MPS (pytorch#139390)
AUTOCAST_NEW_MESSAGE = (2, 0)  # "unsupported autocast device_type" wording (seen on 2.3.1)
SPARSE_COO = (2, 9)  # SparseMPS: COO construction, coalesce, indices/values, to_dense
SPARSE_MATMUL = (2, 10)  # sparse x dense matmul on MPS (pytorch#165232, after the 2.9 cut)

TORCH_MPS_FUNCTIONS = (
    "synchronize", "get_rng_state", "set_rng_state", "manual_seed", "seed", "empty_cache",
    "set_per_process_memory_fraction", "current_allocated_memory", "driver_allocated_memory",
)

# Operators a torch version lacks on MPS: torch function name -> (aten operator, first version with it).
MissingOp = collections.namedtuple("MissingOp", "aten since")
MISSING_OPS = {
    "_weight_norm": MissingOp("aten::_weight_norm_interface", WEIGHT_NORM),
}


def parse_version(text):
    """'2.4', '2.4.1', '1.13.0a0+git', (2, 4) -> (major, minor)."""
    if isinstance(text, tuple):
        return tuple(int(x) for x in text[:2])
    parts = []
    for piece in str(text).split("+")[0].split(".")[:2]:
        digits = ""
        for ch in piece:
            if not ch.isdigit():
                break
            digits += ch
        if not digits:
            raise ValueError("not a torch version: %r" % (text,))
        parts.append(int(digits))
    if len(parts) != 2:
        raise ValueError("not a torch version: %r" % (text,))
    return tuple(parts)


# --- messages --------------------------------------------------------------------

FLOAT64 = ("Cannot convert a MPS Tensor to float64 dtype as the MPS framework doesn't support float64. "
           "Please use float32 instead.")


def mixed_devices(first, second):
    return "Expected all tensors to be on the same device, but found at least two devices, %s and %s!" % (
        first, second)


def numpy_of(device):
    return ("can't convert %s device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host "
            "memory first." % device)


INDEX_DEVICE = "indices should be either on cpu or on the same device as the indexed tensor (cpu)"


def no_backend_kernel(op, backend):
    return ("Could not run '%s' with arguments from the '%s' backend. This could be because the operator "
            "doesn't exist for this backend, or was omitted during the selective/custom build process (if "
            "using custom build). If you are a Facebook employee using PyTorch on mobile, please visit "
            "https://fburl.com/ptmfixes for possible resolutions. '%s' is only available for these backends: "
            "[CPU, CUDA, MPS, Meta, SparseCPU, SparseCUDA, SparseMeta, BackendSelect, Python, ...]."
            % (op, backend, op))


SPARSE_COO_OP = "aten::_sparse_coo_tensor_with_dims_and_tensors"
SPARSE_EMPTY_OP = "aten::empty.memory_format"
SPARSE_MATMUL_OP = "aten::addmm"
COMPRESSED = "Could not run 'new_compressed_tensor' from the 'mps:0' device.)"


def mps_not_implemented(aten):
    return ("The operator '%s' is not currently implemented for the MPS device. If you want this op to be "
            "added in priority during the prototype phase of this feature, please comment on "
            "https://github.com/pytorch/pytorch/issues/77764. As a temporary fix, you can set the environment "
            "variable `PYTORCH_ENABLE_MPS_FALLBACK=1` to use the CPU as a fallback for this op. WARNING: this "
            "will be slower than running natively on MPS." % aten)


def mps_fallback_warning(aten):
    return ("The operator '%s' is not currently supported on the MPS backend and will fall back to run on the "
            "CPU. This may have performance implications." % aten)


AUTOCAST_OLD = "User specified autocast device_type must be 'cuda' or 'cpu'"


def autocast_unsupported(device_type):
    return "User specified an unsupported autocast device_type '%s'" % device_type


def autocast_dtype(version):
    # 2.5 checked float16 but its message named bfloat16 (pytorch#139190); 2.6 accepts both.
    if version >= AUTOCAST_BF16:
        supported = "torch.bfloat16 and torch.float16"
    else:
        supported = "torch.bfloat16"
    return ("In MPS autocast, but the target dtype is not supported. Disabling autocast.\n"
            "MPS Autocast only supports dtype of %s currently." % supported)


NO_CUDA = "Torch not compiled with CUDA enabled"
