"""Python modules with no rewritable site, in the shapes of an installed Qlib.

Data handlers, processors, strategies and small torch networks: classes,
decorators, comprehensions, f-strings, docstrings. Some hold the words the
rules' queries look for (`torch.load`, `forward`, `device`, `use_gpu`) without
being a site, as real code does, so a prefilter that keys on common words
finds no shortcut here. None contains `torch.cuda`: in Qlib only the files
with sites do. Deterministic for a given seed, so every run times the same tree.
"""
import random

NOUNS = ["price", "volume", "factor", "label", "feature", "signal", "alpha", "returns",
         "weight", "score", "position", "order", "trade", "bar", "window", "tick"]
VERBS = ["load", "fetch", "normalize", "clip", "rank", "shift", "resample", "merge",
         "split", "score", "fit", "transform", "aggregate", "align", "fill", "filter"]


def words(rng, *parts):
    return "_".join(rng.choice(p) for p in parts)


def _camel(rng):
    return "".join(w.capitalize() for w in (rng.choice(NOUNS), rng.choice(VERBS))) + rng.choice(
        ["Processor", "Handler", "Strategy", "Loader", "Model", "Op", "Executor"])


def _function(rng, indent=""):
    name = words(rng, VERBS, NOUNS)
    # Not `window`: the function has a parameter of that name (CPython
    # rejects a duplicate argument, and apply checks with CPython).
    arg = rng.choice([n for n in NOUNS if n != "window"])
    body = [
        f'{indent}def {name}({arg}, window: int = {rng.randint(2, 60)}, *, fields=None, **kwargs):',
        f'{indent}    """{name.replace("_", " ").capitalize()} over a rolling window.',
        f'{indent}',
        f'{indent}    Parameters',
        f'{indent}    ----------',
        f'{indent}    {arg} : pd.DataFrame',
        f'{indent}        indexed by (datetime, instrument)',
        f'{indent}    """',
        f'{indent}    fields = fields or [{", ".join(repr("$" + rng.choice(NOUNS)) for _ in range(3))}]',
        f'{indent}    out = {{f: {arg}[f].rolling(window, min_periods=1).mean() for f in fields if f in {arg}}}',
        f'{indent}    for key, value in sorted(out.items(), key=lambda kv: kv[0]):',
        f'{indent}        if value is None or len(value) == 0:',
        f'{indent}            continue',
        f'{indent}        out[key] = (value - value.mean()) / (value.std() + {rng.choice(["1e-12", "1e-8", "EPS"])})',
        f'{indent}    try:',
        f'{indent}        frame = pd.concat(out, axis=1, keys=list(out))',
        f'{indent}    except ValueError as exc:  # nothing to concatenate',
        f'{indent}        raise ValueError(f"{name}: no field of {{fields!r}} in the frame") from exc',
        f'{indent}    return frame.clip(lower=-{rng.randint(2, 5)}, upper={rng.randint(2, 5)}) * kwargs.get("scale", 1.0)',
        "",
    ]
    return body


def _class(rng):
    name = _camel(rng)
    base = rng.choice(["Processor", "BaseStrategy", "DataHandlerLP", "object", "Serializable"])
    attr = rng.choice(NOUNS)
    lines = [
        f"class {name}({base}):",
        f'    """{name}: {rng.choice(VERBS)} the {attr} of each instrument."""',
        "",
        f"    def __init__(self, fields_group=None, {attr}_window={rng.randint(5, 120)}, verbose=False):",
        "        super().__init__()",
        "        self.fields_group = fields_group",
        f"        self.{attr}_window = {attr}_window",
        "        self.verbose = verbose",
        "        self._cache: Dict[str, Any] = {}",
        "",
        "    @property",
        "    def window(self):",
        f"        return self.{attr}_window",
        "",
        "    def __call__(self, df):",
        "        cols = get_group_columns(df, self.fields_group)",
        "        with np.errstate(invalid=\"ignore\"):",
        "            df[cols] = df[cols].groupby(\"datetime\", group_keys=False).apply(",
        "                lambda x: (x - x.median()) / (x.quantile(0.75) - x.quantile(0.25) + 1e-12))",
        "        if self.verbose:",
        "            logger.info(\"%s: %d columns, window %d\", type(self).__name__, len(cols), self.window)",
        "        return df",
        "",
    ]
    if rng.random() < 0.2:
        # Not a load-map-location site: the class never sets self.device.
        lines += ["    def restore(self, path, use_gpu=False):",
                  "        self.use_gpu = use_gpu",
                  "        self._cache = torch.load(path)",
                  "        return self", ""]
    for _ in range(rng.randint(1, 3)):
        lines += _function(rng, "    ")
    return lines


def _network(rng):
    """A torch module; words like forward/device/torch.load, but no site."""
    name = rng.choice(["GRU", "LSTM", "MLP", "TCN", "Transformer", "GAT"]) + rng.choice(NOUNS).capitalize() + "Net"
    hidden = rng.choice([32, 64, 128])
    return [
        f"class {name}(nn.Module):",
        f"    def __init__(self, d_feat={rng.randint(6, 20)}, hidden_size={hidden}, num_layers=2, dropout=0.0):",
        "        super().__init__()",
        "        self.rnn = nn.GRU(input_size=d_feat, hidden_size=hidden_size, num_layers=num_layers,",
        "                          batch_first=True, dropout=dropout)",
        "        self.fc_out = nn.Linear(hidden_size, 1)",
        "",
        "    def forward(self, x):",
        "        # x: [N, F*T] -> [N, T, F]",
        "        x = x.reshape(len(x), self.rnn.input_size, -1).permute(0, 2, 1)",
        "        out, _ = self.rnn(x)",
        "        return self.fc_out(out[:, -1, :]).squeeze()",
        "",
        "    @classmethod",
        "    def restore(cls, path, **kwargs):",
        "        net = cls(**kwargs)",
        "        net.load_state_dict(torch.load(path, map_location=kwargs.pop(\"device\", \"cpu\")))",
        "        return net",
        "",
        "",
        f"def {words(rng, VERBS, NOUNS)}_batches(data, batch_size={rng.choice([256, 800, 2000])}, device=None):",
        "    \"\"\"Yield float tensors of `batch_size` rows, on `device` when one is given.\"\"\"",
        "    for i in range(0, len(data), batch_size):",
        "        batch = torch.from_numpy(np.asarray(data[i : i + batch_size], dtype=np.float32))",
        "        yield batch if device is None else batch.to(device)",
        "",
    ]


def module(rng, size):
    """A module of about `size` bytes."""
    torchy = rng.random() < 0.3
    head = ['"""' + f"{rng.choice(VERBS).capitalize()} {rng.choice(NOUNS)} data for the workflow." + '"""',
            "from typing import Any, Dict, List, Optional", "", "import numpy as np", "import pandas as pd"]
    if torchy:
        head += ["import torch", "import torch.nn as nn"]
    head += ["", "from ..log import get_module_logger", "", 'logger = get_module_logger("' +
             rng.choice(NOUNS) + '")', "EPS = 1e-12", "", ""]
    out = head
    total = sum(len(l) + 1 for l in out)
    while total < size:
        kind = rng.random()
        block = _network(rng) if torchy and kind < 0.25 else _class(rng) if kind < 0.6 else _function(rng)
        block += [""]
        out += block
        total += sum(len(l) + 1 for l in block)
    return "\n".join(out) + "\n"


def seeded(seed):
    return random.Random(seed)
