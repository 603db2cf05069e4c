#!/usr/bin/env bash
# Qlib reinstalled over a patched tree: the file is a fresh unpatched copy and
# its old backup is stale. apply must refresh the backup from the current file.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
setup "$@"

T="$WORK/qlib"
copy_demo "$T"
REL=contrib/model/pytorch_lstm_demo.py
F="$T/$REL"

expect_rc 0 apply --target "$T"
assert_differs "$F" "$DEMO/$REL" "apply did not patch $REL"

# Reinstall: the pristine file comes back; the backup now holds something else.
cp "$DEMO/$REL" "$F"
printf 'junk left from an older Qlib version\n' >"$F.backup_before_mps"

expect_rc 0 apply --target "$T" --json
json_assert "$OUT_FILE" "[f.get('backup') for t in d['targets'] for f in t['files'] if f['path'] == '$REL'] == ['refreshed']" \
  "apply must report the backup of $REL as refreshed"
json_assert "$OUT_FILE" "all(f.get('status') == 'already' for t in d['targets'] for f in t['files'] if f['path'] != '$REL')" \
  "the other files were already patched"
assert_same "$F.backup_before_mps" "$DEMO/$REL" "the stale backup was not refreshed from the reinstalled file"
assert_differs "$F" "$DEMO/$REL" "the reinstalled file was not patched again"
expect_rc 0 verify --no-probe --target "$T"

# revert brings back the pristine (reinstalled) file, and everything else.
expect_rc 0 revert --target "$T"
assert_same "$F" "$DEMO/$REL" "revert did not restore the reinstalled file"
assert_tree_same "$T" "$DEMO" "revert did not restore the whole tree"

# The same when the whole package is reinstalled: every backup stale.
expect_rc 0 apply --target "$T" --quiet
while IFS= read -r -d '' b; do
  printf 'stale\n' >"$b"
  src="${b%.backup_before_mps}"
  cp "$DEMO/${src#"$T"/}" "$src"
done < <(find "$T" -name '*.backup_before_mps' -print0)
expect_rc 0 apply --target "$T" --json
json_assert "$OUT_FILE" 'all(f.get("backup") == "refreshed" for t in d["targets"] for f in t["files"])' \
  "after a full reinstall every backup must be refreshed"
while IFS= read -r -d '' b; do
  src="${b%.backup_before_mps}"
  assert_same "$b" "$DEMO/${src#"$T"/}" "backup not refreshed"
done < <(find "$T" -name '*.backup_before_mps' -print0)
expect_rc 0 revert --target "$T"
assert_tree_same "$T" "$DEMO" "revert after a full reinstall did not restore the demo"
note "ok"
