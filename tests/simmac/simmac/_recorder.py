"""What was sent to the simulated MPS device: counters, per-module forward calls, and events."""

import collections
import json
import os
import sys

MAX_EVENTS = 500

_HERE = os.path.dirname(os.path.abspath(__file__))


def where(skip_dirs):
    """file:line of the innermost frame outside torch and simmac (the user's code)."""
    frame = sys._getframe(1)
    while frame is not None:
        path = os.path.abspath(frame.f_code.co_filename)
        if not any(path.startswith(d) for d in skip_dirs) and not path.startswith(_HERE):
            return "%s:%d" % (path, frame.f_lineno)
        frame = frame.f_back
    return "?"


class Recorder:
    """Counts of what reached MPS. ``counts`` keys:

    module_to_mps   nn.Module.to(...) calls aimed at MPS
    tensor_to_mps   tensors copied from the CPU to MPS by Tensor.to
    created_on_mps  tensors made by a factory with device="mps" (torch.zeros(..., device=...))
    loaded_to_mps   tensors torch.load put on MPS
    forward_mps     module calls whose tensor inputs and own parameters were all on MPS
    forward_cpu     module calls with everything on the CPU (or CUDA in "cuda" mode: see device_types)
    forward_mixed   module calls mixing MPS and CPU tensors
    mac_errors      errors a real Mac raises that were raised here
    mps_fallbacks   operators run through PYTORCH_ENABLE_MPS_FALLBACK
    """

    def __init__(self):
        self.reset()

    def reset(self):
        self.machine = None
        self.torch_version = None
        self.counts = collections.Counter()
        self.forwards = collections.defaultdict(collections.Counter)  # module class -> {mps, cpu, ...}
        self.events = []
        self.dropped = 0
        self.exit = None

    def count(self, key, n=1):
        self.counts[key] += n

    def event(self, kind, **fields):
        if len(self.events) >= MAX_EVENTS:
            self.dropped += 1
            return
        fields["kind"] = kind
        self.events.append(fields)

    def forward(self, module_class, placement):
        self.forwards[module_class][placement] += 1
        self.counts["forward_" + placement] += 1

    def errors(self):
        return [e for e in self.events if e["kind"] == "mac_error"]

    def as_dict(self):
        return {
            "machine": self.machine,
            "torch_version": ".".join(str(x) for x in self.torch_version) if self.torch_version else None,
            "counts": dict(self.counts),
            "forwards": {k: dict(v) for k, v in sorted(self.forwards.items())},
            "events": list(self.events),
            "events_dropped": self.dropped,
            "exit": self.exit,
        }

    def dump(self, path):
        tmp = path + ".tmp"
        with open(tmp, "w") as fh:
            json.dump(self.as_dict(), fh, indent=1, sort_keys=True)
        os.replace(tmp, path)


RECORDER = Recorder()
