"""A simulated Apple Silicon Mac (PyTorch's MPS backend) for a CPU-only PyTorch.

    import simmac
    simmac.install(machine="mac", torch_version="2.4")
    rec = simmac.recorder()

Tensors sent to "mps" stay on the CPU but report the MPS device, and what a
real Mac refuses (float64, sparse tensors, mixed devices, ...) raises the real
error. See README.md next to this package for what is and is not modelled.
Needs an interpreter with torch (Debian: /usr/bin/python3).
"""

from ._install import MACHINES, install, installed, torch_version, uninstall
from ._marks import is_mps
from ._recorder import RECORDER as _RECORDER

__all__ = ["MACHINES", "install", "installed", "is_mps", "recorder", "torch_version", "uninstall"]


def recorder():
    """The process-wide record of what was sent to MPS (counts, forwards, events; .dump(path))."""
    return _RECORDER
