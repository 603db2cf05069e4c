#!/usr/bin/env bash
# --target FILE: only that file is patched; the manifest sits in its directory.
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
json_assert "$OUT_FILE" '[f["path"] for t in d["targets"] for f in t["files"]] == ["pytorch_gru_demo.py"]' \
  "verify --target FILE must look at that file only"

expect_rc 0 apply --target "$F" --json
json_assert "$OUT_FILE" "d['files_written'] == 1 and d['targets'][0]['root'] == '$DIR' and d['targets'][0]['manifest'] == '$DIR/.mps-patch-manifest.json'" \
  "apply --target FILE: root and manifest must be the file's directory"
assert_differs "$F" "$DEMO/contrib/model/$REL" "the named file was not patched"
assert_same "$F.backup_before_mps" "$DEMO/contrib/model/$REL" "the named file's backup is not its original"
assert_exists "$DIR/.mps-patch-manifest.json" "no manifest in the file's directory"
json_assert "$DIR/.mps-patch-manifest.json" '[e["path"] for e in d["files"]] == ["pytorch_gru_demo.py"]' \
  "the manifest must record the file by its name in that directory"
assert_missing "$T/.mps-patch-manifest.json" "a manifest appeared at the package root"
# Nothing else in the tree changed: not the neighbours, not other directories.
changed="$({ diff "$WORK/sum" <(tree_sum "$T") || true; } | sed -nE 's|^> [^ ]+ +\./(.*)$|\1|p' | LC_ALL=C sort -u | tr '\n' ' ')"
want="contrib/model/.mps-patch-manifest.json contrib/model/$REL contrib/model/$REL.backup_before_mps "
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
assert_exists "$DIR/.mps-patch-manifest.json" "a relative --target FILE put the manifest elsewhere"
(cd "$DIR" && "$MPS" revert --target "./$REL" --quiet) || fail "revert --target ./FILE"
assert_tree_unchanged "$T" "$WORK/sum" "revert with a relative file path did not restore the tree"
note "ok"
