#!/usr/bin/env bash
# Without --target the qlib package of --python is the target: an interpreter
# without qlib is an error naming qlib; one with qlib on its path is used.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"

EMPTY="$WORK/empty"
mkdir -p "$EMPTY" "$WORK/bin"

# An isolated interpreter (-I -S: no site-packages, no PYTHONPATH) has no qlib.
cat >"$WORK/bin/python-noqlib" <<SH
#!/bin/sh
exec "$PY" -I -S "\$@"
SH
chmod +x "$WORK/bin/python-noqlib"
for cmd in apply verify revert; do
  expect_rc 2 "$cmd" --python "$WORK/bin/python-noqlib"
  assert_grep 'qlib' "$ERR_FILE" "$cmd: the error must mention qlib"
  assert_grep 'not installed' "$ERR_FILE" "$cmd: the error must say qlib is not installed"
  [[ ! -s "$OUT_FILE" ]] || fail "$cmd: printed results although there is no target"
done
expect_rc 2 apply --python "$WORK/bin/python-noqlib" --json
assert_grep 'qlib' "$ERR_FILE" "apply --json: the error must mention qlib"

# The machine's own python3 (and /usr/bin/python3), where it has no qlib.
for py in /usr/bin/python3 "$PY"; do
  [[ -x "$py" ]] || continue
  if PYTHONPATH="$EMPTY" PYTHONNOUSERSITE=1 "$py" -c 'import importlib.util,sys; sys.exit(importlib.util.find_spec("qlib") is not None)'; then
    run_env "PYTHONPATH=$EMPTY PYTHONNOUSERSITE=1" apply --python "$py"
    assert_rc 2 "apply --python $py without qlib"
    assert_grep 'qlib' "$ERR_FILE" "apply --python $py: the error must mention qlib"
  else
    note "skipping $py: it has a qlib installed"
  fi
done

# An interpreter that cannot be run at all: exit 2, the name in the message.
expect_rc 2 apply --python "$WORK/bin/no-such-python"
assert_grep 'no-such-python' "$ERR_FILE" "the error must name the interpreter that cannot run"

# A qlib on PYTHONPATH is found and targeted.
SITE="$WORK/site"
copy_demo "$SITE/qlib"
run_env "PYTHONPATH=$SITE PYTHONNOUSERSITE=1" apply --python python3 --dry-run --json
assert_rc 0 "apply --python python3 with qlib on PYTHONPATH"
root="$(json_get "$OUT_FILE" '[t["root"] for t in d["targets"]]')"
[[ "$root" == "[\"$SITE/qlib\"]" ]] || fail "expected the target $SITE/qlib, got $root"
json_assert "$OUT_FILE" 'd["targets"][0]["root"].endswith("/qlib") and sum(d["sites_per_rule"].values()) > 0' \
  "the located qlib must be the target and have sites to patch"
assert_tree_same "$SITE/qlib" "$DEMO" "--dry-run on the located qlib wrote something"

# A venv-style python3 first on PATH is the default interpreter; a real apply
# and revert work on the qlib it finds.
cat >"$WORK/bin/python3" <<SH
#!/bin/sh
PYTHONPATH="$SITE" exec "$PY" "\$@"
SH
chmod +x "$WORK/bin/python3"
run_env "PATH=$WORK/bin:$PATH" apply --json
assert_rc 0 "apply with the python3 first on PATH"
json_assert "$OUT_FILE" "d['targets'][0]['root'] == '$SITE/qlib' and d['written']" \
  "apply must patch the qlib of the python3 first on PATH"
assert_exists "$SITE/qlib/.mps-patch-manifest.json" "no manifest in the located qlib"
run_env "PATH=$WORK/bin:$PATH" verify --no-probe
assert_rc 0 "verify on the located qlib"
run_env "PATH=$WORK/bin:$PATH" revert
assert_rc 0 "revert on the located qlib"
assert_tree_same "$SITE/qlib" "$DEMO" "revert on the located qlib did not restore it"
note "ok"
