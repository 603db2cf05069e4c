#!/usr/bin/env bash
# The MPS hazards no rule rewrites (weight_norm, float64 created on the
# device, other sparse use): `verify --no-probe` names each with file, line and
# rule, says whether PYTORCH_ENABLE_MPS_FALLBACK=1 helps, weighs weight_norm
# against the interpreter's torch, and fails on them; `apply` leaves them as
# they are. On the demo Qlib the float64 and sparse sites are rewritten, and
# verify then counts them MPS-aware.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"

H="$WORK/hazards"
mkdir -p "$H/contrib/model" "$H/models/graph" "$H/utils"

# TCN-style blocks: weight_norm imported bare, through nn.utils, spelt out in
# full over several lines with a quoted keyword, and nested in a Sequential.
cat >"$H/contrib/model/pytorch_tcn_like.py" <<'PY'
import torch
import torch.nn as nn
from torch.nn.utils import weight_norm


class TemporalBlock(nn.Module):
    def __init__(self, n_inputs, n_outputs, kernel_size, stride, dilation, padding):
        super().__init__()
        self.conv1 = weight_norm(nn.Conv1d(n_inputs, n_outputs, kernel_size, stride=stride, padding=padding, dilation=dilation))
        self.conv2 = nn.utils.weight_norm(nn.Conv1d(n_outputs, n_outputs, kernel_size))
        self.proj = torch.nn.utils.weight_norm(
            nn.Linear(n_outputs, n_outputs),
            name='weight',
        )
        self.head = nn.Sequential(weight_norm(nn.Linear(n_outputs, 1)), nn.ReLU())
        self.norm = nn.utils.spectral_norm(nn.Linear(n_outputs, n_outputs))
PY
TCN_LINES="9 10 11 15"

# float64 made on the device: keywords in either order, spaced or not, a
# local device name, .to(device, dtype) by position and by keyword, a factory
# nested in a call. The CPU-only float64 and float32-on-device lines, and the
# words in a comment and a string, are not hazards.
cat >"$H/models/consts.py" <<'PY'
import numpy as np
import torch


class Weights:
    def build(self, values, x, dev):
        c = torch.tensor(values, dtype=torch.float64, device=self.device)
        z = torch.zeros(3, device = dev, dtype = torch.double)
        k = torch.as_tensor(np.asarray(values), device=dev, dtype=torch.float64)
        y = x.to(self.device, torch.float64)
        w = x.to(device=self.device, dtype=torch.double)
        return self.scale(torch.full((2, 2), 0.5, dtype=torch.float64, device=self.device)), c, z, k, y, w

    def safe(self, values):
        cpu = torch.tensor(values, dtype=torch.float64)
        f32 = torch.zeros(3, dtype=torch.float32, device=self.device)
        # torch.float64 on self.device would fail on MPS
        note = "torch.float64 device"
        return cpu, f32, note
PY
F64_LINES="7 8 9 10 11 12"

# Sparse use no rule rewrites: to_sparse, torch.sparse functions, other
# layouts; dense code and a string that names them are not hazards.
cat >"$H/models/graph/adjacency.py" <<'PY'
import torch


def normalise(adj, crow, col, val, x):
    s = adj.to_sparse()
    t = torch.sparse.softmax(s, dim=1)
    u = torch.sparse_csr_tensor(crow, col, val, size=(3, 3))
    total = torch.sparse.sum(
        s, dim = 0
    )
    return torch.sparse.addmm(x, s, x), t, u, total


def dense(adj):
    label = "torch.sparse.softmax"
    return adj.to_dense(), adj.is_sparse, label
PY
SPARSE_LINES="5 6 7 8 11"

# A file with no hazard at all.
cat >"$H/utils/clean.py" <<'PY'
import torch


def mean(x):
    return torch.as_tensor(x, dtype=torch.float32).mean()
PY

tree_sum "$H" >"$WORK/hazards.sum"

# Text: each hazard as PATH:LINE:COL: MESSAGE [RULE], the files as
# needs-attention, exit 1.
expect_rc 1 verify --no-probe "$H"
for l in $TCN_LINES; do
  assert_grep "^    contrib/model/pytorch_tcn_like\.py:$l:[0-9]+: weight_norm .*PYTORCH_ENABLE_MPS_FALLBACK=1 .*\[mps-weight-norm\]$" "$OUT_FILE" \
    "weight_norm at pytorch_tcn_like.py:$l must be named, with the fallback that helps"
done
for l in $F64_LINES; do
  assert_grep "^    models/consts\.py:$l:[0-9]+: float64 .*PYTORCH_ENABLE_MPS_FALLBACK does not help.*\[mps-float64-created\]$" "$OUT_FILE" \
    "float64 on the device at consts.py:$l must be named, saying the fallback does not help"
done
for l in $SPARSE_LINES; do
  assert_grep "^    models/graph/adjacency\.py:$l:[0-9]+: sparse .*PYTORCH_ENABLE_MPS_FALLBACK does not help.*\[mps-sparse-other\]$" "$OUT_FILE" \
    "sparse use at adjacency.py:$l must be named, saying the fallback does not help"
done
for f in contrib/model/pytorch_tcn_like.py models/consts.py models/graph/adjacency.py; do
  assert_grep "^  needs-attention +$f\$" "$OUT_FILE" "$f must be reported as needs-attention"
done
assert_no_grep 'clean\.py' "$OUT_FILE" "a file without hazards is reported"
assert_grep '^Needs attention: [0-9]+ places no rule rewrites will not run on MPS' "$OUT_FILE" "the summary must count the hazards"
assert_grep '^PYTORCH_ENABLE_MPS_FALLBACK=1 runs operators MPS lacks on the CPU' "$OUT_FILE" \
  "verify must say what the fallback does where it helps"
assert_grep '^PYTORCH_ENABLE_MPS_FALLBACK=1 does not help the others \(dtypes, sparse tensors' "$OUT_FILE" \
  "verify must say the fallback does not help dtypes or sparse tensors"
assert_no_grep 'consts\.py:(1[4-9]|2[0-9]):' "$OUT_FILE" "CPU-only float64, float32 on the device, a comment or a string is reported"
assert_no_grep 'adjacency\.py:1[3-9]:' "$OUT_FILE" "dense code or a string is reported"
assert_no_grep 'pytorch_tcn_like\.py:16:' "$OUT_FILE" "spectral_norm is reported as weight_norm"

# JSON: exactly these (file, line, rule) (a factory nested in a call that also
# carries the dtype and device may be named twice on its line), fallback_helps true for weight_norm
# only, every one a hazard (not an informational note).
expect_rc 1 verify --no-probe "$H" --json
cp "$OUT_FILE" "$WORK/hazards.json"
want="$("$PY" - $TCN_LINES -- $F64_LINES -- $SPARSE_LINES <<'PY'
import sys
groups, cur = [], []
for a in sys.argv[1:] + ["--"]:
    if a == "--":
        groups.append(cur); cur = []
    else:
        cur.append(int(a))
files = [("contrib/model/pytorch_tcn_like.py", "mps-weight-norm"),
         ("models/consts.py", "mps-float64-created"),
         ("models/graph/adjacency.py", "mps-sparse-other")]
print(sorted((f, l, r) for (f, r), ls in zip(files, groups) for l in ls))
PY
)"
json_assert "$WORK/hazards.json" \
  "sorted({(f['path'], a['line'], a['rule']) for f in d['targets'][0]['files'] for a in f['attention']}) == $want" \
  "JSON must name exactly the hazards, by file, line and rule"
json_assert "$WORK/hazards.json" 'd["attention"] == sum(len(f["attention"]) for f in d["targets"][0]["files"]) and d["unpatched_sites"] == 0 and d["aware_sites"] == 0' \
  "JSON counts: every hazard, nothing to rewrite"
json_assert "$WORK/hazards.json" \
  'all(a["fallback_helps"] == (a["rule"] == "mps-weight-norm") and a["info"] is False and a["column"] >= 1 and "PYTORCH_ENABLE_MPS_FALLBACK" in a["message"] for f in d["targets"][0]["files"] for a in f["attention"])' \
  "fallback_helps must be true for weight_norm only, and each message must speak of the fallback"
json_assert "$WORK/hazards.json" \
  'sorted(f["path"] for f in d["targets"][0]["files"] if f["status"] == "needs-attention") == ["contrib/model/pytorch_tcn_like.py", "models/consts.py", "models/graph/adjacency.py"]' \
  "the three hazard files, and only they, must be needs-attention"

# The stream form carries the same hazards.
total="$(json_get "$WORK/hazards.json" 'd["attention"]')"
expect_rc 1 verify --no-probe "$H" --json=stream
n="$(grep -o '"rule": *"mps-\(weight-norm\|float64-created\|sparse-other\)"' "$OUT_FILE" | wc -l)"
[[ "$n" == "$total" ]] || fail "--json=stream must carry the $total hazards, found $n"

# scan lists them too, as compilers do (exit 0: nothing to rewrite).
expect_rc 0 scan "$H"
for l in $F64_LINES; do
  assert_grep "^$H/models/consts\.py:$l:[0-9]+: attention: float64 .*\[mps-float64-created\]$" "$OUT_FILE" "scan must list consts.py:$l"
done

# No rule rewrites them: apply writes nothing, and verify still fails.
expect_rc 0 apply "$H"
assert_tree_unchanged "$H" "$WORK/hazards.sum" "apply changed a tree whose only findings are hazards"
expect_rc 1 verify --no-probe "$H"

# weight_norm is weighed against the torch of --python: from 2.2 MPS has it.
fake_torch() {  # VERSION -> an interpreter whose torch reports VERSION
  local d="$WORK/torch-$1"
  mkdir -p "$d/site/torch"
  cat >"$d/site/torch/__init__.py" <<PY
class _Version(str):
    def _key(self, other):
        return tuple(int(p) for p in str(other).split(".")[:2])
    def __ge__(self, other):
        return self._key(self) >= self._key(other)
__version__ = _Version("$1")
class backends:
    class mps:
        is_built = staticmethod(lambda: True)
        is_available = staticmethod(lambda: False)
PY
  cat >"$d/python" <<SH
#!/bin/sh
PYTHONPATH="$d/site" exec "$PY" "\$@"
SH
  chmod +x "$d/python"
  echo "$d/python"
}
expect_rc 1 verify --no-probe --python "$(fake_torch 2.3.1)" "$H" --json
json_assert "$OUT_FILE" 'not any(a["rule"] == "mps-weight-norm" for f in d["targets"][0]["files"] for a in f["attention"]) and d["attention"] == '"$((total - 4))"'' \
  "with torch 2.3 weight_norm runs on MPS and must not be reported; the other hazards stay"
expect_rc 1 verify --no-probe --python "$(fake_torch 2.1.0)" "$H"
assert_grep 'pytorch_tcn_like\.py:9:[0-9]+: weight_norm .*this torch is older than 2\.2' "$OUT_FILE" \
  "with torch 2.1 weight_norm must be reported as missing from this torch"

# A file with both: the float64 batch is rewritten, the hazard stays named.
M="$WORK/mixed"
mkdir -p "$M"
cat >"$M/model.py" <<'PY'
import torch


class Model:
    def step(self, data, values):
        feature = data[:, :, 0:-1].to(self.device)
        label = data[:, -1, -1].to( self.device )
        consts = torch.tensor(values, dtype=torch.float64, device=self.device)
        return feature, label, consts
PY
expect_rc 0 apply "$M" --quiet
assert_grep '_mps_safe_to\(data\[:, :, 0:-1\], self\.device\)' "$M/model.py" "the float64 batch must be rewritten"
expect_rc 1 verify --no-probe "$M" --json
json_assert "$OUT_FILE" \
  'sorted((a["rule"]) for f in d["targets"][0]["files"] for a in f["aware"]) == ["mps-float64", "mps-float64"] and d["unpatched_sites"] == 0' \
  "the two batch moves must be MPS-aware after apply"
json_assert "$OUT_FILE" \
  '[(a["rule"], a["line"]) for f in d["targets"][0]["files"] for a in f["attention"]] == [("mps-float64-created", int([i for i, s in enumerate(open("'"$M"'/model.py"), 1) if "dtype=torch.float64" in s][0]))]' \
  "the float64 constants made on the device must still be named, at their line after the rewrite"

# The demo Qlib: before apply, the float64 and sparse sites are pending; after,
# they are MPS-aware, verify passes and nothing needs attention.
D="$WORK/qlib"
copy_demo "$D"
expect_rc 1 verify --no-probe "$D" --json
json_assert "$OUT_FILE" \
  '{"mps-float64", "mps-sparse-build", "mps-sparse-mm", "mps-sparse-indices", "mps-sparse-values"} <= {u["rule"] for f in d["targets"][0]["files"] for u in f["unpatched"]}' \
  "before apply the float64 and sparse sites must be pending"
expect_rc 0 apply "$D" --quiet
expect_rc 0 verify --no-probe "$D" --json
cp "$OUT_FILE" "$WORK/demo.json"
json_assert "$WORK/demo.json" 'd["attention"] == 0 and d["unpatched_sites"] == 0' "after apply nothing may be left or need attention"
aware() {  # FILE RULE -> the lines verify counts MPS-aware
  json_get "$WORK/demo.json" "[a['line'] for f in d['targets'][0]['files'] if f['path'] == '$1' for a in f['aware'] if a['rule'] == '$2']"
}
check_aware() {  # FILE RULE ERE: each aware line of RULE in FILE matches ERE
  local lines l text
  lines="$(aware "$1" "$2" | tr -d '[],')"
  [[ -n "$lines" ]] || fail "$1: no $2 site is reported MPS-aware after apply"
  for l in $lines; do
    text="$(sed -n "${l}p" "$D/$1")"
    grep -Eq -- "$3" <<<"$text" || fail "$1:$l is reported as $2 but reads: $text"
  done
}
for f in pytorch_general_nn_demo pytorch_gru_ts_demo pytorch_igmtf_demo pytorch_localformer_demo pytorch_sfm_freq_demo; do
  check_aware "contrib/model/$f.py" mps-float64 '_mps_safe_to\('
done
G=contrib/model/pytorch_igmtf_demo.py
check_aware "$G" mps-sparse-build '_mps_sparse\(torch\.(sparse_coo_tensor|sparse\.FloatTensor)\)'
check_aware "$G" mps-sparse-mm '_mps_sparse_mm\('
check_aware "$G" mps-sparse-indices '_mps_indices\('
check_aware "$G" mps-sparse-values '_mps_values\('
note "ok"
