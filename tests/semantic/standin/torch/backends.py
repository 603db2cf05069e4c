"""``torch.backends`` of the stand-in: cudnn only, and no ``mps`` attribute at all."""

import types

cudnn = types.SimpleNamespace(enabled=True, deterministic=False, benchmark=False, is_available=lambda: False)
