"""Which Python tensor objects live on the simulated MPS device.

The mark is kept outside the tensor (keyed by id, checked through a weak
reference) so that pickling, torch.save and __dict__ copies never carry it.
"""

import functools
import weakref

_marks = {}


def _drop(key, ref):
    if _marks.get(key) is ref:
        del _marks[key]


def is_mps(obj):
    ref = _marks.get(id(obj))
    return ref is not None and ref() is obj


def mark(obj):
    key = id(obj)
    ref = _marks.get(key)
    if ref is not None and ref() is obj:
        return
    _marks[key] = weakref.ref(obj, functools.partial(_drop, key))


def unmark(obj):
    ref = _marks.get(id(obj))
    if ref is not None and ref() is obj:
        del _marks[id(obj)]


def count():
    return sum(1 for ref in _marks.values() if ref() is not None)
