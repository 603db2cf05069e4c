"""``torch.cuda`` of the stand-in: no GPU is ever present."""


def is_available():
    return False


def device_count():
    return 0


def empty_cache():
    pass
