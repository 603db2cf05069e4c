#!/usr/bin/env bash
# A rule for a new idiom, written only as a pattern and its tests in a user's
# --patches directory, works end to end: its tests pass, apply rewrites the
# code, verify is clean, revert gives the original bytes back. A failing rule
# test makes `mps-patch test` exit 1 and show what differed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"

rules="$WORK/rules"
mkdir -p "$rules/tests"

# torch.cuda.synchronize() raises where CUDA is absent; MPS has its own.
cat >"$rules/cuda-sync.toml" <<'EOF'
id = "cuda-sync"
summary = "torch.cuda.synchronize() -> the synchronize of the accelerator in use"
language = "python"
files = ["**/*.py"]
pattern = "torch.cuda.synchronize()"
statement = true
replacement = '''
if torch.cuda.is_available():
    torch.cuda.synchronize()
elif hasattr(getattr(torch, "mps", None), "synchronize"):
    torch.mps.synchronize()
'''
[aware]
pattern = '''
if torch.cuda.is_available():
    torch.cuda.synchronize()
elif $MPS:
    torch.mps.synchronize()
'''
EOF

cat >"$rules/tests/cuda-sync.toml" <<'EOF'
[[rewrite]]
name = "timing a step"
before = '''
def step(model, x):
    y = model(x)
    torch.cuda.synchronize()
    return y
'''
after = '''
def step(model, x):
    y = model(x)
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    elif hasattr(getattr(torch, "mps", None), "synchronize"):
        torch.mps.synchronize()
    return y
'''

[[keep]]
name = "its value used"
code = '''
t = torch.cuda.synchronize()
'''
EOF

# The rule's own tests pass.
run_mps test --patches "$rules"
[[ $RC -eq 0 ]] || fail "the user rule's tests should pass (exit $RC)"
run_mps test --patches "$rules" --json
[[ $RC -eq 0 ]] || fail "test --json should pass too (exit $RC)"
"$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); assert "schema" in d, d' "$OUT_FILE" ||
  fail "test --json prints no JSON object with a schema"

# A tree with the idiom.
tree="$WORK/tree"
mkdir -p "$tree/models"
cat >"$tree/models/bench.py" <<'EOF'
import time

import torch


def timed(model, x):
    start = time.time()
    y = model(x)
    torch.cuda.synchronize()
    return y, time.time() - start
EOF
cp "$tree/models/bench.py" "$WORK/bench.py.orig"

# Without the user's rule, verify still calls the call CUDA-only (built-in attention).
run_mps verify --no-probe --target "$tree"
[[ $RC -eq 1 ]] || fail "verify without the user rule should report the CUDA-only call (exit $RC, expected 1)"

run_mps verify --no-probe --patches "$rules" --target "$tree"
[[ $RC -eq 1 ]] || fail "verify before apply should exit 1 (exit $RC)"

run_mps apply --patches "$rules" --target "$tree"
[[ $RC -eq 0 ]] || fail "apply with the user rule failed (exit $RC)"
expected='import time

import torch


def timed(model, x):
    start = time.time()
    y = model(x)
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    elif hasattr(getattr(torch, "mps", None), "synchronize"):
        torch.mps.synchronize()
    return y, time.time() - start'
[[ "$(cat "$tree/models/bench.py")" == "$expected" ]] || fail "apply wrote: $(cat "$tree/models/bench.py")"

run_mps verify --no-probe --patches "$rules" --target "$tree"
[[ $RC -eq 0 ]] || fail "verify after apply should be clean (exit $RC)"

run_mps revert --patches "$rules" --target "$tree"
[[ $RC -eq 0 ]] || fail "revert failed (exit $RC)"
cmp -s "$tree/models/bench.py" "$WORK/bench.py.orig" || fail "revert did not restore the original bytes"

# A rule test that does not hold: exit 1, and the difference is shown.
broken="$WORK/broken"
cp -R "$rules" "$broken"
sed -i 's/elif hasattr(getattr(torch, "mps", None), "synchronize"):/elif torch.backends.mps.is_available():/' \
  "$broken/tests/cuda-sync.toml"
run_mps test --patches "$broken"
[[ $RC -eq 1 ]] || fail "a failing rule test should make test exit 1 (exit $RC)"
grep -q 'elif torch.backends.mps.is_available():' "$OUT_FILE" "$ERR_FILE" ||
  fail "the failure should show the expected line"
grep -q 'elif hasattr(getattr(torch, "mps", None), "synchronize"):' "$OUT_FILE" "$ERR_FILE" ||
  fail "the failure should show the line the rule wrote"

# A rule without tests fails `test` too.
untested="$WORK/untested"
mkdir -p "$untested/tests"
cp "$rules/cuda-sync.toml" "$untested/"
run_mps test --patches "$untested"
[[ $RC -eq 1 ]] || fail "a rule without tests should make test exit 1 (exit $RC)"

# A pattern that does not parse is an error in the rule file.
cp -R "$rules" "$WORK/bad"
sed -i 's/^pattern = "torch.cuda.synchronize()"/pattern = "torch.cuda.synchronize(("/' "$WORK/bad/cuda-sync.toml"
run_mps test --patches "$WORK/bad"
[[ $RC -eq 2 ]] || fail "a malformed pattern should make test exit 2 (exit $RC)"
grep -q 'cuda-sync.toml:5' "$ERR_FILE" "$OUT_FILE" || fail "the error should name the file and line"

note "ok"
