#!/usr/bin/env bash
# --target FILE: only that file is patched; its package keeps one manifest, at
# the package root, whichever part of the package is named.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"

T="$WORK/qlib"
copy_demo "$T"
DIR="$T/contrib/model"
REL=pytorch_gru_demo.py
F="$DIR/$REL"
tree_sum "$T" >"$WORK/sum"

expect_rc 1 verify --no-probe --target "$F" --json
json_assert "$OUT_FILE" '[f["path"] for t in d["targets"] for f in t["files"]] == ["contrib/model/pytorch_gru_demo.py"]' \
  "verify --target FILE must look at that file only"

expect_rc 0 apply --target "$F" --json
json_assert "$OUT_FILE" "d['files_written'] == 1 and d['targets'][0]['root'] == '$T' and d['targets'][0]['manifest'] == '$T/.mps-patch-manifest.json'" \
  "apply --target FILE: root and manifest must be the package root's"
assert_differs "$F" "$DEMO/contrib/model/$REL" "the named file was not patched"
assert_same "$F.backup_before_mps" "$DEMO/contrib/model/$REL" "the named file's backup is not its original"
assert_exists "$T/.mps-patch-manifest.json" "no manifest at the package root"
json_assert "$T/.mps-patch-manifest.json" '[e["path"] for e in d["files"]] == ["contrib/model/pytorch_gru_demo.py"]' \
  "the manifest must record the file by its path in the package"
assert_missing "$DIR/.mps-patch-manifest.json" "a second manifest appeared in the file's directory"
# Nothing else in the tree changed: not the neighbours, not other directories.
changed="$({ diff "$WORK/sum" <(tree_sum "$T") || true; } | sed -nE 's|^> [^ ]+ +\./(.*)$|\1|p' | LC_ALL=C sort -u | tr '\n' ' ')"
want=".mps-patch-manifest.json contrib/model/$REL contrib/model/$REL.backup_before_mps "
[[ "$changed" == "$want" ]] || fail "expected only [$want] to change, got [$changed]"
assert_same "$DIR/pytorch_lstm_demo.py" "$DEMO/contrib/model/pytorch_lstm_demo.py" "a neighbour file was patched"

expect_rc 0 verify --no-probe --target "$F"
# A second apply writes nothing.
tree_sum "$T" >"$WORK/sum_patched"
expect_rc 0 apply --target "$F"
assert_tree_unchanged "$T" "$WORK/sum_patched" "a second apply --target FILE changed bytes"

expect_rc 0 revert --target "$F"
assert_tree_unchanged "$T" "$WORK/sum" "revert --target FILE did not restore the tree"

# A file with nothing to patch: exit 0, nothing written.
expect_rc 0 apply --target "$DIR/gbdt_demo.py"
assert_tree_unchanged "$T" "$WORK/sum" "apply on a file without device code wrote something"
expect_rc 0 verify --no-probe --target "$DIR/gbdt_demo.py"

# A relative path works the same.
(cd "$DIR" && "$MPS" apply --target "$REL" --quiet) || fail "apply --target with a relative file path"
assert_exists "$T/.mps-patch-manifest.json" "a relative --target FILE put the manifest elsewhere"
(cd "$DIR" && "$MPS" revert --target "./$REL" --quiet) || fail "revert --target ./FILE"
assert_tree_unchanged "$T" "$WORK/sum" "revert with a relative file path did not restore the tree"
note "ok"
